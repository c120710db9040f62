"""The quality scores chapter 06 reports, checked on cases whose answer is known."""

import math

import pytest
import torch

import dcgan_lib as dl
from dcgan_lib.metrics import (
    digit_classifier,
    frechet_distance,
    held_out_split,
    sample_quality,
)


@pytest.fixture(scope="module")
def digits():
    return dl.load_dataset("mnist5k", image_size=32).tensors


def test_the_shipped_classifier_is_right_on_97_percent_of_held_out_digits(digits):
    images, labels = digits
    _, held_out = held_out_split()
    with torch.no_grad():
        predicted = digit_classifier()(images[held_out]).argmax(1)
    assert (predicted == labels[held_out]).float().mean() >= 0.97


def test_frechet_distance_of_gaussians_matches_the_closed_form():
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(20000, 3, generator=generator, dtype=torch.float64)
    b = torch.randn(20000, 3, generator=generator, dtype=torch.float64) * 2 + 1
    # means differ by 1 in each of 3 dims; stds 1 and 2: 3 * 1 + 3 * (1 - 2) ** 2 = 6
    assert frechet_distance(a, b) == pytest.approx(6.0, rel=0.03)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    tracked = a.clone().requires_grad_()  # e.g. features computed outside no_grad
    assert frechet_distance(tracked, a) == pytest.approx(0.0, abs=1e-6)


def test_real_digits_score_high_and_one_repeated_digit_shows_collapse(digits):
    images, labels = digits  # stored sorted by digit: split by a shuffled order
    order = torch.randperm(5000, generator=torch.Generator().manual_seed(1))
    first, second = images[order[:2500]], images[order[2500:]]
    real = sample_quality(first, real=second)
    assert real["confidence"] > 0.95
    assert real["class_entropy"] > 0.98 * math.log(10)
    collapsed = sample_quality(images[labels == 3][:500], real=second)
    assert collapsed["class_entropy"] < 0.2 and collapsed["class_counts"][3] > 450
    noise = sample_quality(torch.rand(1250, 1, 32, 32) * 2 - 1, real=second)
    assert real["fd"] < collapsed["fd"] and real["fd"] < noise["fd"]


def test_other_sizes_are_resized_and_bad_shapes_explained(digits):
    images, _ = digits
    small = torch.nn.functional.interpolate(images[:64], size=(16, 16))
    assert sample_quality(small)["confidence"] > 0.5
    with pytest.raises(ValueError, match=r"\(B, 1, H, W\)"):
        sample_quality(torch.zeros(4, 3, 32, 32))
