"""What the questionnaire page shows that is counted from the form's fields: how many
questions are answered (in all and per part), the time left, and whether the advanced part
opens. Counted here, not in the template; enhance.js keeps the same figures live."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from cm_advisor.engine import Catalogue, Question
from cm_advisor.engine.types import Section
from cm_advisor.web import forms
from cm_advisor.web.ranked_choice import chosen

SECONDS_PER_QUESTION = 20


@dataclass(frozen=True, slots=True)
class Part:
    section: Section
    answered: int
    total: int


@dataclass(frozen=True, slots=True)
class Progress:
    answered: int
    total: int
    parts: tuple[Part, ...]
    prefilled: bool  # the server filled the form in (a saved result, a draft, errors)
    seconds_per_question: int = SECONDS_PER_QUESTION

    @property
    def time_left(self) -> str:
        """The same words as enhance.js's timeLeft()."""
        unanswered = self.total - self.answered
        minutes = math.ceil(unanswered * self.seconds_per_question / 60)
        if unanswered == 0:
            return "All answered"
        if minutes <= 1:
            return "About a minute left"
        return f"About {minutes} minutes" + (" left" if unanswered < self.total else "")


def is_answered(question: Question, fields: Mapping[str, str]) -> bool:
    """One of its options is chosen (an unknown value answers nothing), as enhance.js counts."""
    picked = chosen(question, fields) if question.kind == "multi" else [fields.get(question.id)]
    return any(p in question.option_ids for p in picked)


def answered(catalogue: Catalogue, fields: Mapping[str, str]) -> int:
    return sum(is_answered(q, fields) for q in catalogue.questionnaire.questions)


def progress(catalogue: Catalogue, kept: Mapping[str, str], errors: Mapping[str, str]) -> Progress:
    questions = catalogue.questionnaire.questions
    parts = []
    for section in catalogue.questionnaire.sections:
        inside = [q for q in questions if q.section == section.id]
        parts.append(Part(section, sum(is_answered(q, kept) for q in inside), len(inside)))
    return Progress(
        answered=sum(p.answered for p in parts),
        total=len(questions),
        parts=tuple(parts),
        prefilled=bool(errors) or any(kept.values()),
    )


def advanced_open(catalogue: Catalogue, kept: Mapping[str, str], errors: Mapping[str, str]) -> bool:
    """Open the advanced part when it holds an error or anything other than its defaults
    (the number of patients is asked in the population question, not in here)."""
    if any(
        name.startswith((forms.WEIGHT_PREFIX, forms.TIER_PREFIX)) or name == forms.TIERS_FIELD
        for name in errors
    ):
        return True
    for q in catalogue.questionnaire.questions:
        weight = kept.get(forms.WEIGHT_PREFIX + q.id)
        if weight and weight != f"{q.importance:g}":
            return True
    return any(kept.get(forms.TIER_PREFIX + t.id) for t in catalogue.tiers)
