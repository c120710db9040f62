"""Right and wrong answers for chapter 05's exercise checks (weight initialization)."""

import math

import numpy as np
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


def _every_norm(module):
    """_NormBase, as seen in SyncBatchNorm.__mro__: catches InstanceNorm too."""
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._NormBase):
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


def _only_1d_convs(module):
    """The review's slip: PyTorch's own init of the 2-D layers is std ~0.018."""
    if isinstance(module, (nn.Conv1d, nn.ConvTranspose1d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def _only_2d_layers(module):
    """Conv2d, ConvTranspose2d and BatchNorm2d only: the exercise asks for every one."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def _no_batchnorm(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)


def _uniform(module):
    """U(-0.02, 0.02) has std 0.0115, not 0.02."""
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.uniform_(module.weight, -0.02, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def _gamma_exactly_one(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)


def _beta_kept(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)


def _std_0002(module):
    """A slip of one zero: std 0.002."""
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.002)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def _does_nothing(module):
    pass


def _data_normal(m):
    """The tutorial's style with isinstance: in place on .data, also right."""
    if isinstance(m, nn.modules.conv._ConvNd):
        m.weight.data.normal_(0.0, 0.02)
    elif isinstance(m, nn.modules.batchnorm._BatchNorm):
        m.weight.data.normal_(1.0, 0.02)
        m.bias.data.fill_(0)


MATCHED = {
    "Conv1d",
    "ConvTranspose2d",
    "ConvergenceMonitor",
    "Conv2dNormActivation",
    "LazyConv2d",
}

RIGHT = {
    "05.1": [
        0.0004,
        0.02**2,
        4e-4,
        np.float32(0.0004),
        np.float64(0.0004),
        np.array(0.0004),
        torch.tensor(0.0004),
    ],
    "05.2": [
        math.sqrt(0.02),
        0.1414,
        0.141,
        0.14142,
        np.sqrt(0.02),
        np.float32(0.1414),
        np.array(0.1414),
        torch.tensor(math.sqrt(0.02)),
    ],
    "05.3": [
        0.03125,
        1 / 32,
        1 / math.sqrt(1024),
        np.float32(1 / 32),
        np.float64(1 / 32),
        np.array(1 / 32),
        torch.tensor(1 / 32),
    ],
    "05.4": [
        1 / math.sqrt(48),
        0.1443,
        0.144,
        np.float32(0.1443),
        np.float64(1 / math.sqrt(48)),
        np.array(1 / math.sqrt(48)),
        torch.tensor(0.1443),
        torch.tensor(1 / math.sqrt(48), dtype=torch.float64),
    ],
    "05.5": [MATCHED, sorted(MATCHED), tuple(MATCHED), frozenset(MATCHED)],
    "05.6": [_every_conv_and_batchnorm, _listed_types, _data_normal],
}

# The misconceptions chapter 05 argues against, each a wrong answer that must fail.
WRONG = {
    "05.1": [
        0.02,  # the std, not the variance
        0.04,  # 2 * std
        0.2,
        0.0002,  # 0.02 / 100
        0.00004,  # a zero too many
        0.02**0.5,  # the square root instead of the square
        "0.0004",
        True,
        (0.0004,),
    ],
    "05.2": [
        0.02,  # the variance taken for the std
        0.0004,  # squared instead of square-rooted
        0.2,
        0.01,  # halved
        0.04,
        math.sqrt(0.2),  # the square root of 0.2, not of 0.02
        "0.141",
    ],
    "05.3": [
        1 / math.sqrt(128 * 16),  # fan_out instead of fan_in
        1 / math.sqrt(64 * 128 * 16),  # every weight counted
        1 / math.sqrt(64),  # the kernel forgotten
        1 / math.sqrt(64 * 4),  # k instead of k * k
        1 / 1024,  # no square root
        math.sqrt(6 / 1024),  # Kaiming's bound for ReLU, not PyTorch's default
        math.sqrt(3 / 1024),  # the gain 1/sqrt(3) forgotten
        math.sqrt(2 / 1024),  # He's standard deviation for ReLU, not a bound
        0.018,  # the std of U(-b, b), not b
        0.25,
    ],
    "05.4": [
        1
        / math.sqrt(64 * 16),  # the weight's size(1) misread: as for a Conv2d(64, ...)
        1 / math.sqrt(64 * 3 * 16),
        1 / math.sqrt(3),  # the kernel forgotten
        1 / 48,  # no square root
        math.sqrt(3 / 48),  # the gain 1/sqrt(3) forgotten
        0.083,  # the std of U(-b, b), not b
        "0.144",
    ],
    "05.5": [
        MATCHED | {"DeconvHead"},  # "conv" in lower case does not match
        MATCHED - {"ConvergenceMonitor"},  # not a conv, but it matches
        MATCHED - {"Conv2dNormActivation"},
        MATCHED - {"LazyConv2d"},  # "Conv" anywhere in the name
        MATCHED | {"conv_block"},
        MATCHED | {"BatchNorm2d"},
        "Conv1d",
        {1, 2},
        set(),
    ],
    "05.6": [
        weights_init,
        _tutorial,  # classname.find crashes on a container named *Conv*
        _variance_not_std,  # N(0, 0.02) read as variance 0.02
        _std_0002,
        _gamma_zero,  # gamma ~ N(0, 0.02)
        _gamma_exactly_one,  # gamma = 1, not drawn
        _beta_kept,  # beta not zeroed
        _any_weight,  # touches the monitor's weight
        _only_1d_convs,  # leaves the 2-D layers at PyTorch's own init
        _only_2d_layers,  # misses Conv1d/3d, transposed 1d/3d, SyncBatchNorm
        _no_batchnorm,
        _every_norm,  # re-initializes InstanceNorm as well
        _uniform,
        _does_nothing,
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


@pytest.mark.parametrize(
    "answer, words",
    [
        (_only_1d_convs, "Conv2d: its weight was not re-initialized"),
        (_no_batchnorm, "gamma was not re-initialized"),
        (_variance_not_std, "not about 0.02"),
        (_beta_kept, "beta is not 0"),
    ],
)
def test_an_init_that_misses_a_layer_is_told_which(answer, words):
    verdict = evaluate("05.6", answer)
    assert verdict.ok is False and words in verdict.message, verdict.message
