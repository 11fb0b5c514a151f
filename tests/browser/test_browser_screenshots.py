"""Screenshots of the home, questionnaire, result and group view pages for the README,
desktop and phone, and the first page of the PDF report (rendered with poppler's pdftoppm).

Every run takes them and checks what a reader of the README relies on: each page's key
elements are visible inside the picture (the heading on the first screen), and the page
is no wider than the viewport. They are not compared pixel by pixel with the pictures in
docs/screenshots/: fonts differ between machines and the result page shows when it was
saved. Only with CM_ADVISOR_UPDATE_SCREENSHOTS=1 are they written there, so a test run
leaves the work tree clean.
"""

import os
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from pypdf import PdfReader

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
    expect(page.locator("#progress-count")).to_have_text("3 of 16 answered")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("body").focus()  # no focus ring in the picture


SHOTS: dict[str, Callable[[Page, Site], None]] = {
    "home": lambda page, site: page.goto("/") and None,
    "assess": _assess,
    "result": lambda page, site: page.goto(f"/r/{site.first}") and None,
    "group": lambda page, site: page.goto(f"{site.group.lead}/view") and None,
}
# What each picture must show: the page's heading on the first screen, then the elements
# the README's reader looks for.
KEY_ELEMENTS: dict[str, list[str]] = {
    "home": ["h1", ".site-header nav[aria-label=Main]", "a.button-primary[href='/assess']"],
    "assess": ["h1", "#progress-count", "#q-acuity legend", "#acuity-high:checked"],
    "result": [
        "h1",
        ".result-label",
        ".recommendation .badge-verdict",
        "#recommended-title",
        ".recommendation .score-words",
        ".recommendation .pros li",
        "#share-url",
    ],
    "group": [
        "h1",
        ".group-verdict",
        "#recommended-title",
        ".recommendation .score-words",
        "#discuss-title",
    ],
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", SHOTS)
def test_screenshot(pages: Pages, site: Site, name: str, viewport: str, tmp_path: Path) -> None:
    size = VIEWPORTS[viewport]
    page = pages.new(viewport=size)
    SHOTS[name](page, site)
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT[viewport])

    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (
        "the page is wider than the viewport: the picture would cut it off"
    )
    heading, *others = KEY_ELEMENTS[name]
    expect(page.locator(heading).first).to_be_in_viewport()
    for selector in (heading, *others):
        element = page.locator(selector).first
        expect(element).to_be_visible()
        box = element.bounding_box()
        assert box is not None, selector
        assert 0 <= box["x"] and box["x"] + box["width"] <= size["width"], (selector, box)
        assert 0 <= box["y"] and box["y"] + box["height"] <= height, (selector, box)

    path = (SCREENSHOTS if UPDATE else tmp_path) / f"{name}-{viewport}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=path,
        full_page=True,
        clip={"x": 0, "y": 0, "width": size["width"], "height": height},
        animations="disabled",
        caret="hide",
    )
    assert _png_size(path) == (size["width"], height)
    assert path.stat().st_size < MAX_BYTES


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_pdf_reports_first_page(pages: Pages, site: Site, tmp_path: Path) -> None:
    """The README shows the PDF's first page: the cover and the executive summary."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        message = "rendering the PDF needs pdftoppm: install Debian's `poppler-utils` (CI does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    page = pages.new()
    response = page.request.get(f"/r/{site.first}.pdf")
    assert response.ok
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.body())
    first = PdfReader(pdf).pages[0].extract_text() or ""
    assert "Executive summary" in first and "Riverside Health" in first
    target = (SCREENSHOTS if UPDATE else tmp_path) / "report-page1"
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)],
        check=True,
    )
    png = target.with_suffix(".png")
    width, height = _png_size(png)
    assert (width, height) == (662, 936)  # A4 (210 × 297 mm) at 80 dpi, rounded up
    assert png.stat().st_size < MAX_BYTES
