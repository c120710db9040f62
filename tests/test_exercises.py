from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import assert_right_and_wrong
from torch import nn

from dcgan_lib import Discriminator
from dcgan_lib.exercises import CHECKS, check, evaluate


def _d128(
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


def _with_bn_first():
    return _d128(first_bn=True, hidden_bn=False)


class _D128Module(nn.Module):
    """A discriminator written as a class: features, then a logit per image."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*list(_d128())[:-2])
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
        _d128(),
        _d128(kernel=3, last=(4, 1, 0)),  # k=3, s=2, p=1 halves the size too
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
        (3, 2, 1),  # 31: k - 2p must be 2
        (4, 2, 0),  # padding forgotten: 34
        (4, 1, 1),  # stride forgotten: 17
        (2, 2, 1),  # 28
        (4, 2, 9),  # PyTorch rejects it
        (4.5, 2, 1),
        (4, 2),
        "4,2,1",
    ],
    "03.2": [
        15,  # ceil instead of floor
        13,  # + 1 forgotten
        12,  # padding forgotten
        14.5,  # no floor at all
        56,  # the transposed formula
        (14, 14),
        "14",
    ],
    "03.3": [
        (2, 1),  # swapped
        (1, 1),  # the padding itself on each side
        (1, 3),  # k - 1, the padding forgotten
        (2, 2),  # stride zeros between pixels
        1,
    ],
    "03.4": [
        819_712,  # a bias counted
        51_200,  # the kernel forgotten
        204_800,  # k instead of k * k
        3_576_704,
        819_200.5,
    ],
    "03.5": [
        nn.Sequential(nn.Conv2d(3, 1, 128), nn.Flatten(0)),  # 128 -> 1 at once
        Discriminator(image_size=64),  # the 64x64 D: its last conv sees 8x8
        nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(0)),
        _with_bn_first(),  # BatchNorm after the input layer
        nn.Sequential(nn.BatchNorm2d(3), *_d128()),  # BatchNorm on the raw image
        _d128(first_bn=True),
        _d128(hidden_bn=False),  # no BatchNorm at all
        _d128(act=nn.ReLU),  # ReLU instead of LeakyReLU
        _d128(slope=0.01),  # LeakyReLU's default slope, not 0.2
        _d128(head=[nn.Sigmoid()]),  # a probability, not a logit
        _d128(head=[nn.BatchNorm2d(1)]),  # BatchNorm on the logit
        _d128(last=(4, 2, 1)),  # returns (B * 4,)
        # shrinks with stride-1 kernels, not strided convolutions
        nn.Sequential(
            nn.Conv2d(3, 8, 65),
            nn.LeakyReLU(0.2),
            nn.Conv2d(8, 16, 61),
            nn.BatchNorm2d(16),
            nn.LeakyReLU(0.2),
            nn.Conv2d(16, 1, 4),
            nn.Flatten(0),
        ),
        # pooling then a fully connected head
        nn.Sequential(
            nn.Conv2d(3, 8, 4, 2, 1),
            nn.LeakyReLU(0.2),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(8, 1),
            nn.Flatten(0),
        ),
        "Discriminator",
    ],
    "03.6": [
        (2, 0),  # output_padding forgotten: 7 -> 13
        (1, 0),  # DCGAN's padding for k = 4, copied: 7 -> 15
        (1, 1),  # 7 -> 16
        (3, 1),  # 7 -> 12
        (0, 1),  # no padding: 7 -> 18
        (2, 2),  # output_padding must be smaller than the stride
        (-1, 1),  # no negative padding
        (2.5, 1),
        (2,),
        "same",  # PyTorch's ConvTranspose2d takes numbers only
    ],
}


@pytest.mark.parametrize(
    "answer, words",
    [
        (nn.Sequential(nn.Conv2d(3, 1, 128), nn.Flatten(0)), "(128, 128) to (1, 1)"),
        (_with_bn_first(), "input layer"),
        (_d128(hidden_bn=False), "BatchNorm2d"),
        (_d128(slope=0.01), "LeakyReLU(0.2)"),
        (_d128(head=[nn.Sigmoid()]), "logits"),
    ],
)
def test_common_discriminator_mistakes_are_named(answer, words):
    verdict = evaluate("03.5", answer)
    assert verdict.ok is False and words in verdict.message, verdict.message


def test_every_exercise_is_tested_with_right_and_wrong_answers():
    """Chapter 03's cases are here; other chapters have tests/test_exercises_NN.py."""
    assert set(RIGHT) == set(WRONG) == {k for k in CHECKS if k.startswith("03.")}
    sources = "".join(
        p.read_text() for p in Path(__file__).parent.glob("test_exer*.py")
    )
    untested = [key for key in CHECKS if f'"{key}"' not in sources]
    assert not untested, f"no test gives right and wrong answers to {untested}"


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_right_answers_pass_and_wrong_ones_get_a_hint(exercise):
    assert_right_and_wrong(exercise, RIGHT, WRONG)


@pytest.mark.parametrize("blank", [..., None])
def test_an_unanswered_exercise_is_not_an_error(blank):
    verdict = evaluate("03.1", blank)
    assert verdict.ok is None and "No answer yet" in verdict.message


def test_check_prints_both_languages(capsys):
    check("03.2", 14)
    out = capsys.readouterr().out
    assert out.startswith("[03.2]") and "정답입니다" in out and "Correct" in out


@pytest.mark.parametrize(
    "answer, words",
    [((2, 0), "7x7 to 13x13"), ((2, 2), "smaller than stride")],
)
def test_a_wrong_keras_same_setting_is_told_what_it_does(answer, words):
    verdict = evaluate("03.6", answer)
    assert verdict.ok is False and words in verdict.message, verdict.message


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="03.1, 03.2"):
        evaluate("99.9", 1)
