"""How robust the winner is to the priorities: rank acceptability and the critical factor.

Rank acceptability (SMAA): every question's weight is drawn uniformly within
±50% of the user's, with a fixed seed, and we count how often each model ranks
first. Because the model is additive, thousands of samples are one matrix product.
The critical factor has a closed form: moving one weight t changes each score as
(A + t·f) / (T + t), so the point where a challenger overtakes is a linear equation.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.table import MAX_FIT, NEUTRAL, FitTable
from cm_advisor.engine.types import AnswerValue, Catalogue, CriticalFactor, Robustness

SAMPLES = 4000
SPREAD = 0.5
SEED = 20261130
WEIGHT_MAX = 3.0
WEIGHT_WORDS = {0.0: "ignored", 0.5: "minor", 1.0: "normal", 2.0: "important", 3.0: "critical"}


@cache
def _factors(samples: int, questions: int) -> NDArray[np.float64]:
    rng = np.random.default_rng(SEED)
    return rng.uniform(1 - SPREAD, 1 + SPREAD, size=(samples, questions))


def _matrix(table: FitTable, answers: Mapping[str, AnswerValue]) -> NDArray[np.float64]:
    fits = np.zeros((len(table.questions), len(table.models)))
    for i, qid in enumerate(table.questions):
        if qid in answers:
            fits[i] = table.row(qid, answers[qid])
    return fits


def first_place_shares(
    table: FitTable, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
) -> dict[str, float]:
    """The share of sampled priority settings under which each model ranks first."""
    fits = _matrix(table, answers)
    base = np.array([weights[q] for q in table.questions])
    sampled = _factors(SAMPLES, len(base)) * base
    totals = sampled.sum(axis=1)
    scale = np.divide(NEUTRAL / MAX_FIT, totals, out=np.zeros_like(totals), where=totals > 0)
    penalty, flags = table.penalties(answers)
    scores = np.clip(NEUTRAL + (sampled @ fits) * scale[:, None] - np.array(penalty), 0, 100)
    # Same tie-break as the ranking: fewer red flags, then model id.
    tie_order = sorted(range(len(table.models)), key=lambda i: (flags[i], table.models[i]))
    winners = np.array(tie_order)[scores[:, tie_order].argmax(axis=1)]
    counts = np.bincount(winners, minlength=len(table.models))
    return {m: round(int(c) / SAMPLES, 4) for m, c in zip(table.models, counts, strict=True)}


def critical_factor(
    catalogue: Catalogue, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
) -> CriticalFactor | None:
    """The smallest change to one answered question's weight that changes the winner."""
    table = catalogue.table
    winner, _ = table.winner(answers, weights)
    top = table.models.index(winner)
    penalty, _ = table.penalties(answers)
    rows = {q: table.row(q, a) for q, a in answers.items()}
    best: tuple[float, str, str, float] | None = None
    for qid in rows:
        w = weights[qid]
        rest = {q: weights[q] for q in table.questions if q != qid}
        total_rest = sum(rest.values())
        a_rest = [
            sum(rest[q] * rows[q][m] for q in rows if q != qid) for m in range(len(table.models))
        ]
        for k, challenger in enumerate(table.models):
            if k == top:
                continue
            t = _crossing(
                a_rest[k] - a_rest[top],
                rows[qid][k] - rows[qid][top],
                penalty[k] - penalty[top],
                total_rest,
            )
            if t is None or t == w:
                continue
            step = 0.05 if t > w else -0.05
            target = round(min(WEIGHT_MAX, max(0.0, t + step)), 2)
            if best is not None and abs(target - w) >= abs(best[3] - weights[best[1]]):
                continue
            if table.winner(answers, {**weights, qid: target})[0] == challenger:
                best = (abs(target - w), qid, challenger, target)
    if best is None:
        return None
    _, qid, model_id, target = best
    return CriticalFactor(
        question=qid,
        model=model_id,
        weight_from=weights[qid],
        weight_to=target,
        text=(
            f"The ranking is most sensitive to {catalogue.question(qid).title.lower()}: if its "
            f"importance went from {_words(weights[qid])} to {_words(target)}, "
            f"{catalogue.model(model_id).name} would rank first."
        ),
    )


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
    catalogue: Catalogue, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
) -> Robustness:
    shares = first_place_shares(catalogue.table, answers, weights)
    winner, _ = catalogue.table.winner(answers, weights)
    critical = critical_factor(catalogue, answers, weights)
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
