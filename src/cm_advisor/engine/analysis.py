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
    frame = catalogue.table.frame(checked.answers, checked.weights)
    models = frame.table.models
    explained = scoring.explain(catalogue, frame)
    ranking = tuple(
        ModelScore(
            model=models[i],
            name=catalogue.model(models[i]).name,
            rank=rank,
            score=round(frame.scores[i], 1),
            fit=scoring.fit_label(frame.scores[i]),
            reasons=explained[i].reasons,
            concerns=explained[i].concerns,
            behind_top=explained[i].behind_top,
            contributions=explained[i].contributions,
        )
        for rank, i in enumerate(frame.order, start=1)
    )
    margin = frame.lead if len(models) > 1 else 100.0
    unanswered = tuple(
        q.id
        for q in catalogue.questionnaire.questions
        if q.id not in checked.answers and checked.weights[q.id] > 0
    )
    robust = robustness(catalogue, frame)
    winner = frame.winner
    level, why = confidence(
        margin,
        len(unanswered),
        len(catalogue.questionnaire.questions),
        robust.first_place_share[winner],
    )
    proposals = hybrids.propose(catalogue, checked.answers, ranking, margin)
    pop = checked.population
    if pop is not None and pop.tiers:
        tiered = tiered_hybrid(catalogue, frame, pop)
        proposals = [tiered, *proposals] if tiered else proposals
    return Result(
        ranking=ranking,
        recommended=winner,
        confidence=level,
        confidence_reason=why,
        hybrids=tuple(proposals),
        answers=checked.answers,
        weights=checked.weights,
        unanswered=unanswered,
        robustness=robust,
        what_if=tuple(what_if(catalogue, frame)),
        population=pop,
        staffing=staffing(catalogue, winner, pop.size) if pop else None,
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
