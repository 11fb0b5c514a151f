"""The shapes of shareable URLs, in one place."""

from __future__ import annotations

from starlette.requests import Request


def share_path(token: str) -> str:
    return f"/r/{token}"


def manage_path(token: str, key: str) -> str:
    return f"/manage/{token}/{key}"


def absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path
