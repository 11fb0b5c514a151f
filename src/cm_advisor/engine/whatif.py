"""What would change the answer: the fewest answer changes that put each runner-up first.

One change is tried before two; among equals, the one that moves answers the
fewest steps along their scale, then the one with the widest lead. Every single
and paired change is scored in one NumPy pass (batch.py). A proposal whose lead
is below SURE_LEAD is confirmed by scoring the changed answers the ranking's own
way; above it, the two ways of adding the same numbers cannot disagree. Either
way, applying a proposal really does change the winner (a property test checks).
"""

from __future__ import annotations

import numpy as np

from cm_advisor.engine.batch import FIXED, MODEL, Batch, Variants, changes
from cm_advisor.engine.table import Frame
from cm_advisor.engine.types import Catalogue, WhatIf

SURE_LEAD = 1e-6  # far above the rounding of both sums, so the batch's winner is certain


def what_if(catalogue: Catalogue, frame: Frame) -> list[WhatIf]:
    batch = catalogue.batch
    found = batch.variants(frame)
    proposals = []
    for k, (i, lead) in _cheapest(batch, found, frame.order[0]).items():
        changed = changes(batch, found, i)
        # The batch adds the same numbers in another order; only a near-tie could differ.
        if lead < SURE_LEAD and frame.winner_with_answers(changed) != batch.models[k]:
            continue
        proposals.append((frame.order.index(k), _describe(catalogue, frame, k, changed)))
    return [proposal for _, proposal in sorted(proposals, key=lambda p: p[0])]


def _cheapest(batch: Batch, found: Variants, winner: int) -> dict[int, tuple[int, float]]:
    """Per model that some variant puts first (but the winner): the variant with the
    fewest changes, then the fewest steps, then the widest lead (the first of equals),
    and that lead."""
    least = np.full(len(batch.models), np.inf)
    np.minimum.at(least, found.best, found.key)
    keys = least.tolist()
    for k, key in enumerate(keys):
        if k == winner or key >= k * MODEL + FIXED:
            least[k] = -1.0  # the winner, or no variant that can happen puts k first
    equals: dict[int, list[int]] = {}
    at_least = np.flatnonzero(found.key == least.take(found.best))
    for i, k in zip(at_least.tolist(), found.best.take(at_least).tolist(), strict=True):
        equals.setdefault(k, []).append(i)
    picked = {}
    for k, tied in equals.items():
        leads = [_lead(found.scores[i].tolist()) for i in tied]
        widest = leads.index(max(leads))
        picked[k] = (tied[widest], leads[widest])
    return picked


def _lead(scores: list[float]) -> float:
    *_, second, first = sorted(scores)
    return first - second


def _describe(catalogue: Catalogue, frame: Frame, k: int, changes: dict[str, str]) -> WhatIf:
    answers, model_id = frame.answers, frame.table.models[k]
    parts = [
        f"{catalogue.question(q).title.lower()} were “{_words(o)}” instead of "
        f"“{_words(str(answers[q]))}”"
        for q, o in changes.items()
    ]
    return WhatIf(
        model=model_id,
        changes=changes,
        text=f"If {' and '.join(parts)}, {catalogue.model(model_id).name} would rank first.",
    )


def _words(option: str) -> str:
    return option.replace("_", " ")
