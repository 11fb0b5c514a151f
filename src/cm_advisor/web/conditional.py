"""Conditional GETs: an ETag for what a response shows, and 304 when the client has it."""

from __future__ import annotations

from collections.abc import Mapping
from hashlib import blake2b

from starlette.requests import Request
from starlette.responses import Response

# Stored results and exports: the browser keeps a copy but asks every time (the label and
# notes can be edited, the result deleted), and a 304 answers when nothing changed.
REVALIDATE = "private, no-cache"
SHARED = {"Cache-Control": REVALIDATE, "X-Robots-Tag": "noindex, nofollow"}


def etag_for(*parts: bytes | str) -> str:
    """A weak validator: the same for every encoding of the same content (compression
    changes the bytes on the wire, not what the page shows)."""
    digest = blake2b(digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return f'W/"{digest.hexdigest()}"'


def is_fresh(request: Request, etag: str) -> bool:
    """True when the request's If-None-Match names this ETag (weak comparison, RFC 9110)."""
    header = request.headers.get("if-none-match")
    if not header or request.method not in ("GET", "HEAD"):
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def not_modified(etag: str, headers: Mapping[str, str]) -> Response:
    """304 with the headers a 200 would have carried that caches need (RFC 9110 §15.4.5)."""
    return Response(status_code=304, headers={**headers, "ETag": etag})


def respond(request: Request, body: bytes, media_type: str, headers: Mapping[str, str]) -> Response:
    """The body with its ETag, or 304 when the client already holds exactly this."""
    etag = etag_for(body)
    if is_fresh(request, etag):
        return not_modified(etag, headers)
    return Response(body, media_type=media_type, headers={**headers, "ETag": etag})
