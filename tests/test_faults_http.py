"""Issue #15 as an attacker and an operator tried it, against a real `cm-advisor serve`:
CSRF values, secrets in logs, spoofed proxy headers, the rate limit, what API keys
cover, and the smaller items. Each test is one reproduction, kept fixed."""

import re
import sqlite3
from pathlib import Path

import httpx
import pytest

from helpers.archetypes import ARCHETYPES
from helpers.servers import running_server

BODY = {"answers": ARCHETYPES["clinical"], "label": "Riverside"}
SECURITY = ("content-security-policy", "x-content-type-options", "x-frame-options")


def env(tmp_path: Path, **settings: str) -> dict[str, str]:
    values = {"CM_ADVISOR_DATA_DIR": str(tmp_path / "data"), "CM_ADVISOR_RATE_LIMIT": ""}
    return values | {f"CM_ADVISOR_{k.upper()}": v for k, v in settings.items()}


def csrf_token(client: httpx.Client) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/assess").text)
    assert match
    return match.group(1)


def test_non_ascii_csrf_values_are_refused_with_403_never_500(tmp_path: Path) -> None:
    with running_server(env(tmp_path)) as base, httpx.Client(base_url=base) as client:
        created = client.post("/api/v1/assessments", json=BODY).json()
        manage = created["manage_url"].removeprefix(base)
        csrf_token(client)  # the browser now holds a CSRF cookie
        for path in ("/drafts", manage, f"{manage}/delete"):
            response = client.post(path, data={"csrf_token": "é", "acuity": "high"})
            assert response.status_code == 403, path
            assert all(h in response.headers for h in SECURITY)
        with httpx.Client(base_url=base, headers=[(b"cookie", "cm_csrf=é".encode())]) as odd:
            response = odd.post(
                "/drafts",
                content=b"csrf_token=%C3%A9",
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert response.status_code == 403
        assert client.get(created["url"].removeprefix(base)).status_code == 200  # not deleted


def test_share_tokens_and_manage_keys_stay_out_of_the_server_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with running_server(env(tmp_path), log=log) as base, httpx.Client(base_url=base) as client:
        created = client.post("/api/v1/assessments", json=BODY).json()
        token, key = created["id"], created["manage_key"]
        assert client.get(f"/api/v1/assessments/{token}").status_code == 200
        client.head(f"/api/v1/assessments/{token}")
        client.delete(f"/api/v1/assessments/{token}", headers={"X-Manage-Key": "wrong"})
        client.get(f"/manage/{token}/{key}")
    text = log.read_text()
    assert '"GET /api/v1/assessments/…" 200' in text
    assert token not in text and key not in text


def test_proxy_headers_count_only_from_configured_addresses(tmp_path: Path) -> None:
    spoofed = [{"X-Forwarded-For": f"203.0.113.{i}"} for i in range(5)]
    with running_server(env(tmp_path, rate_limit="3/minute")) as base:
        codes = [
            httpx.post(f"{base}/api/v1/assessments", json=BODY, headers=h).status_code
            for h in spoofed
        ]
    assert codes == [201, 201, 201, 429, 429]  # one client, however it signs itself

    trusted = env(tmp_path / "t", rate_limit="3/minute", forwarded_allow_ips="127.0.0.1")
    log = tmp_path / "trusted.log"
    with running_server(trusted, log=log) as base:
        codes = [
            httpx.post(f"{base}/api/v1/assessments", json=BODY, headers=h).status_code
            for h in spoofed
        ]
    assert codes == [201] * 5  # five clients behind a proxy we trust
    assert "203.0.113.4" in log.read_text()


def test_refused_creates_do_not_use_up_the_rate_limit(tmp_path: Path) -> None:
    with running_server(env(tmp_path, rate_limit="2/minute")) as base:
        with httpx.Client(base_url=base) as client:
            bad = [
                client.post("/api/v1/assessments", json={"answers": {"acuity": "x"}})
                for _ in range(5)
            ]
            assert {r.status_code for r in bad} == {422}
            tiers = {"answers": {}, "population": {"size": 10, "tiers": {"high": 90}}}
            assert client.post("/api/v1/assessments", json=tiers).status_code == 422
            assert client.post("/assess", data={"acuity": "x"}).status_code == 422
            codes = [client.post("/api/v1/assessments", json=BODY).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_with_html_writes_off_nothing_is_written_without_an_api_key(tmp_path: Path) -> None:
    settings = env(tmp_path, api_keys="k1", html_writes="false")
    with running_server(settings) as base, httpx.Client(base_url=base) as client:
        token_for_forms = csrf_token(client)
        assert client.post("/assess", data={"acuity": "high"}).status_code == 403
        drafts = client.post("/drafts", data={"csrf_token": token_for_forms, "acuity": "high"})
        assert drafts.status_code == 403
        assert client.post("/api/v1/assessments", json=BODY).status_code == 401
        created = client.post("/api/v1/assessments", json=BODY, headers={"X-API-Key": "k1"})
        manage = created.json()["manage_url"].removeprefix(base)
        gone = client.post(f"{manage}/delete", data={"csrf_token": token_for_forms})
        assert gone.status_code == 403
        assert client.get(created.json()["url"].removeprefix(base)).status_code == 200
        assert client.post("/api/v1/score", json=BODY | {"label": None}).status_code == 422


def test_api_keys_with_html_writes_on_warn_at_start_up(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with running_server(env(tmp_path, api_keys="k1"), log=log) as base:
        assert httpx.post(f"{base}/assess", data={"acuity": "high"}).status_code == 303
    assert "covers the JSON API only" in log.read_text()


def test_links_use_the_public_base_url_and_never_the_host_header(tmp_path: Path) -> None:
    settings = env(tmp_path, public_base_url="https://advisor.example.org/")
    with running_server(settings) as base:
        created = httpx.post(
            f"{base}/api/v1/assessments", json=BODY, headers={"Host": "evil.example"}
        ).json()
    assert created["url"] == f"https://advisor.example.org/r/{created['id']}"
    assert created["manage_url"].startswith("https://advisor.example.org/manage/")


def test_the_manage_key_cookie_is_secure_behind_an_https_proxy(tmp_path: Path) -> None:
    settings = env(tmp_path, forwarded_allow_ips="127.0.0.1")
    with running_server(settings) as base:
        response = httpx.post(
            f"{base}/assess",
            data={"acuity": "high"},
            headers={"X-Forwarded-Proto": "https"},
        )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("cm_new_result=") and "Secure" in cookie


def test_head_answers_like_get_without_a_body(tmp_path: Path) -> None:
    with running_server(env(tmp_path)) as base, httpx.Client(base_url=base) as client:
        token = client.post("/api/v1/assessments", json=BODY).json()["id"]
        for path in ("/healthz", "/", "/assess", f"/r/{token}", f"/api/v1/assessments/{token}"):
            got, head = client.get(path), client.head(path)
            assert head.status_code == 200, path
            assert head.content == b""
            assert head.headers["content-type"] == got.headers["content-type"]
        assert client.head("/api/v1/score").status_code == 405


def test_posting_anything_but_a_form_to_assess_saves_nothing(tmp_path: Path) -> None:
    with running_server(env(tmp_path)) as base, httpx.Client(base_url=base) as client:
        refused = [
            client.post("/assess", json={"acuity": "high"}),
            client.post("/assess", content=b"acuity=high", headers={"content-type": "text/plain"}),
            client.post("/assess", content=b""),
            client.post(
                "/assess",
                content=b"",
                headers={"content-type": "application/x-www-form-urlencoded"},
            ),
        ]
        assert [r.status_code for r in refused] == [415, 415, 415, 400]
    with sqlite3.connect(tmp_path / "data" / "cm-advisor.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM assessments").fetchone() == (0,)


def test_secret_bearing_answers_are_neither_cached_nor_indexed(tmp_path: Path) -> None:
    with running_server(env(tmp_path)) as base, httpx.Client(base_url=base) as client:
        created = client.post("/api/v1/assessments", json=BODY)
        assert created.headers["cache-control"] == "no-store"
        token = created.json()["id"]
        assert client.get(f"/api/v1/assessments/{token}").headers["cache-control"] == "no-store"
        for path in (f"/assess?from={token}", f"/manage/{token}/not-the-key"):
            response = client.get(path)
            assert response.status_code in (200, 403), path
            assert response.headers["cache-control"] == "no-store", path
            assert response.headers["x-robots-tag"].startswith("noindex"), path


@pytest.mark.parametrize("setting", ["keep_alive_seconds", "max_connections"])
def test_serve_passes_the_connection_limits_to_uvicorn(setting: str, tmp_path: Path) -> None:
    """uvicorn has no request-header timeout (the proxy must bound those, see README):
    what it offers is set from the settings, and proxy headers are off by default."""
    from cm_advisor.cli import uvicorn_options
    from helpers.settings import HermeticSettings

    options = uvicorn_options(
        HermeticSettings(data_dir=tmp_path, **{setting: 7}), "127.0.0.1", 8000
    )
    key = {"keep_alive_seconds": "timeout_keep_alive", "max_connections": "limit_concurrency"}
    assert options[key[setting]] == 7
    assert options["proxy_headers"] is False and options["forwarded_allow_ips"] == ""
