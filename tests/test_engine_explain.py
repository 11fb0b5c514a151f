"""What the result says about each model: reasons, concerns, and why a model ranked lower."""

from typing import Any

import pytest
from hypothesis import given, settings

from cm_advisor.engine import Catalogue, score
from cm_advisor.engine.explain import fit_label
from helpers.archetypes import ARCHETYPES
from helpers.strategies import CATALOGUE, answer_sets, weight_sets
from helpers.tiny import build, flag, tiny

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


# Five questions of weight 1 (a step of fit is 5 points) and q0 of weight 0. Alpha wins;
# beta and gamma are behind it for different reasons (see the test).
BEHIND = build(
    {
        "q0": {"w": (0, 0, 0), "o": (0, 0, 0)},
        "q1": {"a": (2, 1, 2), "o": (0, 0, 0)},
        "q2": {"x": (0, -1, 0), "o": (0, 0, 0)},
        "q3": {"y": (0, 0, 0), "o": (0, 0, 0)},
        "q4": {"z": (1, 0, 0), "o": (0, 0, 0)},
        "q5": {"v": (0, 0, 0), "o": (0, 0, 0)},
    },
    red_flags=(
        flag("a0", "alpha", 0.5, {"q0": ["w"]}),
        flag("a4", "alpha", 1, {"q4": ["z"]}),
        flag("b0", "beta", 10, {"q0": ["w"]}),
        flag("b3", "beta", 3, {"q3": ["y"]}),
        flag("g3", "gamma", 0.06, {"q3": ["y"]}),
        flag("g4", "gamma", 0.5, {"q4": ["z"]}),
        flag("g5", "gamma", 0.05, {"q5": ["v"]}),
    ),
)


def test_why_a_model_ranked_lower_worked_out_by_hand() -> None:
    """Alpha 50 + 5 × 3 − 1.5 = 63.5. Beta's gaps to alpha: its q0 flag 10 (q0 counts for
    nothing, so the flag stands alone), q1 10 − 5 = 5, q2 0 − (−5) = 5, q4 5 less alpha's
    own q4 flag = 4, q3 its flag 3: the three largest, ties in questionnaire order. Gamma
    matches alpha on q1; on q4 it is 4 behind plus its own flag there (0.5), which then
    says why; its q3 flag (0.06) is named, its q5 flag (0.05) is not."""
    answers = {"q0": "w", "q1": "a", "q2": "x", "q3": "y", "q4": "z", "q5": "v"}
    result = score(BEHIND, answers, {"q0": 0})
    behind = {m.model: (m.score, m.behind_top) for m in result.ranking}
    assert behind == {
        "alpha": (63.5, ()),
        "gamma": (
            59.4,
            ("Q4: g4 concern.", "Q3: g3 concern."),
        ),
        "beta": (
            37.0,
            (
                "Q0: b0 concern.",
                "Q1: “A” counts for more with Alpha (+10.0) than with Beta (+5.0).",
                "Q2: fit -1",
            ),
        ),
    }


def test_a_red_flag_on_a_multi_choice_answer_names_the_options_chosen() -> None:
    catalogue = build(
        {"m": {"p": (1, 0), "q": (0, 1), "r": (0, 0)}, "q1": {"a": (0, 0), "b": (0, 0)}},
        ("alpha", "beta"),
        questions={"m": {"kind": "multi"}},
        red_flags=(flag("beta_q", "beta", 5, {"m": ["q"]}),),
    )
    beta = next(m for m in score(catalogue, {"m": ["p", "q"]}).ranking if m.model == "beta")
    (raised,) = [c for c in beta.contributions if c.kind == "red_flag"]
    assert (raised.question, raised.answer, raised.points) == ("m", "p, q", -5)


def test_the_other_model_s_points_in_a_comparison_include_the_winner_s_own_flag() -> None:
    """As above without gamma's q4 flag: gamma is 4 behind on q4, shown as what q4 gives
    alpha (5) less alpha's own red flag there (1)."""
    catalogue = BEHIND.model_copy(
        update={"red_flags": tuple(f for f in BEHIND.red_flags if f.id != "g4")}
    )
    answers = {"q0": "w", "q1": "a", "q2": "x", "q3": "y", "q4": "z", "q5": "v"}
    gamma = next(m for m in score(catalogue, answers, {"q0": 0}).ranking if m.model == "gamma")
    assert gamma.behind_top == (
        "Q4: “Z” counts for more with Alpha (+4.0) than with Gamma (0.0).",
        "Q3: g3 concern.",
    )


@pytest.mark.parametrize(
    ("score_", "label"),
    [
        (100, "strong"),
        (70, "strong"),
        (69.99, "good"),
        (55, "good"),
        (54.99, "partial"),
        (40, "partial"),
        (39.99, "weak"),
        (0, "weak"),
    ],
)
def test_fit_labels_start_at_their_floor(score_: float, label: str) -> None:
    assert fit_label(score_) == label


def test_a_small_gain_is_still_a_reason() -> None:
    """q1 at weight 0.05 beside q2 (weight 1, unanswered): 25 × 0.05 / 1.05 = 1.19 points,
    and at 0.03 0.73, under one point but a gain all the same."""
    catalogue = build(
        {"q1": {"a": (1, 0), "b": (0, 0)}, "q2": {"x": (0, 0), "y": (0, 0)}}, ("alpha", "beta")
    )
    for weight in (0.05, 0.03):
        alpha = score(catalogue, {"q1": "a"}, {"q1": weight}).ranking[0]
        assert (alpha.model, alpha.reasons) == ("alpha", ("fit 1",))


# Beta: four red flags and a negative answer; gamma: one red flag and four negative answers.
CONCERNS = build(
    {f"q{i}": {"a": (0, -1, -1), "b": (0, 0, 0)} for i in range(1, 6)},
    red_flags=(
        *(flag(f"b{i}", "beta", 1, {f"q{i}": ["a"]}) for i in range(1, 5)),
        flag("g1", "gamma", 1, {"q1": ["a"]}),
    ),
)


def test_concerns_are_every_red_flag_then_negatives_while_there_is_room_for_four() -> None:
    ranking = score(CONCERNS, {f"q{i}": "a" for i in range(1, 6)}).ranking
    concerns = {m.model: m.concerns for m in ranking}
    assert concerns["beta"] == ("b1 concern.", "b2 concern.", "b3 concern.", "b4 concern.")
    assert concerns["gamma"] == ("g1 concern.", "fit -1", "fit -1", "fit -1")
    assert concerns["alpha"] == ()
