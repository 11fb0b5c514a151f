"""The SQLite database file: which file it is, whether it is still there and writable.

An open SQLite connection keeps writing to its file after that file was deleted or
replaced (the directory entry goes, the inode stays), so a save into a deleted
database would be committed, acknowledged and lost. Each connection therefore
records the identity (device, inode) of the file it opened; a pooled connection
whose file is no longer the one at the path is thrown away at checkout, and a write
is acknowledged only if the path still holds the file it was committed to.

SQLite opens a file it may not write read-only, silently, and such a connection stays
read-only after the file becomes writable again: it is replaced at checkout then.
Connections never create a missing file (`mode=rw`); only the store's first open does.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, event, exc

Identity = tuple[int, int]


class DatabaseFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def identity(self) -> Identity | None:
        """(device, inode) of the file at the path now; None when there is none."""
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return (found.st_dev, found.st_ino)

    def writable(self) -> bool:
        return os.access(self.path, os.W_OK)

    def problem(self, expected: Identity | None) -> str | None:
        """What stops saving now, in words for a log or /healthz; None when nothing does."""
        current = self.identity()
        if current is None:
            return "the database file is missing"
        if expected is not None and current != expected:
            return "the database file was replaced"
        if not self.writable():
            return "the database file is read-only"
        return None

    def create(self) -> None:
        """Make the directory and an empty database file (first start only)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(self.path).close()

    def connect(self, busy_seconds: float) -> sqlite3.Connection:
        """A connection to the existing file, never creating one."""
        return sqlite3.connect(
            f"file:{quote(str(self.path))}?mode=rw",
            uri=True,
            timeout=busy_seconds,
            check_same_thread=False,
        )

    def guard(self, engine: Engine) -> None:
        """Record each connection's file; replace a pooled one whose file changed."""
        event.listen(engine, "connect", self._connected)
        event.listen(engine, "checkout", self._checkout)

    def _connected(self, _dbapi: Any, record: Any) -> None:
        record.info["cm_file"] = self.identity()
        record.info["cm_writable"] = self.writable()

    def _checkout(self, _dbapi: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("cm_file") != self.identity():
            raise exc.DisconnectionError("the database file is not the one this connection opened")
        if not record.info.get("cm_writable") and self.writable():
            raise exc.DisconnectionError("opened read-only; the file is writable again")


def opened_file(connection_info: dict[Any, Any]) -> Identity | None:
    """The identity a checked-out connection recorded (see DatabaseFile.guard)."""
    found: Identity | None = connection_info.get("cm_file")
    return found
