"""What would change the answer: every variant the engine scores (one or two answers
changed) rescored by the independent reference, red flags on single- and multi-choice
answers included, and the proposals chosen from them by a brute-force search."""

from itertools import combinations
from typing import Any, Literal

import pytest

from cm_advisor.engine import Catalogue, WhatIf, score
from cm_advisor.engine.ranking import score as score_answers
from cm_advisor.engine.whatif import _changes, _singles, _variants
from helpers import reference
from helpers.archetypes import ARCHETYPES, VARIED
from helpers.strategies import CATALOGUE
from helpers.tiny import build, flag, raw

# Six questions: q1 (ordered, the organization would rather move up), q2 (nominal), q5
# (ordered, rather down), q3 and q4 about patients, m multi-choice. The red flags test
# single-choice literals, multi-choice ones, AND within an alternative and OR between
# alternatives, an unanswered question, an answer that is its question's first option,
# and a penalty that takes a score below 0.
FLAGGED = build(
    {
        "q1": {"lo": (0, 1, -1), "mid": (1, 0, 0), "hi": (2, -1, 1)},
        "q2": {"x": (0, 0, 0), "y": (1, 1, -1), "z": (-1, 2, 0)},
        "q3": {"a": (0, 0, 1), "b": (1, 0, 0)},
        "q4": {"a": (1, -1, 0), "b": (0, 0, 0), "c": (-1, 1, 2)},
        "q5": {"n1": (0, 1, 0), "n2": (0, 0, 1), "n3": (1, -2, -1)},
        "m": {"p": (1, 0, 0), "q": (0, 1, 0), "r": (0, 0, 2)},
    },
    questions={
        "q1": {"better": "up", "topic": "Staff"},
        "q2": {"scale": "nominal", "topic": "Approach"},
        "q3": {"about": "patients", "topic": "Acuity"},
        "q4": {"about": "patients", "better": "down"},
        "q5": {"better": "down", "topic": "Waiting list"},
        "m": {"kind": "multi", "max_choices": 2},
    },
    red_flags=(
        flag("beta_mixed", "beta", 15, {"q1": ["lo"], "m": ["q"]}, {"q2": ["z"]}),
        flag("gamma_q4", "gamma", 10, {"q4": ["a"]}),
        flag("alpha_pair", "alpha", 20, {"q1": ["hi"], "q3": ["b"]}),
        flag("gamma_multi", "gamma", 5, {"m": ["r"]}),
        flag("alpha_first", "alpha", 7, {"q3": ["a"]}),
        flag("beta_below_zero", "beta", 50, {"q5": ["n3"]}),
    ),
)
FLAGGED_CASES: list[tuple[dict[str, Any], dict[str, float]]] = [
    ({"q1": "mid", "q2": "x", "q3": "a", "q5": "n2", "m": ["q", "r"]}, {}),
    ({"q1": "lo", "q2": "y", "q3": "b", "q4": "b", "q5": "n1", "m": ["p"]}, {}),
    ({"q1": "hi", "q2": "z", "q3": "a", "q4": "a", "m": ["q"]}, {"q2": 0, "q4": 2}),
    ({"q1": "lo", "q3": "b", "q4": "c", "q5": "n3", "m": ["r", "q"]}, {"q1": 3, "m": 0.5}),
    ({"q1": "lo", "q2": "z", "q3": "a", "q4": "c", "q5": "n1", "m": ["q"]}, {"q5": 3}),
]
SHIPPED_CASES = [
    (VARIED, {}),
    (ARCHETYPES["collaborative"], {}),
    (ARCHETYPES["intensive"] | {"budget": "constrained", "staffing": "limited"}, {}),
    (
        ARCHETYPES["clinical"] | {"staff_mix": "non_clinical", "team_infrastructure": "none"},
        {"acuity": 2.5, "budget": 0},
    ),
]
CASES = [(FLAGGED, *case) for case in FLAGGED_CASES] + [
    (CATALOGUE, *case) for case in SHIPPED_CASES
]


def _raw(catalogue: Catalogue) -> dict[str, Any]:
    return reference.RAW if catalogue is CATALOGUE else raw(catalogue)


def _possible_changes(
    catalogue: Catalogue, answers: dict[str, Any], weights: dict[str, float]
) -> list[dict[str, str]]:
    """One answered, weighted single-choice question moved to another option, or two such
    questions of the same kind (both about the organization, or both about patients)."""
    singles = [
        (q.id, o)
        for q in catalogue.questionnaire.questions
        if q.kind == "single" and q.id in answers and weights[q.id] > 0
        for o in q.option_ids
        if o != answers[q.id]
    ]
    about = {q.id: q.about for q in catalogue.questionnaire.questions}
    pairs = [
        (a, b) for a, b in combinations(singles, 2) if a[0] != b[0] and about[a[0]] == about[b[0]]
    ]
    return [dict([one]) for one in singles] + [dict(pair) for pair in pairs]


def _key(changes: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(changes.items())


@pytest.mark.parametrize(("catalogue", "answers", "weights"), CASES)
def test_every_variant_scores_as_the_reference_scores_its_answers(
    catalogue: Catalogue, answers: dict[str, Any], weights: dict[str, float]
) -> None:
    """The variants are scored many at once, away from the ranking; each one's scores,
    winner and lead must be those of its answers scored on their own. (The variants are
    internal, so the test reads them from _variants; nothing else shows all of them.)"""
    result = score(catalogue, answers, weights)
    scored = score_answers(catalogue, result.answers, result.weights)
    singles = _singles(catalogue, scored)
    found = _variants(catalogue, scored, singles)
    variants = {
        _key(_changes(catalogue, scored, singles, found, v)): v for v in range(len(found.best))
    }
    expected = _possible_changes(catalogue, result.answers, result.weights)
    assert len(variants) == len(found.best) == len(expected)
    assert set(variants) == {_key(c) for c in expected}
    raw_catalogue = _raw(catalogue)
    models = catalogue.model_ids
    for changes in expected:
        v = variants[_key(changes)]
        changed = result.answers | changes
        scores = reference.scores(raw_catalogue, changed, result.weights)
        got = dict(zip(models, found.scores[:, v].tolist(), strict=True))
        assert got == {m: pytest.approx(s, abs=1e-6) for m, s in scores.items()}, changes
        order = reference.order(raw_catalogue, changed, result.weights)
        assert models[found.best[v]] == order[0], changes
        lead = scores[order[0]] - max(scores[m] for m in order[1:])
        assert found.lead[v] == pytest.approx(lead, abs=1e-6), changes


def test_the_red_flags_of_flagged_are_each_raised_by_some_variant() -> None:
    """The catalogue above is only a test of the red flags if its variants raise and clear
    each of them (checked with the reference)."""
    raised: set[str] = set()
    cleared: set[str] = set()
    raw_catalogue = raw(FLAGGED)
    every = {f.id for f in FLAGGED.red_flags}
    for answers, weights in FLAGGED_CASES:
        checked = score(FLAGGED, answers, weights)
        for changes in _possible_changes(FLAGGED, checked.answers, checked.weights):
            ids = {f["id"] for f in reference.raised(raw_catalogue, checked.answers | changes)}
            raised |= ids
            cleared |= every - ids
    assert raised == cleared == every


# --- the proposals, against a brute-force search with the reference -------------------


def _preference(
    catalogue: Catalogue, answers: dict[str, Any], changes: dict[str, str], lead: float
) -> tuple[int, int, int, float]:
    """Fewer answers changed, fewer of them cutting back, fewer steps, the wider lead."""
    cutbacks = steps = 0
    for qid, option in changes.items():
        question = catalogue.question(qid)
        moved = question.option_ids.index(option) - question.option_ids.index(answers[qid])
        steps += abs(moved) if question.scale == "ordered" else 1
        cutbacks += (question.better == "up" and moved < 0) or (
            question.better == "down" and moved > 0
        )
    return (len(changes), cutbacks, steps, -lead)


Direction = Literal["better", "worse", "mixed", "neutral"]
Kind = Literal["organization", "patients"]


def _direction(catalogue: Catalogue, answers: dict[str, Any], changes: dict[str, str]) -> Direction:
    seen = set()
    for qid, option in changes.items():
        question = catalogue.question(qid)
        if question.better is None:
            continue
        moved = question.option_ids.index(option) - question.option_ids.index(answers[qid])
        seen.add("better" if (moved > 0) == (question.better == "up") else "worse")
    if not seen:
        return "neutral"
    return "mixed" if len(seen) == 2 else "better" if "better" in seen else "worse"


def _text(
    catalogue: Catalogue, answers: dict[str, Any], changes: dict[str, str], model: str, kind: str
) -> str:
    name = catalogue.model(model).name
    parts = []
    for qid, option in changes.items():
        question = catalogue.question(qid)
        parts.append(
            (
                question.title.lower(),
                question.option(option).short_label,
                question.option(answers[qid]).short_label,
            )
        )
    if kind == "patients":
        said = "; ".join(f"{t} “{new}” instead of “{now}”" for t, new, now in parts)
        return f"For patients who differ from yours ({said}), {name} would fit best."
    said = " and ".join(f"{t} to “{new}” (now “{now}”)" for t, new, now in parts)
    text = f"If you changed {said}, {name} would come first."
    if _direction(catalogue, answers, changes) in ("worse", "mixed"):
        text += " That would mean cutting back on what you have now."
    return text


def _expected_proposals(
    catalogue: Catalogue, answers: dict[str, Any], weights: dict[str, float]
) -> list[list[WhatIf]]:
    """Per kind and model, every proposal as good as the best by `_preference` (more than
    one where they tie on every key), in the order they are shown: the organization's
    first, building up before mixed before cutting back, then by the model's rank."""
    raw_catalogue = _raw(catalogue)
    ranking = reference.order(raw_catalogue, answers, weights)
    best: dict[tuple[Kind, str], list[tuple[tuple[int, int, int, float], dict[str, str]]]] = {}
    for changes in _possible_changes(catalogue, answers, weights):
        changed = answers | changes
        scores = reference.scores(raw_catalogue, changed, weights)
        order = reference.order(raw_catalogue, changed, weights)
        if order[0] == ranking[0]:
            continue
        lead = round(scores[order[0]] - scores[order[1]], 6)
        about = catalogue.question(next(iter(changes))).about
        best.setdefault((about, order[0]), []).append(
            (_preference(catalogue, answers, changes, lead), changes)
        )
    cut = {"better": 0, "neutral": 0, "mixed": 1, "worse": 2}
    shown = []
    for (kind, model), candidates in best.items():
        top = min(key for key, _ in candidates)
        tied = [changes for key, changes in candidates if key == top]
        proposals = [
            WhatIf(
                model=model,
                changes=changes,
                text=_text(catalogue, answers, changes, model, kind),
                kind=kind,
                direction=(
                    "neutral" if kind == "patients" else _direction(catalogue, answers, changes)
                ),
            )
            for changes in tied
        ]
        direction = proposals[0].direction or "neutral"
        shown.append(((kind != "organization", cut[direction], ranking.index(model)), proposals))
    return [proposals for _, proposals in sorted(shown, key=lambda s: s[0])]


@pytest.mark.parametrize(("catalogue", "answers", "weights"), CASES)
def test_what_if_proposes_the_preferred_change_of_each_kind_for_each_model(
    catalogue: Catalogue, answers: dict[str, Any], weights: dict[str, float]
) -> None:
    result = score(catalogue, answers, weights)
    expected = _expected_proposals(catalogue, result.answers, result.weights)
    assert len(result.what_if) == len(expected)
    for proposal, candidates in zip(result.what_if, expected, strict=True):
        assert proposal in candidates


def test_what_if_worked_out_by_hand() -> None:
    """FLAGGED's last case, weights 1 but q5 (3), so one point of fit is 25/8 = 3.125:
    beta 50 + 8 × 3.125 − 15 (q2 = z) = 60, gamma 50 + 2 × 3.125 = 56.25, alpha
    50 − 2 × 3.125 − 7 (q3 = a) = 36.75. Staff up to "mid" costs beta 3.125 and gives
    gamma 3.125: gamma 59.4, beta 56.9. Approach "y" and the waiting list at "n3" raise
    beta's 50-point flag: alpha 52.4 and beta 0."""
    answers, weights = FLAGGED_CASES[4]
    assert score(FLAGGED, answers, weights).what_if == (
        WhatIf(
            model="gamma",
            changes={"q1": "mid"},
            text="If you changed staff to “MID” (now “LO”), Gamma would come first.",
            kind="organization",
            direction="better",
        ),
        WhatIf(
            model="alpha",
            changes={"q2": "y", "q5": "n3"},
            text="If you changed approach to “Y” (now “Z”) and waiting list to “N3” (now "
            "“N1”), Alpha would come first. That would mean cutting back on what you have now.",
            kind="organization",
            direction="worse",
        ),
    )


def test_a_catalogue_of_one_model_scores_with_nothing_to_change() -> None:
    """A catalogue may hold a single model (it needs at least one): it is first whatever
    the answers, so there is no what-if, blend or critical factor, and scoring must not
    fail looking for a runner-up."""
    catalogue = build({"q1": {"a": (1,), "b": (0,)}}, ("alpha",))
    result = score(catalogue, {"q1": "a"})
    assert [(m.model, m.score) for m in result.ranking] == [("alpha", 75.0)]
    assert (result.what_if, result.hybrids) == ((), ())
    assert result.robustness is not None
    assert result.robustness.first_place_share == {"alpha": 1.0}
    assert result.robustness.critical_factor is None
