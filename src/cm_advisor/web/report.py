"""The PDF report: the report page (templates/report.html, also served as HTML) rendered
by WeasyPrint, which fetches nothing but the app's own static files.

WeasyPrint is imported on first use: it costs about 0.3 s and 25 MB, which a worker that
never makes a report should not pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cm_advisor.engine import Catalogue, Result
from cm_advisor.web.assets import StaticAssets


def render_pdf(html: str, base_url: str, assets: StaticAssets) -> bytes:
    """The report as PDF bytes. `base_url` is the site's address, so links in the PDF
    point at the real pages; the only resources loaded are static files, from memory."""
    import weasyprint  # lazily: see the module docstring

    fetcher = _static_fetcher(weasyprint, base_url, assets)
    document = weasyprint.HTML(string=html, base_url=base_url + "/", url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf


def _static_fetcher(weasyprint: Any, base_url: str, assets: StaticAssets) -> Any:
    site = urlsplit(base_url)

    class StaticOnly(weasyprint.urls.URLFetcher):  # type: ignore[misc]
        """Serves the app's hashed static files and refuses everything else: a report
        never reaches the network, whatever its HTML names."""

        def fetch(self, url: str, headers: object = None) -> Any:
            parts = urlsplit(url)
            asset = assets.find(parts.path) if parts.netloc == site.netloc else None
            if asset is None:
                raise ValueError(f"the report loads only the app's static files, not {url}")
            return weasyprint.urls.URLFetcherResponse(
                url, asset.read(), {"Content-Type": asset.media_type}
            )

    return StaticOnly()


@dataclass(frozen=True, slots=True)
class MatrixRow:
    topic: str
    points: tuple[float | None, ...]  # per model, in ranking order; None: no points
    red_flag: bool = False


@dataclass(frozen=True, slots=True)
class ScoreMatrix:
    """The appendix: points per answer (rows) and model (columns, in ranking order)."""

    models: tuple[str, ...]
    rows: tuple[MatrixRow, ...]
    totals: tuple[float, ...]


def score_matrix(catalogue: Catalogue, result: Result) -> ScoreMatrix:
    ranking = result.ranking
    fits: dict[str, dict[str, float]] = {}
    flags: dict[str, float] = {}
    for ms in ranking:
        for c in ms.contributions:
            if c.kind == "red_flag":
                flags[ms.model] = flags.get(ms.model, 0.0) + c.points
            else:
                fits.setdefault(c.question, {}).setdefault(ms.model, 0.0)
                fits[c.question][ms.model] += c.points
    rows = [
        MatrixRow(q.title, tuple(fits[q.id].get(ms.model) for ms in ranking))
        for q in catalogue.questionnaire.questions
        if q.id in fits
    ]
    if flags:
        rows.append(MatrixRow("Red flags", tuple(flags.get(ms.model) for ms in ranking), True))
    return ScoreMatrix(
        models=tuple(_short_name(catalogue, ms.model) for ms in ranking),
        rows=tuple(rows),
        totals=tuple(ms.score for ms in ranking),
    )


def _short_name(catalogue: Catalogue, model_id: str) -> str:
    return catalogue.model(model_id).short_name if model_id in catalogue.model_ids else model_id
