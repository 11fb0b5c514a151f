"""Tiered hybrids: score each risk tier on its own and size the staff for the design."""

from __future__ import annotations

import math
from collections.abc import Mapping

from cm_advisor.engine.ranking import Scored
from cm_advisor.engine.results import HybridProposal, Population, Staffing, StaffRange, TierPlan
from cm_advisor.engine.types import Catalogue, HybridPart


def staff_for(catalogue: Catalogue, model_id: str, patients: int) -> StaffRange:
    """Case managers needed: patients over the caseload range (busiest to lightest)."""
    caseload = catalogue.model(model_id).intensity.caseload
    return StaffRange(
        low=math.ceil(patients / caseload.high), high=math.ceil(patients / caseload.low)
    )


def staffing(catalogue: Catalogue, model_id: str, patients: int) -> Staffing:
    caseload = catalogue.model(model_id).intensity.caseload
    return Staffing(
        model=model_id,
        patients=patients,
        case_managers=staff_for(catalogue, model_id, patients),
        caseload_low=caseload.low,
        caseload_high=caseload.high,
        assumption=caseload.assumption,
    )


def split(size: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Patients per tier, rounded so that they add up to the population exactly."""
    exact = {t: size * s / 100 for t, s in shares.items()}
    counts = {t: math.floor(v) for t, v in exact.items()}
    left = size - sum(counts.values())
    for t in sorted(exact, key=lambda t: counts[t] - exact[t])[:left]:
        counts[t] += 1
    return counts


def tiered_hybrid(
    catalogue: Catalogue, scored: Scored, population: Population
) -> HybridProposal | None:
    """A tiered design when the tiers of this population are best served by different models."""
    shares = {t.id: population.tiers.get(t.id, 0.0) for t in catalogue.tiers}
    patients = split(population.size, shares)
    plans = []
    for tier in catalogue.tiers:
        if shares[tier.id] <= 0:
            continue
        model_id = scored.with_answers(tier.answers).winner
        plans.append(
            TierPlan(
                tier=tier.id,
                label=tier.label,
                share=shares[tier.id],
                model=model_id,
                patients=patients[tier.id],
                case_managers=staff_for(catalogue, model_id, patients[tier.id]),
                handover=tier.handover,
            )
        )
    models = tuple(dict.fromkeys(p.model for p in plans))
    if len(models) < 2:
        return None
    names = {m: catalogue.model(m).short_name for m in models}
    title = ", ".join(f"{names[p.model]} for {p.label.lower()}" for p in plans)
    return HybridProposal(
        id="tiered",
        kind="tiered",
        models=models,
        title=f"Tiered design: {title}",
        rationale=(
            "Scored tier by tier, your population is best served by different models at "
            "different levels of risk. Each tier gets the model that fits it, and patients "
            "move between tiers as their needs change: " + " ".join(p.handover for p in plans)
        ),
        parts=tuple(
            HybridPart(model=p.model, population=f"{p.label}: {p.patients:,} patients")
            for p in plans
        ),
        tiers=tuple(plans),
        case_managers=StaffRange(
            low=sum(p.case_managers.low for p in plans),
            high=sum(p.case_managers.high for p in plans),
        ),
    )
