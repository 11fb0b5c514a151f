"""The whole recommendation: ranking, confidence, hybrids and what was left unanswered."""

from __future__ import annotations

from collections.abc import Mapping

from cm_advisor import __version__
from cm_advisor.engine import hybrids, scoring
from cm_advisor.engine.answers import check_input
from cm_advisor.engine.robustness import robustness
from cm_advisor.engine.tiers import staffing, tiered_hybrid
from cm_advisor.engine.types import Catalogue, ModelScore, Population, Result
from cm_advisor.engine.whatif import what_if

HIGH_MARGIN = 8.0
LOW_MARGIN = 3.0
HIGH_SHARE = 0.8
LOW_SHARE = 0.5


def score(
    catalogue: Catalogue,
    answers: Mapping[str, object],
    weights: Mapping[str, object] | None = None,
    population: Mapping[str, object] | Population | None = None,
) -> Result:
    """Rank every model for these answers; raise InvalidInput if any input is bad."""
    checked = check_input(catalogue, answers, weights, population)
    table = catalogue.table
    scores, flags = table.scores(checked.answers, checked.weights)
    totals = dict(zip(table.models, scores, strict=True))
    order = [table.models[i] for i in table.order(scores, flags)]
    found = {
        m.id: scoring.contributions(catalogue, m, checked.answers, checked.weights)
        for m in catalogue.models
    }
    top = found[order[0]]
    ranking = tuple(
        ModelScore(
            model=mid,
            name=catalogue.model(mid).name,
            rank=rank,
            score=round(totals[mid], 1),
            fit=scoring.fit_label(totals[mid]),
            reasons=scoring.reasons(found[mid]),
            concerns=scoring.concerns(found[mid]),
            behind_top=() if rank == 1 else scoring.behind(catalogue, found[mid], top),
            contributions=tuple(found[mid]),
        )
        for rank, mid in enumerate(order, start=1)
    )
    margin = totals[order[0]] - totals[order[1]] if len(order) > 1 else 100.0
    unanswered = tuple(
        q.id
        for q in catalogue.questionnaire.questions
        if q.id not in checked.answers and checked.weights[q.id] > 0
    )
    robust = robustness(catalogue, checked.answers, checked.weights, order[0])
    level, why = confidence(
        margin,
        len(unanswered),
        len(catalogue.questionnaire.questions),
        robust.first_place_share[order[0]],
    )
    proposals = hybrids.propose(catalogue, checked.answers, ranking, margin)
    pop = checked.population
    if pop is not None and pop.tiers:
        tiered = tiered_hybrid(catalogue, checked.answers, checked.weights, pop)
        proposals = [tiered, *proposals] if tiered else proposals
    return Result(
        ranking=ranking,
        recommended=order[0],
        confidence=level,
        confidence_reason=why,
        hybrids=tuple(proposals),
        answers=checked.answers,
        weights=checked.weights,
        unanswered=unanswered,
        robustness=robust,
        what_if=tuple(what_if(catalogue, checked.answers, checked.weights, order)),
        population=pop,
        staffing=staffing(catalogue, order[0], pop.size) if pop else None,
        catalogue_version=catalogue.version,
        catalogue_hash=catalogue.content_hash,
        engine_version=__version__,
    )


def confidence(margin: float, unanswered: int, questions: int, share: float) -> tuple[str, str]:
    """How far to trust the winner: its lead, how much was answered, how robust it is."""
    lead = f"the top model leads by {margin:.1f} points"
    missing = f"{unanswered} of {questions} questions unanswered"
    robust = f"it ranks first in {share:.0%} of plausible priority settings"
    if unanswered * 2 > questions:
        return "low", f"Only part of the questionnaire was answered ({missing})."
    if margin < LOW_MARGIN or share < LOW_SHARE:
        return "low", f"The top models are nearly level: {lead} and {robust}."
    if margin >= HIGH_MARGIN and unanswered <= 1 and share >= HIGH_SHARE:
        return "high", f"Clear lead: {lead}, {robust}, with {missing}."
    return "medium", f"A moderate lead: {lead}, {robust}, with {missing}."
