"""Primary-key reads of a local SQLite file, short enough to run on the event loop.

Handing a read to the thread pool costs more than the read: a primary-key select on a
local WAL-mode file takes tens of microseconds, and a WAL reader never waits for a
writer. Each select runs in autocommit mode and steps to its end, so it sees every
transaction committed before it, by this process or any other sharing the file, and
holds no snapshot that would stop the WAL being checkpointed.
"""

from __future__ import annotations

import os
import sqlite3
from threading import Lock
from typing import Any
from urllib.parse import quote

LABEL_AND_NOTES = "SELECT label, notes FROM assessments WHERE token = ?"


class InlineReader:
    """One connection, opened on first use in the process that uses it.

    It never waits: with a busy timeout of zero, a locked or unreadable database raises
    sqlite3.Error at once, and the caller falls back to the pooled, threaded path (which
    waits, retries and reports an unavailable database the usual way)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = Lock()

    def label_and_notes(self, token: str) -> tuple[str, str] | None:
        """The editable fields of one assessment, None when there is no such row."""
        rows = self._query(LABEL_AND_NOTES, (token,))
        if not rows:
            return None
        label, notes = rows[0]
        return (label or "", notes or "")

    def ping(self) -> None:
        """Raise sqlite3.Error unless the file opens and answers a query."""
        self._query("SELECT 1", ())

    def _query(self, sql: str, params: tuple[str, ...]) -> list[Any]:
        with self._lock:
            try:
                return self._connection().execute(sql, params).fetchall()
            except sqlite3.Error:
                self._drop()
                raise

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            # A connection inherited across fork() belongs to the parent: never reuse it.
            self._conn = sqlite3.connect(
                f"file:{quote(self.path)}?mode=rw",  # never create a missing file
                timeout=0,
                isolation_level=None,
                check_same_thread=False,
                uri=True,
            )
            self._pid = os.getpid()
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None
