"""How a person fills in the questionnaire, by mouse or by keyboard, and what a result shows."""

import re
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

from cm_advisor.engine import Catalogue, Result
from cm_advisor.web import ranked_choice

SUBMIT = "Show me the recommendation"
SAVE_LATER = "Save and finish later"
SCORE = re.compile(r"(\d+\.\d)\s*/ 100")


@dataclass(frozen=True)
class Shown:
    """What a result page shows: the recommended model and every model's score, in order."""

    recommended: str
    scores: list[tuple[str, str]]

    @classmethod
    def expected(cls, catalogue: Catalogue, result: Result) -> "Shown":
        return cls(
            recommended=catalogue.model(result.recommended).name,
            scores=[(catalogue.model(m.model).name, f"{m.score:.1f}") for m in result.ranking],
        )


def shown(page: Page) -> Shown:
    recommended = page.locator("#recommended-title").inner_text().strip()
    scores = []
    for item in page.locator("ol.ranking > li.rank-item").all():
        name = item.locator(".rank-head h3 a").inner_text().strip()
        value = SCORE.search(item.locator(".score-value").first.inner_text())
        assert value, f"no score shown for {name}"
        scores.append((name, value.group(1)))
    return Shown(recommended, scores)


def answer_with_mouse(page: Page, catalogue: Catalogue, answers: dict[str, Any]) -> None:
    """Click each answer's label. Outcomes are ticked in priority order; without JavaScript
    the order fields are visible and typed in (with it, ticking numbers them)."""
    for question in catalogue.questionnaire.questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        if question.kind == "multi":
            for place, value in enumerate(answer, start=1):
                page.locator(f"label[for='{question.id}-{value}']").click()
                order = page.locator(f"#{ranked_choice.order_field(question, value)}")
                if order.is_visible():
                    order.fill(str(place))
        else:
            page.locator(f"label[for='{question.id}-{answer}']").click()


def focused(page: Page) -> dict[str, str]:
    return dict(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return {tag: e.tagName, id: e.id, name: e.name || '', text: e.textContent}; }"
        )
    )


def seek(page: Page, wanted: str, limit: int = 30) -> None:
    """Move focus to the control with this id with Tab or Shift+Tab, whichever way it is."""
    ids = page.evaluate(
        "() => Array.from(document.querySelectorAll('input, button, summary, a, textarea'))"
        ".map(e => e.id)"
    )
    here = focused(page)["id"]
    key = "Tab" if ids.index(wanted) > (ids.index(here) if here in ids else -1) else "Shift+Tab"
    for _ in range(limit):
        if focused(page)["id"] == wanted:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{limit} presses of {key} never reached {wanted!r}")


def tab_to(page: Page, wanted: str, limit: int | None = 40) -> int:
    """Press Tab until the control with this id or name has focus; return how many presses."""
    limit = limit or 60
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted in (now["id"], now["name"]):
            return presses
    raise AssertionError(f"{limit} Tabs never reached {wanted!r}; focus is on {focused(page)}")


def answer_with_keyboard(page: Page, catalogue: Catalogue, answers: dict[str, Any]) -> None:
    """Tab from question to question, Arrow keys to choose, Space to confirm; no clicks.

    Tabbing into a radio group focuses its checked radio, "Not sure", which comes first in
    the group; each ArrowDown moves one option on. Outcomes are ticked with Space in
    priority order, moving between the boxes with Tab and Shift+Tab.
    """
    for question in catalogue.questionnaire.questions:
        answer = answers.get(question.id)
        if question.kind == "multi":
            tab_to(page, f"{question.id}-{question.options[0].id}", limit=2)
            for value in answer or []:
                seek(page, f"{question.id}-{value}")
                page.keyboard.press("Space")
        else:
            # Only the question's closed "How to answer" sits before its radio group.
            tab_to(page, question.id, limit=None if question.id == "acuity" else 3)
            if answer is not None:
                for _ in range(question.option_ids.index(answer) + 1):
                    page.keyboard.press("ArrowDown")
                page.keyboard.press("Space")
    assert page.locator("#label").count() == 1
    tab_to(page, "label", limit=20)
    page.keyboard.type("Typed without a mouse")
    for _ in range(6):
        page.keyboard.press("Tab")
        if focused(page)["text"].strip() == SUBMIT:
            break
    else:
        raise AssertionError(f"the submit button is not reachable by Tab; focus: {focused(page)}")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def checked(page: Page, name: str) -> str:
    """The value of the checked radio in a group ("" for "Not sure")."""
    return str(page.locator(f"input[type=radio][name='{name}']:checked").get_attribute("value"))


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=SUBMIT).click()
