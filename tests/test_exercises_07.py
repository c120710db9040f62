"""Chapter 07's checks (the latent space) explain the slerp and p-value traps (the
cases every check passes or fails: tests/exercise_cases/ch07.py)."""

import pytest
from exercise_cases.ch07 import lerp, normalized_lerp, swapped
from scipy import stats

from dcgan_lib.exercises import evaluate


@pytest.mark.parametrize(
    "exercise, answer, words",
    [
        ("07.1", lerp, "sphere"),
        ("07.1", normalized_lerp, "constant speed"),
        ("07.1", swapped, "must return a itself"),
        ("07.5", stats.binomtest(77, 100, 0.6).pvalue, "two-sided"),
    ],
)
def test_the_traps_get_their_own_explanations(exercise, answer, words):
    verdict = evaluate(exercise, answer)
    assert verdict.ok is False and words in verdict.message, verdict.message
