"""Hybrid designs: the catalogue's hybrids whose conditions match, and a blend of the top
two models when they are close."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cm_advisor.engine.compiled import Alternative, compile_condition, matching, per_catalogue
from cm_advisor.engine.results import AnswerValue, HybridProposal, ModelScore
from cm_advisor.engine.types import Catalogue, HybridPart
from cm_advisor.engine.verdict import CLOSE_POINTS


@per_catalogue
def _conditions(catalogue: Catalogue) -> tuple[tuple[Alternative, ...], ...]:
    """Each catalogue hybrid's condition, compiled."""
    return tuple(compile_condition(h.when) for h in catalogue.hybrids)


def propose(
    catalogue: Catalogue,
    answers: Mapping[str, AnswerValue],
    ranking: Sequence[ModelScore],
    lead: float,
) -> list[HybridProposal]:
    """Catalogue hybrids whose conditions match, after a blend of the top two if they are
    close (unless a matching hybrid already combines those two)."""
    found = [
        HybridProposal(
            id=template.id,
            kind="mixed_population",
            models=tuple(p.model for p in template.parts),
            title=template.title,
            rationale=template.rationale,
            parts=template.parts,
        )
        for template, condition in zip(catalogue.hybrids, _conditions(catalogue), strict=True)
        if matching(condition, answers) is not None
    ]
    if len(ranking) >= 2 and lead < CLOSE_POINTS:
        top = {ranking[0].model, ranking[1].model}
        if not any(top <= set(h.models) for h in found):
            found.insert(0, _close_call(catalogue, ranking[0], ranking[1], lead))
    return found


def _close_call(
    catalogue: Catalogue, first: ModelScore, second: ModelScore, lead: float
) -> HybridProposal:
    a, b = catalogue.model(first.model), catalogue.model(second.model)
    borrow = f": {second.reasons[0]}" if second.reasons else "."
    return HybridProposal(
        id=f"blend_{a.id}_{b.id}",
        kind="close_call",
        models=(a.id, b.id),
        title=f"Blend {a.short_name} and {b.short_name}",
        rationale=(
            f"{a.short_name} and {b.short_name} are only {lead:.1f} points apart, so your "
            f"answers do not separate them clearly. Rather than forcing a choice, run "
            f"{a.short_name} as the main model and borrow from {b.short_name} where its "
            f"strengths match your population{borrow}"
        ),
        parts=(
            HybridPart(model=a.id, population=a.hybrid_role),
            HybridPart(model=b.id, population=b.hybrid_role),
        ),
    )
