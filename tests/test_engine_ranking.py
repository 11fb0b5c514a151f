"""The one order of models (rank_key) and every stage that applies it, on exact ties
(helpers.tiny: three models whose scores tie exactly)."""

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cm_advisor.engine import Catalogue, score
from cm_advisor.engine.ranking import Scored, first_by, rank_key
from cm_advisor.engine.ranking import score as score_answers
from cm_advisor.engine.robustness import first_place_shares
from cm_advisor.engine.whatif import what_if
from helpers.tiny import build, tiny

BETA_FIRST = tiny(["beta", "alpha", "gamma"])
ALPHA_FIRST = tiny(["alpha", "beta", "gamma"])


def order(catalogue: Catalogue, answers: dict[str, Any]) -> list[str]:
    return [m.model for m in score(catalogue, answers).ranking]


def test_equal_scores_and_flags_follow_the_tie_break_order() -> None:
    # q1=a: alpha and beta both 75, no flags; gamma 50.
    assert order(BETA_FIRST, {"q1": "a"}) == ["beta", "alpha", "gamma"]
    assert order(ALPHA_FIRST, {"q1": "a"}) == ["alpha", "beta", "gamma"]


def test_equal_scores_go_to_fewer_red_flags_whatever_the_tie_break_order() -> None:
    # q1=a, q2=y: alpha 75; beta 75 + 25 - 25 = 75 with one red flag.
    for catalogue in (BETA_FIRST, ALPHA_FIRST):
        result = score(catalogue, {"q1": "a", "q2": "y"})
        assert [m.score for m in result.ranking][:2] == [75.0, 75.0]
        assert [m.model for m in result.ranking] == ["alpha", "beta", "gamma"]


def test_a_higher_score_beats_fewer_red_flags() -> None:
    # q1=c, q2=y: alpha 50 - 12.5 = 37.5; beta 50 - 25 + 25 - 25 = 25 (flag); gamma 75.
    assert order(BETA_FIRST, {"q1": "c", "q2": "y"}) == ["gamma", "alpha", "beta"]


def test_every_model_level_with_nothing_answered_follows_the_tie_break() -> None:
    assert order(BETA_FIRST, {}) == ["beta", "alpha", "gamma"]


def test_sampled_weightings_break_exact_ties_as_the_ranking_does() -> None:
    """q1=a alone: alpha and beta have identical fits, so they tie in every sample too."""
    for catalogue, first in ((BETA_FIRST, "beta"), (ALPHA_FIRST, "alpha")):
        scored = score_answers(catalogue, {"q1": "a"}, catalogue.default_weights)
        shares = first_place_shares(scored)
        assert shares[first] == 1.0
        assert score(catalogue, {"q1": "a"}).recommended == first


def test_what_if_breaks_ties_as_the_ranking_does() -> None:
    """From q1=b (gamma first): q1=a ties alpha and beta, which the tie-break gives to
    beta; only the pair q1=a, q2=y (beta's flag) puts alpha first."""
    scored = score_answers(BETA_FIRST, {"q1": "b", "q2": "x"}, BETA_FIRST.default_weights)
    proposals = {w.model: w.changes for w in what_if(BETA_FIRST, scored)}
    assert proposals == {"beta": {"q1": "a"}, "alpha": {"q1": "a", "q2": "y"}}
    for model, changes in proposals.items():
        assert order(BETA_FIRST, {"q1": "b", "q2": "x"} | changes)[0] == model


def test_rescoring_changed_answers_breaks_ties_as_the_ranking_does() -> None:
    """Tiers and confirmations rescore through Scored.with_answers."""
    scored = score_answers(ALPHA_FIRST, {"q1": "b"}, ALPHA_FIRST.default_weights)
    assert scored.with_answers({"q1": "a"}).winner == "alpha"
    assert scored.with_answers({"q1": "a", "q2": "y"}).winner == "alpha"
    scored = score_answers(BETA_FIRST, {"q1": "b"}, BETA_FIRST.default_weights)
    assert scored.with_answers({"q1": "a"}).winner == "beta"


keys = st.lists(
    st.tuples(st.sampled_from([40.0, 50.0, 60.0]), st.integers(0, 2)), min_size=4, max_size=4
)


@given(st.lists(keys, min_size=1, max_size=30))
def test_first_by_on_arrays_picks_what_sorting_by_rank_key_picks(
    columns: list[list[tuple[float, int]]],
) -> None:
    """Models along the first axis, variants along the second, heavy with ties."""
    scores = np.array([[s for s, _ in col] for col in columns]).T
    flags = np.array([[f for _, f in col] for col in columns], dtype=np.float64).T
    places = np.array([[2.0], [0.0], [3.0], [1.0]])
    picked = first_by(rank_key(scores, flags, places))
    for v, col in enumerate(columns):
        expected = min(range(4), key=lambda m: rank_key(col[m][0], float(col[m][1]), places[m, 0]))
        assert picked[v] == expected


@pytest.mark.parametrize("gap", [1e-12, 4e-10])
def test_differences_below_the_rounding_are_ties(gap: float) -> None:
    """Scores are compared at nine decimals: 50 and 50 + 4e-10 are equal, so fewer red
    flags decides; 50 + 6e-10 rounds up and wins."""
    scores = np.array([[50.0 + gap], [50.0]]).round(9)
    flags = np.array([[1.0], [0.0]])
    assert first_by(rank_key(scores, flags, np.array([[0.0], [1.0]])))[0] == 1
    higher = np.array([[50.0 + 6e-10], [50.0]]).round(9)
    assert first_by(rank_key(higher, flags, np.array([[0.0], [1.0]])))[0] == 0


def _fields(scored: Scored) -> dict[str, Any]:
    """Everything a Scored holds, arrays as lists, so two can be compared."""
    return {
        "answers": dict(scored.answers),
        "weights": dict(scored.weights),
        "fits": scored.fits.tolist(),
        "choices": scored.choices.tolist(),
        "w": scored.w.tolist(),
        "penalty": scored.penalty.tolist(),
        "red_flags": scored.red_flags.tolist(),
        "raised": scored.raised,
        "scores": scored.scores.tolist(),
        "order": scored.order,
    }


@pytest.mark.parametrize(
    ("changes", "weight"),
    [({"q1": "c", "q2": "y"}, ("q1", 2.5)), ({"q2": "x"}, ("q2", 0.0)), ({}, ("q1", 1.0))],
)
def test_rescoring_a_change_is_scoring_the_changed_input_from_scratch(
    changes: dict[str, str], weight: tuple[str, float]
) -> None:
    """with_answers and with_weight, which the analyses rescore through, keep every part of
    the scored input: answers, weights, fits, choices, red flags and the ranking."""
    start = {"q1": "a", "q2": "y"}
    scored = score_answers(ALPHA_FIRST, start, ALPHA_FIRST.default_weights)
    changed = score_answers(ALPHA_FIRST, start | changes, ALPHA_FIRST.default_weights)
    assert _fields(scored.with_answers(changes)) == _fields(changed)
    qid, value = weight
    weights = {**ALPHA_FIRST.default_weights, qid: value}
    assert _fields(scored.with_weight(qid, value)) == _fields(
        score_answers(ALPHA_FIRST, start, weights)
    )


def test_red_flags_are_counted_not_just_noticed() -> None:
    """Alpha: +2 (100) less two flags of 10; beta: +2 less one flag of 20: both 80. The
    model with fewer flags goes first, even where the tie-break order prefers the other."""
    flags = tuple(
        {"id": fid, "model": model, "when": [{"q1": ["a"]}], "penalty": p, "concern": fid}
        for fid, model, p in (("a1", "alpha", 10), ("a2", "alpha", 10), ("b1", "beta", 20))
    )
    catalogue = build({"q1": {"a": (2, 2), "b": (0, 0)}}, ("alpha", "beta"), red_flags=flags)
    result = score(catalogue, {"q1": "a"})
    assert [(m.model, m.score) for m in result.ranking] == [("beta", 80.0), ("alpha", 80.0)]
