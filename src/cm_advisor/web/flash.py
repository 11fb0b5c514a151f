"""The manage link, shown once: carried from the form's POST to the first view of the new
result in a short-lived cookie, then dropped."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cm_advisor.storage import Created
from cm_advisor.web.urls import Urls

FLASH_COOKIE = "cm_new_result"
FLASH_SECONDS = 600


def redirect_with_manage_link(request: Request, urls: Urls, created: Created) -> Response:
    """303 to the share link; the manage key rides along once in a short-lived cookie
    (Secure whenever the request came over https)."""
    token = created.assessment.token
    response = RedirectResponse(urls.result(token), status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        f"{token}.{created.manage_key}",
        max_age=FLASH_SECONDS,
        path=urls.result(token),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def manage_key(request: Request, token: str) -> str:
    """The manage key, once, right after creation; empty otherwise."""
    value = request.cookies.get(FLASH_COOKIE, "")
    cookie_token, _, key = value.partition(".")
    return key if cookie_token == token else ""


def manage_url(request: Request, urls: Urls, token: str) -> str:
    """The manage link, once, right after creation; empty otherwise."""
    key = manage_key(request, token)
    return urls.absolute(request, urls.manage(token, key)) if key else ""


def forget(response: Response, urls: Urls, token: str) -> None:
    response.delete_cookie(FLASH_COOKIE, path=urls.result(token))
