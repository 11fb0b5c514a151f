"""Primary-key reads of PostgreSQL on the event loop: one psycopg async connection per
process and event loop.

The result page reads its assessment's label and notes on every request, so an edit or
a delete made through another instance shows at once. Through the SQLAlchemy pool that
read needs a worker thread, and the hand-over costs more than the query; an async
connection in autocommit mode sends it from the event loop and sees every transaction
committed before it. psycopg runs one query at a time per connection, so concurrent
requests queue for it instead of opening more connections.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import TYPE_CHECKING, LiteralString

if TYPE_CHECKING:  # psycopg is imported on first use: a SQLite deployment never loads it
    from psycopg import AsyncConnection
    from psycopg.rows import TupleRow

LABEL_AND_NOTES = "SELECT label, notes FROM assessments WHERE token = %s"
CONNECT_TIMEOUT = 2  # seconds; then the caller takes the pooled, threaded path
RETRY_AFTER = 5.0  # seconds without a new connection attempt after one failed


class ReaderUnavailable(Exception):
    """The read failed or no connection is open now: use the pooled path, which waits,
    retries and reports an unavailable database the usual way."""


class AsyncReader:
    """Connects on first use, again after an error, and anew for another event loop or
    process (a connection belongs to the loop and the process that opened it)."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._conn: AsyncConnection[TupleRow] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._connecting = asyncio.Lock()  # binds to a loop on first use
        self._retry_at = 0.0

    async def label_and_notes(self, token: str) -> tuple[str, str] | None:
        """The editable fields of one assessment, None when there is no such row."""
        row = await self._query(LABEL_AND_NOTES, (token,))
        if row is None:
            return None
        label, notes = row
        return (label or "", notes or "")

    async def ping(self) -> None:
        """Raise ReaderUnavailable unless the server answers a query."""
        await self._query("SELECT 1", ())

    async def _query(self, sql: LiteralString, params: tuple[str, ...]) -> TupleRow | None:
        import psycopg

        conn = await self._connection()
        try:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchone()
        except psycopg.Error as error:
            self.close()
            raise ReaderUnavailable(str(error)) from error

    def close(self) -> None:
        """Close the connection at once (libpq's finish needs no event loop)."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.pgconn.finish()
        self._conn = None

    async def _connection(self) -> AsyncConnection[TupleRow]:
        import psycopg

        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._pid != os.getpid():
            self.close()
            self._loop, self._pid, self._connecting = loop, os.getpid(), asyncio.Lock()
        async with self._connecting:  # one connection attempt, however many requests wait
            if self._conn is None or self._conn.closed:
                if time.monotonic() < self._retry_at:
                    raise ReaderUnavailable("the last connection attempt failed")
                try:
                    self._conn = await psycopg.AsyncConnection.connect(
                        self.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT
                    )
                except psycopg.Error as error:
                    self._conn = None
                    self._retry_at = time.monotonic() + RETRY_AFTER
                    raise ReaderUnavailable(str(error)) from error
            return self._conn
