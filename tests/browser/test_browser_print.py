"""Printing a result from the browser: the PDF report's order, no navigation or forms,
absolute addresses only, and disclosures open only where their content belongs."""

import re

import pytest
from playwright.sync_api import Page, expect

from helpers.browser.harness import Pages, Site
from helpers.settings import DEFAULTS

pytestmark = pytest.mark.browser

# The PDF's sections, in the PDF's order (templates/report.html), as the page's anchors.
PDF_ORDER = [
    "summary",
    "next-steps",
    "answers",
    "ranking",
    "analysis",
    "what-if",
    "staffing",
    "evidence",
    "scores",
]


def _printed(pages: Pages, site: Site) -> Page:
    page = pages.new()
    page.goto(f"/r/{site.first}")
    page.emulate_media(media="print")
    return page


def test_a_printed_result_follows_the_pdfs_order(pages: Pages, site: Site) -> None:
    page = _printed(pages, site)
    shown = page.evaluate(
        "ids => ids.filter(id => { const e = document.getElementById(id);"
        " return e && getComputedStyle(e).display !== 'none'; })"
        ".sort((a, b) => document.getElementById(a).compareDocumentPosition("
        "document.getElementById(b)) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1)",
        PDF_ORDER,
    )
    present = page.evaluate("ids => ids.filter(id => document.getElementById(id))", PDF_ORDER)
    assert shown == present == [a for a in PDF_ORDER if a != "staffing"]  # no population given


def test_a_printed_result_has_no_navigation_forms_or_controls(pages: Pages, site: Site) -> None:
    page = _printed(pages, site)
    for selector in (
        ".site-header nav",
        ".site-footer",
        ".share-controls",
        ".on-this-page",
        ".actions",
        ".rank-more",
        "form",
        "button",
    ):
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
    # The share link prints in full under the title, an address that works on paper.
    expect(page.locator(".result-title .print-only")).to_be_visible()
    expect(page.locator(".result-title .print-only")).to_contain_text(
        re.compile(rf"https?://[^ ]+/r/{site.first}")
    )
    relative = page.evaluate(
        "() => Array.from(document.querySelectorAll('main a[href^=\"/\"]'))"
        ".map(a => getComputedStyle(a, '::after').content)"
        ".filter(c => c !== 'none' && c !== '\"\"')"
    )
    assert relative == [], "a path without the site's address is printed"
    doi = page.locator(".studies a[href^='http']").first
    assert "(" in page.evaluate("a => getComputedStyle(a, '::after').content", doi.element_handle())


def test_a_printed_result_opens_only_the_disclosures_that_belong(pages: Pages, site: Site) -> None:
    page = _printed(pages, site)
    expect(page.locator("#answers .answers-table")).to_be_visible()
    expect(page.locator("#analysis .method figure")).to_be_visible()
    expect(page.locator("#evidence .studies ol.references")).to_be_visible()
    # Five long score tables stay shut; one table of every model's points stands in.
    for table in page.locator(".contributions table").all():
        expect(table).to_be_hidden()
    expect(page.locator("#scores .print-only table.score-matrix")).to_be_visible()
    screen = pages.new()
    screen.goto(f"/r/{site.first}")
    expect(screen.locator("#scores .print-only")).to_be_hidden()


def test_the_stylesheet_keeps_one_breakpoint_and_one_print_block() -> None:
    css = (DEFAULTS.static_dir / "css" / "app.css").read_text()
    assert css.count("@media print") == 1
    assert len(re.findall(r"@media \(max-width", css)) == 1
