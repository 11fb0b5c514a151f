"""/docs works offline: with every request to anywhere but this machine blocked, Swagger UI
still renders the API, under the site's own Content-Security-Policy (a refusal would be a
console error, which fails the test)."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect

from helpers.browser.harness import Pages

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def test_docs_render_with_every_outside_request_blocked(pages: Pages) -> None:
    page = pages.new()
    blocked: list[str] = []
    requested: list[str] = []

    def only_loopback(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.context.route("**/*", only_loopback)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Case Management Model Advisor"
    )
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/score")).to_be_visible()
    page.locator(".opblock-summary", has_text="/api/v1/score").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert blocked == []
    assert any("/static/swagger-ui/swagger-ui-bundle." in url for url in requested)
