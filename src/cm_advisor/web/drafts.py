"""Save and finish later: an unfinished questionnaire kept under a private resume link.

The questionnaire's second submit button posts the whole form here. The fields are
kept as they are (checked only when finally submitted to /assess), and the person
gets a link to carry on from any device until the draft expires. Resume links live
under /resume/, which the access log redacts like share and manage links.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time.

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from cm_advisor.engine import Catalogue
from cm_advisor.storage import Store
from cm_advisor.storage.drafts import Draft, DraftTooLarge
from cm_advisor.web import forms, pages, questionnaire
from cm_advisor.web.conditional import PRIVATE
from cm_advisor.web.csrf import CsrfProtected
from cm_advisor.web.deps import CatalogueDep, SettingsDep, StoreDep, TemplatesDep, UrlsDep
from cm_advisor.web.guards import HtmlWritesAllowed, spend_creation

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.post("/drafts", dependencies=[HtmlWritesAllowed, CsrfProtected])
async def save_draft(
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    store: StoreDep,
    urls: UrlsDep,
) -> Response:
    """Keep the form exactly as filled in, then show its resume link (POST → 303 → GET)."""
    async with request.form() as form:
        fields = forms.parse_answers(catalogue, form).kept  # the questionnaire's fields only
    spend_creation(request)  # only a well-formed post counts against the rate limit
    draft = await keep(store, fields, settings.draft_days)
    return RedirectResponse(urls.draft_saved(draft.token), status_code=303)


async def keep(store: Store, fields: dict[str, str], days: int) -> Draft:
    """Save the fields as a draft for `days` (on a thread); 413 if they are too long."""
    try:
        return await run_in_threadpool(store.save_draft, fields, days)
    except DraftTooLarge as exc:
        raise HTTPException(413, "These answers are too long to save as a draft.") from exc


@router.get("/resume/{token}/saved")
def draft_saved(
    token: str,
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """The private resume link, when it expires, and what it holds."""
    draft = store.draft(token)
    if draft is None:
        return missing_page(request, templates, catalogue, settings.draft_days)
    resume_url = urls.absolute(request, urls.resume(token))
    return saved_page(request, templates, catalogue, draft, resume_url)


def saved_page(
    request: Request,
    templates: Jinja2Templates,
    catalogue: Catalogue,
    draft: Draft,
    resume_url: str,
) -> Response:
    """The page with a draft's private resume link, when it expires and what it holds."""
    context = {
        "catalogue": catalogue,
        "draft": draft,
        "resume_url": resume_url,
        "answered": questionnaire.answered(catalogue, draft.fields),
        "total": len(catalogue.questionnaire.questions),
    }
    return templates.TemplateResponse(request, "draft_saved.html", context, headers=PRIVATE)


@router.get("/resume/{token}")
def resume(
    token: str,
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    """The questionnaire again, filled in as it was saved."""
    draft = store.draft(token)
    if draft is None:
        return missing_page(request, templates, catalogue, settings.draft_days)
    response = pages.render_questionnaire(
        request, templates, catalogue, draft.fields, extra={"draft": draft}
    )
    response.headers.update(PRIVATE)
    return response


def missing_page(
    request: Request, templates: Jinja2Templates, catalogue: Catalogue, days: int
) -> Response:
    """404: a resume link that has expired or never was."""
    context = {"catalogue": catalogue, "days": days}
    return templates.TemplateResponse(
        request, "resume_missing.html", context, status_code=404, headers=PRIVATE
    )
