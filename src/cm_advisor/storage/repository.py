"""The store: the one object the web layer talks to about saved data.

It decides when each piece of work runs and what may go wrong; the SQL lives beside
it, one module per concern: schema.py (Alembic), assessments.py, snapshots.py,
drafts.py. Reads never write: a read needs only a current schema, while the
catalogue snapshot a save refers to is stored before the first save to each database
file, and expired drafts are purged when a draft is saved or the store opens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, literal, select
from sqlalchemy.exc import IntegrityError

from cm_advisor.engine import Catalogue, Result
from cm_advisor.storage import assessments, schema, snapshots
from cm_advisor.storage.assessments import Assessment, Created, WrongKey, well_formed
from cm_advisor.storage.availability import Breaker, StoreUnavailable
from cm_advisor.storage.drafts import Draft, load_draft, purge_expired, save_draft
from cm_advisor.storage.engines import LONG_WAIT, make_engines
from cm_advisor.storage.group_commit import GroupCommit
from cm_advisor.storage.group_store import Groups
from cm_advisor.storage.sqlite_file import Identity, opened_file

logger = logging.getLogger("cm_advisor.storage")
TIMEOUT_SECONDS = 2.0
MIGRATION_SECONDS = 600.0  # a migration may rewrite a large table
SERVER = "server"  # what the schema was checked for when the database is not a file
Health = Literal["ok", "read-only", "unavailable"]
ONE = select(literal(1))


def database_url(configured: str, data_dir: Path) -> str:
    """The configured URL, or SQLite in the data directory (made on first use)."""
    return configured or f"sqlite:///{data_dir / 'cm-advisor.sqlite3'}"


class Store:
    def __init__(
        self, url: str, catalogue: Catalogue | None = None, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        """Connects lazily; the schema is checked (and migrated) on first use."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._engines = make_engines(url, timeout)
        self.engine = self._engines.engine
        self._file = self._engines.file
        self._breaker = Breaker()
        self._catalogue = catalogue
        self._schema_for: Identity | str | None = None  # the database the schema is known for
        self._snapshot_for: Identity | str | None = None
        self._prepare_lock = threading.Lock()
        self._snapshots = lru_cache(maxsize=32)(self._load_snapshot)
        self._parsed = assessments.Parsed()
        self._write_lock = threading.Lock()
        self._group = GroupCommit(self._insert)
        self._health: Health = "ok"
        self.groups = Groups(self)

    def close(self) -> None:
        self._engines.dispose()

    # --- readiness -------------------------------------------------------------

    def open(self) -> bool:
        """Check the schema, store the snapshot and purge expired drafts now; False (and
        a warning) if that cannot be done, in which case each use tries again."""
        try:
            self._ready_to_write()
            with self._breaker.guarded():
                purge_expired(self.engine)
        except StoreUnavailable as error:
            logger.warning("storage not ready: %s", _reason(error))
            return False
        return True

    def _where(self) -> Identity | str:
        """The database in use now: the identity of the file at the path, or SERVER."""
        if self._file is None:
            return SERVER
        identity = self._file.identity()
        if identity is None and self._schema_for is None:  # first use: make the database
            with self._breaker.guarded():
                self._file.create()
            identity = self._file.identity()
        if identity is None:
            raise StoreUnavailable("the database file is missing; restore it or restart")
        if self._schema_for not in (None, identity):
            # Swapping a live WAL database leaves the old -wal file beside the new one:
            # never read or write that pair; a restart opens the new file cleanly.
            raise StoreUnavailable("the database file was replaced while the app ran; restart")
        return identity

    def _ready(self) -> None:
        """What every use needs: a current schema in the database there now."""
        where = self._where()
        if self._schema_for != where:
            with self._prepare_lock:
                if self._schema_for != where:
                    self.migrate()
                    self._schema_for = where

    def _ready_to_write(self) -> None:
        self._ready()
        if self._file is not None and not self._file.writable():
            raise StoreUnavailable("the database file is read-only")
        if self._catalogue is not None and self._snapshot_for != self._schema_for:
            self.remember_catalogue(self._catalogue)
            self._snapshot_for = self._schema_for

    def _confirm(self, opened: Identity | None) -> None:
        """A commit counts only if it went to the file that is at the path now."""
        if self._file is not None and self._file.identity() != opened:
            raise StoreUnavailable("the database file changed while saving; nothing was kept")

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for a caller's reads: bounded, behind the breaker."""
        self._ready()
        with self._breaker.guarded(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction for a caller's statements: bounded, behind the breaker, and
        acknowledged only if it went to the database file at the path now."""
        self._ready_to_write()
        with self._breaker.guarded():
            with self.engine.begin() as conn:
                yield conn
                opened = opened_file(conn.info)
            self._confirm(opened)

    # --- schema and health -----------------------------------------------------

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (see storage/schema.py)."""
        if self._file is not None and self._file.identity() is None:
            with self._breaker.guarded():
                self._file.create()
        with self._breaker.guarded():
            schema.migrate(self.engine, revision, self._long_deadline)

    def _long_deadline(self, conn: Connection) -> None:
        """A migration may wait for another process's (several workers starting on one
        new database): as long as a migration may take, not the usual timeout. The pool
        gives the connection its usual busy timeout back at check-in (engines.py)."""
        self._engines.watchdog.extend(conn.info, MIGRATION_SECONDS)
        if self.is_sqlite:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {round(MIGRATION_SECONDS * 1000)}")
            conn.info[LONG_WAIT] = True

    def ping(self) -> bool:
        try:
            self._ready()
            with self._breaker.guarded(), self.engine.connect() as conn:
                conn.execute(select(literal(1)))
        except StoreUnavailable:
            return False
        return True

    async def health(self) -> Health:
        """What /healthz reports, asked from the event loop (a thread only to check a
        database not seen before, such as a replaced file)."""
        try:
            if self._schema_for != self._where():
                from anyio import to_thread

                await to_thread.run_sync(self._ready)
            with self._breaker.guarded():
                await self._engines.loop.first(ONE)
        except StoreUnavailable as error:
            return self._report("unavailable", _reason(error))
        if self._file is not None and not self._file.writable():
            return self._report("read-only", "the database file is read-only")
        return self._report("ok", "the database answers again")

    def _report(self, health: Health, why: str) -> Health:
        """Log a change of health once, not at every health check."""
        if health != self._health:
            (logger.info if health == "ok" else logger.warning)("storage %s: %s", health, why)
            self._health = health
        return health

    async def ping_async(self) -> bool:
        return await self.health() == "ok"

    # --- catalogue snapshots ---------------------------------------------------

    def remember_catalogue(self, catalogue: Catalogue) -> None:
        """Keep a copy of the catalogue so results scored with it render the same forever."""
        self._ready()
        with self._breaker.guarded(), self.engine.begin() as conn:
            snapshots.remember(conn, catalogue)

    def catalogue(self, content_hash: str) -> Catalogue | None:
        return self._snapshots(content_hash)

    def _load_snapshot(self, content_hash: str) -> Catalogue | None:
        self._ready()
        with self._breaker.guarded(), self.engine.connect() as conn:
            return snapshots.load(conn, content_hash)

    # --- assessments -----------------------------------------------------------

    def create(self, result: Result, label: str = "", notes: str = "") -> Created:
        """Save a result as computed; return it with its one-time manage key."""
        row, key = assessments.new_row(result, label, notes)
        outcome = self._insert([row])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return assessments.created(outcome, row, key, result)

    async def create_async(self, result: Result, label: str = "", notes: str = "") -> Created:
        """create() for async routes: committed together with others saved meanwhile."""
        row, key = assessments.new_row(result, label, notes)
        token = await self._group.save(row)
        return assessments.created(token, row, key, result)

    def _insert(self, rows: Sequence[dict[str, Any]]) -> list[str | BaseException]:
        """Every row in one transaction; row by row if that fails on a constraint (a token
        clash, astronomically unlikely), so one row cannot sink the others. One writer at a
        time in this process: SQLite has one write lock and its busy handler sleeps."""
        with self._write_lock:
            try:
                self._ready_to_write()
                with self._breaker.guarded():
                    try:
                        with self.engine.begin() as conn:
                            assessments.insert_rows(conn, rows)
                            opened = opened_file(conn.info)
                        self._confirm(opened)
                        return [row["token"] for row in rows]
                    except IntegrityError:
                        return [self._insert_alone(row) for row in rows]
            except StoreUnavailable as error:
                return [error] * len(rows)

    def _insert_alone(self, row: dict[str, Any]) -> str | BaseException:
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    assessments.insert_rows(conn, [row])
                    opened = opened_file(conn.info)
                self._confirm(opened)
                return str(row["token"])
            except IntegrityError:
                row = assessments.fresh_token(row)
        return StoreUnavailable("could not allocate a unique token")

    def get(self, token: str) -> Assessment | None:
        if not well_formed(token):
            return None
        self._ready()
        with self._breaker.guarded(), self.engine.connect() as conn:
            row = assessments.find(conn, token)
        return None if row is None else self._parsed.assessment(row)

    def label_and_notes(self, token: str) -> tuple[str, str] | None:
        """Just the editable fields (None when deleted): enough to reuse a rendered page."""
        if not well_formed(token):
            return None
        self._ready()
        with self._breaker.guarded(), self.engine.connect() as conn:
            return assessments.editable(
                conn.execute(assessments.LABEL_AND_NOTES, {"token": token}).first()
            )

    async def label_and_notes_async(self, token: str) -> tuple[str, str] | None:
        """label_and_notes() from the event loop, with the same statement."""
        if not well_formed(token):
            return None
        if self._schema_for != self._where():
            from anyio import to_thread

            await to_thread.run_sync(self._ready)
        with self._breaker.guarded():
            row = await self._engines.loop.first(assessments.LABEL_AND_NOTES, {"token": token})
        return assessments.editable(row)

    def check_key(self, token: str, key: str) -> bool:
        """True when the key opens this assessment (constant-time comparison)."""
        if not well_formed(token):
            return False
        self._ready()
        with self._breaker.guarded(), self.engine.connect() as conn:
            return assessments.key_matches(conn, token, key)

    def update(self, token: str, key: str, label: str, notes: str) -> None:
        """Change label and notes only; the result itself can never be edited."""
        self._require_key(token, key)
        self._ready_to_write()
        with self._breaker.guarded(), self.engine.begin() as conn:
            assessments.set_label_and_notes(conn, token, label, notes)

    def delete(self, token: str, key: str) -> None:
        self._require_key(token, key)
        self._ready_to_write()
        with self._breaker.guarded(), self.engine.begin() as conn:
            assessments.remove(conn, token)
        self._parsed.forget(token)

    def _require_key(self, token: str, key: str) -> None:
        if not self.check_key(token, key):
            raise WrongKey("the manage key does not match this assessment")

    # --- drafts (the SQL lives in storage/drafts.py) ---------------------------

    def save_draft(self, fields: dict[str, str], days: int) -> Draft:
        """Keep an unfinished questionnaire for `days` days; expired drafts go meanwhile."""
        self._ready_to_write()
        with self._breaker.guarded():
            return save_draft(self.engine, fields, days)

    def draft(self, token: str) -> Draft | None:
        """An unexpired draft, or None."""
        if not well_formed(token):
            return None
        self._ready()
        with self._breaker.guarded():
            return load_draft(self.engine, token)


def _reason(error: BaseException) -> str:
    """Our words, and the driver's first line (never the SQL or its parameters)."""
    cause = error.__cause__
    detail = str(getattr(cause, "orig", None) or cause or "").strip().splitlines()
    return f"{error} ({detail[0]})" if detail else str(error)
