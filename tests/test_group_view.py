"""The group view's parts that tests of whole rounds reach only by chance: answers the
catalogue no longer has, ties, ranked answers, averages that disagree, the forms' limits
and the questionnaire's edges on a round."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cm_advisor.engine import Catalogue
from cm_advisor.storage import groups as stored_groups
from cm_advisor.storage.groups import Response
from cm_advisor.web import group_forms, group_rounds
from cm_advisor.web.app import create_app
from cm_advisor.web.group_view import member_name, respondent
from helpers.archetypes import ARCHETYPES
from helpers.html import one, parse, text_of
from helpers.settings import HermeticSettings as Settings


def stored(answers: dict[str, Any], weights: dict[str, Any], population: Any) -> Response:
    now = datetime.now(UTC)
    return Response("t", 1, "", "", now, now, answers, weights, population, True)


def test_answers_the_catalogue_no_longer_has_are_left_out(catalogue: Catalogue) -> None:
    kept = respondent(
        catalogue,
        stored(
            {"acuity": "gone", "budget": "flexible", "wizardry": "x"},
            {"budget": 9, "nope": 1, "staffing": 2},
            {"size": 100, "tiers": {"high": 50}},  # no longer adds up
        ),
    )
    assert kept.input.answers == {"budget": "flexible"}
    assert kept.input.weights == catalogue.default_weights | {"staffing": 2}
    assert kept.input.population is None


def test_names_on_anything_shareable_are_numbers_and_roles() -> None:
    assert member_name(3, "Nursing") == "Respondent 3 (Nursing)"
    assert member_name(1, "") == "Respondent 1"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"label": "x" * 201}, {"label"}),
        ({"label": "Acme", "roles": "\n".join(f"r{i}" for i in range(13))}, {"roles"}),
        ({"label": "Acme", "roles": "x" * 61}, {"roles"}),
        ({"label": "Acme", "closes_on": "31/01/2027"}, {"closes_on"}),
        ({"label": "Acme", "closes_on": "9999-12-31"}, {"closes_on"}),
        ({"label": "\u0007"}, {"label"}),
        ({"label": "Acme", "roles": " Nursing \n\nNursing\nFinance"}, set()),
    ],
)
def test_the_round_form_s_limits(fields: dict[str, str], errors: set[str]) -> None:
    parsed = group_forms.parse_round(fields)
    assert set(parsed.errors) == errors
    if not errors:
        assert parsed.roles == ("Nursing", "Finance")


def test_a_closing_date_is_the_last_day_answers_are_taken() -> None:
    moment = group_rounds.closes_at(date(2027, 1, 31))
    assert moment == datetime(2027, 2, 1, tzinfo=UTC)
    assert group_rounds.closing_date_error(date.today() - timedelta(days=1)) is not None
    assert group_rounds.closing_date_error(datetime.now(UTC).date()) is None


def test_a_round_whose_averages_disagree_says_so(tmp_path: Path, catalogue: Catalogue) -> None:
    """Clinical and collaborative organizations: no majority on the practice approach, the
    outcomes ranked differently, one person skipping the budget, and averaging their own
    scores puts another model first than the combined answers."""
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        made = client.post("/api/v1/groups", json={"label": "Pair"}).json()
        second = dict(ARCHETYPES["collaborative"])
        del second["budget"]
        for answers in (ARCHETYPES["clinical"], second):
            url = f"/api/v1/groups/{made['id']}/responses"
            assert client.post(url, json={"answers": answers}).status_code == 201
        read = client.get(f"/api/v1/groups/{made['id']}", headers={"X-Lead-Key": made["lead_key"]})
        group = read.json()["group"]
        assert group["average_winner"] != group["result"]["recommended"]
        practice = next(q for q in group["questions"] if q["question"] == "practice_approach")
        assert practice["group_answer"] is None and practice["agreement"] == "divided"
        outcomes = next(q for q in group["questions"] if q["question"] == "outcomes")
        assert all(isinstance(d["answer"], list) for d in outcomes["decisive"])

        page = parse(client.get(f"/groups/{made['id']}/lead/{made['lead_key']}/view").text)
        note = text_of(one(page, ".average-note"))
        assert "Averaging gives another answer" in note
        assert catalogue.model(group["average_winner"]).name in note
        budget = [text_of(td) for td in one(page, "#question-budget").select("td")]
        assert budget[1] == "1 person (of 2)"
        assert "none (no majority)" in text_of(one(page, "#question-practice_approach"))
        if outcomes["decisive"]:
            assert " › " in text_of(one(page, "#discuss-outcomes"))


def test_the_round_s_questionnaire_refuses_what_is_not_a_filled_in_form(
    client: TestClient,
) -> None:
    made = client.post("/api/v1/groups", json={"label": "Acme"}).json()
    invite = f"/groups/{made['id']}"
    page = client.get(invite).text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(invite, data={"csrf_token": token}).status_code == 400
    as_json = client.post(invite, json={"acuity": "low"}, headers={"x-csrf": token})
    assert as_json.status_code in (403, 415)


def test_drafts_and_resume_links_of_a_round_that_is_gone_or_closed(
    client: TestClient, catalogue: Catalogue
) -> None:
    made = client.post("/api/v1/groups", json={"label": "Acme"}).json()
    invite = f"/groups/{made['id']}"
    missing = client.get(f"{invite}/resume/never-issued")
    assert missing.status_code == 404 and "expired" in missing.text
    assert client.get(f"{invite}/resume/never-issued/saved").status_code == 404
    page = client.get(invite).text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    saved = client.post(
        f"{invite}/drafts", data={"csrf_token": token, "acuity": "low"}, follow_redirects=False
    )
    resume = saved.headers["location"].removesuffix("/saved")
    client.post(f"/api/v1/groups/{made['id']}/responses", json={"answers": {}})
    client.post(f"/api/v1/groups/{made['id']}/close", headers={"X-Lead-Key": made["lead_key"]})
    assert client.get(resume).status_code == 409
    again = client.post(f"{invite}/drafts", data={"csrf_token": token, "acuity": "low"})
    assert again.status_code == 409


def test_a_full_round_refuses_more_answers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored_groups, "RESPONSES_MAX", 1)
    made = client.post("/api/v1/groups", json={"label": "Acme"}).json()
    url = f"/api/v1/groups/{made['id']}/responses"
    assert client.post(url, json={"answers": {}}).status_code == 201
    full = client.post(url, json={"answers": {}})
    assert full.status_code == 409 and "1 responses" in full.json()["detail"]
    invite = f"/groups/{made['id']}"
    token = client.get(invite).text.split('name="csrf_token" value="')[1].split('"')[0]
    page = client.post(invite, data={"csrf_token": token, "acuity": "low"})
    assert page.status_code == 409


def test_a_population_that_does_not_add_up_is_named_beside_a_wrong_role(
    client: TestClient,
) -> None:
    made = client.post("/api/v1/groups", json={"label": "Acme", "roles": ["Nursing"]}).json()
    body = {"answers": {}, "role": "Chief", "population": {"size": 10, "tiers": {"high": 5}}}
    response = client.post(f"/api/v1/groups/{made['id']}/responses", json=body)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["detail"]} == {"population.tiers", "role"}
