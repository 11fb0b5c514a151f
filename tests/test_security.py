"""Security: headers on every response, size limits, escaping, API keys, rate limits, logs."""

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from cm_advisor.web.app import create_app
from cm_advisor.web.guards import CreationLimit
from cm_advisor.web.security import CSP, redact
from helpers.archetypes import ARCHETYPES
from helpers.servers import running_server
from helpers.settings import HermeticSettings as Settings

PATHS = [
    "/",
    "/assess",
    "/models",
    "/models/clinical",
    "/api/v1/models",
    "/healthz",
    "/nope",
    "/static/css/app.css",
    "/openapi.json",
    "/docs",
]


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]+)", csp)
    assert script_src and "'unsafe-inline'" not in script_src.group(1)
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"  # browsers without frame-ancestors


def test_a_server_error_carries_the_security_headers_and_logs_no_secret(
    client: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unhandled errors are answered inside the security middleware, not by Starlette's
    ServerErrorMiddleware outside it (which sent 500s without these headers)."""
    created = client.post("/api/v1/assessments", json={"answers": {}}).json()
    token, key = created["id"], created["manage_key"]
    store = client.app.state.store  # type: ignore[attr-defined]

    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(store, "get", broken)
    caplog.set_level(logging.INFO, logger="cm_advisor")
    for path in (f"/manage/{token}/{key}", f"/api/v1/assessments/{token}"):
        with TestClient(client.app, raise_server_exceptions=False) as raw:
            response = raw.get(path)
        assert response.status_code == 500, path
        assert "boom" not in response.text and "Traceback" not in response.text
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "unhandled error on GET /manage/…" in caplog.text
    assert token not in caplog.text and key not in caplog.text


@pytest.mark.parametrize("streamed", [False, True])
def test_a_body_of_exactly_the_limit_passes_and_one_byte_more_gets_413(
    tmp_path: Path, streamed: bool
) -> None:
    limit = 2048
    with TestClient(create_app(Settings(data_dir=tmp_path, max_body_bytes=limit))) as client:
        for size, status in ((limit, 422), (limit + 1, 413)):
            body = b'{"answers": {}, "label": "' + b"x" * (size - 28) + b'"}'
            assert len(body) == size

            def chunks(data: bytes = body) -> Iterator[bytes]:
                yield data[:1000]
                yield data[1000:]

            response = client.post(
                "/api/v1/score",
                content=chunks() if streamed else body,
                headers={"content-type": "application/json"},
            )
            # 422: the body was read whole (ScoreRequest has no label); 413: refused.
            assert response.status_code == status, (size, streamed)


def test_the_docs_page_runs_no_inline_script_and_loads_nothing_from_elsewhere(
    client: TestClient,
) -> None:
    response = client.get("/docs")
    assert response.headers["content-security-policy"] == CSP  # no nonce, no CDN
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
    assert scripts and all(
        re.search(r'src="/static/', attrs) and not body.strip() for attrs, body in scripts
    )
    links = re.findall(r'(?:href|src)="([^"]+)"', response.text)
    assert links and all(link.startswith("/") for link in links)
    for link in links:
        assert client.get(link).status_code == 200, link


def test_results_and_manage_pages_are_noindex(client: TestClient) -> None:
    created = client.post("/api/v1/assessments", json={"answers": {}}).json()
    for url in (f"/r/{created['id']}", created["manage_url"].replace("http://testserver", "")):
        response = client.get(url)
        assert response.headers["x-robots-tag"].startswith("noindex"), url
        assert 'name="robots" content="noindex' in response.text


def test_bodies_over_the_limit_get_413(client: TestClient) -> None:
    big = {"answers": {}, "notes": "x" * 70_000}
    assert client.post("/api/v1/score", json=big).status_code == 413
    assert client.post("/assess", data={"notes": "x" * 70_000}).status_code == 413

    def chunks():  # no Content-Length: the limit must hold while streaming too
        for _ in range(20):
            yield b"a" * 8192

    streamed = client.post(
        "/api/v1/score", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_the_limit_is_configurable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, max_body_bytes=2048)
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/v1/score", json={"answers": {}, "weights": {"x" * 3000: 1}})
        assert response.status_code == 413


def test_a_form_with_thousands_of_fields_is_refused_cleanly(client: TestClient) -> None:
    fields = {f"f{i}": "1" for i in range(3000)}
    response = client.post("/assess", data=fields)
    assert response.status_code in {400, 413, 422}


@pytest.mark.parametrize(
    "text",
    ["<script>alert('x')</script>", '"><img src=x onerror=alert(1)>', "a\x00b\x07c\x1bd"],
)
def test_hostile_labels_and_notes_are_stored_and_shown_escaped(
    client: TestClient, text: str
) -> None:
    created = client.post(
        "/api/v1/assessments", json={"answers": {}, "label": text, "notes": text}
    ).json()
    page = client.get(f"/r/{created['id']}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    stored = client.get(f"/api/v1/assessments/{created['id']}").json()
    assert "\x00" not in stored["label"] and "\x07" not in stored["notes"]


def test_api_keys_guard_the_write_endpoints_when_configured(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, api_keys="alpha, beta")
    body = {"answers": ARCHETYPES["brokerage"]}
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/v1/assessments", json=body).status_code == 401
        wrong = client.post("/api/v1/assessments", json=body, headers={"X-API-Key": "gamma"})
        assert wrong.status_code == 401
        ok = client.post("/api/v1/assessments", json=body, headers={"X-API-Key": "beta"})
        assert ok.status_code == 201
        bearer = {"Authorization": "Bearer alpha", "X-Manage-Key": ok.json()["manage_key"]}
        assert client.delete(f"/api/v1/assessments/{ok.json()['id']}").status_code == 401
        assert (
            client.delete(f"/api/v1/assessments/{ok.json()['id']}", headers=bearer).status_code
            == 204
        )
        assert client.post("/api/v1/score", json=body).status_code == 200  # reading stays open


def test_api_keys_are_off_by_default(client: TestClient) -> None:
    assert client.post("/api/v1/assessments", json={"answers": {}}).status_code == 201


def test_creating_assessments_is_rate_limited(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, rate_limit="3/minute")
    with TestClient(create_app(settings)) as client:
        codes = [
            client.post("/api/v1/assessments", json={"answers": {}}).status_code for _ in range(3)
        ]
        assert codes == [201, 201, 201]
        limited = client.post("/api/v1/assessments", json={"answers": {}})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        form = client.post("/assess", data={"acuity": "high"}, follow_redirects=False)
        assert form.status_code == 429
        assert client.post("/api/v1/score", json={"answers": {}}).status_code == 200


def test_without_a_rate_limit_nothing_is_limited_and_no_limiter_is_built() -> None:
    limit = CreationLimit("")
    assert limit.limiter is None
    for _ in range(100):
        limit.check("127.0.0.1")


def test_a_nonsense_rate_limit_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        Settings(rate_limit="lots")


def test_redaction_hides_tokens_and_keys() -> None:
    assert redact("/api/v1/assessments/abc123") == "/api/v1/assessments/…"
    assert redact("/resume/abc123/saved") == "/resume/…"
    assert redact("/r/abc123") == "/r/…"
    assert redact("/r/abc123.json") == "/r/…"
    assert redact("/manage/tok/key/delete") == "/manage/…/delete"
    assert redact("/assess") == "/assess"


def test_tokens_and_keys_never_reach_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cm_advisor")
    created = client.post("/api/v1/assessments", json={"answers": {}}).json()
    token, key = created["id"], created["manage_key"]
    client.get(f"/r/{token}")
    client.get(f"/r/{token}.csv")
    client.get(f"/manage/{token}/{key}")
    client.get(f"/manage/{token}/wrong-{key}")
    assert "/r/…" in caplog.text
    assert token not in caplog.text and key not in caplog.text


def test_the_server_process_logs_no_secrets(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with running_server({"CM_ADVISOR_DATA_DIR": str(tmp_path / "d")}, log=log) as base:
        created = httpx.post(f"{base}/api/v1/assessments", json={"answers": {}}).json()
        httpx.get(f"{base}/r/{created['id']}")
        httpx.get(created["manage_url"])
    text = log.read_text()
    assert "GET /r/…" in text
    assert created["id"] not in text and created["manage_key"] not in text
