"""Priorities, population and tiers in the questionnaire; robustness, what-if and staffing
on the result page, checked by element."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from archetypes import ARCHETYPES
from archetypes import MIXED as MIXED_ORGANIZATION
from cm_advisor import engine
from cm_advisor.config import Settings
from cm_advisor.engine import Catalogue
from cm_advisor.engine.types import Population
from cm_advisor.web import forms
from cm_advisor.web.assets import StaticAssets
from cm_advisor.web.result_view import result_context
from cm_advisor.web.templating import make_templates
from cm_advisor.web.urls import Urls
from test_pages import Node, parse

INTENSIVE = {
    **{k: v for k, v in ARCHETYPES["intensive"].items() if isinstance(v, str)},
    **{f"outcomes_{i}": o for i, o in enumerate(ARCHETYPES["intensive"]["outcomes"], 1)},
}
MIXED = {
    **{k: v for k, v in MIXED_ORGANIZATION.items() if isinstance(v, str)},
    "outcomes_1": "utilization",
}
MIXED_ANSWERS: dict[str, Any] = {
    **{k: v for k, v in MIXED.items() if k != "outcomes_1"},
    "outcomes": ["utilization"],
}
TIERS = {"tier_high": "30", "tier_rising": "20", "tier_low": "50"}
POPULATION = {"size": 12000, "tiers": {"high": 30, "rising": 20, "low": 50}}


def _post(client: TestClient, data: dict[str, str], status: int = 200) -> Node:
    response = client.post("/assess", data=data, follow_redirects=True)
    assert response.status_code == status, response.text[:500]
    return parse(response.text)


def _selected(page: Node, select_id: str) -> str:
    chosen = [
        o.attrs["value"] for o in page.by_id(select_id).find_all("option") if "selected" in o.attrs
    ]
    assert len(chosen) == 1, chosen
    return chosen[0]


def _score(page: Node, model_id: str) -> float:
    return float(page.by_id(f"rank-{model_id}").find(class_="score-value").text().split()[-3])


def _percent(share: float) -> str:
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 <= share < 1:
        return ">99%"
    return f"{share * 100:.0f}%"


# --- the advanced section of the questionnaire ----------------------------------------------


def test_advanced_section_is_closed_with_one_select_per_question_at_its_default(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = parse(client.get("/assess").text)
    details = page.find("details", class_="advanced")
    assert "open" not in details.attrs
    for question in catalogue.questionnaire.questions:
        select = details.by_id(f"weight_{question.id}")
        assert select.attrs["name"] == f"weight_{question.id}"
        assert details.find("label", **{"for": f"weight_{question.id}"}).text() == question.title
        values = [o.attrs["value"] for o in select.find_all("option")]
        assert {"0", "0.5", "1", "2", "3", f"{question.importance:g}"} == set(values)
        assert _selected(page, f"weight_{question.id}") == f"{question.importance:g}"
    assert "Default (1.5)" in page.by_id("weight_acuity").text()
    for tier in catalogue.tiers:
        field = details.by_id(f"tier_{tier.id}")
        assert field.attrs["type"] == "number"
        assert details.find("label", **{"for": f"tier_{tier.id}"}).text() == tier.label
        assert details.by_id(f"tier_{tier.id}-help").text() == tier.description
    assert details.by_id("population_size_number").attrs["type"] == "number"
    # The questionnaire's own parts and questions are still the only sections and fieldsets.
    assert len(page.find("form").find_all("fieldset")) == len(catalogue.questionnaire.questions)


def test_query_parameters_prefill_the_advanced_section_and_open_it(client: TestClient) -> None:
    page = parse(
        client.get("/assess", params={"weight_budget": "3", "population_size_number": "500"}).text
    )
    assert "open" in page.find("details", class_="advanced").attrs
    assert _selected(page, "weight_budget") == "3"
    assert page.by_id("population_size_number").attrs["value"] == "500"


def test_weights_change_the_result(client: TestClient, catalogue: Catalogue) -> None:
    ignored = _post(client, {**INTENSIVE, "weight_budget": "0"})
    critical = _post(client, {**INTENSIVE, "weight_budget": "3"})
    answers = ARCHETYPES["intensive"]
    for weight, page in ((0, ignored), (3, critical)):
        expected = engine.score(catalogue, answers, {"budget": weight})
        icm = next(ms for ms in expected.ranking if ms.model == "intensive")
        assert _score(page, "intensive") == icm.score
    assert _score(ignored, "intensive") != _score(critical, "intensive")
    used = critical.find("ul", class_="priorities-used").find_all("li")
    assert [li.text() for li in used] == ["Budget: critical (3) instead of the default, normal (1)"]


def test_default_priorities_are_named_as_such(client: TestClient, catalogue: Catalogue) -> None:
    defaults = {f"weight_{q.id}": f"{q.importance:g}" for q in catalogue.questionnaire.questions}
    page = _post(client, {**INTENSIVE, **defaults})
    assert page.find(class_="priorities-used").text() == "Default priorities."


def test_a_forged_weight_is_an_error_by_its_field_with_answers_kept(client: TestClient) -> None:
    page = _post(client, {**INTENSIVE, "weight_budget": "9", "weight_staffing": "2"}, status=422)
    error = page.by_id("weight_budget-error")
    assert "“9” is not a level" in error.text()
    select = page.by_id("weight_budget")
    assert select.attrs["aria-invalid"] == "true"
    assert select.attrs["aria-describedby"] == "weight_budget-error"
    assert _selected(page, "weight_budget") == "1"  # back to the default, not the first option
    assert _selected(page, "weight_staffing") == "2"
    assert "open" in page.find("details", class_="advanced").attrs
    summary = page.find(class_="error-summary").find("a")
    assert summary.attrs["href"] == "#weight_budget"
    assert summary.text().startswith("Importance of budget:")
    checked = [
        n.attrs["value"]
        for n in page.find_all("input", type="radio", name="acuity")
        if "checked" in n.attrs
    ]
    assert checked == [INTENSIVE["acuity"]]


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "3.5"])
def test_any_unusable_weight_is_refused(catalogue: Catalogue, value: str) -> None:
    parsed = forms.parse_answers(catalogue, {"weight_staff_mix": value})
    assert list(parsed.errors) == ["weight_staff_mix"]


# --- population and tiers --------------------------------------------------------------------


def test_tiers_that_do_not_add_up_to_100_are_an_error_with_values_kept(
    client: TestClient,
) -> None:
    data = {**MIXED, "population_size_number": "12000", **TIERS, "tier_low": "40"}
    page = _post(client, data, status=422)
    assert page.by_id("tiers-error").text() == (
        "Error: The tier percentages must add up to 100; they add up to 90."
    )
    group = page.by_id("tiers")
    assert group.attrs["role"] == "group"
    assert "tiers-error" in group.attrs["aria-describedby"].split()
    assert [page.by_id(f"tier_{t}").attrs["value"] for t in ("high", "rising", "low")] == [
        "30",
        "20",
        "40",
    ]
    assert page.by_id("population_size_number").attrs["value"] == "12000"
    assert page.find(class_="error-summary").find("a").attrs["href"] == "#tier_high"


def test_tiers_without_a_size_ask_for_the_size(client: TestClient) -> None:
    page = _post(client, {**MIXED, **TIERS}, status=422)
    assert "number of patients" in page.by_id("population_size_number-error").text()
    assert page.by_id("population_size_number").attrs["aria-invalid"] == "true"
    assert page.by_id("tier_high").attrs["value"] == "30"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"population_size_number": "many"}, "population_size_number"),
        ({"population_size_number": "0"}, "population_size_number"),
        ({"population_size_number": "100", "tier_high": "x"}, "tier_high"),
        ({"population_size_number": "100", "tier_high": "150", "tier_low": "-50"}, "tier_high"),
    ],
)
def test_unusable_population_fields_are_errors_by_the_field(
    catalogue: Catalogue, fields: dict[str, str], error: str
) -> None:
    parsed = forms.parse_answers(catalogue, fields)
    assert error in parsed.errors
    assert parsed.population is None


def test_a_size_alone_gives_staffing_for_the_recommended_model(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = _post(client, {**INTENSIVE, "population_size_number": "12,000"})
    expected = engine.score(catalogue, ARCHETYPES["intensive"], None, {"size": 12000})
    staffing = expected.staffing
    assert staffing is not None
    cm = staffing.case_managers
    assert page.find("p", class_="staffing-line").text() == (
        f"For 12,000 patients, {catalogue.model(staffing.model).name} needs about "
        f"{cm.low:,}–{cm.high:,} full-time case managers at "
        f"{staffing.caseload_low}–{staffing.caseload_high} patients each."
    )
    assert not page.find_all("table", class_="tier-table")


def test_an_assumed_caseload_is_marked_as_a_planning_assumption(
    client: TestClient, catalogue: Catalogue
) -> None:
    assert catalogue.model("brokerage").intensity.caseload.assumption
    brokerage = {k: v for k, v in ARCHETYPES["brokerage"].items() if isinstance(v, str)}
    page = _post(client, {**brokerage, "outcomes_1": "cost", "population_size_number": "800"})
    assert "Planning assumption" in page.find("section", class_="staffing").text()


def test_a_tiered_population_gets_a_tier_table_whose_total_adds_up(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = _post(client, {**MIXED, "population_size_number": "12000", **TIERS})
    expected = engine.score(catalogue, MIXED_ANSWERS, None, POPULATION)
    tiered = next(h for h in expected.hybrids if h.kind == "tiered")

    table = page.find("table", class_="tier-table")
    headers = [th.text() for th in table.find("thead").find_all("th")]
    assert headers == ["Tier", "Share", "Patients", "Model", "Case managers"]
    rows = table.find("tbody").find_all("tr")
    cells = [[row.find("th").text(), *(td.text() for td in row.find_all("td"))] for row in rows]
    assert cells == [
        [
            plan.label,
            f"{plan.share:g}%",
            f"{plan.patients:,}",
            catalogue.model(plan.model).short_name,
            f"{plan.case_managers.low}–{plan.case_managers.high}",
        ]
        for plan in tiered.tiers
    ]
    total = [td.text() for td in table.find("tfoot").find_all("td")]
    low = sum(int(c[4].split("–")[0]) for c in cells)
    high = sum(int(c[4].split("–")[1]) for c in cells)
    patients = sum(int(c[2].replace(",", "")) for c in cells)
    assert total[0] == "100%"
    assert total[1] == f"{patients:,}" == "12,000"
    assert total[3] == f"{low}–{high}"
    handovers = [li.text() for li in page.find("ul", class_="tier-handovers").find_all("li")]
    assert handovers == [plan.handover for plan in tiered.tiers]
    # The hybrid list in result.html shows the tiered design too, without breaking.
    hybrid_titles = [h.text() for h in page.find_all("article", class_="hybrid")]
    assert any(tiered.title in t for t in hybrid_titles)


# --- robustness and what-if --------------------------------------------------------------------


def test_robustness_chart_has_a_bar_and_a_percentage_for_every_model(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = _post(client, MIXED)
    expected = engine.score(catalogue, MIXED_ANSWERS)
    robust = expected.robustness
    assert robust is not None
    section = page.find("section", class_="analysis")
    assert robust.text in section.text()

    svg = section.find("svg", class_="share-chart-svg")
    assert svg.attrs["role"] == "img"
    caption = page.by_id(svg.attrs["aria-labelledby"])
    assert caption.tag == "figcaption" and caption.text()
    assert len(svg.find_all("rect", class_="share-bar")) == len(catalogue.models) == 5
    labels = [t.text() for t in svg.find_all("text", class_="share-label")]
    values = [t.text() for t in svg.find_all("text", class_="share-value")]
    shown = dict(zip(labels, values, strict=True))
    assert shown == {
        catalogue.model(m).short_name: _percent(s) for m, s in robust.first_place_share.items()
    }
    table = section.find("figure").find("table")  # the text equivalent
    assert len(table.find("tbody").find_all("tr")) == 5
    assert robust.critical_factor is not None
    assert robust.critical_factor.text in section.find(class_="critical-factor").text()


def test_what_if_texts_are_listed(client: TestClient, catalogue: Catalogue) -> None:
    page = _post(client, MIXED)
    expected = engine.score(catalogue, MIXED_ANSWERS)
    assert expected.what_if
    items = page.find("ul", class_="what-if").find_all("li")
    assert [li.text() for li in items] == [w.text for w in expected.what_if]


def test_older_results_without_analysis_render_none_of_it(
    settings: Settings, catalogue: Catalogue
) -> None:
    fresh = engine.score(catalogue, MIXED_ANSWERS)
    old = fresh.model_copy(update={"robustness": None, "what_if": ()})
    templates = make_templates(settings.templates_dir, Urls(StaticAssets({})))
    template = templates.env.get_template("_analysis.html")
    page = parse(template.render(result_context(catalogue, old)))
    assert not page.find_all("section")
    assert not page.find_all("svg")


# --- the form fields round trip ------------------------------------------------------------------


def test_weights_and_population_round_trip_through_the_form_fields(catalogue: Catalogue) -> None:
    population = Population(size=900, tiers={"high": 10, "rising": 30, "low": 60})
    fields = forms.to_fields(catalogue, {"acuity": "high"}, {"budget": 3.0}, population)
    assert fields == {
        "acuity": "high",
        "weight_budget": "3",
        "population_size_number": "900",
        "tier_high": "10",
        "tier_rising": "30",
        "tier_low": "60",
    }
    parsed = forms.parse_answers(catalogue, fields)
    assert parsed.errors == {}
    assert parsed.weights == {"budget": 3.0}
    assert parsed.population == population
    assert forms.field_title(catalogue, "weight_budget") == "Importance of budget"
    assert forms.first_field_id(catalogue, "tiers") == "tier_high"
