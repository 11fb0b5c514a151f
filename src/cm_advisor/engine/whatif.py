"""What would change the answer: the fewest answer changes that put each runner-up first.

One change is tried before two; among equals, the one that moves answers the
fewest steps along their scale, then the one with the widest lead. All single
and paired changes are built as arrays and scored in one NumPy pass (batch.py),
and each proposal is confirmed by scoring the changed answers, so applying it
really does change the winner.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cm_advisor.engine.types import AnswerValue, Catalogue, WhatIf


def what_if(
    catalogue: Catalogue,
    answers: Mapping[str, AnswerValue],
    weights: Mapping[str, float],
    ranking: list[str],
) -> list[WhatIf]:
    batch = catalogue.batch
    base = batch.encode(answers)
    moves = [
        (i, j, abs(j - int(base[i])))
        for i, qid in enumerate(batch.questions)
        if qid in answers and weights[qid]
        for j in range(len(batch.options[i]))
        if j != base[i]
    ]
    if not moves:
        return []
    question, option, steps = (np.array(column) for column in zip(*moves, strict=True))
    first, second = np.triu_indices(len(moves), k=1)
    keep = question[first] != question[second]
    first, second = first[keep], second[keep]
    singles, pairs = len(moves), len(first)

    variants = np.tile(base, (singles + pairs, 1))
    variants[np.arange(singles), question] = option
    rows = np.arange(singles, singles + pairs)
    variants[rows, question[first]] = option[first]
    variants[rows, question[second]] = option[second]
    cost = np.concatenate([steps, steps[first] + steps[second]])
    size = np.concatenate([np.ones(singles, dtype=int), np.full(pairs, 2)])
    # Additive model: a variant's raw points are the current ones plus each move's gain.
    gain = batch.moves(base, weights)[question, option]  # (moves, models)
    current = np.array(catalogue.table.raw(answers, weights))
    raw = current + np.concatenate([gain, gain[first] + gain[second]])

    best, lead = batch.winners(catalogue, answers, weights, variants, raw)
    found = []
    for model_id in ranking[1:]:
        k = batch.models.index(model_id)
        for n in (1, 2):
            candidates = np.flatnonzero((best == k) & (size == n))
            if len(candidates):
                pick = int(candidates[np.lexsort((-lead[candidates], cost[candidates]))[0]])
                changed = variants[pick] != base
                changes = {
                    batch.questions[i]: batch.options[i][variants[pick, i]]
                    for i in np.flatnonzero(changed)
                }
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
