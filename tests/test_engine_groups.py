"""The group profile's rules (docs/groups.md), one by one, and a round of five people in
three roles checked against rescoring with the independent reference."""

from typing import Any

import pytest

from cm_advisor.engine import Catalogue, Population, check_input, score
from cm_advisor.engine.groups import (
    Respondent,
    analyse,
    borda,
    median_option,
    plurality,
    population,
    profile,
)
from helpers import reference
from helpers.archetypes import ARCHETYPES


def people(
    catalogue: Catalogue, *answer_sets: dict[str, Any], roles: tuple[str, ...] = ()
) -> list[Respondent]:
    return [
        Respondent(check_input(catalogue, answers), roles[i] if i < len(roles) else "")
        for i, answers in enumerate(answer_sets)
    ]


@pytest.mark.parametrize(
    ("chosen", "median"),
    [
        (["low"], "low"),
        (["low", "high", "very_high"], "high"),
        (["low", "moderate", "high", "very_high"], "moderate"),  # even split 1-1: the lower
        (["low", "high", "high", "very_high"], "high"),  # middle pair high-high
        (["moderate", "moderate", "high", "very_high"], "moderate"),  # middle moderate|high, 2 vs 1
        (["low", "moderate", "high", "high"], "high"),  # middle moderate|high, 1 vs 2
    ],
)
def test_the_median_of_ordered_options_and_even_splits(
    catalogue: Catalogue, chosen: list[str], median: str
) -> None:
    assert median_option(catalogue.question("acuity"), chosen) == median


def test_an_unordered_question_takes_the_plurality_and_a_tie_leaves_it_open() -> None:
    assert plurality(["linkage", "patient_goals", "linkage"]) == "linkage"
    assert plurality(["linkage", "patient_goals"]) is None


def test_outcomes_by_borda_count(catalogue: Catalogue) -> None:
    outcomes = catalogue.question("outcomes")
    # cost: 2+1 = 3; quality: 1+2 = 3 (tie, both chosen by two: questionnaire order);
    # housing: 1. The median respondent chose 2, so two outcomes are kept.
    rankings = [["cost", "quality"], ["quality", "cost"], ["housing"]]
    assert borda(outcomes, rankings) == ("cost", "quality")
    # A tie on points goes to the outcome more respondents chose: linkage 2+1 and cost 3
    # tie at 3, but two chose linkage and one cost; housing 1+1 and quality 2 tie at 2, but
    # two chose housing. Lengths 2, 1, 3: the median respondent chose 2.
    rankings = [["linkage", "housing"], ["housing"], ["cost", "quality", "linkage"]]
    assert borda(outcomes, rankings) == ("linkage", "cost")
    # housing 1+1 and quality 2 tie; two chose housing. The median respondent chose one.
    assert borda(outcomes, [["housing"], ["housing"], ["quality", "cost"]]) == ("housing",)


def test_missing_answers_are_not_counted(catalogue: Catalogue) -> None:
    group = profile(
        catalogue, people(catalogue, {"acuity": "low"}, {}, {"acuity": "low", "budget": "flexible"})
    )
    assert group.answers == {"acuity": "low", "budget": "flexible"}


def test_weights_are_the_median_of_everyone_s(catalogue: Catalogue) -> None:
    respondents = [
        Respondent(check_input(catalogue, {}, {"budget": 3})),
        Respondent(check_input(catalogue, {}, {"budget": 0})),
        Respondent(check_input(catalogue, {}, {})),
    ]
    assert profile(catalogue, respondents).weights["budget"] == 1.0  # 0, 1 (default), 3


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([], None),
        ([None, None], None),
        ([{"size": 1000}], {"size": 1000}),
        ([{"size": 1000}, {"size": 3001}], {"size": 2001}),  # median 2000.5: halves round up
        ([{"size": 900}, None, {"size": 1000}, {"size": 5000}], {"size": 1000}),
        # One respondent's tiers are kept as given, unrounded.
        (
            [{"size": 10, "tiers": {"high": 12.25, "rising": 20, "low": 67.75}}],
            {"size": 10, "tiers": {"high": 12.25, "rising": 20, "low": 67.75}},
        ),
        # Medians 10, 20, 60 add up to 90: scaled by 100/90 and rounded to one decimal,
        # 11.1 + 22.2 + 66.7 = 100.0 (66.67 takes the rounding left over).
        (
            [
                {"size": 10, "tiers": {"high": 5, "rising": 20, "low": 75}},
                {"size": 10, "tiers": {"high": 10, "rising": 30, "low": 60}},
                {"size": 10, "tiers": {"high": 30, "rising": 10, "low": 60}},
            ],
            {"size": 10, "tiers": {"high": 11.1, "rising": 22.2, "low": 66.7}},
        ),
        # A tier left out counts as 0; one nobody named stays out; a respondent who gave
        # no tiers counts for the size only.
        (
            [
                {"size": 10, "tiers": {"high": 50, "low": 50}},
                {"size": 20, "tiers": {"high": 100}},
                {"size": 30},
            ],
            {"size": 20, "tiers": {"high": 75, "low": 25}},
        ),
    ],
)
def test_the_population_is_the_median_size_and_the_median_tiers_scaled_to_100(
    catalogue: Catalogue, given: list[dict[str, Any] | None], expected: dict[str, Any] | None
) -> None:
    found = population(catalogue, [None if g is None else Population(**g) for g in given])
    assert found == (None if expected is None else Population(**expected))
    if found is not None and found.tiers:
        assert sum(found.tiers.values()) == pytest.approx(100)


def test_one_respondent_gives_the_same_result_as_a_single_assessment(catalogue: Catalogue) -> None:
    answers = ARCHETYPES["collaborative"]
    alone = analyse(catalogue, people(catalogue, answers))
    assert alone.result == score(catalogue, answers)
    tiers = {"size": 12000, "tiers": {"high": 5, "rising": 20, "low": 75}}
    checked = check_input(catalogue, answers, {"budget": 2}, tiers)
    assert analyse(catalogue, [Respondent(checked)]).result == score(
        catalogue, answers, {"budget": 2}, tiers
    )
    assert alone.consensus.share_agreeing == 1.0
    assert alone.consensus.average_winner == alone.result.recommended
    assert all(not q.decisive for q in alone.questions)


# Five people in three roles who agree on everything but acuity and staff mix.
SHARED = dict(ARCHETYPES["clinical"])
ROUND = [
    ("Executive", {"acuity": "very_high", "staff_mix": "non_clinical"}),
    ("Executive", {"acuity": "moderate", "staff_mix": "clinical"}),
    ("Nursing", {"acuity": "very_high", "staff_mix": "mixed"}),
    ("Nursing", {"acuity": "moderate", "staff_mix": "mixed"}),
    ("Finance", {"acuity": "low", "staff_mix": "clinical"}),
]


def test_a_round_lists_exactly_its_disagreements_and_which_change_the_winner(
    catalogue: Catalogue,
) -> None:
    respondents = people(
        catalogue, *(SHARED | changes for _, changes in ROUND), roles=tuple(r for r, _ in ROUND)
    )
    view = analyse(catalogue, respondents)
    # acuity: low, moderate, moderate, very high, very high -> median moderate;
    # staff mix: non-clinical, mixed, mixed, clinical, clinical -> median mixed.
    assert view.result.answers["acuity"] == "moderate"
    assert view.result.answers["staff_mix"] == "mixed"
    disagreements = {q.question for q in view.questions if q.agreement != "everyone"}
    assert disagreements == {"acuity", "staff_mix"}
    # Only the staff-mix disagreement changes the winner: with non-clinical staff, the
    # clinical model's red flag lets collaborative come first.
    assert [q.question for q in view.questions if q.decisive] == ["staff_mix"]
    group = dict(view.result.answers)
    for q in view.questions:
        expected = []
        for role_answer in dict.fromkeys(
            a for _, a in q.answers if a is not None and a != q.group_answer
        ):
            winner = reference.winner(
                reference.RAW, group | {q.question: role_answer}, view.result.weights
            )
            if winner != view.result.recommended:
                expected.append((role_answer, winner))
        assert list(q.decisive) == expected, q.question
    first = view.questions[0]
    assert first.decisive or not any(q.decisive for q in view.questions)  # decisive ones first
    roles = [role for role, _ in view.questions[0].answers]
    assert roles == ["Executive", "Executive", "Nursing", "Nursing", "Finance"]
    own = [reference.winner(reference.RAW, SHARED | changes) for _, changes in ROUND]
    assert list(view.consensus.own_first) == own
    assert view.consensus.share_agreeing == sum(o == view.result.recommended for o in own) / 5


def test_averaging_scores_can_disagree_with_scoring_the_profile(catalogue: Catalogue) -> None:
    """Two people at opposite ends: the profile takes the lower middle of each question,
    while averaging their own scores weighs both ends; the view reports both winners."""
    respondents = people(catalogue, ARCHETYPES["brokerage"], ARCHETYPES["intensive"])
    view = analyse(catalogue, respondents)
    assert set(view.consensus.own_first) == {"brokerage", "intensive"}
    averages = {
        m: (
            reference.scores(reference.RAW, ARCHETYPES["brokerage"])[m]
            + reference.scores(reference.RAW, ARCHETYPES["intensive"])[m]
        )
        / 2
        for m in catalogue.model_ids
    }
    assert view.consensus.average_winner == max(averages, key=lambda m: averages[m])


def test_an_empty_group_is_refused(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match="at least one respondent"):
        analyse(catalogue, [])
