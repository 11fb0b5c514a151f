"""Drafts: an unfinished questionnaire's raw form fields, kept for a while under a private token.

A draft is not checked against the catalogue: it holds whatever the form held, within
size limits, and is checked when it is finally submitted. Expired drafts are deleted
whenever a new one is saved, so no separate clean-up job is needed.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from cm_advisor.storage.tables import drafts

TOKEN_BYTES = 24  # 192 bits, URL-safe: 32 characters
FIELDS_MAX = 200  # the questionnaire has about 40 fields
NAME_MAX = 100
VALUE_MAX = 10_000  # twice the notes limit: browsers send each line break as two characters
BODY_MAX = 64 * 1024  # characters of JSON
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class DraftTooLarge(ValueError):
    """More fields, or longer ones, than any questionnaire has; nothing was saved."""


@dataclass(frozen=True, slots=True)
class Draft:
    token: str
    created_at: datetime
    expires_at: datetime
    fields: dict[str, str]

    @property
    def days(self) -> int:
        return (self.expires_at - self.created_at).days


def clean_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """The non-empty fields as stored: no control characters (PostgreSQL refuses NUL)."""
    kept = {
        CONTROL.sub("", name): CONTROL.sub("", value)
        for name, value in fields.items()
        if value.strip()
    }
    if len(kept) > FIELDS_MAX:
        raise DraftTooLarge(f"a draft holds at most {FIELDS_MAX} fields")
    if any(len(name) > NAME_MAX or len(value) > VALUE_MAX for name, value in kept.items()):
        raise DraftTooLarge(f"a draft field holds at most {VALUE_MAX} characters")
    return kept


def save_draft(
    engine: Engine, fields: Mapping[str, str], days: int, now: datetime | None = None
) -> Draft:
    """Store the fields under a new token for `days` days; purge expired drafts meanwhile."""
    created = (now or datetime.now(UTC)).replace(microsecond=0)
    kept = clean_fields(fields)
    body = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
    if len(body) > BODY_MAX:
        raise DraftTooLarge(f"a draft holds at most {BODY_MAX} characters")
    expires = created + timedelta(days=days)
    with engine.begin() as conn:
        _purge(conn, created)
        for _ in range(3):
            token = secrets.token_urlsafe(TOKEN_BYTES)
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(drafts).values(
                            token=token, created_at=created, expires_at=expires, fields=body
                        )
                    )
                break
            except IntegrityError:
                continue  # astronomically unlikely token clash: draw again
        else:
            raise RuntimeError("could not allocate a unique draft token")
    return Draft(token, created, expires, kept)


def load_draft(engine: Engine, token: str, now: datetime | None = None) -> Draft | None:
    """The draft under this token, or None when there is none or it has expired."""
    if not token or len(token) > 64:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(drafts).where(
                drafts.c.token == token, drafts.c.expires_at > (now or datetime.now(UTC))
            )
        ).first()
    if row is None:
        return None
    fields = json.loads(row.fields)
    return Draft(row.token, _utc(row.created_at), _utc(row.expires_at), fields)


def purge_expired(engine: Engine, now: datetime | None = None) -> int:
    """Delete every expired draft; returns how many went."""
    with engine.begin() as conn:
        return _purge(conn, now or datetime.now(UTC))


def _purge(conn: Connection, now: datetime) -> int:
    return conn.execute(delete(drafts).where(drafts.c.expires_at <= now)).rowcount


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
