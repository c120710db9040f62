"""Chapter 01's exercise checks accept right answers and explain wrong ones."""

import math

import numpy as np
import pytest
import torch
from helpers import assert_right_and_wrong

from dcgan_lib.exercises import CHECKS, evaluate

RIGHT = {
    "01.1": [0.75, 3 / 4, np.float64(0.7504), np.float32(0.75), torch.tensor(0.75)],
    "01.2": [
        -math.log(4),
        -1.386,
        np.log(0.25),
        torch.tensor(-1.3863),
        np.array(-1.386),
    ],
    "01.3": [
        -0.9,
        -0.8999,
        np.float32(-0.9),
        np.float64(-0.9),
        np.array(-0.9),
        torch.tensor(-0.9, dtype=torch.float64),
    ],
    "01.4": [
        99,
        99.0,
        0.99 / 0.01,
        np.int64(99),
        np.float32(99.0),
        np.array(99),
        torch.tensor(99),
    ],
    "01.5": [
        math.log(2),
        0.693,
        np.float32(0.6931),
        np.array(math.log(2)),
        torch.tensor(0.6931),
    ],
}

# The misconceptions chapter 01 argues against, each a wrong answer that must fail.
WRONG = {
    "01.1": [
        0.25,  # p_g's share, 1 - D*
        3.0,  # the ratio p_data / p_g, no probability
        0.3,  # p_data alone
        0.5,  # D* at the equilibrium, not at this x
        "0.75",
        True,
        [0.75],
        float("nan"),
    ],
    "01.2": [
        math.log(4),  # sign lost
        -math.log(2),  # one of the two terms only
        -2.0,  # -log2(4): bits instead of nats
        0.5,  # D*, not V
        0.0,  # the value of a perfect D
        -1.5,
        "-log 4",
    ],
    "01.3": [
        0.9,  # sign lost
        -0.1,  # the saturating loss's gradient
        -10.0,  # derivative with respect to s, not the logit
        0.1,  # s itself
        -1.0,  # 1 - s with s taken as 0
        (-0.9,),
    ],
    "01.4": [
        100,  # 1/s: the non-saturating gradient taken as 1
        1 / 99,  # upside down
        1.0,  # "the same gradient"
        98,
        0.99,  # the numerator alone
        99.5,  # neither 99 nor a whole ratio
        torch.tensor([99.0, 99.0]),
    ],
    "01.5": [
        math.sqrt(math.log(2)),  # jensenshannon's sqrt(JSD), not squared
        1.0,  # bits (base 2)
        0.0,  # C(G) = 0, not the JSD
        -math.log(4),  # the minimum of C(G)
        math.log(4),  # 2 JSD
        float("inf"),
    ],
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
