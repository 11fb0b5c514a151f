"""Properties of the engine over every valid answer set (hypothesis)."""

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cm_advisor.engine import Catalogue, InvalidInput, score
from helpers import reference
from helpers.strategies import CATALOGUE, QUESTIONS, answer_sets, weight_sets


@given(answer_sets(), weight_sets)
def test_every_valid_answer_set_ranks_all_models(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    result = score(CATALOGUE, answers, weights)
    assert [m.rank for m in result.ranking] == list(range(1, len(CATALOGUE.models) + 1))
    assert {m.model for m in result.ranking} == set(CATALOGUE.model_ids)
    assert all(0 <= m.score <= 100 for m in result.ranking)
    scores = [m.score for m in result.ranking]
    assert scores == sorted(scores, reverse=True)
    assert result.recommended == result.ranking[0].model
    assert set(result.unanswered).isdisjoint(answers)


@given(answer_sets(), weight_sets)
def test_scoring_is_deterministic(answers: dict[str, Any], weights: dict[str, float]) -> None:
    assert score(CATALOGUE, answers, weights) == score(CATALOGUE, dict(answers), dict(weights))


MONOTONE = [
    ("intensive", "acuity", +1),
    ("intensive", "complex_needs", +1),
    ("intensive", "high_utilization", +1),
    ("intensive", "staffing", +1),
    ("intensive", "budget", +1),
    ("clinical", "acuity", +1),
    ("clinical", "staff_mix", +1),
    ("clinical", "clinical_oversight", +1),
    ("collaborative", "team_infrastructure", +1),
    ("strengths_based", "training_capacity", +1),
    ("strengths_based", "social_support", +1),
    ("strengths_based", "behavioral_health", +1),
    ("brokerage", "community_services", +1),
    ("brokerage", "acuity", -1),
    ("brokerage", "complex_needs", -1),
    ("intensive", "support_duration", +1),
    ("clinical", "support_duration", -1),
]


@pytest.mark.parametrize(("model_id", "question_id", "direction"), MONOTONE)
@given(answers=answer_sets())
@settings(max_examples=40)
def test_monotone_effects(
    model_id: str, question_id: str, direction: int, answers: dict[str, Any]
) -> None:
    """E.g. higher acuity never lowers ICM's score."""
    options = CATALOGUE.question(question_id).option_ids
    scores = []
    for option in options:
        result = score(CATALOGUE, answers | {question_id: option})
        scores.append(next(m.score for m in result.ranking if m.model == model_id))
    steps = [direction * (b - a) for a, b in itertools.pairwise(scores)]
    assert all(step >= 0 for step in steps), (question_id, options, scores)


def _without(catalogue: Catalogue, model_id: str) -> Catalogue:
    data = catalogue.model_dump()
    data["models"] = [m for m in data["models"] if m["id"] != model_id]
    data["tie_break"] = [m for m in data["tie_break"] if m != model_id]
    data["rules"] = {
        q: {
            o: {m: r | {"refs": ()} for m, r in by_model.items() if m != model_id}
            for o, by_model in opts.items()
        }
        for q, opts in data["rules"].items()
    }
    data["red_flags"] = [
        f | {"refs": ()} for f in data["red_flags"] if f["model"] != model_id
    ]  # references live under models, so the removed model's would be unknown
    data["hybrids"] = [
        h for h in data["hybrids"] if all(p["model"] != model_id for p in h["parts"])
    ]
    return Catalogue.model_validate(data)


SMALLER = {m: _without(CATALOGUE, m) for m in CATALOGUE.model_ids}


@given(answer_sets(), st.sampled_from(CATALOGUE.model_ids))
def test_a_score_does_not_depend_on_other_models(answers: dict[str, Any], dropped: str) -> None:
    full = {m.model: m.score for m in score(CATALOGUE, answers).ranking}
    fewer = {m.model: m.score for m in score(SMALLER[dropped], answers).ranking}
    assert fewer == {m: s for m, s in full.items() if m != dropped}


@given(
    st.dictionaries(
        st.text(max_size=20) | st.sampled_from([q.id for q in QUESTIONS]),
        st.none() | st.integers() | st.text(max_size=20) | st.lists(st.text(max_size=12)),
    )
)
def test_any_answers_either_score_or_are_refused(answers: dict[str, Any]) -> None:
    try:
        score(CATALOGUE, answers)
    except InvalidInput as exc:
        assert exc.errors


CLOSE_POINTS = 5.0  # docs/catalogue.md: a lead under five points is a close call


@given(answer_sets(), weight_sets)
def test_a_close_call_is_always_offered_as_a_blend(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    """Top two within the close-call margin: a blend of them first, unless a catalogue
    hybrid already combines them; a clear lead: no blend."""
    result = score(CATALOGUE, answers, weights)
    first, second = result.ranking[0], result.ranking[1]
    exact = reference.scores(reference.RAW, result.answers, result.weights)
    margin = round(exact[first.model], 9) - round(exact[second.model], 9)
    blends = [h for h in result.hybrids if h.kind == "close_call"]
    covered = any(
        {first.model, second.model} <= set(h.models)
        for h in result.hybrids
        if h.kind == "mixed_population"
    )
    if margin < CLOSE_POINTS and not covered:
        assert [b.models for b in blends] == [(first.model, second.model)]
        assert result.hybrids[0] == blends[0]
        assert all(len(b.parts) == 2 and b.rationale for b in blends)
    else:
        assert blends == []
