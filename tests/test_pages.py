"""The HTML pages: questionnaire, result, model library and error pages, checked by element."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cm_advisor import engine
from cm_advisor.config import Settings
from cm_advisor.engine import Catalogue
from cm_advisor.storage import StoreUnavailable
from cm_advisor.web import forms
from cm_advisor.web.app import create_app
from helpers.archetypes import ARCHETYPES
from helpers.html import checked, one, parse, ranked, text_of
from helpers.settings import DEFAULTS, HermeticSettings

XSS = "<script>alert('x')</script>"


# --- fixtures ----------------------------------------------------------------------


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """An app not yet started, for tests that add routes or need their own client."""
    return create_app(settings)


def _form(answers: dict[str, Any]) -> dict[str, Any]:
    """The form a browser sends for these answers: outcomes ticked, and numbered in order."""
    fields: dict[str, Any] = {k: v for k, v in answers.items() if isinstance(v, str)}
    outcomes = list(answers.get("outcomes", ()))
    fields["outcomes"] = outcomes
    fields.update({f"outcomes_order_{o}": str(i) for i, o in enumerate(outcomes, 1)})
    return fields


FORM_ARCHETYPE = _form(ARCHETYPES["intensive"])


# --- home and layout -----------------------------------------------------------------


def test_home_explains_and_links_everywhere(client: TestClient, catalogue: Catalogue) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    hrefs = {a.get("href") for a in page.select("a")}
    assert {"/assess", "/docs", "/models"} <= hrefs
    assert {f"/models/{m.id}" for m in catalogue.models} <= hrefs
    start = page.select("a.button[href='/assess']")
    assert start and text_of(start[0]) == "Start the questionnaire"
    assert "never about individual patients" in text_of(one(page, "main"))


def test_layout_is_accessible_and_titles_are_unique(client: TestClient) -> None:
    titles = set()
    for path in ("/", "/assess", "/models", "/models/brokerage", "/nope"):
        page = parse(client.get(path).text)
        assert one(page, "html")["lang"] == "en"
        assert one(page, "meta[name=viewport]")
        assert one(page, "a.skip-link")["href"] == "#main"
        assert one(page, "main")["id"] == "main"
        assert re.fullmatch(
            r"/static/css/app\.[0-9a-f]{10}\.css", str(one(page, "link[rel=stylesheet]")["href"])
        )
        nav = one(page, "nav[aria-label=Main]")
        assert [text_of(a) for a in nav.select("a")] == ["Home", "Questionnaire", "Models", "API"]
        titles.add(text_of(one(page, "title")))
    assert len(titles) == 5


def test_stylesheet_is_served(client: TestClient) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "@media print" in response.text


# --- the questionnaire ------------------------------------------------------------------


def test_questionnaire_renders_every_section_and_question(
    client: TestClient, catalogue: Catalogue
) -> None:
    response = client.get("/assess")
    assert response.status_code == 200
    page = parse(response.text)
    form = one(page, "form[method=post][action='/assess']")
    sections = form.select("section")
    assert [text_of(one(s, "h2")) for s in sections] == [
        f"Part {i} of {len(sections)} {s.title}"
        for i, s in enumerate(catalogue.questionnaire.sections, start=1)
    ]
    fieldsets = form.select("fieldset")
    assert len(fieldsets) == len(catalogue.questionnaire.questions)
    for question in catalogue.questionnaire.questions:
        fieldset = one(form, f"#q-{question.id}")
        assert text_of(one(fieldset, "legend")) == question.label
        help_id = f"{question.id}-help"
        assert help_id in str(fieldset["aria-describedby"]).split()
        assert text_of(one(fieldset, f"#{help_id}")) == question.help
        if question.kind == "single":
            radios = fieldset.select(f"input[type=radio][name='{question.id}']")
            assert [r["value"] for r in radios] == ["", *question.option_ids]  # "Not sure" first
            assert checked(page, question.id) == [""]  # "not sure" until answered
            for option in question.options:
                label = one(fieldset, f"label[for='{question.id}-{option.id}']")
                assert text_of(label) == option.label
    assert "optional" in text_of(one(page, "main"))
    assert text_of(one(page, "button[type=submit]")) == "Show me the recommendation"


def test_outcomes_are_checkboxes_each_with_an_order_field(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = parse(client.get("/assess").text)
    outcomes = catalogue.question("outcomes")
    fieldset = one(page, "#q-outcomes")
    assert not fieldset.select("select")  # no drop-downs that can repeat an outcome
    boxes = fieldset.select("input[type=checkbox]")
    assert [b["name"] for b in boxes] == ["outcomes"] * len(outcomes.options)
    assert [b["value"] for b in boxes] == list(outcomes.option_ids)
    for option in outcomes.options:
        assert text_of(one(fieldset, f"label[for=outcomes-{option.id}]")) == option.label
        order = one(fieldset, f"#outcomes_order_{option.id}")
        assert order["name"] == f"outcomes_order_{option.id}" and order["inputmode"] == "numeric"
        assert f"“{option.short_label}”" in text_of(one(fieldset, f"label[for={order['id']}]"))
    assert "Tick up to 6" in text_of(one(fieldset, "#outcomes-order-help"))


def test_query_parameters_prefill_the_questionnaire(client: TestClient) -> None:
    params = {
        "acuity": "high",
        "outcomes": "cost,quality,experience",
        "outcomes_order_cost": "3",
        "outcomes_order_experience": "1",
    }
    page = parse(client.get("/assess", params=params).text)
    assert checked(page, "acuity") == ["high"]
    # Numbered ones first, by number; then the rest as listed; shown renumbered 1, 2, 3.
    assert ranked(page, "outcomes") == ["experience", "cost", "quality"]
    assert one(page, "#outcomes_order_quality")["value"] == "3"
    assert not page.select(".error-summary")


def test_links_from_before_the_checkboxes_still_fill_the_form_in_order(
    client: TestClient,
) -> None:
    page = parse(
        client.get("/assess", params={"outcomes_1": "utilization", "outcomes_2": "cost"}).text
    )
    assert ranked(page, "outcomes") == ["utilization", "cost"]
    assert one(page, "#outcomes_order_utilization")["value"] == "1"
    assert one(page, "#outcomes_order_cost")["value"] == "2"


# --- submitting the questionnaire ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ARCHETYPES))
def test_full_archetype_recommends_the_engines_choice_first(
    client: TestClient, catalogue: Catalogue, name: str
) -> None:
    expected = engine.score(catalogue, ARCHETYPES[name])

    response = client.post("/assess", data=_form(ARCHETYPES[name]))
    assert response.status_code == 200
    page = parse(response.text)
    top = catalogue.model(expected.recommended)
    recommendation = one(page, "section.recommendation")
    assert text_of(one(recommendation, "h2")) == top.name
    assert expected.verdict == "clear"
    assert text_of(one(recommendation, ".badge-verdict")) == "Clear lead"
    assert text_of(one(recommendation, ".headline")) == expected.headline
    assert text_of(one(recommendation, ".score-words")).startswith(
        f"{expected.ranking[0].fit.capitalize()} fit: {expected.ranking[0].score:.1f} out of 100"
    )
    assert f"{expected.confidence.capitalize()} confidence" in text_of(recommendation)
    assert text_of(one(page, "#analysis .confidence-reason")) == expected.confidence_reason
    for reason in expected.ranking[0].reasons:
        assert reason in text_of(recommendation)

    ranked = one(page, "ol.ranking").select("li.rank-item")
    assert [li["id"] for li in ranked] == [f"rank-{ms.model}" for ms in expected.ranking]
    for item, ms in zip(ranked, expected.ranking, strict=True):
        assert one(item, "a")["href"] == f"/models/{ms.model}"
        assert text_of(one(item, ".score-value")).endswith(f"{ms.score:.1f} / 100")
        assert one(item, "svg.score-bar")
        for behind in ms.behind_top:
            assert behind in text_of(item)
        assert one(item, ".rank-more a")["href"] == f"#scores-{ms.model}"
        rows = one(one(page, f"#scores-{ms.model}"), "tbody").select("tr")
        assert len(rows) == 1 + len(ms.contributions)  # the neutral starting point, then each
    assert not page.select(".unanswered")
    assert catalogue.version in text_of(one(page, ".small-print"))


def test_contribution_rows_name_topic_answer_and_signed_points(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = parse(client.post("/assess", data={"acuity": "low", "outcomes_1": "cost"}).text)
    result = engine.score(catalogue, {"acuity": "low", "outcomes": ["cost"]})
    first = result.ranking[0]
    rows = one(one(page, f"#scores-{first.model}"), "tbody").select("tr")[1:]
    acuity = catalogue.question("acuity")
    row = rows[[c.question for c in first.contributions].index("acuity")]
    cells = [text_of(one(row, "th")), *(text_of(td) for td in row.select("td"))]
    contribution = next(c for c in first.contributions if c.question == "acuity")
    assert cells == [
        acuity.title,
        acuity.option("low").label,
        f"{contribution.points:+.1f}",
        contribution.why,
    ]


def test_priority_order_reaches_the_engine_and_blanks_are_skipped(
    client: TestClient, catalogue: Catalogue
) -> None:
    form = {"outcomes_1": "readmissions", "outcomes_2": "", "outcomes_4": "cost", "extra": "x"}
    parsed = forms.parse_answers(catalogue, form)
    assert parsed.errors == {}
    assert parsed.answers == {"outcomes": ("readmissions", "cost")}
    fields = forms.to_fields(catalogue, parsed.answers)
    assert fields == {
        "outcomes": "readmissions,cost",
        "outcomes_order_readmissions": "1",
        "outcomes_order_cost": "2",
    }
    assert forms.parse_answers(catalogue, fields).answers == parsed.answers
    expected = engine.score(catalogue, {"outcomes": ["readmissions", "cost"]})
    page = parse(client.post("/assess", data=form).text)
    items = one(page, "ol.ranking").select("li.rank-item")
    assert [li["id"] for li in items] == [f"rank-{ms.model}" for ms in expected.ranking]


def test_invalid_option_rerenders_with_answers_kept_and_error_by_the_field(
    client: TestClient,
) -> None:
    data = {**FORM_ARCHETYPE, "acuity": "extreme"}
    response = client.post("/assess", data=data)
    assert response.status_code == 422
    page = parse(response.text)
    assert text_of(one(page, "title")).startswith("Error:")

    summary = one(page, ".error-summary")
    assert summary["role"] == "alert"
    link = one(summary, "a")
    assert link["href"] == "#acuity-low"
    assert one(page, "#acuity-low")  # the link has a target

    fieldset = one(page, "#q-acuity")
    assert "acuity-error" in str(fieldset["aria-describedby"]).split()
    error = one(fieldset, "#acuity-error")
    assert "'extreme' is not one of the options" in text_of(error)
    assert all(
        r.get("aria-invalid") == "true" for r in fieldset.select("input[type=radio]") if r["value"]
    )

    for name, value in FORM_ARCHETYPE.items():
        if name == "acuity" or name.startswith("outcomes_order_"):
            continue
        if name == "outcomes":
            assert ranked(page, name) == value
        else:
            assert checked(page, name) == [value], name
    assert not one(page, "#q-staffing").select(".field-error")


def test_duplicate_outcomes_are_an_error_on_the_outcomes_field(client: TestClient) -> None:
    data = {
        "staffing": "limited",
        "outcomes_1": "cost",
        "outcomes_2": "quality",
        "outcomes_3": "cost",
    }
    response = client.post("/assess", data=data)
    assert response.status_code == 422
    page = parse(response.text)
    assert "only once" in text_of(one(page, "#outcomes-error"))
    assert one(page, ".error-summary a")["href"] == "#outcomes-cost"
    assert one(page, "#outcomes-cost")["aria-invalid"] == "true"
    assert ranked(page, "outcomes") == ["cost", "quality"]
    assert checked(page, "staffing") == ["limited"]


def test_empty_form_recommends_no_model_and_lists_every_question(
    client: TestClient, catalogue: Catalogue
) -> None:
    # What a browser sends when nothing is answered: the text fields, empty.
    response = client.post("/assess", data={"label": "", "notes": ""})
    assert response.status_code == 200
    page = parse(response.text)
    verdict = one(page, "section.recommendation")
    assert text_of(one(verdict, ".badge-verdict")) == "Not enough answers"
    assert text_of(one(verdict, "h2")) == "No model recommended yet"
    shown = text_of(verdict)
    assert not [m.name for m in catalogue.models if m.name in shown]
    assert "confidence" not in shown
    assert text_of(one(page, "title")).startswith("No recommendation yet")
    # Nothing is built on the provisional first place: no blend, staffing or what-if.
    assert not page.select("#hybrids, #staffing, #what-if, #analysis, #next-steps, #evidence")
    assert not page.select(".rank-top")
    assert "Provisional" in text_of(one(page, "#ranking"))
    unanswered = one(page, ".unanswered")
    assert [text_of(li) for li in unanswered.select("li")] == [
        q.label for q in catalogue.questionnaire.questions
    ]
    answer_them = one(unanswered, "a")
    assert text_of(answer_them) == "Answer them"
    assert str(answer_them["href"]).startswith("/assess")


def test_answer_them_link_reopens_the_form_with_the_answers(client: TestClient) -> None:
    page = parse(client.post("/assess", data={"acuity": "high", "outcomes_1": "cost"}).text)
    href = str(one(page, ".unanswered a")["href"])
    form = parse(client.get(href.split("#")[0]).text)
    assert checked(form, "acuity") == ["high"]
    assert ranked(form, "outcomes") == ["cost"]


def test_unknown_fields_and_uploads_are_ignored(client: TestClient) -> None:
    response = client.post(
        "/assess",
        data={"acuity": "low", "nonsense": "1", "outcomes_9": "cost"},
        files={"staffing": ("x.txt", b"limited", "text/plain")},
    )
    assert response.status_code == 200
    page = parse(response.text)
    assert "Staffing" not in [text_of(th) for th in page.select("#scores th[scope=row]")]
    staffing = next(r for r in page.select(".answers-table tbody tr") if "Staffing" in text_of(r))
    assert "Not answered" in text_of(staffing)


# --- the model library ---------------------------------------------------------------


def test_model_library_lists_every_model(client: TestClient, catalogue: Catalogue) -> None:
    response = client.get("/models")
    assert response.status_code == 200
    cards = one(parse(response.text), "ul.cards").select("li.card")
    assert [one(c, "a")["href"] for c in cards] == [f"/models/{m.id}" for m in catalogue.models]
    assert [text_of(one(c, "h2")) for c in cards] == [m.name for m in catalogue.models]


@pytest.mark.parametrize(
    "model_id", ["brokerage", "clinical", "strengths_based", "intensive", "collaborative"]
)
def test_each_model_page_shows_its_details(
    client: TestClient, catalogue: Catalogue, model_id: str
) -> None:
    response = client.get(f"/models/{model_id}")
    assert response.status_code == 200
    model = catalogue.model(model_id)
    page = parse(response.text)
    main = one(page, "main")
    assert text_of(one(main, "h1")) == model.name
    shown = text_of(main)
    caseload = model.intensity.caseload
    assert f"{caseload.low}–{caseload.high} patients per full-time case manager" in shown
    assert caseload.source in shown
    assert ("Planning assumption" in shown) == caseload.assumption
    for item in (*model.best_for, *model.pros, *model.cons, model.hybrid_role, model.staff_profile):
        assert " ".join(item.split()) in shown
    references = one(main, "ol.references").select("li")
    assert len(references) == len(model.evidence)
    for li, ref in zip(references, model.evidence, strict=True):
        assert str(ref.year) in text_of(li)
        if ref.url:
            assert one(li, "a")["href"] == ref.url


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/models/nope", "/assess/extra"])
def test_unknown_pages_get_the_html_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    assert text_of(one(page, "h1")) == "Page not found"
    assert one(page, "a[href='/']")


def test_unknown_api_paths_get_json(client: TestClient) -> None:
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    response = client.get("/api/v1/models/nope")
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_error_headers_are_kept(client: TestClient) -> None:
    response = client.delete("/assess")
    assert response.status_code == 405
    assert response.headers["allow"]
    assert response.headers["content-type"].startswith("text/html")


def test_server_errors_show_a_calm_page_and_are_logged(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/api/v1/boom")
    async def api_boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        with caplog.at_level(logging.ERROR, logger="cm_advisor"):
            response = client.get("/boom")
        assert response.status_code == 500
        assert "secret internals" not in response.text
        assert "Traceback" not in response.text
        assert text_of(one(parse(response.text), "h1")) == "Something went wrong"
        assert any(r.name == "cm_advisor" and r.exc_info for r in caplog.records)

        response = client.get("/api/v1/boom")
        assert response.status_code == 500
        assert response.json() == {"detail": "internal error"}


def test_an_unavailable_database_gives_503_with_retry_after(app: FastAPI) -> None:
    @app.get("/down")
    @app.get("/api/v1/down")
    async def down() -> None:
        raise StoreUnavailable("the database is unavailable; please try again")

    with TestClient(app) as client:
        page = client.get("/down")
        assert page.status_code == 503
        assert page.headers["retry-after"]
        assert text_of(one(parse(page.text), "h1")) == "Temporarily unavailable"
        api = client.get("/api/v1/down")
        assert api.status_code == 503
        assert api.headers["retry-after"]
        assert api.json() == {"detail": "the database is unavailable; please try again"}


# --- escaping -------------------------------------------------------------------------


def test_html_in_an_answer_is_escaped(client: TestClient) -> None:
    response = client.post("/assess", data={"acuity": XSS, "outcomes_1": XSS})
    assert response.status_code == 422
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text
    response = client.get("/models/" + XSS)
    assert response.status_code == 404
    assert "<script>alert" not in response.text


def test_html_in_the_catalogue_is_escaped(tmp_path: Path) -> None:
    questionnaire = yaml.safe_load(DEFAULTS.questionnaire_path.read_text(encoding="utf-8"))
    models = yaml.safe_load(DEFAULTS.catalogue_path.read_text(encoding="utf-8"))
    questionnaire["questions"][0]["label"] = XSS
    questionnaire["sections"][0]["intro"] = "<b>bold</b>"
    models["models"][0]["summary"] = XSS
    for rule in models["rules"]["acuity"]["low"].values():
        rule["why"] = XSS
    q_path, m_path = tmp_path / "questionnaire.yaml", tmp_path / "models.yaml"
    q_path.write_text(yaml.safe_dump(questionnaire), encoding="utf-8")
    m_path.write_text(yaml.safe_dump(models), encoding="utf-8")
    settings = HermeticSettings(
        data_dir=tmp_path / "data", questionnaire_path=q_path, catalogue_path=m_path
    )
    app = create_app(settings)
    with TestClient(app) as client:
        pages = [
            client.get("/").text,
            client.get("/assess").text,
            client.get("/models").text,
            client.post("/assess", data={"acuity": "low"}).text,
        ]
    for html in pages:
        assert "<script>alert" not in html
        assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert" in pages[1]
    assert "&lt;script&gt;alert" in pages[3]
