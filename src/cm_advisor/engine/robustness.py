"""How robust the winner is to the priorities: rank acceptability and the critical factor.

Rank acceptability (SMAA): every question's weight is drawn uniformly within
±50% of the user's, with a fixed seed, and we count how often each model ranks
first. Because the model is additive, thousands of samples are one matrix product.
The critical factor has a closed form: moving one weight t changes each score as
(A + t·f) / (T + t), so the point where a challenger overtakes is a linear equation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.table import MAX_FIT, NEUTRAL, FitTable
from cm_advisor.engine.types import AnswerValue, Catalogue, CriticalFactor, Robustness

SAMPLES = 2000  # share error ≈ 1 percentage point at most, shown as whole percents
SPREAD = 0.5
SEED = 20261130
WEIGHT_MAX = 3.0
MAX_CONFIRM = 8  # candidates confirmed by rescoring before giving up
WEIGHT_WORDS = {0.0: "ignored", 0.5: "minor", 1.0: "normal", 2.0: "important", 3.0: "critical"}


@cache
def _factors(samples: int, questions: int) -> NDArray[np.float64]:
    """Weight multipliers, one column per sample (questions × samples, contiguous rows)."""
    rng = np.random.default_rng(SEED)
    return np.ascontiguousarray(rng.uniform(1 - SPREAD, 1 + SPREAD, size=(samples, questions)).T)


@dataclass(frozen=True)
class Frame:
    """One answer set as arrays: fits (questions × models), weights, red-flag penalties."""

    fits: NDArray[np.float64]
    weights: NDArray[np.float64]
    penalty: NDArray[np.float64]
    tie: NDArray[np.float64]  # tiny offsets that reproduce the ranking's tie-break

    @classmethod
    def of(
        cls, table: FitTable, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
    ) -> Frame:
        fits = np.zeros((len(table.questions), len(table.models)))
        for i, qid in enumerate(table.questions):
            if qid in answers:
                fits[i] = table.row(qid, answers[qid])
        penalty, flags = table.penalties(answers)
        ids = np.argsort(np.argsort(np.array(table.models)))
        return cls(
            fits=fits,
            weights=np.array([weights[q] for q in table.questions]),
            penalty=np.array(penalty),
            tie=np.array(flags) * 1e-9 + ids * 1e-12,
        )


def first_place_shares(table: FitTable, frame: Frame) -> dict[str, float]:
    """The share of sampled priority settings under which each model ranks first."""
    factors = _factors(SAMPLES, len(frame.weights))
    totals = frame.weights @ factors
    scale = np.divide(NEUTRAL / MAX_FIT, totals, out=np.zeros_like(totals), where=totals > 0)
    scores = (frame.weights[:, None] * frame.fits).T @ factors  # models × samples
    scores *= scale
    scores += (NEUTRAL - frame.penalty)[:, None]
    np.clip(scores, 0, 100, out=scores)
    scores -= frame.tie[:, None]
    counts = np.bincount(_first_max(scores), minlength=len(table.models))
    return {m: round(int(c) / SAMPLES, 4) for m, c in zip(table.models, counts, strict=True)}


def _first_max(scores: NDArray[np.float64]) -> NDArray[np.intp]:
    """Column-wise argmax over a handful of rows; a row loop beats argmax(axis=0) here."""
    best = scores[0].copy()
    index = np.zeros(scores.shape[1], dtype=np.intp)
    for row in range(1, len(scores)):
        better = scores[row] > best
        np.maximum(best, scores[row], out=best)
        index[better] = row
    return index


def critical_factor(
    catalogue: Catalogue,
    answers: Mapping[str, AnswerValue],
    weights: Mapping[str, float],
    frame: Frame,
    winner: str,
) -> CriticalFactor | None:
    """The smallest change to one answered question's weight that changes the winner.

    For question q and challenger k, the weight t where k draws level with the winner
    solves a linear equation; all (q, k) pairs are solved at once, then the nearest
    candidates are confirmed by scoring until one really changes the winner.
    """
    table = catalogue.table
    top = table.models.index(winner)
    w, fits, penalty = frame.weights, frame.fits, frame.penalty
    answered = np.array([q in answers for q in table.questions])
    rest = (w @ fits)[None, :] - w[:, None] * fits  # points without question q
    total_rest = w.sum() - w
    scale = NEUTRAL / MAX_FIT
    d_rest = rest - rest[:, [top]]
    d_fit = fits - fits[:, [top]]
    d_pen = penalty - penalty[top]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (d_pen[None, :] * total_rest[:, None] - scale * d_rest) / (scale * d_fit - d_pen)
    valid = np.isfinite(t) & (t >= 0) & (t <= WEIGHT_MAX) & answered[:, None]
    valid[:, top] = False
    valid &= t != w[:, None]
    step = np.where(t > w[:, None], 0.05, -0.05)
    target = np.round(np.clip(t + step, 0.0, WEIGHT_MAX), 2)
    q_idx, k_idx = np.nonzero(valid)
    order = np.argsort(np.abs(target[q_idx, k_idx] - w[q_idx]), kind="stable")
    for i in order[:MAX_CONFIRM]:
        q, k = int(q_idx[i]), int(k_idx[i])
        qid, model_id, value = table.questions[q], table.models[k], float(target[q, k])
        if table.winner(answers, {**weights, qid: value})[0] == model_id:
            return CriticalFactor(
                question=qid,
                model=model_id,
                weight_from=weights[qid],
                weight_to=value,
                text=(
                    f"The ranking is most sensitive to {catalogue.question(qid).title.lower()}: "
                    f"if its importance went from {_words(weights[qid])} to {_words(value)}, "
                    f"{catalogue.model(model_id).name} would rank first."
                ),
            )
    return None


def _crossing(d_rest: float, d_fit: float, d_penalty: float, total_rest: float) -> float | None:
    """Weight t where 50·(d_rest + t·d_fit)/(2·(T + t)) − d_penalty = 0, if within 0–3."""
    scale = NEUTRAL / MAX_FIT
    denominator = scale * d_fit - d_penalty
    if abs(denominator) < 1e-12:
        return None
    t = (d_penalty * total_rest - scale * d_rest) / denominator
    if not 0 <= t <= WEIGHT_MAX or total_rest + t <= 0:
        return None
    return t


def _words(weight: float) -> str:
    word = WEIGHT_WORDS.get(weight)
    return f"{word} ({weight:g})" if word else f"{weight:g}"


def robustness(
    catalogue: Catalogue,
    answers: Mapping[str, AnswerValue],
    weights: Mapping[str, float],
    winner: str,
) -> Robustness:
    """Rank acceptability and the critical factor for a winner the caller already ranked."""
    frame = Frame.of(catalogue.table, answers, weights)
    shares = first_place_shares(catalogue.table, frame)
    critical = critical_factor(catalogue, answers, weights, frame, winner)
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
