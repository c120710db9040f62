"""Chapter 05's exercise cases (weight initialization): right answers in several
forms, and wrong answers each labelled with the mistake it makes."""

import math

import numpy as np
import torch
from torch import nn

from dcgan_lib import weights_init


def every_conv_and_batchnorm(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def every_norm(module):
    """_NormBase, as seen in SyncBatchNorm.__mro__: catches InstanceNorm too."""
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._NormBase):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def listed_types(module):
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


def tutorial(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def variance_not_std(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02**0.5)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def gamma_zero(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 0.0, 0.02)
        nn.init.zeros_(module.bias)


def any_weight(module):
    """Every module with a weight, BatchNorm first: touches the monitor too."""
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        every_conv_and_batchnorm(module)
    elif isinstance(getattr(module, "weight", None), torch.Tensor):
        nn.init.normal_(module.weight, 0.0, 0.02)


def only_1d_convs(module):
    """The review's slip: PyTorch's own init of the 2-D layers is std ~0.018."""
    if isinstance(module, (nn.Conv1d, nn.ConvTranspose1d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def only_2d_layers(module):
    """Conv2d, ConvTranspose2d and BatchNorm2d only: the exercise asks for every one."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def no_batchnorm(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)


def uniform(module):
    """U(-0.02, 0.02) has std 0.0115, not 0.02."""
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.uniform_(module.weight, -0.02, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def gamma_exactly_one(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)


def beta_kept(module):
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)


def std_0002(module):
    """A slip of one zero: std 0.002."""
    if isinstance(module, nn.modules.conv._ConvNd):
        nn.init.normal_(module.weight, 0.0, 0.002)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def does_nothing(module):
    pass


def data_normal(m):
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
    "05.6": [every_conv_and_batchnorm, listed_types, data_normal],
}

WRONG = {
    "05.1": [
        ("the std, not the variance", 0.02),
        ("2 * std", 0.04),
        ("ten times the std", 0.2),
        ("0.02 / 100", 0.0002),
        ("a zero too many", 0.00004),
        ("the square root instead of the square", 0.02**0.5),
        ("text", "0.0004"),
        ("a bool", True),
        ("a tuple holding it", (0.0004,)),
    ],
    "05.2": [
        ("the variance taken for the std", 0.02),
        ("squared instead of square-rooted", 0.0004),
        ("ten times 0.02", 0.2),
        ("halved", 0.01),
        ("doubled", 0.04),
        ("the square root of 0.2, not of 0.02", math.sqrt(0.2)),
        ("text", "0.141"),
    ],
    "05.3": [
        ("fan_out instead of fan_in", 1 / math.sqrt(128 * 16)),
        ("every weight counted", 1 / math.sqrt(64 * 128 * 16)),
        ("the kernel forgotten", 1 / math.sqrt(64)),
        ("k instead of k * k", 1 / math.sqrt(64 * 4)),
        ("no square root", 1 / 1024),
        ("Kaiming's bound for ReLU, not PyTorch's default", math.sqrt(6 / 1024)),
        ("the gain 1/sqrt(3) forgotten", math.sqrt(3 / 1024)),
        ("He's standard deviation for ReLU, not a bound", math.sqrt(2 / 1024)),
        ("the std of U(-b, b), not b", 0.018),
        ("a round guess", 0.25),
    ],
    "05.4": [
        (
            "the weight's size(1) misread: as for a Conv2d(64, ...)",
            1 / math.sqrt(64 * 16),
        ),
        ("both channel counts in the fan", 1 / math.sqrt(64 * 3 * 16)),
        ("the kernel forgotten", 1 / math.sqrt(3)),
        ("no square root", 1 / 48),
        ("the gain 1/sqrt(3) forgotten", math.sqrt(3 / 48)),
        ("the std of U(-b, b), not b", 0.083),
        ("text", "0.144"),
    ],
    "05.5": [
        ('"conv" in lower case does not match', MATCHED | {"DeconvHead"}),
        ("not a conv, but it matches", MATCHED - {"ConvergenceMonitor"}),
        ("Conv inside a longer name", MATCHED - {"Conv2dNormActivation"}),
        ('"Conv" anywhere in the name', MATCHED - {"LazyConv2d"}),
        ("a lower-case conv", MATCHED | {"conv_block"}),
        ("BatchNorm matched too", MATCHED | {"BatchNorm2d"}),
        ("one name as text", "Conv1d"),
        ("numbers, not names", {1, 2}),
        ("none", set()),
    ],
    "05.6": [
        ("calling the library's weights_init", weights_init),
        ("classname.find crashes on a container named *Conv*", tutorial),
        ("N(0, 0.02) read as variance 0.02", variance_not_std),
        ("a slip of one zero: std 0.002", std_0002),
        ("gamma ~ N(0, 0.02)", gamma_zero),
        ("gamma = 1, not drawn", gamma_exactly_one),
        ("beta not zeroed", beta_kept),
        ("touches the monitor's weight", any_weight),
        ("leaves the 2-D layers at PyTorch's own init", only_1d_convs),
        ("misses Conv1d/3d, transposed 1d/3d, SyncBatchNorm", only_2d_layers),
        ("BatchNorm left alone", no_batchnorm),
        ("re-initializes InstanceNorm as well", every_norm),
        ("U(-0.02, 0.02): std 0.0115", uniform),
        ("does nothing", does_nothing),
        ("a layer, not a function", nn.Conv2d(1, 1, 1)),
        ("text", "weights_init"),
    ],
}
