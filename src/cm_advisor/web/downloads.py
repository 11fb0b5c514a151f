"""A saved result as files: JSON (the API's format), CSV, an Excel workbook, the PDF report
and the report's HTML source. Each carries an ETag and answers 304 when the browser holds
this version; the workbook and the PDF are named after the label and the date.

The PDF and the workbook are built only when the client does not already have them: the
PDF's ETag is that of the HTML it is made from, the workbook's is worked out from what it
shows (the stored result, the label and notes, the site's address, this code's version),
since neither file's bytes are the same twice (both embed the time they were made).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time.

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from cm_advisor import __version__
from cm_advisor.engine import Catalogue
from cm_advisor.storage import Assessment, Store
from cm_advisor.web import conditional, exports, report
from cm_advisor.web.api_assessments import stored
from cm_advisor.web.deps import CatalogueDep, StoreDep, UrlsDep
from cm_advisor.web.result_view import result_context
from cm_advisor.web.saved import load, scored_with
from cm_advisor.web.urls import Urls

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

SHARED = conditional.SHARED


@router.get("/r/{token}.json")
def result_json(token: str, request: Request, store: StoreDep) -> Response:
    """The stored result in the API's format (304 when the client has this version); a
    result saved before a field existed comes back without it, as it was stored."""
    body = stored(request, load(store, token)).model_dump_json(exclude_unset=True).encode()
    return conditional.respond(request, body, "application/json", SHARED)


@router.get("/r/{token}.csv")
def result_csv(
    token: str, request: Request, store: StoreDep, catalogue: CatalogueDep, urls: UrlsDep
) -> Response:
    """One row per model (rank, score, fit, reasons, concerns), each with the answers."""
    saved = load(store, token)
    share_url = urls.absolute(request, urls.result(token))
    body = exports.result_csv(saved, scored_with(store, catalogue, saved), share_url)
    headers = SHARED | exports.attachment(saved, "csv")
    return conditional.respond(request, body, "text/csv; charset=utf-8", headers)


@router.get("/r/{token}.xlsx")
def result_xlsx(
    token: str, request: Request, store: StoreDep, catalogue: CatalogueDep, urls: UrlsDep
) -> Response:
    """The Excel workbook: summary, ranking, answers and priorities, contributions,
    hybrids, staffing and the first 90 days."""
    saved = load(store, token)
    etag = _etag("xlsx", request, urls, saved)
    headers = SHARED | exports.attachment(saved, "xlsx")
    if conditional.is_fresh(request, etag):
        return conditional.not_modified(etag, headers)
    share_url = urls.absolute(request, urls.result(token))
    body = exports.result_xlsx(saved, scored_with(store, catalogue, saved), share_url)
    return Response(body, media_type=exports.XLSX_TYPE, headers={**headers, "ETag": etag})


@router.get("/r/{token}/report")
def report_page(token: str, request: Request, store: StoreDep, catalogue: CatalogueDep) -> Response:
    """The PDF report's HTML source, as a page (what the PDF shows, for any browser)."""
    html = _report_html(request, store, catalogue, load(store, token))
    return conditional.respond(request, html.encode(), "text/html; charset=utf-8", SHARED)


@router.get("/r/{token}.pdf")
async def result_pdf(token: str, request: Request) -> Response:
    """The PDF report, made by the server from the stored result (WeasyPrint, on a
    thread: a report takes about a second)."""
    state = request.app.state
    store: Store = state.store
    saved = await run_in_threadpool(load, store, token)
    html = await run_in_threadpool(_report_html, request, store, state.catalogue, saved)
    etag = conditional.etag_for("pdf", html)
    headers = SHARED | exports.attachment(saved, "pdf")
    if conditional.is_fresh(request, etag):
        return conditional.not_modified(etag, headers)
    body = await pdf_bytes(request, html)
    return Response(body, media_type="application/pdf", headers={**headers, "ETag": etag})


async def pdf_bytes(request: Request, html: str) -> bytes:
    """The report's HTML as a PDF, on a thread, its links resolved against the site."""
    urls: Urls = request.app.state.urls
    return await run_in_threadpool(report.render_pdf, html, urls.base(request), urls.assets)


def _report_html(request: Request, store: Store, catalogue: Catalogue, saved: Assessment) -> str:
    urls: Urls = request.app.state.urls
    share_url = urls.absolute(request, urls.result(saved.token))
    return report_html(request, scored_with(store, catalogue, saved), saved, share_url)


def report_html(request: Request, scored: Catalogue, saved: Assessment, share_url: str) -> str:
    """The report for a result (a saved one, or a group's combined answers), scored with
    `scored`; `share_url` is "" when the result has no link anyone may see."""
    context = result_context(scored, saved.result) | {"assessment": saved, "share_url": share_url}
    template = request.app.state.templates.env.get_template("report.html")
    html: str = template.render(context)
    return html


def _etag(kind: str, request: Request, urls: Urls, saved: Assessment) -> str:
    """What a generated file shows: the stored result (which never changes), the editable
    label and notes, the address its links use, and the code that lays it out."""
    return conditional.etag_for(
        kind, __version__, urls.base(request), saved.token, saved.label, saved.notes
    )
