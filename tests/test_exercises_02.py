"""Right and wrong answers for chapter 02's exercise checks (architecture)."""

import numpy as np
import pytest
import torch
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


def _block(c_in, c_out, kernel=4, stride=2, padding=1, **kwargs):
    return [
        nn.ConvTranspose2d(c_in, c_out, kernel, stride, padding, **kwargs),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    ]


def _g32_from(*blocks, last=(16, 1, 4, 2, 1)):
    """A 32x32 generator: ``blocks`` of (c_in, c_out, k, s, p), then ``last``."""
    layers = [m for spec in blocks for m in _block(*spec)]
    return nn.Sequential(*layers, nn.ConvTranspose2d(*last), nn.Tanh())


class _G32Module(nn.Module):
    """The same generator written as a class, its blocks in an nn.Sequential."""

    def __init__(self):
        super().__init__()
        self.main = _g32()

    def forward(self, z):
        return self.main(z)


_PAPER_G32 = [(100, 64, 4, 1, 0), (64, 32, 4, 2, 1), (32, 16, 4, 2, 1)]

RIGHT = {
    "02.1": [
        (5, 4),
        [5, 4],
        (np.int64(5), np.int64(4)),
        (5.0, 4),
        (np.float32(5), np.int32(4)),
        (torch.tensor(5), torch.tensor(4.0)),
    ],
    "02.2": [
        11_036_160,
        np.int64(11_036_160),
        np.int32(11_036_160),
        11_036_160.0,
        np.float32(11_036_160),  # exact: below 2**24
        torch.tensor(11_036_160),
        torch.tensor(11_036_160.0, dtype=torch.float64),
    ],
    "02.3": [
        (1, 4, 3, 2),
        [1, 4, 3, 2],
        tuple(np.array([1, 4, 3, 2])),
        (1.0, 4.0, 3.0, 2.0),
        tuple(torch.tensor([1, 4, 3, 2])),  # four 0-d tensors
    ],
    "02.4": [
        Generator(nc=1, image_size=32),
        Generator(nz=100, ngf=8, nc=1, image_size=32),
        _g32(),
        _G32Module(),
        _g32_from(*_PAPER_G32),  # with biases, ReLU(inplace=True)
        # 1 -> 2 first, then four stride-2 layers
        _g32_from((100, 64, 2, 1, 0), *_PAPER_G32[1:], (16, 16, 4, 2, 1)),
        # k=3, s=2, p=1, output_padding=1 also doubles the size
        nn.Sequential(
            *_block(100, 32, 4, 1, 0),
            *_block(32, 16, 3, 2, 1, output_padding=1),
            *_block(16, 8, 3, 2, 1, output_padding=1),
            nn.ConvTranspose2d(8, 1, 3, 2, 1, output_padding=1),
            nn.Tanh(),
        ),
        # an extra stride-1 layer that keeps the size
        _g32_from(*_PAPER_G32, (16, 16, 3, 1, 1)),
    ],
    "02.5": [
        1 / 16,
        0.0625,
        0.06250001,
        np.float32(0.0625),
        np.float64(1 / 16),
        torch.tensor(1 / 16),
        torch.tensor(0.0625, dtype=torch.float64),
    ],
}

WRONG = {
    "02.1": [
        (4, 3),  # the 64x64 networks' counts
        (6, 6),  # BatchNorm after every layer
        (5, 5),  # D's logit layer normalized
        (6, 4),  # G's output layer normalized
        (4, 5),  # swapped
        (5, 3),  # D counted as if it had not grown
        (4, 4),  # G counted as if it had not grown
        (6, 5),  # no exceptions: BatchNorm at G's output and D's input
        (5.5, 4),
        9,
        "5, 4",
    ],
    "02.2": [
        11_032_576,  # BatchNorm forgotten
        11_036_160 + 128 + 256 + 512 + 1024 + 1,  # conv biases counted
        11_036_160 + 2 * (256 + 512 + 1024),  # running statistics counted
        11_036_160 + 2 * 128,  # BatchNorm after D's input layer
        2_765_568,  # the 64-wide D
        4 * 2_765_568,  # "widths enter squared" applied to the whole D
        11_032_576 + 1024 + 512 + 256,  # one parameter per BatchNorm channel
        11_036_160 + 3,  # num_batches_tracked counted
        11_036_160 + 2,  # BatchNorm after the logit layer
        11_036_160.5,
        "11036160",
    ],
    "02.3": [
        (1, 2, 3, 4),
        (1, 4, 3, 5),
        (2, 4, 3, 1),
        (1, 5, 3, 2),  # LeakyReLU in G taken for a break of guideline 5
        (1, 4, 3, 4),  # BatchNorm before G's Tanh taken for guideline 4
        (3, 4, 1, 2),  # pooling and the hidden Linear swapped
        (1, 4, 3),
        "1432",
    ],
    "02.4": [
        nn.Sequential(nn.ConvTranspose2d(100, 1, 32), nn.Tanh()),  # 1 -> 32 at once
        # grows with stride-1 kernels instead of stride-2 layers
        _g32_from(
            (100, 64, 4, 1, 0),
            (64, 32, 5, 1, 0),
            (32, 16, 9, 1, 0),
            last=(16, 1, 17, 1, 0),
        ),
        # projects z straight to 16x16, then one stride-2 layer
        _g32_from((100, 16, 16, 1, 0)),
        Generator(nc=1, image_size=64),  # wrong size
        Generator(nc=3, image_size=32),  # wrong channels
        _g32(out_bn=True),  # BatchNorm at G's output
        _g32(act=lambda: nn.LeakyReLU(0.2)),  # LeakyReLU in G
        _g32(last=nn.Sigmoid),  # output not Tanh
        _g32(last=nn.Identity),  # no Tanh at all
        _g32(skip_bn=True),  # no BatchNorm at all
        nn.Sequential(*_g32()[:-1], nn.ReLU(), nn.Tanh()),  # ReLU before Tanh
        _upsample_g32(),  # fixed upsampling + Conv2d
        nn.Sequential(
            nn.Flatten(), nn.Linear(100, 1024), nn.Unflatten(1, (1, 32, 32)), nn.Tanh()
        ),  # fully connected
        Generator,
        "Generator",
    ],
    "02.5": [
        0.25,  # the 2x2 window's weight
        1 / 4,
        16,  # the number of pixels
        1.0,  # a sum, not an average
        1 / 8,
        4,  # the kernel size
        True,
        "1/16",
        [1 / 16],  # a list holding it
        torch.tensor([0.0625]),  # a 1-element tensor, not a number
        0.07,
    ],
}


def test_chapter_02_checks_are_all_tested():
    assert set(RIGHT) == set(WRONG) == {k for k in CHECKS if k.startswith("02.")}


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_right_answers_pass_and_wrong_ones_get_a_hint(exercise):
    assert_right_and_wrong(exercise, RIGHT, WRONG)


@pytest.mark.parametrize(
    "answer, words",
    [
        (nn.Sequential(nn.ConvTranspose2d(100, 1, 32), nn.Tanh()), "straight to 32x32"),
        (_g32_from((100, 16, 16, 1, 0)), "straight to 16x16"),
        (
            _g32_from(
                (100, 64, 4, 1, 0),
                (64, 32, 5, 1, 0),
                (32, 16, 9, 1, 0),
                last=(16, 1, 17, 1, 0),
            ),
            "stride 2",
        ),
        (_g32(out_bn=True), "output layer"),
        (0.25, "2x2"),
    ],
)
def test_common_mistakes_are_named(answer, words):
    exercise = "02.5" if isinstance(answer, float) else "02.4"
    verdict = evaluate(exercise, answer)
    assert verdict.ok is False and words in verdict.message, verdict.message


def test_a_checked_model_keeps_its_training_mode():
    model = _g32()
    evaluate("02.4", model)
    assert model.training
