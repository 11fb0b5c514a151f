"""/docs: Swagger UI from the swagger-ui-bundle package, served by the app (no CDN), so the
API documentation works on a network without outside access, under the site's own CSP."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time.

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from cm_advisor.web.assets import files_under
from cm_advisor.web.deps import TemplatesDep

SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def swagger_files() -> dict[str, Path]:
    """The two Swagger UI files the page needs, as static files under swagger-ui/."""
    return files_under(Path(str(swagger_ui_path)), "swagger-ui/", SWAGGER_FILES)


@router.get("/docs")
async def docs(request: Request, templates: TemplatesDep) -> Response:
    """Swagger UI, started by static/js/docs.js: no inline script, so no nonce either."""
    return templates.TemplateResponse(request, "docs.html", {"title": request.app.title})
