"""Chapter 02's exercise cases (the DCGAN architecture guidelines): right answers
in several forms, and wrong answers each labelled with the mistake it makes."""

import numpy as np
import torch
from torch import nn

from dcgan_lib import Generator


def g32(*, out_bn=False, act=nn.ReLU, last=nn.Tanh, nc=1, skip_bn=False):
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


def g32_from(*blocks, last=(16, 1, 4, 2, 1)):
    """A 32x32 generator: ``blocks`` of (c_in, c_out, k, s, p), then ``last``."""
    layers = [m for spec in blocks for m in _block(*spec)]
    return nn.Sequential(*layers, nn.ConvTranspose2d(*last), nn.Tanh())


def straight_to_32():
    """1x1 -> 32x32 in one transposed convolution."""
    return nn.Sequential(nn.ConvTranspose2d(100, 1, 32), nn.Tanh())


def straight_to_16():
    """z projected straight to 16x16, then one stride-2 layer."""
    return g32_from((100, 16, 16, 1, 0))


def grown_by_stride_1():
    """Grows with stride-1 kernels instead of stride-2 layers."""
    return g32_from(
        (100, 64, 4, 1, 0),
        (64, 32, 5, 1, 0),
        (32, 16, 9, 1, 0),
        last=(16, 1, 17, 1, 0),
    )


class _G32Module(nn.Module):
    """The same generator written as a class, its blocks in an nn.Sequential."""

    def __init__(self):
        super().__init__()
        self.main = g32()

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
        g32(),
        _G32Module(),
        g32_from(*_PAPER_G32),  # with biases, ReLU(inplace=True)
        # 1 -> 2 first, then four stride-2 layers
        g32_from((100, 64, 2, 1, 0), *_PAPER_G32[1:], (16, 16, 4, 2, 1)),
        # k=3, s=2, p=1, output_padding=1 also doubles the size
        nn.Sequential(
            *_block(100, 32, 4, 1, 0),
            *_block(32, 16, 3, 2, 1, output_padding=1),
            *_block(16, 8, 3, 2, 1, output_padding=1),
            nn.ConvTranspose2d(8, 1, 3, 2, 1, output_padding=1),
            nn.Tanh(),
        ),
        # an extra stride-1 layer that keeps the size
        g32_from(*_PAPER_G32, (16, 16, 3, 1, 1)),
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
        ("the 64x64 networks' counts", (4, 3)),
        ("BatchNorm after every layer", (6, 6)),
        ("D's logit layer normalized", (5, 5)),
        ("G's output layer normalized", (6, 4)),
        ("swapped", (4, 5)),
        ("D counted as if it had not grown", (5, 3)),
        ("G counted as if it had not grown", (4, 4)),
        ("no exceptions: BatchNorm at G's output and D's input", (6, 5)),
        ("a fraction", (5.5, 4)),
        ("the sum, one number", 9),
        ("text", "5, 4"),
    ],
    "02.2": [
        ("BatchNorm forgotten", 11_032_576),
        ("conv biases counted", 11_036_160 + 128 + 256 + 512 + 1024 + 1),
        ("running statistics counted", 11_036_160 + 2 * (256 + 512 + 1024)),
        ("BatchNorm after D's input layer", 11_036_160 + 2 * 128),
        ("the 64-wide D", 2_765_568),
        ("'widths enter squared' applied to the whole D", 4 * 2_765_568),
        ("one parameter per BatchNorm channel", 11_032_576 + 1024 + 512 + 256),
        ("num_batches_tracked counted", 11_036_160 + 3),
        ("BatchNorm after the logit layer", 11_036_160 + 2),
        ("a fraction", 11_036_160.5),
        ("text", "11036160"),
    ],
    "02.3": [
        ("the guidelines in their own order", (1, 2, 3, 4)),
        ("guideline 5 for model_d", (1, 4, 3, 5)),
        ("model_a and model_d swapped", (2, 4, 3, 1)),
        ("LeakyReLU in G taken for a break of guideline 5", (1, 5, 3, 2)),
        ("BatchNorm before G's Tanh taken for guideline 4", (1, 4, 3, 4)),
        ("pooling and the hidden Linear swapped", (3, 4, 1, 2)),
        ("three numbers for four designs", (1, 4, 3)),
        ("text", "1432"),
    ],
    "02.4": [
        ("1 -> 32 at once", straight_to_32()),
        ("grows with stride-1 kernels instead of stride-2 layers", grown_by_stride_1()),
        ("projects z straight to 16x16, then one stride-2 layer", straight_to_16()),
        ("wrong size: 64x64", Generator(nc=1, image_size=64)),
        ("wrong channels: 3", Generator(nc=3, image_size=32)),
        ("BatchNorm at G's output", g32(out_bn=True)),
        ("LeakyReLU in G", g32(act=lambda: nn.LeakyReLU(0.2))),
        ("output Sigmoid, not Tanh", g32(last=nn.Sigmoid)),
        ("no Tanh at all", g32(last=nn.Identity)),
        ("no BatchNorm at all", g32(skip_bn=True)),
        ("ReLU before Tanh", nn.Sequential(*g32()[:-1], nn.ReLU(), nn.Tanh())),
        ("fixed upsampling + Conv2d", _upsample_g32()),
        (
            "fully connected",
            nn.Sequential(
                nn.Flatten(),
                nn.Linear(100, 1024),
                nn.Unflatten(1, (1, 32, 32)),
                nn.Tanh(),
            ),
        ),
        ("the class, not a model", Generator),
        ("text", "Generator"),
    ],
    "02.5": [
        ("the 2x2 window's weight", 0.25),
        ("the 2x2 window's weight, as a fraction", 1 / 4),
        ("the number of pixels", 16),
        ("a sum, not an average", 1.0),
        ("a neighbouring fraction", 1 / 8),
        ("the kernel size", 4),
        ("a bool", True),
        ("text", "1/16"),
        ("a list holding it", [1 / 16]),
        ("a 1-element tensor, not a number", torch.tensor([0.0625])),
        ("rounded too far", 0.07),
    ],
}
