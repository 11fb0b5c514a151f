"""The creator's private pages for a saved result, reached through its manage link: edit
the label and notes, keep the link (a small text file), and delete the result after a
confirmation page of its own (a plain form: no JavaScript needed)."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time.

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cm_advisor.engine import Catalogue
from cm_advisor.storage import Assessment, Store
from cm_advisor.web import exports, forms
from cm_advisor.web.csrf import CsrfProtected
from cm_advisor.web.deps import CatalogueDep, StoreDep, TemplatesDep, UrlsDep
from cm_advisor.web.guards import HtmlWritesAllowed
from cm_advisor.web.saved import PRIVATE, load
from cm_advisor.web.urls import Urls

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _authorised(store: Store, token: str, key: str) -> Assessment:
    saved = load(store, token)
    if not store.check_key(token, key):
        raise HTTPException(403, "This manage link is not valid for this result.", headers=PRIVATE)
    return saved


def _context(
    request: Request, urls: Urls, catalogue: Catalogue, saved: Assessment, key: str
) -> dict[str, object]:
    token = saved.token
    return {
        "catalogue": catalogue,
        "assessment": saved,
        "share_url": urls.absolute(request, urls.result(token)),
        "manage_url": urls.absolute(request, urls.manage(token, key)),
        "manage_file_url": urls.manage_link_file(token, key),
        "manage_key": key,
        "saved": False,
        "errors": {},
    }


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
    """The creator's private page: edit the label and notes, keep the link, or delete."""
    saved = _authorised(store, token, key)
    context = _context(request, urls, catalogue, saved, key)
    context["saved"] = request.query_params.get("saved") == "1"
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
        context = _context(request, urls, catalogue, saved, key)
        context |= {"errors": errors, "kept": {"label": label, "notes": notes}}
        return templates.TemplateResponse(
            request, "manage.html", context, status_code=422, headers=PRIVATE
        )
    store.update(token, key, label, notes)
    return RedirectResponse(urls.manage(token, key, saved=True), status_code=303)


@router.get("/manage/{token}/{key}/link.txt")
def manage_link_file(
    token: str, key: str, request: Request, store: StoreDep, urls: UrlsDep
) -> Response:
    """The manage link as a small text file to keep somewhere safe."""
    saved = _authorised(store, token, key)
    about = f"“{saved.label}”" if saved.label else "without a label"
    text = (
        f"Case Management Model Advisor: the result {about}, saved "
        f"{saved.created_at.strftime('%-d %B %Y')}.\n\n"
        f"Private manage link (edit the label and notes, or delete the result):\n"
        f"{urls.absolute(request, urls.manage(token, key))}\n\n"
        f"Share link (anyone with it sees the result):\n"
        f"{urls.absolute(request, urls.result(token))}\n\n"
        "Keep this file to yourself: the manage link cannot be recovered or sent again.\n"
    )
    headers = PRIVATE | exports.attachment(saved, "txt", "manage-link")
    return Response(text.encode(), media_type="text/plain; charset=utf-8", headers=headers)


@router.get("/manage/{token}/{key}/delete")
def manage_delete_confirm(
    token: str,
    key: str,
    request: Request,
    store: StoreDep,
    catalogue: CatalogueDep,
    templates: TemplatesDep,
    urls: UrlsDep,
) -> Response:
    """Ask before deleting: what will go, and a button that does it."""
    saved = _authorised(store, token, key)
    context = _context(request, urls, catalogue, saved, key)
    return templates.TemplateResponse(request, "delete.html", context, headers=PRIVATE)


@router.post("/manage/{token}/{key}/delete", dependencies=[HtmlWritesAllowed, CsrfProtected])
def manage_delete(
    token: str,
    key: str,
    request: Request,
    store: StoreDep,
    templates: TemplatesDep,
    catalogue: CatalogueDep,
) -> Response:
    """Delete for good, as confirmed; the share link answers 404 from now on."""
    _authorised(store, token, key)
    store.delete(token, key)
    context = {"catalogue": catalogue}
    return templates.TemplateResponse(request, "deleted.html", context, headers=PRIVATE)
