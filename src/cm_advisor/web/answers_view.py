"""The answers and priorities behind a result, in the words people chose them by, and what
differs between two results with how much each difference moved the scores. Used by the
result page, the PDF, the workbook, the CSV and the comparison."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from cm_advisor.engine import AnswerValue, Catalogue, Result
from cm_advisor.web.wording import weight_label

NOT_ANSWERED = "Not answered"
MOVED_MIN = 0.05  # points: a smaller change is not worth naming


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One question as answered: its topic, the option labels chosen and its priority."""

    question_id: str
    topic: str
    label: str  # the full question
    answer: str  # the option labels chosen, outcomes in priority order; NOT_ANSWERED
    answer_ids: tuple[str, ...]
    weight: float
    default: float

    @property
    def answered(self) -> bool:
        return bool(self.answer_ids)

    @property
    def priority(self) -> str:
        return weight_label(self.weight)

    @property
    def changed_priority(self) -> bool:
        return self.weight != self.default


@dataclass(frozen=True, slots=True)
class Difference:
    """A question answered or weighted differently in two results, and its largest effect
    on any model's score (B's points for this question less A's)."""

    topic: str
    answer_a: str
    answer_b: str
    priority_a: str
    priority_b: str
    model: str  # the model whose score it moved most
    points: float

    @property
    def answer_differs(self) -> bool:
        return self.answer_a != self.answer_b

    @property
    def priority_differs(self) -> bool:
        return self.priority_a != self.priority_b


def answer_text(catalogue: Catalogue, question_id: str, answer: AnswerValue | None) -> str:
    """The labels of the options chosen; outcomes numbered in their order of priority."""
    if answer is None or question_id not in catalogue.questions_by_id:
        return NOT_ANSWERED if answer is None else _raw(answer)
    question = catalogue.question(question_id)
    labels = {o.id: o.label for o in question.options}
    if isinstance(answer, str):
        return labels.get(answer, answer)
    return "; ".join(f"{i}. {labels.get(a, a)}" for i, a in enumerate(answer, start=1))


def answer_rows(catalogue: Catalogue, result: Result) -> list[AnswerRow]:
    """Every question of the catalogue the result was scored with, in questionnaire order."""
    rows = []
    for q in catalogue.questionnaire.questions:
        answer = result.answers.get(q.id)
        ids = () if answer is None else (answer,) if isinstance(answer, str) else tuple(answer)
        rows.append(
            AnswerRow(
                question_id=q.id,
                topic=q.title,
                label=q.label,
                answer=answer_text(catalogue, q.id, answer),
                answer_ids=ids,
                weight=result.weights.get(q.id, q.importance),
                default=q.importance,
            )
        )
    return rows


def differences(catalogue: Catalogue, a: Result, b: Result) -> list[Difference]:
    """The questions whose answer or priority differs between A and B, the one that moved
    a model's score most first (ties keep questionnaire order)."""
    points_a, points_b = _points_by_question(a), _points_by_question(b)
    names = {m.model: m.name for m in (*a.ranking, *b.ranking)}
    found = []
    for q in catalogue.questionnaire.questions:
        weight_a = a.weights.get(q.id, q.importance)
        weight_b = b.weights.get(q.id, q.importance)
        answer_a, answer_b = a.answers.get(q.id), b.answers.get(q.id)
        if _same(answer_a, answer_b) and weight_a == weight_b:
            continue
        model, moved = _largest_change(points_a.get(q.id, {}), points_b.get(q.id, {}))
        found.append(
            Difference(
                topic=q.title,
                answer_a=answer_text(catalogue, q.id, answer_a),
                answer_b=answer_text(catalogue, q.id, answer_b),
                priority_a=weight_label(weight_a),
                priority_b=weight_label(weight_b),
                model=names.get(model, model),
                points=moved,
            )
        )
    return sorted(found, key=lambda d: -round(abs(d.points), 1))


def _same(a: AnswerValue | None, b: AnswerValue | None) -> bool:
    return (a if isinstance(a, str) or a is None else tuple(a)) == (
        b if isinstance(b, str) or b is None else tuple(b)
    )


def _points_by_question(result: Result) -> dict[str, dict[str, float]]:
    """question → model → the points that question's answers (and red flags shown against
    it) gave that model."""
    points: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for ms in result.ranking:
        for c in ms.contributions:
            points[c.question][ms.model] += c.points
    return points


def _largest_change(before: dict[str, float], after: dict[str, float]) -> tuple[str, float]:
    models = sorted(set(before) | set(after))
    if not models:
        return "", 0.0
    changes = {m: after.get(m, 0.0) - before.get(m, 0.0) for m in models}
    model = max(models, key=lambda m: abs(changes[m]))
    moved = changes[model]
    return (model, moved) if abs(moved) >= MOVED_MIN else ("", 0.0)


def _raw(answer: AnswerValue) -> str:
    return answer if isinstance(answer, str) else "; ".join(answer)
