"""Every page passes axe-core at WCAG 2.1 A/AA, on a desktop and on a 375 px phone, where
nothing scrolls sideways and body text stays at 16 px or more."""

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, ViewportSize, expect

from helpers.browser.driving import submit
from helpers.browser.harness import DESKTOP, PHONE, Pages, Site

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def _questionnaire_with_errors(page: Page, site: Site) -> None:
    page.goto("/assess")
    page.locator("label[for='acuity-high']").click()
    page.locator("#advanced > summary").click()
    page.locator("#population_size_number").fill("5000")
    for tier, share in (("tier_high", "50"), ("tier_rising", "30"), ("tier_low", "10")):
        page.locator(f"#{tier}").fill(share)
    submit(page)
    expect(page.locator(".error-summary")).to_contain_text("they add up to 90")


def _questionnaire_restored(page: Page, site: Site) -> None:
    page.goto("/assess")
    page.locator("label[for='acuity-high']").click()
    page.reload()
    expect(page.locator(".restored-note")).to_be_visible()


def _group_form_with_errors(page: Page, site: Site) -> None:
    page.goto("/groups/new")
    page.get_by_role("button", name="Start the round").click()
    expect(page.locator(".error-summary")).to_be_visible()


def _group_answers_with_errors(page: Page, site: Site) -> None:
    page.goto(site.group.invite)
    page.locator("#role").select_option("Nursing")
    page.locator("#advanced > summary").click()
    page.locator("#tier_high").fill("50")
    page.locator("#population_size_number").fill("5000")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".error-summary")).to_be_visible()


def _questionnaire_ranked(page: Page, site: Site) -> None:
    """Outcomes ticked: the order badges and "Move up" buttons enhance.js adds."""
    page.goto("/assess")
    for outcome in ("utilization", "cost", "housing"):
        page.locator(f"label[for='outcomes-{outcome}']").click()
    page.locator("#population_size_number").fill("12,000")
    page.locator("#q-acuity summary").click()  # a help text open
    expect(page.locator(".order-badge")).to_have_count(3)


def _result_fresh(page: Page, site: Site) -> None:
    """Right after submitting: the one-time manage link with its copy and download."""
    page.goto("/assess")
    page.locator("label[for='acuity-high']").click()
    submit(page)
    expect(page.locator("#manage-url")).to_be_visible()


def _delete_confirmation(page: Page, site: Site) -> None:
    page.goto(site.manage_url)
    page.get_by_role("link", name="Delete this result…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this result?")


def _go(path: Callable[[Site], str]) -> Callable[[Page, Site], None]:
    def open_page(page: Page, site: Site) -> None:
        page.goto(path(site))

    return open_page


PAGES: dict[str, Callable[[Page, Site], None]] = {
    "home": _go(lambda s: "/"),
    "questionnaire": _go(lambda s: "/assess"),
    "questionnaire-errors": _questionnaire_with_errors,
    "questionnaire-restored": _questionnaire_restored,
    "questionnaire-ranked": _questionnaire_ranked,
    "result": _go(lambda s: f"/r/{s.first}"),
    "result-fresh": _result_fresh,
    "result-tie": _go(lambda s: f"/r/{s.tie}"),
    "result-empty": _go(lambda s: f"/r/{s.empty}"),
    "rescore": _go(lambda s: f"/r/{s.first}/rescore"),
    "report": _go(lambda s: f"/r/{s.first}/report"),  # the PDF's HTML source
    "report-tie": _go(lambda s: f"/r/{s.tie}/report"),
    "models": _go(lambda s: "/models"),
    "model": _go(lambda s: "/models/intensive"),
    "compare": _go(lambda s: f"/compare?a={s.first}&b={s.second}"),
    "compare-error": _go(lambda s: f"/compare?a={s.first}&b=not-a-result"),
    "not-found": _go(lambda s: "/no-such-page"),
    "manage": _go(lambda s: s.manage_url),
    "delete-confirmation": _delete_confirmation,
    "resume": _go(lambda s: f"/resume/{s.draft}"),
    "resume-saved": _go(lambda s: f"/resume/{s.draft}/saved"),
    "resume-missing": _go(lambda s: "/resume/expired-or-never-was"),
    "group-new": _go(lambda s: "/groups/new"),
    "group-new-errors": _group_form_with_errors,
    "group-invitation": _go(lambda s: s.group.invite),
    "group-invitation-errors": _group_answers_with_errors,
    "group-response": _go(lambda s: s.group.response + "?saved=1"),
    "group-lead": _go(lambda s: s.group.lead + "?new=1"),
    "group-view": _go(lambda s: s.group.lead + "/view"),
    "group-closed": _go(lambda s: s.group.closed_invite),
    "group-closed-lead": _go(lambda s: s.group.closed_lead),
    "group-result": _go(lambda s: s.group.result),
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible(pages: Pages, site: Site, name: str, viewport: str) -> None:
    page = pages.new(viewport=VIEWPORTS[viewport])
    PAGES[name](page, site)
    # Lay out every part, as a reader who scrolls sees it: the stylesheet lets the browser
    # skip the lower parts (content-visibility: auto) until they near the screen, and axe's
    # colour check then places unrendered text against whatever is drawn at its stale spot.
    page.evaluate(
        "document.querySelectorAll('*').forEach("
        "e => e.style.setProperty('content-visibility', 'visible', 'important'))"
    )
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    if viewport == "phone":
        assert_fits_a_phone(page, VIEWPORTS[viewport])


def assert_fits_a_phone(page: Page, viewport: ViewportSize) -> None:
    """No sideways scrolling, also with every disclosure open; body text at least 16 px."""
    width = viewport["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "with details open"
    body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_px >= 16
