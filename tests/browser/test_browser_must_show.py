"""Issue 16's must-show points in Chromium at 375 × 667: the answer on the first screen of
every result view, a tie that reads as a tie, no model for an empty form, delete only after
a confirmation, compare listing the answers that differ, and the whole questionnaire in
under nine screens."""

import re

import pytest
from playwright.sync_api import Page, expect

from cm_advisor import engine
from cm_advisor.engine import Catalogue
from helpers.archetypes import ARCHETYPES, MIXED
from helpers.browser.driving import answer_with_mouse, submit
from helpers.browser.harness import SMALL_PHONE, Pages, Site

pytestmark = pytest.mark.browser

SCREEN = SMALL_PHONE["height"]
MAX_SCREENS = 9


def _phone(pages: Pages, *, javascript: bool = True) -> Page:
    return pages.new(viewport=SMALL_PHONE, javascript=javascript)


def _answer_first(page: Page, model_name: str, verdict: str) -> None:
    """The verdict badge and the model's name are inside the first screen, unscrolled,
    and above the share, manage and download controls."""
    assert page.evaluate("window.scrollY") == 0
    badge = page.locator(".recommendation .badge-verdict")
    expect(badge).to_have_text(verdict)
    expect(badge).to_be_in_viewport()
    title = page.locator("#recommended-title")
    expect(title).to_contain_text(model_name)
    box = title.bounding_box()
    assert box is not None and box["y"] + box["height"] <= SCREEN, box
    first_reason = page.locator(".recommendation .pros li").first
    reason_box = first_reason.bounding_box()
    assert reason_box is not None and reason_box["y"] < SCREEN, "a reason starts on screen 1"
    share = page.locator("#share-url").bounding_box()
    assert share is not None and share["y"] > box["y"], "controls come after the answer"


def test_fresh_shared_and_rescored_results_answer_on_the_first_phone_screen(
    pages: Pages, catalogue: Catalogue
) -> None:
    answers = ARCHETYPES["intensive"]
    expected = engine.score(catalogue, answers)
    name = catalogue.model(expected.recommended).name
    page = _phone(pages)
    page.goto("/assess")
    answer_with_mouse(page, catalogue, answers)
    page.locator("#label").fill("Riverside Health")
    submit(page)
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+$"))
    expect(page.locator("#manage-url")).to_be_attached()  # the fresh view, manage link and all
    _answer_first(page, name, "Clear lead")
    share_url = page.url

    shared = _phone(pages)  # a client opening the link elsewhere
    shared.goto(share_url)
    expect(shared.locator("#manage-url")).to_have_count(0)
    _answer_first(shared, name, "Clear lead")

    rescored = _phone(pages)
    rescored.goto(share_url + "/rescore")
    expect(rescored.locator("h1")).to_have_text("Rescored with the current catalogue")
    badge = rescored.locator(".recommendation .badge-verdict")
    expect(badge).to_have_text("Clear lead")
    expect(badge).to_be_in_viewport()
    expect(rescored.locator("#recommended-title")).to_contain_text(name)
    expect(rescored.locator("#recommended-title")).to_be_in_viewport()


def test_a_tie_reads_as_a_tie(pages: Pages, site: Site, catalogue: Catalogue) -> None:
    expected = engine.score(catalogue, MIXED)
    a, b = (catalogue.model(ms.model).name for ms in expected.ranking[:2])
    page = _phone(pages)
    page.goto(f"/r/{site.tie}")
    verdict = page.locator(".recommendation")
    expect(verdict.locator(".badge-verdict")).to_have_text("Tie")
    expect(verdict.locator(".badge-verdict")).to_be_in_viewport()
    title = page.locator("#recommended-title")
    expect(title).to_contain_text(a)
    expect(title).to_contain_text(b)
    expect(title).to_be_in_viewport()
    expect(verdict).to_contain_text("fit about equally well")
    expect(verdict).not_to_contain_text("best fit")
    expect(verdict).not_to_contain_text("Clear lead")
    expect(verdict.locator(".blend-line a")).to_have_attribute("href", re.compile("^#hybrid-"))
    # The charts read the same way: the two tied models marked, in ranking order.
    expect(page.locator("li.rank-item .badge-verdict-tie")).to_have_count(2)
    expect(page.locator("ol.ranking > li.rank-item").nth(0)).to_have_id(
        f"rank-{expected.ranking[0].model}"
    )
    blend = verdict.locator(".blend-line a").get_attribute("href")
    assert blend is not None
    expect(page.locator(".hybrids article.hybrid").first).to_have_id(blend.removeprefix("#"))


def test_an_empty_form_recommends_no_model(pages: Pages, catalogue: Catalogue) -> None:
    page = _phone(pages, javascript=False)
    page.goto("/assess")
    submit(page)
    verdict = page.locator(".recommendation")
    expect(verdict.locator(".badge-verdict")).to_have_text("Not enough answers")
    expect(page.locator("#recommended-title")).to_have_text("No model recommended yet")
    expect(page.locator("#recommended-title")).to_be_in_viewport()
    for model in catalogue.models:
        expect(verdict).not_to_contain_text(model.name)
    expect(page.locator(".rank-top")).to_have_count(0)
    expect(page.locator("#hybrids, #next-steps, #staffing")).to_have_count(0)
    expect(page).to_have_title(re.compile("^No recommendation yet"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_delete_needs_the_confirmation(pages: Pages, javascript: bool) -> None:
    page = _phone(pages, javascript=javascript)
    page.goto("/assess")
    page.locator("label[for='acuity-high']").click()
    submit(page)
    share_url = page.url
    manage_url = page.locator("#manage-url").input_value()
    page.goto(manage_url)
    page.get_by_role("link", name="Delete this result…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this result?")
    elsewhere = _phone(pages)
    assert (elsewhere.goto(share_url) or pytest.fail("no response")).status == 200  # not yet
    page.get_by_role("link", name="No, keep it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage a saved result")
    assert (elsewhere.goto(share_url) or pytest.fail("no response")).status == 200

    page.get_by_role("link", name="Delete this result…").click()
    page.get_by_role("button", name="Yes, delete it for good").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Result deleted")
    assert (elsewhere.goto(share_url) or pytest.fail("no response")).status == 404


def test_compare_lists_the_answers_that_differ(
    pages: Pages, site: Site, catalogue: Catalogue
) -> None:
    page = _phone(pages)
    page.goto(f"/compare?a={site.first}&b={site.second}")
    table = page.locator("table.differences-table")
    expect(table).to_be_visible()
    first, second = ARCHETYPES["intensive"], ARCHETYPES["brokerage"]
    differing = [
        q for q in catalogue.questionnaire.questions if first.get(q.id) != second.get(q.id)
    ]
    expect(table.locator("tbody tr")).to_have_count(len(differing))
    acuity = table.locator("tbody tr", has=page.locator("th", has_text="Acuity"))
    question = catalogue.question("acuity")
    expect(acuity).to_contain_text(question.option(first["acuity"]).label)
    expect(acuity).to_contain_text(question.option(second["acuity"]).label)
    expect(page.locator(".moved-most")).to_contain_text("Moved the scores most")
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]

    page.locator("#compare-b").fill("https://example.org/r/not-a-result")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#compare-b-error")).to_contain_text("no saved result at this link")
    expect(page.locator("#compare-a")).to_have_value(site.first)
    expect(page.locator("#compare-b")).to_have_value("https://example.org/r/not-a-result")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_whole_questionnaire_fits_in_under_nine_phone_screens(
    pages: Pages, catalogue: Catalogue, javascript: bool
) -> None:
    page = _phone(pages, javascript=javascript)
    page.goto("/assess")
    # Scroll to the end and back, so every part is laid out (content-visibility: auto
    # estimates the parts not yet near the screen).
    for _ in range(30):
        page.mouse.wheel(0, SCREEN)
    page.evaluate("window.scrollTo(0, 0)")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_SCREENS * SCREEN, f"{height} px is {height / SCREEN:.1f} screens"
    expect(page.locator("fieldset.question")).to_have_count(len(catalogue.questionnaire.questions))
    for question in catalogue.questionnaire.questions:
        expect(page.locator(f"#q-{question.id} legend")).to_have_text(question.label)


def test_outcomes_are_ranked_by_ticking_with_javascript_and_by_number_without(
    pages: Pages,
) -> None:
    page = _phone(pages)
    page.goto("/assess")
    for outcome in ("readmissions", "cost", "quality"):
        page.locator(f"label[for='outcomes-{outcome}']").click()
    row = page.locator("#outcomes-quality").locator("..")
    expect(row.locator(".order-badge")).to_contain_text("3rd")
    row.get_by_role("button", name=re.compile("Move “Better quality of care” up")).click()
    expect(row.locator(".order-badge")).to_contain_text("2nd")
    page.locator("label[for='outcomes-readmissions']").click()  # untick: the rest move up
    expect(row.locator(".order-badge")).to_contain_text("1st")
    submit(page)
    token = page.url.rsplit("/", 1)[1]
    stored = page.request.get(f"/r/{token}.json").json()
    assert stored["result"]["answers"]["outcomes"] == ["quality", "cost"]

    plain = _phone(pages, javascript=False)
    plain.goto("/assess")
    for outcome, place in (("cost", "2"), ("housing", "1")):
        plain.locator(f"label[for='outcomes-{outcome}']").click()
        plain.locator(f"#outcomes_order_{outcome}").fill(place)
    submit(plain)
    token = plain.url.rsplit("/", 1)[1]
    stored = plain.request.get(f"/r/{token}.json").json()
    assert stored["result"]["answers"]["outcomes"] == ["housing", "cost"]


def test_the_number_of_patients_picks_the_size(pages: Pages) -> None:
    page = _phone(pages)
    page.goto("/assess")
    page.locator("#population_size_number").fill("12,000")
    expect(page.locator("#population_size-medium")).to_be_checked()
    page.locator("#population_size_number").fill("800")
    expect(page.locator("#population_size-small")).to_be_checked()
    submit(page)
    token = page.url.rsplit("/", 1)[1]
    stored = page.request.get(f"/r/{token}.json").json()["result"]
    assert stored["answers"]["population_size"] == "small"
    assert stored["population"]["size"] == 800
