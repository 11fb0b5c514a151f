"""What the group view's templates show that is worked out from a GroupView: answers by
role with their labels, who gave each answer that would change the recommendation, and
the two robustness shares side by side. Counted here, not in the templates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import cast

from cm_advisor.engine import AnswerValue, Catalogue
from cm_advisor.web.group_view import GroupView, QuestionSummary, member_name
from cm_advisor.web.result_view import answer_label, result_context

ANSWER_JOIN = " › "  # a ranked answer (outcomes), first priority first
UNANSWERED = "Not answered"


@dataclass(frozen=True, slots=True)
class RoleAnswers:
    role: str  # "" for respondents who gave none
    answers: tuple[tuple[str, int], ...]  # (answer in words, how many), most given first


@dataclass(frozen=True, slots=True)
class Flip:
    """One answer that, put in the group profile, would put another model first."""

    answer: str
    model: str
    people: str  # "Respondent 1 (Executive) and Respondent 4 (Finance)"


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question across the group, as the view shows it."""

    id: str
    title: str
    label: str
    group_answer: str  # in words; "" when the group has none
    agreement: str
    agreement_text: str
    by_role: tuple[RoleAnswers, ...]
    flips: tuple[Flip, ...]

    @property
    def answered(self) -> int:
        return sum(n for r in self.by_role for a, n in r.answers if a != UNANSWERED)

    @property
    def who(self) -> str:
        """Who answered, by role: "Executive 2, Nursing 2, Finance 1", "3 people"."""
        counts = [(r.role, sum(n for a, n in r.answers if a != UNANSWERED)) for r in self.by_role]
        return people_by_role(counts)


def people_by_role(counts: list[tuple[str, int]]) -> str:
    """(role, how many) in words: "Executive 2, Nursing 2, Finance 1", "3 people";
    role "" is people who named none."""
    named = [f"{role} {n}" for role, n in counts if role and n]
    unnamed = sum(n for role, n in counts if not role)
    if unnamed:
        people = "person" if unnamed == 1 else "people"
        named.append(f"{unnamed} without a role" if named else f"{unnamed} {people}")
    return ", ".join(named)


def group_context(catalogue: Catalogue, group: GroupView) -> dict[str, object]:
    """What groups/view.html and groups/result.html need, on top of a single result's."""
    rows = [_row(catalogue, group, q) for q in group.questions]
    by_id = {r.id: r for r in rows}
    members = [
        (member_name(m.respondent, m.role), _model_name(catalogue, m.first_choice))
        for m in group.members
    ]
    agreeing = sum(m.first_choice == group.result.recommended for m in group.members)
    single = result_context(catalogue, group.result)
    return single | {
        "whose": "the group's",
        "for_whom": "the group's combined answers",
        "sections": _sections(cast(list[tuple[str, str]], single["sections"])),
        "respondents_by_role": people_by_role(list(Counter(m.role for m in group.members).items())),
        "group": group,
        "rows": rows,
        "agreed": [r for r in rows if r.id not in group.disagreements],
        "disagreements": [by_id[q] for q in group.disagreements],
        "discuss_first": [by_id[q] for q in group.discuss_first],
        "members": members,
        "agreeing": agreeing,
        "average_name": _model_name(catalogue, group.average_winner),
        "recommended_name": _model_name(catalogue, group.result.recommended),
    }


GROUP_SECTIONS = [
    ("discuss", "Discuss these first"),
    ("disagreements", "Where answers differ"),
    ("consensus", "Each person's first choice"),
]


def _sections(single: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The "On this page" list in the group pages' order: what the group adds, the single
    result's sections (worded for the group), then every question by role."""
    worded = [(a, "The group's answers" if a == "answers" else t) for a, t in single]
    return GROUP_SECTIONS + worded + [("questions", "Every question, by role")]


def _row(catalogue: Catalogue, group: GroupView, q: QuestionSummary) -> QuestionRow:
    question = catalogue.question(q.question)
    order = list(dict.fromkeys(m.role for m in group.members))
    by_role = []
    for role in [r for r in order if r] + ([""] if "" in order else []):
        given = Counter(
            _words(catalogue, q.question, a.answer) for a in q.answers if a.role == role
        )
        by_role.append(RoleAnswers(role, tuple(given.most_common())))
    names = {a.respondent: member_name(a.respondent, a.role) for a in q.answers}
    flips = tuple(
        Flip(
            answer=_words(catalogue, q.question, d.answer),
            model=_model_name(catalogue, d.model),
            people=_and([names[n] for n in d.respondents]),
        )
        for d in q.decisive
    )
    return QuestionRow(
        id=q.question,
        title=question.title,
        label=question.label,
        group_answer=_words(catalogue, q.question, q.group_answer) if q.group_answer else "",
        agreement=q.agreement,
        agreement_text=q.agreement_text,
        by_role=tuple(by_role),
        flips=flips,
    )


def _words(catalogue: Catalogue, question_id: str, answer: AnswerValue | None) -> str:
    if answer is None:
        return UNANSWERED
    if isinstance(answer, str):
        return answer_label(catalogue, question_id, answer)
    return ANSWER_JOIN.join(answer_label(catalogue, question_id, a) for a in answer)


def _model_name(catalogue: Catalogue, model_id: str) -> str:
    return catalogue.model(model_id).name if model_id in catalogue.model_ids else model_id


def _and(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
