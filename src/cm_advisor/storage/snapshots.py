"""Catalogue snapshots: a copy of every catalogue a result was scored with, so an old
result renders with the models and wording it was computed with, forever."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from cm_advisor.engine import Catalogue
from cm_advisor.storage.tables import catalogues


def remember(conn: Connection, catalogue: Catalogue) -> None:
    """Store the snapshot unless it is there already (idempotent, safe in parallel)."""
    known = conn.execute(
        select(catalogues.c.content_hash).where(catalogues.c.content_hash == catalogue.content_hash)
    ).first()
    if known is not None:
        return
    try:
        with conn.begin_nested():
            conn.execute(
                insert(catalogues).values(
                    content_hash=catalogue.content_hash,
                    version=catalogue.version,
                    content=catalogue.model_dump_json(),
                    first_seen=datetime.now(UTC),
                )
            )
    except IntegrityError:
        pass  # another process stored the same snapshot first


def load(conn: Connection, content_hash: str) -> Catalogue | None:
    content = conn.execute(
        select(catalogues.c.content).where(catalogues.c.content_hash == content_hash)
    ).scalar()
    return None if content is None else Catalogue.model_validate_json(content)
