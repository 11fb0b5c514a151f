"""HEAD on every GET route: answered as the GET would be, without the body.

FastAPI registers only the methods a route names, so HEAD got 405 everywhere,
/healthz included, which some monitors and proxies send. The request goes through as
a GET (a copy of the scope: the server keeps its own) and the body is dropped here,
headers (Content-Length among them) kept.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
