"""Right and wrong answers for chapter 05's exercise checks (weight initialization)."""

import math

import pytest
import torch
from helpers import assert_right_and_wrong
from torch import nn

from dcgan_lib import weights_init
from dcgan_lib.exercises import CHECKS, evaluate


def _every_conv_and_batchnorm(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def _listed_types(module):
    convs = (
        nn.Conv1d,
        nn.Conv2d,
        nn.Conv3d,
        nn.ConvTranspose1d,
        nn.ConvTranspose2d,
        nn.ConvTranspose3d,
    )
    norms = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)
    if isinstance(module, convs):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
    elif isinstance(module, norms):
        nn.init.normal_(module.weight, mean=1.0, std=0.02)
        nn.init.constant_(module.bias, 0.0)


def _tutorial(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def _variance_not_std(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02**0.5)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def _gamma_zero(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 0.0, 0.02)
        nn.init.zeros_(module.bias)


def _any_weight(module):
    """Every module with a weight, BatchNorm first: touches the monitor too."""
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        _every_conv_and_batchnorm(module)
    elif isinstance(getattr(module, "weight", None), torch.Tensor):
        nn.init.normal_(module.weight, 0.0, 0.02)


MATCHED = {
    "Conv1d",
    "ConvTranspose2d",
    "ConvergenceMonitor",
    "Conv2dNormActivation",
    "LazyConv2d",
}

RIGHT = {
    "05.1": [0.0004, 0.02**2, 4e-4, torch.tensor(0.0004)],
    "05.2": [math.sqrt(0.02), 0.1414, 0.141, 0.14142],
    "05.3": [0.03125, 1 / 32, 1 / math.sqrt(1024)],
    "05.4": [1 / math.sqrt(48), 0.1443, 0.144],
    "05.5": [MATCHED, sorted(MATCHED), tuple(MATCHED), frozenset(MATCHED)],
    "05.6": [_every_conv_and_batchnorm, _listed_types],
}

WRONG = {
    "05.1": [0.02, 0.04, 0.2, 0.0002, "0.0004", True, (0.0004,)],
    "05.2": [0.02, 0.0004, 0.2, 0.01, "0.141"],
    "05.3": [1 / math.sqrt(128 * 16), 1 / math.sqrt(64 * 128 * 16), 0.018, 0.25],
    "05.4": [1 / math.sqrt(64 * 16), 1 / math.sqrt(64 * 3 * 16), 0.083, "0.144"],
    "05.5": [
        MATCHED | {"DeconvHead"},
        MATCHED - {"ConvergenceMonitor"},
        MATCHED | {"conv_block"},
        "Conv1d",
        {1, 2},
        set(),
    ],
    "05.6": [
        weights_init,
        _tutorial,
        _variance_not_std,
        _gamma_zero,
        _any_weight,
        nn.Conv2d(1, 1, 1),
        "weights_init",
    ],
}


def test_chapter_05_checks_are_all_covered():
    assert set(RIGHT) == set(WRONG) == {k for k in CHECKS if k.startswith("05.")}


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_right_answers_pass_and_wrong_ones_get_a_hint(exercise):
    assert_right_and_wrong(exercise, RIGHT, WRONG)


def test_checking_an_init_function_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    evaluate("05.6", _every_conv_and_batchnorm)
    assert torch.equal(torch.rand(3), expected)


def test_the_misread_bound_of_exercise_4_gets_a_specific_explanation():
    verdict = evaluate("05.4", 1 / math.sqrt(64 * 16))
    assert "Conv2d(64, ...)" in verdict.message
