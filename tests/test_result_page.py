"""The result page as a reader meets it: nothing said twice, answers in words, and a result
saved before the verdicts existed showing what it showed."""

from typing import Any

import pytest
from bs4 import Tag
from fastapi.testclient import TestClient

from cm_advisor import engine
from cm_advisor.engine import Catalogue
from helpers.archetypes import ARCHETYPES, MIXED
from helpers.html import one, parse, text_of

CASES: dict[str, dict[str, Any]] = {
    **{name: {"answers": answers} for name, answers in ARCHETYPES.items()},
    "tie": {
        "answers": MIXED,
        "population": {"size": 12000, "tiers": {"high": 30, "rising": 20, "low": 50}},
    },
    "close": {"answers": ARCHETYPES["collaborative"] | {"complex_needs": "few"}},
    "empty": {"answers": {}},
}
# Text a reader reads once: paragraphs, list items, cells, captions (headings name models
# more than once, as headings do). The appendix's score tables (which trace every point to
# its reason), the jump links and text only screen readers get (each chart's table) are
# left out: they restate, on purpose, what the page says.
READ = "p, li, dd, td, figcaption"
MIN_CHARS = 25


def _page(client: TestClient, case: dict[str, Any]) -> Tag:
    body = {**case, "label": "Riverside Health", "notes": "Before the merger"}
    token = client.post("/api/v1/assessments", json=body).json()["id"]
    response = client.get(f"/r/{token}")
    assert response.status_code == 200
    return parse(response.text)


def _read_once(page: Tag) -> list[str]:
    main = one(page, "main")
    for skipped in main.select("#scores, .visually-hidden, .print-only, svg, .on-this-page"):
        skipped.decompose()
    texts = [text_of(e) for e in main.select(READ) if not e.select(READ)]  # innermost only
    return [t for t in texts if len(t) >= MIN_CHARS]


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_text_is_said_twice_on_a_result_page(client: TestClient, name: str) -> None:
    texts = _read_once(_page(client, CASES[name]))
    repeated = sorted({t for t in texts if texts.count(t) > 1})
    assert repeated == []


@pytest.mark.parametrize("name", sorted(ARCHETYPES))
def test_a_lower_model_says_what_counts_against_it_never_its_strengths(
    client: TestClient, catalogue: Catalogue, name: str
) -> None:
    page = _page(client, CASES[name])
    expected = engine.score(catalogue, ARCHETYPES[name])
    for ms in expected.ranking[1:]:
        item = one(page, f"#rank-{ms.model}")
        shown = [text_of(li) for li in item.select("ul.behind li")]
        assert shown == list(ms.behind_top)
        for reason in ms.reasons:
            assert reason not in text_of(item)  # its strengths are not "why it ranked lower"
        others = [text_of(li) for li in item.select("ul.cons li")]
        assert all(not any(b.endswith(c) for b in shown) for c in others)
        assert set(others) | {c for c in ms.concerns if any(b.endswith(c) for b in shown)} == set(
            ms.concerns
        )


def test_answers_are_shown_as_the_labels_chosen_never_as_ids(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = _page(client, CASES["intensive"])
    rows = one(page, ".answers-table tbody").select("tr")
    for row, question in zip(rows, catalogue.questionnaire.questions, strict=True):
        answer = ARCHETYPES["intensive"][question.id]
        cell = text_of(row.select("td")[0])
        if isinstance(answer, str):
            assert cell == question.option(answer).label
        else:
            assert cell == "; ".join(
                f"{i}. {question.option(a).label}" for i, a in enumerate(answer, 1)
            )
    shown = text_of(one(page, "main"))
    assert "non_clinical" not in shown and "very_high" not in shown


def test_the_evidence_section_grades_what_is_recommended(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = _page(client, CASES["intensive"])
    section = one(page, "#evidence")
    strength = catalogue.model("intensive").evidence_strength
    assert strength is not None
    assert "Evidence: very low to moderate" in text_of(section)
    assert strength.summary in text_of(section)
    studies = section.select(".references li")
    assert len(studies) == len(catalogue.model("intensive").evidence)
    assert "Graded very low to moderate by the source." in text_of(studies[0])
    assert "save" not in text_of(one(section, ".evidence-model > p")).lower().replace(
        "savings are not guaranteed", ""
    )
