"""Results saved by earlier code, in a database at revision 0001, upgraded through the
public API: every one comes back exactly as it was stored and shows what it showed."""

import html
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from cm_advisor.cli import main
from cm_advisor.storage import Store
from cm_advisor.storage.schema import SCHEMA_HEAD
from cm_advisor.storage.tables import assessments, catalogues
from cm_advisor.web.app import create_app
from helpers.databases import database
from helpers.settings import HermeticSettings as Settings

LEGACY = json.loads((Path(__file__).parent / "fixtures" / "legacy_results.json").read_text())
ROWS: dict[str, list[dict[str, Any]]] = LEGACY["rows"]
CASES: dict[str, dict[str, Any]] = LEGACY["cases"]
TIMES = {"created_at", "first_seen"}


def as_stored(row: dict[str, Any]) -> dict[str, Any]:
    return {k: datetime.fromisoformat(v) if k in TIMES else v for k, v in row.items()}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def revision_0001(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database built by Alembic to revision 0001 only, holding the legacy rows."""
    with database(request.param, tmp_path) as url:
        store = Store(url)
        store.migrate("0001")
        with store.engine.begin() as conn:
            assert not conn.dialect.has_table(conn, "drafts")  # 0002 is not applied
            conn.execute(insert(catalogues), [as_stored(r) for r in ROWS["catalogues"]])
            conn.execute(insert(assessments), [as_stored(r) for r in ROWS["assessments"]])
        store.close()
        yield url


def test_old_results_read_back_unchanged_after_cm_advisor_db_upgrade(
    revision_0001: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CM_ADVISOR_DATABASE_URL", revision_0001)
    assert main(["db", "upgrade"]) == 0

    store = Store(revision_0001)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
    for row in ROWS["assessments"]:
        found = store.get(row["token"])
        assert found is not None, row["token"]
        # Byte for byte: fields added since (verdict, evidence, ...) stay out of old results.
        assert found.result.model_dump_json(exclude_unset=True) == row["result"]
        assert (found.label, found.notes) == (row["label"], row["notes"] or "")
        assert found.answers == json.loads(row["answers"])
        assert found.catalogue_hash == row["catalogue_hash"]
    store.close()


def test_old_share_links_show_what_they_showed_after_start_up_migrates(
    revision_0001: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=revision_0001, data_dir=tmp_path, rate_limit="")
    with TestClient(create_app(settings)) as client:  # start-up upgrades (Store.open)
        for name, case in CASES.items():
            api = client.get(f"/api/v1/assessments/{case['token']}").json()
            stored_row = next(r for r in ROWS["assessments"] if r["token"] == case["token"])
            assert api["result"] == json.loads(stored_row["result"]), name  # no field added
            assert api["result"]["recommended"] == case["recommended"], name
            shown = [[m["model"], m["name"], f"{m['score']:.1f}"] for m in api["result"]["ranking"]]
            assert shown == case["ranking"], name
            page = client.get(f"/r/{case['token']}")
            assert page.status_code == 200, name
            shown_text = html.unescape(page.text)
            assert case["page_recommended"] in shown_text
            for line in case["reasons"] + case["concerns"]:
                assert line in shown_text, (name, line)
        assert client.post("/api/v1/assessments", json={"answers": {}}).status_code == 201
