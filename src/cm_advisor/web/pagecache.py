"""Rendered pages kept in memory: stored results (they never change) and the blank form.

A result page's key holds everything the page shows that could differ: the address it is
served under, the token, the editable label and notes, and the current catalogue (which
decides the "catalogue has changed" notice). Its ETag and compressed copies are kept
beside it, so neither a conditional GET nor a compressed answer renders, hashes or
compresses the page again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from threading import Lock
from typing import Generic, TypeVar

from cachetools import LRUCache

from cm_advisor.web.encoding import compress

PageKey = tuple[str, ...]
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A page, its ETag, and its compressed copies (made on the first request for each)."""

    body: bytes
    etag: str
    encoded: dict[str, bytes] = field(default_factory=dict)

    def encode(self, encoding: str) -> bytes:
        found = self.encoded.get(encoding)
        if found is None:
            found = self.encoded[encoding] = compress(self.body, encoding)
        return found


class PageCache(Generic[V]):
    """A least-recently-used cache (cachetools) behind a lock: pages render on threads."""

    def __init__(self, size: int = 256) -> None:
        self._pages: LRUCache[PageKey, V] = LRUCache(maxsize=size)
        self._lock = Lock()

    def get(self, key: PageKey) -> V | None:
        with self._lock:
            return self._pages.get(key)

    def put(self, key: PageKey, page: V) -> None:
        with self._lock:
            self._pages[key] = page
