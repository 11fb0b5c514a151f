"""What would change the answer: the fewest answer changes that put each runner-up first.

Every change of one, then two, answered single-choice questions is scored at once. Each
possible new option is a column of point changes per model; a variant adds one or two
columns to the current scores, its red flags are tested on its own answers, and its
winner is found with the ranking's order (`rank_key`). Changes an organization could
make and differences in its patients are kept apart: for each model that some variant
puts first, the proposal of each kind is the variant `_preference` puts first.

The variants add the same numbers as the ranking in another order, so a proposal whose
lead is below SURE_LEAD is confirmed by scoring its answers the ranking's own way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.compiled import fit_table, holds, per_catalogue
from cm_advisor.engine.ranking import DIGITS, MAX_FIT, NEUTRAL, Scored, first_by, rank_key
from cm_advisor.engine.results import WhatIf
from cm_advisor.engine.types import Catalogue

SURE_LEAD = 1e-6  # far above the rounding of either sum, so the variant's winner is certain

Floats = NDArray[np.float64]
Ints = NDArray[np.intp]
Bools = NDArray[np.bool_]
Kind = Literal["organization", "patients"]
Direction = Literal["better", "worse", "mixed", "neutral"]


@dataclass(frozen=True, slots=True)
class _Flags:
    """The red flags as tests that many variants can be put through at once.

    A flag's condition is alternatives (OR) of literals (AND), each literal "question q
    has one of these options". Literals on single-choice questions come first, as a row
    and an offset into `allowed`; those on multi-choice questions (which no variant
    changes) after them, as the question and its options. Two incidence matrices then
    combine them: an alternative holds where none of its literals fails, and a flag is
    raised where one of its alternatives holds."""

    rows: Ints  # per single-choice literal: its question's row in the fit table
    offsets: Ints  # per single-choice literal: where its options start in `allowed`
    unanswered: Ints  # per single-choice literal: the index that stands for "no answer"
    allowed: Bools  # the options each literal allows, one block per literal (+ unanswered)
    fixed: tuple[tuple[str, frozenset[str]], ...]  # the multi-choice literals
    alternative_literals: Floats  # alternatives × literals
    flag_alternatives: Floats  # flags × alternatives
    penalty: Floats  # models × flags: the points each flag takes from each model
    count: Floats  # models × flags: 1 where the flag is the model's


@per_catalogue
def _flags(catalogue: Catalogue) -> _Flags:
    """The red flags of a catalogue, compiled for variants."""
    table = fit_table(catalogue)
    row_of = {qid: q for q, qid in enumerate(table.questions)}
    singles: list[tuple[str, frozenset[str]]] = []
    fixed: list[tuple[str, frozenset[str]]] = []
    alternatives: list[list[tuple[str, frozenset[str]]]] = []
    owner: list[int] = []  # per alternative: its flag
    for f, flag in enumerate(table.flags):
        for alternative in flag.alternatives:
            alternatives.append(list(alternative))
            owner.append(f)
            for literal in alternative:
                is_single = catalogue.question(literal[0]).kind == "single"
                (singles if is_single else fixed).append(literal)
    literals = singles + fixed
    incidence = np.zeros((len(alternatives), len(literals)))
    for i, its_literals in enumerate(alternatives):
        for literal in its_literals:
            incidence[i, literals.index(literal)] = 1.0
    flag_alternatives = np.zeros((len(table.flags), len(alternatives)))
    flag_alternatives[owner, range(len(alternatives))] = 1.0
    allowed_options: list[bool] = []
    offsets, unanswered = [], []
    for qid, allowed in singles:
        options = catalogue.question(qid).option_ids
        offsets.append(len(allowed_options))
        unanswered.append(len(options))
        allowed_options += [o in allowed for o in options] + [False]
    penalty = np.zeros((len(table.models), len(table.flags)))
    for f, flag in enumerate(table.flags):
        penalty[flag.model, f] = flag.penalty
    return _Flags(
        rows=np.array([row_of[qid] for qid, _ in singles], dtype=np.intp),
        offsets=np.array(offsets, dtype=np.intp),
        unanswered=np.array(unanswered, dtype=np.intp),
        allowed=np.array(allowed_options, dtype=np.bool_),
        fixed=tuple(fixed),
        alternative_literals=incidence,
        flag_alternatives=flag_alternatives,
        penalty=penalty,
        count=(penalty > 0).astype(np.float64),
    )


@dataclass(frozen=True, slots=True)
class _Options:
    """Every option of every single-choice question as a column; built once per catalogue."""

    row: Ints  # its question's row in the fit table
    index: Ints  # its place among its question's options
    fits: Floats  # models × options
    ordered: Bools  # its question's options have an order
    better: Floats  # +1 where its question would rather move up, -1 down, 0 neither
    organization: Bools  # its question is one the organization decides
    pairs: tuple[Ints, Ints]  # every two options of different questions of the same kind


@per_catalogue
def _options(catalogue: Catalogue) -> _Options:
    """The single-choice options of a catalogue, compiled for variants."""
    table = fit_table(catalogue)
    rows, index, fits, ordered, better, organization = [], [], [], [], [], []
    for q, qid in enumerate(table.questions):
        question = catalogue.question(qid)
        if question.kind != "single":
            continue
        for i, option in enumerate(question.option_ids):
            rows.append(q)
            index.append(i)
            fits.append(table.fits[qid][option])
            ordered.append(question.scale == "ordered")
            better.append({"up": 1.0, "down": -1.0, None: 0.0}[question.better])
            organization.append(question.about == "organization")
    row, kind = np.array(rows, dtype=np.intp), np.array(organization, dtype=np.bool_)
    a, b = np.triu_indices(len(rows), k=1)
    pairs = (row[a] != row[b]) & (kind[a] == kind[b])  # a proposal never mixes the kinds
    return _Options(
        row=row,
        index=np.array(index, dtype=np.intp),
        fits=np.ascontiguousarray(np.array(fits, dtype=np.float64).T),
        ordered=np.array(ordered, dtype=np.bool_),
        better=np.array(better, dtype=np.float64),
        organization=kind,
        pairs=(a[pairs], b[pairs]),
    )


@dataclass(frozen=True, slots=True)
class _Singles:
    """Every possible single change of one answer set: an answered, weighted single-choice
    question moved to another of its options."""

    now: Ints  # per question row: the index of its answer, -1 when it has none
    pairs: tuple[Ints, Ints]  # every two of these changes that make a pair (see _Options)
    row: Ints  # per change: its question's row
    index: Ints  # the new option's index
    steps: Floats  # how far it moves along the options (1 where they have no order)
    cutback: Floats  # 1 where it cuts back what the organization has
    organization: Bools  # the question is one the organization decides (else its patients)
    delta: Floats  # models × changes: the points it adds to each model, before red flags


def _singles(catalogue: Catalogue, scored: Scored) -> _Singles:
    options = _options(catalogue)
    now_by_row = scored.choices
    now = now_by_row[options.row]
    weight = scored.w[options.row]
    possible = (now >= 0) & (weight > 0) & (options.index != now)
    keep = np.flatnonzero(possible)
    position = np.cumsum(possible) - 1  # per option: its place among the changes kept
    a, b = options.pairs
    both = possible[a] & possible[b]
    row, index = options.row[keep], options.index[keep]
    moved = index - now[keep]
    current = scored.fits[row].T  # the fits of the answers as they are
    return _Singles(
        now=now_by_row,
        pairs=(position[a[both]], position[b[both]]),
        row=row,
        index=index,
        steps=np.where(options.ordered[keep], np.abs(moved), 1).astype(np.float64),
        cutback=(options.better[keep] * moved < 0).astype(np.float64),
        organization=options.organization[keep],
        delta=(options.fits[:, keep] - current) * (scored.scale * weight[keep]),
    )


@dataclass(frozen=True, slots=True)
class _Variants:
    first: Ints  # per variant: index of its (first) change among the singles
    second: Ints  # index of its second change, or len(singles) for "no second change"
    scores: Floats  # models × variants, rounded as the ranking rounds
    best: Ints  # the model each variant puts first
    lead: Floats  # how far that model leads the next


def _variants(catalogue: Catalogue, scored: Scored, singles: _Singles) -> _Variants:
    """Every single change, and every pair of changes to two questions of the same kind
    (a proposal never mixes what the organization decides with facts about its patients)."""
    n = len(singles.row)
    first = np.concatenate([np.arange(n), singles.pairs[0]])
    second = np.concatenate([np.full(n, n), singles.pairs[1]])

    flags = _flags(catalogue)
    models = len(scored.table.models)
    delta = np.hstack([singles.delta, np.zeros((models, 1))])  # the last: no change
    start = NEUTRAL + (NEUTRAL / MAX_FIT) * (scored.fits.T @ scored.w) / scored.w.sum()
    raised = _raised(flags, scored, singles, first, second)  # flags × variants
    unclamped = start[:, np.newaxis] + delta.take(first, axis=1) + delta.take(second, axis=1)
    scores = np.clip(unclamped - flags.penalty @ raised, 0.0, 100.0).round(DIGITS)
    red_flags = flags.count @ raised
    tie_places = scored.table.tie_places[:, np.newaxis]
    best = first_by(rank_key(scores, red_flags, tie_places))
    top_two = np.partition(scores, models - 2, axis=0)[models - 2 :]
    return _Variants(first, second, scores, best, top_two[1] - top_two[0])


def _raised(flags: _Flags, scored: Scored, singles: _Singles, first: Ints, second: Ints) -> Floats:
    """Flags × variants: 1 where the variant's answers raise the flag."""
    row = np.append(singles.row, -1)  # the "no change" column changes no question
    index = np.append(singles.index, -1)
    rows = flags.rows[:, np.newaxis]
    now = singles.now[flags.rows]
    unchanged = np.where(now >= 0, now, flags.unanswered)[:, np.newaxis]
    # Literals × variants: the option index each variant gives each literal's question.
    chosen = np.where(
        row[first] == rows,
        index[first],
        np.where(row[second] == rows, index[second], unchanged),
    )
    truth = flags.allowed[flags.offsets[:, np.newaxis] + chosen]
    fixed = [holds(scored.answers.get(qid), allowed) for qid, allowed in flags.fixed]
    if fixed:
        constant = np.repeat(np.array(fixed, dtype=np.bool_)[:, np.newaxis], len(first), axis=1)
        truth = np.vstack([truth, constant])
    failing = flags.alternative_literals @ ~truth
    raised: Floats = (flags.flag_alternatives @ (failing == 0) > 0).astype(np.float64)
    return raised


def _preference(singles: _Singles, found: _Variants) -> tuple[Floats, ...]:
    """The keys a proposal is chosen by, first the most important: fewer answers changed,
    fewer of them cutting back what the organization has, fewer steps along the options,
    then the wider lead."""
    cutback = np.append(singles.cutback, 0.0)
    steps = np.append(singles.steps, 0.0)
    changes = np.where(found.second < len(singles.row), 2.0, 1.0)
    return (
        changes,
        cutback[found.first] + cutback[found.second],
        steps[found.first] + steps[found.second],
        -found.lead,
    )


def what_if(catalogue: Catalogue, scored: Scored) -> list[WhatIf]:
    """Per model other than the winner, the preferred change the organization could make,
    and the preferred difference in its patients, that would put it first."""
    singles = _singles(catalogue, scored)
    if len(singles.row) == 0 or len(scored.table.models) < 2:  # no other model to put first
        return []
    found = _variants(catalogue, scored, singles)
    winner = scored.order[0]
    changing = np.flatnonzero(found.best != winner)  # the variants that put another model first
    keys = _preference(singles, found)
    preferred = changing[np.lexsort([k[changing] for k in keys[::-1]])]  # best variant first
    organization = np.append(singles.organization, True)  # "no change" goes with either
    patients = np.append(~singles.organization, True)
    kinds: dict[Kind, Bools] = {
        "organization": organization[found.first] & organization[found.second],
        "patients": patients[found.first] & patients[found.second],
    }
    proposals = []
    for kind, of_kind in kinds.items():
        ranked = preferred[of_kind[preferred]]  # this kind's variants, preferred first
        first_for: dict[int, int] = {}  # model -> its preferred variant
        for v, k in zip(ranked.tolist(), found.best[ranked].tolist(), strict=True):
            first_for.setdefault(k, v)
        for k, v in sorted(first_for.items()):
            changes = _changes(catalogue, scored, singles, found, v)
            model = scored.table.models[k]
            if found.lead[v] < SURE_LEAD and scored.with_answers(changes).winner != model:
                continue  # the two ways of adding disagree on a near-tie: leave it out
            proposals.append(_describe(catalogue, scored, model, changes, kind))
    return sorted(proposals, key=_shown_order(scored))


def _changes(
    catalogue: Catalogue, scored: Scored, singles: _Singles, found: _Variants, v: int
) -> dict[str, str]:
    changes = {}
    for i in (int(found.first[v]), int(found.second[v])):
        if i < len(singles.row):
            qid = scored.table.questions[singles.row[i]]
            changes[qid] = catalogue.question(qid).option_ids[singles.index[i]]
    return changes


def _describe(
    catalogue: Catalogue, scored: Scored, model: str, changes: dict[str, str], kind: Kind
) -> WhatIf:
    """The change as a scenario, in the words of the options people chose from."""
    name = catalogue.model(model).name
    parts = []
    for qid, option in changes.items():
        question = catalogue.question(qid)
        now = question.option(str(scored.answers[qid])).short_label
        parts.append((question.title.lower(), question.option(option).short_label, now))
    if kind == "organization":
        direction = _direction(catalogue, scored, changes)
        said = " and ".join(f"{topic} to “{new}” (now “{now}”)" for topic, new, now in parts)
        text = f"If you changed {said}, {name} would come first."
        if direction in ("worse", "mixed"):
            text += " That would mean cutting back on what you have now."
    else:
        direction = "neutral"
        said = "; ".join(f"{topic} “{new}” instead of “{now}”" for topic, new, now in parts)
        text = f"For patients who differ from yours ({said}), {name} would fit best."
    return WhatIf(model=model, changes=changes, text=text, kind=kind, direction=direction)


def _direction(catalogue: Catalogue, scored: Scored, changes: dict[str, str]) -> Direction:
    """Whether changes build up what the organization has, cut it back, both or neither."""
    seen = set()
    for qid, option in changes.items():
        question = catalogue.question(qid)
        if question.better is None:
            continue
        moved = question.option_ids.index(option) - question.option_ids.index(
            str(scored.answers[qid])
        )
        up = moved > 0 if question.better == "up" else moved < 0
        seen.add("better" if up else "worse")
    if not seen:
        return "neutral"
    return "mixed" if len(seen) > 1 else ("better" if "better" in seen else "worse")


def _shown_order(scored: Scored) -> Callable[[WhatIf], tuple[bool, int, int]]:
    """Changes the organization could make first, those that build up before those that
    cut back, then differences in patients; within each, in the order the models rank."""
    place = {scored.table.models[m]: i for i, m in enumerate(scored.order)}
    cut = {"better": 0, "neutral": 0, "mixed": 1, "worse": 2}

    def key(proposal: WhatIf) -> tuple[bool, int, int]:
        return (
            proposal.kind != "organization",
            cut[proposal.direction or "neutral"],
            place[proposal.model],
        )

    return key
