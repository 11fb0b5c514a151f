"""Who may write: optional API keys for the JSON write endpoints, a switch for the
browser forms' writes (API keys cannot cover a form), and a rate limit on creating
assessments per client address (429 with Retry-After).

The rate limit is spent by `spend_creation`, called by a route once the request has
been validated and scored, just before saving: a refused (422) request costs nothing."""

from __future__ import annotations

import hmac
import math
import time
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Header, HTTPException, Request

from cm_advisor.config import Settings

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.strategies import MovingWindowRateLimiter


class CreationLimit:
    """A moving-window limit per client address, kept in this process's memory.

    With no rule, `limits` is not imported and no limiter is built: its memory
    storage starts a timer thread, and the import costs ~20 ms of start-up."""

    def __init__(self, rule: str) -> None:
        self.items: list[RateLimitItem] = []
        self.limiter: MovingWindowRateLimiter | None = None
        if rule:
            from limits import parse_many, storage, strategies

            self.items = parse_many(rule)
            self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def check(self, client: str) -> None:
        if self.limiter is None:
            return
        for item in self.items:
            if not self.limiter.hit(item, client):
                reset = self.limiter.get_window_stats(item, client).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise HTTPException(
                    429,
                    f"Too many new results from this address; try again in {wait} s.",
                    headers={"Retry-After": str(wait)},
                )


def spend_creation(request: Request) -> None:
    """Count one new result against this client's limit; 429 when it is used up."""
    limit: CreationLimit = request.app.state.creation_limit
    limit.check(request.client.host if request.client else "unknown")


async def require_html_writes(request: Request) -> None:
    settings: Settings = request.app.state.settings
    if not settings.html_writes:
        raise HTTPException(
            403,
            "Saving, editing and deleting results through these pages is turned off on "
            "this server. Scoring and shared results still work.",
        )


async def require_api_key(
    request: Request,
    x_api_key: Annotated[str, Header(description="Needed when the server sets API keys.")] = "",
    authorization: Annotated[str, Header(include_in_schema=False)] = "",
) -> None:
    settings: Settings = request.app.state.settings
    keys = settings.api_key_set
    if not keys:
        return
    given = x_api_key or authorization.removeprefix("Bearer ").strip()
    if not any(hmac.compare_digest(given.encode(), k.encode()) for k in keys):
        raise HTTPException(
            401,
            "an API key is required: send it as X-API-Key or Authorization: Bearer KEY",
            headers={"WWW-Authenticate": "Bearer"},
        )


ApiKeyRequired = Depends(require_api_key)
HtmlWritesAllowed = Depends(require_html_writes)
