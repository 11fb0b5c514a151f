"""`cm-advisor serve` in process (uvicorn replaced by a recorder), `python -m cm_advisor`,
`cm-advisor score` on a tie, and the base-URL setting's refusals."""

import json
import runpy
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import uvicorn.supervisors

from cm_advisor import cli
from cm_advisor.web import app as web_app
from helpers.settings import HermeticSettings


def _recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    return calls


def test_serve_runs_one_app_or_the_factory_with_reload(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _recorded(monkeypatch)
    monkeypatch.setattr(web_app, "create_app", lambda settings: "the app")  # nothing written
    assert cli.main(["serve", "--host", "127.0.0.1", "--port", "8123"]) == 0
    assert cli.main(["serve", "--reload"]) == 0
    (app, options), (factory, reloading) = calls
    assert app == "the app" and options["port"] == 8123 and options["server_header"] is False
    assert factory == cli.FACTORY and reloading["reload"] and reloading["factory"]


def test_serve_binds_its_own_socket_for_several_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[list[socket.socket]] = []

    class Recorder:
        def __init__(self, config: object, sockets: list[socket.socket]) -> None:
            self.sockets = sockets

        def run(self) -> None:
            ran.append(self.sockets)

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", Recorder)
    assert cli.main(["serve", "--workers", "2", "--port", "0"]) == 0
    (sockets,) = ran
    assert sockets[0].proto == socket.IPPROTO_TCP and sockets[0].get_inheritable()
    sockets[0].close()


def test_python_dash_m_runs_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["cm-advisor", "check"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("cm_advisor", run_name="__main__")
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_score_prints_concerns_a_blend_and_the_questions_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.json"
    stretched = {"acuity": "very_high", "staffing": "limited", "budget": "constrained"}
    answers.write_text(json.dumps(stretched | {"high_utilization": "common"}))
    assert cli.main(["score", str(answers)]) == 0
    out = capsys.readouterr().out
    assert "Hybrid: " in out and "Unanswered: " in out and "Watch for:" in out


@pytest.mark.parametrize(
    ("value", "problem"),
    [("ftp://advisor.example.org", "must be an http"), ("https://a.example.org/?x=1", "query")],
)
def test_the_public_base_url_must_be_a_plain_http_address(
    tmp_path: Path, value: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        HermeticSettings(data_dir=tmp_path, public_base_url=value)
