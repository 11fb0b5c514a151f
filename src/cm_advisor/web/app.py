"""The application factory: one app per Settings, nothing at module level."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route
from starlette_compress import CompressMiddleware

from cm_advisor import __version__
from cm_advisor.allocator import limit_arenas
from cm_advisor.catalogue import load_catalogue
from cm_advisor.config import Settings
from cm_advisor.engine import InvalidInput
from cm_advisor.storage import Store, StoreUnavailable, database_url
from cm_advisor.web import (
    docs,
    downloads,
    drafts,
    errors,
    group_pages,
    group_respond,
    manage,
    pages,
    share,
)
from cm_advisor.web.api import api_router
from cm_advisor.web.api_assessments import assessments_router
from cm_advisor.web.api_groups import groups_router, response_request_model
from cm_advisor.web.assets import StaticAssets, files_under
from cm_advisor.web.csrf import CsrfCookieMiddleware
from cm_advisor.web.encoding import DYNAMIC_QUALITY
from cm_advisor.web.guards import CreationLimit
from cm_advisor.web.head import HeadAsGet
from cm_advisor.web.pagecache import PageCache
from cm_advisor.web.schemas import assessment_request_model, score_request_model
from cm_advisor.web.security import SecurityMiddleware
from cm_advisor.web.templating import make_templates
from cm_advisor.web.urls import Urls

logger = logging.getLogger("cm_advisor")
THREADS = 8
# Responses from this size on are compressed (HTML, CSS, JS, JSON and SVG only). Static
# files and cached result pages carry their own compressed copies, which pass untouched.
COMPRESS_FROM_BYTES = 512

DESCRIPTION = """\
Weighs an organization's answers about its patients, staff, services and goals
against five case-management models and returns a ranked, explained
recommendation with hybrid suggestions. Every id in the questionnaire is stable.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Load and validate the catalogue first: a bad catalogue stops start-up here."""
    settings = settings or Settings()
    limit_arenas()  # before the thread pool's first thread allocates
    catalogue = load_catalogue(settings.catalogue_path, settings.questionnaire_path)

    store = Store(
        database_url(settings.database_url, settings.data_dir),
        catalogue,
        timeout=settings.database_timeout,
    )
    assets = StaticAssets(files_under(settings.static_dir) | docs.swagger_files())
    urls = Urls(assets, settings.public_base_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Few threads: on two cores more only add memory and fragmentation (see bench/).
        to_thread.current_default_thread_limiter().total_tokens = THREADS
        if not store.open():
            logger.warning("database unavailable at start-up; scoring works, saving will retry")
        if settings.api_key_set and settings.html_writes:
            logger.warning(
                "CM_ADVISOR_API_KEYS covers the JSON API only: the browser forms still save, "
                "edit and delete results without a key (CM_ADVISOR_HTML_WRITES=false stops them)"
            )
        yield
        store.close()

    app = FastAPI(
        title="Case Management Model Advisor",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(HeadAsGet)
    app.add_middleware(CsrfCookieMiddleware)
    app.add_middleware(
        CompressMiddleware,
        minimum_size=COMPRESS_FROM_BYTES,
        zstd=False,  # Brotli compresses small pages better, and every browser has it
        brotli_quality=DYNAMIC_QUALITY,
        gzip_level=6,
    )
    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=settings.max_body_bytes,
        on_error=pages.server_error_handler,
    )
    app.state.settings = settings
    app.state.creation_limit = CreationLimit(settings.rate_limit)
    app.state.page_cache = PageCache()  # stored results' pages and their ETags
    app.state.form_cache = PageCache(size=8)  # the blank questionnaire, per site address
    app.state.catalogue = catalogue
    app.state.store = store
    app.state.urls = urls
    app.state.templates = make_templates(settings.templates_dir, urls)
    app.add_exception_handler(RequestValidationError, errors.request_validation_handler)
    app.add_exception_handler(InvalidInput, errors.invalid_input_handler)
    app.add_exception_handler(StoreUnavailable, pages.unavailable_handler)
    app.add_exception_handler(StarletteHTTPException, pages.http_error_handler)

    # Starlette tries the routes in order and FastAPI's included routers cost a few
    # microseconds each to pass over, so the most requested come first: the health check
    # and static files, scoring, the questionnaire and the result pages.
    @app.get("/healthz", tags=["ops"])
    async def healthz(request: Request) -> dict[str, str]:
        """Liveness, the catalogue in use and whether the database answers and takes
        writes: "ok", "read-only" or "unavailable" (asked from the event loop, so a
        proxy's health check does not queue behind busy threads)."""
        database = await request.app.state.store.health()
        return {
            "status": "ok",
            "database": database,
            "catalogue_version": catalogue.version,
            "version": __version__,
        }

    app.router.routes.append(Route("/static/{path:path}", assets.endpoint, name="static"))
    score_request = score_request_model(catalogue)
    app.include_router(api_router(score_request))
    app.include_router(pages.router)
    app.include_router(downloads.router)  # before share: /r/{token}.pdf is not /r/{token}
    app.include_router(share.router)
    app.include_router(assessments_router(assessment_request_model(score_request)))
    app.include_router(manage.router)
    app.include_router(drafts.router)
    app.include_router(group_pages.router)  # before group_respond: /groups/new is not a round
    app.include_router(group_respond.router)
    app.include_router(groups_router(response_request_model(score_request)))
    app.include_router(docs.router)

    return app
