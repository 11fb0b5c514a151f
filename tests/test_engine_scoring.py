"""Known scenarios for the scoring engine: archetypes, the score formula, tie-breaks."""

from typing import Any

import pytest

from cm_advisor.engine import Catalogue, InvalidInput, score
from cm_advisor.engine.scoring import NEUTRAL
from helpers.archetypes import ARCHETYPES


@pytest.mark.parametrize("model_id", sorted(ARCHETYPES))
def test_each_model_wins_its_archetype(catalogue: Catalogue, model_id: str) -> None:
    result = score(catalogue, ARCHETYPES[model_id])
    assert result.recommended == model_id
    assert result.ranking[0].model == model_id
    assert result.ranking[0].score - result.ranking[1].score >= 3
    assert result.ranking[0].reasons, "the winner must say why"


def test_clear_archetype_gives_high_confidence(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["intensive"])
    assert result.confidence == "high"
    assert result.unanswered == ()


def test_empty_answers_are_neutral_and_low_confidence(catalogue: Catalogue) -> None:
    result = score(catalogue, {})
    assert {m.score for m in result.ranking} == {NEUTRAL}
    assert result.confidence == "low"
    assert set(result.unanswered) == {q.id for q in catalogue.questionnaire.questions}
    # Tie-break: equal scores and no red flags fall back to the model id.
    assert [m.model for m in result.ranking] == sorted(catalogue.model_ids)


def test_score_is_neutral_plus_contributions(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["clinical"])
    for m in result.ranking:
        expected = min(100.0, max(0.0, NEUTRAL + sum(c.points for c in m.contributions)))
        assert m.score == pytest.approx(round(expected, 1))


def test_unanswered_question_is_listed_and_lowers_nothing_else(catalogue: Catalogue) -> None:
    answers = {k: v for k, v in ARCHETYPES["collaborative"].items() if k != "budget"}
    result = score(catalogue, answers)
    assert result.unanswered == ("budget",)
    assert all(c.question != "budget" for m in result.ranking for c in m.contributions)


@pytest.mark.parametrize(
    ("model_id", "answers"),
    [
        ("clinical", {"staff_mix": "non_clinical"}),
        ("intensive", {"budget": "constrained"}),
        ("collaborative", {"team_infrastructure": "none"}),
        ("strengths_based", {"training_capacity": "low"}),
    ],
)
def test_red_flags_become_concerns_but_never_remove_a_model(
    catalogue: Catalogue, model_id: str, answers: dict[str, Any]
) -> None:
    result = score(catalogue, answers)
    assert len(result.ranking) == len(catalogue.models)
    flagged = next(m for m in result.ranking if m.model == model_id)
    flags = [c for c in flagged.contributions if c.kind == "red_flag"]
    assert flags, f"{model_id} should carry a red flag for {answers}"
    assert flags[0].why in flagged.concerns
    assert flags[0].points < 0


def test_weights_change_what_matters(catalogue: Catalogue) -> None:
    answers = ARCHETYPES["intensive"] | {"budget": "constrained", "staffing": "limited"}
    neutral = score(catalogue, answers)
    ignored = score(catalogue, answers, {"budget": 0, "staffing": 0})
    icm = {m.model: m for m in neutral.ranking}["intensive"]
    icm_ignored = {m.model: m for m in ignored.ranking}["intensive"]
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


def test_losers_say_why_they_ranked_lower(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["brokerage"])
    assert result.ranking[0].behind_top == ()
    assert all(m.behind_top for m in result.ranking[1:])


def test_high_utilizers_with_limited_staff_get_a_mixed_hybrid(catalogue: Catalogue) -> None:
    answers = {"high_utilization": "common", "staffing": "limited", "budget": "constrained"}
    result = score(catalogue, answers)
    mixed = [h for h in result.hybrids if h.kind == "mixed_population"]
    assert mixed
    assert any("intensive" in h.models for h in mixed)
    assert all(len(h.parts) >= 2 and h.rationale for h in mixed)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"acuity": "extreme"}, "answers.acuity"),
        ({"acuity": 3}, "answers.acuity"),
        ({"wizardry": "high"}, "answers.wizardry"),
        ({"outcomes": ["cost", "cost"]}, "answers.outcomes"),
        ({"outcomes": "nonsense"}, "answers.outcomes"),
        ({"outcomes": [1, 2]}, "answers.outcomes"),
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
