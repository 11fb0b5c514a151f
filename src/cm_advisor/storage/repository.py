"""Save, read, edit and delete assessments; results are stored once and never recomputed."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine, create_engine, event, insert, select, text, update
from sqlalchemy import delete as sql_delete
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from cm_advisor.engine import AnswerValue, Catalogue, Result
from cm_advisor.limits import LABEL_MAX, NOTES_MAX
from cm_advisor.storage import schema
from cm_advisor.storage.async_reader import AsyncReader, ReaderUnavailable
from cm_advisor.storage.drafts import Draft, load_draft, purge_expired, save_draft
from cm_advisor.storage.group_commit import GroupCommit
from cm_advisor.storage.inline_reader import InlineReader
from cm_advisor.storage.parsed import ParsedResults
from cm_advisor.storage.tables import assessments, catalogues

TOKEN_BYTES = 24  # 192 bits, URL-safe: 32 characters
KEY_BYTES = 32


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or written; the caller may retry later."""


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


def database_url(configured: str, data_dir: Path) -> str:
    """The configured URL, or SQLite in the data directory (created on first use)."""
    if configured:
        return configured
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'cm-advisor.sqlite3'}"


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str, limit: int) -> str | None:
    """Free text as stored: no control characters (PostgreSQL refuses NUL), within limit."""
    return CONTROL.sub("", text)[:limit].strip() or None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Store:
    """The repository: every database access of the app goes through here."""

    def __init__(self, url: str, catalogue: Catalogue | None = None) -> None:
        """Connects lazily; the schema is migrated and the catalogue snapshotted on first use."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = _make_engine(url)
        self._snapshot = lru_cache(maxsize=32)(self._load_snapshot)
        # Stored results never change: parse the most recently read ones once per process.
        self._parsed = ParsedResults()
        self._catalogue = catalogue
        self._prepared = False
        database = self.engine.url.database
        on_file = self.is_sqlite and database not in (None, "", ":memory:")
        self._inline = InlineReader(database) if on_file and database else None
        self._async = (
            AsyncReader(self.engine.url.set(drivername="postgresql").render_as_string(False))
            if self.engine.url.drivername == "postgresql+psycopg"
            else None
        )
        self._write_lock = threading.Lock()
        self._group = GroupCommit(self._insert)

    def close(self) -> None:
        if self._inline is not None:
            self._inline.close()
        if self._async is not None:
            self._async.close()
        self.engine.dispose()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise StoreUnavailable("the database is unavailable; please try again") from exc

    def open(self) -> bool:
        """Migrate and snapshot the catalogue now; if the database is down, retry on next use."""
        try:
            self._prepare()
        except StoreUnavailable:
            return False
        return True

    def _prepare(self) -> None:
        if not self._prepared:
            self.migrate()
            if self._catalogue is not None:
                self.remember_catalogue(self._catalogue)
            # Saving a draft purges expired ones too; this covers an instance that saves none.
            with self._errors():
                purge_expired(self.engine)
            self._prepared = True

    # --- schema -------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest revision (see storage/schema.py)."""
        with self._errors():
            schema.migrate(self.engine)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    async def ping_async(self) -> bool:
        """ping() for async routes, on the event loop where label_and_notes_async reads;
        if that fails, the pooled ping on a thread decides."""
        try:
            if self._inline is not None:
                self._inline.ping()
                return True
            if self._async is not None:
                await self._async.ping()
                return True
        except (sqlite3.Error, ReaderUnavailable):
            pass
        return await to_thread.run_sync(self.ping)

    # --- catalogue snapshots ------------------------------------------------

    def remember_catalogue(self, catalogue: Catalogue) -> None:
        """Keep a copy of the catalogue so results scored with it render the same forever."""
        with self._errors(), self.engine.begin() as conn:
            known = conn.execute(
                select(catalogues.c.content_hash).where(
                    catalogues.c.content_hash == catalogue.content_hash
                )
            ).first()
            if known is None:
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

    def catalogue(self, content_hash: str) -> Catalogue | None:
        return self._snapshot(content_hash)

    def _load_snapshot(self, content_hash: str) -> Catalogue | None:
        with self._errors(), self.engine.connect() as conn:
            content = conn.execute(
                select(catalogues.c.content).where(catalogues.c.content_hash == content_hash)
            ).scalar()
        return None if content is None else Catalogue.model_validate_json(content)

    # --- assessments --------------------------------------------------------

    def create(self, result: Result, label: str = "", notes: str = "") -> Created:
        """Save a result as computed; return it with its one-time manage key."""
        row, key = _new_row(result, label, notes)
        outcome = self._insert([row])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return _created(outcome, row, key, result)

    async def create_async(self, result: Result, label: str = "", notes: str = "") -> Created:
        """create() for async routes: committed together with others saved meanwhile."""
        row, key = _new_row(result, label, notes)
        token = await self._group.save(row)
        return _created(token, row, key, result)

    def _insert(self, rows: Sequence[dict[str, Any]]) -> list[str | BaseException]:
        """Every row in one transaction; row by row if that fails on a constraint (a token
        clash, astronomically unlikely), so one row cannot sink the others. One writer at a
        time in this process: SQLite has one write lock and its busy handler sleeps."""
        with self._write_lock:
            try:
                self._prepare()
                with self._errors():
                    try:
                        with self.engine.begin() as conn:
                            conn.execute(insert(assessments), list(rows))
                        return [row["token"] for row in rows]
                    except IntegrityError:
                        return [self._insert_alone(row) for row in rows]
            except StoreUnavailable as exc:
                return [exc] * len(rows)

    def _insert_alone(self, row: dict[str, Any]) -> str | BaseException:
        for _ in range(3):
            try:
                with self._errors(), self.engine.begin() as conn:
                    conn.execute(insert(assessments), [row])
                return str(row["token"])
            except IntegrityError:
                row = row | {"token": secrets.token_urlsafe(TOKEN_BYTES)}  # draw again
            except StoreUnavailable as exc:
                return exc
        return StoreUnavailable("could not allocate a unique token")

    def get(self, token: str) -> Assessment | None:
        self._prepare()
        with self._errors(), self.engine.connect() as conn:
            row = conn.execute(select(assessments).where(assessments.c.token == token)).first()
        if row is None:
            return None
        created = row.created_at
        return Assessment(
            token=row.token,
            created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
            label=row.label or "",
            notes=row.notes or "",
            answers=json.loads(row.answers),
            weights=json.loads(row.weights),
            result=self._parsed.get(row.token, row.result),
            catalogue_hash=row.catalogue_hash,
            catalogue_version=row.catalogue_version,
            engine_version=row.engine_version,
        )

    def label_and_notes(self, token: str) -> tuple[str, str] | None:
        """Just the editable fields (None when deleted): enough to reuse a rendered page."""
        self._prepare()
        with self._errors(), self.engine.connect() as conn:
            row = conn.execute(
                select(assessments.c.label, assessments.c.notes).where(assessments.c.token == token)
            ).first()
        return None if row is None else (row.label or "", row.notes or "")

    async def label_and_notes_async(self, token: str) -> tuple[str, str] | None:
        """label_and_notes() for async routes: on the event loop for a local SQLite file
        (inline_reader.py) or PostgreSQL through psycopg (async_reader.py); otherwise, or
        if that read fails, on a thread."""
        if self._prepared:
            try:
                if self._inline is not None:
                    return self._inline.label_and_notes(token)
                if self._async is not None:
                    return await self._async.label_and_notes(token)
            except (sqlite3.Error, ReaderUnavailable):
                pass  # locked, unreadable or unreachable: the threaded path waits or says why
        return await to_thread.run_sync(self.label_and_notes, token)

    def check_key(self, token: str, key: str) -> bool:
        """True when the key opens this assessment (constant-time comparison)."""
        self._prepare()
        with self._errors(), self.engine.connect() as conn:
            stored = conn.execute(
                select(assessments.c.manage_key_hash).where(assessments.c.token == token)
            ).scalar()
        return stored is not None and hmac.compare_digest(stored, hash_key(key))

    def update(self, token: str, key: str, label: str, notes: str) -> None:
        """Change label and notes only; the result itself can never be edited."""
        self._require_key(token, key)
        with self._errors(), self.engine.begin() as conn:
            conn.execute(
                update(assessments)
                .where(assessments.c.token == token)
                .values(label=clean(label, LABEL_MAX), notes=clean(notes, NOTES_MAX))
            )

    def delete(self, token: str, key: str) -> None:
        self._require_key(token, key)
        with self._errors(), self.engine.begin() as conn:
            conn.execute(sql_delete(assessments).where(assessments.c.token == token))
        self._parsed.forget(token)

    # --- drafts (the SQL lives in storage/drafts.py) -------------------------

    def save_draft(self, fields: dict[str, str], days: int) -> Draft:
        """Keep an unfinished questionnaire for `days` days; expired drafts go meanwhile."""
        self._prepare()
        with self._errors():
            return save_draft(self.engine, fields, days)

    def draft(self, token: str) -> Draft | None:
        """An unexpired draft, or None."""
        self._prepare()
        with self._errors():
            return load_draft(self.engine, token)

    def _require_key(self, token: str, key: str) -> None:
        if not self.check_key(token, key):
            raise WrongKey("the manage key does not match this assessment")


def _new_row(result: Result, label: str, notes: str) -> tuple[dict[str, Any], str]:
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


def _created(token: str, row: dict[str, Any], key: str, result: Result) -> Created:
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


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit reaches the disk before it returns, so an acknowledged result
        # survives a power cut, not only a crash of the process (which NORMAL survives in
        # WAL mode). The fsync is paid once per group commit, not once per result.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    return engine
