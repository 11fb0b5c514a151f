"""Saved results: share links, exports, rescoring, the manage page and comparisons.

A stored result is shown exactly as it was computed, with the catalogue snapshot
it was scored with; nothing here recomputes it, except "rescore", which shows a
fresh ranking beside the stored one and saves nothing.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time.

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from cm_advisor import engine
from cm_advisor.engine import Catalogue
from cm_advisor.storage import Assessment, Store
from cm_advisor.web import conditional, flash, forms
from cm_advisor.web.api_assessments import stored
from cm_advisor.web.csrf import CsrfProtected
from cm_advisor.web.deps import CatalogueDep, StoreDep, TemplatesDep, UrlsDep
from cm_advisor.web.encoding import negotiate
from cm_advisor.web.guards import HtmlWritesAllowed
from cm_advisor.web.pagecache import CachedPage, PageCache, PageKey
from cm_advisor.web.result_view import ranking_rows, result_context
from cm_advisor.web.urls import Urls

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

GONE = "There is no saved result at this link. It may have been deleted."
PRIVATE, SHARED = conditional.PRIVATE, conditional.SHARED


def _load(store: Store, token: str) -> Assessment:
    found = store.get(token)
    if found is None:
        raise HTTPException(404, GONE)
    return found


def _scored_with(store: Store, current: Catalogue, saved: Assessment) -> Catalogue:
    """The catalogue snapshot the result was computed with (the current one if it is that)."""
    if saved.catalogue_hash == current.content_hash:
        return current
    return store.catalogue(saved.catalogue_hash) or current


@router.get("/r/{token}.json")
def result_json(token: str, request: Request, store: StoreDep) -> Response:
    """The stored result in the API's format (304 when the client has this version); a
    result saved before a field existed comes back without it, as it was stored."""
    body = stored(request, _load(store, token)).model_dump_json(exclude_unset=True).encode()
    return conditional.respond(request, body, "application/json", SHARED)


@router.get("/r/{token}.csv")
def result_csv(token: str, request: Request, store: StoreDep) -> Response:
    """One row per model: rank, score, fit, reasons and concerns."""
    saved = _load(store, token)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["rank", "model", "name", "score", "fit", "reasons", "concerns"])
    for m in saved.result.ranking:
        writer.writerow(
            [
                m.rank,
                m.model,
                m.name,
                f"{m.score:.1f}",
                m.fit,
                " | ".join(m.reasons),
                " | ".join(m.concerns),
            ]
        )
    headers = SHARED | {"Content-Disposition": f'attachment; filename="cm-advisor-{token[:8]}.csv"'}
    return conditional.respond(request, out.getvalue().encode(), "text/csv; charset=utf-8", headers)


@router.get("/r/{token}")
async def result_page(token: str, request: Request) -> Response:
    """A shared result, exactly as it was computed (the rendered page is cached, and
    answered with 304 when the browser holds this version of it).

    The label and notes are read on every request, so a page edited or deleted through
    another process is never served stale; that read runs on the event loop (see
    Store.label_and_notes_async), and only a page not yet cached goes to a thread."""
    # App state read directly, not through deps.py: three dependencies cost ~50 µs a
    # request, a fifth of this route's cached path (bench/profile).
    state = request.app.state
    catalogue: Catalogue = state.catalogue
    store: Store = state.store
    urls: Urls = state.urls
    manage_url = flash.manage_url(request, urls, token)
    editable = await store.label_and_notes_async(token)
    if editable is None:
        raise HTTPException(404, GONE)
    cache: PageCache[CachedPage] = state.page_cache
    key = _page_key(request, token, *editable, catalogue)
    if not manage_url and (page := cache.get(key)) is not None:
        return await _cached(request, page)
    return await run_in_threadpool(
        _render_result, token, request, catalogue, store, state.templates, urls, manage_url
    )


async def _cached(request: Request, page: CachedPage) -> Response:
    """A cached page: 304, or the page in the coding the client accepts (compressed once;
    the compression middleware passes a body that already has a Content-Encoding)."""
    headers = {**SHARED, "ETag": page.etag, "Vary": "Accept-Encoding"}
    if conditional.is_fresh(request, page.etag):
        return conditional.not_modified(page.etag, headers)
    encoding = negotiate(request.headers.get("accept-encoding", ""))
    if not encoding:
        return HTMLResponse(page.body, headers=headers)
    body = page.encoded.get(encoding) or await run_in_threadpool(page.encode, encoding)
    return HTMLResponse(body, headers={**headers, "Content-Encoding": encoding})


def _page_key(
    request: Request, token: str, label: str, notes: str, catalogue: Catalogue
) -> PageKey:
    """What a rendered result page depends on: the site's address, the row's editable
    fields and the catalogue in use (the stored result itself never changes)."""
    return (request.app.state.urls.base(request), token, label, notes, catalogue.content_hash)


def _render_result(
    token: str,
    request: Request,
    catalogue: Catalogue,
    store: Store,
    templates: Jinja2Templates,
    urls: Urls,
    manage_url: str,
) -> Response:
    saved = _load(store, token)
    # Key the page by the row it is rendered from (the label may have changed meanwhile).
    key = _page_key(request, token, saved.label, saved.notes, catalogue)
    scored_with = _scored_with(store, catalogue, saved)
    context = result_context(scored_with, saved.result) | {
        "assessment": saved,
        "share_url": urls.absolute(request, urls.result(token)),
        "manage_url": manage_url,
        "catalogue_changed": saved.catalogue_hash != catalogue.content_hash,
        "current_version": catalogue.version,
    }
    if manage_url:  # shown once: never stored, never revalidated
        response = templates.TemplateResponse(request, "result.html", context, headers=PRIVATE)
        flash.forget(response, urls, token)
        return response
    response = templates.TemplateResponse(request, "result.html", context, headers=SHARED)
    body = bytes(response.body)
    page = CachedPage(body, conditional.etag_for(body))
    request.app.state.page_cache.put(key, page)
    if conditional.is_fresh(request, page.etag):
        return conditional.not_modified(page.etag, SHARED)
    response.headers["ETag"] = page.etag
    return response


@router.get("/r/{token}/rescore")
def rescore(
    token: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """The stored ranking beside a fresh one from the current catalogue; nothing is saved."""
    saved = _load(store, token)
    try:
        fresh = engine.score(catalogue, saved.answers, saved.weights, saved.result.population)
    except engine.InvalidInput as exc:
        fresh = None
        problems = [f"{e.field}: {e.message}" for e in exc.errors]
    else:
        problems = []
    context = {
        "catalogue": catalogue,
        "assessment": saved,
        "old": saved.result,
        "new": fresh,
        "rows": ranking_rows(saved.result, fresh) if fresh else [],
        "problems": problems,
        "share_url": urls.result(token),
    }
    return templates.TemplateResponse(request, "rescore.html", context, headers=PRIVATE)


@router.get("/compare")
def compare(
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    a: str = "",
    b: str = "",
) -> Response:
    """Two saved results side by side, e.g. before and after a reorganisation."""
    tokens = [_token_from(a), _token_from(b)]
    if not all(tokens):
        context = {"catalogue": catalogue, "a": a, "b": b, "pair": None}
        return templates.TemplateResponse(request, "compare.html", context, headers=PRIVATE)
    pair = [_load(store, t) for t in tokens]
    rows = ranking_rows(pair[0].result, pair[1].result)
    context = {"catalogue": catalogue, "a": a, "b": b, "pair": pair, "rows": rows}
    return templates.TemplateResponse(request, "compare.html", context, headers=PRIVATE)


def _token_from(value: str) -> str:
    """Accept a bare token or a pasted share link."""
    value = value.strip().rstrip("/")
    return value.rsplit("/r/", 1)[-1].split("?")[0].split("#")[0] if value else ""


@router.get("/manage/{token}/{key}")
def manage_page(
    token: str,
    key: str,
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """The creator's private page: edit the label and notes, or delete the result."""
    saved = _authorised(store, token, key)
    context = {
        "catalogue": catalogue,
        "assessment": saved,
        "share_url": urls.absolute(request, urls.result(token)),
        "manage_key": key,
        "saved": request.query_params.get("saved") == "1",
        "errors": {},
    }
    return templates.TemplateResponse(request, "manage.html", context, headers=PRIVATE)


@router.post("/manage/{token}/{key}", dependencies=[HtmlWritesAllowed, CsrfProtected])
def manage_update(
    token: str,
    key: str,
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    templates: TemplatesDep,
    urls: UrlsDep,
    label: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    """Save a new label and notes; the result itself cannot be edited."""
    saved = _authorised(store, token, key)
    errors: dict[str, str] = {}
    label, notes = forms.meta_fields({"label": label, "notes": notes}, {}, errors)
    if errors:
        context = {
            "catalogue": catalogue,
            "assessment": saved,
            "share_url": urls.absolute(request, urls.result(token)),
            "manage_key": key,
            "saved": False,
            "errors": errors,
            "kept": {"label": label, "notes": notes},
        }
        return templates.TemplateResponse(
            request, "manage.html", context, status_code=422, headers=PRIVATE
        )
    store.update(token, key, label, notes)
    return RedirectResponse(urls.manage(token, key, saved=True), status_code=303)


@router.post("/manage/{token}/{key}/delete", dependencies=[HtmlWritesAllowed, CsrfProtected])
def manage_delete(
    token: str,
    key: str,
    request: Request,
    store: StoreDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
) -> Response:
    """Delete for good; the share link answers 404 from now on."""
    _authorised(store, token, key)
    store.delete(token, key)
    context = {"catalogue": catalogue}
    return templates.TemplateResponse(request, "deleted.html", context, headers=PRIVATE)


def _authorised(store: Store, token: str, key: str) -> Assessment:
    saved = _load(store, token)
    if not store.check_key(token, key):
        raise HTTPException(403, "This manage link is not valid for this result.", headers=PRIVATE)
    return saved
