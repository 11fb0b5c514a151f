"""Saved assessments: each read and write defined once, as SQLAlchemy Core on a connection.

The store runs these on a pooled connection in a thread, or (label_and_notes, the one
read the result page makes on every request) on the event loop; both run the same
statement. Results are stored once, exactly as computed, and never recomputed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from threading import Lock
from typing import Any

from cachetools import LRUCache
from sqlalchemy import Connection, Row, Select, bindparam, delete, insert, select, update

from cm_advisor.engine import AnswerValue, Result
from cm_advisor.limits import LABEL_MAX, NOTES_MAX
from cm_advisor.storage.tables import assessments

TOKEN_BYTES = 24  # 192 bits, URL-safe: 32 characters
KEY_BYTES = 32
# Every token this app issues is URL-safe base64; anything else names no row, and is
# never sent to the database (PostgreSQL refuses a NUL byte in text outright).
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class WrongKey(PermissionError):
    """A manage key that does not match; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Assessment:
    token: str
    created_at: datetime
    label: str
    notes: str
    answers: dict[str, AnswerValue]
    weights: dict[str, float]
    result: Result
    catalogue_hash: str
    catalogue_version: str
    engine_version: str


@dataclass(frozen=True, slots=True)
class Created:
    assessment: Assessment
    manage_key: str
    result_json: str  # the result as stored, so a response need not serialise it again


def well_formed(token: str) -> bool:
    return TOKEN_SHAPE.fullmatch(token) is not None


def clean(text: str, limit: int) -> str | None:
    """Free text as stored: no control characters (PostgreSQL refuses NUL), within limit."""
    return CONTROL.sub("", text)[:limit].strip() or None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- reads ---------------------------------------------------------------------------


# Built once: constructing and keying a select costs more than running it (~40 us).
LABEL_AND_NOTES: Select[tuple[str | None, str | None]] = select(
    assessments.c.label, assessments.c.notes
).where(assessments.c.token == bindparam("token"))


def editable(row: Row[Any] | None) -> tuple[str, str] | None:
    """The label and notes of a LABEL_AND_NOTES row; None when there is no row."""
    return None if row is None else (row.label or "", row.notes or "")


def find(conn: Connection, token: str) -> Row[Any] | None:
    return conn.execute(select(assessments).where(assessments.c.token == token)).first()


def key_matches(conn: Connection, token: str, key: str) -> bool:
    """True when the key opens this assessment (constant-time comparison of the hashes)."""
    stored = conn.execute(
        select(assessments.c.manage_key_hash).where(assessments.c.token == token)
    ).scalar()
    return stored is not None and hmac.compare_digest(stored.encode(), hash_key(key).encode())


class Parsed:
    """Stored results parsed once per process, by token alone: a stored result never
    changes, and keying on its text too would keep every text alive beside its parse."""

    def __init__(self, size: int = 64) -> None:
        self._found: LRUCache[str, Result] = LRUCache(maxsize=size)
        self._lock = Lock()  # cachetools' caches are not thread-safe

    def assessment(self, row: Row[Any]) -> Assessment:
        with self._lock:
            result = self._found.get(row.token)
        if result is None:
            result = Result.model_validate_json(row.result)
            with self._lock:
                self._found[row.token] = result
        created: datetime = row.created_at
        return Assessment(
            token=row.token,
            created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
            label=row.label or "",
            notes=row.notes or "",
            answers=json.loads(row.answers),
            weights=json.loads(row.weights),
            result=result,
            catalogue_hash=row.catalogue_hash,
            catalogue_version=row.catalogue_version,
            engine_version=row.engine_version,
        )

    def forget(self, token: str) -> None:
        with self._lock:
            self._found.pop(token, None)


# --- writes --------------------------------------------------------------------------


def new_row(result: Result, label: str, notes: str) -> tuple[dict[str, Any], str]:
    """An assessments row for this result, and the manage key whose hash it holds."""
    key = secrets.token_urlsafe(KEY_BYTES)
    row = {
        "token": secrets.token_urlsafe(TOKEN_BYTES),
        "manage_key_hash": hash_key(key),
        "created_at": datetime.now(UTC).replace(microsecond=0),
        "label": clean(label, LABEL_MAX),
        "notes": clean(notes, NOTES_MAX),
        "answers": json.dumps(result.answers),
        "weights": json.dumps(result.weights),
        "result": result.model_dump_json(),
        "catalogue_hash": result.catalogue_hash,
        "catalogue_version": result.catalogue_version,
        "engine_version": result.engine_version,
    }
    return row, key


def created(token: str, row: dict[str, Any], key: str, result: Result) -> Created:
    saved = Assessment(
        token=token,
        created_at=row["created_at"],
        label=row["label"] or "",
        notes=row["notes"] or "",
        answers=dict(result.answers),
        weights=dict(result.weights),
        result=result,
        catalogue_hash=result.catalogue_hash,
        catalogue_version=result.catalogue_version,
        engine_version=result.engine_version,
    )
    return Created(saved, key, row["result"])


def insert_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    conn.execute(insert(assessments), list(rows))


def fresh_token(row: dict[str, Any]) -> dict[str, Any]:
    """The row under a newly drawn token (after an astronomically unlikely clash)."""
    return row | {"token": secrets.token_urlsafe(TOKEN_BYTES)}


def set_label_and_notes(conn: Connection, token: str, label: str, notes: str) -> None:
    conn.execute(
        update(assessments)
        .where(assessments.c.token == token)
        .values(label=clean(label, LABEL_MAX), notes=clean(notes, NOTES_MAX))
    )


def remove(conn: Connection, token: str) -> None:
    conn.execute(delete(assessments).where(assessments.c.token == token))
