"""Tiered hybrids on a catalogue small enough to work out by hand: which tiers count, the
title, parts, rationale and staffing the proposal reads."""

from cm_advisor.engine import HybridProposal, score
from cm_advisor.engine.results import StaffRange, TierPlan
from cm_advisor.engine.types import HybridPart
from helpers import reference
from helpers.tiny import build, raw


def _tier(tier_id: str, risk: str) -> dict[str, object]:
    return {
        "id": tier_id,
        "label": f"{tier_id.capitalize()} risk",
        "description": f"The {tier_id}-risk patients.",
        "answers": {"risk": risk},
        "handover": f"{tier_id.capitalize()} hands over.",
    }


# Each level of risk has its own model: lo alpha, mid beta, hi gamma (+2 each).
TIERED = build(
    {
        "risk": {"lo": (2, 0, 0), "mid": (0, 2, 0), "hi": (0, 0, 2)},
        "q2": {"x": (0, 0, 0), "y": (1, 1, 1)},
    },
    tiers=(_tier("high", "hi"), _tier("rising", "mid"), _tier("low", "lo")),
    caseloads={"alpha": (50, 100), "beta": (20, 40), "gamma": (5, 10)},
)
ANSWERS = {"risk": "mid", "q2": "y"}


def _tiered(tiers: dict[str, float], size: int = 12345) -> HybridProposal | None:
    result = score(TIERED, ANSWERS, population={"size": size, "tiers": tiers})
    return next((h for h in result.hybrids if h.kind == "tiered"), None)


def test_a_tiered_design_reads_tier_by_tier() -> None:
    """12,345 patients: 0.5 % high is 61.725 and 99.5 % low 12,283.275; the one patient
    the rounding down leaves goes to the larger remainder (high). The rising tier, with
    no patients, is left out. Gamma takes 62 at 5-10 each, alpha 12,283 at 50-100."""
    tiered = _tiered({"high": 0.5, "rising": 0, "low": 99.5})
    assert tiered == HybridProposal(
        id="tiered",
        kind="tiered",
        models=("gamma", "alpha"),
        title="Tiered design: Gamma for high risk, Alpha for low risk",
        rationale=(
            "Scored tier by tier, your population is best served by different models at "
            "different levels of risk. Each tier gets the model that fits it, and patients "
            "move between tiers as their needs change: High hands over. Low hands over."
        ),
        parts=(
            HybridPart(model="gamma", population="High risk: 62 patients"),
            HybridPart(model="alpha", population="Low risk: 12,283 patients"),
        ),
        tiers=(
            TierPlan(
                tier="high",
                label="High risk",
                share=0.5,
                model="gamma",
                patients=62,
                case_managers=StaffRange(low=7, high=13),
                handover="High hands over.",
            ),
            TierPlan(
                tier="low",
                label="Low risk",
                share=99.5,
                model="alpha",
                patients=12283,
                case_managers=StaffRange(low=123, high=246),
                handover="Low hands over.",
            ),
        ),
        case_managers=StaffRange(low=130, high=259),
    )
    for plan in tiered.tiers:
        answers = ANSWERS | {"risk": {"high": "hi", "low": "lo"}[plan.tier]}
        assert plan.model == reference.winner(raw(TIERED), answers)


def test_every_tier_with_patients_is_a_part_in_the_catalogue_s_order() -> None:
    tiered = _tiered({"low": 50, "high": 20, "rising": 30}, size=1000)
    assert tiered is not None
    assert [(t.tier, t.model, t.patients) for t in tiered.tiers] == [
        ("high", "gamma", 200),
        ("rising", "beta", 300),
        ("low", "alpha", 500),
    ]
    assert tiered.models == ("gamma", "beta", "alpha")
    assert tiered.title == (
        "Tiered design: Gamma for high risk, Beta for rising risk, Alpha for low risk"
    )
    assert tiered.rationale.endswith(
        "as their needs change: High hands over. Rising hands over. Low hands over."
    )


def test_tiers_that_one_model_serves_are_no_tiered_design() -> None:
    """Risk lo and its tier both go to alpha: one model, so nothing to tier."""
    assert _tiered({"rising": 0, "low": 100}) is None
    assert _tiered({"low": 100}) is None
