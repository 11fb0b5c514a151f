"""How firm the winner is: first-place shares and the critical factor, checked against the
independent reference (a brute-force weight scan, every sample rescored) and against
catalogues small enough to work out by hand; the words at every threshold."""

from collections import Counter
from typing import Any

import numpy as np
import pytest

from cm_advisor.engine import Catalogue, score
from cm_advisor.engine.results import CriticalFactor
from cm_advisor.engine.robustness import SAMPLES, SEED, SPREAD, _how_much, in_ten
from helpers import reference
from helpers.archetypes import ARCHETYPES
from helpers.strategies import CATALOGUE
from helpers.tiny import build, flag, raw, tiny

# --- "k of 10" -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (0.0, "0 of 10"),
        (0.0049, "0 of 10"),
        (0.005, "0 of 10"),  # half a percent: still none
        (0.0051, "fewer than 1 of 10"),  # more than that is never rounded to none
        (0.05, "fewer than 1 of 10"),
        (0.0501, "1 of 10"),
        (0.149, "1 of 10"),
        (0.151, "2 of 10"),
        (0.5, "5 of 10"),
        (0.749, "7 of 10"),
        (0.751, "8 of 10"),
        (0.949, "9 of 10"),
        (0.9501, "more than 9 of 10"),  # rounds to all, but is not
        (0.994, "more than 9 of 10"),
        (0.995, "10 of 10"),
        (0.996, "10 of 10"),
        (1.0, "10 of 10"),
    ],
)
def test_a_share_in_tenths_never_rounds_a_real_minority_away(share: float, words: str) -> None:
    assert in_ten(share) == words


# --- how much a weight changes ---------------------------------------------------------
# _how_much is tested directly: the critical factor only ever reaches the weights its
# catalogue's crossings give, so its thresholds (1.95, 2.5, every 5 %) cannot all be hit
# through a catalogue. The critical-factor tests below check the phrase in context.


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (1.0, 0.0, "not at all"),
        (2.5, 0.0, "not at all"),
        (0.0, 0.5, "at all"),
        (0.0, 3.0, "at all"),
        (1.0, 1.02, "about 5% more"),  # under 2.5 %: never "0%"
        (1.0, 0.98, "about 5% less"),
        (1.0, 1.12, "about 10% more"),
        (1.0, 1.13, "about 15% more"),
        (1.0, 0.88, "about 10% less"),
        (1.0, 0.87, "about 15% less"),
        (2.0, 1.0, "about 50% less"),
        (1.0, 1.5, "about 50% more"),
        (1.0, 1.94, "about 95% more"),
        (1.0, 1.949, "about 95% more"),
        (1.0, 1.95, "about twice as much"),
        (1.0, 1.951, "about twice as much"),
        (1.0, 2.49, "about twice as much"),
        (1.0, 2.5, "about 3 times as much"),
        (1.0, 2.51, "about 3 times as much"),
        (0.5, 1.5, "about 3 times as much"),
        (1.0, 3.49, "about 3 times as much"),
        (1.0, 3.5, "about 4 times as much"),
        (0.1, 3.0, "about 30 times as much"),
        (1.0, 0.03, "about 95% less"),
        # A weight cut to a sliver still counts: never "about 100% less", which reads
        # as "not at all".
        (1.0, 0.025, "about 95% less"),
        (3.0, 0.07, "about 95% less"),
        (3.0, 0.01, "about 95% less"),
    ],
)
def test_a_change_of_weight_in_words(before: float, after: float, words: str) -> None:
    assert _how_much(before, after) == words


# --- the critical factor, worked out by hand --------------------------------------------


def _critical(catalogue: Catalogue, answers: dict[str, Any], weights: dict[str, float]) -> Any:
    result = score(catalogue, answers, weights)
    assert result.robustness is not None
    return result.robustness.critical_factor


def _sentence(topic: str, how: str, model: str) -> str:
    return (
        f"Your recommendation is most sensitive to how much {topic} matters: if it counted "
        f"{how}, {model} would come first."
    )


# alpha and gamma tie at 50 (alpha first by the tie-break): the smallest step on q1
# decides, up where alpha loses on q1, down where it gains on q1.
TIED_UP = build(
    {"q1": {"a": (-2, 0), "b": (0, 0)}, "q2": {"x": (2, 0), "y": (0, 0)}}, ("alpha", "gamma")
)
TIED_DOWN = build(
    {"q1": {"a": (2, 0), "b": (0, 0)}, "q2": {"x": (-2, 0), "y": (0, 0)}}, ("alpha", "gamma")
)


@pytest.mark.parametrize(
    ("catalogue", "weight_to", "how"),
    [(TIED_UP, 1.05, "about 5% more"), (TIED_DOWN, 0.95, "about 5% less")],
)
def test_at_a_tie_the_critical_factor_steps_whichever_way_changes_the_winner(
    catalogue: Catalogue, weight_to: float, how: str
) -> None:
    critical = _critical(catalogue, {"q1": "a", "q2": "x"}, {})
    assert critical == CriticalFactor(
        question="q1",
        model="gamma",
        weight_from=1.0,
        weight_to=weight_to,
        text=_sentence("q1", how, "Gamma"),
    )


def test_a_weight_that_must_fall_below_zero_stops_at_not_at_all() -> None:
    """helpers.tiny, q1=b: gamma 62.5, alpha and beta 50. Only q1 separates them; at
    weight 0 all three are level and the tie-break puts alpha first."""
    critical = _critical(tiny(["alpha", "beta", "gamma"]), {"q1": "b", "q2": "x"}, {})
    assert critical == CriticalFactor(
        question="q1",
        model="alpha",
        weight_from=1.0,
        weight_to=0.0,
        text=_sentence("q1", "not at all", "Alpha"),
    )


def test_a_question_left_out_can_be_the_critical_factor() -> None:
    """q1 (weight 1) gives alpha 1, q2 (weight 0) gives gamma 2: gamma draws level when q2
    weighs 0.5 and leads just past it, at 0.55. Lowering q1 to 0 only levels everyone,
    which the tie-break gives to alpha."""
    catalogue = build(
        {"q1": {"a": (1, 0), "b": (0, 0)}, "q2": {"x": (0, 2), "y": (0, 0)}}, ("alpha", "gamma")
    )
    critical = _critical(catalogue, {"q1": "a", "q2": "x"}, {"q2": 0})
    assert critical == CriticalFactor(
        question="q2",
        model="gamma",
        weight_from=0.0,
        weight_to=0.55,
        text=_sentence("q2", "at all", "Gamma"),
    )


def test_the_step_past_the_crossing_is_rounded_to_two_decimals() -> None:
    """q1 gives alpha −2 and gamma +1, q2 (weight 2) alpha +2: gamma draws level when q1
    weighs 4/3, and leads 0.05 past it, at 1.3833, shown as 1.38 ("about 40% more").
    Lowering q2 instead takes it to 1.45, further away."""
    catalogue = build(
        {"q1": {"a": (-2, 1), "b": (0, 0)}, "q2": {"x": (2, 0), "y": (0, 0)}}, ("alpha", "gamma")
    )
    critical = _critical(catalogue, {"q1": "a", "q2": "x"}, {"q2": 2})
    assert critical == CriticalFactor(
        question="q1",
        model="gamma",
        weight_from=1.0,
        weight_to=1.38,
        text=_sentence("q1", "about 40% more", "Gamma"),
    )


def test_a_weight_that_must_pass_critical_stops_at_critical() -> None:
    """q1=a gives gamma +2 and its red flag (24.9 points); q2, weight 3, is unanswered.
    gamma = 50 + 50·t/(t + 3) − 24.9 draws level with alpha (50) at t = 2.976; 0.05 past
    that is beyond critical, so the step stops at 3, where gamma leads by 0.1."""
    catalogue = build(
        {"q1": {"a": (0, 2), "b": (0, 0)}, "q2": {"x": (0, 0), "y": (0, 0)}},
        ("alpha", "gamma"),
        red_flags=(flag("g", "gamma", 24.9, {"q1": ["a"]}),),
    )
    critical = _critical(catalogue, {"q1": "a"}, {"q2": 3})
    assert critical == CriticalFactor(
        question="q1",
        model="gamma",
        weight_from=1.0,
        weight_to=3.0,
        text=_sentence("q1", "about 3 times as much", "Gamma"),
    )


def test_an_unanswered_question_is_never_the_critical_factor() -> None:
    """As above with a flag of 25 points: at t = 3 gamma only draws level, and alpha,
    without a red flag, keeps first place, so no answered question's weight changes the
    winner. Lowering the unanswered q0 would (its weight dilutes gamma's +2, not its
    flag), but a question left unanswered is not one the user weighed up."""
    catalogue = build(
        {"q0": {"a": (0, 0), "b": (0, 0)}, "q1": {"a": (0, 2), "b": (0, 0)}},
        ("alpha", "gamma"),
        red_flags=(flag("g", "gamma", 25, {"q1": ["a"]}),),
    )
    result = score(catalogue, {"q1": "a"}, {"q0": 3})
    assert result.robustness is not None
    assert result.robustness.critical_factor is None
    assert result.robustness.text == (
        "Alpha comes first in 10 of 10 reasonable ways of weighting your priorities. No "
        "change to a single priority, from not important to critical, changes that."
    )


# --- the critical factor against a brute-force scan of the reference ---------------------

GRID = [i / 100 for i in range(301)]  # every weight to two decimals, 0 to 3


def _nearest_change(
    raw_catalogue: dict[str, Any], answers: dict[str, Any], weights: dict[str, float]
) -> float | None:
    """The smallest move of one answered question's weight, on the grid, after which the
    reference puts another model first; None when no move does."""
    first = reference.winner(raw_catalogue, answers, weights)
    best: float | None = None
    for qid in answers:
        now = weights[qid]
        for value in sorted(GRID, key=lambda v: abs(v - now)):
            distance = abs(value - now)
            if best is not None and distance >= best:
                break
            if distance > 1e-9:
                changed = reference.winner(raw_catalogue, answers, weights | {qid: value})
                if changed != first:
                    best = distance
                    break
    return best


LESS_INFRASTRUCTURE = {k: v for k, v in ARCHETYPES["collaborative"].items() if k != "acuity"}
SCANNED = [
    (ARCHETYPES["brokerage"], {}),
    (ARCHETYPES["clinical"], {"staff_mix": 2, "budget": 0.5}),
    (ARCHETYPES["strengths_based"], {"training_capacity": 0.25}),
    (ARCHETYPES["intensive"], {"budget": 3, "staffing": 0}),
    (LESS_INFRASTRUCTURE, {"team_infrastructure": 0.75}),  # the first question unanswered
    ({"staff_mix": "mixed", "budget": "moderate", "acuity": "high"}, {}),
    ({"complex_needs": "many", "training_capacity": "high", "staffing": "limited"}, {}),
]


@pytest.mark.parametrize(("answers", "weights"), SCANNED)
def test_the_critical_factor_is_the_nearest_weight_that_changes_the_winner(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    """The engine stops 0.05 past the crossing it solves for, rounded to two decimals; a
    scan of every two-decimal weight of every answered question finds the nearest change."""
    result = score(CATALOGUE, answers, weights)
    assert result.robustness is not None
    critical = result.robustness.critical_factor
    nearest = _nearest_change(reference.RAW, result.answers, result.weights)
    if nearest is None:
        assert critical is None
        return
    assert critical is not None
    assert critical.question in result.answers
    assert critical.weight_from == result.weights[critical.question]
    moved = {**result.weights, critical.question: critical.weight_to}
    assert reference.winner(reference.RAW, result.answers, moved) == critical.model
    assert nearest - 1e-9 <= abs(critical.weight_to - critical.weight_from) <= nearest + 0.06
    topic = CATALOGUE.question(critical.question).title.lower()
    how = _how_much(critical.weight_from, critical.weight_to)
    assert critical.text == _sentence(topic, how, CATALOGUE.model(critical.model).name)
    winner = CATALOGUE.model(result.recommended).name
    share = in_ten(result.robustness.first_place_share[result.recommended])
    assert result.robustness.text == (
        f"{winner} comes first in {share} reasonable ways of weighting your priorities."
    )


# --- first-place shares ------------------------------------------------------------------


def _sampled_shares(
    catalogue: Catalogue, answers: dict[str, Any], weights: dict[str, float]
) -> dict[str, float]:
    """The documented sampling (every weight times a uniform draw in 1 ± SPREAD, from a
    generator seeded with SEED, one row of draws per sample) rescored by the reference."""
    ids = [q.id for q in catalogue.questionnaire.questions]
    draws = np.random.default_rng(SEED).uniform(1 - SPREAD, 1 + SPREAD, size=(SAMPLES, len(ids)))
    raw_catalogue = raw(catalogue) if catalogue is not CATALOGUE else reference.RAW
    firsts = Counter(
        reference.winner(
            raw_catalogue, answers, {q: weights[q] * x for q, x in zip(ids, row, strict=True)}
        )
        for row in draws.tolist()
    )
    return {m: firsts[m] / SAMPLES for m in catalogue.model_ids}


SAMPLED = [
    (ARCHETYPES["collaborative"], {}),
    (ARCHETYPES["intensive"], {"budget": 3, "staffing": 2}),
    ({"staff_mix": "mixed", "budget": "moderate", "acuity": "high"}, {}),
    # Two red flags against intensive (budget, staffing) and one against clinical.
    ({"budget": "constrained", "staffing": "limited", "staff_mix": "non_clinical"}, {}),
]


@pytest.mark.parametrize(("answers", "weights"), SAMPLED)
def test_first_place_shares_match_every_sample_rescored_by_the_reference(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    result = score(CATALOGUE, answers, weights)
    assert result.robustness is not None
    robust = result.robustness
    assert (robust.samples, robust.spread) == (2000, 0.5)
    expected = _sampled_shares(CATALOGUE, result.answers, result.weights)
    shares = robust.first_place_share
    assert list(shares) == list(CATALOGUE.model_ids)
    for model, share in shares.items():
        assert share * SAMPLES == pytest.approx(round(share * SAMPLES), abs=1e-6)  # k of 2000
        # Near-ties can round differently in a sample or two.
        assert abs(share - expected[model]) <= 2 / SAMPLES, model
    winner = CATALOGUE.model(result.recommended).name
    assert robust.text.startswith(
        f"{winner} comes first in {in_ten(shares[result.recommended])} reasonable ways"
    )


def test_shares_split_when_the_weights_decide() -> None:
    """alpha gains on q1, gamma on q2, both at weight 1: each sample's winner is whichever
    question drew the larger weight, so the shares are the reference's count of that."""
    catalogue = build(
        {"q1": {"a": (2, 0), "b": (0, 0)}, "q2": {"x": (0, 2), "y": (0, 0)}}, ("alpha", "gamma")
    )
    answers = {"q1": "a", "q2": "x"}
    shares = score(catalogue, answers).robustness
    assert shares is not None
    expected = _sampled_shares(catalogue, answers, catalogue.default_weights)
    assert shares.first_place_share == expected
    assert 0.4 < expected["alpha"] < 0.6


# Scores at or below 0 are clamped to 0, so between models at 0 fewer red flags and then
# the tie-break decide, not how far below 0 each would be.
ONE_QUESTION = {"q1": {"a": (0, -2), "b": (0, 0)}}


@pytest.mark.parametrize(
    ("fits", "penalties", "tie_break", "first"),
    [
        # alpha 50 − 50 = 0 exactly, beta 50 − 50 − 10 = −10: level at 0 with a red flag
        # each, so the tie-break's first (beta) comes first.
        (ONE_QUESTION, (50, 10), ("beta", "alpha"), "beta"),
        # alpha 50 − 25 − 50 = −25 and beta −10: both at 0; the tie-break gives alpha.
        ({"q1": {"a": (-1, -2), "b": (0, 0)}}, (50, 10), ("alpha", "beta"), "alpha"),
        # alpha 0 with a red flag, beta 0 without: fewer red flags wins.
        (ONE_QUESTION, (50, None), ("alpha", "beta"), "beta"),
    ],
)
def test_first_place_shares_where_every_score_is_clamped_to_zero(
    fits: dict[str, dict[str, tuple[int, ...]]],
    penalties: tuple[float | None, float | None],
    tie_break: tuple[str, str],
    first: str,
) -> None:
    models = ("alpha", "beta")
    flags = tuple(
        flag(f"{m}_flag", m, p, {"q1": ["a"]})
        for m, p in zip(models, penalties, strict=True)
        if p is not None
    )
    catalogue = build(fits, models, red_flags=flags, tie_break=tie_break)
    result = score(catalogue, {"q1": "a"})
    assert [m.score for m in result.ranking] == [0.0, 0.0]
    assert result.recommended == first == reference.winner(raw(catalogue), {"q1": "a"})
    assert result.robustness is not None
    assert result.robustness.first_place_share == {m: float(m == first) for m in models}


def test_with_every_weight_zero_the_shares_follow_the_penalties() -> None:
    """Every weight 0: each score is 50 less its red flags in every sample (alpha 0, beta
    40), so beta comes first in all of them. Any weight at all on q1 gives alpha its +2
    (50 points) back, so the smallest step, to 0.05, makes it first."""
    catalogue = build(
        {"q1": {"a": (2, -2), "b": (0, 0)}},
        ("alpha", "beta"),
        red_flags=(flag("a", "alpha", 50, {"q1": ["a"]}), flag("b", "beta", 10, {"q1": ["a"]})),
    )
    result = score(catalogue, {"q1": "a"}, {"q1": 0})
    assert [(m.model, m.score) for m in result.ranking] == [("beta", 40.0), ("alpha", 0.0)]
    assert result.robustness is not None
    assert result.robustness.first_place_share == {"alpha": 0.0, "beta": 1.0}
    assert result.robustness.critical_factor == CriticalFactor(
        question="q1",
        model="alpha",
        weight_from=0.0,
        weight_to=0.05,
        text=_sentence("q1", "at all", "Alpha"),
    )


def test_a_weight_raised_from_next_to_nothing_still_has_words() -> None:
    """A weight of 1e-320 (the API takes any number from 0 to 3) makes the ratio infinite."""
    assert _how_much(1e-320, 3.0) == "about inf times as much"
