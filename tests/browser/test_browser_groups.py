"""A group round in real Chromium: a lead starts it, five people in three roles answer it
(one saves and finishes later, one without JavaScript), the lead reads the group view and
closes it, and the closed result's link shows the same ranking after the catalogue changes."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from cm_advisor.engine import Catalogue
from helpers import groups, reference
from helpers.browser.driving import Shown, answer_with_mouse, shown
from helpers.browser.harness import PHONE, Pages
from helpers.servers import running_server

pytestmark = pytest.mark.browser

SEND = "Send my answers"


def start_round(page: Page, base: str) -> tuple[str, str]:
    """The lead starts a round from the form; the lead link and the invitation."""
    page.goto(f"{base}/groups/new")
    page.locator("#label").fill("Riverside Health: choosing our model")
    page.locator("#roles").fill("\n".join(groups.ROLES))
    with page.expect_navigation():
        page.get_by_role("button", name="Start the round").click()
    expect(page.locator("#lead-url")).to_be_visible()
    return page.locator("#lead-url").input_value(), page.locator("#invite-url").input_value()


def who(page: Page, role: str, initials: str) -> None:
    page.locator("#role").select_option(role)
    page.locator("#initials").fill(initials)


def send(page: Page) -> str:
    with page.expect_navigation():
        page.get_by_role("button", name=SEND).click()
    expect(page.locator("#edit-url")).to_be_visible()
    return page.locator("#edit-url").input_value()


def respond(
    pages: Pages, catalogue: Catalogue, invite: str, respondent: tuple[str, str, dict[str, Any]]
) -> str:
    role, initials, answers = respondent
    page = pages.new(viewport=PHONE)
    page.goto(invite)
    who(page, role, initials)
    answer_with_mouse(page, catalogue, answers)
    return send(page)


def respond_later(
    pages: Pages, catalogue: Catalogue, invite: str, respondent: tuple[str, str, dict[str, Any]]
) -> str:
    """Half the answers, "Save and finish later", then the rest from the resume link on
    another device (a fresh browser context)."""
    role, initials, answers = respondent
    page = pages.new()
    page.goto(invite)
    who(page, role, initials)
    questions = list(answers)
    answer_with_mouse(page, catalogue, {q: answers[q] for q in questions[:8]})
    with page.expect_navigation():
        page.get_by_role("button", name="Save and finish later").click()
    resume = page.locator("#resume-url").input_value()
    other = pages.new(viewport=PHONE)
    other.goto(resume)
    expect(other.locator(".resume-note")).to_contain_text("Welcome back")
    expect(other.locator("#role")).to_have_value(role)
    expect(other.locator("#initials")).to_have_value(initials)
    answer_with_mouse(other, catalogue, {q: answers[q] for q in questions[8:]})
    return send(other)


def respond_without_javascript(
    pages: Pages, catalogue: Catalogue, invite: str, respondent: tuple[str, str, dict[str, Any]]
) -> str:
    role, initials, answers = respondent
    page = pages.new(javascript=False)
    page.goto(invite)
    who(page, role, initials)
    answer_with_mouse(page, catalogue, answers)
    return send(page)


def test_five_people_in_three_roles_who_disagree_on_two_questions(
    pages: Pages, catalogue: Catalogue, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    env = {"CM_ADVISOR_DATA_DIR": str(data), "CM_ADVISOR_RATE_LIMIT": ""}
    with running_server(env, log=tmp_path / "first.log") as base:
        lead_page = pages.new()
        lead, invite = start_round(lead_page, base)
        ways = [respond, respond, respond_later, respond, respond_without_javascript]
        for way, respondent in zip(ways, groups.RESPONDENTS, strict=True):
            way(pages, catalogue, invite, respondent)

        lead_page.goto(lead)
        expect(lead_page.locator("#responses-title")).to_have_text("5 responses")
        rows = lead_page.locator("#by-role tbody tr")
        expect(rows).to_have_text(["Executive2", "Nursing2", "Finance1"])  # text content

        lead_page.get_by_role("link", name="See the group view").click()
        # Exactly the two questions people answered differently...
        listed = lead_page.locator("#disagreements li a")
        expect(listed).to_have_count(2)
        hrefs = {str(a.get_attribute("href")).removeprefix("#question-") for a in listed.all()}
        assert hrefs == groups.DISAGREEMENTS
        # ...and, to discuss first, only the one whose other answer changes the winner,
        # as the reference scorer finds by rescoring.
        expected = groups.flips(groups.PROFILE)
        discussed = lead_page.locator(".discuss-list > li")
        expect(discussed).to_have_count(len(expected))
        for item, (question, flips) in zip(discussed.all(), expected.items(), strict=True):
            assert item.get_attribute("id") == f"discuss-{question}"
            for option, model in flips:
                expect(item).to_contain_text(catalogue.question(question).option(option).label)
                expect(item).to_contain_text(catalogue.model(model).name)
        winner = reference.winner(reference.RAW, groups.PROFILE)
        expect(lead_page.locator("#recommended-title")).to_have_text(catalogue.model(winner).name)
        # No initials on the page, but in the evidence's author lists ("Buttar AB").
        text = lead_page.evaluate(
            "() => { const m = document.querySelector('main').cloneNode(true);"
            " m.querySelectorAll('#evidence').forEach(e => e.remove()); return m.innerText; }"
        )
        for _, initials, _ in groups.RESPONDENTS:
            assert re.search(rf"\b{initials}\b", text) is None, initials
        live = shown(lead_page)

        lead_page.goto(lead)
        with lead_page.expect_navigation():
            lead_page.get_by_role("button", name="Close the round and store the result").click()
        result = urlsplit(lead_page.locator("#result-url").input_value()).path
        lead_page.goto(f"{base}{result}")
        stored = shown(lead_page)
        assert stored == live
        order = reference.order(reference.RAW, groups.PROFILE)
        scores = reference.scores(reference.RAW, groups.PROFILE)
        assert stored == Shown(
            recommended=catalogue.model(order[0]).name,
            scores=[(catalogue.model(m).name, f"{scores[m]:.1f}") for m in order],
        )

    changed = groups.changed_catalogue(tmp_path)
    assert groups.order_with(changed, groups.PROFILE) != order  # a fresh ranking would differ
    later = env | {"CM_ADVISOR_CATALOGUE_PATH": str(changed)}
    with running_server(later, log=tmp_path / "second.log") as base:
        page = pages.new(viewport=PHONE)
        page.goto(f"{base}{result}")
        expect(page.locator(".catalogue-changed")).to_be_visible()
        assert shown(page) == stored
        page.goto(f"{base}{urlsplit(invite).path}")
        expect(page.locator("h1")).to_have_text("This round has closed")
