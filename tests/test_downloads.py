"""A saved result as files: the PDF report read back with pypdf, the workbook opened with
openpyxl, the CSV with the answers, file names with the label and date."""

import csv
import io
import random
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from cm_advisor import engine
from cm_advisor.engine import Catalogue
from cm_advisor.storage import Assessment
from cm_advisor.web import exports, report
from cm_advisor.web.assets import StaticAssets, files_under
from helpers.archetypes import ARCHETYPES, MIXED
from helpers.html import one, parse
from helpers.settings import DEFAULTS

LABEL = "Riverside Health — community team"
MAX_PAGES = 6  # issue 16: a typical result fits in six pages


def _save(client: TestClient, answers: dict[str, Any], **extra: Any) -> str:
    body = {"answers": answers, "label": LABEL, "notes": "Before the merger"} | extra
    created = client.post("/api/v1/assessments", json=body)
    assert created.status_code == 201, created.text
    token: str = created.json()["id"]
    return token


def _pdf(client: TestClient, token: str) -> tuple[PdfReader, list[str]]:
    response = client.get(f"/r/{token}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return reader, [" ".join((p.extract_text() or "").split()) for p in reader.pages]


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


@pytest.mark.parametrize("name", sorted(ARCHETYPES))
def test_the_pdf_of_a_typical_result_has_the_summary_first_and_six_pages_at_most(
    client: TestClient, catalogue: Catalogue, name: str
) -> None:
    token = _save(client, ARCHETYPES[name])
    expected = engine.score(catalogue, ARCHETYPES[name])
    reader, pages = _pdf(client, token)
    assert 1 <= len(pages) <= MAX_PAGES
    first = pages[0]
    assert "Executive summary" in first
    for text in (LABEL, f"/r/{token}", expected.headline, "Why it fits", "What to watch"):
        assert text in first, text
    assert catalogue.model(expected.recommended).name in first
    assert "Next steps: the first 90 days" in first
    assert f"{expected.ranking[0].score:.1f} out of 100" in first
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text  # page numbers,
        assert LABEL in text  # and a footer with the label on every page
    rest = " ".join(pages[1:])
    for heading in (
        "Answers and priorities",
        "Ranking",
        "What would change the answer",
        "Hybrids and staffing",
        "The evidence",
        "Appendix: the scores",
    ):
        assert heading in rest, heading
    for ms in expected.ranking:  # the ranking chart, in ranking order
        assert catalogue.model(ms.model).short_name in rest
    assert reader.metadata is not None and reader.metadata.title
    assert LABEL in reader.metadata.title


def test_the_pdf_of_a_tie_names_both_models_and_their_blend(
    client: TestClient, catalogue: Catalogue
) -> None:
    token = _save(
        client, MIXED, population={"size": 12000, "tiers": {"high": 30, "rising": 20, "low": 50}}
    )
    expected = engine.score(catalogue, MIXED)
    _, pages = _pdf(client, token)
    assert len(pages) <= MAX_PAGES
    assert "Tie" in pages[0] and "Blend to consider" in pages[0]
    for ms in expected.ranking[:2]:
        assert f"Why {catalogue.model(ms.model).short_name} fits" in pages[0]


def _drawn(catalogue: Catalogue, seed: int) -> dict[str, Any]:
    """Every question answered at random (up to three outcomes): the answer sets a typical
    user gives, ties and blends included, rather than the archetypes' clear cases."""
    rng = random.Random(seed)
    answers: dict[str, Any] = {}
    for q in catalogue.questionnaire.questions:
        if q.kind == "multi":
            answers[q.id] = rng.sample(q.option_ids, rng.randint(1, 3))
        else:
            answers[q.id] = rng.choice(q.option_ids)
    return answers


def test_the_pdf_of_drawn_answer_sets_fits_six_pages(
    client: TestClient, catalogue: Catalogue
) -> None:
    """Before the report flowed its middle sections, 2 of 17 such sets took 7 pages."""
    counts = [len(_pdf(client, _save(client, _drawn(catalogue, seed)))[1]) for seed in range(10)]
    assert max(counts) <= MAX_PAGES, counts


def test_the_pdf_of_an_empty_form_recommends_no_model(client: TestClient) -> None:
    _, pages = _pdf(client, _save(client, {}))
    assert "No model recommended yet" in pages[0]
    assert "Not enough answers" in pages[0]
    assert "Why it fits" not in pages[0]


def test_the_pdf_is_named_after_the_label_and_date_and_passes_compression_untouched(
    client: TestClient,
) -> None:
    token = _save(client, ARCHETYPES["clinical"])
    response = client.get(f"/r/{token}.pdf", headers={"Accept-Encoding": "br, gzip"})
    assert "content-encoding" not in response.headers
    assert response.content.startswith(b"%PDF-")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="cm-advisor-riverside-health-community-team-{_today()}.pdf"'
    )
    assert response.headers["cache-control"] == "private, no-cache"


def test_the_reports_html_source_is_a_page_of_its_own(client: TestClient) -> None:
    token = _save(client, ARCHETYPES["intensive"])
    response = client.get(f"/r/{token}/report")
    assert response.status_code == 200
    page = parse(response.text)
    assert one(page, "link[rel=stylesheet]")["href"].startswith("/static/css/report.")
    assert one(page, "h2#summary-title")
    assert one(page, ".cover-link a")["href"] == f"http://testserver/r/{token}"
    assert client.get("/r/nope/report").status_code == 404
    assert client.get("/r/nope.pdf").status_code == 404
    assert client.get("/r/nope.xlsx").status_code == 404


def test_the_report_loads_only_the_apps_static_files() -> None:
    assets = StaticAssets(files_under(DEFAULTS.static_dir))
    weasyprint = pytest.importorskip("weasyprint")
    fetch = report._static_fetcher(weasyprint, "https://advisor.example.org", assets)
    css = assets.url("css/report.css")
    found = fetch(f"https://advisor.example.org{css}")
    assert b"@page" in found.read()
    for url in (
        "https://elsewhere.example.com" + css,
        "https://advisor.example.org/static/css/report.css",  # not a hashed name
        "https://advisor.example.org/r/some-token",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError, match="only the app's static files"):
            fetch(url)


# --- the workbook ----------------------------------------------------------------------------


def test_the_workbook_holds_the_summary_ranking_answers_and_more(
    client: TestClient, catalogue: Catalogue
) -> None:
    answers = ARCHETYPES["intensive"]
    token = _save(client, answers, weights={"budget": 3}, population={"size": 12000})
    response = client.get(f"/r/{token}.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == exports.XLSX_TYPE
    assert response.headers["content-disposition"].endswith(f'-{_today()}.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Summary",
        "Ranking",
        "Answers & priorities",
        "Contributions",
        "Hybrids",
        "Staffing",
        "First 90 days",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Label"] == LABEL
    assert summary["Share link"] == f"http://testserver/r/{token}"
    assert summary["Verdict"] == "Clear lead"
    expected = engine.score(catalogue, answers, {"budget": 3}, {"size": 12000})
    assert summary["In one line"] == expected.headline

    rows = list(book["Answers & priorities"].iter_rows(values_only=True))
    assert rows[0] == ("Topic", "Question", "Answer", "Answer ids", "Priority", "Default priority")
    by_topic = {r[0]: r for r in rows[1:]}
    for question in catalogue.questionnaire.questions:
        given = answers[question.id]
        row = by_topic[question.title]
        if isinstance(given, str):
            assert row[2] == question.option(given).label
            assert row[3] == given
        else:
            assert row[3] == "|".join(given)
    assert by_topic["Budget"][4] == 3 and by_topic["Budget"][5] == 1

    ranking = list(book["Ranking"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in ranking] == [ms.name for ms in expected.ranking]
    assert [r[2] for r in ranking] == [ms.score for ms in expected.ranking]
    contributions = list(book["Contributions"].iter_rows(min_row=2, values_only=True))
    assert len(contributions) == sum(len(ms.contributions) for ms in expected.ranking)
    staffing = list(book["Staffing"].iter_rows(min_row=2, values_only=True))
    assert expected.staffing is not None
    assert staffing[0][2:5] == (
        12000,
        expected.staffing.case_managers.low,
        expected.staffing.case_managers.high,
    )
    steps = list(book["First 90 days"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in steps} == {catalogue.model("intensive").name}


# --- the CSV and file names ------------------------------------------------------------------


def test_the_csv_gains_the_assessment_and_its_answers(client: TestClient) -> None:
    token = _save(client, ARCHETYPES["brokerage"], weights={"staffing": 2})
    response = client.get(f"/r/{token}.csv")
    header, *rows = list(csv.reader(io.StringIO(response.text)))
    assert header[:7] == list(exports.CSV_COLUMNS)
    assert len(rows) == 5
    row = dict(zip(header, rows[0], strict=True))
    assert row["label"] == LABEL and row["share_url"] == f"http://testserver/r/{token}"
    assert row["verdict"] == "clear"
    assert row["answer_staff_mix"] == "non_clinical"
    assert row["priority_staffing"] == "2" and row["priority_acuity"] == "1.5"
    assert re.fullmatch(
        r'attachment; filename="cm-advisor-riverside-health-community-team-[\d-]+\.csv"',
        response.headers["content-disposition"],
    )


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        (
            "Riverside Health — community team",
            "cm-advisor-riverside-health-community-team-2026-12-01.pdf",
        ),
        ("Clínica São José / Ünit 3", "cm-advisor-clinica-sao-jose-unit-3-2026-12-01.pdf"),
        ("", "cm-advisor-result-2026-12-01.pdf"),
        ("———", "cm-advisor-result-2026-12-01.pdf"),
        ("x" * 300, f"cm-advisor-{'x' * 60}-2026-12-01.pdf"),
    ],
)
def test_file_names_carry_a_plain_label_and_the_date(
    catalogue: Catalogue, label: str, expected: str
) -> None:
    saved = Assessment(
        token="t",
        created_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        label=label,
        notes="",
        answers={},
        weights={},
        result=engine.score(catalogue, {}),
        catalogue_hash="",
        catalogue_version="",
        engine_version="",
    )
    assert exports.filename(saved, "pdf") == expected
