"""Save and finish later: drafts in storage, the /drafts and /resume pages, and the
questionnaire's progress and save button as the server renders them."""

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from cm_advisor.engine import Catalogue
from cm_advisor.storage import Store
from cm_advisor.storage.drafts import DraftTooLarge, load_draft, purge_expired, save_draft
from cm_advisor.storage.schema import SCHEMA_HEAD
from cm_advisor.storage.tables import drafts
from cm_advisor.web.app import create_app
from cm_advisor.web.security import redact
from helpers.databases import database
from helpers.html import checked, one, parse, ranked, text_of
from helpers.settings import HermeticSettings

RESUME = re.compile(r"/resume/([A-Za-z0-9_-]{32})/saved")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with database(request.param, tmp_path) as url:
        s = Store(url)
        s.migrate()
        yield s
        s.close()


def csrf(client: TestClient) -> dict[str, str]:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/assess").text)
    assert match, "the questionnaire must carry the CSRF field for its save button"
    return {"csrf_token": match.group(1)}


def save(client: TestClient, **fields: str) -> str:
    response = client.post("/drafts", data=csrf(client) | fields, follow_redirects=False)
    assert response.status_code == 303, response.text
    match = RESUME.fullmatch(response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


# --- storage ----------------------------------------------------------------------------


def test_a_draft_keeps_its_fields_until_it_expires(store: Store) -> None:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    draft = save_draft(store.engine, {"acuity": "high", "label": "Ward 7", "budget": ""}, 30, now)
    assert len(draft.token) == 32
    assert draft.fields == {"acuity": "high", "label": "Ward 7"}  # empty fields are not kept
    assert draft.expires_at == now + timedelta(days=30)
    found = load_draft(store.engine, draft.token, now + timedelta(days=29))
    assert found is not None
    assert found.fields == draft.fields
    assert found.created_at == now and found.expires_at.tzinfo is not None
    assert load_draft(store.engine, draft.token, now + timedelta(days=30)) is None
    assert load_draft(store.engine, "unknown", now) is None


def test_saving_a_draft_purges_expired_ones(store: Store) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    old = save_draft(store.engine, {"acuity": "low"}, 1, start)
    save_draft(store.engine, {"acuity": "high"}, 30, start + timedelta(days=2))

    def count() -> int:
        with store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(drafts)).scalar_one())

    assert count() == 1
    assert load_draft(store.engine, old.token, start) is None
    assert purge_expired(store.engine, start + timedelta(days=60)) == 1
    assert count() == 0


def test_opening_the_store_purges_expired_drafts(store: Store) -> None:
    """An instance that saves no draft still drops expired ones, at its next start."""
    expired = save_draft(store.engine, {"acuity": "low"}, 1, datetime(2026, 1, 1, tzinfo=UTC))
    kept = save_draft(store.engine, {"acuity": "high"}, 30)
    restarted = Store(store.url)
    assert restarted.open()
    with store.engine.connect() as conn:
        tokens = set(conn.execute(select(drafts.c.token)).scalars())
    assert tokens == {kept.token} and expired.token not in tokens
    restarted.close()


def test_drafts_refuse_what_no_questionnaire_sends(store: Store) -> None:
    with pytest.raises(DraftTooLarge):
        save_draft(store.engine, {f"field_{i}": "x" for i in range(500)}, 30)
    with pytest.raises(DraftTooLarge):
        save_draft(store.engine, {"notes": "x" * 20_000}, 30)
    kept = save_draft(store.engine, {"notes": "line\x00one\r\nline two"}, 30)
    assert kept.fields == {"notes": "lineone\r\nline two"}  # no NUL: PostgreSQL refuses it


def test_the_migration_creates_the_drafts_table(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
        assert conn.execute(text("SELECT count(*) FROM drafts")).scalar() == 0


# --- pages -----------------------------------------------------------------------------


def test_save_and_finish_later_shows_a_private_resume_link(client: TestClient) -> None:
    token = save(client, acuity="high", outcomes_1="cost", label="Ward 7", notes="Half done")
    response = client.get(f"/resume/{token}/saved")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-robots-tag"].startswith("noindex")
    page = parse(response.text)
    assert text_of(one(page, "h1")) == "Your answers are saved"
    link = one(page, "#resume-url")
    assert link["value"] == f"http://testserver/resume/{token}"
    assert link.has_attr("readonly")
    assert one(page, "button[data-copy-target=resume-url]")
    assert "2 of 16 questions are answered so far" in text_of(one(page, "p.lead"))
    facts = text_of(one(page, "ul.draft-facts"))
    expires = (datetime.now(UTC) + timedelta(days=30)).strftime("%-d %B %Y")
    assert f"It works until {expires}, 30 days from now" in facts
    assert "It holds no patient data" in facts
    assert text_of(one(page, f"a[href='http://testserver/resume/{token}']")) == "Continue now"


def test_the_resume_link_reopens_the_questionnaire_filled_in(client: TestClient) -> None:
    fields = {"acuity": "very_high", "outcomes_1": "quality", "outcomes_2": "cost"}
    token = save(client, **fields, weight_budget="3", label="Ward 7", notes="Half done")
    response = client.get(f"/resume/{token}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = parse(response.text)
    assert checked(page, "acuity") == ["very_high"]
    assert checked(page, "budget") == [""]  # unanswered stays "Not sure"
    assert ranked(page, "outcomes") == ["quality", "cost"]  # a draft's fields, either way
    assert one(page, "#label")["value"] == "Ward 7"
    assert text_of(one(page, "#notes")) == "Half done"
    assert "Welcome back" in text_of(one(page, "div.resume-note"))
    form = one(page, "form.questionnaire")
    assert form.has_attr("data-prefilled")
    assert not form.has_attr("data-autosave-days")  # browser storage never overrides a draft
    # acuity and outcomes: a changed importance is not an answer
    assert text_of(one(page, "#progress-count")) == "2 of 16 answered"


def test_each_save_makes_a_new_link_and_keeps_unknown_fields_out(client: TestClient) -> None:
    first = save(client, acuity="high", evil="<script>", csrf_token_extra="x")
    second = save(client, acuity="high")
    assert first != second
    page = client.get(f"/resume/{first}").text
    assert "evil" not in page and "&lt;script&gt;" not in page


def test_an_invalid_draft_is_kept_and_checked_only_on_submit(client: TestClient) -> None:
    token = save(client, acuity="sometimes", population_size_number="12000", tier_high="90")
    page = parse(client.get(f"/resume/{token}").text)
    assert not page.select("div.error-summary")
    assert one(page, "#tier_high")["value"] == "90"
    assert one(page, "#population_size_number")["value"] == "12000"


@pytest.mark.parametrize("path", ["/resume/{}", "/resume/{}/saved"])
def test_unknown_or_expired_resume_links_are_404(client: TestClient, path: str) -> None:
    response = client.get(path.format("no-such-draft"))
    assert response.status_code == 404
    page = parse(response.text)
    assert text_of(one(page, "h1")) == "This resume link has expired or does not exist"
    assert "kept for 30 days" in text_of(one(page, "p.lead"))


def test_an_expired_draft_is_gone(tmp_path: Path) -> None:
    settings = HermeticSettings(data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        token = save(client, acuity="high")
        store: Store = client.app.state.store  # type: ignore[attr-defined]
        with store.engine.begin() as conn:
            conn.execute(
                drafts.update().values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        assert client.get(f"/resume/{token}").status_code == 404


def test_the_draft_lifetime_is_a_setting(tmp_path: Path) -> None:
    with TestClient(create_app(HermeticSettings(data_dir=tmp_path, draft_days=7))) as client:
        token = save(client, acuity="high")
        page = parse(client.get(f"/resume/{token}/saved").text)
        assert "7 days from now" in text_of(one(page, "ul.draft-facts"))
        assert "for 7 days" in text_of(one(parse(client.get("/assess").text), "#save-later-help"))
    with pytest.raises(ValueError, match="draft_days"):
        HermeticSettings(data_dir=tmp_path, draft_days=0)


def test_saving_a_draft_needs_the_csrf_token(client: TestClient) -> None:
    client.get("/assess")  # has the cookie, not the field
    for data in ({"acuity": "high"}, {"acuity": "high", "csrf_token": "guess"}):
        response = client.post("/drafts", data=data, follow_redirects=False)
        assert response.status_code == 403


def test_resume_links_never_reach_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cm_advisor")
    token = save(client, acuity="high")
    client.get(f"/resume/{token}/saved")
    client.get(f"/resume/{token}")
    assert redact(f"/resume/{token}/saved") == "/resume/…"
    assert token not in caplog.text
    assert "/resume/…" in caplog.text


# --- the questionnaire: save button and progress ------------------------------------------


def test_the_questionnaire_offers_save_and_finish_later(client: TestClient) -> None:
    page = parse(client.get("/assess").text)
    form = one(page, "form.questionnaire")
    assert one(form, "input[type=hidden][name=csrf_token]")["value"]
    buttons = form.select("button[type=submit]")
    assert [text_of(b) for b in buttons] == ["Show me the recommendation", "Save and finish later"]
    assert not buttons[0].has_attr("formaction")  # Enter in a field still submits to /assess
    assert buttons[1]["formaction"] == "/drafts"
    help_id = buttons[1]["aria-describedby"]
    assert "holds no patient data" in text_of(one(page, f"#{help_id}"))


def test_the_questionnaire_shows_its_parts_count_and_time(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = parse(client.get("/assess").text)
    progress = one(page, "#progress")
    assert text_of(one(progress, "p.progress-summary")) == "4 parts · About 6 minutes"
    assert "16 questions" in text_of(one(page, ".intro"))
    parts = one(progress, "nav").select("li")
    assert [one(p, "a")["href"] for p in parts] == [
        f"#section-{s.id}" for s in catalogue.questionnaire.sections
    ]
    sizes = [
        len([q for q in catalogue.questionnaire.questions if q.section == s.id])
        for s in catalogue.questionnaire.sections
    ]
    assert [text_of(one(p, "span.part-count")) for p in parts] == [f"{n} questions" for n in sizes]
    assert text_of(one(page, "#progress-count")) == "0 of 16 answered"
    assert one(page, "#progress-bar")["value"] == "0"
    form = one(page, "form.questionnaire")
    assert form["data-autosave-days"] == "30"
    assert not form.has_attr("data-prefilled")


def test_a_filled_in_form_counts_its_answers(client: TestClient) -> None:
    page = parse(client.get("/assess?acuity=high&complex_needs=many&outcomes_2=cost").text)
    assert text_of(one(page, "#progress-count")) == "3 of 16 answered"
    assert text_of(one(page, "#progress-time")) == "About 5 minutes left"
    population = one(page, "span.part-count[data-section=population]")
    assert text_of(population) == "2 of 6 answered"
    assert one(page, "form.questionnaire").has_attr("data-prefilled")
    assert text_of(one(page, "#answered-count")).startswith("3 of 16 questions answered")
