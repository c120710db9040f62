from pathlib import Path

import pytest
from helpers import assert_right_and_wrong
from torch import nn

from dcgan_lib import Discriminator
from dcgan_lib.exercises import CHECKS, check, evaluate

RIGHT = {
    "03.1": [(4, 2, 1), (2, 2, 0), [6, 2, 2]],
    "03.2": [14],
    "03.3": [(1, 2)],
    "03.4": [819_200],
    "03.5": [Discriminator(image_size=128), Discriminator(nc=3, ndf=8, image_size=128)],
}


def _with_bn_first():
    return nn.Sequential(
        nn.Conv2d(3, 8, 4, 2, 1),
        nn.BatchNorm2d(8),
        nn.LeakyReLU(0.2),
        *[m for i in range(4) for m in (nn.Conv2d(8, 8, 4, 2, 1), nn.LeakyReLU(0.2))],
        nn.Conv2d(8, 1, 4, 1, 0),
        nn.Flatten(0),
    )


WRONG = {
    "03.1": [(3, 2, 1), (4, 2, 9), (4, 2), "4,2,1", (4.0, 2, 1)],
    "03.2": [15, 13, 14.0, (14, 14)],
    "03.3": [(2, 1), (1, 1), 1],
    "03.4": [819_712, 3_576_704],
    "03.5": [
        Discriminator(image_size=64),  # a 64x64 D gives (2*9,)... not (2,)
        nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(0)),
        _with_bn_first(),
        "Discriminator",
    ],
}


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


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="03.1, 03.2"):
        evaluate("99.9", 1)
