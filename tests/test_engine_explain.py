"""What the result says about each model: reasons, concerns, and why a model ranked lower."""

from typing import Any

from hypothesis import given, settings

from cm_advisor.engine import Catalogue, score
from helpers.archetypes import ARCHETYPES
from helpers.strategies import CATALOGUE, answer_sets, weight_sets
from helpers.tiny import tiny

TINY = tiny(["alpha", "beta", "gamma"])


def test_only_answers_that_add_points_are_reasons() -> None:
    """q2=x gives every model 0 points: never a reason, even when nothing else is."""
    result = score(TINY, {"q2": "x"})
    assert all(m.reasons == () for m in result.ranking)
    result = score(TINY, {"q1": "b", "q2": "x"})
    gamma = next(m for m in result.ranking if m.model == "gamma")
    assert gamma.reasons == ("fit 1",)
    alpha = next(m for m in result.ranking if m.model == "alpha")
    assert alpha.reasons == () and alpha.concerns == ()


def test_concerns_are_red_flags_then_answers_that_take_points() -> None:
    result = score(TINY, {"q1": "c", "q2": "y"})
    beta = next(m for m in result.ranking if m.model == "beta")
    assert beta.concerns == ("Beta's flag.", "fit -2")


@given(answer_sets(), weight_sets)
@settings(max_examples=80)
def test_reasons_and_concerns_have_the_right_sign(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    result = score(CATALOGUE, answers, weights)
    for m in result.ranking:
        positive = {c.why for c in m.contributions if c.points > 0}
        negative = {c.why for c in m.contributions if c.points < 0}
        assert set(m.reasons) <= positive
        assert set(m.concerns) <= negative


@given(answer_sets(), weight_sets)
@settings(max_examples=80)
def test_a_lower_model_is_never_behind_for_its_own_strengths(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    """Each "why it ranked lower" item is the model's own red flag or negative answer, or
    says plainly that the winner gains more from an answer; never a reason in its favour."""
    result = score(CATALOGUE, answers, weights)
    assert result.ranking[0].behind_top == ()
    winner = CATALOGUE.model(result.recommended).short_name
    for m in result.ranking[1:]:
        against = {c.why for c in m.contributions if c.points < 0}
        for item in m.behind_top:
            said = item.partition(": ")[2]
            assert said in against or f"counts for more with {winner}" in said, item
            assert said not in m.reasons


def test_losers_say_why_they_ranked_lower(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["brokerage"])
    assert all(m.behind_top for m in result.ranking[1:])
    clinical = next(m for m in result.ranking if m.model == "clinical")
    # Its red flag (non-clinical staff) is the largest gap to brokerage.
    assert clinical.behind_top[0].startswith("Staff mix: This model relies on nurses")


def test_option_words_not_ids_in_comparisons(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["intensive"])
    comparisons = [i for m in result.ranking for i in m.behind_top if "counts for more" in i]
    assert comparisons
    assert not any("_" in i.split("”")[0] for i in comparisons)
