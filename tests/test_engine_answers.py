"""What check_input refuses in a population, in the exact words and fields people see,
and how InvalidInput reads as one message."""

from typing import Any

import pytest

from cm_advisor.engine import Catalogue, FieldError, InvalidInput, Population, check_input

TIERS = ("high", "rising", "low")
PERCENTAGE = "expected a percentage, 0 to 100"


def _errors(catalogue: Catalogue, population: Any, answers: Any = None) -> list[FieldError]:
    with pytest.raises(InvalidInput) as caught:
        check_input(catalogue, answers or {}, None, population)
    return caught.value.errors


@pytest.mark.parametrize(
    ("population", "errors"),
    [
        (
            {"size": 100, "tiers": {"extreme": 100}},
            [FieldError(field="population.tiers.extreme", message="unknown tier", allowed=TIERS)],
        ),
        (
            {"size": 100, "tiers": {"high": 120, "low": -20}},
            [
                FieldError(field="population.tiers.high", message=PERCENTAGE),
                FieldError(field="population.tiers.low", message=PERCENTAGE),
            ],
        ),
        (
            {"size": 100, "tiers": {"high": float("nan"), "low": 100}},
            [FieldError(field="population.tiers.high", message=PERCENTAGE)],
        ),
        (
            {"size": 100, "tiers": {"high": 10, "low": 80}},
            [
                FieldError(
                    field="population.tiers",
                    message="the tier percentages must add up to 100 (they add up to 90)",
                    allowed=TIERS,
                )
            ],
        ),
        (
            {"size": 100, "tiers": {"high": 10, "low": 89.98}},
            [
                FieldError(
                    field="population.tiers",
                    message="the tier percentages must add up to 100 (they add up to 99.98)",
                    allowed=TIERS,
                )
            ],
        ),
        # A bad tier is reported on its own, not again as a total that is off.
        (
            {"size": 100, "tiers": {"high": 10, "weird": 5}},
            [FieldError(field="population.tiers.weird", message="unknown tier", allowed=TIERS)],
        ),
        (
            {"size": 0},
            [FieldError(field="population.size", message="Input should be greater than 0")],
        ),
        (
            {"size": "100"},  # strict: numbers only
            [FieldError(field="population.size", message="Input should be a valid integer")],
        ),
        (
            {"tiers": {"high": 100}},
            [FieldError(field="population.size", message="Field required")],
        ),
        (
            {"size": 10, "tiers": {"high": "all"}},
            [FieldError(field="population.tiers.high", message="Input should be a valid number")],
        ),
    ],
)
def test_a_bad_population_is_refused_field_by_field(
    catalogue: Catalogue, population: dict[str, Any], errors: list[FieldError]
) -> None:
    assert _errors(catalogue, population) == errors


@pytest.mark.parametrize(
    "tiers",
    [
        {"high": 0, "rising": 0, "low": 100},  # both ends of a percentage
        {"high": 10, "low": 90.005},  # within a hundredth of 100
        {"high": 10, "low": 89.995},
        {},
    ],
)
def test_good_tiers_are_accepted_as_given(catalogue: Catalogue, tiers: dict[str, float]) -> None:
    checked = check_input(catalogue, {}, None, {"size": 500, "tiers": tiers})
    assert checked.population == Population(size=500, tiers=tiers)


def test_a_checked_population_passes_through(catalogue: Catalogue) -> None:
    population = Population(size=100, tiers={"high": 30, "low": 70})
    assert check_input(catalogue, {}, None, population).population is population
    assert check_input(catalogue, {}).population is None


def test_a_total_that_is_off_is_reported_beside_bad_answers(catalogue: Catalogue) -> None:
    """The total is skipped only for the population's own bad tiers, not for problems
    elsewhere in the input."""
    errors = _errors(catalogue, {"size": 100, "tiers": {"high": 50}}, {"acuity": "extreme"})
    assert [e.field for e in errors] == ["answers.acuity", "population.tiers"]


def test_invalid_input_reads_as_every_problem_in_one_message(catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_input(catalogue, {"acuity": "extreme"}, {"budget": 7})
    assert str(caught.value) == (
        "answers.acuity: 'extreme' is not one of the options; "
        "weights.budget: expected a number from 0 (not important) to 3 (critical); 1 is normal"
    )


def _answer_errors(catalogue: Catalogue, answers: dict[str, Any]) -> list[FieldError]:
    with pytest.raises(InvalidInput) as caught:
        check_input(catalogue, answers)
    return caught.value.errors


def test_blank_answers_count_as_unanswered_and_the_rest_are_still_checked(
    catalogue: Catalogue,
) -> None:
    """None, "", [] and () mean "not answered"; each is skipped, not a reason to stop, so a
    bad answer after them (and an unknown question after that) is still reported."""
    blanks: dict[str, Any] = {"acuity": None, "complex_needs": "", "outcomes": [], "budget": ()}
    assert check_input(catalogue, blanks).answers == {}
    errors = _answer_errors(
        catalogue, blanks | {"staff_mix": "robots", "no_such_question": "x", "staffing": 3}
    )
    assert [e.field for e in errors] == [
        "answers.staff_mix",
        "answers.no_such_question",
        "answers.staffing",
    ]
    staff_mix, unknown, staffing = errors
    assert staff_mix.message == "'robots' is not one of the options"
    assert staff_mix.allowed == catalogue.question("staff_mix").option_ids
    assert unknown.message == "unknown question 'no_such_question'"
    assert staffing.message == "3 is not one of the options"  # not a string: shown as is


def test_a_long_bad_answer_is_cut_in_the_message(catalogue: Catalogue) -> None:
    (single,) = _answer_errors(catalogue, {"acuity": "x" * 100})
    assert single.message == f"'{'x' * 59} is not one of the options"  # 60 characters shown
    (multi,) = _answer_errors(catalogue, {"outcomes": ["y" * 100]})
    assert multi.message == f"'{'y' * 40}' is not one of the options"


def test_outcomes_must_be_a_list_of_different_options(catalogue: Catalogue) -> None:
    allowed = catalogue.question("outcomes").option_ids
    assert check_input(catalogue, {"outcomes": "cost"}).answers == {"outcomes": ("cost",)}
    (not_a_list,) = _answer_errors(catalogue, {"outcomes": {"cost": 1}})
    assert not_a_list == FieldError(
        field="answers.outcomes", message="expected a list of options", allowed=allowed
    )
    (twice,) = _answer_errors(catalogue, {"outcomes": ["cost", "cost"]})
    assert twice.message == "each option may be chosen only once"
