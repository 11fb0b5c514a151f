"""The group profile's rules (docs/groups.md), one by one, and a round of five people in
three roles checked against rescoring with the independent reference."""

from typing import Any

import pytest

from cm_advisor.engine import AnswerValue, Catalogue, Population, check_input, score
from cm_advisor.engine.groups import (
    Consensus,
    Respondent,
    agreement,
    analyse,
    borda,
    consensus,
    median_option,
    plurality,
    population,
    profile,
)
from helpers import reference
from helpers.archetypes import ARCHETYPES
from helpers.tiny import build, raw


def people(
    catalogue: Catalogue, *answer_sets: dict[str, Any], roles: tuple[str, ...] = ()
) -> list[Respondent]:
    return [
        Respondent(check_input(catalogue, answers), roles[i] if i < len(roles) else "")
        for i, answers in enumerate(answer_sets)
    ]


@pytest.mark.parametrize(
    ("chosen", "median"),
    [
        (["low"], "low"),
        (["low", "high", "very_high"], "high"),
        (["low", "moderate", "high", "very_high"], "moderate"),  # even split 1-1: the lower
        (["low", "high", "high", "very_high"], "high"),  # middle pair high-high
        (["moderate", "moderate", "high", "very_high"], "moderate"),  # middle moderate|high, 2 vs 1
        (["low", "moderate", "high", "high"], "high"),  # middle moderate|high, 1 vs 2
    ],
)
def test_the_median_of_ordered_options_and_even_splits(
    catalogue: Catalogue, chosen: list[str], median: str
) -> None:
    assert median_option(catalogue.question("acuity"), chosen) == median


def test_an_unordered_question_takes_the_plurality_and_a_tie_leaves_it_open() -> None:
    assert plurality(["linkage", "patient_goals", "linkage"]) == "linkage"
    assert plurality(["linkage", "patient_goals"]) is None


def test_outcomes_by_borda_count(catalogue: Catalogue) -> None:
    outcomes = catalogue.question("outcomes")
    # cost: 2+1 = 3; quality: 1+2 = 3 (tie, both chosen by two: questionnaire order);
    # housing: 1. The median respondent chose 2, so two outcomes are kept.
    rankings = [["cost", "quality"], ["quality", "cost"], ["housing"]]
    assert borda(outcomes, rankings) == ("cost", "quality")
    # A tie on points goes to the outcome more respondents chose: linkage 2+1 and cost 3
    # tie at 3, but two chose linkage and one cost; housing 1+1 and quality 2 tie at 2, but
    # two chose housing. Lengths 2, 1, 3: the median respondent chose 2.
    rankings = [["linkage", "housing"], ["housing"], ["cost", "quality", "linkage"]]
    assert borda(outcomes, rankings) == ("linkage", "cost")
    # housing 1+1 and quality 2 tie; two chose housing. The median respondent chose one.
    assert borda(outcomes, [["housing"], ["housing"], ["quality", "cost"]]) == ("housing",)


def test_missing_answers_are_not_counted(catalogue: Catalogue) -> None:
    group = profile(
        catalogue, people(catalogue, {"acuity": "low"}, {}, {"acuity": "low", "budget": "flexible"})
    )
    assert group.answers == {"acuity": "low", "budget": "flexible"}


def test_weights_are_the_median_of_everyone_s(catalogue: Catalogue) -> None:
    respondents = [
        Respondent(check_input(catalogue, {}, {"budget": 3})),
        Respondent(check_input(catalogue, {}, {"budget": 0})),
        Respondent(check_input(catalogue, {}, {})),
    ]
    assert profile(catalogue, respondents).weights["budget"] == 1.0  # 0, 1 (default), 3


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([], None),
        ([None, None], None),
        ([{"size": 1000}], {"size": 1000}),
        ([{"size": 1000}, {"size": 3001}], {"size": 2001}),  # median 2000.5: halves round up
        ([{"size": 900}, None, {"size": 1000}, {"size": 5000}], {"size": 1000}),
        # One respondent's tiers are kept as given, unrounded.
        (
            [{"size": 10, "tiers": {"high": 12.25, "rising": 20, "low": 67.75}}],
            {"size": 10, "tiers": {"high": 12.25, "rising": 20, "low": 67.75}},
        ),
        # Medians 10, 20, 60 add up to 90: scaled by 100/90 and rounded to one decimal,
        # 11.1 + 22.2 + 66.7 = 100.0 (66.67 takes the rounding left over).
        (
            [
                {"size": 10, "tiers": {"high": 5, "rising": 20, "low": 75}},
                {"size": 10, "tiers": {"high": 10, "rising": 30, "low": 60}},
                {"size": 10, "tiers": {"high": 30, "rising": 10, "low": 60}},
            ],
            {"size": 10, "tiers": {"high": 11.1, "rising": 22.2, "low": 66.7}},
        ),
        # A tier left out counts as 0; one nobody named stays out; a respondent who gave
        # no tiers counts for the size only.
        (
            [
                {"size": 10, "tiers": {"high": 50, "low": 50}},
                {"size": 20, "tiers": {"high": 100}},
                {"size": 30},
            ],
            {"size": 20, "tiers": {"high": 75, "low": 25}},
        ),
    ],
)
def test_the_population_is_the_median_size_and_the_median_tiers_scaled_to_100(
    catalogue: Catalogue, given: list[dict[str, Any] | None], expected: dict[str, Any] | None
) -> None:
    found = population(catalogue, [None if g is None else Population(**g) for g in given])
    assert found == (None if expected is None else Population(**expected))
    if found is not None and found.tiers:
        assert sum(found.tiers.values()) == pytest.approx(100)


def test_one_respondent_gives_the_same_result_as_a_single_assessment(catalogue: Catalogue) -> None:
    answers = ARCHETYPES["collaborative"]
    alone = analyse(catalogue, people(catalogue, answers))
    assert alone.result == score(catalogue, answers)
    tiers = {"size": 12000, "tiers": {"high": 5, "rising": 20, "low": 75}}
    checked = check_input(catalogue, answers, {"budget": 2}, tiers)
    assert analyse(catalogue, [Respondent(checked)]).result == score(
        catalogue, answers, {"budget": 2}, tiers
    )
    assert alone.consensus.share_agreeing == 1.0
    assert alone.consensus.average_winner == alone.result.recommended
    assert all(not q.decisive for q in alone.questions)


# Five people in three roles who agree on everything but acuity and staff mix.
SHARED = dict(ARCHETYPES["clinical"])
ROUND = [
    ("Executive", {"acuity": "very_high", "staff_mix": "non_clinical"}),
    ("Executive", {"acuity": "moderate", "staff_mix": "clinical"}),
    ("Nursing", {"acuity": "very_high", "staff_mix": "mixed"}),
    ("Nursing", {"acuity": "moderate", "staff_mix": "mixed"}),
    ("Finance", {"acuity": "low", "staff_mix": "clinical"}),
]


def test_a_round_lists_exactly_its_disagreements_and_which_change_the_winner(
    catalogue: Catalogue,
) -> None:
    respondents = people(
        catalogue, *(SHARED | changes for _, changes in ROUND), roles=tuple(r for r, _ in ROUND)
    )
    view = analyse(catalogue, respondents)
    # acuity: low, moderate, moderate, very high, very high -> median moderate;
    # staff mix: non-clinical, mixed, mixed, clinical, clinical -> median mixed.
    assert view.result.answers["acuity"] == "moderate"
    assert view.result.answers["staff_mix"] == "mixed"
    disagreements = {q.question for q in view.questions if q.agreement != "everyone"}
    assert disagreements == {"acuity", "staff_mix"}
    # Only the staff-mix disagreement changes the winner: with non-clinical staff, the
    # clinical model's red flag lets collaborative come first.
    assert [q.question for q in view.questions if q.decisive] == ["staff_mix"]
    group = dict(view.result.answers)
    for q in view.questions:
        expected = []
        for role_answer in dict.fromkeys(
            a for _, a in q.answers if a is not None and a != q.group_answer
        ):
            winner = reference.winner(
                reference.RAW, group | {q.question: role_answer}, view.result.weights
            )
            if winner != view.result.recommended:
                expected.append((role_answer, winner))
        assert list(q.decisive) == expected, q.question
    first = view.questions[0]
    assert first.decisive or not any(q.decisive for q in view.questions)  # decisive ones first
    roles = [role for role, _ in view.questions[0].answers]
    assert roles == ["Executive", "Executive", "Nursing", "Nursing", "Finance"]
    own = [reference.winner(reference.RAW, SHARED | changes) for _, changes in ROUND]
    assert list(view.consensus.own_first) == own
    assert view.consensus.share_agreeing == sum(o == view.result.recommended for o in own) / 5


def test_averaging_scores_can_disagree_with_scoring_the_profile(catalogue: Catalogue) -> None:
    """Two people at opposite ends: the profile takes the lower middle of each question,
    while averaging their own scores weighs both ends; the view reports both winners."""
    respondents = people(catalogue, ARCHETYPES["brokerage"], ARCHETYPES["intensive"])
    view = analyse(catalogue, respondents)
    assert set(view.consensus.own_first) == {"brokerage", "intensive"}
    averages = {
        m: (
            reference.scores(reference.RAW, ARCHETYPES["brokerage"])[m]
            + reference.scores(reference.RAW, ARCHETYPES["intensive"])[m]
        )
        / 2
        for m in catalogue.model_ids
    }
    assert view.consensus.average_winner == max(averages, key=lambda m: averages[m])


def test_an_empty_group_is_refused(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match="at least one respondent"):
        analyse(catalogue, [])


def test_an_unordered_question_split_evenly_stays_unanswered_in_the_profile(
    catalogue: Catalogue,
) -> None:
    """practice_approach has no order: a 1-1 split is no majority (an ordered question
    would take the lower of the two)."""
    group = profile(
        catalogue,
        people(
            catalogue,
            {"practice_approach": "linkage", "acuity": "low"},
            {"practice_approach": "patient_goals", "acuity": "high"},
        ),
    )
    assert group.answers == {"acuity": "low"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # Medians 0.5 (high), 0 and 0 add up to 0.5, still above 0: scaled to 100.
        (
            [
                {"size": 10, "tiers": {"high": 100}},
                {"size": 10, "tiers": {"high": 0.5, "low": 99.5}},
                {"size": 10, "tiers": {"rising": 100}},
            ],
            {"size": 10, "tiers": {"high": 100.0, "rising": 0.0, "low": 0.0}},
        ),
        # Medians 25, 25.5 and 50 add up to 100.5: 24.9 + 25.4 + 49.8 = 100.1, so the
        # largest tier gives back the 0.1 the rounding added.
        (
            [
                {"size": 10, "tiers": {"high": 20, "rising": 30, "low": 50}},
                {"size": 10, "tiers": {"high": 30, "rising": 20, "low": 50}},
                {"size": 10, "tiers": {"high": 25, "rising": 25.5, "low": 49.5}},
            ],
            {"size": 10, "tiers": {"high": 24.9, "rising": 25.4, "low": 49.7}},
        ),
        # Every tier's median 0: the size alone.
        (
            [
                {"size": 10, "tiers": {"high": 100}},
                {"size": 10, "tiers": {"low": 100}},
                {"size": 10, "tiers": {"rising": 100}},
            ],
            {"size": 10},
        ),
    ],
)
def test_tier_medians_that_do_not_add_up_to_100_are_scaled(
    catalogue: Catalogue, given: list[dict[str, Any]], expected: dict[str, Any]
) -> None:
    found = population(catalogue, [Population(**g) for g in given])
    assert found == Population(**expected)


# --- how far a group agrees, question by question -----------------------------------


@pytest.mark.parametrize(
    ("question", "answered", "group", "level"),
    [
        ("acuity", [], None, "unanswered"),
        ("acuity", ["high", "high"], "high", "everyone"),
        ("acuity", ["high", "high", "low"], "high", "most"),  # 2 of 3 is most
        ("acuity", ["high"] * 4 + ["low", "low"], "high", "most"),  # so is 4 of 6
        ("acuity", ["high"] * 3 + ["moderate", "moderate"], "high", "close"),  # 3 of 5 is not
        ("acuity", ["moderate", "moderate", "high", "high"], "moderate", "close"),
        ("acuity", ["low", "low", "moderate", "moderate"], "low", "close"),
        ("acuity", ["moderate", "moderate", "very_high", "very_high"], "moderate", "divided"),
        ("acuity", ["low", "low", "high"], "high", "divided"),  # 1 of 3, two steps apart
        # Options without an order are never "close", however near they are listed.
        ("practice_approach", ["linkage", "clinical_care"], "linkage", "divided"),
        (
            "outcomes",
            [("cost", "quality"), ("cost", "quality"), ("cost",)],
            ("cost", "quality"),
            "most",
        ),
        ("outcomes", [("cost", "quality"), ("quality", "cost")], ("cost", "quality"), "divided"),
        ("outcomes", [("cost",), ("quality",), ("cost",)], ("cost",), "most"),
    ],
)
def test_agreement_levels_and_their_boundaries(
    catalogue: Catalogue,
    question: str,
    answered: list[AnswerValue],
    group: AnswerValue | None,
    level: str,
) -> None:
    assert agreement(catalogue.question(question), answered, group) == level


# Fits all 0, so no answer changes the winner: the views are ordered by agreement alone.
LEVELS = build(
    {q: {"a": (0, 0), "b": (0, 0), "c": (0, 0)} for q in ("qu", "qe", "qm", "qc", "qd")},
    ("alpha", "beta"),
)


def test_question_views_go_from_the_most_divided_to_the_unanswered() -> None:
    """Four people: qe everyone b; qm three a, one b (most); qc a, a, b, b (the lower
    middle, a: close); qd a, a, c, c (a, two steps apart: divided); qu nobody."""
    columns = {"qe": "bbbb", "qm": "aaab", "qc": "aabb", "qd": "aacc"}
    respondents = people(
        LEVELS,
        *({q: answers[i] for q, answers in columns.items()} for i in range(4)),
        roles=("A", "B", "C", "D"),
    )
    views = analyse(LEVELS, respondents).questions
    assert [(v.question, v.group_answer, v.agreement, v.decisive) for v in views] == [
        ("qd", "a", "divided", ()),
        ("qc", "a", "close", ()),
        ("qm", "a", "most", ()),
        ("qe", "b", "everyone", ()),
        ("qu", None, "unanswered", ()),
    ]
    assert [v.words for v in views] == [
        "Answers are divided.",
        "Answers differ by one step at most.",
        "Most gave the same answer.",
        "Everyone gave the same answer.",
        "Nobody answered.",
    ]
    assert views[2].answers == (("A", "a"), ("B", "a"), ("C", "a"), ("D", "b"))
    assert views[4].answers == (("A", None), ("B", None), ("C", None), ("D", None))


# m (multi-choice): p gives alpha 2, q beta 2.
DECISIVE = build(
    {"q1": {"lo": (0, 0), "hi": (0, 0)}, "m": {"p": (2, 0), "q": (0, 2), "r": (0, 0)}},
    ("alpha", "beta"),
    questions={"m": {"kind": "multi"}},
)


def test_a_decisive_answer_after_the_group_s_own_is_found_and_named_in_words() -> None:
    """Borda on m: p 1 + 1 = 2 points, q 2 and r 1; p and q tie, and two chose p, so the
    group keeps (p,), as many as the median respondent chose. The group's own answer comes
    first; the third person's "q, r" (shares 1/1.8 and 0.8/1.8) would put beta first."""
    respondents = people(DECISIVE, {"m": ["p"]}, {"m": ["p"]}, {"m": ["q", "r"]})
    view = analyse(DECISIVE, respondents)
    assert view.result.answers == {"m": ("p",)}
    assert view.result.recommended == "alpha"
    m = next(v for v in view.questions if v.question == "m")
    assert (m.group_answer, m.agreement, m.decisive) == (("p",), "most", (("q, r", "beta"),))
    assert view.questions[0] == m
    changed = reference.winner(raw(DECISIVE), {"m": ["q", "r"]})
    assert changed == "beta"


def test_the_averaged_scores_are_compared_to_the_ranking_s_precision() -> None:
    """Alpha gains 25 × 0.01 / 1.01 = 0.25 points from one person (weight 0.01), nothing
    from the other, who puts the models level (the tie-break's first, beta). Averaged,
    alpha leads by an eighth of a point: small, but a lead."""
    catalogue = build(
        {"q1": {"a": (1, 0), "b": (0, 0)}, "q2": {"x": (0, 0), "y": (0, 0)}},
        ("alpha", "beta"),
        tie_break=("beta", "alpha"),
    )
    respondents = [
        Respondent(check_input(catalogue, {"q1": "a"}, {"q1": 0.01})),
        Respondent(check_input(catalogue, {"q1": "b"})),
    ]
    found = consensus(catalogue, respondents, "alpha")
    assert found == Consensus(
        own_first=("alpha", "beta"), share_agreeing=0.5, average_winner="alpha"
    )


def test_a_consensus_needs_someone() -> None:
    catalogue = build({"q1": {"a": (1, 0), "b": (0, 0)}}, ("alpha", "beta"))
    with pytest.raises(ValueError, match=r"^a group needs at least one respondent$"):
        consensus(catalogue, [], "alpha")
    with pytest.raises(ValueError, match=r"^a group needs at least one respondent$"):
        analyse(catalogue, [])
