"""Right and wrong answers for chapter 02's exercise checks (architecture)."""

import pytest
from helpers import assert_right_and_wrong
from torch import nn

from dcgan_lib import Generator
from dcgan_lib.exercises import CHECKS, evaluate


def _g32(*, out_bn=False, act=nn.ReLU, last=nn.Tanh, nc=1, skip_bn=False):
    """A 32x32 generator with one thing optionally wrong."""
    layers = []
    blocks = [(100, 64, 1, 0), (64, 32, 2, 1), (32, 16, 2, 1)]
    for c_in, c_out, stride, padding in blocks:
        layers.append(nn.ConvTranspose2d(c_in, c_out, 4, stride, padding, bias=False))
        if not skip_bn:
            layers.append(nn.BatchNorm2d(c_out))
        layers.append(act())
    layers.append(nn.ConvTranspose2d(16, nc, 4, 2, 1, bias=False))
    if out_bn:
        layers.append(nn.BatchNorm2d(nc))
    layers.append(last())
    return nn.Sequential(*layers)


def _upsample_g32():
    return nn.Sequential(
        nn.ConvTranspose2d(100, 32, 4, 1, 0),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.Upsample(scale_factor=8),
        nn.Conv2d(32, 1, 3, 1, 1),
        nn.Tanh(),
    )


RIGHT = {
    "02.1": [(5, 4), [5, 4]],
    "02.2": [11_036_160],
    "02.3": [(1, 4, 3, 2), [1, 4, 3, 2]],
    "02.4": [
        Generator(nc=1, image_size=32),
        Generator(nz=100, ngf=8, nc=1, image_size=32),
        _g32(),
    ],
    "02.5": [1 / 16, 0.0625, 0.06250001],
}

WRONG = {
    "02.1": [(4, 3), (5, 5), (6, 4), 9, (5.0, 4), "5, 4"],
    "02.2": [11_032_576, 2_765_568, 11_036_160.0, "11036160"],
    "02.3": [(1, 2, 3, 4), (1, 4, 3, 5), (1, 4, 3), "1432"],
    "02.4": [
        Generator(nc=1, image_size=64),  # wrong size
        Generator(nc=3, image_size=32),  # wrong channels
        _g32(out_bn=True),  # BatchNorm at G's output
        _g32(act=lambda: nn.LeakyReLU(0.2)),  # LeakyReLU in G
        _g32(last=nn.Sigmoid),  # output not Tanh
        _g32(skip_bn=True),  # no BatchNorm at all
        _upsample_g32(),  # fixed upsampling + Conv2d
        "Generator",
    ],
    "02.5": [0.25, 1 / 4, 16, True, "1/16", 0.07],
}


def test_chapter_02_checks_are_all_tested():
    assert set(RIGHT) == set(WRONG) == {k for k in CHECKS if k.startswith("02.")}


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_right_answers_pass_and_wrong_ones_get_a_hint(exercise):
    assert_right_and_wrong(exercise, RIGHT, WRONG)


def test_a_checked_model_keeps_its_training_mode():
    model = _g32()
    evaluate("02.4", model)
    assert model.training
