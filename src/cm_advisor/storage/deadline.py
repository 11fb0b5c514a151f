"""A deadline for every database operation, enforced from outside the waiting thread.

A PostgreSQL server that stops answering (frozen, or cut off without a reset) leaves
libpq waiting on a socket for as long as the kernel keeps the connection: the kernel
still acknowledges what we send, so neither TCP keepalives nor `tcp_user_timeout`
notice, and `statement_timeout` is enforced by the very server that is stuck. So each
connection checked out of a pool is armed with a deadline; a watchdog thread that
sees it pass shuts the connection's socket down (or, on SQLite, calls `interrupt()`).
The waiting call then fails at once with the driver's own error, SQLAlchemy
invalidates the connection, and the caller answers 503 instead of hanging. This
covers every statement, commit and rollback, on threads and on the event loop alike.

A connection that was idle in the pool is pinged under a short deadline of its own at
checkout (our own pre-ping, which the pool's would not bound), so a server restarted
meanwhile costs no request an error.
"""

from __future__ import annotations

import heapq
import os
import socket
import threading
import time
from typing import Any

from sqlalchemy import Engine, event, exc

PING_SECONDS = 1.0
RESOLUTION_SECONDS = 0.05  # the watchdog wakes at most this often: deadlines are seconds long


class Watchdog:
    """One daemon thread per engine; it sleeps until the earliest armed deadline."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._armed: dict[int, tuple[float, Any]] = {}  # id(record) -> (deadline, record)
        self._heap: list[tuple[float, int]] = []
        self._thread: threading.Thread | None = None
        self._pid = 0

    def watch(self, engine: Engine, ping: bool) -> None:
        """Arm every connection `engine` checks out; disarm it when it goes back."""
        event.listen(engine, "connect", self._connected)
        event.listen(engine, "checkout", self._checkout if ping else self._arm_on_checkout)
        for name in ("checkin", "invalidate", "soft_invalidate", "close", "detach"):
            event.listen(engine, name, self._disarm)

    # --- pool events ------------------------------------------------------

    def _connected(self, _dbapi: Any, record: Any) -> None:
        record.info["cm_fresh"] = True
        record.info["cm_record"] = record

    def _arm_on_checkout(self, _dbapi: Any, record: Any, _proxy: Any) -> None:
        record.info.pop("cm_fresh", None)
        self.arm(record, self.timeout)

    def _checkout(self, dbapi: Any, record: Any, _proxy: Any) -> None:
        if not record.info.pop("cm_fresh", False):
            self.arm(record, min(PING_SECONDS, self.timeout))
            try:
                cursor = dbapi.cursor()
                try:
                    cursor.execute("SELECT 1")
                finally:
                    cursor.close()
            except Exception as error:
                self.disarm(record)
                # The pool throws this connection (and older ones) away and tries a new one.
                raise exc.InvalidatePoolError(f"stale connection: {error}") from error
        self.arm(record, self.timeout)

    def _disarm(self, _dbapi: Any, record: Any, *_rest: Any) -> None:
        self.disarm(record)

    # --- deadlines --------------------------------------------------------

    def arm(self, record: Any, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        with self._lock:
            self._ensure_thread()
            earliest = not self._heap or deadline < self._heap[0][0]
            self._armed[id(record)] = (deadline, record)
            heapq.heappush(self._heap, (deadline, id(record)))
            if earliest:  # otherwise the watchdog wakes up before this deadline anyway
                self._wake.notify()

    def extend(self, connection_info: dict[Any, Any], seconds: float) -> None:
        """Give the checked-out connection whose `info` this is a longer deadline."""
        self.arm(connection_info["cm_record"], seconds)

    def disarm(self, record: Any) -> None:
        with self._lock:
            self._armed.pop(id(record), None)

    def _ensure_thread(self) -> None:
        if self._thread is None or self._pid != os.getpid():  # threads do not survive fork
            self._armed.clear()
            self._heap.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="db-watchdog", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                while self._heap and self._heap[0][0] <= now:
                    deadline, key = heapq.heappop(self._heap)
                    armed = self._armed.get(key)
                    if armed is not None and armed[0] == deadline:
                        del self._armed[key]
                        interrupt(armed[1].driver_connection)
                # Coarse on purpose: waking for every deadline (one per operation) would
                # take the GIL thousands of times a second under load.
                wait = max(self._heap[0][0] - now, RESOLUTION_SECONDS) if self._heap else None
                self._wake.wait(wait)


def interrupt(driver: Any) -> None:
    """Make whatever this connection is waiting for fail now. Runs under the watchdog's
    lock, which every disarm (before a connection is closed) also takes, so the socket
    shut down is still this connection's."""
    if driver is None:
        return
    sqlite = getattr(driver, "_conn", driver)  # aiosqlite keeps the sqlite3 connection here
    if hasattr(sqlite, "interrupt"):
        try:
            sqlite.interrupt()
        except Exception:
            pass  # already closed
        return
    try:
        if driver.closed:
            return
        fd = driver.fileno()
    except Exception:
        return
    # shutdown() through a duplicate affects the shared socket; closing the duplicate
    # leaves the driver's own descriptor to the driver.
    with socket.socket(fileno=os.dup(fd)) as sock:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
