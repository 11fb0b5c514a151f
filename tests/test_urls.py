"""The URL builder is the one place paths are spelled: its shapes are the routes' own, no
template spells a path by hand, and every link a page shows answers."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from cm_advisor.web.urls import Urls
from helpers.archetypes import ARCHETYPES
from helpers.settings import HermeticSettings as Settings

HAND_WRITTEN = re.compile(
    r"""(?:href|src|action|formaction)=["']/|url_for\(|request\.app|app\.state"""
)
LINK = re.compile(r'(?:href|src)="([^"#]+)(?:#[^"]*)?"')


def test_no_template_spells_a_path_or_reads_app_state(settings: Settings) -> None:
    offenders = [
        f"{file.name}:{n}: {line.strip()}"
        for file in sorted(Path(settings.templates_dir).rglob("*.html"))
        for n, line in enumerate(file.read_text().splitlines(), 1)
        if HAND_WRITTEN.search(line)
    ]
    assert offenders == []


def test_the_builders_shapes_are_the_routes_own(client: TestClient) -> None:
    urls: Urls = client.app.state.urls  # type: ignore[attr-defined]
    route = client.app.url_path_for  # type: ignore[attr-defined]
    token, key = "tok", "key"
    pairs = [
        (urls.home(), route("home")),
        (urls.assess(), route("questionnaire_page")),
        (urls.drafts(), route("save_draft")),
        (urls.resume(token), route("resume", token=token)),
        (urls.draft_saved(token), route("draft_saved", token=token)),
        (urls.models(), route("models")),
        (urls.model("clinical"), route("model", model_id="clinical")),
        (urls.result(token), route("result_page", token=token)),
        (urls.result_json(token), route("result_json", token=token)),
        (urls.result_csv(token), route("result_csv", token=token)),
        (urls.result_xlsx(token), route("result_xlsx", token=token)),
        (urls.result_pdf(token), route("result_pdf", token=token)),
        (urls.report(token), route("report_page", token=token)),
        (urls.rescore(token), route("rescore", token=token)),
        (urls.compare(), route("compare")),
        (urls.manage(token, key), route("manage_page", token=token, key=key)),
        (urls.manage_delete(token, key), route("manage_delete", token=token, key=key)),
        (urls.group_new(), route("group_new")),
        (urls.groups(), route("group_create")),
        (urls.group_invite(token), route("group_invitation", invite=token)),
        (urls.group_drafts(token), route("group_save_draft", invite=token)),
        (urls.group_resume(token, key), route("group_resume", invite=token, token=key)),
        (urls.group_draft_saved(token, key), route("group_draft_saved", invite=token, token=key)),
        (
            urls.group_response(token, "rt", key),
            route("group_response_page", invite=token, token="rt", key=key),
        ),
        (urls.group_lead(token, key), route("group_lead", invite=token, key=key)),
        (urls.group_view(token, key), route("group_view", invite=token, key=key)),
        (urls.group_close(token, key), route("group_close", invite=token, key=key)),
        (urls.group_next(token, key), route("group_next", invite=token, key=key)),
        (urls.group_delete(token, key), route("group_delete", invite=token, key=key)),
        (urls.group_result(token), route("group_result", token=token)),
        (urls.manage_delete(token, key), route("manage_delete_confirm", token=token, key=key)),
        (urls.manage_link_file(token, key), route("manage_link_file", token=token, key=key)),
        (urls.docs(), route("docs")),
        (urls.openapi(), "/openapi.json"),
    ]
    assert [built for built, _ in pairs] == [str(expected) for _, expected in pairs]
    assert urls.assess(from_token=token) == "/assess?from=tok"
    assert urls.compare(token) == "/compare?a=tok"
    assert urls.manage(token, key, saved=True) == "/manage/tok/key?saved=1"
    assert urls.group_lead(token, key, new=True) == "/groups/tok/lead/key?new=1"
    assert (
        urls.group_response(token, "rt", key, saved=True) == "/groups/tok/responses/rt/key?saved=1"
    )


def _pages(client: TestClient) -> list[str]:
    body = {"answers": ARCHETYPES["intensive"], "label": "Crawl"}
    created = client.post("/api/v1/assessments", json=body).json()
    other = client.post("/api/v1/assessments", json={"answers": {}}).json()
    manage = urlsplit(created["manage_url"]).path
    group = client.post("/api/v1/groups", json={"label": "Crawl", "roles": ["Nursing"]}).json()
    answered = client.post(
        f"/api/v1/groups/{group['id']}/responses",
        json={"answers": ARCHETYPES["clinical"], "role": "Nursing"},
    ).json()
    lead = urlsplit(group["lead_url"]).path
    client.post(f"/api/v1/groups/{group['id']}/close", headers={"X-Lead-Key": group["lead_key"]})
    result = client.get(f"/api/v1/groups/{group['id']}", headers={"X-Lead-Key": group["lead_key"]})
    second = client.post("/api/v1/groups", json={"label": "Open"}).json()
    return [
        "/groups/new",
        lead,
        lead + "/view",
        urlsplit(result.json()["result_url"]).path,
        urlsplit(second["invite_url"]).path,
        urlsplit(second["lead_url"]).path,
        urlsplit(answered["edit_url"]).path,
        "/",
        "/assess",
        f"/assess?from={created['id']}",
        "/models",
        "/models/clinical",
        f"/r/{created['id']}",
        f"/r/{created['id']}/rescore",
        manage,
        f"{manage}/delete",
        f"/r/{created['id']}/report",
        f"/r/{other['id']}",
        f"/compare?a={created['id']}&b={other['id']}",
        f"/compare?a={created['id']}&b=not-a-result",
        "/nope",
    ]


def test_every_link_a_page_shows_answers(client: TestClient) -> None:
    seen: dict[str, int] = {}
    for page in _pages(client):
        text = client.get(page).text
        for link in LINK.findall(text):
            if link.startswith("/") and link not in seen:
                seen[link] = client.get(link).status_code
    assert {link: status for link, status in seen.items() if status != 200} == {}
    assert any(link.startswith("/r/") and link.endswith(".json") for link in seen)
    assert any(link.startswith("/static/") for link in seen)
