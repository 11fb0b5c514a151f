"""A catalogue's cross-references, checked as it loads: each mistake's exact message, as
the person editing the catalogue reads it."""

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from cm_advisor.engine import Catalogue
from helpers.tiny import tiny

Edit = Callable[[dict[str, Any]], None]


def _data() -> dict[str, Any]:
    return tiny(["alpha", "beta", "gamma"]).model_dump()


def _no_rules_for_q2(data: dict[str, Any]) -> None:
    del data["rules"]["q2"]


def _no_rules_for_option_b(data: dict[str, Any]) -> None:
    del data["rules"]["q1"]["b"]


def _rules_for_an_unknown_question(data: dict[str, Any]) -> None:
    data["rules"]["zz"] = {}


def _rules_for_an_unknown_option(data: dict[str, Any]) -> None:
    data["rules"]["q1"]["zz"] = data["rules"]["q1"]["a"]


def _two_rules_missing(data: dict[str, Any]) -> None:
    del data["rules"]["q1"]["a"]["beta"], data["rules"]["q1"]["a"]["gamma"]


def _two_models_twice(data: dict[str, Any]) -> None:
    data["models"] = [*data["models"], data["models"][1], data["models"][0]]


def _flag_for_an_unknown_model(data: dict[str, Any]) -> None:
    data["red_flags"][0]["model"] = "wizard"


def _flag_on_an_unknown_question(data: dict[str, Any]) -> None:
    data["red_flags"][0]["when"] = [{"zz": ["a"]}]


def _flag_on_an_unknown_option(data: dict[str, Any]) -> None:
    data["red_flags"][0]["when"] = [{"q1": ["a", "zz"]}]


def _unknown_reference_none_known(data: dict[str, Any]) -> None:
    data["rules"]["q1"]["a"]["alpha"]["refs"] = ["nope"]


def _unknown_reference_two_known(data: dict[str, Any]) -> None:
    data["models"][0]["evidence"][0]["id"] = "r2"
    data["models"][1]["evidence"][1]["id"] = "r1"
    data["red_flags"][0]["refs"] = ["r1", "nope"]


MISTAKES: list[tuple[Edit, str]] = [
    (_no_rules_for_q2, "rules: question 'q2' has no rules"),
    (_no_rules_for_option_b, "rules → q1 → b: option has no rules"),
    (_rules_for_an_unknown_question, "rules → zz: unknown question (questions: q1, q2)"),
    (_rules_for_an_unknown_option, "rules → q1 → zz: unknown option (allowed: a, b, c)"),
    (_two_rules_missing, "rules → q1 → a: no rule for model beta, gamma"),
    (_two_models_twice, "models: duplicate id alpha, beta"),
    (
        _flag_for_an_unknown_model,
        "red_flags → beta_flag → model: unknown model 'wizard' (models: alpha, beta, gamma)",
    ),
    (_flag_on_an_unknown_question, "red_flags → beta_flag → when: unknown question 'zz'"),
    (
        _flag_on_an_unknown_option,
        "red_flags → beta_flag → when → q1: unknown option 'zz' (allowed: a, b, c)",
    ),
    (
        _unknown_reference_none_known,
        "rules → q1 → a → alpha → refs: unknown reference 'nope' (references: none have an id)",
    ),
    (
        _unknown_reference_two_known,
        "red_flags → beta_flag → refs: unknown reference 'nope' (references: r1, r2)",
    ),
]


@pytest.mark.parametrize(("edit", "message"), MISTAKES, ids=[e.__name__ for e, _ in MISTAKES])
def test_a_catalogue_mistake_is_refused_in_words(edit: Edit, message: str) -> None:
    data = _data()
    edit(data)
    with pytest.raises(ValidationError) as caught:
        Catalogue.model_validate(data)
    assert [e["msg"] for e in caught.value.errors()] == [f"Value error, {message}"]


def test_an_option_s_position_among_its_question_s_options() -> None:
    question = tiny(["alpha", "beta", "gamma"]).question("q1")
    assert [question.position(o) for o in ("a", "b", "c")] == [0, 1, 2]
