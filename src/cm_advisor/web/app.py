"""The application factory: one app per Settings, nothing at module level."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cm_advisor import __version__
from cm_advisor.catalogue import load_catalogue
from cm_advisor.config import Settings
from cm_advisor.engine import InvalidInput
from cm_advisor.storage import Store, StoreUnavailable, database_url
from cm_advisor.web import errors, pages, share
from cm_advisor.web.api import api_router
from cm_advisor.web.api_assessments import assessments_router
from cm_advisor.web.schemas import assessment_request_model, score_request_model
from cm_advisor.web.templating import make_templates

DESCRIPTION = """\
Weighs an organization's answers about its patients, staff, services and goals
against five case-management models and returns a ranked, explained
recommendation with hybrid suggestions. Every id in the questionnaire is stable.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Load and validate the catalogue first: a bad catalogue stops start-up here."""
    settings = settings or Settings()
    catalogue = load_catalogue(settings.catalogue_path, settings.questionnaire_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(database_url(settings.database_url, settings.data_dir))
        store.migrate()
        store.remember_catalogue(catalogue)
        app.state.store = store
        yield
        store.close()

    app = FastAPI(
        title="Case Management Model Advisor",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalogue = catalogue
    app.state.templates = make_templates(settings.templates_dir)
    app.add_exception_handler(RequestValidationError, errors.request_validation_handler)
    app.add_exception_handler(InvalidInput, errors.invalid_input_handler)
    app.add_exception_handler(StoreUnavailable, pages.unavailable_handler)
    app.add_exception_handler(StarletteHTTPException, pages.http_error_handler)
    app.add_exception_handler(Exception, pages.server_error_handler)
    score_request = score_request_model(catalogue)
    app.include_router(api_router(score_request))
    app.include_router(assessments_router(assessment_request_model(score_request)))
    app.include_router(share.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """Liveness and the catalogue in use."""
        return {"status": "ok", "catalogue_version": catalogue.version, "version": __version__}

    return app
