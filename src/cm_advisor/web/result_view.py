"""What a result page shows that is worked out from a Result: the verdict, each model's
explanation without repeats, the charts' rows in ranking order, what-if in its two groups,
next steps and evidence for what is recommended, labels for answers, tier totals and
rankings side by side. Counted here, not in the templates.

`result_context(catalogue, result)` is all the result partials need (_verdict.html,
_ranking.html, _analysis.html, ...): a Result and the catalogue it was scored with, never
the request or a stored assessment, so other pages (group results) can reuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from cm_advisor.engine import AnswerValue, Catalogue, Model, Question, Result, WhatIf
from cm_advisor.engine.results import HybridProposal, ModelScore, StaffRange
from cm_advisor.engine.types import NextSteps, Reference
from cm_advisor.web import forms
from cm_advisor.web.answers_view import answer_rows
from cm_advisor.web.report import score_matrix
from cm_advisor.web.verdict_view import VerdictView, verdict_view

WHAT_IF_GROUPS = (
    ("organization", "what-if-organization", "Changes you could make"),
    ("patients", "what-if-patients", "If your patients were different"),
)


@dataclass(frozen=True, slots=True)
class ChangedPriority:
    question: Question
    weight: float


@dataclass(frozen=True, slots=True)
class TierTotals:
    share: float
    patients: int
    case_managers: StaffRange


@dataclass(frozen=True, slots=True)
class RankingRow:
    """One model in two rankings (a saved one and a fresh one, or results A and B)."""

    model: str
    before: ModelScore | None
    after: ModelScore | None


@dataclass(frozen=True, slots=True)
class Ranked:
    """One model of the ranking with what the page says about it: for a lower model, what
    counts against it compared with the winner, then only its concerns not said already."""

    score: ModelScore
    model: Model
    behind: tuple[str, ...]
    other_concerns: tuple[str, ...]
    marked: bool  # drawn as (one of) the recommendation in the charts


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: a model, the value shown and the bar's length (0 to 1)."""

    model: str
    label: str
    value: str
    fraction: float
    marked: bool


@dataclass(frozen=True, slots=True)
class WhatIfGroup:
    id: str
    title: str
    items: tuple[WhatIf, ...]


@dataclass(frozen=True, slots=True)
class ModelSteps:
    model: Model
    steps: NextSteps


@dataclass(frozen=True, slots=True)
class ModelEvidence:
    model: Model
    grade: str  # in words: "very low to moderate", "not graded"
    summary: str
    references: tuple[Reference, ...]


def result_context(catalogue: Catalogue, result: Result) -> dict[str, object]:
    """What the result partials need to show one Result with the catalogue it was scored with."""
    verdict = verdict_view(catalogue, result)
    # With too few answers nothing is recommended, so nothing is built on the provisional
    # first place either: no firmness, what-if, hybrids or staffing.
    shown = result if verdict.recommends else _provisional(result)
    tiered = next((h for h in shown.hybrids if h.kind == "tiered"), None)
    steps = next_steps(catalogue, verdict)
    groups = what_if_groups(shown)
    found = evidence(catalogue, result, verdict)
    return {
        "sections": sections(shown, steps, groups, found, staffed=bool(shown.staffing or tiered)),
        "shown": shown,
        "catalogue": catalogue,
        "result": result,
        "verdict": verdict,
        "top": result.ranking[0],
        "ranked": ranked(catalogue, result, verdict),
        "score_bars": score_bars(catalogue, result, verdict),
        "share_bars": share_bars(catalogue, result, verdict),
        "what_if_groups": groups,
        "next_steps": steps,
        "evidence": found,
        "answers": answer_rows(catalogue, result),
        "answer_label": partial(answer_label, catalogue),
        "edit_query": forms.query_string(
            catalogue, result.answers, result.weights, result.population
        ),
        "changed_priorities": changed_priorities(catalogue, result),
        "matrix": score_matrix(catalogue, result),
        "tiered": tiered,
        "tier_totals": tier_totals(tiered) if tiered else None,
    }


def _provisional(result: Result) -> Result:
    """The result as an insufficient verdict shows it: the ranking and answers only."""
    return result.model_copy(
        update={"robustness": None, "what_if": (), "hybrids": (), "staffing": None}
    )


def sections(
    result: Result,
    steps: list[ModelSteps],
    groups: list[WhatIfGroup],
    found: list[ModelEvidence],
    *,
    staffed: bool,
) -> list[tuple[str, str]]:
    """The "On this page" list: (anchor, title) of each section the page shows, in order."""
    shown = [
        ("next-steps", "First 90 days", bool(steps)),
        ("answers", "Your answers", True),
        ("ranking", "How the models compare", True),
        ("analysis", "How firm it is", bool(result.robustness)),
        ("what-if", "What would change the answer", bool(groups)),
        ("hybrids", "Hybrid designs", bool(result.hybrids)),
        ("staffing", "Staffing", staffed),
        ("evidence", "Evidence", bool(found)),
        ("scores", "How each score was built", True),
    ]
    return [(anchor, title) for anchor, title, present in shown if present]


def ranked(catalogue: Catalogue, result: Result, verdict: VerdictView) -> list[Ranked]:
    """The ranking, each lower model's concerns less those its "why it ranked lower"
    already says (that list names the topic first: "Budget: <the concern>")."""
    rows = []
    for ms in result.ranking:
        said = set(ms.behind_top) | {b.partition(": ")[2] for b in ms.behind_top}
        rows.append(
            Ranked(
                score=ms,
                model=catalogue.model(ms.model),
                behind=ms.behind_top,
                other_concerns=tuple(c for c in ms.concerns if c not in said),
                marked=ms.model in verdict.winners,
            )
        )
    return rows


def score_bars(catalogue: Catalogue, result: Result, verdict: VerdictView) -> list[Bar]:
    """The scores, in ranking order."""
    return [
        Bar(
            ms.model,
            catalogue.model(ms.model).short_name,
            f"{ms.score:.1f}",
            min(max(ms.score / 100, 0.0), 1.0),
            ms.model in verdict.winners,
        )
        for ms in result.ranking
    ]


def share_bars(catalogue: Catalogue, result: Result, verdict: VerdictView) -> list[Bar]:
    """How often each model came first under varied priorities, in ranking order (so the
    chart reads like the ranking, not sorted by share)."""
    robust = result.robustness
    if robust is None:
        return []
    bars = []
    for ms in result.ranking:
        share = robust.first_place_share.get(ms.model, 0.0)
        name = catalogue.model(ms.model).short_name
        bars.append(Bar(ms.model, name, percent(share), share, ms.model in verdict.winners))
    return bars


def percent(fraction: float) -> str:
    if 0 < fraction < 0.005:
        return "<1%"
    if 0.995 <= fraction < 1:
        return ">99%"
    return f"{fraction * 100:.0f}%"


def what_if_groups(result: Result) -> list[WhatIfGroup]:
    """Changes the organization could make, then differences in its patients; a result
    saved before the two were told apart keeps its one list."""
    if any(w.kind is None for w in result.what_if):
        return [WhatIfGroup("what-if-all", "", result.what_if)] if result.what_if else []
    groups = []
    for kind, group_id, title in WHAT_IF_GROUPS:
        items = tuple(w for w in result.what_if if w.kind == kind)
        if items:
            groups.append(WhatIfGroup(group_id, title, items))
    return groups


def next_steps(catalogue: Catalogue, verdict: VerdictView) -> list[ModelSteps]:
    """The first 90 days for what is recommended: the model, or both models of a blend.
    None for a result saved before next steps existed, whatever catalogue shows it."""
    if not verdict.recommends or verdict.is_legacy:
        return []
    models = list(verdict.models)
    if verdict.blend is not None:
        models += [catalogue.model(m) for m in verdict.blend.models if m not in verdict.winners]
    return [ModelSteps(m, m.next_steps) for m in models if m.next_steps is not None]


def evidence(catalogue: Catalogue, result: Result, verdict: VerdictView) -> list[ModelEvidence]:
    """How strong the evidence is for what is recommended (both models of a blend): the
    result's own note for the recommended model, the catalogue's for the other. None for a
    result saved before evidence was graded."""
    if not verdict.recommends or verdict.is_legacy:
        return []
    ids = [m.id for m in verdict.models]
    if verdict.blend is not None:
        ids += [m for m in verdict.blend.models if m not in ids]
    found = []
    for model_id in ids:
        model = catalogue.model(model_id)
        note = result.evidence if result.evidence and result.evidence.model == model_id else None
        strength = model.evidence_strength
        if note is not None:
            grade, summary = grade_words(note.grade, note.grade_to), note.text
        elif strength is not None:
            grade, summary = grade_words(strength.grade, strength.grade_to), strength.summary
        else:
            continue  # a catalogue from before evidence was graded
        found.append(ModelEvidence(model, grade, summary, model.evidence))
    return found


def grade_words(grade: str, grade_to: str | None = None) -> str:
    return f"{grade} to {grade_to}" if grade_to and grade_to != grade else grade


def reference_grade(reference: Reference) -> str:
    """A study's grade as a sentence: "Graded low to high by the source." or "Not graded."."""
    if reference.grade == "not graded":
        return "Not graded."
    return f"Graded {grade_words(reference.grade, reference.grade_to)} by the source."


def answer_label(catalogue: Catalogue, question_id: str, answer: AnswerValue) -> str:
    """An option's label for display; a red flag on a multi-choice answer names several."""
    question = catalogue.question(question_id)
    labels = {o.id: o.label for o in question.options}
    parts = [answer] if isinstance(answer, str) else list(answer)
    if len(parts) == 1 and ", " in parts[0] and parts[0] not in labels:
        parts = parts[0].split(", ")
    return "; ".join(labels.get(p, p) for p in parts)


def changed_priorities(catalogue: Catalogue, result: Result) -> list[ChangedPriority]:
    """The questions whose weight differs from the catalogue's default, in form order."""
    return [
        ChangedPriority(q, result.weights[q.id])
        for q in catalogue.questionnaire.questions
        if q.id in result.weights and result.weights[q.id] != q.importance
    ]


def tier_totals(hybrid: HybridProposal) -> TierTotals:
    """The total row of a tiered design; its own staffing range when the engine gave one."""
    summed = StaffRange(
        low=sum(t.case_managers.low for t in hybrid.tiers),
        high=sum(t.case_managers.high for t in hybrid.tiers),
    )
    return TierTotals(
        share=sum(t.share for t in hybrid.tiers),
        patients=sum(t.patients for t in hybrid.tiers),
        case_managers=hybrid.case_managers or summed,
    )


def ranking_rows(before: Result, after: Result) -> list[RankingRow]:
    """Every model of either ranking, in the second one's order, then those it lacks."""
    first = {m.model: m for m in before.ranking}
    second = {m.model: m for m in after.ranking}
    order = [m.model for m in after.ranking] + [m for m in first if m not in second]
    return [RankingRow(mid, first.get(mid), second.get(mid)) for mid in order]
