"""The web layer at its edges: requests and results the usual paths never make."""

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from starlette.requests import Request

from cm_advisor import engine
from cm_advisor.engine import Catalogue, FieldError
from cm_advisor.web import answers_view, pages, ranked_choice, result_view, share, wording
from cm_advisor.web.verdict_view import verdict_view
from helpers.archetypes import ARCHETYPES, MIXED
from helpers.html import one, parse, text_of
from helpers.tiny import tiny


def _save(client: TestClient, answers: dict[str, Any], **extra: Any) -> str:
    token: str = client.post("/api/v1/assessments", json={"answers": answers, **extra}).json()["id"]
    return token


def test_the_questionnaire_refuses_what_is_not_a_form(client: TestClient) -> None:
    assert client.get("/assess", params={"from": "no-such-result"}).status_code == 404
    json = client.post("/assess", json={"acuity": "high"})
    assert json.status_code == 415
    empty = client.post(
        "/assess", content=b"", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert empty.status_code == 400


def test_head_answers_like_get_without_the_body(client: TestClient) -> None:
    token = _save(client, ARCHETYPES["clinical"])
    for path in ("/healthz", f"/r/{token}", f"/r/{token}.csv"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]


def test_a_cached_result_page_is_served_plain_or_as_304(client: TestClient) -> None:
    token = _save(client, ARCHETYPES["clinical"])
    first = client.get(f"/r/{token}")
    plain = client.get(f"/r/{token}", headers={"Accept-Encoding": "identity"})  # from the cache
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.text == first.text
    assert client.get(f"/r/{token}.json", headers={"If-None-Match": "*"}).status_code == 304


def test_rescoring_answers_the_current_questionnaire_no_longer_takes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _save(client, ARCHETYPES["clinical"])

    def refuse(*args: object, **kwargs: object) -> None:
        raise engine.InvalidInput([FieldError(field="answers.acuity", message="gone")])

    monkeypatch.setattr(share.engine, "score", refuse)
    page = parse(client.get(f"/r/{token}/rescore").text)
    assert "answers.acuity: gone" in text_of(one(page, ".note"))
    assert not page.select(".recommendation")


def test_the_error_page_has_a_fallback_when_it_cannot_render(client: TestClient) -> None:
    app: Any = client.app

    class Broken:
        def TemplateResponse(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("templates are gone")

    request = Request({"type": "http", "method": "GET", "path": "/x", "headers": [], "app": app})
    app.state.templates, kept = Broken(), app.state.templates
    try:
        # On a thread of its own: the browser tests may leave an event loop running here.
        with ThreadPoolExecutor(1) as pool:
            handled = pool.submit(asyncio.run, pages.server_error_handler(request, RuntimeError()))
            response = handled.result()
    finally:
        app.state.templates = kept
    assert response.status_code == 500
    assert b"Something went wrong" in bytes(response.body)
    assert pages._phrase(599) == ""


def test_a_long_label_is_refused_beside_its_field_with_the_answers_kept(
    client: TestClient,
) -> None:
    response = client.post("/assess", data={"acuity": "high", "label": "x" * 201})
    assert response.status_code == 422
    page = parse(response.text)
    assert "Keep the label under 200 characters" in text_of(one(page, "#label-error"))


def test_small_helpers_at_their_edges(catalogue: Catalogue) -> None:
    outcomes = catalogue.question("outcomes")
    assert ranked_choice.chosen(outcomes, {"outcomes_1": "cost", "outcomes_2": "housing"}) == [
        "cost",
        "housing",
    ]
    assert answers_view.answer_text(catalogue, "retired_question", ["a", "b"]) == "a; b"
    assert answers_view._largest_change({}, {}) == ("", 0.0)
    assert result_view.answer_label(catalogue, "outcomes", "cost, housing") == (
        "Lower cost of care; Stable housing"
    )
    assert ("1.25", "Default (1.25)") in wording.weight_choices(1.25)
    assert pages.forms.field_title(catalogue, "tier_high") == catalogue.tiers[0].label


def test_a_catalogue_without_graded_evidence_shows_none(catalogue: Catalogue) -> None:
    small = tiny(["alpha", "beta", "gamma"])
    result = engine.score(small, {"q1": "a", "q2": "x"})
    assert result.verdict is not None
    assert result_view.evidence(small, result, verdict_view(small, result)) == []
    alone = result.model_copy(update={"ranking": result.ranking[:1]})
    assert verdict_view(small, alone).score_words.endswith("out of 100.")  # no runner-up


def test_the_workbook_lists_each_risk_tier_under_staffing(client: TestClient) -> None:
    population = {"size": 12000, "tiers": {"high": 30, "rising": 20, "low": 50}}
    token = _save(client, MIXED, population=population)
    response = client.get(f"/r/{token}.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content))["Staffing"].iter_rows(values_only=True))
    groups = [r[0] for r in rows[1:]]
    assert groups[0] == "Whole population"
    assert len(groups) == 1 + 3
