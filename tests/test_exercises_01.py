"""Chapter 01's checks explain the traps the chapter warns against (the cases every
check passes or fails are in tests/exercise_cases/ch01.py)."""

import math

import pytest

from dcgan_lib.exercises import evaluate


@pytest.mark.parametrize(
    "exercise, answer, words",
    [
        ("01.1", 0.25, "1 - D*"),
        ("01.2", math.log(4), "sign"),
        ("01.3", 0.9, "sign"),
        ("01.4", 100, "1/s"),
        ("01.5", math.sqrt(math.log(2)), "square it"),
    ],
)
def test_common_mistakes_are_explained(exercise, answer, words):
    verdict = evaluate(exercise, answer)
    assert verdict.ok is False and words in verdict.message, verdict.message
