"""The pure scoring engine: validated catalogue and answers in, explained ranking out.

No web framework, database, YAML or file access here; a test enforces it.
"""

from cm_advisor.engine.analysis import score
from cm_advisor.engine.answers import CheckedInput, InvalidInput, check_input
from cm_advisor.engine.types import (
    AnswerValue,
    Catalogue,
    FieldError,
    HybridProposal,
    Model,
    ModelScore,
    Question,
    Questionnaire,
    Result,
)

__all__ = [
    "AnswerValue",
    "Catalogue",
    "CheckedInput",
    "FieldError",
    "HybridProposal",
    "InvalidInput",
    "Model",
    "ModelScore",
    "Question",
    "Questionnaire",
    "Result",
    "check_input",
    "score",
]
