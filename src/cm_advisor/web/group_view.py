"""The group view: everyone's stored answers in, the combined recommendation and where the
group disagrees out, in one shape for the lead's page, the API and the stored result.

Respondents are numbered in the order their responses came in and named by role and
number only: initials never reach anything here, so nothing built from this can leak them.
A stored group result keeps this view's JSON (without the Result, which its assessment
holds) and is read back with these types for ever: a field added later needs a default.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cm_advisor.engine import AnswerValue, Catalogue, InvalidInput, Result, check_input
from cm_advisor.engine.answers import CheckedInput
from cm_advisor.engine.groups import Agreement, GroupAnalysis, QuestionView, Respondent, analyse
from cm_advisor.storage.groups import Response


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AnswerGiven(_Out):
    respondent: int = Field(description="1 for the first response to come in, and so on.")
    role: str
    answer: AnswerValue | None = Field(description="None: left unanswered.")


class DecisiveAnswer(_Out):
    answer: AnswerValue = Field(description="A respondent's answer, put in the group profile.")
    model: str = Field(description="The model that would then rank first.")
    respondents: tuple[int, ...] = Field(description="Who gave this answer.")


class QuestionSummary(_Out):
    question: str
    group_answer: AnswerValue | None
    agreement: Agreement
    agreement_text: str
    answers: tuple[AnswerGiven, ...]
    decisive: tuple[DecisiveAnswer, ...] = Field(
        description="Answers that would change the recommendation (verified by rescoring)."
    )


class MemberChoice(_Out):
    respondent: int
    role: str
    first_choice: str = Field(description="The model this respondent's own answers put first.")


class GroupParts(_Out):
    """What a group view adds to a single result."""

    respondents: int
    questions: tuple[QuestionSummary, ...] = Field(
        description="Every question, those whose disagreement changes the recommendation "
        "first, then the most divided."
    )
    disagreements: tuple[str, ...] = Field(description="Questions not everyone answered alike.")
    discuss_first: tuple[str, ...] = Field(
        description="Disagreements where one respondent's answer would put another model first."
    )
    members: tuple[MemberChoice, ...]
    share_agreeing: float = Field(
        description="Of respondents whose own answers put the group's recommendation first."
    )
    weight_sampling_share: float | None = Field(
        description="How often the group's recommendation ranks first when its priorities "
        "are varied (the single result's robustness)."
    )
    average_winner: str = Field(
        description="First when each respondent is scored and the scores are averaged."
    )


class GroupView(GroupParts):
    result: Result = Field(description="The combined recommendation, as a single result.")

    @property
    def parts_json(self) -> str:
        """What a stored group result keeps beside its assessment."""
        return self.model_dump_json(exclude={"result"})

    @classmethod
    def stored(cls, parts: str, result: Result) -> GroupView:
        return cls.model_validate({**json.loads(parts), "result": result})

    @property
    def averages_differ(self) -> bool:
        return self.average_winner != self.result.recommended

    def question(self, question_id: str) -> QuestionSummary:
        return next(q for q in self.questions if q.question == question_id)


def respondent(catalogue: Catalogue, response: Response) -> Respondent:
    """A stored response as the engine takes it, checked against this catalogue; an answer
    the catalogue no longer has is left out (question and option ids are never renamed,
    but an organization may remove one)."""
    return Respondent(_checked(catalogue, response), response.role)


def _checked(catalogue: Catalogue, response: Response) -> CheckedInput:
    answers: dict[str, Any] = dict(response.answers)
    weights: dict[str, Any] = dict(response.weights)
    population = response.population
    for _ in range(2):
        try:
            return check_input(catalogue, answers, weights, population)
        except InvalidInput as exc:
            for error in exc.errors:
                where, _, rest = error.field.partition(".")
                name = rest.partition(".")[0]
                if where == "answers":
                    answers.pop(name, None)
                elif where == "weights":
                    weights.pop(name, None)
                else:
                    population = None
    return check_input(catalogue, {}, {}, None)


def build(catalogue: Catalogue, responses: Sequence[Response]) -> GroupView:
    """The group view of these responses (at least one), with this catalogue."""
    return from_analysis(
        catalogue, analyse(catalogue, [respondent(catalogue, r) for r in responses])
    )


def from_analysis(catalogue: Catalogue, analysis: GroupAnalysis) -> GroupView:
    questions = tuple(_summary(catalogue, q) for q in analysis.questions)
    roles = [role for role, _ in analysis.questions[0].answers] if analysis.questions else []
    result = analysis.result
    robust = result.robustness
    return GroupView(
        respondents=analysis.respondents,
        result=result,
        questions=questions,
        disagreements=tuple(
            q.question for q in questions if q.agreement not in ("everyone", "unanswered")
        ),
        discuss_first=tuple(q.question for q in questions if q.decisive),
        members=tuple(
            MemberChoice(respondent=n, role=role, first_choice=first)
            for n, (role, first) in enumerate(
                zip(roles, analysis.consensus.own_first, strict=True), start=1
            )
        ),
        share_agreeing=analysis.consensus.share_agreeing,
        weight_sampling_share=robust.first_place_share.get(result.recommended) if robust else None,
        average_winner=analysis.consensus.average_winner,
    )


def _summary(catalogue: Catalogue, view: QuestionView) -> QuestionSummary:
    question = catalogue.question(view.question)
    given = tuple(
        AnswerGiven(respondent=n, role=role, answer=answer)
        for n, (role, answer) in enumerate(view.answers, start=1)
    )
    decisive = []
    for shown, model in view.decisive:
        # The engine names a ranked answer by its options joined with ", ".
        answer: AnswerValue = tuple(shown.split(", ")) if question.kind == "multi" else shown
        who = tuple(g.respondent for g in given if _same(g.answer, answer))
        decisive.append(DecisiveAnswer(answer=answer, model=model, respondents=who))
    return QuestionSummary(
        question=view.question,
        group_answer=view.group_answer,
        agreement=view.agreement,
        agreement_text=view.words,
        answers=given,
        decisive=tuple(decisive),
    )


def _same(a: AnswerValue | None, b: AnswerValue) -> bool:
    if a is None:
        return False
    return (a if isinstance(a, str) else tuple(a)) == (b if isinstance(b, str) else tuple(b))


def member_name(number: int, role: str) -> str:
    """How a respondent is named on anything shareable: by number and role."""
    return f"Respondent {number}" + (f" ({role})" if role else "")
