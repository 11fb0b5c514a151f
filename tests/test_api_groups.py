"""Group rounds over the JSON API: create, respond, edit with the response key, read the
group view with the lead key, close; and the round of five people in three roles."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cm_advisor.web.app import create_app
from helpers import groups, reference
from helpers.archetypes import ARCHETYPES
from helpers.settings import HermeticSettings as Settings

ROUND = {"label": "Riverside Health", "roles": list(groups.ROLES)}
SOON = (date.today() + timedelta(days=30)).isoformat()


def open_round(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/groups", json=ROUND | body)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def respond(
    client: TestClient, group: dict[str, Any], answers: dict[str, Any], **extra: Any
) -> Any:
    return client.post(
        f"/api/v1/groups/{group['id']}/responses", json={"answers": answers, **extra}
    )


def lead(group: dict[str, Any]) -> dict[str, str]:
    return {"X-Lead-Key": group["lead_key"]}


def test_a_round_is_created_with_an_invitation_and_a_lead_link_shown_once(
    client: TestClient,
) -> None:
    response = client.post("/api/v1/groups", json=ROUND | {"closes_on": SOON})
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    made = response.json()
    assert made["invite_url"] == f"http://testserver/groups/{made['id']}"
    assert made["lead_url"] == f"http://testserver/groups/{made['id']}/lead/{made['lead_key']}"
    assert len(made["id"]) >= 32 and len(made["lead_key"]) >= 43  # 192 and 256 bits
    assert (made["label"], made["roles"], made["closes_on"]) == (
        "Riverside Health",
        list(groups.ROLES),
        SOON,
    )
    assert made["status"] == "open" and made["closed_at"] is None
    read = client.get(f"/api/v1/groups/{made['id']}", headers=lead(made)).json()
    assert "lead_key" not in read and "lead_url" not in read
    assert (read["responses"], read["group"]) == (0, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": ""}, "label"),
        ({"label": "x" * 201}, "label"),
        ({"roles": ["x" * 61]}, "roles.0"),
        ({"roles": [f"r{i}" for i in range(13)]}, "roles"),
        ({"closes_on": "not a date"}, "closes_on"),
        ({"closes_on": "2000-01-01"}, "closes_on"),
        ({"closes_on": "9999-12-31"}, "closes_on"),  # more than ten years away
        ({"label": " \u0001 "}, "label"),  # nothing but a space and a control character
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_round_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/groups", json=ROUND | body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["detail"]]


def test_a_response_names_its_role_from_the_list_and_gets_its_own_edit_link(
    client: TestClient,
) -> None:
    group = open_round(client)
    made = respond(client, group, ARCHETYPES["clinical"], role="Nursing", initials="JK")
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["role"] == "Nursing" and body["initials"] == "JK"
    assert body["edit_url"].endswith(
        f"/groups/{group['id']}/responses/{body['id']}/{body['edit_key']}"
    )
    bad = respond(client, group, {"acuity": "extreme"})
    assert bad.status_code == 422
    assert "very_high" in bad.json()["detail"][0]["allowed"]
    bad = respond(client, group, {"acuity": "high"}, role="Boss")
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {
            "field": "role",
            "msg": "not one of this round's roles",
            "allowed": list(groups.ROLES),
            "loc": ["body", "role"],
            "type": "value_error",
        }
    ]
    unlisted = respond(client, open_round(client, roles=[]), {}, role="Nursing")
    assert unlisted.status_code == 422 and unlisted.json()["detail"][0]["field"] == "role"
    too_long = respond(client, group, {}, initials="ABCDEFGHI")
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["field"] == "initials"


def test_a_response_key_opens_and_edits_that_response_only(client: TestClient) -> None:
    group = open_round(client)
    first = respond(client, group, ARCHETYPES["clinical"], role="Nursing").json()
    second = respond(client, group, ARCHETYPES["brokerage"], role="Finance").json()
    url = f"/api/v1/groups/{group['id']}/responses/{first['id']}"
    own = client.get(url, headers={"X-Response-Key": first["edit_key"]})
    assert own.status_code == 200 and own.json()["answers"]["acuity"] == "high"
    assert "edit_key" not in own.json()
    for key in ("", second["edit_key"], group["lead_key"]):
        assert client.get(url, headers={"X-Response-Key": key}).status_code == 403
        edited = client.put(url, json={"answers": {}}, headers={"X-Response-Key": key})
        assert edited.status_code == 403
    elsewhere = open_round(client)
    moved = f"/api/v1/groups/{elsewhere['id']}/responses/{first['id']}"
    assert client.get(moved, headers={"X-Response-Key": first["edit_key"]}).status_code == 404

    edited = client.put(
        url,
        json={"answers": ARCHETYPES["intensive"], "role": "Executive", "initials": "Z"},
        headers={"X-Response-Key": first["edit_key"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["answers"]["acuity"] == "very_high"
    assert edited.json()["role"] == "Executive"
    view = client.get(f"/api/v1/groups/{group['id']}", headers=lead(group)).json()
    assert {r["role"]: r["responses"] for r in view["by_role"]} == {
        "Executive": 1,
        "Nursing": 0,
        "Finance": 1,
    }


def test_the_group_view_needs_the_lead_key(client: TestClient) -> None:
    group = open_round(client)
    answered = respond(client, group, ARCHETYPES["clinical"]).json()
    keys: list[str | bytes] = ["", answered["edit_key"], group["id"], "x" * 43, "é".encode()]
    for key in keys:
        response = client.get(f"/api/v1/groups/{group['id']}", headers={"X-Lead-Key": key})
        assert response.status_code == 403, key
        assert "group" not in response.text
        close = client.post(f"/api/v1/groups/{group['id']}/close", headers={"X-Lead-Key": key})
        assert close.status_code == 403
    assert client.get("/api/v1/groups/never-issued", headers=lead(group)).status_code == 404


def test_five_people_in_three_roles_who_disagree_on_two_questions(
    client: TestClient, tmp_path: Path, settings: Settings
) -> None:
    """The group view lists exactly the two disagreements; "discuss these first" names
    only the answers that change the winner, checked by rescoring with the reference; the
    closed result's link shows the same ranking after the catalogue changes."""
    group = open_round(client)
    for role, initials, answers in groups.RESPONDENTS:
        made = respond(client, group, answers, role=role, initials=initials)
        assert made.status_code == 201, made.text
    view = client.get(f"/api/v1/groups/{group['id']}", headers=lead(group)).json()
    assert view["responses"] == 5
    assert [(r["role"], r["responses"]) for r in view["by_role"]] == [
        ("Executive", 2),
        ("Nursing", 2),
        ("Finance", 1),
    ]
    shown = view["group"]
    result = shown["result"]
    assert result["answers"] == groups.PROFILE
    assert set(shown["disagreements"]) == groups.DISAGREEMENTS
    assert len(shown["disagreements"]) == 2
    expected = groups.flips(groups.PROFILE, result["weights"])
    assert shown["discuss_first"] == list(expected)  # staff mix only
    assert result["recommended"] == reference.winner(reference.RAW, groups.PROFILE)
    for question in shown["questions"]:
        found = [(d["answer"], d["model"]) for d in question["decisive"]]
        assert found == expected.get(question["question"], []), question["question"]
    staff = next(q for q in shown["questions"] if q["question"] == "staff_mix")
    assert staff["decisive"][0]["respondents"] == [1]  # the first Executive
    own = [reference.winner(reference.RAW, answers) for _, _, answers in groups.RESPONDENTS]
    assert [m["first_choice"] for m in shown["members"]] == own
    assert [m["role"] for m in shown["members"]] == [r for r, _, _ in groups.RESPONDENTS]
    assert shown["share_agreeing"] == sum(o == result["recommended"] for o in own) / 5
    assert "AB" not in str(shown)  # initials: on the lead's list only, never in the view

    closed = client.post(f"/api/v1/groups/{group['id']}/close", headers=lead(group))
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["result_url"].endswith(body["result_id"])
    assert body["group"]["result"]["ranking"] == result["ranking"]
    for late in (
        respond(client, group, ARCHETYPES["brokerage"]),
        client.post(f"/api/v1/groups/{group['id']}/close", headers=lead(group)),
    ):
        assert late.status_code == 409

    stored = client.get(f"/api/v1/assessments/{body['result_id']}").json()
    assert stored["result"]["ranking"] == result["ranking"]
    assert stored["label"] == "Riverside Health"

    changed = groups.changed_catalogue(tmp_path)
    assert groups.order_with(changed, groups.PROFILE) != [m["model"] for m in result["ranking"]]
    later = Settings(data_dir=settings.data_dir, catalogue_path=changed)
    with TestClient(create_app(later)) as after:
        again = after.get(f"/api/v1/groups/{group['id']}", headers=lead(group)).json()
        assert again["group"] == body["group"]  # the stored result, not a new one
        assert after.get(f"/api/v1/assessments/{body['result_id']}").json() == stored


def test_a_round_past_its_closing_date_takes_no_more_responses(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = open_round(client, closes_on=SOON)
    first = respond(client, group, ARCHETYPES["clinical"]).json()
    from cm_advisor.storage import groups as stored_groups

    later = stored_groups.now().replace(year=3000)
    monkeypatch.setattr(stored_groups, "now", lambda: later)
    monkeypatch.setattr("cm_advisor.storage.groups.Round.past_closing", lambda self, now=None: True)
    assert respond(client, group, ARCHETYPES["clinical"]).status_code == 409
    url = f"/api/v1/groups/{group['id']}/responses/{first['id']}"
    edit = client.put(url, json={"answers": {}}, headers={"X-Response-Key": first["edit_key"]})
    assert edit.status_code == 409
    view = client.get(f"/api/v1/groups/{group['id']}", headers=lead(group)).json()
    assert view["status"] == "closing_date_passed"


def test_closing_a_round_nobody_answered_is_a_409(client: TestClient) -> None:
    group = open_round(client)
    response = client.post(f"/api/v1/groups/{group['id']}/close", headers=lead(group))
    assert response.status_code == 409 and "nobody" in response.json()["detail"]


def test_a_new_round_from_a_closed_one_and_deleting_a_round(client: TestClient) -> None:
    group = open_round(client)
    respond(client, group, ARCHETYPES["clinical"], role="Nursing")
    closed = client.post(f"/api/v1/groups/{group['id']}/close", headers=lead(group)).json()
    made = client.post(
        f"/api/v1/groups/{group['id']}/next",
        json={"label": "Riverside, round 2", "roles": ["Nursing"], "carry_over": True},
        headers=lead(group),
    )
    assert made.status_code == 201, made.text
    second = made.json()
    assert second["previous_id"] == group["id"] and second["status"] == "open"
    assert second["lead_key"] != group["lead_key"]
    read = client.get(f"/api/v1/groups/{second['id']}", headers=lead(second)).json()
    assert read["responses"] == 1
    assert respond(client, second, ARCHETYPES["brokerage"]).status_code == 201

    assert client.delete(f"/api/v1/groups/{group['id']}").status_code == 403
    assert client.delete(f"/api/v1/groups/{group['id']}", headers=lead(group)).status_code == 204
    assert client.get(f"/api/v1/groups/{group['id']}", headers=lead(group)).status_code == 404
    # The stored group result stays, and the lead key manages it.
    result = f"/api/v1/assessments/{closed['result_id']}"
    assert client.get(result).status_code == 200
    assert client.delete(result, headers={"X-Manage-Key": group["lead_key"]}).status_code == 204


def test_group_writes_need_an_api_key_when_keys_are_set(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, api_keys="secret")
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/v1/groups", json=ROUND).status_code == 401
        made = client.post("/api/v1/groups", json=ROUND, headers={"X-API-Key": "secret"})
        assert made.status_code == 201
        group = made.json()
        assert respond(client, group, {}).status_code == 401


def test_the_rate_limit_counts_responses_but_not_refused_ones(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path, rate_limit="3/minute"))) as client:
        group = open_round(client)  # one
        for _ in range(4):
            assert respond(client, group, {}, role="nobody").status_code == 422  # free
        assert respond(client, group, {}).status_code == 201
        assert respond(client, group, {}).status_code == 201
        refused = respond(client, group, {})
        assert refused.status_code == 429 and refused.headers["retry-after"]


def test_the_openapi_documents_the_group_endpoints_with_examples_and_422s(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    operations = {
        ("/api/v1/groups", "post"),
        ("/api/v1/groups/{group_id}", "get"),
        ("/api/v1/groups/{group_id}", "delete"),
        ("/api/v1/groups/{group_id}/close", "post"),
        ("/api/v1/groups/{group_id}/next", "post"),
        ("/api/v1/groups/{group_id}/responses", "post"),
        ("/api/v1/groups/{group_id}/responses/{response_id}", "get"),
        ("/api/v1/groups/{group_id}/responses/{response_id}", "put"),
    }
    for path, method in operations:
        assert "422" in paths[path][method]["responses"], (path, method)
    components = schema["components"]["schemas"]
    assert components["RoundRequest"]["examples"]
    response = components["GroupResponseRequest"]["properties"]
    assert response["role"]["examples"] and "examples" in str(response["answers"])
    assert "403" in paths["/api/v1/groups/{group_id}"]["get"]["responses"]
    assert "409" in paths["/api/v1/groups/{group_id}/responses"]["post"]["responses"]
