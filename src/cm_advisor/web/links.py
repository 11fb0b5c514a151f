"""The shapes of shareable URLs, in one place."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cm_advisor.storage import Created

FLASH_COOKIE = "cm_new_result"
FLASH_SECONDS = 600


def share_path(token: str) -> str:
    return f"/r/{token}"


def manage_path(token: str, key: str) -> str:
    return f"/manage/{token}/{key}"


def base_url(request: Request) -> str:
    """Where the app is reached: CM_ADVISOR_PUBLIC_BASE_URL when set, never a Host header
    then; otherwise the request's own address (with proxy headers only from trusted IPs)."""
    configured: str = request.app.state.settings.public_base_url
    return configured or str(request.base_url).rstrip("/")


def absolute(request: Request, path: str) -> str:
    return base_url(request) + path


def redirect_with_manage_link(request: Request, created: Created) -> Response:
    """303 to the share link; the manage key rides along once in a short-lived cookie
    (Secure whenever the request came over https)."""
    token = created.assessment.token
    response = RedirectResponse(share_path(token), status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        f"{token}.{created.manage_key}",
        max_age=FLASH_SECONDS,
        path=share_path(token),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
