"""Chapter 04's checks (batch normalization) name the mistake made (the cases every
check passes or fails: tests/exercise_cases/ch04.py)."""

import pytest

from dcgan_lib.exercises import evaluate


@pytest.mark.parametrize(
    "exercise, answer, words",
    [
        ("04.1", 3 / (14 / 3) ** 0.5, "unbiased"),
        ("04.2", (0.3, 1.25), "unbiased"),
        ("04.2", (2.7, 4.3), "Keras"),
        ("04.3", 512, "buffers"),
        ("04.4", {"G": [5], "D": [1]}, "logit"),
        ("04.6", 0.99, "opposite"),
    ],
)
def test_common_mistakes_are_named(exercise, answer, words):
    verdict = evaluate(exercise, answer)
    assert verdict.ok is False and words in verdict.message, verdict.message
