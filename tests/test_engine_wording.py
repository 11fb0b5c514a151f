"""The words the engine and the pages share: signed points and priority levels."""

import pytest

from cm_advisor.engine.wording import signed, weight_words


@pytest.mark.parametrize(
    ("points", "shown"),
    [
        (2.0, "+2.0"),
        (0.5, "+0.5"),
        (0.06, "+0.1"),
        (0.04, "0.0"),  # shown as 0.0, so neither plus nor minus
        (0.0, "0.0"),
        (-0.0, "0.0"),
        (-0.04, "0.0"),
        (-0.06, "\u22120.1"),
        (-0.5, "\u22120.5"),
        (-12.25, "\u221212.2"),
    ],
)
def test_signed_points_use_a_true_minus_and_no_sign_for_zero(points: float, shown: str) -> None:
    assert signed(points) == shown


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0.0, "not important (0)"),
        (0.5, "minor (0.5)"),
        (1.0, "normal (1)"),
        (1.5, "above normal (1.5)"),
        (2.0, "important (2)"),
        (3.0, "critical (3)"),
        (1.25, "1.25"),  # off the scale: just the number
        (2.5, "2.5"),
    ],
)
def test_a_priority_in_words_with_its_number(value: float, words: str) -> None:
    assert weight_words(value) == words
