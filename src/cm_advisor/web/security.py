"""Security middleware: response headers, request size limit, redacted access logs, and
the one path every unhandled error takes.

Pure ASGI (not BaseHTTPMiddleware) so it adds almost nothing to each request. It is
the outermost middleware of ours, and Starlette's ServerErrorMiddleware sits outside
it: an exception reaching ServerErrorMiddleware would be answered without our headers.
So an exception escaping the app is answered here, by `on_error`, through the same
`send` that adds the headers.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ErrorPage = Callable[[Request, Exception], Awaitable[Response]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
SECRET_PATHS = re.compile(r"^/(r|manage|resume|api/v1/assessments)/[^/?#]+(/[^/?#]+)?")
GROUP_PATHS = re.compile(r"^/(?:api/v1/)?groups/")
# In a group path, the segment after the round's place is its invitation; these words are
# followed by that many secrets (a lead key; a response token and key; a draft token).
GROUP_SECRETS_AFTER = {"lead": 1, "responses": 2, "resume": 1}
GROUP_PUBLIC = {"new"}  # /groups/new holds no secret
access_log = logging.getLogger("cm_advisor.access")


class SecurityMiddleware:
    """Adds the security headers, refuses oversized bodies, logs requests without secrets."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, on_error: ErrorPage) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await _too_large(send, self.max_body_bytes)
            _log(scope, 413, started)
            return
        received = 0
        refused = False
        started_response = False

        async def limited_receive() -> Message:
            # Past the limit: answer 413 ourselves and tell the app the client left.
            nonlocal received, refused, status
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    refused, status = True, 413
                    await _too_large(send, self.max_body_bytes)
                    return {"type": "http.disconnect"}
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started_response
            if refused:
                return  # the 413 has been sent; drop whatever the app says afterwards
            if message["type"] == "http.response.start":
                status, started_response = message["status"], True
                headers = [(k, v) for k, v in message.get("headers", []) if k not in _OURS]
                csp = scope.get("state", {}).get("csp") or CSP
                headers += [*HEADERS, (b"content-security-policy", csp.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception as error:
            if refused:
                pass
            elif started_response:
                raise  # too late for an error page: the server closes the connection
            else:
                response = await self.on_error(Request(scope), error)
                await response(scope, limited_receive, send_with_headers)
        finally:
            _log(scope, status, started)


_OURS = {k for k, _ in HEADERS} | {b"content-security-policy"}


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = b'{"detail":"request body too large: the limit is ' + str(limit).encode() + b' bytes"}'
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *HEADERS,
        (b"content-security-policy", CSP.encode()),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def redact(path: str) -> str:
    """Share tokens, manage keys, invitations, lead and response keys are secrets: never
    write them to a log."""
    if GROUP_PATHS.match(path):
        return _redact_group(path)
    return SECRET_PATHS.sub(lambda m: f"/{m.group(1)}/…", path)


def _redact_group(path: str) -> str:
    """/groups/INVITE/lead/KEY/close → /groups/…/lead/…/close, and so on."""
    parts = path.split("/")
    start = parts.index("groups") + 1
    kept, rest = parts[:start], parts[start:]
    if rest[:1] == ["results"]:
        kept.append(rest.pop(0))
    elif len(rest) == 1 and rest[0] in GROUP_PUBLIC:
        return path
    secrets_left = 1  # the invitation (or a stored result's token)
    for segment in rest:
        if secrets_left:
            secrets_left -= 1
            if kept[-1] != "…":
                kept.append("…")
            continue
        kept.append(segment)
        secrets_left = GROUP_SECRETS_AFTER.get(segment, 0)
    return "/".join(kept)


def _log(scope: Scope, status: int, started: float) -> None:
    if access_log.isEnabledFor(logging.INFO):
        client: Any = scope.get("client") or ("-", 0)
        access_log.info(
            '%s "%s %s" %d %.1fms',
            client[0],
            scope.get("method", "-"),
            redact(scope.get("path", "")),
            status,
            (time.perf_counter() - started) * 1000,
        )
