"""Answering a group round: the invitation opens the questionnaire, each response gets a
private edit link valid until the round closes, and "Save and finish later" works as on
the questionnaire itself. An invitation shows the round's label, roles and closing date,
never anyone's answers; an edit link opens its own response only."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time.

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from cm_advisor.engine import Catalogue, Population
from cm_advisor.storage import Round, RoundClosed, RoundFull, Store, WrongKey
from cm_advisor.storage.groups import Response as StoredResponse
from cm_advisor.web import drafts, forms, group_forms, group_rounds, pages
from cm_advisor.web.conditional import PRIVATE
from cm_advisor.web.csrf import CsrfProtected
from cm_advisor.web.deps import CatalogueDep, SettingsDep, StoreDep, TemplatesDep, UrlsDep
from cm_advisor.web.guards import HtmlWritesAllowed, spend_creation
from cm_advisor.web.urls import Urls

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

NO_ROUND = "There is no group round at this link. Check that it was copied in full."
WRONG_KEY = "This edit link is not valid for this response."


async def _round(store: Store, invite: str) -> Round:
    found = await run_in_threadpool(store.groups.get, invite)
    if found is None:
        raise HTTPException(404, NO_ROUND, headers=PRIVATE)
    return found


async def _own(store: Store, invite: str, token: str, key: str) -> tuple[StoredResponse, Round]:
    try:
        opened = await run_in_threadpool(store.groups.response, token, key)
    except WrongKey:
        raise HTTPException(403, WRONG_KEY, headers=PRIVATE) from None
    if opened is None or opened[1].token != invite:
        raise HTTPException(404, "There is no such response in this round.", headers=PRIVATE)
    return opened


def closed_page(request: Request, templates: Jinja2Templates, found: Round) -> Response:
    """409: the round takes no more responses or edits."""
    context = {"round": found, "closes_on": group_rounds.closing_day(found)}
    return templates.TemplateResponse(
        request, "groups/closed.html", context, status_code=409, headers=PRIVATE
    )


def render(
    request: Request,
    templates: Jinja2Templates,
    catalogue: Catalogue,
    found: Round,
    kept: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The round's questionnaire: new (posting to the invitation), resumed from a draft, or
    a response being changed (posting to its edit link, with no draft button)."""
    urls: Urls = request.app.state.urls
    response: StoredResponse | None = extra.get("response")
    context = {
        "round": found,
        "closes_on": group_rounds.closing_day(found),
        "editing": response is not None,
        "saved": False,
        "form_action": urls.group_invite(found.token),
        "draft_action": urls.group_drafts(found.token),
        **extra,
    }
    page = pages.render_questionnaire(
        request,
        templates,
        catalogue,
        kept,
        errors,
        status_code,
        extra=context,
        template="groups/respond.html",
    )
    page.headers.update(PRIVATE)
    return page


async def _parsed(
    request: Request, catalogue: Catalogue, found: Round
) -> tuple[forms.ParsedForm, str, str, dict[str, str], dict[str, str]]:
    """The questionnaire's fields and the respondent's; the errors of both, role first."""
    if not request.headers.get("content-type", "").lower().startswith(pages.FORM_TYPES):
        raise HTTPException(415, "The questionnaire must be sent as a form.")
    async with request.form() as form:
        if not _filled(form):
            raise HTTPException(400, "The questionnaire arrived empty. Please fill it in again.")
        parsed = forms.parse_answers(catalogue, form)
        kept = dict(parsed.kept)
        errors: dict[str, str] = {}
        role, initials = group_forms.respondent_fields(form, found, kept, errors)
    return parsed, role, initials, kept, errors | parsed.errors


def _filled(form: FormData) -> bool:
    return any(name != "csrf_token" for name in form)


@router.get("/groups/{invite}")
async def group_invitation(
    invite: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    """The round's questionnaire, or a page saying it has closed."""
    found = await _round(store, invite)
    if not found.is_open():
        return closed_page(request, templates, found)
    return render(request, templates, catalogue, found, {})


@router.post("/groups/{invite}", dependencies=[HtmlWritesAllowed, CsrfProtected])
async def group_respond(
    invite: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """Save a response, then show its private edit link (POST → 303 → GET); on a problem,
    the form again with every answer kept and each problem marked."""
    found = await _round(store, invite)
    if not found.is_open():
        return closed_page(request, templates, found)
    parsed, role, initials, kept, errors = await _parsed(request, catalogue, found)
    if errors:
        return render(request, templates, catalogue, found, kept, errors, 422)
    spend_creation(request)  # only a valid response counts against the rate limit
    given = group_rounds.given(parsed.answers, parsed.weights, parsed.population, role, initials)
    try:
        made = await run_in_threadpool(store.groups.respond, found, given)
    except RoundClosed:
        return closed_page(request, templates, found)
    except RoundFull as exc:
        raise HTTPException(409, f"{str(exc).capitalize()}.", headers=PRIVATE) from None
    link = urls.group_response(invite, made.response.token, made.key, saved=True)
    return RedirectResponse(link, status_code=303)


@router.get("/groups/{invite}/responses/{token}/{key}")
async def group_response_page(
    invite: str,
    token: str,
    key: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """One's own response, to change until the round closes."""
    response, found = await _own(store, invite, token, key)
    if not found.is_open():
        return closed_page(request, templates, found)
    kept = forms.to_fields(catalogue, response.answers, response.weights, _population(response))
    kept |= {"role": response.role, "initials": response.initials}
    return render(
        request,
        templates,
        catalogue,
        found,
        kept,
        response=response,
        saved=request.query_params.get("saved") == "1",
        edit_url=urls.absolute(request, urls.group_response(invite, token, key)),
        form_action=urls.group_response(invite, token, key),
        draft_action=None,
    )


@router.post(
    "/groups/{invite}/responses/{token}/{key}", dependencies=[HtmlWritesAllowed, CsrfProtected]
)
async def group_edit_response(
    invite: str,
    token: str,
    key: str,
    request: Request,
    catalogue: CatalogueDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """Replace one's answers (POST → 303 → GET), or 409 once the round has closed."""
    response, found = await _own(store, invite, token, key)
    if not found.is_open():
        return closed_page(request, templates, found)
    parsed, role, initials, kept, errors = await _parsed(request, catalogue, found)
    if errors:
        return render(
            request,
            templates,
            catalogue,
            found,
            kept,
            errors,
            422,
            response=response,
            form_action=urls.group_response(invite, token, key),
            draft_action=None,
        )
    given = group_rounds.given(parsed.answers, parsed.weights, parsed.population, role, initials)
    try:
        await run_in_threadpool(store.groups.edit, response, given)
    except RoundClosed:
        return closed_page(request, templates, found)
    return RedirectResponse(urls.group_response(invite, token, key, saved=True), status_code=303)


def _population(response: StoredResponse) -> Population | None:
    return None if response.population is None else Population.model_validate(response.population)


# --- save and finish later ----------------------------------------------------------


@router.post("/groups/{invite}/drafts", dependencies=[HtmlWritesAllowed, CsrfProtected])
async def group_save_draft(
    invite: str,
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """Keep the round's form as filled in, then show its resume link."""
    found = await _round(store, invite)
    if not found.is_open():
        return closed_page(request, templates, found)
    async with request.form() as form:
        kept = dict(forms.parse_answers(catalogue, form).kept)
        group_forms.respondent_fields(form, found, kept, {})
    spend_creation(request)
    draft = await drafts.keep(store, kept, settings.draft_days)
    return RedirectResponse(urls.group_draft_saved(invite, draft.token), status_code=303)


@router.get("/groups/{invite}/resume/{token}/saved")
async def group_draft_saved(
    invite: str,
    token: str,
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """The private resume link of a round's unfinished answers."""
    await _round(store, invite)
    draft = await run_in_threadpool(store.draft, token)
    if draft is None:
        return drafts.missing_page(request, templates, catalogue, settings.draft_days)
    resume_url = urls.absolute(request, urls.group_resume(invite, token))
    return drafts.saved_page(request, templates, catalogue, draft, resume_url)


@router.get("/groups/{invite}/resume/{token}")
async def group_resume(
    invite: str,
    token: str,
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    """The round's questionnaire again, filled in as it was saved."""
    found = await _round(store, invite)
    if not found.is_open():
        return closed_page(request, templates, found)
    draft = await run_in_threadpool(store.draft, token)
    if draft is None:
        return drafts.missing_page(request, templates, catalogue, settings.draft_days)
    return render(request, templates, catalogue, found, draft.fields, draft=draft)
