"""Hypothesis strategies over the shipped catalogue: valid answer sets and weights."""

from typing import Any

from hypothesis import strategies as st

from cm_advisor.catalogue import load_catalogue
from helpers.settings import DEFAULTS

CATALOGUE = load_catalogue(DEFAULTS.catalogue_path, DEFAULTS.questionnaire_path)
QUESTIONS = CATALOGUE.questionnaire.questions


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in QUESTIONS:
        if not draw(st.booleans()):
            continue
        if q.kind == "multi":
            picked = draw(st.permutations(q.option_ids))
            most = min(len(picked), q.max_choices or len(picked))
            answers[q.id] = list(picked[: draw(st.integers(1, most))])
        else:
            answers[q.id] = draw(st.sampled_from(q.option_ids))
    return answers


weight_sets = st.dictionaries(
    st.sampled_from([q.id for q in QUESTIONS]),
    st.floats(0, 3, allow_nan=False),
)
