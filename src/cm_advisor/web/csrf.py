"""CSRF protection for the HTML forms that change or delete something (double-submit cookie).

A random token lives in a SameSite=Strict, HttpOnly cookie and in a hidden field of
each protected form; a post is accepted only when the two match. Another site can
make a browser post, but can neither read the cookie nor guess the field. The
questionnaire itself is not protected: submitting it only creates a new, unlisted
result whose manage link goes to the submitter's own browser.
"""

from __future__ import annotations

import hmac
import re
import secrets

from fastapi import Depends, HTTPException, Request
from markupsafe import Markup
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "cm_csrf"
FIELD = "csrf_token"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) gives


class CsrfCookieMiddleware:
    """Gives each browser a token on first use, and sets the cookie when a page used it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        existing = _cookie(scope)
        state["csrf_token"] = existing or secrets.token_urlsafe(32)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get("csrf_used") and not existing:
                secure = "; Secure" if scope.get("scheme") == "https" else ""
                cookie = (
                    f"{COOKIE}={state['csrf_token']}; Path=/; HttpOnly; SameSite=Strict{secure}"
                )
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())],
                }
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(scope: Scope) -> str:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for key, value in headers:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                name, _, token = part.strip().partition("=")
                if name == COOKIE and TOKEN_SHAPE.fullmatch(token):
                    return token  # any other value is replaced by a fresh token
    return ""


def csrf_field(request: Request) -> Markup:
    """The hidden input a protected form carries (a Jinja global)."""
    request.state.csrf_used = True
    token: str = request.state.csrf_token
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token)


PLACEHOLDER = b"\x00csrf\x00"


def templated(page: bytes, request: Request) -> bytes:
    """A rendered page with this browser's token swapped for a placeholder, for caching."""
    token: str = request.state.csrf_token
    return page.replace(token.encode(), PLACEHOLDER)


def personalised(page: bytes, request: Request) -> bytes:
    """A cached page with this browser's token put back in (and its cookie set)."""
    if PLACEHOLDER not in page:
        return page
    request.state.csrf_used = True
    token: str = request.state.csrf_token
    return page.replace(PLACEHOLDER, token.encode())


async def verify_csrf(request: Request) -> None:
    form = await request.form()
    sent = form.get(FIELD)
    cookie = request.cookies.get(COOKIE, "")
    # Bytes, not str: compare_digest refuses non-ASCII text (a 500 anyone could trigger).
    if (
        not isinstance(sent, str)
        or not cookie
        or not hmac.compare_digest(sent.encode(), cookie.encode())
    ):
        raise HTTPException(
            403,
            "This form has expired or was sent from another site. Reload the page and try again.",
        )


CsrfProtected = Depends(verify_csrf)
