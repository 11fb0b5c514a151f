"""HTML pages: home, questionnaire, result, model library, and the error pages."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time.

import logging
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from cm_advisor import engine
from cm_advisor.config import Settings
from cm_advisor.engine import Catalogue
from cm_advisor.storage import Store
from cm_advisor.web import csrf, errors, flash, forms, questionnaire, ranked_choice
from cm_advisor.web.conditional import PRIVATE
from cm_advisor.web.deps import CatalogueDep, StoreDep, TemplatesDep
from cm_advisor.web.guards import HtmlWritesAllowed, spend_creation
from cm_advisor.web.pagecache import PageCache
from cm_advisor.web.security import redact

logger = logging.getLogger("cm_advisor")

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

ERROR_TITLES = {
    400: "Bad request",
    404: "Page not found",
    405: "Method not allowed",
    422: "Unprocessable request",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}
RETRY_AFTER_SECONDS = "30"
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
UNREADABLE_BODY = "There was an error parsing the body"  # FastAPI's words for undecodable bytes
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@router.get("/")
async def home(request: Request, catalogue: CatalogueDep, templates: TemplatesDep) -> Response:
    """What the advisor does, for whom, and the way into the questionnaire."""
    return templates.TemplateResponse(request, "home.html", {"catalogue": catalogue})


@router.get("/assess")
async def questionnaire_page(request: Request) -> Response:
    """The questionnaire. `?from=TOKEN` reopens a saved result's answers; other query
    parameters pre-fill single fields, so a result can link back to its answers. The
    blank form is the same for everyone but its CSRF token, so it is rendered once."""
    # App state read directly, not through deps.py: three dependencies cost ~50 µs a
    # request, a quarter of the cached blank form's path (bench/profile).
    state = request.app.state
    catalogue: Catalogue = state.catalogue
    templates: Jinja2Templates = state.templates
    if not request.query_params:
        return blank_questionnaire(request, templates, catalogue)
    token = request.query_params.get("from", "")
    if token:
        store: Store = state.store
        saved = await run_in_threadpool(store.get, token)
        if saved is None:
            raise HTTPException(404, "There is no saved result with this link.")
        kept = forms.to_fields(catalogue, saved.answers, saved.weights, saved.result.population)
        kept |= {"label": saved.label, "notes": saved.notes}
        response = render_questionnaire(request, templates, catalogue, kept)
        response.headers.update(PRIVATE)  # a saved result's answers, label and notes
        return response
    kept = forms.parse_answers(catalogue, request.query_params).kept
    return render_questionnaire(request, templates, catalogue, kept)


@router.post("/assess", dependencies=[HtmlWritesAllowed])
async def assess(
    request: Request, catalogue: CatalogueDep, templates: TemplatesDep, store: StoreDep
) -> Response:
    """Score and save, then redirect to the share link (POST → 303 → GET); on a problem,
    show the form again with every answer kept and each problem marked. Only a form is
    accepted: JSON, text or an empty body is refused, never saved as an empty result."""
    if not request.headers.get("content-type", "").lower().startswith(FORM_TYPES):
        raise HTTPException(415, "The questionnaire must be sent as a form.")
    async with request.form() as form:  # closes any uploaded file someone sent
        if not form:
            raise HTTPException(400, "The questionnaire arrived empty. Please fill it in again.")
        parsed = forms.parse_answers(catalogue, form)
    if parsed.errors:
        return render_questionnaire(
            request, templates, catalogue, parsed.kept, parsed.errors, status_code=422
        )
    result = engine.score(catalogue, parsed.answers, parsed.weights, parsed.population)
    spend_creation(request)
    created = await store.create_async(result, parsed.label, parsed.notes)
    return flash.redirect_with_manage_link(request, request.app.state.urls, created)


@router.get("/models")
async def models(request: Request, catalogue: CatalogueDep, templates: TemplatesDep) -> Response:
    """The model library."""
    return templates.TemplateResponse(request, "models.html", {"catalogue": catalogue})


@router.get("/models/{model_id}")
async def model(
    model_id: str, request: Request, catalogue: CatalogueDep, templates: TemplatesDep
) -> Response:
    """One model in full: staffing, intensity, pros and cons, evidence."""
    if model_id not in catalogue.model_ids:
        raise HTTPException(404, f"There is no model called '{model_id}'.")
    return templates.TemplateResponse(
        request, "model.html", {"catalogue": catalogue, "model": catalogue.model(model_id)}
    )


def blank_questionnaire(
    request: Request, templates: Jinja2Templates, catalogue: Catalogue
) -> Response:
    cache: PageCache[bytes] = request.app.state.form_cache
    key = ("assess", request.app.state.urls.base(request))
    page = cache.get(key)
    if page is None:
        page = bytes(render_questionnaire(request, templates, catalogue, {}).body)
        cache.put(key, csrf.templated(page, request))
        return HTMLResponse(page)
    return HTMLResponse(csrf.personalised(page, request))


def render_questionnaire(
    request: Request,
    templates: Jinja2Templates,
    catalogue: Catalogue,
    kept: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
    extra: Mapping[str, object] | None = None,
    template: str = "assess.html",
) -> Response:
    """The questionnaire, or a page extending it (a group round's, see group_respond.py)."""
    errors = errors or {}
    settings: Settings = request.app.state.settings
    context = {
        **(extra or {}),
        "catalogue": catalogue,
        "kept": kept,
        "errors": errors,
        "draft_days": settings.draft_days,
        "progress": questionnaire.progress(catalogue, kept, errors),
        "advanced_open": questionnaire.advanced_open(catalogue, kept, errors),
        "chosen": ranked_choice.chosen,
        "order_field": ranked_choice.order_field,
        "size_bands": forms.size_band_limits(),
        "first_field_id": forms.first_field_id,
        "field_title": forms.field_title,
    }
    return templates.TemplateResponse(request, template, context, status_code=status_code)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """Errors as JSON under /api/, as a page everywhere else."""
    assert isinstance(exc, StarletteHTTPException)
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    if exc.status_code in {204, 304}:
        return Response(status_code=exc.status_code, headers=headers)
    if _is_api(request):
        if exc.status_code == 400 and exc.detail == UNREADABLE_BODY:
            # Bytes that are not even UTF-8 are malformed JSON too: same 422 as the rest.
            return errors.unprocessable(
                [
                    errors.ErrorItem(
                        field="body", msg="the body is not valid JSON", type="json_invalid"
                    )
                ]
            )
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    context = {
        "status": exc.status_code,
        "title": ERROR_TITLES.get(exc.status_code, "Request failed"),
        "detail": "" if exc.detail == _phrase(exc.status_code) else exc.detail,
    }
    return templates.TemplateResponse(
        request, "error.html", context, status_code=exc.status_code, headers=headers
    )


async def server_error_handler(request: Request, exc: Exception) -> Response:
    """Log the failure; show a calm page (or JSON under /api/) with no internals. Called by
    SecurityMiddleware (not as an exception handler), so the page gets its headers."""
    logger.error("unhandled error on %s %s", request.method, redact(request.url.path), exc_info=exc)
    if _is_api(request):
        return JSONResponse({"detail": "internal error"}, status_code=500)
    templates: Jinja2Templates = request.app.state.templates
    context = {"status": 500, "title": ERROR_TITLES[500], "detail": ""}
    try:
        return templates.TemplateResponse(request, "error.html", context, status_code=500)
    except Exception:
        logger.exception("the error page itself failed to render")
        return HTMLResponse(FALLBACK_500, status_code=500)


async def unavailable_handler(request: Request, exc: Exception) -> Response:
    """The database is down: 503 with Retry-After, as a page or (under /api/) JSON."""
    logger.warning(
        "storage unavailable on %s %s: %s", request.method, redact(request.url.path), exc
    )
    headers = {"Retry-After": RETRY_AFTER_SECONDS}
    if _is_api(request):
        return JSONResponse({"detail": str(exc)}, status_code=503, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    context = {"status": 503, "title": ERROR_TITLES[503], "detail": ""}
    return templates.TemplateResponse(
        request, "error.html", context, status_code=503, headers=headers
    )


FALLBACK_500 = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Something went wrong</title>'
    "<h1>Something went wrong</h1><p>Please try again in a moment.</p></html>"
)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _allowed_methods(request: Request) -> str:
    """Every method some route accepts on this path; Starlette lists only the first route's."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in HTTP_METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    )


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")
