"""Hybrid designs: close calls between the top models and mixed populations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cm_advisor.engine.table import passes
from cm_advisor.engine.types import AnswerValue, Catalogue, HybridPart, HybridProposal, ModelScore

CLOSE_CALL_POINTS = 5.0


def propose(
    catalogue: Catalogue,
    answers: Mapping[str, AnswerValue],
    ranking: Sequence[ModelScore],
    margin: float,
) -> list[HybridProposal]:
    """Catalogue hybrids whose conditions match, then a blend of the top two if they are close."""
    found = [
        HybridProposal(
            id=template.id,
            kind="mixed_population",
            models=tuple(p.model for p in template.parts),
            title=template.title,
            rationale=template.rationale,
            parts=template.parts,
        )
        for template, tests in zip(catalogue.hybrids, catalogue.table.hybrids, strict=True)
        if passes(tests, answers)
    ]
    if len(ranking) >= 2 and margin < CLOSE_CALL_POINTS:
        top = (ranking[0].model, ranking[1].model)
        if not any(set(top) <= set(h.models) for h in found):
            found.insert(0, _close_call(catalogue, ranking[0], ranking[1], margin))
    return found


def _close_call(
    catalogue: Catalogue, first: ModelScore, second: ModelScore, margin: float
) -> HybridProposal:
    a, b = catalogue.model(first.model), catalogue.model(second.model)
    return HybridProposal(
        id=f"blend_{a.id}_{b.id}",
        kind="close_call",
        models=(a.id, b.id),
        title=f"Blend {a.short_name} and {b.short_name}",
        rationale=(
            f"{a.short_name} and {b.short_name} are only {margin:.1f} points apart, so your "
            f"answers do not separate them clearly. Rather than forcing a choice, run "
            f"{a.short_name} as the main model and borrow from {b.short_name} where its "
            f"strengths match your population: {first.reasons[0] if first.reasons else ''}"
        ).strip(),
        parts=(
            HybridPart(model=a.id, population=a.hybrid_role),
            HybridPart(model=b.id, population=b.hybrid_role),
        ),
    )
