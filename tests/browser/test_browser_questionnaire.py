"""The questionnaire in a real browser: mouse, keyboard, no JavaScript; share, adjust, delete."""

import re

import pytest
from playwright.sync_api import Page, expect

from cm_advisor import engine
from cm_advisor.engine import Catalogue
from helpers.archetypes import ARCHETYPES
from helpers.browser.driving import (
    Shown,
    answer_with_keyboard,
    answer_with_mouse,
    checked,
    shown,
    submit,
)
from helpers.browser.harness import Pages

pytestmark = pytest.mark.browser

SHARE = re.compile(r".*/r/[A-Za-z0-9_-]{32,}$")


def test_complete_with_the_mouse_and_open_the_share_link_elsewhere(
    pages: Pages, page: Page, catalogue: Catalogue
) -> None:
    answers = ARCHETYPES["intensive"]
    page.goto("/assess")
    answer_with_mouse(page, catalogue, answers)
    page.locator("#label").fill("Clicked through")
    submit(page)
    expect(page).to_have_url(SHARE)

    expected = Shown.expected(catalogue, engine.score(catalogue, answers))
    assert shown(page) == expected
    share_url = page.locator("#share-url").input_value()
    assert share_url == page.url

    elsewhere = pages.new()  # a fresh context: no cookies, no storage
    elsewhere.goto(share_url)
    assert shown(elsewhere) == expected
    expect(elsewhere.locator(".result-label")).to_have_text("Clicked through")
    expect(elsewhere.locator("#manage-url")).to_have_count(0)  # only its creator saw it


def test_complete_with_the_keyboard_alone(page: Page, catalogue: Catalogue) -> None:
    answers = ARCHETYPES["clinical"]
    page.goto("/assess")
    answer_with_keyboard(page, catalogue, answers)
    expect(page).to_have_url(SHARE)
    assert shown(page) == Shown.expected(catalogue, engine.score(catalogue, answers))
    expect(page.locator(".result-label")).to_have_text("Typed without a mouse")


def test_adjusting_answers_creates_a_new_result_and_keeps_the_original(
    page: Page, catalogue: Catalogue
) -> None:
    answers = ARCHETYPES["brokerage"]
    page.goto("/assess")
    answer_with_mouse(page, catalogue, answers)
    submit(page)
    original_url, original = page.url, shown(page)

    page.get_by_role("link", name="Adjust answers").first.click()
    expect(page).to_have_url(re.compile(r"/assess\?from="))
    assert checked(page, "acuity") == answers["acuity"]  # the saved answers are filled in
    first, second = answers["outcomes"]
    expect(page.locator(f"#outcomes-{first}")).to_be_checked()
    expect(
        page.locator(f"#outcomes-{first}").locator("..").locator(".order-badge")
    ).to_contain_text("1st")
    expect(
        page.locator(f"#outcomes-{second}").locator("..").locator(".order-badge")
    ).to_contain_text("2nd")
    changed = answers | {"acuity": "very_high", "staffing": "ample", "budget": "flexible"}
    for question in ("acuity", "staffing", "budget"):
        page.locator(f"label[for='{question}-{changed[question]}']").click()
    submit(page)

    expect(page).to_have_url(SHARE)
    assert page.url != original_url
    assert shown(page) == Shown.expected(catalogue, engine.score(catalogue, changed))
    assert shown(page) != original
    page.goto(original_url)
    assert shown(page) == original


def test_the_manage_link_is_shown_once_and_deletes_the_result(page: Page) -> None:
    page.goto("/assess")
    page.locator("label[for='acuity-high']").click()
    submit(page)
    share_url = page.url
    manage_url = page.locator("#manage-url").input_value()
    assert "/manage/" in manage_url

    page.reload()
    expect(page.locator("#manage-url")).to_have_count(0)

    page.goto(manage_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage a saved result")
    page.get_by_role("link", name="Delete this result…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this result?")
    page.get_by_role("button", name="Yes, delete it for good").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Result deleted")

    response = page.goto(share_url)
    assert response is not None and response.status == 404
    missing = page.goto(manage_url)
    assert missing is not None and missing.status == 404


def test_the_questionnaire_works_without_javascript(pages: Pages, catalogue: Catalogue) -> None:
    page = pages.new(javascript=False)
    answers = ARCHETYPES["collaborative"]
    page.goto("/assess")
    # Without JavaScript the server's count is shown as rendered, and it does not stick.
    expect(page.locator("#progress-count")).to_have_text("0 of 16 answered")
    expect(page.locator("#progress-live")).not_to_have_class(re.compile("is-live"))
    answer_with_mouse(page, catalogue, answers)
    submit(page)
    expect(page).to_have_url(SHARE)
    assert shown(page) == Shown.expected(catalogue, engine.score(catalogue, answers))
    expect(page.locator("#manage-url")).to_be_visible()


def test_errors_are_shown_without_javascript_and_keep_every_answer(pages: Pages) -> None:
    page = pages.new(javascript=False)
    page.goto("/assess")
    page.locator("label[for='acuity-moderate']").click()
    page.locator("#advanced > summary").click()
    page.locator("#population_size_number").fill("1200")
    for tier, share in (("tier_high", "50"), ("tier_rising", "30"), ("tier_low", "10")):
        page.locator(f"#{tier}").fill(share)
    submit(page)
    expect(page.locator(".error-summary")).to_contain_text("add up to 100; they add up to 90")
    assert checked(page, "acuity") == "moderate"
    expect(page.locator("#tier_low")).to_have_value("10")


def test_the_answered_count_and_time_left_update_as_you_answer(page: Page) -> None:
    page.goto("/assess")
    expect(page.locator("#progress-count")).to_have_text("0 of 16 answered")
    expect(page.locator("#progress-time")).to_have_text("About 6 minutes")
    expect(page.locator("#progress-live")).to_have_class(re.compile("is-live"))
    for answer in ("acuity-high", "complex_needs-many", "staffing-adequate"):
        page.locator(f"label[for='{answer}']").click()
    page.locator("label[for='outcomes-cost']").click()
    expect(page.locator("#progress-count")).to_have_text("4 of 16 answered")
    expect(page.locator("#progress-bar")).to_have_attribute("value", "4")
    expect(page.locator("#progress-time")).to_have_text("About 4 minutes left")
    expect(page.locator(".part-count[data-section='population']")).to_have_text("2 of 6 answered")
    expect(page.locator("#answered-count")).to_have_text(
        "4 of 16 questions answered — unanswered ones count as neutral."
    )
    page.locator("label[for='acuity-skip']").click()  # "Not sure" takes an answer back
    expect(page.locator("#progress-count")).to_have_text("3 of 16 answered")
