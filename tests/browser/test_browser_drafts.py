"""Save and resume in a real browser: answers survive a reload, and "Save and finish later"
gives a private link that reopens them on another device."""

import re

import pytest
from playwright.sync_api import Page, expect

from helpers.browser.driving import SAVE_LATER, checked, submit
from helpers.browser.harness import Pages

pytestmark = pytest.mark.browser

RESTORED = "We filled in the answers you gave earlier in this browser."


def _answer_a_few(page: Page) -> None:
    for answer in ("acuity-high", "complex_needs-many", "budget-moderate"):
        page.locator(f"label[for='{answer}']").click()
    page.locator("label[for='outcomes-quality']").click()
    page.locator("#label").fill("Northside clinic")


def test_answers_survive_a_reload(page: Page) -> None:
    page.goto("/assess")
    expect(page.locator(".restored-note")).to_have_count(0)
    _answer_a_few(page)
    page.reload()

    expect(page.locator(".restored-note")).to_contain_text(RESTORED)
    assert checked(page, "acuity") == "high"
    assert checked(page, "complex_needs") == "many"
    assert checked(page, "budget") == "moderate"
    expect(page.locator("#outcomes-quality")).to_be_checked()
    expect(page.locator("#label")).to_have_value("Northside clinic")
    expect(page.locator("#progress-count")).to_have_text("4 of 16 answered")


def test_restoring_never_overwrites_what_the_server_filled_in(page: Page) -> None:
    page.goto("/assess")
    _answer_a_few(page)
    page.goto("/assess?acuity=low")  # a form pre-filled by the server
    assert checked(page, "acuity") == "low"
    assert checked(page, "complex_needs") == ""
    expect(page.locator("#label")).to_have_value("")
    expect(page.locator(".restored-note")).to_have_count(0)


def test_a_successful_submit_forgets_the_answers_and_errors_keep_them(page: Page) -> None:
    page.goto("/assess")
    _answer_a_few(page)
    page.locator("#advanced > summary").click()
    page.locator("#population_size_number").fill("900")
    page.locator("#tier_high").fill("90")
    submit(page)  # tiers add up to 90: the form comes back with its errors
    expect(page.locator(".error-summary")).to_be_visible()
    page.goto("/assess")
    expect(page.locator(".restored-note")).to_be_visible()  # still remembered
    expect(page.locator("#tier_high")).to_have_value("90")

    page.locator("#tier_high").fill("")
    page.locator("#population_size_number").fill("")
    submit(page)
    expect(page).to_have_url(re.compile(r"/r/"))
    page.goto("/assess")
    expect(page.locator(".restored-note")).to_have_count(0)
    assert checked(page, "acuity") == ""


def test_clear_and_start_again(page: Page) -> None:
    page.goto("/assess")
    _answer_a_few(page)
    page.reload()
    page.get_by_role("button", name="Clear them and start again").click()
    expect(page.locator(".restored-note")).to_have_text("Your earlier answers are cleared.")
    expect(page.locator(".restored-note")).to_be_focused()
    assert checked(page, "acuity") == ""
    expect(page.locator("#progress-count")).to_have_text("0 of 16 answered")
    page.reload()
    expect(page.locator(".restored-note")).to_have_count(0)


def test_save_and_finish_later_on_another_device(pages: Pages, page: Page) -> None:
    page.goto("/assess")
    _answer_a_few(page)
    page.get_by_role("button", name=SAVE_LATER).click()

    expect(page).to_have_url(re.compile(r"/resume/[A-Za-z0-9_-]{32}/saved$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are saved")
    resume_url = page.locator("#resume-url").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/resume/[A-Za-z0-9_-]{32}", resume_url)
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    facts = page.locator(".draft-facts")
    expect(facts).to_contain_text(re.compile(r"It works until \d{1,2} \w+ \d{4}, 30 days"))
    expect(facts).to_contain_text("It holds no patient data")
    expect(page.locator(".lead")).to_contain_text("4 of 16 questions are answered so far")

    phone = pages.new()  # another device: no cookies, no local storage
    phone.goto(resume_url)
    expect(phone.locator(".resume-note")).to_contain_text("Welcome back")
    assert checked(phone, "acuity") == "high"
    assert checked(phone, "budget") == "moderate"
    expect(phone.locator("#outcomes-quality")).to_be_checked()
    expect(phone.locator("#label")).to_have_value("Northside clinic")
    expect(phone.locator("#progress-count")).to_have_text("4 of 16 answered")
    phone.locator("label[for='staffing-ample']").click()
    submit(phone)
    expect(phone).to_have_url(re.compile(r"/r/"))
    expect(phone.locator(".result-label")).to_have_text("Northside clinic")


def test_save_and_finish_later_without_javascript(pages: Pages) -> None:
    page = pages.new(javascript=False)
    page.goto("/assess")
    page.locator("label[for='staff_mix-clinical']").click()
    page.get_by_role("button", name=SAVE_LATER).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are saved")
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()  # the field is there
    page.goto(page.locator("#resume-url").input_value())
    assert checked(page, "staff_mix") == "clinical"


def test_an_unknown_resume_link_is_a_clear_404(page: Page) -> None:
    response = page.goto("/resume/not-a-real-token")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This resume link has expired or does not exist"
    )
