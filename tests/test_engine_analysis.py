"""Robustness, what-if and tiered hybrids: the analyses a consultant has to defend, checked
by rescoring with the independent reference."""

from itertools import combinations
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cm_advisor.engine import Catalogue, InvalidInput, score
from cm_advisor.engine.answers import check_input
from cm_advisor.engine.ranking import first_by, rank_key, scores_of
from cm_advisor.engine.ranking import score as score_answers
from cm_advisor.engine.robustness import SAMPLES, _multipliers, first_place_shares
from cm_advisor.engine.tiers import split
from helpers import reference
from helpers.archetypes import ARCHETYPES, MIXED, VARIED
from helpers.strategies import CATALOGUE, answer_sets, weight_sets


@given(answer_sets(), weight_sets)
@settings(max_examples=60)
def test_first_place_shares_sum_to_one_and_are_deterministic(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    result = score(CATALOGUE, answers, weights)
    assert result.robustness is not None
    shares = result.robustness.first_place_share
    assert set(shares) == set(CATALOGUE.model_ids)
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    again = score(CATALOGUE, answers, weights).robustness
    assert again is not None and again.first_place_share == shares


@given(answer_sets(), weight_sets)
@example({}, {})  # every model at 50 in every sample: the tie-break decides alone
@settings(max_examples=60)
def test_shares_match_scoring_every_sample_in_full(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    """The shares come from scores multiplied by each sample's total weight; scored in full
    (divided, clamped, rounded), each sample has the same winner but in a few hundredths
    of a percent, where products round differently."""
    checked = check_input(CATALOGUE, answers, weights)
    scored = score_answers(CATALOGUE, checked.answers, checked.weights)
    shares = first_place_shares(scored)
    sampled = _multipliers(len(scored.w), SAMPLES) * scored.w[:, np.newaxis]
    full = scores_of(scored.fits, sampled, scored.penalty)
    column = np.newaxis
    firsts = first_by(
        rank_key(full, scored.red_flags[:, column], scored.table.tie_places[:, column])
    )
    counts = np.bincount(firsts, minlength=len(CATALOGUE.model_ids))
    for model, count in zip(CATALOGUE.model_ids, counts.tolist(), strict=True):
        assert abs(shares[model] - count / SAMPLES) <= 2 / SAMPLES, model


def test_a_clear_archetype_is_robust_and_says_so_in_plain_words(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["brokerage"])
    assert result.robustness is not None
    assert result.robustness.first_place_share["brokerage"] > 0.95
    assert "Brokerage model comes first in" in result.robustness.text
    assert "reasonable ways of weighting your priorities" in result.robustness.text
    assert "%" not in result.robustness.text


@given(answer_sets(), weight_sets)
@settings(max_examples=60)
def test_the_critical_factor_really_changes_the_winner(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    result = score(CATALOGUE, answers, weights)
    assert result.robustness is not None
    critical = result.robustness.critical_factor
    if critical is None:
        return
    assert 0 <= critical.weight_to <= 3
    assert critical.question in result.answers
    changed = {**result.weights, critical.question: critical.weight_to}
    assert reference.winner(reference.RAW, result.answers, changed) == critical.model
    assert critical.model != result.recommended
    assert str(critical.weight_to) not in critical.text  # words, not numbers


@given(answer_sets(), weight_sets)
@settings(max_examples=60)
def test_every_what_if_change_really_changes_the_winner(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    result = score(CATALOGUE, answers, weights)
    for proposal in result.what_if:
        assert 1 <= len(proposal.changes) <= 2
        assert proposal.model != result.recommended
        changed = result.answers | proposal.changes
        assert reference.winner(reference.RAW, changed, result.weights) == proposal.model, (
            proposal.text
        )


def _kind(qid: str) -> str:
    return CATALOGUE.question(qid).about


@given(answer_sets(), weight_sets)
@settings(max_examples=30)
def test_what_if_proposes_the_fewest_changes_of_each_kind_for_every_model_it_can(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    """Against every one- and two-answer change rescored by the reference: for each kind
    (what the organization decides, or its patients) a model gets a proposal exactly when
    some change of that kind puts it first, with as few answers changed as any."""
    result = score(CATALOGUE, answers, weights)
    base = result.answers
    options = [
        (q.id, o)
        for q in CATALOGUE.questionnaire.questions
        if q.kind == "single" and q.id in base and result.weights[q.id] > 0
        for o in q.option_ids
        if o != base[q.id]
    ]
    changes = [(c,) for c in options] + [
        (a, b) for a, b in combinations(options, 2) if a[0] != b[0] and _kind(a[0]) == _kind(b[0])
    ]
    fewest: dict[tuple[str, str], int] = {}
    for change in changes:
        model = reference.winner(reference.RAW, base | dict(change), result.weights)
        key = (_kind(change[0][0]), model)
        if model != result.recommended:
            fewest[key] = min(fewest.get(key, 3), len(change))
    proposed = {}
    for w in result.what_if:
        assert w.kind is not None
        assert {_kind(q) for q in w.changes} == {
            "organization" if w.kind == "organization" else "patients"
        }
        proposed[(_kind(next(iter(w.changes))), w.model)] = len(w.changes)
    assert proposed == fewest


def test_what_if_puts_the_realistic_direction_first_and_names_cutbacks(
    catalogue: Catalogue,
) -> None:
    result = score(catalogue, VARIED)
    kinds = [w.kind for w in result.what_if]
    assert kinds == sorted(kinds, key=lambda k: k != "organization")
    organization = [w for w in result.what_if if w.kind == "organization"]
    directions = [w.direction for w in organization]
    assert {"better", "worse", "mixed"} <= set(directions)
    assert directions.index("better") < directions.index("mixed") < directions.index("worse")
    for w in organization:
        assert ("cutting back" in w.text) == (w.direction in ("worse", "mixed"))
    infrastructure = next(w for w in organization if w.direction == "better")
    assert infrastructure.changes == {"team_infrastructure": "partial"}
    assert "“Partly” (now “Not yet”)" in infrastructure.text  # option words, not ids


def test_what_if_describes_patients_as_a_different_population(catalogue: Catalogue) -> None:
    result = score(catalogue, VARIED)
    patients = [w for w in result.what_if if w.kind == "patients"]
    assert patients
    assert all(w.text.startswith("For patients who differ from yours") for w in patients)
    assert all(w.direction == "neutral" for w in patients)
    assert all(catalogue.question(q).about == "patients" for w in patients for q in w.changes)


def test_tier_percentages_must_add_up_to_100(catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput) as caught:
        score(catalogue, MIXED, population={"size": 1000, "tiers": {"high": 10, "low": 80}})
    error = caught.value.errors[0]
    assert error.field == "population.tiers"
    assert "add up to 100" in error.message and "90" in error.message


@pytest.mark.parametrize(
    ("population", "field"),
    [
        ({"size": 0, "tiers": {}}, "population.size"),
        ({"size": 100, "tiers": {"extreme": 100}}, "population.tiers.extreme"),
        ({"size": 100, "tiers": {"high": 120, "low": -20}}, "population.tiers.high"),
    ],
)
def test_bad_populations_are_refused(
    catalogue: Catalogue, population: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        score(catalogue, MIXED, population=population)
    assert caught.value.errors[0].field == field


def test_an_all_low_risk_population_gets_no_tiered_hybrid(catalogue: Catalogue) -> None:
    result = score(catalogue, MIXED, population={"size": 5000, "tiers": {"low": 100}})
    assert not [h for h in result.hybrids if h.kind == "tiered"]
    assert result.staffing is not None and result.staffing.patients == 5000


def test_a_large_high_risk_tier_gets_a_tiered_hybrid_whose_staffing_adds_up(
    catalogue: Catalogue,
) -> None:
    population = {"size": 12000, "tiers": {"high": 30, "rising": 20, "low": 50}}
    result = score(catalogue, MIXED, population=population)
    tiered = next(h for h in result.hybrids if h.kind == "tiered")
    assert len(set(tiered.models)) >= 2
    assert [t.tier for t in tiered.tiers] == ["high", "rising", "low"]
    assert [t.patients for t in tiered.tiers] == [3600, 2400, 6000]
    for tier in tiered.tiers:
        caseload = catalogue.model(tier.model).intensity.caseload
        assert tier.case_managers.low == -(-tier.patients // caseload.high)
        assert tier.case_managers.high == -(-tier.patients // caseload.low)
        tier_answers = MIXED | next(t.answers for t in catalogue.tiers if t.id == tier.tier)
        assert tier.model == reference.winner(reference.RAW, tier_answers)
    assert tiered.case_managers is not None
    assert tiered.case_managers.low == sum(t.case_managers.low for t in tiered.tiers)
    assert all(t.handover for t in tiered.tiers)


@st.composite
def tier_shares(draw: st.DrawFn) -> dict[str, float]:
    high = draw(st.floats(0, 100))
    rising = draw(st.floats(0, 100 - high))
    return {"high": high, "rising": rising, "low": 100 - high - rising}


@given(st.integers(1, 1_000_000), tier_shares())
def test_tier_patients_always_add_up(size: int, tiers: dict[str, float]) -> None:
    counts = split(size, tiers)
    assert sum(counts.values()) == size
    assert all(abs(counts[t] - size * s / 100) < 1 for t, s in tiers.items())


def test_the_evidence_behind_the_recommendation_is_stated(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["clinical"])
    assert result.evidence is not None
    assert (result.evidence.model, result.evidence.grade, result.evidence.grade_to) == (
        "clinical",
        "low",
        "high",
    )
    assert "heart-failure" in result.evidence.text
