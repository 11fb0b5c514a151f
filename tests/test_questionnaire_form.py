"""The questionnaire's fields: outcomes ticked and numbered (no drop-downs to repeat one), the
number of patients asked once and written as people write it, and older links still read."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cm_advisor.engine import Catalogue
from cm_advisor.web import forms, questionnaire
from helpers.archetypes import ARCHETYPES
from helpers.html import checked, one, parse, ranked, text_of


def _parse(catalogue: Catalogue, fields: dict[str, Any]) -> forms.ParsedForm:
    return forms.parse_answers(catalogue, fields)


# --- outcomes ----------------------------------------------------------------------------


def test_ticked_outcomes_count_in_the_order_numbered_then_as_listed(
    catalogue: Catalogue,
) -> None:
    form = {
        "outcomes": ["cost", "quality", "experience", "housing"],
        "outcomes_order_housing": "1",
        "outcomes_order_quality": "2",
    }
    parsed = _parse(catalogue, form)
    assert parsed.errors == {}
    assert parsed.answers["outcomes"] == ("housing", "quality", "cost", "experience")
    # Kept as the form shows them again: renumbered, so a second submit keeps the order.
    assert parsed.kept["outcomes"] == "housing,quality,cost,experience"
    assert [parsed.kept[f"outcomes_order_{o}"] for o in ("housing", "quality", "cost")] == [
        "1",
        "2",
        "3",
    ]
    assert parsed.kept["outcomes_order_linkage"] == ""


def test_equal_numbers_and_a_number_on_an_unticked_box_do_no_harm(catalogue: Catalogue) -> None:
    form = {
        "outcomes": ["cost", "quality"],
        "outcomes_order_cost": "1",
        "outcomes_order_quality": "1",
        "outcomes_order_housing": "2",  # not ticked: ignored
    }
    parsed = _parse(catalogue, form)
    assert parsed.errors == {}
    assert parsed.answers["outcomes"] == ("cost", "quality")


@pytest.mark.parametrize("order", ["x", "0", "9", "1.5"])
def test_an_order_that_is_not_a_place_is_an_error_with_the_ticks_kept(
    catalogue: Catalogue, order: str
) -> None:
    parsed = _parse(catalogue, {"outcomes": ["cost", "quality"], "outcomes_order_cost": order})
    assert "Number the order from 1 to 8" in parsed.errors["outcomes"]
    assert parsed.kept["outcomes_order_cost"] == order  # what was typed, to correct
    assert parsed.kept["outcomes"] == "cost,quality"


def test_more_outcomes_than_allowed_is_an_error_beside_the_question(catalogue: Catalogue) -> None:
    parsed = _parse(catalogue, {"outcomes": list(catalogue.question("outcomes").option_ids)})
    assert parsed.errors == {"outcomes": "Choose at most 6."}


def test_a_value_sent_twice_counts_once_and_an_unknown_one_is_refused(
    catalogue: Catalogue,
) -> None:
    assert _parse(catalogue, {"outcomes": ["cost", "cost"]}).answers == {"outcomes": ("cost",)}
    refused = _parse(catalogue, {"outcomes": ["cost", "world_peace"]})
    assert "'world_peace' is not one of the options" in refused.errors["outcomes"]


def test_the_older_numbered_fields_still_work(catalogue: Catalogue) -> None:
    parsed = _parse(catalogue, {"outcomes_1": "utilization", "outcomes_3": "cost"})
    assert parsed.errors == {}
    assert parsed.answers == {"outcomes": ("utilization", "cost")}
    duplicated = _parse(catalogue, {"outcomes_1": "cost", "outcomes_2": "cost"})
    assert duplicated.errors["outcomes"] == "Choose each outcome only once."


@pytest.mark.parametrize("name", sorted(ARCHETYPES))
def test_every_archetype_round_trips_through_the_form_fields(
    catalogue: Catalogue, name: str
) -> None:
    answers = ARCHETYPES[name]
    fields = forms.to_fields(catalogue, answers, {"budget": 2.0})
    parsed = _parse(catalogue, fields)
    assert parsed.errors == {}
    assert parsed.answers == {k: tuple(v) if isinstance(v, list) else v for k, v in answers.items()}
    assert parsed.weights == {"budget": 2.0}
    assert questionnaire.answered(catalogue, parsed.kept) == len(catalogue.questionnaire.questions)


def test_the_browser_form_submits_ticked_outcomes_in_order(
    client: TestClient, catalogue: Catalogue
) -> None:
    data = {
        "acuity": "high",
        "outcomes": ["cost", "readmissions"],
        "outcomes_order_readmissions": "1",
        "outcomes_order_cost": "2",
    }
    response = client.post("/assess", data=data)
    assert response.status_code == 200
    token = response.url.path.removeprefix("/r/")
    saved = client.get(f"/r/{token}.json").json()["result"]["answers"]
    assert saved["outcomes"] == ["readmissions", "cost"]
    # "Adjust answers" reopens them ticked, in the same order.
    form = parse(client.get(f"/assess?from={token}").text)
    assert ranked(form, "outcomes") == ["readmissions", "cost"]


# --- the number of patients, asked once ------------------------------------------------------


def test_the_size_bands_are_the_ones_the_option_labels_state(catalogue: Catalogue) -> None:
    """forms.SIZE_BANDS repeats numbers from the questionnaire's labels: this keeps them equal."""
    question = catalogue.question(forms.SIZE_QUESTION)
    numbers = {
        o.id: [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", o.label)]
        for o in question.options
    }
    assert numbers == {"small": [2000], "medium": [2000, 20000], "large": [20000]}
    assert "under" in question.option("small").label and "over" in question.option("large").label
    limits = dict(forms.SIZE_BANDS)
    assert limits["small"] == numbers["small"][0] - 1  # "under 2,000"
    assert limits["medium"] == numbers["medium"][1]  # "2,000 to 20,000"
    assert [forms.size_band(n) for n in (1, 1999, 2000, 20000, 20001)] == [
        "small",
        "small",
        "medium",
        "medium",
        "large",
    ]


@pytest.mark.parametrize(
    ("written", "size"),
    [("12000", 12000), ("12,000", 12000), ("12 000", 12000), ("12.000", 12000), ("12'000", 12000)],
)
def test_a_number_written_as_people_write_it_is_read(
    catalogue: Catalogue, written: str, size: int
) -> None:
    parsed = _parse(catalogue, {forms.SIZE_FIELD: written})
    assert parsed.errors == {}
    assert parsed.population is not None and parsed.population.size == size


@pytest.mark.parametrize("written", ["1.5", "twelve", "-3", "0"])
def test_a_number_that_is_not_a_head_count_is_an_error_by_its_field(
    catalogue: Catalogue, written: str
) -> None:
    parsed = _parse(catalogue, {forms.SIZE_FIELD: written})
    assert list(parsed.errors) == [forms.SIZE_FIELD]
    assert parsed.kept[forms.SIZE_FIELD] == written


def test_a_number_alone_picks_the_size_band(catalogue: Catalogue) -> None:
    parsed = _parse(catalogue, {forms.SIZE_FIELD: "12,000"})
    assert parsed.answers[forms.SIZE_QUESTION] == "medium"
    assert parsed.kept[forms.SIZE_QUESTION] == "medium"
    agreeing = _parse(catalogue, {forms.SIZE_FIELD: "500", forms.SIZE_QUESTION: "small"})
    assert agreeing.errors == {} and agreeing.answers[forms.SIZE_QUESTION] == "small"


def test_a_number_in_another_band_than_the_one_chosen_is_an_error_beside_the_question(
    client: TestClient,
) -> None:
    data = {"acuity": "high", forms.SIZE_FIELD: "12,000", forms.SIZE_QUESTION: "small"}
    response = client.post("/assess", data=data)
    assert response.status_code == 422
    page = parse(response.text)
    error = text_of(one(page, f"#{forms.SIZE_QUESTION}-error"))
    medium = "“Medium — 2,000 to 20,000 patients”"
    assert error == f"Error: 12,000 patients is {medium}: choose that size, or correct the number."
    assert checked(page, forms.SIZE_QUESTION) == ["small"]  # both answers kept
    assert one(page, f"#{forms.SIZE_FIELD}")["value"] == "12,000"
    assert checked(page, "acuity") == ["high"]


def test_the_questionnaire_asks_for_the_population_once(client: TestClient) -> None:
    page = parse(client.get("/assess").text)
    assert len(page.select(f"#{forms.SIZE_FIELD}")) == 1
    question = one(page, f"#q-{forms.SIZE_QUESTION}")
    assert one(question, f"#{forms.SIZE_FIELD}")
    limits = [r.get("data-most") for r in question.select("input[type=radio][data-most]")]
    assert limits == ["1999", "20000", ""]  # enhance.js picks the band as the number is typed
    assert not one(page, "#advanced").select(f"#{forms.SIZE_FIELD}")
