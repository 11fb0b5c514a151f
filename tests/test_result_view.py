"""What the result page works out in Python: the verdict it leads with, each model's
explanation without repeats, charts in ranking order, what-if in two groups, next steps and
evidence for what is recommended, the answers in words, and what differs between two
results."""

from typing import Any

import pytest

from cm_advisor import engine
from cm_advisor.engine import Catalogue, Result
from cm_advisor.web import answers_view, result_view
from cm_advisor.web.result_view import result_context
from cm_advisor.web.verdict_view import verdict_view
from helpers.archetypes import ARCHETYPES, MIXED

CLOSE = ARCHETYPES["collaborative"] | {"complex_needs": "few"}


def _score(catalogue: Catalogue, answers: dict[str, Any], **kw: Any) -> Result:
    return engine.score(catalogue, answers, kw.get("weights"), kw.get("population"))


def _legacy(result: Result) -> Result:
    """The same result as a result saved before verdicts (and what-if kinds) existed."""
    return result.model_copy(
        update={
            "verdict": None,
            "headline": "",
            "evidence": None,
            "what_if": tuple(w.model_copy(update={"kind": None}) for w in result.what_if),
        }
    )


# --- the verdict -----------------------------------------------------------------------


def test_a_clear_lead_names_one_model_with_its_score_in_words(catalogue: Catalogue) -> None:
    result = _score(catalogue, ARCHETYPES["intensive"])
    view = verdict_view(catalogue, result)
    top, second = result.ranking[0], result.ranking[1]
    assert (view.kind, view.badge) == ("clear", "Clear lead")
    assert [m.id for m in view.models] == ["intensive"]
    assert view.headline == result.headline
    assert view.blend is None
    assert view.score_words == (
        f"Strong fit: {top.score:.1f} out of 100, {top.score - second.score:.1f} points ahead "
        f"of {catalogue.model(second.model).short_name}."
    )
    assert view.winners == {"intensive"}


def test_a_close_call_names_the_winner_and_offers_the_blend(catalogue: Catalogue) -> None:
    result = _score(catalogue, CLOSE)
    view = verdict_view(catalogue, result)
    assert (view.kind, view.badge) == ("close", "Close call")
    assert [m.id for m in view.models] == [result.recommended]
    assert view.blend is not None and view.blend.kind == "close_call"
    assert set(view.blend.models) == {result.ranking[0].model, result.ranking[1].model}


def test_a_tie_names_both_models_and_their_blend(catalogue: Catalogue) -> None:
    result = _score(catalogue, MIXED)
    view = verdict_view(catalogue, result)
    a, b = result.ranking[0], result.ranking[1]
    assert (view.kind, view.badge) == ("tie", "Tie")
    assert [m.id for m in view.models] == [a.model, b.model]
    assert view.winners == {a.model, b.model}
    assert view.blend is not None and view.blend.kind == "close_call"
    assert view.score_words.startswith(
        f"Both score about the same: {a.score:.1f} and {b.score:.1f}"
    )


def test_not_enough_answers_recommends_no_model(catalogue: Catalogue) -> None:
    result = _score(catalogue, {"acuity": "high"})
    view = verdict_view(catalogue, result)
    assert (view.kind, view.badge) == ("insufficient", "Not enough answers")
    assert view.models == () and not view.recommends and view.winners == frozenset()
    assert (view.answered, view.counted, view.needed) == (1, 16, 8)
    assert view.score_words == "" and view.blend is None


def test_a_result_saved_before_verdicts_is_not_re_read_as_one(catalogue: Catalogue) -> None:
    old = _legacy(_score(catalogue, MIXED))  # a tie by today's rules
    view = verdict_view(catalogue, old)
    assert view.is_legacy and view.badge == "" and view.score_words == ""
    assert [m.id for m in view.models] == [old.recommended]  # what it showed: one model
    context = result_context(catalogue, old)
    assert context["next_steps"] == [] and context["evidence"] == []


# --- explanations ------------------------------------------------------------------------


def test_a_lower_model_lists_only_the_concerns_its_gap_does_not_already_say(
    catalogue: Catalogue,
) -> None:
    result = _score(catalogue, ARCHETYPES["intensive"])
    rows = result_view.ranked(catalogue, result, verdict_view(catalogue, result))
    assert [r.score.model for r in rows] == [ms.model for ms in result.ranking]
    repeated = 0
    for row in rows[1:]:
        said = " ".join(row.behind)
        assert row.behind == row.score.behind_top
        assert all(c not in said for c in row.other_concerns)
        assert set(row.other_concerns) | {c for c in row.score.concerns if c in said} == set(
            row.score.concerns
        )
        repeated += len(row.score.concerns) - len(row.other_concerns)
    assert repeated > 0  # the engine does repeat concerns in behind_top: they are dropped


def test_charts_list_the_models_in_ranking_order_and_mark_the_verdict(
    catalogue: Catalogue,
) -> None:
    result = _score(catalogue, MIXED)
    view = verdict_view(catalogue, result)
    order = [ms.model for ms in result.ranking]
    shares = result_view.share_bars(catalogue, result, view)
    scores = result_view.score_bars(catalogue, result, view)
    assert [b.model for b in shares] == [b.model for b in scores] == order
    assert [b.marked for b in scores] == [True, True, False, False, False]  # a tie: two
    assert result.robustness is not None
    assert [b.fraction for b in shares] == [result.robustness.first_place_share[m] for m in order]
    empty = _score(catalogue, {})
    bars = result_view.score_bars(catalogue, empty, verdict_view(catalogue, empty))
    assert not any(b.marked for b in bars)


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [(0.0, "0%"), (0.004, "<1%"), (0.5, "50%"), (0.996, ">99%"), (1.0, "100%")],
)
def test_percentages_never_round_to_a_false_zero_or_hundred(fraction: float, shown: str) -> None:
    assert result_view.percent(fraction) == shown


def test_what_if_splits_changes_to_make_from_differences_in_patients(
    catalogue: Catalogue,
) -> None:
    result = _score(catalogue, MIXED)
    groups = result_view.what_if_groups(result)
    titles = [g.title for g in groups]
    assert titles == ["Changes you could make", "If your patients were different"]
    assert [w for g in groups for w in g.items] == sorted(
        result.what_if, key=lambda w: w.kind != "organization"
    )
    old = _legacy(result)
    legacy = result_view.what_if_groups(old)
    assert len(legacy) == 1 and legacy[0].title == "" and legacy[0].items == old.what_if


def test_next_steps_and_evidence_follow_what_is_recommended(catalogue: Catalogue) -> None:
    clear = _score(catalogue, ARCHETYPES["intensive"])
    context = result_context(catalogue, clear)
    assert [s.model.id for s in context["next_steps"]] == ["intensive"]  # type: ignore[attr-defined]
    (found,) = context["evidence"]  # type: ignore[misc]
    assert clear.evidence is not None
    assert found.summary == clear.evidence.text and found.grade == "very low to moderate"
    assert found.references == catalogue.model("intensive").evidence

    tie = _score(catalogue, MIXED)
    both = [tie.ranking[0].model, tie.ranking[1].model]
    context = result_context(catalogue, tie)
    assert [s.model.id for s in context["next_steps"]] == both  # type: ignore[attr-defined]
    assert [e.model.id for e in context["evidence"]] == both  # type: ignore[attr-defined]

    none = result_context(catalogue, _score(catalogue, {}))
    assert none["next_steps"] == [] and none["evidence"] == []
    assert none["what_if_groups"] == [] and none["shown"].hybrids == ()  # type: ignore[attr-defined]


def test_a_reference_grade_reads_as_a_sentence(catalogue: Catalogue) -> None:
    refs = catalogue.references
    assert result_view.reference_grade(refs["dieterich_2017"]) == (
        "Graded very low to moderate by the source."
    )
    assert result_view.reference_grade(refs["burns_2007"]) == "Not graded."


def test_the_sections_listed_are_the_sections_shown(catalogue: Catalogue) -> None:
    full = result_context(catalogue, _score(catalogue, MIXED, population={"size": 9000}))
    assert [a for a, _ in full["sections"]] == [  # type: ignore[attr-defined]
        "next-steps",
        "answers",
        "ranking",
        "analysis",
        "what-if",
        "hybrids",
        "staffing",
        "evidence",
        "scores",
    ]
    bare = result_context(catalogue, _score(catalogue, {}))
    assert [a for a, _ in bare["sections"]] == ["answers", "ranking", "scores"]  # type: ignore[attr-defined]


# --- answers in words, and differences -------------------------------------------------------


def test_answers_read_as_the_labels_people_chose(catalogue: Catalogue) -> None:
    answers = {"acuity": "high", "outcomes": ["cost", "housing"]}
    result = _score(catalogue, answers, weights={"budget": 3})
    rows = {r.question_id: r for r in answers_view.answer_rows(catalogue, result)}
    assert list(rows) == [q.id for q in catalogue.questionnaire.questions]
    assert rows["acuity"].answer == catalogue.question("acuity").option("high").label
    assert rows["outcomes"].answer == "1. Lower cost of care; 2. Stable housing"
    assert rows["outcomes"].answer_ids == ("cost", "housing")
    assert rows["staffing"].answer == "Not answered" and not rows["staffing"].answered
    assert rows["budget"].changed_priority and rows["budget"].priority == "critical (3)"
    assert not rows["acuity"].changed_priority


def test_differences_list_what_changed_the_largest_effect_first(catalogue: Catalogue) -> None:
    a = _score(catalogue, ARCHETYPES["brokerage"])
    changed = ARCHETYPES["brokerage"] | {"acuity": "very_high", "budget": "flexible"}
    b = _score(catalogue, changed, weights={"staffing": 3})
    found = answers_view.differences(catalogue, a, b)
    assert {d.topic for d in found} == {"Acuity", "Budget", "Staffing"}
    moved = [abs(d.points) for d in found]
    assert moved == sorted(moved, reverse=True) and moved[0] > 1
    staffing = next(d for d in found if d.topic == "Staffing")
    assert staffing.priority_differs and not staffing.answer_differs
    acuity = next(d for d in found if d.topic == "Acuity")
    assert acuity.answer_b == catalogue.question("acuity").option("very_high").label

    # The model it moved most, by an independent count over the contributions.
    def points(result: Result, model: str) -> float:
        ms = next(m for m in result.ranking if m.model == model)
        return sum(c.points for c in ms.contributions if c.question == "acuity")

    deltas = {ms.model: points(b, ms.model) - points(a, ms.model) for ms in a.ranking}
    biggest = max(deltas, key=lambda m: abs(deltas[m]))
    assert acuity.model == catalogue.model(biggest).name
    assert acuity.points == pytest.approx(deltas[biggest])
    assert answers_view.differences(catalogue, a, a) == []
