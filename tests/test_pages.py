"""The HTML pages: questionnaire, result, model library and error pages, checked by element."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from archetypes import ARCHETYPES
from cm_advisor import engine
from cm_advisor.config import Settings
from cm_advisor.engine import Catalogue
from cm_advisor.storage import StoreUnavailable
from cm_advisor.web import forms
from cm_advisor.web.app import create_app

XSS = "<script>alert('x')</script>"


# --- a small DOM, so tests check elements rather than substrings -------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """The text content with whitespace collapsed, as a reader would see it."""
        return " ".join(self._raw().split())

    def _raw(self) -> str:
        return "".join(c if isinstance(c, str) else c._raw() for c in self.children)

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Descendants by tag and exact attributes (`class_` matches one class among several)."""
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag)
            and all(_attr_matches(n, k, v) for k, v in wanted.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'} {attrs}> in the page"
        return found[0]

    def by_id(self, element_id: str) -> Node:
        return self.find(id=element_id)


def _attr_matches(node: Node, key: str, value: str) -> bool:
    if key == "class":
        return value in node.attrs.get("class", "").split()
    return node.attrs.get(key) == value


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- fixtures ----------------------------------------------------------------------


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """An app not yet started, for tests that add routes or need their own client."""
    return create_app(settings)


def _form(answers: dict[str, Any]) -> dict[str, str]:
    """The form a browser would send for these answers (outcomes as numbered priorities)."""
    fields = {k: v for k, v in answers.items() if isinstance(v, str)}
    fields.update({f"outcomes_{i}": o for i, o in enumerate(answers.get("outcomes", ()), 1)})
    return fields


FORM_ARCHETYPE = _form(ARCHETYPES["intensive"])


def _checked(page: Node, name: str) -> list[str]:
    return [
        n.attrs["value"]
        for n in page.find_all("input", type="radio", name=name)
        if "checked" in n.attrs
    ]


def _selected(page: Node, select_id: str) -> str:
    chosen = [
        o.attrs["value"] for o in page.by_id(select_id).find_all("option") if "selected" in o.attrs
    ]
    return chosen[0] if chosen else ""


# --- home and layout -----------------------------------------------------------------


def test_home_explains_and_links_everywhere(client: TestClient, catalogue: Catalogue) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    hrefs = {a.attrs.get("href") for a in page.find_all("a")}
    assert {"/assess", "/docs", "/models"} <= hrefs
    assert {f"/models/{m.id}" for m in catalogue.models} <= hrefs
    start = [a for a in page.find_all("a", href="/assess") if "button" in a.attrs.get("class", "")]
    assert start and start[0].text() == "Start the questionnaire"
    assert "never about individual patients" in page.find("main").text()


def test_layout_is_accessible_and_titles_are_unique(client: TestClient) -> None:
    titles = set()
    for path in ("/", "/assess", "/models", "/models/brokerage", "/nope"):
        page = parse(client.get(path).text)
        assert page.find("html").attrs["lang"] == "en"
        assert page.find("meta", name="viewport")
        assert page.find("a", class_="skip-link").attrs["href"] == "#main"
        assert page.find("main").attrs["id"] == "main"
        assert re.fullmatch(
            r"/static/css/app\.[0-9a-f]{10}\.css", page.find("link", rel="stylesheet").attrs["href"]
        )
        nav = page.find("nav", **{"aria-label": "Main"})
        assert [a.text() for a in nav.find_all("a")] == ["Home", "Questionnaire", "Models", "API"]
        titles.add(page.find("title").text())
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
    form = page.find("form", method="post", action="/assess")
    sections = form.find_all("section")
    assert [s.find("h2").text() for s in sections] == [
        f"Part {i} of {len(sections)} {s.title}"
        for i, s in enumerate(catalogue.questionnaire.sections, start=1)
    ]
    fieldsets = form.find_all("fieldset")
    assert len(fieldsets) == len(catalogue.questionnaire.questions)
    for question in catalogue.questionnaire.questions:
        fieldset = form.by_id(f"q-{question.id}")
        assert fieldset.find("legend").text() == question.label
        help_id = f"{question.id}-help"
        assert help_id in fieldset.attrs["aria-describedby"].split()
        assert fieldset.by_id(help_id).text() == question.help
        if question.kind == "single":
            radios = fieldset.find_all("input", type="radio", name=question.id)
            assert [r.attrs["value"] for r in radios] == [*question.option_ids, ""]
            assert _checked(page, question.id) == [""]  # "not sure" until answered
            for option in question.options:
                label = fieldset.find("label", **{"for": f"{question.id}-{option.id}"})
                assert label.text() == option.label
    assert "optional" in page.find("main").text()
    assert page.find("button", type="submit").text() == "Show me the recommendation"


def test_outcomes_are_ranked_with_numbered_selects(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = parse(client.get("/assess").text)
    outcomes = catalogue.question("outcomes")
    fieldset = page.by_id("q-outcomes")
    selects = fieldset.find_all("select")
    assert [s.attrs["name"] for s in selects] == [f"outcomes_{i}" for i in range(1, 7)]
    assert fieldset.find("label", **{"for": "outcomes_1"}).text() == "1st priority"
    assert fieldset.find("label", **{"for": "outcomes_2"}).text() == "2nd priority"
    for select in selects:
        options = select.find_all("option")
        assert [o.attrs["value"] for o in options] == ["", *outcomes.option_ids]
        assert options[0].text() == "— none —"


def test_query_parameters_prefill_the_questionnaire(client: TestClient) -> None:
    page = parse(client.get("/assess", params={"acuity": "high", "outcomes_2": "cost"}).text)
    assert _checked(page, "acuity") == ["high"]
    assert _selected(page, "outcomes_2") == "cost"
    assert _selected(page, "outcomes_1") == ""
    assert not page.find_all(class_="error-summary")


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
    recommendation = page.find("section", class_="recommendation")
    assert recommendation.find("h2").text() == top.name
    assert f"{expected.ranking[0].score:.1f}" in recommendation.find(class_="score-value").text()
    assert f"{expected.confidence.capitalize()} confidence" in recommendation.text()
    assert expected.confidence_reason in recommendation.text()
    for reason in expected.ranking[0].reasons:
        assert reason in recommendation.text()

    ranked = page.find("ol", class_="ranking").find_all("li", class_="rank-item")
    assert [li.attrs["id"] for li in ranked] == [f"rank-{ms.model}" for ms in expected.ranking]
    for item, ms in zip(ranked, expected.ranking, strict=True):
        assert item.find("a").attrs["href"] == f"/models/{ms.model}"
        assert item.find(class_="score-value").text().endswith(f"{ms.score:.1f} / 100")
        assert item.find("svg", class_="score-bar")
        for behind in ms.behind_top:
            assert behind in item.text()
        rows = item.find("details").find("tbody").find_all("tr")
        assert len(rows) == 1 + len(ms.contributions)  # the neutral starting point, then each
    assert not page.find_all("section", class_="unanswered")
    assert catalogue.version in page.find(class_="small-print").text()


def test_contribution_rows_name_topic_answer_and_signed_points(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = parse(client.post("/assess", data={"acuity": "low", "outcomes_1": "cost"}).text)
    result = engine.score(catalogue, {"acuity": "low", "outcomes": ["cost"]})
    first = result.ranking[0]
    rows = page.by_id(f"rank-{first.model}").find("tbody").find_all("tr")[1:]
    acuity = catalogue.question("acuity")
    row = rows[[c.question for c in first.contributions].index("acuity")]
    cells = [row.find("th").text(), *(td.text() for td in row.find_all("td"))]
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
    assert forms.to_fields(catalogue, parsed.answers) == {
        "outcomes_1": "readmissions",
        "outcomes_2": "cost",
    }
    expected = engine.score(catalogue, {"outcomes": ["readmissions", "cost"]})
    page = parse(client.post("/assess", data=form).text)
    ranked = page.find("ol", class_="ranking").find_all("li", class_="rank-item")
    assert [li.attrs["id"] for li in ranked] == [f"rank-{ms.model}" for ms in expected.ranking]


def test_invalid_option_rerenders_with_answers_kept_and_error_by_the_field(
    client: TestClient,
) -> None:
    data = {**FORM_ARCHETYPE, "acuity": "extreme"}
    response = client.post("/assess", data=data)
    assert response.status_code == 422
    page = parse(response.text)
    assert page.find("title").text().startswith("Error:")

    summary = page.find(class_="error-summary")
    assert summary.attrs["role"] == "alert"
    link = summary.find("a")
    assert link.attrs["href"] == "#acuity-low"
    assert page.by_id("acuity-low")  # the link has a target

    fieldset = page.by_id("q-acuity")
    assert "acuity-error" in fieldset.attrs["aria-describedby"].split()
    error = fieldset.find(id="acuity-error")
    assert "'extreme' is not one of the options" in error.text()
    assert all(
        r.attrs.get("aria-invalid") == "true"
        for r in fieldset.find_all("input", type="radio")
        if r.attrs["value"]
    )

    for name, value in FORM_ARCHETYPE.items():
        if name == "acuity":
            continue
        if name.startswith("outcomes_"):
            assert _selected(page, name) == value
        else:
            assert _checked(page, name) == [value], name
    assert not page.by_id("q-staffing").find_all(class_="field-error")


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
    assert "only once" in page.by_id("outcomes-error").text()
    assert page.find(class_="error-summary").find("a").attrs["href"] == "#outcomes_1"
    assert page.by_id("outcomes_1").attrs["aria-invalid"] == "true"
    assert [_selected(page, f"outcomes_{i}") for i in (1, 2, 3, 4)] == [
        "cost",
        "quality",
        "cost",
        "",
    ]
    assert _checked(page, "staffing") == ["limited"]


def test_empty_form_gives_a_low_confidence_result_listing_every_question(
    client: TestClient, catalogue: Catalogue
) -> None:
    response = client.post("/assess", data={})
    assert response.status_code == 200
    page = parse(response.text)
    assert "Low confidence" in page.find("section", class_="recommendation").text()
    unanswered = page.find("section", class_="unanswered")
    assert [li.text() for li in unanswered.find_all("li")] == [
        q.label for q in catalogue.questionnaire.questions
    ]
    answer_them = unanswered.find("a")
    assert answer_them.text() == "Answer them"
    assert answer_them.attrs["href"].startswith("/assess")


def test_answer_them_link_reopens_the_form_with_the_answers(client: TestClient) -> None:
    page = parse(client.post("/assess", data={"acuity": "high", "outcomes_1": "cost"}).text)
    href = page.find("section", class_="unanswered").find("a").attrs["href"]
    form = parse(client.get(href.split("#")[0]).text)
    assert _checked(form, "acuity") == ["high"]
    assert _selected(form, "outcomes_1") == "cost"


def test_unknown_fields_and_uploads_are_ignored(client: TestClient) -> None:
    response = client.post(
        "/assess",
        data={"acuity": "low", "nonsense": "1", "outcomes_9": "cost"},
        files={"staffing": ("x.txt", b"limited", "text/plain")},
    )
    assert response.status_code == 200
    page = parse(response.text)
    assert "Staffing" not in [td.text() for td in page.find_all("th", scope="row")]


# --- the model library ---------------------------------------------------------------


def test_model_library_lists_every_model(client: TestClient, catalogue: Catalogue) -> None:
    response = client.get("/models")
    assert response.status_code == 200
    cards = parse(response.text).find("ul", class_="cards").find_all("li", class_="card")
    assert [c.find("a").attrs["href"] for c in cards] == [
        f"/models/{m.id}" for m in catalogue.models
    ]
    assert [c.find("h2").text() for c in cards] == [m.name for m in catalogue.models]


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
    main = page.find("main")
    assert main.find("h1").text() == model.name
    text = main.text()
    caseload = model.intensity.caseload
    assert f"{caseload.low}–{caseload.high} patients per full-time case manager" in text
    assert caseload.source in text
    assert ("Planning assumption" in text) == caseload.assumption
    for item in (*model.best_for, *model.pros, *model.cons, model.hybrid_role, model.staff_profile):
        assert " ".join(item.split()) in text
    references = main.find("ol", class_="references").find_all("li")
    assert len(references) == len(model.evidence)
    for li, ref in zip(references, model.evidence, strict=True):
        assert str(ref.year) in li.text()
        if ref.url:
            assert li.find("a").attrs["href"] == ref.url


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/models/nope", "/assess/extra"])
def test_unknown_pages_get_the_html_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    assert page.find("h1").text() == "Page not found"
    assert page.find("a", href="/")


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
        assert parse(response.text).find("h1").text() == "Something went wrong"
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
        assert parse(page.text).find("h1").text() == "Temporarily unavailable"
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
    defaults = Settings()
    questionnaire = yaml.safe_load(defaults.questionnaire_path.read_text(encoding="utf-8"))
    models = yaml.safe_load(defaults.catalogue_path.read_text(encoding="utf-8"))
    questionnaire["questions"][0]["label"] = XSS
    questionnaire["sections"][0]["intro"] = "<b>bold</b>"
    models["models"][0]["summary"] = XSS
    for rule in models["rules"]["acuity"]["low"].values():
        rule["why"] = XSS
    q_path, m_path = tmp_path / "questionnaire.yaml", tmp_path / "models.yaml"
    q_path.write_text(yaml.safe_dump(questionnaire), encoding="utf-8")
    m_path.write_text(yaml.safe_dump(models), encoding="utf-8")
    settings = Settings(
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
