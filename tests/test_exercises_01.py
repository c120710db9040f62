"""Chapter 01's exercise checks accept right answers and explain wrong ones."""

import math

import numpy as np
import pytest
import torch
from helpers import assert_right_and_wrong

from dcgan_lib.exercises import CHECKS, evaluate

RIGHT = {
    "01.1": [0.75, 3 / 4, np.float64(0.7504), torch.tensor(0.75)],
    "01.2": [-math.log(4), -1.386, np.log(0.25), torch.tensor(-1.3863)],
    "01.3": [-0.9, -0.8999, torch.tensor(-0.9, dtype=torch.float64)],
    "01.4": [99, 99.0, 0.99 / 0.01],
    "01.5": [math.log(2), 0.693, np.float32(0.6931)],
}

WRONG = {
    "01.1": [0.25, 3.0, 0.3, "0.75", True, [0.75], float("nan")],
    "01.2": [math.log(4), -math.log(2), 0.5, 0.0, -1.5, "-log 4"],
    "01.3": [0.9, -0.1, -10.0, 1.0, (-0.9,)],
    "01.4": [100, 1 / 99, 1.0, 98, torch.tensor([99.0, 99.0])],
    "01.5": [math.sqrt(math.log(2)), 1.0, 0.0, float("inf")],
}

# answers that hit a known trap get its specific explanation, not just "not it"
TRAPS = {
    "01.1": (0.25, "1 - D*"),
    "01.2": (math.log(4), "sign"),
    "01.3": (0.9, "sign"),
    "01.4": (100, "1/s"),
    "01.5": (math.sqrt(math.log(2)), "square it"),
}


def test_every_chapter_01_exercise_is_tested():
    assert set(RIGHT) == set(WRONG) == {k for k in CHECKS if k.startswith("01.")}


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_right_answers_pass_and_wrong_ones_get_a_hint(exercise):
    assert_right_and_wrong(exercise, RIGHT, WRONG)


@pytest.mark.parametrize("exercise", sorted(TRAPS))
def test_common_mistakes_are_explained(exercise):
    answer, words = TRAPS[exercise]
    verdict = evaluate(exercise, answer)
    assert verdict.ok is False and words in verdict.message, verdict.message


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_a_blank_answer_is_not_graded(exercise):
    assert evaluate(exercise, ...).ok is None
