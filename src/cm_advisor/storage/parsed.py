"""Stored results parsed once per process, kept by token.

A stored result never changes, so its token alone identifies the parse; keying
on the JSON text as well would keep every cached text alive beside its parse.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from cm_advisor.engine import Result


class ParsedResults:
    """A small least-recently-used map from token to parsed result (thread-safe)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._found: OrderedDict[str, Result] = OrderedDict()
        self._lock = Lock()

    def get(self, token: str, text: str) -> Result:
        """The result stored under this token, parsing `text` only on a miss."""
        with self._lock:
            found = self._found.get(token)
            if found is not None:
                self._found.move_to_end(token)
                return found
        parsed = Result.model_validate_json(text)
        with self._lock:
            self._found[token] = parsed
            while len(self._found) > self.size:
                self._found.popitem(last=False)
        return parsed

    def forget(self, token: str) -> None:
        with self._lock:
            self._found.pop(token, None)
