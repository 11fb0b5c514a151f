"""Reads that run on the event loop, with the same statements the threads run.

PostgreSQL: SQLAlchemy's asyncio extension over psycopg, one AsyncEngine per event
loop (a connection belongs to the loop that opened it: tests start many). SQLite: the
inline engine of engines.py, called directly. Any other driver: a thread. All are
bounded: the watchdog's deadline per checkout, and here an asyncio timeout as a
backstop that should never be the one to fire (cancelling psycopg mid-query makes
it send the server a cancel request first, which a hung server never answers).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from anyio import to_thread
from sqlalchemy import Connection, Engine, Executable, Row, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from cm_advisor.storage.deadline import PING_SECONDS, Watchdog

BACKSTOP_SECONDS = 3.0  # beyond the watchdog's deadline: a connect (2 s) and a margin


class LoopReads:
    def __init__(
        self,
        url: str,
        watchdog: Watchdog,
        inline: Engine | None = None,
        threaded: Engine | None = None,
        **options: Any,
    ) -> None:
        self._url = url
        self._inline = inline
        self._held: Connection | None = None  # the inline engine's connection, kept open
        self._held_pid = 0
        self._threaded = threaded
        self._watchdog = watchdog
        self._options = options
        self._engines: dict[asyncio.AbstractEventLoop, AsyncEngine] = {}
        # Driver connections by record, with their loop: finished without one on close().
        self._open: dict[int, tuple[asyncio.AbstractEventLoop, Any]] = {}

    async def first(
        self, statement: Executable, params: dict[str, Any] | None = None
    ) -> Row[Any] | None:
        """The statement's first row. A pooled connection found broken at once (the server
        restarted meanwhile) is thrown away and the read made once more on a new one; one
        that failed only at its deadline is not retried (that would double the wait)."""
        if self._inline is not None:
            return self._first_inline(self._inline, statement, params)
        if self._threaded is not None:
            return await to_thread.run_sync(_first_sync, self._threaded, statement, params)
        engine = self._engine()
        async with asyncio.timeout(self._watchdog.timeout + BACKSTOP_SECONDS):
            began = time.monotonic()
            try:
                return await _first(engine, statement, params)
            except DBAPIError as error:
                if not error.connection_invalidated or time.monotonic() - began > PING_SECONDS:
                    raise
                return await _first(engine, statement, params)

    def _first_inline(
        self, engine: Engine, statement: Executable, params: dict[str, Any] | None
    ) -> Row[Any] | None:
        """On one connection kept open, in autocommit: a checkout per read would cost
        about as much as the read. Each select steps to its end, so it holds no snapshot
        (the WAL stays free to checkpoint); the store checks the file before each use."""
        if self._held is None or self._held_pid != os.getpid():
            self._held = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._held_pid = os.getpid()
        try:
            return self._held.execute(statement, params).first()
        except DBAPIError:
            self._drop_held()
            raise

    def _drop_held(self) -> None:
        if self._held is not None and self._held_pid == os.getpid():
            self._held.invalidate()
            self._held.close()
        self._held = None

    def close(self) -> None:
        """Close every connection now: libpq's finish needs no event loop."""
        self._drop_held()
        for loop in list(self._engines):
            self._drop(loop)

    def _drop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._engines.pop(loop).sync_engine.dispose(close=False)
        for key, (owner, driver) in list(self._open.items()):
            if owner is loop:
                _finish(driver)
                del self._open[key]

    def _engine(self) -> AsyncEngine:
        loop = asyncio.get_running_loop()
        engine = self._engines.get(loop)
        if engine is None:
            for old in [old for old in self._engines if old.is_closed()]:
                self._drop(old)
            engine = self._engines[loop] = create_async_engine(self._url, **self._options)
            self._watchdog.watch(engine.sync_engine, ping=False)
            event.listen(engine.sync_engine, "connect", self._connected)
            for name in ("close", "invalidate"):
                event.listen(engine.sync_engine, name, self._closed)
        return engine

    def _connected(self, _dbapi: Any, record: Any) -> None:
        self._open[id(record)] = (asyncio.get_running_loop(), record.driver_connection)

    def _closed(self, _dbapi: Any, record: Any, *_rest: Any) -> None:
        self._open.pop(id(record), None)


def _first_sync(
    engine: Engine, statement: Executable, params: dict[str, Any] | None
) -> Row[Any] | None:
    with engine.connect() as conn:
        return conn.execute(statement, params).first()


async def _first(
    engine: AsyncEngine, statement: Executable, params: dict[str, Any] | None
) -> Row[Any] | None:
    async with engine.connect() as conn:
        return (await conn.execute(statement, params)).first()


def _finish(driver: Any) -> None:
    try:
        driver.pgconn.finish()
    except Exception:
        pass
