"""Compression: HTML and JSON above a small size in Brotli or gzip, small answers and
binary downloads as they are, streamed downloads still streamed."""

import gzip
from collections.abc import Callable, Iterator

import brotli
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from cm_advisor.web.app import create_app
from helpers.settings import HermeticSettings as Settings


def _raw(client: TestClient, path: str, accept: str) -> tuple[dict[str, str], bytes]:
    with client.stream("GET", path, headers={"Accept-Encoding": accept}) as response:
        return dict(response.headers), b"".join(response.iter_raw())


@pytest.mark.parametrize("path", ["/", "/assess", "/models", "/api/v1/models", "/openapi.json"])
def test_pages_and_json_come_in_brotli_or_gzip(client: TestClient, path: str) -> None:
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    headers, raw = _raw(client, path, "gzip, deflate, br, zstd")
    assert headers["content-encoding"] == "br"
    assert "accept-encoding" in headers["vary"].lower()
    assert brotli.decompress(raw).startswith(plain.content[:40])
    assert len(raw) < len(plain.content) / 2
    headers, raw = _raw(client, path, "gzip")
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw).startswith(plain.content[:40])
    assert headers["content-security-policy"]  # the security headers are still there


def test_small_answers_are_not_compressed(client: TestClient) -> None:
    headers, raw = _raw(client, "/healthz", "br, gzip")
    assert "content-encoding" not in headers
    assert raw.startswith(b"{")


@pytest.fixture
def streaming_client(settings: Settings) -> Iterator[TestClient]:
    """The app with one extra route that streams a download the way a PDF export would."""
    app: FastAPI = create_app(settings)

    def chunks() -> Iterator[bytes]:
        for i in range(3):
            yield b"%PDF-" + bytes([i]) * 4000

    @app.get("/stream/{kind}")
    def stream(kind: str) -> StreamingResponse:
        media = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}[kind]
        return StreamingResponse(chunks(), media_type=media)

    with TestClient(app) as client:
        yield client


def test_binary_downloads_pass_untouched(streaming_client: TestClient) -> None:
    headers, raw = _raw(streaming_client, "/stream/pdf", "br, gzip")
    assert "content-encoding" not in headers
    assert raw == b"".join(b"%PDF-" + bytes([i]) * 4000 for i in range(3))


def test_streamed_text_is_compressed_as_a_stream(streaming_client: TestClient) -> None:
    with streaming_client.stream(
        "GET", "/stream/html", headers={"Accept-Encoding": "gzip"}
    ) as response:
        parts = list(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert "content-length" not in response.headers
    assert gzip.decompress(b"".join(parts)) == b"".join(
        b"%PDF-" + bytes([i]) * 4000 for i in range(3)
    )


@pytest.mark.parametrize(
    ("accept", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_a_cached_result_page_is_served_from_its_compressed_copy(
    client: TestClient, accept: str, decode: Callable[[bytes], bytes]
) -> None:
    token = client.post("/api/v1/assessments", json={"answers": {"acuity": "high"}}).json()["id"]
    plain = client.get(f"/r/{token}", headers={"Accept-Encoding": "identity"})  # now cached
    for _ in range(2):  # the copy is made on the first request and kept
        headers, raw = _raw(client, f"/r/{token}", accept)
        assert headers["content-encoding"] == accept
        assert headers["vary"] == "Accept-Encoding"
        assert headers["etag"] == plain.headers["etag"]
        assert decode(raw) == plain.content
