"""How robust the winner is to the priorities: rank acceptability and the critical factor.

Rank acceptability (SMAA): every question's weight is drawn uniformly within
±50% of the user's, with a fixed seed, and we count how often each model ranks
first. Because the model is additive, thousands of samples are one matrix product.
The critical factor has a closed form: moving one weight t changes each score as
(A + t·f) / (T + t), so the point where a challenger overtakes is a linear equation.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.table import MAX_FIT, NEUTRAL, Frame
from cm_advisor.engine.types import Catalogue, CriticalFactor, Robustness

SAMPLES = 2000  # share error ≈ 1 percentage point at most, shown as whole percents
SPREAD = 0.5
SEED = 20261130
WEIGHT_MAX = 3.0
MAX_CONFIRM = 8  # candidates confirmed by rescoring before giving up
STEP = 0.05  # past the crossing point, so the challenger leads rather than ties
EPS = 1e-9  # crossings this close to 0, 3 or the current weight count as on it
WEIGHT_WORDS = {0.0: "ignored", 0.5: "minor", 1.0: "normal", 2.0: "important", 3.0: "critical"}


@cache
def _factors(samples: int, questions: int) -> NDArray[np.float64]:
    """Weight multipliers, one column per sample (questions × samples, contiguous rows)."""
    rng = np.random.default_rng(SEED)
    return np.ascontiguousarray(rng.uniform(1 - SPREAD, 1 + SPREAD, size=(samples, questions)).T)


def first_place_shares(frame: Frame) -> dict[str, float]:
    """The share of sampled priority settings under which each model ranks first.

    A sample's score is 50 − penalty + 25·Σ(wᵢ·fᵢ·xᵢ) / Σ(wᵢ·xᵢ) for multipliers x.
    Multiplied by the (positive) denominator it is linear in x, so all samples are
    one product of a models × questions matrix with the multipliers, and the
    ranking within a sample is unchanged. Tiny offsets reproduce the ranking's
    tie-break; they are far above the rounding of the product (a matrix product
    need not give two equal rows equal results, so equal scores cannot be left
    to chance). Clamping to 0–100 cannot change who is first unless the best
    score of a sample is 0 or below (scores never exceed 100); that rare case is
    scored again the plain way.

    Each model's count is the number of samples where its score is the best, a few
    operations along rows of 2,000; only if two scores could still be equal at the
    top of a sample does the (slower) first-of-equals argmax decide instead.
    """
    models = frame.table.models
    factors = _factors(SAMPLES, len(frame.w))
    constant = NEUTRAL - frame.penalty - _tie_offsets(frame)
    scaled = (frame.w[:, None] * ((NEUTRAL / MAX_FIT) * frame.fits + constant)).T @ factors
    best = scaled.max(axis=0)
    if frame.scale == 0 or best.min() <= 0:
        scaled = _clamped_scores(frame, factors)
        best = scaled.max(axis=0)
    counts = (scaled == best).sum(axis=1)
    if counts.sum() != SAMPLES:
        counts = np.bincount(scaled.argmax(axis=0), minlength=len(models))
    return {m: round(c / SAMPLES, 4) for m, c in zip(models, counts.tolist(), strict=True)}


def _tie_offsets(frame: Frame) -> NDArray[np.float64]:
    """Fewer red flags first, then model id: a few 10⁻⁹ points, far below any real gap."""
    return np.array(frame.flags) * 1e-9 + np.array(frame.table.id_rank) * 1e-11


def _clamped_scores(frame: Frame, factors: NDArray[np.float64]) -> NDArray[np.float64]:
    """Every sample's scores as the ranking computes them, clamped, with the tie offsets
    (models × samples)."""
    totals = frame.w @ factors
    scale = np.divide(NEUTRAL / MAX_FIT, totals, out=np.zeros_like(totals), where=totals > 0)
    scores: NDArray[np.float64] = (frame.w[:, None] * frame.fits).T @ factors * scale
    scores += (NEUTRAL - frame.penalty)[:, None]
    np.clip(scores, 0.0, 100.0, out=scores)
    scores -= _tie_offsets(frame)[:, None]
    return scores


def critical_factor(catalogue: Catalogue, frame: Frame) -> CriticalFactor | None:
    """The smallest change to one answered question's weight that changes the winner.

    With question q's weight moved to t, challenger k draws level with the winner
    where 25·(Δraw + (t − w)·Δfit)/(T + t − w) = Δpenalty, that is at
    t = w + C / (25·Δfit − Δpenalty) with C = Δpenalty·T − 25·Δraw (Δ: k minus
    the winner). Every (q, k) is solved, nearest first, and candidates are
    confirmed by scoring until one really changes the winner.
    """
    table = frame.table
    top = frame.order[0]
    rows, w = frame.rows, frame.w_list
    raw, penalty = frame.raw, frame.penalty_list
    total = sum(w)
    scale = NEUTRAL / MAX_FIT
    d_pen = [p - penalty[top] for p in penalty]
    constant = [dp * total - scale * (r - raw[top]) for dp, r in zip(d_pen, raw, strict=True)]
    challengers = [k for k in range(len(table.models)) if k != top]
    found = []
    for q, (row, weight) in enumerate(zip(rows, w, strict=True)):
        if row is None:  # unanswered
            continue
        for k in challengers:
            denominator = scale * (row[k] - row[top]) - d_pen[k]
            if denominator == 0:
                continue
            change = constant[k] / denominator
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
        if frame.winner_with_weight(qid, value) == model_id:
            before = frame.weights[qid]
            return CriticalFactor(
                question=qid,
                model=model_id,
                weight_from=before,
                weight_to=value,
                text=(
                    f"The ranking is most sensitive to {catalogue.question(qid).title.lower()}: "
                    f"if its importance went from {_words(before)} to {_words(value)}, "
                    f"{catalogue.model(model_id).name} would rank first."
                ),
            )
    return None


def _words(weight: float) -> str:
    word = WEIGHT_WORDS.get(weight)
    return f"{word} ({weight:g})" if word else f"{weight:g}"


def robustness(catalogue: Catalogue, frame: Frame) -> Robustness:
    """Rank acceptability and the critical factor for a ranked answer set."""
    shares = first_place_shares(frame)
    critical = critical_factor(catalogue, frame)
    winner = frame.winner
    steady = (
        ""
        if critical
        else " No change to a single priority, from ignored to critical, changes the winner."
    )
    return Robustness(
        first_place_share=shares,
        samples=SAMPLES,
        spread=SPREAD,
        critical_factor=critical,
        text=(
            f"{catalogue.model(winner).name} ranks first in {shares[winner]:.0%} of plausible "
            f"priority settings (each importance varied by up to ±{SPREAD:.0%}).{steady}"
        ),
    )
