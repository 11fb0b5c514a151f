"""A saved result as files: a CSV for machines (one row per model, with the answers), an
Excel workbook for people (openpyxl), and the file names both carry (label and date)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cm_advisor.engine import Catalogue, Result
from cm_advisor.storage import Assessment
from cm_advisor.web.answers_view import answer_rows
from cm_advisor.web.result_view import evidence, next_steps
from cm_advisor.web.verdict_view import verdict_view

CSV_COLUMNS = ("rank", "model", "name", "score", "fit", "reasons", "concerns")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SLUG_MAX = 60
Cell = str | int | float | None


def filename(saved: Assessment, extension: str, suffix: str = "") -> str:
    """cm-advisor-<label>-<date>[-suffix].<extension>, e.g.
    cm-advisor-riverside-health-2026-12-01.pdf; "result" when there is no label."""
    slug = _slug(saved.label) or "result"
    parts = ["cm-advisor", slug, saved.created_at.strftime("%Y-%m-%d"), suffix]
    return "-".join(p for p in parts if p) + f".{extension}"


def attachment(saved: Assessment, extension: str, suffix: str = "") -> dict[str, str]:
    """The Content-Disposition of a download (the name is plain ASCII: see `filename`)."""
    return {"Content-Disposition": f'attachment; filename="{filename(saved, extension, suffix)}"'}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


# --- CSV -------------------------------------------------------------------------------


def result_csv(saved: Assessment, catalogue: Catalogue, share_url: str) -> bytes:
    """One row per model, as before (rank, model, name, score, fit, reasons, concerns),
    then on every row the assessment it belongs to: label, date, link, verdict, and each
    question's answer (option ids, outcomes in order, joined by "|") and priority."""
    result = saved.result
    questions = [q.id for q in catalogue.questionnaire.questions]
    columns = [
        *CSV_COLUMNS,
        "label",
        "saved",
        "share_url",
        "verdict",
        "confidence",
        *(f"answer_{q}" for q in questions),
        *(f"priority_{q}" for q in questions),
    ]
    rows = {r.question_id: r for r in answer_rows(catalogue, result)}
    context = [
        saved.label,
        saved.created_at.isoformat(),
        share_url,
        result.verdict or "",
        result.confidence,
        *("|".join(rows[q].answer_ids) for q in questions),
        *(f"{rows[q].weight:g}" for q in questions),
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for m in result.ranking:
        reasons, concerns = " | ".join(m.reasons), " | ".join(m.concerns)
        own = [m.rank, m.model, m.name, f"{m.score:.1f}", m.fit, reasons, concerns]
        writer.writerow([*own, *context])
    return out.getvalue().encode()


# --- Excel -----------------------------------------------------------------------------


def result_xlsx(saved: Assessment, catalogue: Catalogue, share_url: str) -> bytes:
    """A workbook with a sheet each for the summary, the ranking, the answers and
    priorities, every contribution, the hybrids and staffing, and the first 90 days."""
    result = saved.result
    book = Workbook()
    book.properties.title = f"Case-management recommendation: {saved.label or 'result'}"
    book.properties.creator = "Case Management Model Advisor"
    book.properties.created = book.properties.modified = saved.created_at.replace(tzinfo=None)
    _summary(_sheet(book, "Summary", first=True), saved, catalogue, share_url)
    _table(
        _sheet(book, "Ranking"),
        ("Rank", "Model", "Score", "Fit", "Why it fits", "What counts against it", "Concerns"),
        (
            (m.rank, m.name, m.score, m.fit, *map(_lines, (m.reasons, m.behind_top, m.concerns)))
            for m in result.ranking
        ),
        widths=(6, 34, 8, 9, 60, 60, 60),
    )
    _table(
        _sheet(book, "Answers & priorities"),
        ("Topic", "Question", "Answer", "Answer ids", "Priority", "Default priority"),
        (
            (r.topic, r.label, r.answer, "|".join(r.answer_ids), r.weight, r.default)
            for r in answer_rows(catalogue, result)
        ),
        widths=(22, 60, 50, 24, 9, 9),
    )
    _table(
        _sheet(book, "Contributions"),
        ("Model", "Topic", "Answer", "Points", "Kind", "Why"),
        (
            (m.name, _topic(catalogue, c.question), c.answer, round(c.points, 2), c.kind, c.why)
            for m in result.ranking
            for c in m.contributions
        ),
        widths=(34, 22, 24, 8, 9, 80),
    )
    _table(
        _sheet(book, "Hybrids"),
        ("Title", "Kind", "Models", "Rationale", "Parts"),
        (
            (
                h.title,
                h.kind.replace("_", " "),
                ", ".join(h.models),
                h.rationale,
                _lines(f"{p.model}: {p.population}" for p in h.parts),
            )
            for h in result.hybrids
        ),
        widths=(40, 16, 30, 80, 60),
    )
    _staffing(_sheet(book, "Staffing"), result)
    _steps(_sheet(book, "First 90 days"), catalogue, result)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, *, first: bool = False) -> Worksheet:
    sheet = book.active if first else book.create_sheet()
    assert isinstance(sheet, Worksheet)
    sheet.title = title
    return sheet


def _table(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    widths: Sequence[int],
) -> None:
    sheet.append(list(header))
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    for values in rows:
        sheet.append(list(values))
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = wrap
    sheet.freeze_panes = "A2"


def _summary(sheet: Worksheet, saved: Assessment, catalogue: Catalogue, share_url: str) -> None:
    result = saved.result
    verdict = verdict_view(catalogue, result)
    robust = result.robustness
    rows: list[tuple[str, Cell]] = [
        ("Label", saved.label),
        ("Saved", saved.created_at.strftime("%-d %B %Y, %H:%M UTC")),
        ("Share link", share_url),
        ("Verdict", verdict.badge or "Best fit"),
        ("In one line", verdict.headline),
        ("Recommended", " and ".join(m.name for m in verdict.models) or "No model yet"),
        ("Score", verdict.score_words or f"{verdict.top.score:.1f} out of 100"),
        ("Runner-up", verdict.runner_up.name if verdict.runner_up else ""),
        ("Blend", verdict.blend.title if verdict.blend else ""),
        ("Confidence", f"{result.confidence}: {result.confidence_reason}"),
        ("How firm", robust.text if robust else ""),
        ("Why it fits", _lines(verdict.top.reasons) if verdict.recommends else ""),
        ("What to watch", _lines(verdict.top.concerns) if verdict.recommends else ""),
        *(
            (f"Evidence: {e.model.short_name}", f"{e.grade}. {e.summary}")
            for e in evidence(catalogue, result, verdict)
        ),
        ("Notes", saved.notes),
        ("Catalogue version", result.catalogue_version),
    ]
    _table(sheet, ("", ""), rows, widths=(22, 100))
    sheet.delete_rows(1)  # a summary has no header row
    for (cell,) in sheet.iter_rows(max_col=1):
        cell.font = Font(bold=True)
    sheet.freeze_panes = None


def _staffing(sheet: Worksheet, result: Result) -> None:
    rows: list[Sequence[Cell]] = []
    if result.staffing:
        s = result.staffing
        rows.append(
            (
                "Whole population",
                s.model,
                s.patients,
                s.case_managers.low,
                s.case_managers.high,
                f"{s.caseload_low}–{s.caseload_high}",
            )
        )
    for h in result.hybrids:
        for t in h.tiers:
            rows.append(
                (t.label, t.model, t.patients, t.case_managers.low, t.case_managers.high, "")
            )
    _table(
        sheet,
        ("Group", "Model", "Patients", "Case managers (low)", "Case managers (high)", "Caseload"),
        rows,
        widths=(24, 20, 12, 20, 20, 12),
    )


def _steps(sheet: Worksheet, catalogue: Catalogue, result: Result) -> None:
    rows = [
        (item.model.name, title, step)
        for item in next_steps(catalogue, verdict_view(catalogue, result))
        for key, title in (
            ("roles", "Roles and caseloads"),
            ("training", "Training"),
            ("workflows", "Workflows"),
            ("measures", "Measures"),
        )
        for step in getattr(item.steps, key)
    ]
    _table(sheet, ("Model", "Area", "Step"), rows, widths=(34, 20, 100))


def _topic(catalogue: Catalogue, question_id: str) -> str:
    known = question_id in catalogue.questions_by_id
    return catalogue.question(question_id).title if known else question_id


def _lines(items: Iterable[str]) -> str:
    return "\n".join(items)
