"""Static files: content-hashed URLs cached for a year, plain names revalidated, Brotli or
gzip copies for text, and one template helper that every page links them through."""

import gzip
import re
from collections.abc import Callable
from pathlib import Path

import brotli
import pytest
from fastapi.testclient import TestClient

from cm_advisor.web.assets import StaticAssets, files_under
from cm_advisor.web.encoding import negotiate

HASHED = re.compile(r"/static/(?:[\w-]+/)*[\w.-]+\.[0-9a-f]{10}\.\w+")


def _stylesheet(client: TestClient) -> str:
    found = re.search(r'<link rel="stylesheet" href="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


def test_pages_link_static_files_under_hashed_urls_cached_for_a_year(client: TestClient) -> None:
    for path in ("/", "/assess", "/models", "/docs"):
        links = re.findall(r'(?:href|src)="(/static/[^"]+)"', client.get(path).text)
        assert links, path
        for link in links:
            assert HASHED.fullmatch(link), link
            response = client.get(link)
            assert response.status_code == 200, link
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert response.headers["etag"].startswith('W/"')


def test_the_hash_changes_with_the_content(tmp_path: Path) -> None:
    (tmp_path / "app.css").write_text("a { color: red }")
    before = StaticAssets(files_under(tmp_path)).url("app.css")
    (tmp_path / "app.css").write_text("a { color: blue }")
    after = StaticAssets(files_under(tmp_path)).url("app.css")
    assert before != after
    assert before.startswith("/static/app.") and before.endswith(".css")


def test_an_unknown_static_name_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match=r"nope\.css"):
        StaticAssets(files_under(tmp_path)).url("nope.css")


def test_plain_names_still_answer_but_are_revalidated(client: TestClient) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    again = client.get("/static/css/app.css", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_a_revalidated_hashed_file_answers_304(client: TestClient) -> None:
    url = _stylesheet(client)
    etag = client.get(url).headers["etag"]
    response = client.get(url, headers={"If-None-Match": f'"other", {etag}'})
    assert response.status_code == 304
    assert response.headers["cache-control"].endswith("immutable")


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br, zstd", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("br;q=0, gzip", "gzip", gzip.decompress),
    ],
)
def test_text_files_come_compressed_when_the_client_accepts_it(
    client: TestClient, accept: str, encoding: str, decode: Callable[[bytes], bytes]
) -> None:
    url = _stylesheet(client)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with client.stream("GET", url, headers={"Accept-Encoding": accept}) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == encoding
    assert response.headers["vary"] == "Accept-Encoding"
    assert decode(raw) == plain.content
    assert len(raw) < len(plain.content) / 3


def test_unknown_static_files_get_the_404_page(client: TestClient) -> None:
    response = client.get("/static/css/nope.css")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("header", "chosen"),
    [("br", "br"), ("gzip, br", "br"), ("gzip", "gzip"), ("br;q=0", ""), ("", ""), ("x", "")],
)
def test_negotiation_prefers_brotli_and_honours_q_zero(header: str, chosen: str) -> None:
    assert negotiate(header) == chosen
