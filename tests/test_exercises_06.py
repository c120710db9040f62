"""Chapter 06's checks (training a DCGAN) name the slip made and leave the random
state alone (the cases every check passes or fails: tests/exercise_cases/ch06.py)."""

import hashlib
import math

import pytest
import torch
from exercise_cases.ch06 import mse_on_sigmoid, no_detach, smoothed_labels, two_halves

from dcgan_lib.exercises import evaluate


def test_the_mystery_order_is_the_notebooks():
    """Section 6.1 orders the three failure settings by the MD5 of their names."""
    names = ["lr 1e-3", "β1 0.9", "BN 없음 / no BN"]
    shuffled = sorted(names, key=lambda name: hashlib.md5(name.encode()).hexdigest())
    assert evaluate("06.5", dict(zip("ABC", shuffled))).ok is True


@pytest.mark.parametrize("step", [mse_on_sigmoid, smoothed_labels])
def test_a_d_step_with_another_loss_is_told_so(step):
    verdict = evaluate("06.4", step)
    assert verdict.ok is False and "BCE on the logits" in verdict.message


def test_a_d_step_that_reaches_g_is_told_to_detach():
    verdict = evaluate("06.4", no_detach)
    assert "detach" in verdict.message


def test_checking_a_d_step_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    evaluate("06.4", two_halves)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    "exercise, answer, words",
    [
        ("06.3", 790, "partial batch"),
        ("06.2", math.log(1 + math.exp(-2)), "real label 1"),
        ("06.6", 1.0, "natural log"),
    ],
)
def test_common_slips_get_a_specific_explanation(exercise, answer, words):
    verdict = evaluate(exercise, answer)
    assert verdict.ok is False and words in verdict.message, verdict.message
