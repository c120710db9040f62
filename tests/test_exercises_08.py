"""Chapter 08's checks (looking inside) explain their traps, and the answer of 08.1
is what the library's pooled features give (the cases every check passes or fails:
tests/exercise_cases/ch08.py)."""

import pytest
import torch
from exercise_cases.ch08 import (
    average,
    index,
    nearest_and_index,
    nearest_shortcut,
    not_flattened,
    squared,
)

import dcgan_lib as dl
from dcgan_lib.exercises import evaluate


@pytest.mark.parametrize(
    "exercise, answer, words",
    [
        ("08.2", average, "average"),
        ("08.2", not_flattened, "flatten"),
        ("08.3", squared, "squared"),
        ("08.3", index, "indices"),
        ("08.3", nearest_shortcut, "compute_mode"),
        ("08.3", nearest_and_index, "tuple"),
        ("08.4", 0.544, "this chapter's G"),
        ("08.4", 50, "percentage"),
        ("08.4", 1.0, "copies"),
    ],
)
def test_the_traps_get_their_own_explanations(exercise, answer, words):
    verdict = evaluate(exercise, answer)
    assert verdict.ok is False and words in verdict.message, verdict.message


def test_the_solution_of_08_1_is_what_pooled_features_gives():
    big_d = dl.Discriminator(nc=3, ndf=64, image_size=64).eval()
    assert dl.pooled_features(big_d, torch.zeros(1, 3, 64, 64)).shape == (1, 15_360)
