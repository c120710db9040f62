"""Chapter 03's exercise cases (shape arithmetic): right answers in several forms,
and wrong answers each labelled with the mistake it makes."""

import numpy as np
import torch
from torch import nn

from dcgan_lib import Discriminator


def d128(
    *,
    slope=0.2,
    act=None,
    hidden_bn=True,
    first_bn=False,
    head=(),
    kernel=4,
    last=(4, 1, 0),
):
    """A 128x128 discriminator, optionally with one thing changed."""

    def act_layer():
        return act() if act else nn.LeakyReLU(slope, inplace=True)

    layers = [nn.Conv2d(3, 8, kernel, 2, 1, bias=False)]
    layers += [nn.BatchNorm2d(8)] if first_bn else []
    layers.append(act_layer())
    width = 8
    for _ in range(4):  # 64 -> 32 -> 16 -> 8 -> 4
        layers.append(nn.Conv2d(width, width * 2, kernel, 2, 1, bias=False))
        layers += [nn.BatchNorm2d(width * 2)] if hidden_bn else []
        layers.append(act_layer())
        width *= 2
    layers += [nn.Conv2d(width, 1, *last, bias=False), *head, nn.Flatten(0)]
    return nn.Sequential(*layers)


def with_bn_first():
    """BatchNorm after the input layer only."""
    return d128(first_bn=True, hidden_bn=False)


def in_one_conv():
    """128x128 -> 1x1 in one convolution."""
    return nn.Sequential(nn.Conv2d(3, 1, 128), nn.Flatten(0))


class _D128Module(nn.Module):
    """A discriminator written as a class: features, then a logit per image."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*list(d128())[:-2])
        self.logit = nn.Conv2d(128, 1, 4, 1, 0)

    def forward(self, x):
        return self.logit(self.features(x)).view(-1)


RIGHT = {
    "03.1": [
        (4, 2, 1),
        (2, 2, 0),
        [6, 2, 2],
        (17, 1, 0),  # a stride-1 answer: (16 - 1) + 17 = 32
        (4.0, 2, 1),
        (np.int64(4), np.int64(2), np.int64(1)),
        tuple(torch.tensor([4, 2, 1])),
    ],
    "03.2": [14, 14.0, np.int64(14), np.array(14), torch.tensor(14)],
    "03.3": [(1, 2), [1, 2], (np.int64(1), 2.0)],
    "03.4": [819_200, np.int64(819_200), 819_200.0, torch.tensor(819_200)],
    "03.5": [
        Discriminator(image_size=128),
        Discriminator(nc=3, ndf=8, image_size=128),
        d128(),
        d128(kernel=3, last=(4, 1, 0)),  # k=3, s=2, p=1 halves the size too
        _D128Module(),
    ],
    "03.6": [
        (2, 1),
        [2, 1],
        (2.0, 1),
        (np.int64(2), np.int64(1)),
        tuple(torch.tensor([2, 1])),
    ],
}

WRONG = {
    "03.1": [
        ("k - 2p must be 2: 31", (3, 2, 1)),
        ("padding forgotten: 34", (4, 2, 0)),
        ("stride forgotten: 17", (4, 1, 1)),
        ("too small a kernel: 28", (2, 2, 1)),
        ("a padding PyTorch rejects", (4, 2, 9)),
        ("a fractional kernel", (4.5, 2, 1)),
        ("two numbers, not three", (4, 2)),
        ("text", "4,2,1"),
    ],
    "03.2": [
        ("ceil instead of floor", 15),
        ("+ 1 forgotten", 13),
        ("padding forgotten", 12),
        ("no floor at all", 14.5),
        ("the transposed formula", 56),
        ("height and width, not one number", (14, 14)),
        ("text", "14"),
    ],
    "03.3": [
        ("swapped", (2, 1)),
        ("the padding itself on each side", (1, 1)),
        ("k - 1, the padding forgotten", (1, 3)),
        ("stride zeros between pixels", (2, 2)),
        ("one number", 1),
    ],
    "03.4": [
        ("a bias counted", 819_712),
        ("the kernel forgotten", 51_200),
        ("k instead of k * k", 204_800),
        ("a neighbouring number", 3_576_704),
        ("a fraction", 819_200.5),
    ],
    "03.5": [
        ("128 -> 1 at once", in_one_conv()),
        ("the 64x64 D: its last conv sees 8x8", Discriminator(image_size=64)),
        ("pooling only", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(0))),
        ("BatchNorm after the input layer", with_bn_first()),
        ("BatchNorm on the raw image", nn.Sequential(nn.BatchNorm2d(3), *d128())),
        ("BatchNorm after the input layer too", d128(first_bn=True)),
        ("no BatchNorm at all", d128(hidden_bn=False)),
        ("ReLU instead of LeakyReLU", d128(act=nn.ReLU)),
        ("LeakyReLU's default slope, not 0.2", d128(slope=0.01)),
        ("a probability, not a logit", d128(head=[nn.Sigmoid()])),
        ("BatchNorm on the logit", d128(head=[nn.BatchNorm2d(1)])),
        ("returns (B * 4,)", d128(last=(4, 2, 1))),
        (
            "shrinks with stride-1 kernels, not strided convolutions",
            nn.Sequential(
                nn.Conv2d(3, 8, 65),
                nn.LeakyReLU(0.2),
                nn.Conv2d(8, 16, 61),
                nn.BatchNorm2d(16),
                nn.LeakyReLU(0.2),
                nn.Conv2d(16, 1, 4),
                nn.Flatten(0),
            ),
        ),
        (
            "pooling then a fully connected head",
            nn.Sequential(
                nn.Conv2d(3, 8, 4, 2, 1),
                nn.LeakyReLU(0.2),
                nn.AdaptiveAvgPool2d(1),
                nn.Flatten(),
                nn.Linear(8, 1),
                nn.Flatten(0),
            ),
        ),
        ("text", "Discriminator"),
    ],
    "03.6": [
        ("output_padding forgotten: 7 -> 13", (2, 0)),
        ("DCGAN's padding for k = 4, copied: 7 -> 15", (1, 0)),
        ("7 -> 16", (1, 1)),
        ("7 -> 12", (3, 1)),
        ("no padding: 7 -> 18", (0, 1)),
        ("output_padding must be smaller than the stride", (2, 2)),
        ("no negative padding", (-1, 1)),
        ("a fractional padding", (2.5, 1)),
        ("one number in a tuple", (2,)),
        ("Keras's 'same': PyTorch's ConvTranspose2d takes numbers only", "same"),
    ],
}
