"""Group commit: assessments saved at about the same time share one transaction.

A commit is the expensive part of saving (with synchronous=FULL, an fsync of the WAL),
and threads that each commit their own row also queue for SQLite's single write lock,
whose busy handler sleeps between tries. Here an async caller adds its row to the
event loop's pending list and waits; one flush at a time takes everything pending to a
thread and writes it in one transaction, while the next batch gathers. Under load one
commit serves many requests; with no load a request waits for nobody. A caller hears
back only after the transaction holding its row has committed: acknowledged means
durable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from anyio import to_thread

Row = dict[str, Any]
# Writes rows (in one transaction as far as it can) and returns each row's outcome in order:
# the token it was saved under, or the exception that row's caller should see.
WriteBatch = Callable[[Sequence[Row]], Sequence[str | BaseException]]
MAX_BATCH = 64


@dataclass
class _Pending:
    rows: list[tuple[Row, asyncio.Future[str]]] = field(default_factory=list)
    flush: asyncio.Task[None] | None = None


class GroupCommit:
    """Rows waiting on each event loop, and the one flush per loop that writes them."""

    def __init__(self, write: WriteBatch, max_batch: int = MAX_BATCH) -> None:
        self._write = write
        self._max_batch = max_batch
        self._pending: WeakKeyDictionary[asyncio.AbstractEventLoop, _Pending] = WeakKeyDictionary()

    async def save(self, row: Row) -> str:
        """Save a row with whatever else is waiting; its token once committed."""
        loop = asyncio.get_running_loop()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = _Pending()
        done: asyncio.Future[str] = loop.create_future()
        pending.rows.append((row, done))
        if pending.flush is None:
            pending.flush = loop.create_task(self._flush(pending))
        return await done

    async def _flush(self, pending: _Pending) -> None:
        batch: list[tuple[Row, asyncio.Future[str]]] = []
        try:
            while pending.rows:
                batch = pending.rows[: self._max_batch]
                del pending.rows[: self._max_batch]
                try:
                    outcomes = await to_thread.run_sync(self._write, [row for row, _ in batch])
                except Exception as exc:  # the whole batch failed: every caller hears why
                    outcomes = [exc] * len(batch)
                for (_, done), outcome in zip(batch, outcomes, strict=True):
                    if done.done():
                        continue  # the caller went away; its row is saved all the same
                    if isinstance(outcome, BaseException):
                        done.set_exception(outcome)
                    else:
                        done.set_result(outcome)
                batch = []
        finally:
            pending.flush = None
            # Left over only when this task was cancelled (the loop is closing): nobody hangs.
            for _, done in [*batch, *pending.rows]:
                if not done.done():
                    done.cancel()
            pending.rows.clear()
