"""Several stakeholders, one decision: a group profile from everyone's answers, and where
their disagreement changes the recommendation.

The group profile (docs/groups.md, with a worked example):

- an ordered single-choice question takes the median of the options respondents chose;
  on an even split between two middle options, the one more respondents chose, and if
  as many chose each, the lower (earlier) one;
- an unordered question (practice_approach) takes the option most respondents chose; a
  tie leaves it unanswered, since the group has no majority;
- outcomes are ranked by a Borda count: an outcome ranked r-th (from 0) by a respondent
  who ranked k gets k - r points; ties go to the outcome more respondents chose, then to
  questionnaire order; the group keeps as many outcomes as the median respondent chose;
- each question's weight is the median of the respondents' weights (the default for a
  respondent who did not change it);
- the number of patients is the median of the numbers given (halves round up); the risk
  tiers are, per tier, the median share among those who gave tiers (a tier they left out
  counts as 0), scaled so the tiers add up to 100 and rounded to one decimal, the
  rounding left over going to the largest tier;
- a question nobody answered stays unanswered; blank answers are not counted.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cm_advisor.engine.analysis import score_checked
from cm_advisor.engine.answers import CheckedInput
from cm_advisor.engine.ranking import Scored, ranked
from cm_advisor.engine.ranking import score as score_answers
from cm_advisor.engine.results import AnswerValue, Population, Result
from cm_advisor.engine.types import Catalogue, Frozen, Question

Agreement = Literal["everyone", "most", "close", "divided", "unanswered"]
AGREEMENT_WORDS: dict[Agreement, str] = {
    "everyone": "Everyone gave the same answer.",
    "most": "Most gave the same answer.",
    "close": "Answers differ by one step at most.",
    "divided": "Answers are divided.",
    "unanswered": "Nobody answered.",
}
MOST = 2 / 3  # the share of respondents that makes "most"
TIERS_TOTAL = 100.0


@dataclass(frozen=True, slots=True)
class Respondent:
    """One person's checked answers, and the role they gave (may be empty)."""

    input: CheckedInput
    role: str = ""


def profile(catalogue: Catalogue, respondents: Sequence[Respondent]) -> CheckedInput:
    """The group's answers and weights, by the rules in the module docstring."""
    answers: dict[str, AnswerValue] = {}
    weights: dict[str, float] = {}
    for question in catalogue.questionnaire.questions:
        given = [
            r.input.answers[question.id] for r in respondents if question.id in r.input.answers
        ]
        combined = _combine(question, given)
        if combined is not None:
            answers[question.id] = combined
        weights[question.id] = statistics.median(
            [r.input.weights[question.id] for r in respondents] or [question.importance]
        )
    return CheckedInput(
        answers=answers,
        weights=weights,
        population=population(catalogue, [r.input.population for r in respondents]),
    )


def population(catalogue: Catalogue, given: Sequence[Population | None]) -> Population | None:
    """The group's patients and risk tiers: the median size; the median share of each tier
    someone named, scaled to add up to 100 (None when nobody gave a number of patients)."""
    sizes = [p.size for p in given if p is not None]
    if not sizes:
        return None
    size = math.floor(statistics.median(sizes) + 0.5)
    shares = [p.tiers for p in given if p is not None and p.tiers]
    named = [t.id for t in catalogue.tiers if any(t.id in s for s in shares)]
    medians = {t: statistics.median([s.get(t, 0.0) for s in shares]) for t in named}
    total = sum(medians.values())
    if total <= 0:
        return Population(size=size)
    if abs(total - TIERS_TOTAL) < 1e-9:
        return Population(size=size, tiers=medians)
    scaled = {t: round(m * TIERS_TOTAL / total, 1) for t, m in medians.items()}
    largest = max(scaled, key=lambda t: scaled[t])
    scaled[largest] = round(scaled[largest] + TIERS_TOTAL - sum(scaled.values()), 1)
    return Population(size=size, tiers=scaled)


def _combine(question: Question, given: Sequence[AnswerValue]) -> AnswerValue | None:
    if not given:
        return None
    if question.kind == "multi":
        return borda(question, [a for a in given if not isinstance(a, str)])
    chosen = [str(a) for a in given]
    if question.scale == "nominal":
        return plurality(chosen)
    return median_option(question, chosen)


def median_option(question: Question, chosen: Sequence[str]) -> str:
    """The median of ordered options; an even split goes to the middle option more
    respondents chose, then to the lower one."""
    positions = sorted(question.option_ids.index(c) for c in chosen)
    middle = len(positions) // 2
    if len(positions) % 2:
        return question.option_ids[positions[middle]]
    low, high = positions[middle - 1], positions[middle]
    counts = Counter(positions)
    pick = high if counts[high] > counts[low] else low
    return question.option_ids[pick]


def plurality(chosen: Sequence[str]) -> str | None:
    """The option most respondents chose; None when two or more are level at the top."""
    ranked = Counter(chosen).most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def borda(question: Question, rankings: Sequence[Sequence[str]]) -> tuple[str, ...] | None:
    """Outcomes in the group's order: Borda points, then how many chose each, then the
    questionnaire's order; as many as the median respondent chose."""
    if not rankings:
        return None
    points: Counter[str] = Counter()
    chosen_by: Counter[str] = Counter()
    for ranking in rankings:
        for r, option in enumerate(ranking):
            points[option] += len(ranking) - r
            chosen_by[option] += 1
    keep = round(statistics.median(len(r) for r in rankings))
    order = sorted(points, key=lambda o: (-points[o], -chosen_by[o], question.option_ids.index(o)))
    return tuple(order[: max(1, keep)])


class QuestionView(Frozen):
    """One question across the group: who answered what, how far they agree, and whether
    the disagreement changes the recommendation."""

    question: str
    group_answer: AnswerValue | None
    answers: tuple[tuple[str, AnswerValue | None], ...]  # (role, answer) per respondent
    agreement: Agreement
    decisive: tuple[tuple[str, str], ...]  # (a respondent's answer, the model it puts first)

    @property
    def words(self) -> str:
        return AGREEMENT_WORDS[self.agreement]


def question_views(
    catalogue: Catalogue, respondents: Sequence[Respondent], group: CheckedInput
) -> list[QuestionView]:
    """Every question, the ones whose disagreement changes the winner first, then the most
    divided, then in questionnaire order."""
    scored = score_answers(catalogue, group.answers, group.weights)
    views = []
    for question in catalogue.questionnaire.questions:
        given = [(r.role, r.input.answers.get(question.id)) for r in respondents]
        answered = [a for _, a in given if a is not None]
        group_answer = group.answers.get(question.id)
        views.append(
            QuestionView(
                question=question.id,
                group_answer=group_answer,
                answers=tuple(given),
                agreement=agreement(question, answered, group_answer),
                decisive=_decisive(question, scored, answered, group_answer),
            )
        )
    level = {"divided": 0, "close": 1, "most": 2, "everyone": 3, "unanswered": 4}
    return sorted(views, key=lambda v: (not v.decisive, level[v.agreement]))


def agreement(
    question: Question, answered: Sequence[AnswerValue], group: AnswerValue | None
) -> Agreement:
    if not answered:
        return "unanswered"
    same = sum(_same(a, group) for a in answered)
    if same == len(answered):
        return "everyone"
    if same >= MOST * len(answered):
        return "most"
    if question.kind == "single" and question.scale == "ordered":
        steps = [question.option_ids.index(str(a)) for a in answered]
        if max(steps) - min(steps) <= 1:
            return "close"
    return "divided"


def _same(answer: AnswerValue, group: AnswerValue | None) -> bool:
    if isinstance(answer, str) or group is None or isinstance(group, str):
        return answer == group
    return tuple(answer) == tuple(group)


def _decisive(
    question: Question,
    scored: Scored,
    answered: Sequence[AnswerValue],
    group: AnswerValue | None,
) -> tuple[tuple[str, str], ...]:
    """Each answer a respondent gave that, put in the group profile instead of the group's
    answer, would put another model first (rescored the ranking's own way)."""
    found = []
    distinct = dict.fromkeys(a if isinstance(a, str) else tuple(a) for a in answered)
    for answer in distinct:
        if _same(answer, group):
            continue
        winner = scored.with_answers({question.id: answer}).winner
        if winner != scored.winner:
            found.append((answer if isinstance(answer, str) else ", ".join(answer), winner))
    return tuple(found)


class Consensus(Frozen):
    """How the group's recommendation stands against its members' own answers."""

    own_first: tuple[str, ...]  # per respondent, in order: the model their answers put first
    share_agreeing: float  # of respondents whose own answers give the group's winner
    average_winner: str  # first when every respondent is scored and the scores averaged


def consensus(catalogue: Catalogue, respondents: Sequence[Respondent], winner: str) -> Consensus:
    """Each respondent scored alone, the share who agree with the group's winner, and the
    winner of the averaged scores (which can differ from scoring the combined profile)."""
    if not respondents:
        raise ValueError("a group needs at least one respondent")
    scored = [score_answers(catalogue, r.input.answers, r.input.weights) for r in respondents]
    own = tuple(s.winner for s in scored)
    count = len(scored)
    averages = [
        sum(float(s.scores[m]) for s in scored) / count for m in range(len(catalogue.models))
    ]
    flags = [
        sum(float(s.red_flags[m]) for s in scored) / count for m in range(len(catalogue.models))
    ]
    places = scored[0].table.tie_places.tolist()
    first = ranked([round(a, 9) for a in averages], flags, places)[0]
    return Consensus(
        own_first=own,
        share_agreeing=sum(o == winner for o in own) / count,
        average_winner=catalogue.model_ids[first],
    )


class GroupAnalysis(Frozen):
    """Everything the group view shows: the combined recommendation (a full Result of the
    group profile), every question across the group, and how members' own answers stand."""

    result: Result
    questions: tuple[QuestionView, ...]
    consensus: Consensus
    respondents: int


def analyse(catalogue: Catalogue, respondents: Sequence[Respondent]) -> GroupAnalysis:
    """The group view for at least one respondent."""
    if not respondents:
        raise ValueError("a group needs at least one respondent")
    group = profile(catalogue, respondents)
    result = score_checked(catalogue, group)
    return GroupAnalysis(
        result=result,
        questions=tuple(question_views(catalogue, respondents, group)),
        consensus=consensus(catalogue, respondents, result.recommended),
        respondents=len(respondents),
    )
