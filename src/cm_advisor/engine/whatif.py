"""What would change the answer: the fewest answer changes that put each runner-up first.

One change is tried before two; among equals, the one that moves answers the
fewest steps along their scale, then the one with the widest lead. All single
and paired changes are scored in one NumPy pass (batch.py), and each proposal
is confirmed by scoring the changed answers, so applying it really does change
the winner.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cm_advisor.engine.types import AnswerValue, Catalogue, WhatIf

Change = tuple[int, int, int]  # question index (single-choice), new option index, steps


def what_if(
    catalogue: Catalogue,
    answers: Mapping[str, AnswerValue],
    weights: Mapping[str, float],
    ranking: list[str],
) -> list[WhatIf]:
    batch = catalogue.batch
    base = batch.encode(answers)
    singles: list[Change] = [
        (i, j, abs(j - int(base[i])))
        for i, qid in enumerate(batch.questions)
        if qid in answers and weights[qid]
        for j in range(len(batch.options[i]))
        if j != base[i]
    ]
    if not singles:
        return []
    pairs = [(a, b) for a in range(len(singles)) for b in range(a + 1, len(singles))]
    pairs = [(a, b) for a, b in pairs if singles[a][0] != singles[b][0]]
    sets: list[tuple[Change, ...]] = [(c,) for c in singles]
    sets += [(singles[a], singles[b]) for a, b in pairs]
    variants = np.tile(base, (len(sets), 1))
    for row, change_set in enumerate(sets):
        for i, j, _ in change_set:
            variants[row, i] = j
    best, lead = batch.winners(catalogue, answers, weights, variants)
    size = np.array([len(s) for s in sets])
    steps = np.array([sum(c[2] for c in s) for s in sets])
    found = []
    for model_id in ranking[1:]:
        k = batch.models.index(model_id)
        for candidates in (np.flatnonzero((best == k) & (size == n)) for n in (1, 2)):
            if len(candidates):
                pick = candidates[np.lexsort((-lead[candidates], steps[candidates]))[0]]
                changes = {batch.questions[i]: batch.options[i][j] for i, j, _ in sets[int(pick)]}
                if catalogue.table.winner(dict(answers) | changes, weights)[0] == model_id:
                    found.append(_describe(catalogue, answers, model_id, changes))
                break
    return found


def _describe(
    catalogue: Catalogue,
    answers: Mapping[str, AnswerValue],
    model_id: str,
    changes: dict[str, str],
) -> WhatIf:
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
