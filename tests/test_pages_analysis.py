"""Priorities, population and tiers in the questionnaire; robustness, what-if and staffing
on the result page, checked by element."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import Tag
from fastapi.testclient import TestClient

from cm_advisor import engine
from cm_advisor.config import Settings
from cm_advisor.engine import Catalogue, Population
from cm_advisor.web import forms
from cm_advisor.web.assets import StaticAssets
from cm_advisor.web.result_view import result_context
from cm_advisor.web.templating import make_templates
from cm_advisor.web.urls import Urls
from helpers.archetypes import ARCHETYPES
from helpers.archetypes import MIXED as MIXED_ORGANIZATION
from helpers.html import checked, one, parse, selected, text_of

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


def _post(client: TestClient, data: dict[str, str], status: int = 200) -> Tag:
    response = client.post("/assess", data=data, follow_redirects=True)
    assert response.status_code == status, response.text[:500]
    return parse(response.text)


def _score(page: Tag, model_id: str) -> float:
    return float(text_of(one(page, f"#rank-{model_id} .score-value")).split()[-3])


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
    details = one(page, "details.advanced")
    assert not details.has_attr("open")
    for question in catalogue.questionnaire.questions:
        select = one(details, f"#weight_{question.id}")
        assert select["name"] == f"weight_{question.id}"
        assert text_of(one(details, f"label[for=weight_{question.id}]")) == question.title
        values = [o["value"] for o in select.select("option")]
        assert {"0", "0.5", "1", "1.5", "2", "3", f"{question.importance:g}"} == set(values)
        assert selected(page, f"weight_{question.id}") == f"{question.importance:g}"
    assert "Above normal (1.5) · default" in text_of(one(page, "#weight_acuity"))
    for tier in catalogue.tiers:
        field = one(details, f"#tier_{tier.id}")
        assert field["type"] == "number"
        assert text_of(one(details, f"label[for=tier_{tier.id}]")) == tier.label
        assert text_of(one(details, f"#tier_{tier.id}-help")) == tier.description
    # The number of patients is asked once, with the population size, and takes "12,000".
    assert not details.select("#population_size_number")
    number = one(page, "#q-population_size #population_size_number")
    assert number["type"] == "text" and number["inputmode"] == "numeric"
    # The questionnaire's own parts and questions are still the only sections and fieldsets.
    assert len(one(page, "form").select("fieldset")) == len(catalogue.questionnaire.questions)


def test_query_parameters_prefill_the_advanced_section_and_open_it(client: TestClient) -> None:
    page = parse(
        client.get("/assess", params={"weight_budget": "3", "population_size_number": "500"}).text
    )
    assert one(page, "details.advanced").has_attr("open")
    assert selected(page, "weight_budget") == "3"
    assert one(page, "#population_size_number")["value"] == "500"


def test_weights_change_the_result(client: TestClient, catalogue: Catalogue) -> None:
    ignored = _post(client, {**INTENSIVE, "weight_budget": "0"})
    critical = _post(client, {**INTENSIVE, "weight_budget": "3"})
    answers = ARCHETYPES["intensive"]
    for weight, page in ((0, ignored), (3, critical)):
        expected = engine.score(catalogue, answers, {"budget": weight})
        icm = next(ms for ms in expected.ranking if ms.model == "intensive")
        assert _score(page, "intensive") == icm.score
    assert _score(ignored, "intensive") != _score(critical, "intensive")
    used = one(critical, "ul.priorities-used").select("li")
    assert [text_of(li) for li in used] == [
        "Budget: critical (3) instead of the default, normal (1)"
    ]


def test_default_priorities_are_named_as_such(client: TestClient, catalogue: Catalogue) -> None:
    defaults = {f"weight_{q.id}": f"{q.importance:g}" for q in catalogue.questionnaire.questions}
    page = _post(client, {**INTENSIVE, **defaults})
    assert text_of(one(page, ".priorities-used")) == "Default priorities."


def test_a_forged_weight_is_an_error_by_its_field_with_answers_kept(client: TestClient) -> None:
    page = _post(client, {**INTENSIVE, "weight_budget": "9", "weight_staffing": "2"}, status=422)
    error = one(page, "#weight_budget-error")
    assert "“9” is not a level" in text_of(error)
    select = one(page, "#weight_budget")
    assert select["aria-invalid"] == "true"
    assert select["aria-describedby"] == "weight_budget-error"
    assert selected(page, "weight_budget") == "1"  # back to the default, not the first option
    assert selected(page, "weight_staffing") == "2"
    assert one(page, "details.advanced").has_attr("open")
    summary = one(page, ".error-summary a")
    assert summary["href"] == "#weight_budget"
    assert text_of(summary).startswith("Importance of budget:")
    assert checked(page, "acuity") == [INTENSIVE["acuity"]]


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
    assert text_of(one(page, "#tiers-error")) == (
        "Error: The tier percentages must add up to 100; they add up to 90."
    )
    group = one(page, "#tiers")
    assert group["role"] == "group"
    assert "tiers-error" in str(group["aria-describedby"]).split()
    assert [one(page, f"#tier_{t}")["value"] for t in ("high", "rising", "low")] == [
        "30",
        "20",
        "40",
    ]
    assert one(page, "#population_size_number")["value"] == "12000"
    assert one(page, ".error-summary a")["href"] == "#tier_high"


def test_tiers_without_a_size_ask_for_the_size(client: TestClient) -> None:
    page = _post(client, {**MIXED, **TIERS}, status=422)
    assert "number of patients" in text_of(one(page, "#population_size_number-error"))
    assert one(page, "#population_size_number")["aria-invalid"] == "true"
    assert one(page, "#tier_high")["value"] == "30"


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
    page = _post(client, {**INTENSIVE, "population_size_number": "1,200"})  # the "small" band
    expected = engine.score(catalogue, ARCHETYPES["intensive"], None, {"size": 1200})
    staffing = expected.staffing
    assert staffing is not None
    cm = staffing.case_managers
    assert text_of(one(page, "p.staffing-line")) == (
        f"For 1,200 patients, {catalogue.model(staffing.model).name} needs about "
        f"{cm.low:,}–{cm.high:,} full-time case managers at "
        f"{staffing.caseload_low}–{staffing.caseload_high} patients each."
    )
    assert not page.select("table.tier-table")


def test_an_assumed_caseload_is_marked_as_a_planning_assumption(
    client: TestClient, catalogue: Catalogue
) -> None:
    assert catalogue.model("brokerage").intensity.caseload.assumption
    brokerage = {k: v for k, v in ARCHETYPES["brokerage"].items() if isinstance(v, str)}
    page = _post(client, {**brokerage, "outcomes_1": "cost", "population_size_number": "25000"})
    assert "Planning assumption" in text_of(one(page, "section.staffing"))


def test_a_tiered_population_gets_a_tier_table_whose_total_adds_up(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = _post(client, {**MIXED, "population_size_number": "12000", **TIERS})
    # No size band was chosen: the number picks it (12,000 is "medium").
    expected = engine.score(
        catalogue, MIXED_ANSWERS | {"population_size": "medium"}, None, POPULATION
    )
    tiered = next(h for h in expected.hybrids if h.kind == "tiered")

    table = one(page, "table.tier-table")
    headers = [text_of(th) for th in one(table, "thead").select("th")]
    assert headers == ["Tier", "Share", "Patients", "Model", "Case managers"]
    rows = one(table, "tbody").select("tr")
    cells = [[text_of(one(row, "th")), *(text_of(td) for td in row.select("td"))] for row in rows]
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
    total = [text_of(td) for td in one(table, "tfoot").select("td")]
    low = sum(int(c[4].split("–")[0]) for c in cells)
    high = sum(int(c[4].split("–")[1]) for c in cells)
    patients = sum(int(c[2].replace(",", "")) for c in cells)
    assert total[0] == "100%"
    assert total[1] == f"{patients:,}" == "12,000"
    assert total[3] == f"{low}–{high}"
    handovers = [text_of(li) for li in one(page, "ul.tier-handovers").select("li")]
    assert handovers == [plan.handover for plan in tiered.tiers]
    # The hybrid list in result.html shows the tiered design too, without breaking.
    hybrid_titles = [text_of(h) for h in page.select("article.hybrid")]
    assert any(tiered.title in t for t in hybrid_titles)


# --- robustness and what-if --------------------------------------------------------------------


def test_robustness_chart_has_a_bar_and_a_percentage_for_every_model(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = _post(client, MIXED)
    expected = engine.score(catalogue, MIXED_ANSWERS)
    robust = expected.robustness
    assert robust is not None
    section = one(page, "section.analysis")
    assert text_of(one(page, ".recommendation .firmness")).startswith(f"How firm: {robust.text}")
    assert robust.text not in text_of(section)  # said once, in the verdict
    assert expected.confidence_reason in text_of(section)
    method = one(section, "details.method")  # the method is one click away
    assert "2,000 times" in text_of(method) and "50% higher or lower" in text_of(method)

    svg = one(method, "svg.share-chart-svg")
    assert svg["role"] == "img"
    caption = one(page, f"#{svg['aria-labelledby']}")
    assert caption.name == "figcaption" and text_of(caption)
    assert len(svg.select("rect.share-bar")) == len(catalogue.models) == 5
    labels = [text_of(t) for t in svg.select("text.share-label")]
    values = [text_of(t) for t in svg.select("text.share-value")]
    # In the ranking's order, the tied pair marked as such (MIXED is a tie).
    assert expected.verdict == "tie"
    assert labels == [
        catalogue.model(ms.model).short_name + (" (tie)" if ms.rank <= 2 else "")
        for ms in expected.ranking
    ]
    assert values == [_percent(robust.first_place_share[ms.model]) for ms in expected.ranking]
    table = one(section, "figure table")  # the text equivalent
    assert len(one(table, "tbody").select("tr")) == 5
    assert robust.critical_factor is not None
    assert robust.critical_factor.text in text_of(one(section, ".critical-factor"))


def test_what_if_comes_in_two_groups_in_the_engines_order(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = _post(client, MIXED)
    expected = engine.score(catalogue, MIXED_ANSWERS)
    kinds = {w.kind for w in expected.what_if}
    assert kinds == {"organization", "patients"}
    section = one(page, "#what-if")
    assert [text_of(h) for h in section.select("h3")] == [
        "Changes you could make",
        "If your patients were different",
    ]
    for kind in ("organization", "patients"):
        items = one(section, f"ul#what-if-{kind}").select("li")
        assert [text_of(li) for li in items] == [w.text for w in expected.what_if if w.kind == kind]


def test_a_result_saved_before_what_if_had_kinds_keeps_one_list(
    settings: Settings, catalogue: Catalogue
) -> None:
    fresh = engine.score(catalogue, MIXED_ANSWERS)
    old = fresh.model_copy(
        update={"what_if": tuple(w.model_copy(update={"kind": None}) for w in fresh.what_if)}
    )
    templates = make_templates(settings.templates_dir, Urls(StaticAssets({})))
    template = templates.env.get_template("_analysis.html")
    page = parse(template.render(result_context(catalogue, old)))
    assert not page.select("#what-if h3")
    assert [text_of(li) for li in one(page, "ul.what-if").select("li")] == [
        w.text for w in fresh.what_if
    ]


def test_older_results_without_analysis_render_none_of_it(
    settings: Settings, catalogue: Catalogue
) -> None:
    fresh = engine.score(catalogue, MIXED_ANSWERS)
    old = fresh.model_copy(update={"robustness": None, "what_if": ()})
    templates = make_templates(settings.templates_dir, Urls(StaticAssets({})))
    template = templates.env.get_template("_analysis.html")
    page = parse(template.render(result_context(catalogue, old)))
    assert not page.select("section")
    assert not page.select("svg")


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
