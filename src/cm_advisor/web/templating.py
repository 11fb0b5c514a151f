"""The one Jinja environment: autoescaping, StrictUndefined, the app's filters, and the
objects every template may use: `urls` (every link), `limits` and the weight wording."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cm_advisor.limits import LIMITS
from cm_advisor.web import result_view, wording
from cm_advisor.web.csrf import csrf_field
from cm_advisor.web.urls import Urls


def _points(value: float) -> str:
    """Signed points with a true minus sign; zero is just 0.0."""
    shown = f"{abs(value):.1f}"
    if shown == "0.0":
        return shown
    return f"+{shown}" if value > 0 else f"\u2212{shown}"


def make_templates(directory: Path, urls: Urls) -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["points"] = _points
    env.filters["weight_label"] = wording.weight_label
    env.filters["reference_grade"] = result_view.reference_grade
    env.filters["percent"] = result_view.percent
    env.globals["csrf_field"] = csrf_field
    env.globals["urls"] = urls
    env.globals["limits"] = LIMITS
    env.globals["weight_choices"] = wording.weight_choices
    return Jinja2Templates(env=env)
