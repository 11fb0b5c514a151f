"""The command line: score a file, check a catalogue, refuse bad input clearly."""

import json
import os
from pathlib import Path

import httpx
import pytest
import yaml

from cm_advisor.cli import main
from helpers.archetypes import ARCHETYPES
from helpers.servers import running_server, server_environment
from helpers.settings import DEFAULTS


@pytest.fixture(autouse=True)
def _cli_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line reads its settings from CM_ADVISOR_* variables: run it with none
    of the developer's, only what a test sets."""
    for name in [n for n in os.environ if n.startswith("CM_ADVISOR_")]:
        monkeypatch.delenv(name)


def test_score_prints_a_readable_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ARCHETYPES["brokerage"]))
    assert main(["score", str(answers)]) == 0
    out = capsys.readouterr().out
    assert "Recommended: Brokerage model" in out
    assert out.index("Brokerage model") < out.index("Clinical case management")


def test_score_json_matches_the_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"answers": ARCHETYPES["clinical"], "weights": {"budget": 2}}))
    assert main(["score", "--json", str(answers)]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["recommended"] == "clinical"
    assert body["weights"]["budget"] == 2


def test_score_refuses_a_bad_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("acuity: extreme\n")
    assert main(["score", str(answers)]) == 2
    err = capsys.readouterr().err
    assert "answers.acuity" in err and "very_high" in err


def test_check_accepts_the_shipped_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert "ok:" in capsys.readouterr().out


def test_check_fails_on_a_broken_catalogue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "models.yaml"
    data = yaml.safe_load(DEFAULTS.catalogue_path.read_text())
    data["rules"]["acuity"]["low"]["wizard"] = {"fit": 1, "why": "x"}
    broken.write_text(yaml.safe_dump(data))
    assert main(["check", str(broken)]) == 2
    err = capsys.readouterr().err
    assert str(broken) in err and "unknown model 'wizard'" in err


def test_check_names_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: cannot read" in capsys.readouterr().err


def test_db_upgrade_creates_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CM_ADVISOR_DATA_DIR", str(tmp_path / "fresh"))
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "fresh" / "cm-advisor.sqlite3").exists()
    assert "schema up to date" in capsys.readouterr().out


def test_serve_with_several_workers(tmp_path: Path) -> None:
    env = {"CM_ADVISOR_DATA_DIR": str(tmp_path / "data")}
    with running_server(env, args=("--workers", "2")) as base:
        with httpx.Client(base_url=base) as client:
            created = client.post("/api/v1/assessments", json={"answers": ARCHETYPES["clinical"]})
            assert created.status_code == 201
            for _ in range(10):  # spread over both workers: all see the same database
                read = client.get(f"/api/v1/assessments/{created.json()['id']}")
                assert read.status_code == 200


def test_serve_refuses_a_broken_catalogue(tmp_path: Path) -> None:
    import subprocess
    import sys

    broken = tmp_path / "models.yaml"
    broken.write_text("version: [\n")
    done = subprocess.run(
        [sys.executable, "-m", "cm_advisor", "serve", "--port", "1"],
        env=server_environment(
            {
                "CM_ADVISOR_DATA_DIR": str(tmp_path / "data"),
                "CM_ADVISOR_CATALOGUE_PATH": str(broken),
            }
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert str(broken) in done.stderr and "not valid YAML" in done.stderr
    assert "Traceback" not in done.stderr
