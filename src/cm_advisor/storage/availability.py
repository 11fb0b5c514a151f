"""Whether the database can be used now, and the one error a caller sees when it cannot.

Every bounded database call (see engines.py) that fails for want of a database turns
into StoreUnavailable, which the web layer answers with 503 and Retry-After. After
such a failure the breaker fails the next calls at once for a short pause and then
lets a single call through to probe: while a database hangs, only that probe waits
for a timeout, so the threads every blocking route shares are never all stuck, and
the first probe that succeeds closes the breaker again (recovery needs no restart).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

PAUSE_SECONDS = 0.5
# What "the database is not there" looks like: driver errors, a pool that gave no
# connection, a file that could not be created or opened.
UNAVAILABLE = (exc.DBAPIError, exc.DisconnectionError, exc.TimeoutError, OSError, sqlite3.Error)


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or written; the caller may retry later."""


class Breaker:
    def __init__(self, pause: float = PAUSE_SECONDS) -> None:
        self.pause = pause
        self._lock = threading.Lock()
        self._retry_at: float | None = None  # None: closed, calls go through
        self._probing = False

    @property
    def open(self) -> bool:
        return self._retry_at is not None

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """Run a database call: refused at once while the breaker is open."""
        probe = self._admit()
        succeeded = False
        try:
            yield
            succeeded = True
        except exc.IntegrityError:
            succeeded = True  # the database answered: a constraint, not an outage
            raise
        except UNAVAILABLE as error:
            self._record(failed=True)
            raise StoreUnavailable("the database is unavailable; please try again") from error
        finally:
            if succeeded:
                self._record(failed=False)
            elif probe:
                with self._lock:
                    self._probing = False  # cancelled or refused otherwise: let another probe

    def _admit(self) -> bool:
        with self._lock:
            if self._retry_at is None:
                return False
            if time.monotonic() >= self._retry_at and not self._probing:
                self._probing = True
                return True
        raise StoreUnavailable("the database did not answer just now; please try again")

    def _record(self, failed: bool) -> None:
        with self._lock:
            self._probing = False
            self._retry_at = time.monotonic() + self.pause if failed else None
