"""The whole recommendation: ranking, confidence, hybrids and what was left unanswered."""

from __future__ import annotations

from collections.abc import Mapping

from cm_advisor import __version__
from cm_advisor.engine import hybrids, scoring
from cm_advisor.engine.answers import check_input
from cm_advisor.engine.types import Catalogue, Contribution, ModelScore, Result

HIGH_MARGIN = 8.0
LOW_MARGIN = 3.0


def score(
    catalogue: Catalogue,
    answers: Mapping[str, object],
    weights: Mapping[str, object] | None = None,
) -> Result:
    """Rank every model for these answers; raise InvalidInput if any answer or weight is bad."""
    checked = check_input(catalogue, answers, weights)
    found = {
        m.id: scoring.contributions(catalogue, m, checked.answers, checked.weights)
        for m in catalogue.models
    }
    totals = {mid: scoring.total_score(c) for mid, c in found.items()}
    order = sorted(catalogue.model_ids, key=lambda mid: _rank_key(mid, totals[mid], found[mid]))
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
    level, why = confidence(margin, len(unanswered), len(catalogue.questionnaire.questions))
    return Result(
        ranking=ranking,
        recommended=order[0],
        confidence=level,
        confidence_reason=why,
        hybrids=tuple(hybrids.propose(catalogue, checked.answers, ranking, margin)),
        answers=checked.answers,
        weights=checked.weights,
        unanswered=unanswered,
        catalogue_version=catalogue.version,
        catalogue_hash=catalogue.content_hash,
        engine_version=__version__,
    )


def _rank_key(model_id: str, total: float, found: list[Contribution]) -> tuple[float, int, str]:
    """Higher score first; on a tie, fewer red flags, then the model id alphabetically."""
    return (-total, sum(c.kind == "red_flag" for c in found), model_id)


def confidence(margin: float, unanswered: int, questions: int) -> tuple[str, str]:
    """How far to trust the winner: the lead over the runner-up and how much was answered."""
    lead = f"the top model leads by {margin:.1f} points"
    missing = f"{unanswered} of {questions} questions unanswered"
    if unanswered * 2 > questions:
        return "low", f"Only part of the questionnaire was answered ({missing})."
    if margin < LOW_MARGIN:
        return "low", f"The top two models are nearly level ({lead})."
    if margin >= HIGH_MARGIN and unanswered <= 1:
        return "high", f"Clear lead: {lead}, with {missing}."
    return "medium", f"A moderate lead: {lead}, with {missing}."
