"""Conditional GETs of stored results: an ETag for what the page or export shows, 304 when
the browser holds it, a new ETag once the label or notes change, never a stale page."""

import pytest
from fastapi.testclient import TestClient

from helpers.archetypes import ARCHETYPES

EXPORTS = ("", ".json", ".csv", ".xlsx", ".pdf", "/report")


def _create(client: TestClient, label: str = "Before") -> tuple[str, str]:
    body = {"answers": ARCHETYPES["clinical"], "label": label, "notes": "first notes"}
    created = client.post("/api/v1/assessments", json=body).json()
    return created["id"], created["manage_url"].replace("http://testserver", "")


def _edit(client: TestClient, manage: str, label: str, notes: str) -> None:
    page = client.get(manage)
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    fields = {"csrf_token": token, "label": label, "notes": notes}
    saved = client.post(manage, data=fields, follow_redirects=False)
    assert saved.status_code == 303


@pytest.mark.parametrize("suffix", EXPORTS)
def test_a_stored_result_answers_304_when_the_browser_has_it(
    client: TestClient, suffix: str
) -> None:
    token, _ = _create(client)
    first = client.get(f"/r/{token}{suffix}")
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get(f"/r/{token}{suffix}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "private, no-cache"
    other = client.get(f"/r/{token}{suffix}", headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200
    assert other.content == first.content


@pytest.mark.parametrize(
    ("suffix", "change"),
    [
        ("", "label"),
        ("", "notes"),
        (".json", "label"),
        (".json", "notes"),
        (".csv", "label"),
        ("/report", "label"),
        (".xlsx", "notes"),
        (".pdf", "label"),
    ],
)
def test_editing_the_label_or_notes_changes_the_etag(
    client: TestClient, suffix: str, change: str
) -> None:
    token, manage = _create(client)
    old = client.get(f"/r/{token}{suffix}")
    label, notes = ("After", "first notes") if change == "label" else ("Before", "new notes")
    _edit(client, manage, label, notes)
    fresh = client.get(f"/r/{token}{suffix}", headers={"If-None-Match": old.headers["etag"]})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != old.headers["etag"]
    if suffix not in (".xlsx", ".pdf"):
        assert (label if change == "label" else notes) in fresh.text


def test_the_csv_etag_stays_when_only_the_notes_change(client: TestClient) -> None:
    """The CSV carries the label but not the notes: edited notes leave what it shows as it was."""
    token, manage = _create(client)
    old = client.get(f"/r/{token}.csv")
    _edit(client, manage, "Before", "new notes")
    again = client.get(f"/r/{token}.csv", headers={"If-None-Match": old.headers["etag"]})
    assert again.status_code == 304


def test_the_etag_survives_a_restart_of_the_page_cache(client: TestClient) -> None:
    token, _ = _create(client)
    etag = client.get(f"/r/{token}").headers["etag"]
    client.app.state.page_cache._pages.clear()  # type: ignore[attr-defined]
    assert client.get(f"/r/{token}", headers={"If-None-Match": etag}).status_code == 304


def test_the_page_that_shows_the_manage_link_is_never_kept(client: TestClient) -> None:
    form = client.post("/assess", data={"acuity": "high"})
    assert form.status_code == 200  # followed the 303 to the result
    assert form.history[0].status_code == 303
    assert "Keep your private manage link" in form.text
    assert form.headers["cache-control"] == "no-store"
    assert "etag" not in form.headers


def test_a_deleted_result_is_gone_whatever_the_browser_holds(client: TestClient) -> None:
    token, manage = _create(client)
    etag = client.get(f"/r/{token}").headers["etag"]
    page = client.get(manage)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post(f"{manage}/delete", data={"csrf_token": csrf}).status_code == 200
    assert client.get(f"/r/{token}", headers={"If-None-Match": etag}).status_code == 404
    assert client.get(f"/r/{token}.json", headers={"If-None-Match": "*"}).status_code == 404
