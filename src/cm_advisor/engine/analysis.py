"""The whole recommendation: ranking, verdict, explanations, hybrids, robustness and what-if."""

from __future__ import annotations

from collections.abc import Mapping

from cm_advisor import __version__
from cm_advisor.engine import hybrids
from cm_advisor.engine.answers import CheckedInput, check_input
from cm_advisor.engine.explain import explain, fit_label
from cm_advisor.engine.ranking import Scored
from cm_advisor.engine.ranking import score as score_answers
from cm_advisor.engine.results import EvidenceNote, ModelScore, Population, Result
from cm_advisor.engine.robustness import robustness
from cm_advisor.engine.tiers import staffing, tiered_hybrid
from cm_advisor.engine.types import Catalogue
from cm_advisor.engine.verdict import read
from cm_advisor.engine.whatif import what_if


def score(
    catalogue: Catalogue,
    answers: Mapping[str, object],
    weights: Mapping[str, object] | None = None,
    population: Mapping[str, object] | Population | None = None,
) -> Result:
    """Rank every model for these answers; raise InvalidInput naming every bad input."""
    return score_checked(catalogue, check_input(catalogue, answers, weights, population))


def score_checked(catalogue: Catalogue, checked: CheckedInput) -> Result:
    """Rank every model for input that check_input has already accepted."""
    scored = score_answers(catalogue, checked.answers, checked.weights)
    ranking = _ranking(catalogue, scored)
    counted = [q for q in catalogue.questionnaire.questions if checked.weights[q.id] > 0]
    unanswered = tuple(q.id for q in counted if q.id not in checked.answers)
    robust = robustness(catalogue, scored)
    winner = scored.winner
    second = ranking[1].model if len(ranking) > 1 else None
    reading = read(
        catalogue,
        winner,
        second,
        scored.lead,
        len(counted) - len(unanswered),
        len(counted),
        robust.first_place_share[winner],
    )
    proposals = hybrids.propose(catalogue, checked.answers, ranking, scored.lead)
    population = checked.population
    if population is not None and population.tiers:
        tiered = tiered_hybrid(catalogue, scored, population)
        proposals = [tiered, *proposals] if tiered else proposals
    return Result(
        ranking=ranking,
        recommended=winner,
        confidence=reading.confidence,
        confidence_reason=reading.confidence_reason,
        verdict=reading.verdict,
        headline=reading.headline,
        hybrids=tuple(proposals),
        answers=checked.answers,
        weights=checked.weights,
        unanswered=unanswered,
        robustness=robust,
        what_if=tuple(what_if(catalogue, scored)),
        evidence=_evidence(catalogue, winner),
        population=population,
        staffing=staffing(catalogue, winner, population.size) if population else None,
        catalogue_version=catalogue.version,
        catalogue_hash=catalogue.content_hash,
        engine_version=__version__,
    )


def _ranking(catalogue: Catalogue, scored: Scored) -> tuple[ModelScore, ...]:
    explained = explain(catalogue, scored)
    models = scored.table.models
    scores = scored.scores.tolist()
    return tuple(
        ModelScore(
            model=models[m],
            name=catalogue.model(models[m]).name,
            rank=rank,
            score=round(scores[m], 1),
            fit=fit_label(scores[m]),
            reasons=explained[m].reasons,
            concerns=explained[m].concerns,
            behind_top=explained[m].behind_top,
            contributions=explained[m].contributions,
        )
        for rank, m in enumerate(scored.order, start=1)
    )


def _evidence(catalogue: Catalogue, model_id: str) -> EvidenceNote | None:
    strength = catalogue.model(model_id).evidence_strength
    if strength is None:
        return None
    return EvidenceNote(
        model=model_id, grade=strength.grade, grade_to=strength.grade_to, text=strength.summary
    )
