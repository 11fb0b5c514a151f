"""Static files under content-hashed URLs (`css/app.1a2b3c4d5e.css`), served from memory.

Our own rather than Starlette's StaticFiles or a package: StaticFiles cannot map a hashed
name to its file and sends no Cache-Control, and the static servers on PyPI that do hash
names (WhiteNoise, ServeStatic) take the names from a Django manifest. The files are few
and small, so each is read and hashed once at start and compressed once, on first
request, at Brotli's best quality (a per-request middleware could afford only a fast one).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path, PurePosixPath

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from cm_advisor.web import conditional
from cm_advisor.web.encoding import BEST_QUALITY, compress, negotiate

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # an unhashed name may change content: ask each time
TEXT_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
MIN_COMPRESS_BYTES = 512
KEEP_BYTES = 128 * 1024  # files up to this size stay in memory


@dataclass(slots=True)
class Asset:
    """One file: its name in templates, its hashed name in URLs, and its bytes when small
    (a large file, such as Swagger UI's 1.5 MB bundle, is read again when asked for, so it
    costs no memory in a worker that never serves /docs)."""

    path: str
    hashed: str
    file: Path
    size: int
    media_type: str
    etag: str
    kept: bytes | None
    encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def compressible(self) -> bool:
        return PurePosixPath(self.path).suffix in TEXT_TYPES and self.size >= MIN_COMPRESS_BYTES

    def read(self) -> bytes:
        return self.kept if self.kept is not None else self.file.read_bytes()

    def encode(self, encoding: str) -> bytes:
        return compress(self.read(), encoding, BEST_QUALITY)


def files_under(
    directory: Path, prefix: str = "", only: Iterable[str] | None = None
) -> dict[str, Path]:
    """URL path → file for every file below `directory` (or just those named in `only`)."""
    wanted = set(only) if only is not None else None
    found = {}
    for file in sorted(directory.rglob("*")):
        name = file.relative_to(directory).as_posix()
        if file.is_file() and (wanted is None or name in wanted):
            found[prefix + name] = file
    return found


def _asset(path: str, file: Path) -> Asset:
    body = file.read_bytes()
    digest = blake2b(body, digest_size=5).hexdigest()
    pure = PurePosixPath(path)
    hashed = str(pure.with_name(f"{pure.stem}.{digest}{pure.suffix}"))
    text_type = TEXT_TYPES.get(pure.suffix)
    if text_type:
        media_type = text_type if text_type.startswith("image/") else f"{text_type}; charset=utf-8"
    else:
        media_type = mimetypes.guess_type(pure.name)[0] or "application/octet-stream"
    kept = body if len(body) <= KEEP_BYTES else None
    return Asset(path, hashed, file, len(body), media_type, conditional.etag_for(body), kept)


class StaticAssets:
    """The app's static files; `url(path)` is the one way pages link to them."""

    def __init__(self, files: Mapping[str, Path], prefix: str = "/static/") -> None:
        self.prefix = prefix
        self._by_path = {path: _asset(path, file) for path, file in files.items()}
        self._by_hashed = {a.hashed: a for a in self._by_path.values()}

    def url(self, path: str) -> str:
        """The content-hashed URL of a file; an unknown name fails loudly, at render time."""
        try:
            return self.prefix + self._by_path[path].hashed
        except KeyError:
            raise LookupError(f"no static file {path!r}") from None

    def find(self, url_path: str) -> Asset | None:
        """The file a URL made by `url()` names; None for any other path."""
        if not url_path.startswith(self.prefix):
            return None
        return self._by_hashed.get(url_path.removeprefix(self.prefix))

    async def endpoint(self, request: Request) -> Response:
        """GET /static/{path}: hashed names are cached for a year, plain names revalidated."""
        path = request.path_params["path"]
        asset = self._by_hashed.get(path)
        cache = IMMUTABLE
        if asset is None:
            asset, cache = self._by_path.get(path), REVALIDATE
        if asset is None:
            raise HTTPException(404)
        headers = {"Cache-Control": cache}
        if asset.compressible:
            headers["Vary"] = "Accept-Encoding"
        if conditional.is_fresh(request, asset.etag):
            return conditional.not_modified(asset.etag, headers)
        encoding = (
            negotiate(request.headers.get("accept-encoding", "")) if asset.compressible else ""
        )
        if encoding:
            if encoding not in asset.encoded:
                asset.encoded[encoding] = await run_in_threadpool(asset.encode, encoding)
            body = asset.encoded[encoding]
            headers["Content-Encoding"] = encoding
        else:
            body = asset.kept if asset.kept is not None else await run_in_threadpool(asset.read)
        headers["ETag"] = asset.etag
        return Response(body, media_type=asset.media_type, headers=headers)
