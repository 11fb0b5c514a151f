"""Saved results: the share link's page, rescoring and comparisons (downloads are in
downloads.py, the creator's manage pages in manage.py).

A stored result is shown exactly as it was computed, with the catalogue snapshot
it was scored with; nothing here recomputes it, except "rescore", which shows a
fresh ranking beside the stored one and saves nothing.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time.

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from cm_advisor import engine
from cm_advisor.engine import Catalogue
from cm_advisor.storage import Store
from cm_advisor.web import conditional, flash
from cm_advisor.web.answers_view import differences
from cm_advisor.web.deps import CatalogueDep, StoreDep, TemplatesDep, UrlsDep
from cm_advisor.web.encoding import negotiate
from cm_advisor.web.pagecache import CachedPage, PageCache, PageKey
from cm_advisor.web.result_view import ranking_rows, result_context
from cm_advisor.web.saved import GONE, PRIVATE, load, scored_with
from cm_advisor.web.urls import Urls

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

SHARED = conditional.SHARED
NOT_FOUND = (
    "There is no saved result at this link: check that it was copied in full. "
    "It may also have been deleted."
)


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
    saved = load(store, token)
    # Key the page by the row it is rendered from (the label may have changed meanwhile).
    key = _page_key(request, token, saved.label, saved.notes, catalogue)
    context = result_context(scored_with(store, catalogue, saved), saved.result) | {
        "assessment": saved,
        "share_url": urls.absolute(request, urls.result(token)),
        "manage_url": manage_url,
        "manage_file_url": "",
        "catalogue_changed": saved.catalogue_hash != catalogue.content_hash,
        "current_version": catalogue.version,
    }
    if manage_url:  # shown once: never stored, never revalidated
        manage_key = flash.manage_key(request, token)
        context["manage_file_url"] = urls.manage_link_file(token, manage_key)
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
    """The same answers scored with the current catalogue, answer first, beside the stored
    ranking; nothing is saved."""
    saved = load(store, token)
    try:
        fresh = engine.score(catalogue, saved.answers, saved.weights, saved.result.population)
    except engine.InvalidInput as exc:
        fresh = None
        problems = [f"{e.field}: {e.message}" for e in exc.errors]
    else:
        problems = []
    context = (result_context(catalogue, fresh) if fresh else {"catalogue": catalogue}) | {
        "assessment": saved,
        "old": saved.result,
        "new": fresh,
        "rows": ranking_rows(saved.result, fresh) if fresh else [],
        "problems": problems,
        "share_url": urls.result(token),
        "edit_href": urls.assess(from_token=token),
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
    """Two saved results side by side, e.g. before and after a reorganisation: the ranks
    and scores, and the answers and priorities that differ, those that moved the scores
    most first. A link that is missing or names no result is an error beside its field,
    with both fields kept."""
    fields = {"a": a, "b": b}
    context: dict[str, object] = {"catalogue": catalogue, "a": a, "b": b, "pair": None}
    # A link such as "compare with another result" names only A: show the form for B.
    # A submitted form sends both fields, so an empty one is then an error beside it.
    sent = [name for name in fields if name in request.query_params]
    if not any(_token_from(v) for v in fields.values()) or len(sent) < len(fields):
        return templates.TemplateResponse(request, "compare.html", context, headers=PRIVATE)
    found, errors = {}, {}
    for name, value in fields.items():
        token = _token_from(value)
        saved = store.get(token) if token else None
        if saved is not None:
            found[name] = saved
        else:
            errors[name] = NOT_FOUND if token else f"Paste the share link of result {name.upper()}."
    if errors:
        context["errors"] = errors
        missing = any(_token_from(fields[name]) for name in errors)
        return templates.TemplateResponse(
            request, "compare.html", context, status_code=404 if missing else 422, headers=PRIVATE
        )
    first, second = found["a"], found["b"]
    context |= {
        "pair": [first, second],
        "rows": ranking_rows(first.result, second.result),
        "differences": differences(catalogue, first.result, second.result),
        "errors": {},
    }
    return templates.TemplateResponse(request, "compare.html", context, headers=PRIVATE)


def _token_from(value: str) -> str:
    """Accept a bare token or a pasted share link."""
    value = value.strip().rstrip("/")
    return value.rsplit("/r/", 1)[-1].split("?")[0].split("#")[0] if value else ""
