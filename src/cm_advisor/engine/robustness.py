"""How firm the winner is against the priorities: rank acceptability and the critical factor.

Rank acceptability (SMAA): every question's weight is drawn uniformly within ±50 % of
the user's, with a fixed seed, and each model's share of first places is counted. The
critical factor is the smallest change to one weight that changes the winner; moving one
weight t makes each score linear over (T + t), so its crossing point has a closed form.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.ranking import (
    DIGITS,
    MAX_FIT,
    NEUTRAL,
    Scored,
    first_by,
    rank_key,
    scores_of,
)
from cm_advisor.engine.results import CriticalFactor, Robustness
from cm_advisor.engine.types import Catalogue

SAMPLES = 2000  # a share's sampling error is about one percentage point at most
SPREAD = 0.5
SEED = 20261130
WEIGHT_MAX = 3.0
MAX_CONFIRM = 8  # candidates confirmed by rescoring before giving up
STEP = 0.05  # past the crossing point, so the challenger leads rather than ties
EPS = 1e-9  # crossings this close to 0, 3 or the current weight count as on it


@cache
def _multipliers(questions: int, samples: int) -> NDArray[np.float64]:
    """Weight multipliers, questions × samples."""
    rng = np.random.default_rng(SEED)
    return rng.uniform(1 - SPREAD, 1 + SPREAD, size=(samples, questions)).T.copy()


def first_place_shares(scored: Scored) -> dict[str, float]:
    """The share of sampled weightings under which each model ranks first.

    With a sample's weights v = w·x, a score is 50 − penalty + 25·Σ(v·fit) / Σv. Times
    the sample's total Σv, which is positive and the same for every model, it is
    Σ v·(50 − penalty + 25·fit): the models keep their order, and all 2,000 samples are
    one matrix product. Only where the best of a sample would be clamped (a score of 0
    or below) are its scores worked out in full with `scores_of`."""
    table = scored.table
    multipliers = _multipliers(len(scored.w), SAMPLES)
    per_question = (NEUTRAL - scored.penalty) + (NEUTRAL / MAX_FIT) * scored.fits  # q × m
    totals_times_scores = (scored.w[:, np.newaxis] * per_question).T @ multipliers
    if scored.w.sum() == 0 or totals_times_scores.max(axis=0).min() <= 0:
        totals_times_scores = scores_of(
            scored.fits, multipliers * scored.w[:, np.newaxis], scored.penalty
        )
    comparable = totals_times_scores.round(DIGITS)
    column = np.newaxis
    first = first_by(rank_key(comparable, scored.red_flags[:, column], table.tie_places[:, column]))
    counts = np.bincount(first, minlength=len(table.models))
    return {m: round(c / SAMPLES, 4) for m, c in zip(table.models, counts.tolist(), strict=True)}


def critical_factor(catalogue: Catalogue, scored: Scored) -> CriticalFactor | None:
    """The smallest change to one answered question's weight that changes the winner.

    With question q's weight moved by d, challenger k draws level with the winner where
    25·(Δraw + d·Δfit) / (T + d) = Δpenalty (Δ: k minus the winner), that is at
    d = C / (25·Δfit − Δpenalty) with C = Δpenalty·T − 25·Δraw. Every (q, k) is solved,
    nearest first, and candidates are rescored until one really changes the winner."""
    table = scored.table
    top = scored.order[0]
    raw = (scored.w @ scored.fits).tolist()
    penalty = scored.penalty.tolist()
    total = float(scored.w.sum())
    scale = NEUTRAL / MAX_FIT
    challengers = [k for k in range(len(table.models)) if k != top]
    found = []
    for q, qid in enumerate(table.questions):
        if qid not in scored.answers:
            continue
        weight = float(scored.w[q])
        row = scored.fits[q].tolist()
        for k in challengers:
            d_pen = penalty[k] - penalty[top]
            denominator = scale * (row[k] - row[top]) - d_pen
            if denominator == 0:
                continue
            change = (d_pen * total - scale * (raw[k] - raw[top])) / denominator
            if not -weight - EPS <= change <= WEIGHT_MAX - weight + EPS:
                continue
            # Just past the crossing; at a tie (no change needed) either way may be the one.
            steps = (STEP,) if change > EPS else (-STEP,) if change < -EPS else (STEP, -STEP)
            for step in steps:
                target = round(min(WEIGHT_MAX, max(0.0, weight + change + step)), 2)
                if target != weight:
                    found.append((abs(target - weight), q, k, target))
    found.sort(key=lambda c: c[0])
    for _, q, k, value in found[:MAX_CONFIRM]:
        qid, model_id = table.questions[q], table.models[k]
        if scored.with_weight(qid, value).winner == model_id:
            before = scored.weights[qid]
            topic = catalogue.question(qid).title.lower()
            return CriticalFactor(
                question=qid,
                model=model_id,
                weight_from=before,
                weight_to=value,
                text=(
                    f"Your recommendation is most sensitive to how much {topic} matters: if it "
                    f"counted {_how_much(before, value)}, {catalogue.model(model_id).name} "
                    "would come first."
                ),
            )
    return None


def _how_much(before: float, after: float) -> str:
    """A change of weight in words: "about 40% less", "twice as much", "at all"."""
    if after == 0:
        return "not at all"
    if before == 0:
        return "at all"
    ratio = after / before
    if ratio >= 1.95:
        # Halves up: 2.5 is "3 times", where "2 times" would say what 2.49 ("twice") says.
        times = math.floor(ratio + 0.5) if math.isfinite(ratio) else ratio
        return f"about {times:.0f} times as much" if ratio >= 2.5 else "about twice as much"
    # To the nearest 5 %, never 0 % and never 100 % less, which would read as "not at all".
    percent = min(95, max(5, round(abs(ratio - 1) * 20) * 5))
    return f"about {percent}% {'more' if ratio > 1 else 'less'}"


def in_ten(share: float) -> str:
    """A share as "k of 10", never rounding a real minority to none or to all."""
    tenths = round(share * 10)
    if tenths == 10 and share < 0.995:
        return "more than 9 of 10"
    if tenths == 0 and share > 0.005:
        return "fewer than 1 of 10"
    return f"{tenths} of 10"


def robustness(catalogue: Catalogue, scored: Scored) -> Robustness:
    """Rank acceptability and the critical factor for a ranked answer set."""
    shares = first_place_shares(scored)
    critical = critical_factor(catalogue, scored)
    winner = scored.winner
    steady = (
        ""
        if critical
        else " No change to a single priority, from not important to critical, changes that."
    )
    return Robustness(
        first_place_share=shares,
        samples=SAMPLES,
        spread=SPREAD,
        critical_factor=critical,
        text=(
            f"{catalogue.model(winner).name} comes first in {in_ten(shares[winner])} "
            f"reasonable ways of weighting your priorities.{steady}"
        ),
    )
