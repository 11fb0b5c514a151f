"""Hybrid designs: the catalogue's hybrids whose conditions match, and the blend offered
when the top two are close, read word for word."""

from typing import Any

import pytest

from cm_advisor.engine import HybridProposal, score
from cm_advisor.engine.hybrids import propose
from cm_advisor.engine.types import HybridPart
from helpers.tiny import build


def _hybrid(hybrid_id: str, models: tuple[str, str], *when: dict[str, list[str]]) -> Any:
    return {
        "id": hybrid_id,
        "title": f"{hybrid_id} title",
        "when": list(when),
        "parts": [{"model": m, "population": f"{m} patients"} for m in models],
        "rationale": f"{hybrid_id} rationale.",
    }


# q1=a: alpha 2, beta 1 (the reason "fit 1"); q1=b: alpha 1, beta 0 (beta has no reason).
HYBRIDS = build(
    {"q1": {"a": (2, 1, 0), "b": (1, 0, 0)}, "q2": {"x": (0, 0, 0), "y": (0, 0, 0)}},
    hybrids=(
        _hybrid("alpha_gamma", ("alpha", "gamma"), {"q2": ["x"]}),
        _hybrid("beta_alpha", ("beta", "alpha"), {"q2": ["y"]}, {"q1": ["b"]}),
    ),
)


def _proposals(answers: dict[str, str], lead: float) -> list[HybridProposal]:
    result = score(HYBRIDS, answers)
    return propose(HYBRIDS, result.answers, result.ranking, lead)


def _blend(lead: str, borrow: str) -> HybridProposal:
    return HybridProposal(
        id="blend_alpha_beta",
        kind="close_call",
        models=("alpha", "beta"),
        title="Blend Alpha and Beta",
        rationale=(
            f"Alpha and Beta are only {lead} points apart, so your answers do not separate "
            "them clearly. Rather than forcing a choice, run Alpha as the main model and "
            f"borrow from Beta where its strengths match your population{borrow}"
        ),
        parts=(
            HybridPart(model="alpha", population="The alpha model."),
            HybridPart(model="beta", population="The beta model."),
        ),
    )


ALPHA_GAMMA = HybridProposal(
    id="alpha_gamma",
    kind="mixed_population",
    models=("alpha", "gamma"),
    title="alpha_gamma title",
    rationale="alpha_gamma rationale.",
    parts=(
        HybridPart(model="alpha", population="alpha patients"),
        HybridPart(model="gamma", population="gamma patients"),
    ),
)


@pytest.mark.parametrize(
    ("lead", "blend"), [(4.99, True), (3.26, True), (0.0, True), (5.0, False), (12.5, False)]
)
def test_a_blend_of_the_top_two_comes_first_when_they_are_under_five_points_apart(
    lead: float, blend: bool
) -> None:
    """q2=x matches alpha_gamma, which does not combine the top two (alpha, beta)."""
    found = _proposals({"q1": "a", "q2": "x"}, lead)
    if blend:
        assert found == [_blend(f"{lead:.1f}", ": fit 1"), ALPHA_GAMMA]
    else:
        assert found == [ALPHA_GAMMA]


def test_a_blend_borrows_a_reason_only_where_the_second_model_has_one() -> None:
    """q1=b gives beta nothing; it also matches beta_alpha's second alternative, which
    already combines the top two, so no blend is offered."""
    result = score(HYBRIDS, {"q1": "b", "q2": "x"})
    assert [m.model for m in result.ranking][:2] == ["alpha", "beta"]
    found = propose(HYBRIDS, {"q2": "x"}, result.ranking, 3.26)
    assert found == [_blend("3.3", "."), ALPHA_GAMMA]
    assert [h.id for h in propose(HYBRIDS, result.answers, result.ranking, 3.26)] == [
        "alpha_gamma",
        "beta_alpha",
    ]
