"""The pure scoring engine: validated catalogue and answers in, explained ranking out.

No web framework, database, YAML or file access here; a test enforces it.
"""

from cm_advisor.engine.analysis import score, score_checked
from cm_advisor.engine.answers import CheckedInput, InvalidInput, check_input
from cm_advisor.engine.results import (
    AnswerValue,
    Contribution,
    FieldError,
    HybridProposal,
    ModelScore,
    Population,
    Result,
    WhatIf,
)
from cm_advisor.engine.types import Catalogue, Model, Question, Questionnaire

__all__ = [
    "AnswerValue",
    "Catalogue",
    "CheckedInput",
    "Contribution",
    "FieldError",
    "HybridProposal",
    "InvalidInput",
    "Model",
    "ModelScore",
    "Population",
    "Question",
    "Questionnaire",
    "Result",
    "WhatIf",
    "check_input",
    "score",
    "score_checked",
]
