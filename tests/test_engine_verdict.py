"""The verdict and the confidence at each documented threshold (docs/catalogue.md).

The numbers are written out here rather than read from verdict.py, so changing a
threshold in the code without changing what is documented fails these tests."""

import pytest

from cm_advisor.engine import Catalogue, score
from cm_advisor.engine.verdict import read
from helpers.tiny import build


def reading(catalogue: Catalogue, lead: float, answered: int = 16, share: float = 1.0):  # type: ignore[no-untyped-def]
    return read(catalogue, "brokerage", "clinical", lead, answered, 16, share)


@pytest.mark.parametrize(
    ("lead", "verdict"),
    [(0.0, "tie"), (0.99, "tie"), (1.0, "close"), (4.99, "close"), (5.0, "clear"), (30.0, "clear")],
)
def test_a_lead_under_one_point_is_a_tie_and_under_five_a_close_call(
    catalogue: Catalogue, lead: float, verdict: str
) -> None:
    assert reading(catalogue, lead).verdict == verdict


@pytest.mark.parametrize(
    ("answered", "verdict"), [(0, "insufficient"), (7, "insufficient"), (8, "clear")]
)
def test_fewer_than_half_the_questions_answered_recommends_nothing(
    catalogue: Catalogue, answered: int, verdict: str
) -> None:
    found = reading(catalogue, 10.0, answered=answered)
    assert found.verdict == verdict
    if verdict == "insufficient":
        assert found.confidence == "low"
        assert f"{answered} of 16 questions answered" in found.headline


@pytest.mark.parametrize(
    ("lead", "answered", "share", "confidence"),
    [
        (8.0, 15, 0.8, "high"),  # every bar met exactly
        (7.99, 15, 0.8, "medium"),  # lead under 8
        (8.0, 14, 0.8, "medium"),  # two questions unanswered
        (8.0, 15, 0.79, "medium"),  # first in under 80% of weightings
        (3.0, 16, 0.5, "medium"),
        (2.99, 16, 1.0, "low"),  # lead under 3
        (10.0, 16, 0.49, "low"),  # first in under half the weightings
        (0.5, 16, 1.0, "low"),  # a tie
    ],
)
def test_confidence_thresholds(
    catalogue: Catalogue, lead: float, answered: int, share: float, confidence: str
) -> None:
    assert reading(catalogue, lead, answered, share).confidence == confidence


def test_the_headline_says_what_the_verdict_means(catalogue: Catalogue) -> None:
    tie = reading(catalogue, 0.2).headline
    assert "Brokerage model and Clinical case management fit about equally" in tie
    assert "narrowly ahead of Clinical case management" in reading(catalogue, 2.0).headline
    assert (
        reading(catalogue, 9.0).headline == "Brokerage model is the best fit for your organization."
    )


# Found by search: collaborative and strengths-based both score 60.8 (exactly level).
LEVEL = {
    "acuity": "moderate",
    "complex_needs": "most",
    "support_duration": "years",
    "high_utilization": "rare",
    "social_support": "varied",
    "population_size": "large",
    "staffing": "ample",
    "staff_mix": "clinical",
    "training_capacity": "high",
    "team_infrastructure": "mature",
    "clinical_oversight": "high",
    "community_services": "moderate",
    "behavioral_health": "none",
    "practice_approach": "assertive_outreach",
    "budget": "constrained",
}


def test_an_exact_tie_reads_as_a_tie_and_leads_with_the_blend(catalogue: Catalogue) -> None:
    result = score(catalogue, LEVEL)
    first, second = result.ranking[0], result.ranking[1]
    assert first.score == second.score
    assert result.verdict == "tie"
    assert result.confidence == "low"
    assert "fit about equally" in result.headline
    blend = result.hybrids[0]
    assert (blend.kind, blend.models) == ("close_call", (first.model, second.model))
    # The blend borrows from the second model in the second model's own words.
    assert second.reasons and second.reasons[0] in blend.rationale


# q1 (weight 1) gives alpha 2, beta 1; q2 and q3 (weight 3) give nothing; q4 counts for
# nothing. Alpha leads by 25 × 1 / 7 = 3.6 points: a close call, every counted question
# answered.
CLOSE = {
    "q1": {"a": (2, 1, 0), "b": (0, 0, 0)},
    "q2": {"x": (0, 0, 0), "y": (0, 0, 0)},
    "q3": {"x": (0, 0, 0), "y": (0, 0, 0)},
    "q4": {"x": (0, 0, 0), "y": (0, 0, 0)},
}
WEIGHTS = {"q2": 3, "q3": 3, "q4": 0}


@pytest.mark.parametrize("models", [("alpha", "beta", "gamma"), ("alpha", "beta")])
def test_a_scored_close_call_names_the_runner_up(models: tuple[str, ...]) -> None:
    fits = {q: {o: f[: len(models)] for o, f in opts.items()} for q, opts in CLOSE.items()}
    result = score(build(fits, models), {"q1": "a", "q2": "x", "q3": "x"}, WEIGHTS)
    assert result.unanswered == ()  # q4 counts for nothing, so it is not missing
    assert result.verdict == "close"
    assert result.headline == "Alpha fits best, narrowly ahead of Beta."
    assert result.confidence_reason.endswith("with 0 of 3 questions unanswered.")


@pytest.mark.parametrize(
    ("lead", "share", "answered", "start"),
    [
        (9.0, 0.9, 16, "Clear lead: the top model leads by 9.0 points, it comes first in 90% of"),
        (5.0, 0.7, 12, "A moderate lead: the top model leads by 5.0 points, it comes first in 70%"),
        (2.0, 0.6, 16, "The top models are nearly level: the top model leads by 2.0 points and it"),
    ],
)
def test_the_confidence_reason_gives_the_lead_and_the_share_in_words(
    catalogue: Catalogue, lead: float, share: float, answered: int, start: str
) -> None:
    """The sentence people read beside the confidence badge, word for word at its start."""
    reading = read(catalogue, "clinical", "brokerage", lead, answered, 16, share)
    assert reading.confidence_reason.startswith(start), reading.confidence_reason
    assert "weightings we tried" in reading.confidence_reason
