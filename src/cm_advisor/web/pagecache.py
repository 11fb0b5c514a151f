"""Rendered pages of stored results, kept because a stored result never changes.

The key holds everything the page shows that could differ: the address it is
served under, the token, the editable label and notes, and the current
catalogue (which decides the "catalogue has changed" notice).
"""

from __future__ import annotations

from threading import Lock

from cachetools import LRUCache

PageKey = tuple[str, ...]


class PageCache:
    """A least-recently-used cache (cachetools) behind a lock: requests render on threads."""

    def __init__(self, size: int = 256) -> None:
        self._pages: LRUCache[PageKey, bytes] = LRUCache(maxsize=size)
        self._lock = Lock()

    def get(self, key: PageKey) -> bytes | None:
        with self._lock:
            return self._pages.get(key)

    def put(self, key: PageKey, page: bytes) -> None:
        with self._lock:
            self._pages[key] = page
