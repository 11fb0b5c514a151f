"""Screenshots of the home, questionnaire and result pages for the README, desktop and phone.

Every run takes and checks them; only with CM_ADVISOR_UPDATE_SCREENSHOTS=1 are they written
to docs/screenshots/ (the result page shows when it was saved, so otherwise every test run
would leave changed pictures in the work tree).
"""

import os
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from helpers.browser.harness import DESKTOP, PHONE, Pages, Site

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
UPDATE = os.environ.get("CM_ADVISOR_UPDATE_SCREENSHOTS") == "1"
MAX_HEIGHT = {"desktop": 2400, "phone": 2000}  # CSS pixels; keeps the files small
MAX_BYTES = 1_500_000
VIEWPORTS: dict[str, ViewportSize] = {"desktop": DESKTOP, "phone": PHONE}


def _assess(page: Page, site: Site) -> None:
    page.goto("/assess")
    for answer in ("acuity-high", "complex_needs-many", "high_utilization-some"):
        page.locator(f"label[for='{answer}']").click()
    expect(page.locator("#progress-count")).to_have_text("3 of 14 answered")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("body").focus()  # no focus ring in the picture


SHOTS: dict[str, Callable[[Page, Site], None]] = {
    "home": lambda page, site: page.goto("/") and None,
    "assess": _assess,
    "result": lambda page, site: page.goto(f"/r/{site.first}") and None,
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", SHOTS)
def test_screenshot(pages: Pages, site: Site, name: str, viewport: str, tmp_path: Path) -> None:
    size = VIEWPORTS[viewport]
    page = pages.new(viewport=size)
    SHOTS[name](page, site)
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT[viewport])
    path = (SCREENSHOTS if UPDATE else tmp_path) / f"{name}-{viewport}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=path,
        full_page=True,
        clip={"x": 0, "y": 0, "width": size["width"], "height": height},
        animations="disabled",
        caret="hide",
    )
    width, shot_height = _png_size(path)
    assert (width, shot_height) == (size["width"], height)
    assert path.stat().st_size < MAX_BYTES


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height
