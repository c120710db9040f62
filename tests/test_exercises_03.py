"""Chapter 03's checks (shape arithmetic) name the mistake made (the cases every
check passes or fails: tests/exercise_cases/ch03.py)."""

import pytest
from exercise_cases.ch03 import d128, in_one_conv, with_bn_first
from torch import nn

from dcgan_lib.exercises import evaluate


@pytest.mark.parametrize(
    "answer, words",
    [
        (in_one_conv(), "(128, 128) to (1, 1)"),
        (with_bn_first(), "input layer"),
        (d128(hidden_bn=False), "BatchNorm2d"),
        (d128(slope=0.01), "LeakyReLU(0.2)"),
        (d128(head=[nn.Sigmoid()]), "logits"),
    ],
)
def test_common_discriminator_mistakes_are_named(answer, words):
    verdict = evaluate("03.5", answer)
    assert verdict.ok is False and words in verdict.message, verdict.message


@pytest.mark.parametrize(
    "answer, words",
    [((2, 0), "7x7 to 13x13"), ((2, 2), "smaller than stride")],
)
def test_a_wrong_keras_same_setting_is_told_what_it_does(answer, words):
    verdict = evaluate("03.6", answer)
    assert verdict.ok is False and words in verdict.message, verdict.message
