"""Saved results: share links that never change, the manage link, exports, compare."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from cm_advisor.web.api_assessments import CreatedAssessment
from cm_advisor.web.app import create_app
from helpers.archetypes import ARCHETYPES
from helpers.html import manage_link
from helpers.servers import running_server
from helpers.settings import DEFAULTS, HermeticSettings


def form_of(answers: dict[str, Any], **extra: str) -> dict[str, str]:
    fields = {k: v for k, v in answers.items() if isinstance(v, str)}
    for i, outcome in enumerate(answers.get("outcomes", []), start=1):
        fields[f"outcomes_{i}"] = outcome
    return fields | extra


def create(client: TestClient, archetype: str = "clinical", **extra: str) -> str:
    response = client.post(
        "/assess", data=form_of(ARCHETYPES[archetype], **extra), follow_redirects=False
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{32,}", location), location
    return location.removeprefix("/r/")


def test_submitting_saves_and_redirects_to_the_share_link(client: TestClient) -> None:
    token = create(client, label="Riverside Health", notes="Before the merger")
    page = client.get(f"/r/{token}")
    assert page.status_code == 200
    assert "Riverside Health" in page.text and "Before the merger" in page.text
    assert "catalogue version 2026.12.1" in page.text
    assert f'value="http://testserver/r/{token}"' in page.text
    assert page.headers["x-robots-tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in page.text


def test_the_manage_link_is_shown_once(client: TestClient) -> None:
    token = create(client)
    first = client.get(f"/r/{token}")
    link = manage_link(first.text)
    assert link.startswith("http://testserver/manage/"), "the creator sees it right after saving"
    again = client.get(f"/r/{token}")
    assert "/manage/" not in again.text
    assert client.get(link).status_code == 200


def test_tokens_are_unique_and_long(client: TestClient) -> None:
    tokens = {create(client) for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 32 for t in tokens)


def test_unknown_token_is_a_404_page(client: TestClient) -> None:
    for path in ("/r/nope", "/r/nope.json", "/r/nope.csv", "/r/nope/rescore", "/manage/nope/x"):
        response = client.get(path)
        assert response.status_code == 404, path
    assert "<h1" in client.get("/r/nope").text


def test_label_html_is_escaped(client: TestClient) -> None:
    token = create(client, label="<script>alert(1)</script>")
    page = client.get(f"/r/{token}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _copy_catalogue(tmp_path: Path) -> tuple[Path, Path]:
    models, questionnaire = tmp_path / "models.yaml", tmp_path / "questionnaire.yaml"
    models.write_text(DEFAULTS.catalogue_path.read_text())
    questionnaire.write_text(DEFAULTS.questionnaire_path.read_text())
    return models, questionnaire


def _scores(page: str) -> list[str]:
    ranking = page[page.index('id="ranking-title"') :]
    return re.findall(r'class="score-value">.*?(\d+\.\d)<', ranking, flags=re.S)


def test_a_stored_result_never_changes_after_the_catalogue_does(tmp_path: Path) -> None:
    models, questionnaire = _copy_catalogue(tmp_path)
    settings = HermeticSettings(
        catalogue_path=models, questionnaire_path=questionnaire, data_dir=tmp_path / "data"
    )
    with TestClient(create_app(settings)) as client:
        token = create(client, "clinical")
        json_before = client.get(f"/r/{token}.json").content
        csv_before = client.get(f"/r/{token}.csv").content
        page_before = client.get(f"/r/{token}").text

    data = yaml.safe_load(models.read_text())
    data["version"] = "2027.01.0"
    for by_model in data["rules"]["staff_mix"].values():
        by_model["clinical"]["fit"] = -2
    data["models"][1]["name"] = "Renamed clinical model"
    models.write_text(yaml.safe_dump(data))

    with TestClient(create_app(settings)) as client:
        assert client.get(f"/r/{token}.json").content == json_before
        assert client.get(f"/r/{token}.csv").content == csv_before
        page_after = client.get(f"/r/{token}").text
        assert _scores(page_after) == _scores(page_before) != []
        assert "The model catalogue has changed" in page_after
        assert "Renamed clinical model" not in page_after  # shown with its own snapshot
        rescored = client.get(f"/r/{token}/rescore")
        assert rescored.status_code == 200
        assert "2027.01.0" in rescored.text and "Renamed clinical model" in rescored.text
        assert client.get(f"/r/{token}.json").content == json_before  # rescoring saved nothing


def test_adjust_answers_prefills_and_creates_a_new_result(client: TestClient) -> None:
    token = create(client, "brokerage", label="Acme")
    before = client.get(f"/r/{token}.json").json()
    form = client.get(f"/assess?from={token}").text
    assert re.search(r'id="acuity-low"[^>]*checked', form)
    assert 'value="Acme"' in form
    changed = form_of(ARCHETYPES["brokerage"] | {"acuity": "very_high"}, label="Acme v2")
    response = client.post("/assess", data=changed, follow_redirects=False)
    new_token = response.headers["location"].removeprefix("/r/")
    assert new_token != token
    assert client.get(f"/r/{token}.json").json() == before
    assert client.get(f"/r/{new_token}.json").json()["result"]["answers"]["acuity"] == "very_high"


def csrf_from(page: str) -> dict[str, str]:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "protected forms carry a CSRF token"
    return {"csrf_token": match.group(1)}


def _manage_path(client: TestClient, token: str) -> str:
    link = manage_link(client.get(f"/r/{token}").text)
    assert link.startswith("http://testserver/manage/")
    return link.removeprefix("http://testserver")


def test_manage_edits_label_and_notes_and_a_wrong_key_is_refused(client: TestClient) -> None:
    token = create(client, label="Old name")
    manage = _manage_path(client, token)
    result_before = client.get(f"/r/{token}.json").json()["result"]
    wrong = manage[: manage.rindex("/")] + "/not-the-key"
    assert client.get(wrong).status_code == 403
    csrf = csrf_from(client.get(manage).text)
    forged = client.post(wrong, data={"label": "Hacked"} | csrf)
    assert forged.status_code == 403
    assert "Old name" in client.get(f"/r/{token}").text
    saved = client.post(manage, data={"label": "New name", "notes": "Checked"} | csrf)
    assert saved.status_code == 200 and "Saved." in saved.text
    after = client.get(f"/r/{token}.json").json()
    assert (after["label"], after["notes"]) == ("New name", "Checked")
    assert after["result"] == result_before


def test_delete_through_the_manage_link(client: TestClient) -> None:
    token = create(client)
    manage = _manage_path(client, token)
    wrong = manage[: manage.rindex("/")] + "/nope"
    csrf = csrf_from(client.get(manage).text)
    assert client.post(f"{wrong}/delete", data=csrf).status_code == 403
    assert client.get(f"/r/{token}").status_code == 200
    deleted = client.post(f"{manage}/delete", data=csrf)
    assert deleted.status_code == 200 and "Result deleted" in deleted.text
    assert client.get(f"/r/{token}").status_code == 404


def test_csv_export_has_one_row_per_model(client: TestClient) -> None:
    token = create(client, "intensive")
    response = client.get(f"/r/{token}.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0]["model"] == "intensive" and rows[0]["reasons"]
    # The columns machines read come first, as before; the answers follow on every row.
    assert list(rows[0])[:7] == ["rank", "model", "name", "score", "fit", "reasons", "concerns"]
    assert all(r["answer_acuity"] == ARCHETYPES["intensive"]["acuity"] for r in rows)
    assert rows[0]["answer_outcomes"] == "|".join(ARCHETYPES["intensive"]["outcomes"])


def test_compare_shows_two_results_side_by_side(client: TestClient) -> None:
    a, b = create(client, "brokerage", label="Before"), create(client, "intensive", label="After")
    page = client.get(f"/compare?a={a}&b=http://testserver/r/{b}")
    assert page.status_code == 200
    assert "Before" in page.text and "After" in page.text
    assert page.text.count("<tr>") >= 6
    assert client.get("/compare").status_code == 200
    assert client.get(f"/compare?a={a}&b=nope").status_code == 404


def test_print_stylesheet_exists() -> None:
    css = (DEFAULTS.static_dir / "css" / "app.css").read_text()
    assert "@media print" in css


# --- API ---------------------------------------------------------------------


def test_api_create_read_delete(client: TestClient) -> None:
    body = {"answers": ARCHETYPES["collaborative"], "label": "Northside", "notes": "n"}
    created = client.post("/api/v1/assessments", json=body)
    assert created.status_code == 201
    data = created.json()
    assert {"id", "url", "manage_url", "result"} <= set(data)
    assert data["url"].endswith(f"/r/{data['id']}")
    assert data["result"]["recommended"] == "collaborative"
    read = client.get(f"/api/v1/assessments/{data['id']}")
    assert read.status_code == 200
    assert read.json()["result"] == data["result"]
    assert "manage_url" not in read.json()

    wrong = client.delete(f"/api/v1/assessments/{data['id']}", headers={"X-Manage-Key": "no"})
    assert wrong.status_code == 403
    assert client.get(f"/api/v1/assessments/{data['id']}").json() == read.json()
    missing = client.delete(f"/api/v1/assessments/{data['id']}")
    assert missing.status_code == 403

    key = data["manage_url"].rsplit("/", 1)[1]
    assert key == data["manage_key"]
    gone = client.delete(f"/api/v1/assessments/{data['id']}", headers={"X-Manage-Key": key})
    assert gone.status_code == 204
    assert client.get(f"/api/v1/assessments/{data['id']}").status_code == 404
    assert client.get(f"/r/{data['id']}").status_code == 404


def test_the_created_body_is_exactly_the_response_model_serialised(client: TestClient) -> None:
    # The 201 body reuses the result's stored JSON; it must match FastAPI's own serialisation.
    adapter = TypeAdapter(CreatedAssessment)
    tricky = 'a ,"manage_url": "x" </script> é'
    for name, answers in ARCHETYPES.items():
        created = client.post(
            "/api/v1/assessments", json={"answers": answers, "label": tricky, "notes": name}
        )
        assert created.status_code == 201
        assert created.headers["content-type"] == "application/json"
        model = adapter.validate_json(created.content)
        assert model.label == tricky
        assert adapter.dump_json(model, by_alias=True) == created.content


def test_api_unknown_ids_and_bad_input(client: TestClient) -> None:
    assert client.get("/api/v1/assessments/nope").status_code == 404
    assert (
        client.delete("/api/v1/assessments/nope", headers={"X-Manage-Key": "x"}).status_code == 404
    )
    bad = client.post("/api/v1/assessments", json={"answers": {"acuity": "extreme"}})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "answers.acuity"
    long_label = client.post("/api/v1/assessments", json={"answers": {}, "label": "x" * 201})
    assert long_label.status_code == 422


# --- two processes --------------------------------------------------------------


def test_two_app_processes_on_one_sqlite_file_see_each_others_results(tmp_path: Path) -> None:
    env = {"CM_ADVISOR_DATA_DIR": str(tmp_path / "shared")}
    with running_server(env) as first, running_server(env) as second:
        made_by_first = httpx.post(
            f"{first}/api/v1/assessments", json={"answers": ARCHETYPES["brokerage"]}
        ).json()["id"]
        made_by_second = httpx.post(
            f"{second}/api/v1/assessments", json={"answers": ARCHETYPES["intensive"]}
        ).json()["id"]
        seen_by_second = httpx.get(f"{second}/api/v1/assessments/{made_by_first}")
        seen_by_first = httpx.get(f"{first}/r/{made_by_second}")
        assert seen_by_second.status_code == 200
        assert seen_by_second.json()["result"]["recommended"] == "brokerage"
        assert seen_by_first.status_code == 200
        assert "Intensive case management" in seen_by_first.text


def test_a_page_cached_in_one_process_follows_edits_and_deletion_in_another(
    tmp_path: Path,
) -> None:
    env = {"CM_ADVISOR_DATA_DIR": str(tmp_path / "shared")}
    with running_server(env) as first, running_server(env) as second:
        made = httpx.post(
            f"{first}/api/v1/assessments",
            json={"answers": ARCHETYPES["brokerage"], "label": "First label"},
        ).json()
        page = f"{first}/r/{made['id']}"
        assert "First label" in httpx.get(page).text
        assert "First label" in httpx.get(page).text  # now served from the first's cache

        manage = made["manage_url"].replace(first, second)
        with httpx.Client() as browser:  # keeps the CSRF cookie, as a browser does
            csrf = csrf_from(browser.get(manage).text)
            edited = browser.post(manage, data={"label": "Second label", "notes": ""} | csrf)
            assert edited.status_code == 303
        relabelled = httpx.get(page).text
        assert "Second label" in relabelled and "First label" not in relabelled

        gone = httpx.delete(
            f"{second}/api/v1/assessments/{made['id']}",
            headers={"X-Manage-Key": made["manage_key"]},
        )
        assert gone.status_code == 204
        assert httpx.get(page).status_code == 404


@pytest.mark.postgres
def test_the_app_runs_on_postgresql(tmp_path: Path) -> None:
    from helpers.databases import fresh_postgres_database

    with fresh_postgres_database() as url:
        settings = HermeticSettings(database_url=url, data_dir=tmp_path)
        with TestClient(create_app(settings)) as client:
            token = create(client, "strengths_based", label="On PostgreSQL")
            assert "On PostgreSQL" in client.get(f"/r/{token}").text
            assert client.get(f"/r/{token}.json").json()["result"]["recommended"] == (
                "strengths_based"
            )


@pytest.mark.parametrize("action", ["", "/delete"])
def test_a_forged_post_without_the_csrf_token_changes_nothing(
    client: TestClient, action: str
) -> None:
    token = create(client, label="Keep me")
    manage = _manage_path(client, token)
    before = client.get(f"/r/{token}.json").json()
    # A cross-site form: the right URL (say it leaked) but no token, or a made-up one.
    for data in ({"label": "Hacked"}, {"label": "Hacked", "csrf_token": "guess"}):
        response = client.post(f"{manage}{action}", data=data)
        assert response.status_code == 403
        assert "another site" in response.text
    other = TestClient(client.app)  # a browser without our cookie, carrying a stolen field
    stolen = csrf_from(client.get(manage).text)
    assert other.post(f"{manage}{action}", data={"label": "Hacked"} | stolen).status_code == 403
    assert client.get(f"/r/{token}.json").json() == before


def test_the_csrf_cookie_is_strict_and_http_only(client: TestClient) -> None:
    token = create(client)
    fresh = TestClient(client.app)
    page = fresh.get(_manage_path(client, token))
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("cm_csrf=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "set-cookie" not in fresh.get("/api/v1/models").headers


def test_a_cached_page_still_follows_label_edits_and_deletion(client: TestClient) -> None:
    token = create(client, label="First label")
    manage = _manage_path(client, token)  # this view shows the manage link: never cached
    assert "First label" in client.get(f"/r/{token}").text
    assert "First label" in client.get(f"/r/{token}").text  # served from the cache
    csrf = csrf_from(client.get(manage).text)
    client.post(manage, data={"label": "Second label", "notes": ""} | csrf)
    page = client.get(f"/r/{token}").text
    assert "Second label" in page and "First label" not in page
    client.post(f"{manage}/delete", data=csrf)
    assert client.get(f"/r/{token}").status_code == 404


def test_a_cached_page_follows_a_notes_only_edit(client: TestClient) -> None:
    """The page-cache key holds the notes, not only the label: editing just the notes
    must not serve the page rendered before."""
    token = create(client, label="Same label", notes="First notes")
    manage = _manage_path(client, token)
    assert "First notes" in client.get(f"/r/{token}").text
    assert "First notes" in client.get(f"/r/{token}").text  # served from the cache
    csrf = csrf_from(client.get(manage).text)
    edited = client.post(manage, data={"label": "Same label", "notes": "Second notes"} | csrf)
    assert edited.status_code == 200  # followed the 303 to the manage page
    page = client.get(f"/r/{token}").text
    assert "Second notes" in page and "First notes" not in page
