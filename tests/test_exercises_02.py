"""Chapter 02's checks (architecture) name the mistake made, and leave the model as
they found it (the cases every check passes or fails: tests/exercise_cases/ch02.py)."""

import pytest
from exercise_cases.ch02 import (
    g32,
    grown_by_stride_1,
    straight_to_16,
    straight_to_32,
)

from dcgan_lib.exercises import evaluate


@pytest.mark.parametrize(
    "exercise, answer, words",
    [
        ("02.4", straight_to_32(), "straight to 32x32"),
        ("02.4", straight_to_16(), "straight to 16x16"),
        ("02.4", grown_by_stride_1(), "stride 2"),
        ("02.4", g32(out_bn=True), "output layer"),
        ("02.5", 0.25, "2x2"),
    ],
)
def test_common_mistakes_are_named(exercise, answer, words):
    verdict = evaluate(exercise, answer)
    assert verdict.ok is False and words in verdict.message, verdict.message


def test_a_checked_model_keeps_its_training_mode():
    model = g32()
    evaluate("02.4", model)
    assert model.training
