"""Rendered pages of stored results, kept because a stored result never changes.

The key holds everything the page shows that could differ: the address it is
served under, the token, the editable label and notes, and the current
catalogue (which decides the "catalogue has changed" notice).
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

PageKey = tuple[str, ...]


class PageCache:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._pages: OrderedDict[PageKey, bytes] = OrderedDict()
        self._lock = Lock()

    def get(self, key: PageKey) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: PageKey, page: bytes) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
