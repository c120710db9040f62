"""Chapter 04 (batch normalization): right and wrong answers for every check."""

import numpy as np
import pytest
import torch
from torch import nn

from dcgan_lib.exercises import CHECKS, evaluate


def _bn_once(values):
    """(running_mean, running_var) of a fresh BatchNorm2d(1) after one batch."""
    bn = nn.BatchNorm2d(1).double().train()
    bn(torch.tensor(values, dtype=torch.float64).view(-1, 1, 1, 1))
    return bn.running_mean.item(), bn.running_var.item()


def _bn_value(values, index):
    bn = nn.BatchNorm2d(1, eps=1e-12).double().train()
    out = bn(torch.tensor(values, dtype=torch.float64).view(-1, 1, 1, 1))
    return out.flatten()[index].item()


RIGHT = {
    "04.1": [
        _bn_value([1.0, 2.0, 3.0, 6.0], 3),
        1.6036,
        1.604,
        np.float32(1.6036),
        np.float64(1.6036),
        np.array(1.6036),  # a 0-d NumPy array
        torch.tensor(1.6036),
        torch.nn.functional.batch_norm(
            torch.tensor([[1.0], [2.0], [3.0], [6.0]]),
            None,
            None,
            training=True,
            eps=1e-12,
        )[3, 0],  # a 0-d tensor straight from PyTorch
    ],
    "04.2": [
        _bn_once([1.0, 2.0, 3.0, 6.0]),
        (0.3, 1.3667),
        [0.3, 1.367],
        (np.float32(0.3), np.float64(1.3667)),
        (torch.tensor(0.3), torch.tensor(1.3667)),
    ],
    "04.3": [
        256,
        256.0,
        np.int64(256),
        np.float32(256),
        torch.tensor(256),
        sum(p.numel() for p in nn.BatchNorm2d(128).parameters()),
    ],
    "04.4": [
        {"G": [5], "D": [1, 5]},
        {"D": (5, 1), "G": 5},
        {"G": {5}, "D": {1, 5}},
        {"G": [np.int64(5)], "D": [np.int64(1), np.int64(5)]},
        {"G": [torch.tensor(5)], "D": [torch.tensor(1), torch.tensor(5)]},
        {"G": torch.tensor(5), "D": (np.int32(1), 5)},
    ],
    "04.5": [2.0, 2, np.float32(2.0), np.int64(2), torch.tensor(2.0)],
    "04.6": [
        0.01,
        1 - 0.99,
        np.float32(0.01),
        np.float64(0.01),
        torch.tensor(0.01),
        1 - torch.tensor(0.99),  # 0.00999999 in float32
        np.float32(1) - np.float32(0.99),
    ],
}

# The misconceptions chapter 04 argues against, each a wrong answer that must fail.
WRONG = {
    "04.1": [
        3 / (14 / 3) ** 0.5,  # 1.389: the unbiased variance (m - 1)
        3 / 3.5,  # 0.857: divided by the variance, not the std
        3.0,  # centred but not scaled
        6.0,  # the input itself
        -1.604,  # the sign
        1.5,
        "1.604",
        (1.604, 0.0),
        True,
    ],
    "04.2": [
        (0.3, 0.9 + 0.1 * 3.5),  # the biased variance fed into running_var
        (2.7, 0.1 + 0.9 * 14 / 3),  # Keras's momentum convention
        (3.0, 14 / 3),  # the batch statistics themselves (momentum 1)
        (0.3, 0.1 * 14 / 3),  # running_var starts at 1, not 0
        (0.9 + 0.1 * 14 / 3, 0.3),  # the two in the wrong order
        (0.2, 1.0),
        0.3,
        ("0.3", 1.367),
    ],
    "04.3": [
        512,  # running statistics counted
        513,  # num_batches_tracked too
        128,  # gamma only
        2,  # one gamma and one beta for the layer, not per channel
        256.5,
        "256",
    ],
    "04.4": [
        {"G": [5], "D": [1]},  # the paper's exceptions only: D's logit forgotten
        {"G": [1, 5], "D": [1, 5]},  # G's input layer is normalized
        {"G": [5], "D": [5]},  # D's input layer forgotten
        {"G": [1], "D": [5]},  # the two edges swapped: G's input, D's output
        {"G": [], "D": []},  # every layer normalized
        {"G": [5], "D": [1, 2, 3, 4, 5]},
        {"G": [5]},
        [5, 1, 5],
        {"G": ["5"], "D": [1, 5]},
        {"G": [5.5], "D": [1, 5]},
    ],
    "04.5": [
        1.5,  # divided by the variance, not its square root
        1.0,  # beta forgotten
        3.0,  # gamma * (x - mean) + beta: not divided at all
        2.5,
        "2.0",
    ],
    "04.6": [
        0.99,  # the same number, the opposite meaning
        0.1,  # PyTorch's default
        0.9,
        1.0,
        None,
    ],
}


def test_chapter_04_checks_are_all_here():
    assert set(RIGHT) == set(WRONG) == {k for k in CHECKS if k.startswith("04.")}


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_right_answers_pass_and_wrong_ones_get_a_hint(exercise):
    for answer in RIGHT[exercise]:
        verdict = evaluate(exercise, answer)
        assert verdict.ok is True, (answer, verdict.message)
        assert "정답" in verdict.message and "Correct" in verdict.message
    for answer in WRONG[exercise]:
        verdict = evaluate(exercise, answer)
        if answer is None:  # an unanswered exercise is not wrong, just pending
            assert verdict.ok is None
            continue
        assert verdict.ok is False, answer
        assert "힌트:" in verdict.message and "Hint:" in verdict.message


def test_common_mistakes_are_named():
    assert "unbiased" in evaluate("04.1", 3 / (14 / 3) ** 0.5).message
    assert "unbiased" in evaluate("04.2", (0.3, 1.25)).message
    assert "Keras" in evaluate("04.2", (2.7, 4.3)).message
    assert "buffers" in evaluate("04.3", 512).message
    assert "logit" in evaluate("04.4", {"G": [5], "D": [1]}).message
    assert "opposite" in evaluate("04.6", 0.99).message


def test_the_right_values_are_what_pytorch_computes():
    """The expected answers of 04.1 and 04.2 come from nn.BatchNorm2d itself."""
    assert evaluate("04.1", _bn_value([1.0, 2.0, 3.0, 6.0], 3)).ok
    assert evaluate("04.2", _bn_once([1.0, 2.0, 3.0, 6.0])).ok
