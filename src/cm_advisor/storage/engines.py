"""The engines the store talks through, each with the timeout policy built in.

Every database call is bounded (see README, "Timeouts"):

- connecting: libpq's `connect_timeout`; SQLite connects to a local file;
- waiting for a pooled connection: `pool_timeout`;
- each operation, from checkout to checkin (statements, commit, rollback): the
  watchdog's deadline (deadline.py), and on SQLite the busy timeout for locks;
- an idle pooled connection is pinged under a one-second deadline first.

Reads on the event loop go through a second engine: on PostgreSQL SQLAlchemy's
asyncio extension over psycopg, on SQLite a one-connection engine with a 50 ms busy
timeout, called inline (a primary-key read of a local WAL file takes tens of
microseconds, less than a hand-over to a thread, and a WAL reader waits for no writer).
Parameters are hidden from error messages, which would otherwise carry share tokens.
"""

from __future__ import annotations

import math
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from cm_advisor.storage.deadline import Watchdog
from cm_advisor.storage.loop_reads import LoopReads
from cm_advisor.storage.sqlite_file import DatabaseFile

CONNECT_SECONDS = 2  # libpq rounds anything below 2 up to 2
LOOP_BUSY_SECONDS = 0.05  # the event loop waits this long for a SQLite lock, at most
LOOP_CONNECTIONS = 2  # kept (and as many more at a peak) for PostgreSQL reads on the loop


@dataclass
class Engines:
    """The pooled engine (threads), the event-loop reader, and the file (SQLite only)."""

    engine: Engine
    loop: LoopReads
    file: DatabaseFile | None
    watchdog: Watchdog
    inline: Engine | None = None

    def dispose(self) -> None:
        self.engine.dispose()
        self.loop.close()
        if self.inline is not None:
            self.inline.dispose()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engines(url: str, timeout: float) -> Engines:
    watchdog = Watchdog(timeout)
    path = sqlite_path(url)
    if path is not None:
        return _sqlite(url, DatabaseFile(path), timeout, watchdog)
    options: dict[str, Any] = {"hide_parameters": True}
    if make_url(url).get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": max(CONNECT_SECONDS, math.ceil(timeout / 2))}
    engine = create_engine(url, pool_timeout=timeout, **options)
    watchdog.watch(engine, ping=True)
    if make_url(url).drivername == "postgresql+psycopg":
        loop = LoopReads(
            url,
            watchdog,
            pool_size=LOOP_CONNECTIONS,
            max_overflow=LOOP_CONNECTIONS,
            # Short: waiting for a slot and then connecting must still fit one timeout.
            pool_timeout=timeout / 2,
            isolation_level="AUTOCOMMIT",
            **options,
        )
    else:  # another driver: no asyncio extension assumed, so a thread
        loop = LoopReads(url, watchdog, threaded=engine)
    return Engines(engine, loop, None, watchdog)


def _sqlite(url: str, file: DatabaseFile, timeout: float, watchdog: Watchdog) -> Engines:
    def pooled() -> Any:
        return file.connect(timeout)

    def inline() -> Any:
        return file.connect(LOOP_BUSY_SECONDS)

    engine = create_engine(
        url, creator=pooled, poolclass=QueuePool, pool_timeout=timeout, hide_parameters=True
    )
    loop = create_engine(
        url, creator=inline, poolclass=QueuePool, pool_size=1, hide_parameters=True
    )
    for each in (engine, loop):
        event.listen(each, "connect", _pragmas)
        file.guard(each)
    busy_ms = round(timeout * 1000)

    def usual_wait(dbapi_connection: Any, record: Any) -> None:
        # A migrating connection waited longer (repository.py); back in the pool, it
        # waits the usual time again.
        if record.info.pop(LONG_WAIT, False) and dbapi_connection is not None:
            dbapi_connection.execute(f"PRAGMA busy_timeout = {busy_ms}")

    event.listen(engine, "checkin", usual_wait)
    # The inline engine needs no watchdog: its only wait is the 50 ms busy timeout.
    watchdog.watch(engine, ping=False)
    return Engines(engine, LoopReads(url, watchdog, inline=loop), file, watchdog, loop)


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    _wal(cursor)
    # FULL: a commit reaches the disk before it returns, so an acknowledged result
    # survives a power cut, not only a crash of the process (which NORMAL survives in
    # WAL mode). The fsync is paid once per group commit, not once per result.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


WAL_SWITCH_SECONDS = 10.0
LONG_WAIT = "cm_long_wait"  # in a connection's info: its busy timeout was raised


def _wal(cursor: Any) -> None:
    """Put the file in WAL mode. Once it is, the pragma is a no-op; but the first switch of
    a new database needs a lock SQLite does not wait for (no busy handler: "database is
    locked" at once), so a worker that meets another one switching or creating the file,
    as several workers starting together do, tries again for a while."""
    deadline = time.monotonic() + WAL_SWITCH_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
        else:
            if time.monotonic() >= deadline:
                raise sqlite3.OperationalError("the database cannot be put in WAL mode")
        time.sleep(0.01)
