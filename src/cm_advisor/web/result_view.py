"""What a result page shows that is worked out from a Result: labels for answers, the
priorities that differ from the defaults, tier totals and rankings side by side. Counted
here, not in the templates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from cm_advisor.engine import AnswerValue, Catalogue, Question, Result
from cm_advisor.engine.results import HybridProposal, ModelScore, StaffRange
from cm_advisor.web import forms


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


def result_context(catalogue: Catalogue, result: Result) -> dict[str, object]:
    """What result.html needs to show one Result with the catalogue it was scored with."""
    tiered = next((h for h in result.hybrids if h.kind == "tiered"), None)
    return {
        "catalogue": catalogue,
        "result": result,
        "top": result.ranking[0],
        "answer_label": partial(answer_label, catalogue),
        "edit_query": forms.query_string(
            catalogue, result.answers, result.weights, result.population
        ),
        "changed_priorities": changed_priorities(catalogue, result),
        "tiered": tiered,
        "tier_totals": tier_totals(tiered) if tiered else None,
    }


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
