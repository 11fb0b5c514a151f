"""The score formula, checked against an independent reference and against numbers worked out
by hand; every red flag of the catalogue; the archetypes; and what the engine refuses."""

from typing import Any

import pytest
from hypothesis import given, settings

from cm_advisor.engine import Catalogue, InvalidInput, score
from helpers import reference
from helpers.archetypes import ARCHETYPES
from helpers.strategies import CATALOGUE, answer_sets, weight_sets
from helpers.tiny import build, raw


@given(answer_sets(), weight_sets)
@settings(max_examples=150)
def test_scores_and_order_match_the_reference(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    result = score(CATALOGUE, answers, weights)
    expected = reference.scores(reference.RAW, result.answers, result.weights)
    assert {m.model: m.score for m in result.ranking} == {
        m: pytest.approx(round(s, 1), abs=1e-9) for m, s in expected.items()
    }
    assert [m.model for m in result.ranking] == reference.order(
        reference.RAW, result.answers, result.weights
    )


# Worked out by hand from data/models.yaml with the default priorities, which add up to
# 18.5 (five questions at 1.5, eleven at 1): one step of fit on a question of importance
# 1.5 is worth 25 × 1.5 / 18.5 = 2.027 points.
HAND_WORKED = [
    (
        {"staff_mix": "non_clinical"},
        {},
        # brokerage +2, strengths +1, collaborative 0, intensive -1, clinical -2 and its
        # red flag of 12 points.
        {
            "brokerage": 54.1,
            "strengths_based": 52.0,
            "collaborative": 50.0,
            "intensive": 48.0,
            "clinical": 33.9,
        },
    ),
    (
        {"budget": "constrained"},
        {"budget": 2},
        # Σ weights 19.5, so one step at weight 2 is 2.564 points: brokerage +2; clinical,
        # strengths and collaborative -1 (tied: tie_break order); ICM -2 and 12 points.
        {
            "brokerage": 55.1,
            "collaborative": 47.4,
            "strengths_based": 47.4,
            "clinical": 47.4,
            "intensive": 32.9,
        },
    ),
    (
        {"outcomes": ["readmissions", "cost"]},
        {},
        # shares 1/1.8 and 0.8/1.8: clinical +2 on readmissions; ICM -1 on cost;
        # brokerage and strengths -1 on readmissions (tied: tie_break order).
        {
            "clinical": 52.3,
            "collaborative": 50.0,
            "intensive": 49.1,
            "brokerage": 48.9,
            "strengths_based": 48.9,
        },
    ),
]


@pytest.mark.parametrize(("answers", "weights", "expected"), HAND_WORKED)
def test_scores_worked_out_by_hand(
    catalogue: Catalogue,
    answers: dict[str, Any],
    weights: dict[str, float],
    expected: dict[str, float],
) -> None:
    result = score(catalogue, answers, weights)
    assert [(m.model, m.score) for m in result.ranking] == list(expected.items())


# The red flags the catalogue documents. Deleting one from data/models.yaml, or adding one
# without listing it here, fails the first test; each must fire, and show as a concern.
RED_FLAGS = {
    "clinical_without_clinicians",
    "intensive_on_tight_budget",
    "intensive_without_staff",
    "collaborative_without_infrastructure",
    "strengths_without_training",
    "brokerage_for_very_complex",
}
FLAG_CASES = [
    pytest.param(flag["id"], i, alternative, id=f"{flag['id']}-{i}")
    for flag in reference.RAW["models"]["red_flags"]
    for i, alternative in enumerate(flag["when"])
]


def test_the_catalogue_has_exactly_the_documented_red_flags(catalogue: Catalogue) -> None:
    assert {f.id for f in catalogue.red_flags} == RED_FLAGS


@pytest.mark.parametrize(("flag_id", "index", "alternative"), FLAG_CASES)
def test_every_red_flag_fires_as_a_concern_against_the_answer_that_raised_it(
    catalogue: Catalogue, flag_id: str, index: int, alternative: dict[str, list[str]]
) -> None:
    flag = next(f for f in catalogue.red_flags if f.id == flag_id)
    answers = {q: options[0] for q, options in alternative.items()}
    result = score(catalogue, answers)
    flagged = next(m for m in result.ranking if m.model == flag.model)
    raised = [c for c in flagged.contributions if c.kind == "red_flag" and c.why == flag.concern]
    assert len(raised) == 1
    assert raised[0].points == -flag.penalty
    # Shown against this alternative's first question, not the condition's first.
    assert (raised[0].question, raised[0].answer) == next(iter(answers.items()))
    assert flag.concern in flagged.concerns
    expected = reference.scores(reference.RAW, answers)[flag.model]
    assert flagged.score == pytest.approx(round(expected, 1), abs=1e-9)


def test_a_flag_raised_by_its_second_alternative_names_that_answer(catalogue: Catalogue) -> None:
    """brokerage_for_very_complex: acuity very high, or most complex and frequent users.
    Raised by the second, it must not be shown against acuity (never answered)."""
    result = score(catalogue, {"complex_needs": "most", "high_utilization": "common"})
    brokerage = next(m for m in result.ranking if m.model == "brokerage")
    (flag,) = [c for c in brokerage.contributions if c.kind == "red_flag"]
    assert (flag.question, flag.answer) == ("complex_needs", "most")


@pytest.mark.parametrize("model_id", sorted(ARCHETYPES))
def test_each_model_wins_its_archetype(catalogue: Catalogue, model_id: str) -> None:
    result = score(catalogue, ARCHETYPES[model_id])
    assert result.recommended == result.ranking[0].model == model_id
    assert result.ranking[0].score - result.ranking[1].score >= 3
    assert result.ranking[0].reasons, "the winner must say why"
    assert result.verdict == "clear"


def test_a_full_clear_archetype_gives_high_confidence(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["brokerage"])
    assert result.confidence == "high"
    assert result.unanswered == ()


def test_empty_answers_are_neutral_and_recommend_nothing(catalogue: Catalogue) -> None:
    result = score(catalogue, {})
    assert {m.score for m in result.ranking} == {50.0}
    assert result.verdict == "insufficient"
    assert result.confidence == "low"
    assert result.headline.startswith("Not enough answers")
    assert set(result.unanswered) == {q.id for q in catalogue.questionnaire.questions}
    # Every model level and no red flags: the catalogue's tie_break order decides.
    assert [m.model for m in result.ranking] == list(catalogue.tie_break)


def test_score_is_neutral_plus_contributions(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["clinical"])
    for m in result.ranking:
        expected = min(100.0, max(0.0, 50 + sum(c.points for c in m.contributions)))
        assert m.score == pytest.approx(round(expected, 1))


def test_an_unanswered_question_is_listed_and_gives_no_points(catalogue: Catalogue) -> None:
    answers = {k: v for k, v in ARCHETYPES["collaborative"].items() if k != "budget"}
    result = score(catalogue, answers)
    assert result.unanswered == ("budget",)
    assert all(c.question != "budget" for m in result.ranking for c in m.contributions)


def test_an_ignored_question_gives_no_points_but_its_red_flags_stand(catalogue: Catalogue) -> None:
    result = score(catalogue, {"budget": "constrained"}, {"budget": 0})
    icm = next(m for m in result.ranking if m.model == "intensive")
    assert [c.kind for c in icm.contributions] == ["red_flag"]
    assert icm.score == 50 - 12
    assert "budget" not in result.unanswered


def test_weights_change_what_matters(catalogue: Catalogue) -> None:
    answers = ARCHETYPES["intensive"] | {"budget": "constrained", "staffing": "limited"}
    neutral = score(catalogue, answers)
    ignored = score(catalogue, answers, {"budget": 0, "staffing": 0})
    icm = next(m for m in neutral.ranking if m.model == "intensive")
    icm_ignored = next(m for m in ignored.ranking if m.model == "intensive")
    assert not [c for c in icm_ignored.contributions if c.kind == "fit" and c.question == "budget"]
    assert icm_ignored.score > icm.score
    assert ignored.weights["budget"] == 0


def test_outcomes_follow_priority_order(catalogue: Catalogue) -> None:
    result = score(catalogue, {"outcomes": ["cost", "quality"]})
    for m in result.ranking:
        first, second = (c for c in m.contributions if c.question == "outcomes")
        fit_first = catalogue.rules["outcomes"]["cost"][m.model].fit
        fit_second = catalogue.rules["outcomes"]["quality"][m.model].fit
        if fit_first and fit_second:
            assert abs(first.points / fit_first) > abs(second.points / fit_second)


def test_answers_with_only_the_ids_of_2026_11_still_score(catalogue: Catalogue) -> None:
    """Answer sets built before support_duration, practice_approach and the new outcomes
    existed keep scoring; the new questions simply count as unanswered."""
    old = {
        k: v
        for k, v in ARCHETYPES["intensive"].items()
        if k not in {"support_duration", "practice_approach"}
    }
    result = score(catalogue, old)
    assert set(result.unanswered) == {"support_duration", "practice_approach"}
    assert result.recommended == "intensive"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"acuity": "extreme"}, "answers.acuity"),
        ({"acuity": 3}, "answers.acuity"),
        ({"wizardry": "high"}, "answers.wizardry"),
        ({"outcomes": ["cost", "cost"]}, "answers.outcomes"),
        ({"outcomes": "nonsense"}, "answers.outcomes"),
        ({"outcomes": [1, 2]}, "answers.outcomes"),
        (
            {
                "outcomes": [
                    "cost",
                    "quality",
                    "experience",
                    "utilization",
                    "readmissions",
                    "linkage",
                    "housing",
                ]
            },
            "answers.outcomes",
        ),
    ],
)
def test_invalid_answers_name_the_field_and_allowed_values(
    catalogue: Catalogue, answers: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        score(catalogue, answers)
    assert [e.field for e in caught.value.errors] == [field]
    assert caught.value.errors[0].allowed


@pytest.mark.parametrize("weight", [-1, 3.5, "high", True, float("nan")])
def test_invalid_weights_are_refused(catalogue: Catalogue, weight: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        score(catalogue, {}, {"acuity": weight})
    assert caught.value.errors[0].field == "weights.acuity"


def test_every_problem_is_reported_at_once(catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput) as caught:
        score(catalogue, {"acuity": "x", "budget": "y"}, {"zzz": 1})
    assert {e.field for e in caught.value.errors} == {
        "answers.acuity",
        "answers.budget",
        "weights.zzz",
    }


def test_choices_past_the_last_priority_share_its_weight() -> None:
    """outcome_priority has six weights; a seventh and eighth choice each weigh as much as
    the sixth (0.3). Every option gives a different model its fit, so each share shows."""
    options = [f"o{i}" for i in range(8)]
    catalogue = build(
        {
            "m": {
                o: tuple(2 if m == i % 4 else 0 for m in range(4)) for i, o in enumerate(options)
            },
            "q": {"a": (0, 0, 0, 0), "b": (0, 0, 0, 0)},
        },
        ("alpha", "beta", "gamma", "delta"),
        questions={"m": {"kind": "multi"}},
    )
    answers = {"m": list(reversed(options))}
    result = score(catalogue, answers)
    expected = reference.scores(raw(catalogue), answers)
    assert {m.model: m.score for m in result.ranking} == {
        m: pytest.approx(round(s, 1), abs=1e-9) for m, s in expected.items()
    }
