"""Group rounds for their lead: start one, follow the responses, see the group view, close
it (which stores the group result like a single result), start a new one from it, or
delete it; and the stored group result's share page, which anyone with its link sees."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time.

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from cm_advisor.engine import Catalogue
from cm_advisor.storage import Assessment, NoResponses, Round, RoundClosed, Store, WrongKey
from cm_advisor.web import conditional, downloads, exports, group_forms, group_rounds
from cm_advisor.web.conditional import PRIVATE, SHARED
from cm_advisor.web.csrf import CsrfProtected
from cm_advisor.web.deps import CatalogueDep, StoreDep, TemplatesDep, UrlsDep
from cm_advisor.web.group_context import group_context
from cm_advisor.web.guards import HtmlWritesAllowed, spend_creation
from cm_advisor.web.urls import Urls

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

NO_ROUND = "There is no group round at this link. It may have been deleted."
WRONG_KEY = "This lead link is not valid for this round."
GONE = "There is no group result at this link. It may have been deleted."


def _lead(store: Store, invite: str, key: str) -> Round:
    try:
        found = store.groups.lead(invite, key)
    except WrongKey:
        raise HTTPException(403, WRONG_KEY, headers=PRIVATE) from None
    if found is None:
        raise HTTPException(404, NO_ROUND, headers=PRIVATE)
    return found


@router.get("/groups/new")
def group_new(request: Request, catalogue: CatalogueDep, templates: TemplatesDep) -> Response:
    """The form that starts a round."""
    context = {"catalogue": catalogue, "kept": {}, "errors": {}}
    return templates.TemplateResponse(request, "groups/new.html", context, headers=PRIVATE)


@router.post("/groups", dependencies=[HtmlWritesAllowed, CsrfProtected])
async def group_create(
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """Open a round, then show the lead's page with both links (POST → 303 → GET)."""
    async with request.form() as form:
        parsed = group_forms.parse_round(form)
    if parsed.errors:
        context = {"catalogue": catalogue, "kept": parsed.kept, "errors": parsed.errors}
        return templates.TemplateResponse(
            request, "groups/new.html", context, status_code=422, headers=PRIVATE
        )
    spend_creation(request)
    closes = group_rounds.closes_at(parsed.closes_on)
    made = await run_in_threadpool(store.groups.create, parsed.label, parsed.roles, closes)
    return RedirectResponse(urls.group_lead(made.round.token, made.lead_key, new=True), 303)


def lead_page(
    request: Request,
    templates: Jinja2Templates,
    catalogue: Catalogue,
    store: Store,
    found: Round,
    key: str,
    kept: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    urls: Urls = request.app.state.urls
    responses = store.groups.responses(found)
    context = {
        "catalogue": catalogue,
        "round": found,
        "key": key,
        "new": request.query_params.get("new") == "1",
        "status": group_rounds.status(found),
        "status_words": group_rounds.STATUS_WORDS,
        "closes_on": group_rounds.closing_day(found),
        "invite_url": urls.absolute(request, urls.group_invite(found.token)),
        "lead_url": urls.absolute(request, urls.group_lead(found.token, key)),
        "result_url": (
            urls.absolute(request, urls.group_result(found.result_token))
            if found.result_token
            else ""
        ),
        "responses": list(enumerate(responses, start=1)),
        "by_role": group_rounds.roles_count([r.role for r in responses], found.roles),
        "kept": kept if kept is not None else group_forms.round_fields(found),
        "errors": errors or {},
    }
    return templates.TemplateResponse(
        request, "groups/lead.html", context, status_code=status_code, headers=PRIVATE
    )


@router.get("/groups/{invite}/lead/{key}")
def group_lead(
    invite: str,
    key: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    """The lead's private page: the links, who responded (by role), closing."""
    return lead_page(request, templates, catalogue, store, _lead(store, invite, key), key)


@router.get("/groups/{invite}/lead/{key}/view")
def group_view(
    invite: str,
    key: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """The group view: live while the round is open, the stored result once closed."""
    found = _lead(store, invite, key)
    seen, scored_with = _seen(store, catalogue, found)
    if seen.view is None:
        context: dict[str, Any] = {"catalogue": catalogue, "round": found, "key": key}
        return templates.TemplateResponse(request, "groups/empty.html", context, headers=PRIVATE)
    context = group_context(scored_with, seen.view) | {
        "round": found,
        "key": key,
        "frozen": seen.frozen,
        "status": group_rounds.status(found),
        "result_url": (
            urls.absolute(request, urls.group_result(found.result_token))
            if found.result_token
            else ""
        ),
    }
    return templates.TemplateResponse(request, "groups/view.html", context, headers=PRIVATE)


def _seen(
    store: Store, catalogue: Catalogue, found: Round
) -> tuple[group_rounds.RoundView, Catalogue]:
    """The round as its lead sees it, and the catalogue its result was computed with."""
    seen = group_rounds.lead_view(store, catalogue, found)
    if seen.frozen and found.result_token:
        stored = group_rounds.stored_view(store, found.result_token)
        return seen, stored[1] if stored else catalogue
    return seen, catalogue


def _as_saved(store: Store, catalogue: Catalogue, found: Round) -> tuple[Assessment, Catalogue]:
    """The group view's result as a saved result, for the report and the workbook: the
    stored group result once the round is closed, else the live one (made now, unsaved)."""
    seen, scored_with = _seen(store, catalogue, found)
    if seen.view is None:
        raise HTTPException(
            409, "Nobody has answered yet, so there is nothing to download.", headers=PRIVATE
        )
    stored = store.get(found.result_token) if seen.frozen and found.result_token else None
    if stored is not None:
        return stored, scored_with
    result = seen.view.result
    live = Assessment(
        token=found.token,
        created_at=datetime.now(UTC),
        label=found.label,
        notes="",
        answers=dict(result.answers),
        weights=dict(result.weights),
        result=result,
        catalogue_hash=result.catalogue_hash,
        catalogue_version=result.catalogue_version,
        engine_version=result.engine_version,
    )
    return live, scored_with


@router.get("/groups/{invite}/lead/{key}/view.pdf")
async def group_view_pdf(invite: str, key: str, request: Request) -> Response:
    """The group view's PDF report: the combined recommendation as a single result's
    report shows it. Private like the view, so it carries no share link."""
    state = request.app.state
    found = await run_in_threadpool(_lead, state.store, invite, key)
    saved, scored = await run_in_threadpool(_as_saved, state.store, state.catalogue, found)
    html = await run_in_threadpool(downloads.report_html, request, scored, saved, "")
    body = await downloads.pdf_bytes(request, html)
    headers = PRIVATE | exports.attachment(saved, "pdf", "group")
    return Response(body, media_type="application/pdf", headers=headers)


@router.get("/groups/{invite}/lead/{key}/view.xlsx")
def group_view_xlsx(invite: str, key: str, catalogue: CatalogueDep, store: StoreDep) -> Response:
    """The group view's Excel workbook, like a single result's (no share link)."""
    saved, scored = _as_saved(store, catalogue, _lead(store, invite, key))
    body = exports.result_xlsx(saved, scored, "")
    headers = PRIVATE | exports.attachment(saved, "xlsx", "group")
    return Response(body, media_type=exports.XLSX_TYPE, headers=headers)


@router.post("/groups/{invite}/lead/{key}/close", dependencies=[HtmlWritesAllowed, CsrfProtected])
def group_close(
    invite: str,
    key: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """Freeze the round and store the group result; back to the lead's page."""
    found = _lead(store, invite, key)
    try:
        group_rounds.close(store, catalogue, found)
    except RoundClosed:
        raise HTTPException(409, "This round is already closed.", headers=PRIVATE) from None
    except NoResponses:
        raise HTTPException(
            409, "Nobody has answered yet, so there is no group result to store.", headers=PRIVATE
        ) from None
    return RedirectResponse(urls.group_lead(invite, key), 303)


@router.post("/groups/{invite}/lead/{key}/next", dependencies=[HtmlWritesAllowed, CsrfProtected])
async def group_next(
    invite: str,
    key: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """A new round from this one (the way to reopen a closed round), with new links."""
    found = await run_in_threadpool(_lead, store, invite, key)
    async with request.form() as form:
        parsed = group_forms.parse_round(form)
    if parsed.errors:
        return await run_in_threadpool(
            lead_page, request, templates, catalogue, store, found, key, parsed.kept,
            parsed.errors, 422,
        )  # fmt: skip
    spend_creation(request)
    closes = group_rounds.closes_at(parsed.closes_on)
    made = await run_in_threadpool(
        store.groups.start_next, found, parsed.label, parsed.roles, closes, parsed.carry_over
    )
    return RedirectResponse(urls.group_lead(made.round.token, made.lead_key, new=True), 303)


@router.post("/groups/{invite}/lead/{key}/delete", dependencies=[HtmlWritesAllowed, CsrfProtected])
async def group_delete(
    invite: str,
    key: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    """Delete the round and its responses, once the lead has ticked the confirmation."""
    found = await run_in_threadpool(_lead, store, invite, key)
    async with request.form() as form:
        confirmed = form.get("confirm") == "yes"
    if not confirmed:
        errors = {"confirm": "Tick the box to confirm: deleting cannot be undone."}
        return await run_in_threadpool(
            lead_page, request, templates, catalogue, store, found, key, None, errors, 422
        )
    await run_in_threadpool(store.groups.delete, found)
    context = {"catalogue": catalogue, "round": found}
    return templates.TemplateResponse(request, "groups/deleted.html", context, headers=PRIVATE)


@router.get("/groups/results/{token}")
def group_result(
    token: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """A closed round's group result, exactly as stored, with the catalogue it was
    computed with (304 when the browser holds this version)."""
    stored = group_rounds.stored_view(store, token)
    saved = store.get(token)
    if stored is None or saved is None:
        raise HTTPException(404, GONE)
    group, scored_with = stored
    context = group_context(scored_with, group) | {
        "assessment": saved,
        "share_url": urls.absolute(request, urls.group_result(token)),
        "manage_url": "",
        "catalogue_changed": saved.catalogue_hash != catalogue.content_hash,
        "current_version": catalogue.version,
    }
    page = templates.TemplateResponse(request, "groups/result.html", context)
    return conditional.respond(request, bytes(page.body), "text/html; charset=utf-8", SHARED)
