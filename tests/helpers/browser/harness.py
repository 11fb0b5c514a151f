"""The browser tests' harness: where Chromium is, the viewports, the site under test, and
pages that fail the test on any script or CSP error in the console."""

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 740}
SMALL_PHONE: ViewportSize = {"width": 375, "height": 667}  # issue 16's first phone screen
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class GroupSite:
    """Two group rounds of the five respondents in helpers.groups: one open, one closed."""

    invite: str  # the open round's invitation (a path)
    lead: str  # its lead page
    response: str  # the edit link of its last response
    closed_invite: str
    closed_lead: str
    result: str  # the closed round's stored group result


@dataclass(frozen=True)
class Site:
    """The running app and a few things saved in it through the API, for pages that need them."""

    url: str
    first: str  # share token of a saved result (intensive case management)
    second: str  # share token of another one (brokerage)
    manage_url: str  # the first result's manage link
    draft: str  # a draft's resume token
    group: GroupSite
    tie: str  # share token of a result whose top two models tie
    empty: str  # share token of a result with nothing answered


class Pages:
    """Opens pages in fresh browser contexts and fails the test on any script or CSP error."""

    def __init__(self, browser: Browser, site: Site) -> None:
        self.browser = browser
        self.site = site
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def new(self, *, javascript: bool = True, viewport: ViewportSize | None = None) -> Page:
        context = self.browser.new_context(
            base_url=self.site.url,
            viewport=viewport or DESKTOP,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        page.on("console", self._console)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        # A 404 page is expected to "fail to load"; anything else (CSP refusals, script
        # errors) is a bug.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(message.text)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
