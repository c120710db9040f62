"""Chapter 04's exercise cases (batch normalization): right answers in several
forms, and wrong answers each labelled with the mistake it makes."""

import numpy as np
import torch
from torch import nn


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
        _bn_value([1.0, 2.0, 3.0, 6.0], 3),  # what nn.BatchNorm2d computes
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
        _bn_once([1.0, 2.0, 3.0, 6.0]),  # what nn.BatchNorm2d keeps
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

WRONG = {
    "04.1": [
        ("1.389: the unbiased variance (m - 1)", 3 / (14 / 3) ** 0.5),
        ("0.857: divided by the variance, not the std", 3 / 3.5),
        ("centred but not scaled", 3.0),
        ("the input itself", 6.0),
        ("the sign", -1.604),
        ("a neighbouring number", 1.5),
        ("text", "1.604"),
        ("a pair", (1.604, 0.0)),
        ("a bool", True),
    ],
    "04.2": [
        ("the biased variance fed into running_var", (0.3, 0.9 + 0.1 * 3.5)),
        ("Keras's momentum convention", (2.7, 0.1 + 0.9 * 14 / 3)),
        ("the batch statistics themselves (momentum 1)", (3.0, 14 / 3)),
        ("running_var starts at 1, not 0", (0.3, 0.1 * 14 / 3)),
        ("the two in the wrong order", (0.9 + 0.1 * 14 / 3, 0.3)),
        ("a nearby pair", (0.2, 1.0)),
        ("the mean alone", 0.3),
        ("text inside", ("0.3", 1.367)),
    ],
    "04.3": [
        ("running statistics counted", 512),
        ("num_batches_tracked too", 513),
        ("gamma only", 128),
        ("one gamma and one beta for the layer, not per channel", 2),
        ("a fraction", 256.5),
        ("text", "256"),
    ],
    "04.4": [
        ("the paper's exceptions only: D's logit forgotten", {"G": [5], "D": [1]}),
        ("G's input layer is normalized", {"G": [1, 5], "D": [1, 5]}),
        ("D's input layer forgotten", {"G": [5], "D": [5]}),
        ("the two edges swapped: G's input, D's output", {"G": [1], "D": [5]}),
        ("every layer normalized", {"G": [], "D": []}),
        ("every layer of D without BatchNorm", {"G": [5], "D": [1, 2, 3, 4, 5]}),
        ("D missing", {"G": [5]}),
        ("a list, not a dict", [5, 1, 5]),
        ("text inside", {"G": ["5"], "D": [1, 5]}),
        ("a fractional layer number", {"G": [5.5], "D": [1, 5]}),
    ],
    "04.5": [
        ("divided by the variance, not its square root", 1.5),
        ("beta forgotten", 1.0),
        ("gamma * (x - mean) + beta: not divided at all", 3.0),
        ("a neighbouring number", 2.5),
        ("text", "2.0"),
    ],
    "04.6": [
        ("the same number, the opposite meaning", 0.99),
        ("PyTorch's default", 0.1),
        ("PyTorch's default 0.1 in Keras's convention", 0.9),
        ("momentum 1: the batch alone", 1.0),
    ],
}
