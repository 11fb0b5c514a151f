"""The JSON API through httpx: scoring, the catalogue, and every 422."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cm_advisor.engine import Catalogue
from helpers.archetypes import ARCHETYPES, MIXED


def test_score_returns_the_documented_shape(client: TestClient, catalogue: Catalogue) -> None:
    response = client.post("/api/v1/score", json={"answers": ARCHETYPES["intensive"]})
    assert response.status_code == 200
    body = response.json()
    assert body["recommended"] == "intensive"
    assert body["confidence"] in {"high", "medium", "low"}
    assert body["catalogue_version"] == catalogue.version
    assert body["engine_version"]
    assert body["unanswered"] == []
    first = body["ranking"][0]
    assert set(first) >= {"model", "name", "rank", "score", "fit", "reasons", "concerns"}
    assert {"question", "answer", "points", "why"} <= set(first["contributions"][0])
    assert [m["rank"] for m in body["ranking"]] == [1, 2, 3, 4, 5]
    for hybrid in body["hybrids"]:
        assert {"models", "title", "rationale"} <= set(hybrid)


def test_weights_are_applied_and_echoed(client: TestClient) -> None:
    response = client.post(
        "/api/v1/score", json={"answers": ARCHETYPES["clinical"], "weights": {"budget": 3}}
    )
    assert response.status_code == 200
    assert response.json()["weights"]["budget"] == 3


def test_partial_answers_list_the_unanswered(client: TestClient) -> None:
    response = client.post("/api/v1/score", json={"answers": {"acuity": "high"}})
    assert response.status_code == 200
    assert "budget" in response.json()["unanswered"]
    assert response.json()["confidence"] == "low"


def _error(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    first: dict[str, Any] = detail[0]
    return first


@pytest.mark.parametrize(
    ("body", "field", "allowed_has"),
    [
        ({"answers": {"acuity": "extreme"}}, "answers.acuity", "very_high"),
        ({"answers": {"acuity": 3}}, "answers.acuity", "very_high"),
        ({"answers": {"wizardry": "high"}}, "answers.wizardry", "acuity"),
        ({"answers": {"outcomes": "cost"}}, "answers.outcomes", "self_management"),
        ({"answers": {"outcomes": ["cost", "cost"]}}, "answers.outcomes", "quality"),
        ({"answers": {"outcomes": ["nope"]}}, "answers.outcomes", "quality"),
        ({"answers": {}, "weights": {"acuity": 4}}, "weights.acuity", "3 (critical)"),
        ({"answers": {}, "weights": {"acuity": "high"}}, "weights.acuity", "3 (critical)"),
        ({"answers": {}, "weights": {"nope": 1}}, "weights.nope", "acuity"),
    ],
)
def test_bad_input_is_a_422_naming_field_and_allowed_values(
    client: TestClient, body: dict[str, Any], field: str, allowed_has: str
) -> None:
    error = _error(client.post("/api/v1/score", json=body))
    assert error["field"].startswith(field)
    assert any(allowed_has in a for a in error["allowed"]), error


def test_too_many_outcomes_is_a_422(client: TestClient) -> None:
    outcomes = ["cost", "quality", "experience", "utilization", "readmissions", "self_management"]
    error = _error(
        client.post("/api/v1/score", json={"answers": {"outcomes": [*outcomes, "cost"]}})
    )
    assert error["field"] == "answers.outcomes"


def test_malformed_json_is_a_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/score", content=b'{"answers": {', headers={"content-type": "application/json"}
    )
    assert _error(response)["type"] == "json_invalid"


@pytest.mark.parametrize("body", [[], "text", {"answers": []}, {}, {"answers": {}, "extra": 1}])
def test_wrong_shapes_are_a_422(client: TestClient, body: Any) -> None:
    assert _error(client.post("/api/v1/score", json=body))["msg"]


def test_models_and_questionnaire_for_integrators(client: TestClient) -> None:
    models = client.get("/api/v1/models").json()
    assert [m["id"] for m in models] == [
        "brokerage",
        "clinical",
        "strengths_based",
        "intensive",
        "collaborative",
    ]
    one = client.get("/api/v1/models/intensive").json()
    assert one["evidence"] and one["intensity"]["caseload"]["low"] > 0
    assert client.get("/api/v1/models/nope").status_code == 404
    questionnaire = client.get("/api/v1/questionnaire").json()
    ids = {q["id"]: [o["id"] for o in q["options"]] for q in questionnaire["questions"]}
    assert ids["acuity"] == ["low", "moderate", "high", "very_high"]
    assert ids["outcomes"] == [
        "cost",
        "quality",
        "experience",
        "utilization",
        "readmissions",
        "self_management",
        "linkage",
        "housing",
    ]


def test_healthz(client: TestClient, catalogue: Catalogue) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["catalogue_version"] == catalogue.version


def test_openapi_documents_every_question_with_its_options(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    answers = schema["components"]["schemas"]["Answers"]["properties"]
    assert "acuity" in answers
    assert "very_high" in str(answers["acuity"])
    assert client.get("/docs").status_code == 200


def test_score_includes_robustness_and_what_if(client: TestClient) -> None:
    body = client.post("/api/v1/score", json={"answers": ARCHETYPES["clinical"]}).json()
    robustness = body["robustness"]
    assert set(robustness["first_place_share"]) == {m["model"] for m in body["ranking"]}
    assert sum(robustness["first_place_share"].values()) == pytest.approx(1, abs=1e-3)
    assert robustness["samples"] >= 1000
    assert "comes first in" in robustness["text"]
    for proposal in body["what_if"]:
        assert {"model", "changes", "text"} <= set(proposal)
        changed = {**body["answers"], **proposal["changes"]}
        again = client.post("/api/v1/score", json={"answers": changed}).json()
        assert again["recommended"] == proposal["model"]


def test_population_tiers_give_a_tiered_hybrid_with_staffing(client: TestClient) -> None:
    population = {"size": 12000, "tiers": {"high": 30, "rising": 20, "low": 50}}
    body = client.post("/api/v1/score", json={"answers": MIXED, "population": population}).json()
    tiered = next(h for h in body["hybrids"] if h["tiers"])
    assert [t["patients"] for t in tiered["tiers"]] == [3600, 2400, 6000]
    assert tiered["case_managers"]["low"] == sum(t["case_managers"]["low"] for t in tiered["tiers"])
    assert tiered["case_managers"]["high"] == sum(
        t["case_managers"]["high"] for t in tiered["tiers"]
    )
    assert body["staffing"]["patients"] == 12000


@pytest.mark.parametrize(
    ("population", "field"),
    [
        ({"size": 100, "tiers": {"high": 5, "rising": 20, "low": 70}}, "population.tiers"),
        ({"size": -5, "tiers": {}}, "population.size"),
        ({"size": 100, "tiers": {"top": 100}}, "population.tiers.top"),
    ],
)
def test_bad_population_is_a_422(client: TestClient, population: Any, field: str) -> None:
    response = client.post("/api/v1/score", json={"answers": {}, "population": population})
    assert _error(response)["field"] == field


def test_weights_outside_0_to_3_are_a_422(client: TestClient) -> None:
    for value in (-0.1, 3.01, "x", None, [1]):
        response = client.post("/api/v1/score", json={"answers": {}, "weights": {"budget": value}})
        if value is None:
            assert response.status_code == 200  # null means "use the default"
        else:
            assert _error(response)["field"].startswith("weights.budget")


def test_openapi_documents_the_new_fields_with_examples(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in (
        "Robustness",
        "WhatIf",
        "TierPlan",
        "Staffing",
        "StaffRange",
        "Population",
        "PopulationInput",
    ):
        schema = schemas[name]
        assert schema.get("examples") or all(
            "examples" in p for p in schema["properties"].values()
        ), name
    result = schemas["Result"]["properties"]
    assert {"robustness", "what_if", "population", "staffing"} <= set(result)
    request = schemas["ScoreRequest"]["properties"]
    assert "examples" in request["population"] or "examples" in str(request["population"])
    assert "examples" in str(request["weights"])
