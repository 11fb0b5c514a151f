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


def absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


def redirect_with_manage_link(created: Created) -> Response:
    """303 to the share link; the manage key rides along once in a short-lived cookie."""
    token = created.assessment.token
    response = RedirectResponse(share_path(token), status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        f"{token}.{created.manage_key}",
        max_age=FLASH_SECONDS,
        path=share_path(token),
        httponly=True,
        samesite="lax",
    )
    return response
