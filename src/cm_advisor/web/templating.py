"""The one Jinja environment: autoescaping, StrictUndefined and the app's filters."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cm_advisor.web.csrf import csrf_field


def _points(value: float) -> str:
    """Signed points with a true minus sign; zero is just 0.0."""
    shown = f"{abs(value):.1f}"
    if shown == "0.0":
        return shown
    return f"+{shown}" if value > 0 else f"\u2212{shown}"


def make_templates(directory: Path) -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["points"] = _points
    env.globals["csrf_field"] = csrf_field
    return Jinja2Templates(env=env)
