"""Robustness, what-if and tiered hybrids: the analyses a consultant has to defend."""

from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cm_advisor.engine import Catalogue, InvalidInput, robustness, score
from cm_advisor.engine.answers import check_input
from cm_advisor.engine.batch import changes
from cm_advisor.engine.robustness import (
    SAMPLES,
    _clamped_scores,
    _factors,
    first_place_shares,
)
from cm_advisor.engine.tiers import split
from cm_advisor.engine.whatif import SURE_LEAD
from helpers.archetypes import ARCHETYPES, MIXED
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
    assert all(0 <= s <= 1 for s in shares.values())
    again = first_place_shares(CATALOGUE.table.frame(result.answers, result.weights))
    assert again == shares


@given(answer_sets(), weight_sets)
@example({}, {})  # every model at 50 in every sample: the tie-break decides alone
@settings(max_examples=60)
def test_the_one_product_shares_match_scoring_every_sample_the_plain_way(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    """The shares come from one product of scaled scores; scored the plain way (each
    sample divided by its total, clamped, ties broken by offsets) they agree to within
    two samples in 2,000."""
    checked = check_input(CATALOGUE, answers, weights)
    frame = CATALOGUE.table.frame(checked.answers, checked.weights)
    shares = first_place_shares(frame)
    plain = _clamped_scores(frame, _factors(SAMPLES, len(frame.w))).argmax(axis=0)
    counts = np.bincount(plain, minlength=len(CATALOGUE.model_ids))
    for model, count in zip(CATALOGUE.model_ids, counts.tolist(), strict=True):
        assert abs(shares[model] - count / SAMPLES) <= 2 / SAMPLES, model


def test_scores_equal_at_the_top_of_a_sample_go_to_the_first_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the tie-break offsets and with every question ignored, every model scores
    exactly 50 in every sample: the count of best scores would be five per sample, so
    the shares fall back to the first of equals rather than counting a sample five times."""
    monkeypatch.setattr(robustness, "_tie_offsets", lambda frame: np.zeros(len(frame.flags)))
    ignored = dict.fromkeys(CATALOGUE.table.questions, 0.0)
    checked = check_input(CATALOGUE, {}, ignored)
    shares = first_place_shares(CATALOGUE.table.frame(checked.answers, checked.weights))
    first = CATALOGUE.table.models[0]
    assert shares == {m: 1.0 if m == first else 0.0 for m in CATALOGUE.table.models}


def test_a_clear_archetype_is_robust(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["brokerage"])
    assert result.robustness is not None
    assert result.robustness.first_place_share["brokerage"] > 0.95
    assert "Brokerage model ranks first in" in result.robustness.text


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
    changed = score(CATALOGUE, answers, {**result.weights, critical.question: critical.weight_to})
    assert changed.recommended == critical.model != result.recommended


@given(answer_sets(), weight_sets)
@settings(max_examples=60)
def test_every_what_if_change_really_changes_the_winner(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    result = score(CATALOGUE, answers, weights)
    for proposal in result.what_if:
        assert 1 <= len(proposal.changes) <= 2
        assert proposal.model != result.recommended
        changed = score(CATALOGUE, result.answers | proposal.changes, result.weights)
        assert changed.recommended == proposal.model, proposal.text


@given(answer_sets(), weight_sets)
@settings(max_examples=40)
def test_the_batch_scores_every_change_as_rescoring_it_would(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    """Every one- and two-answer variant, not only the proposals: the batch's scores are
    the ranking's to the ninth decimal (pairs add up as two singles, and red flags that
    both changes decide are worked out together), and so is its winner, unless the
    lead is too small to be sure of (then what-if re-scores before proposing)."""
    checked = check_input(CATALOGUE, answers, weights)
    table = CATALOGUE.table
    found = CATALOGUE.batch.variants(table.frame(checked.answers, checked.weights))
    for i in found.possible().tolist():
        changed = changes(CATALOGUE.batch, found, i)
        exact, flags = table.scores(checked.answers | changed, checked.weights)
        assert found.scores[i].tolist() == pytest.approx(exact, abs=2e-9), changed
        *_, second, first = sorted(exact)
        if first - second >= SURE_LEAD:
            assert int(found.best[i]) == table.first(exact, flags), changed


@given(answer_sets(), weight_sets)
@settings(max_examples=40)
def test_what_if_finds_the_fewest_changes_for_every_model_that_can_be_reached(
    answers: dict[str, Any], weights: dict[str, float]
) -> None:
    """Against every one- and two-answer change scored the ranking's own way: a model
    gets a proposal exactly when some change puts it first, and the proposal moves
    as few answers, then as few steps along their scales, as any such change."""
    result = score(CATALOGUE, answers, weights)
    table, base = CATALOGUE.table, result.answers
    options = [
        (q.id, option, abs(q.option_ids.index(option) - q.option_ids.index(str(base[q.id]))))
        for q in CATALOGUE.questionnaire.questions
        if q.kind == "single" and q.id in base and result.weights[q.id] > 0
        for option in q.option_ids
        if option != base[q.id]
    ]
    singles = [((q, o),) for q, o, _ in options]
    pairs = [
        ((qa, oa), (qb, ob))
        for n, (qa, oa, _) in enumerate(options)
        for qb, ob, _ in options[n + 1 :]
        if qa != qb
    ]
    steps = {(q, o): cost for q, o, cost in options}
    cheapest: dict[str, tuple[int, int]] = {}
    for change in [*singles, *pairs]:
        exact, flags = table.scores(base | dict(change), result.weights)
        model = table.models[table.first(exact, flags)]
        cost = (len(change), sum(steps[c] for c in change))
        if model != result.recommended and cost < cheapest.get(model, (3, 0)):
            cheapest[model] = cost
    proposed = {
        w.model: (len(w.changes), sum(steps[c] for c in w.changes.items())) for w in result.what_if
    }
    assert proposed == cheapest


def test_what_if_prefers_one_change_and_says_it_plainly(catalogue: Catalogue) -> None:
    result = score(catalogue, ARCHETYPES["clinical"])
    assert result.what_if
    first = result.what_if[0]
    assert first.text.startswith("If ")
    assert catalogue.model(first.model).name in first.text
    models = [w.model for w in result.what_if]
    assert len(models) == len(set(models))


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
    assert sum(t.patients for t in tiered.tiers) == 12000
    assert [t.patients for t in tiered.tiers] == [3600, 2400, 6000]
    for tier in tiered.tiers:
        caseload = catalogue.model(tier.model).intensity.caseload
        assert tier.case_managers.low == -(-tier.patients // caseload.high)
        assert tier.case_managers.high == -(-tier.patients // caseload.low)
    assert tiered.case_managers is not None
    assert tiered.case_managers.low == sum(t.case_managers.low for t in tiered.tiers)
    assert tiered.case_managers.high == sum(t.case_managers.high for t in tiered.tiers)
    assert tiered.tiers[0].model == "intensive"
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
    result = score(CATALOGUE, MIXED, population={"size": size, "tiers": tiers})
    for hybrid in result.hybrids:
        if hybrid.kind == "tiered":
            assert sum(t.patients for t in hybrid.tiers) == size
