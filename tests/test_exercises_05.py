"""Chapter 05's checks (weight initialization) name the layer an init missed and
leave the random state alone (the cases every check passes or fails:
tests/exercise_cases/ch05.py)."""

import math

import pytest
import torch
from exercise_cases.ch05 import (
    beta_kept,
    every_conv_and_batchnorm,
    no_batchnorm,
    only_1d_convs,
    variance_not_std,
)

from dcgan_lib.exercises import evaluate


def test_checking_an_init_function_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    evaluate("05.6", every_conv_and_batchnorm)
    assert torch.equal(torch.rand(3), expected)


def test_the_misread_bound_of_exercise_4_gets_a_specific_explanation():
    verdict = evaluate("05.4", 1 / math.sqrt(64 * 16))
    assert "Conv2d(64, ...)" in verdict.message


@pytest.mark.parametrize(
    "answer, words",
    [
        (only_1d_convs, "Conv2d: its weight was not re-initialized"),
        (no_batchnorm, "gamma was not re-initialized"),
        (variance_not_std, "not about 0.02"),
        (beta_kept, "beta is not 0"),
    ],
)
def test_an_init_that_misses_a_layer_is_told_which(answer, words):
    verdict = evaluate("05.6", answer)
    assert verdict.ok is False and words in verdict.message, verdict.message
