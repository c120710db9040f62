"""Right and wrong answers for chapter 07's exercise checks (the latent space)."""

import math

import numpy as np
import pytest
import torch
from helpers import assert_right_and_wrong
from scipy import stats

import dcgan_lib as dl
from dcgan_lib.checks.ch07 import exemplar_batch as _exemplar_batch_07


def _textbook_slerp(a, b, t):
    omega = torch.acos(torch.dot(a, b) / (a.norm() * b.norm()))
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(
        omega
    )


def _numpy_slerp(a, b, t):
    a, b = a.numpy(), b.numpy()
    omega = np.arccos(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def _float32_slerp(a, b, t):
    return dl.slerp(a.float(), b.float(), t)


def _lerp(a, b, t):
    return (1 - t) * a + t * b


def _normalized_lerp(a, b, t):  # right length, wrong speed along the arc
    point = (1 - t) * a + t * b
    return point / point.norm() * a.norm()


def _swapped(a, b, t):
    return _textbook_slerp(a, b, 1 - t)


def _no_division(a, b, t):
    omega = torch.acos(torch.dot(a, b) / (a.norm() * b.norm()))
    return torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b


def _degrees(a, b, t):
    omega = torch.rad2deg(torch.acos(torch.dot(a, b) / (a.norm() * b.norm())))
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(
        omega
    )


def _raises(a, b, t):
    raise NotImplementedError("not yet")


def _ink(images):
    return ((images + 1) / 2).flatten(1).sum(1)


def _thickest(images, labels, digit, k):
    mine = (labels == digit).nonzero().flatten()
    return mine[_ink(images[mine]).topk(k).indices]


def _thickest_list(images, labels, digit, k):
    ink = _ink(images).tolist()
    mine = [i for i in range(len(labels)) if labels[i] == digit]
    return sorted(mine, key=lambda i: -ink[i])[:k]


def _thickest_numpy(images, labels, digit, k):
    ink = _ink(images).numpy()
    mine = np.flatnonzero(labels.numpy() == digit)
    return mine[np.argsort(-ink[mine])[:k]]


def _any_digit(images, labels, digit, k):
    return _ink(images).topk(k).indices


def _thinnest(images, labels, digit, k):
    mine = (labels == digit).nonzero().flatten()
    return mine[_ink(images[mine]).topk(k, largest=False).indices]


def _bright_count(images, labels, digit, k):
    mine = (labels == digit).nonzero().flatten()
    return mine[(images[mine] > 0).flatten(1).sum(1).topk(k).indices]


def _the_images(images, labels, digit, k):
    return images[_thickest(images, labels, digit, k)]


def _positions_among_the_digit(images, labels, digit, k):
    mine = (labels == digit).nonzero().flatten()
    return _ink(images[mine]).topk(k).indices  # indices into `mine`, not the batch


def _one_too_many(images, labels, digit, k):
    return _thickest(images, labels, digit, k + 1)


P_07_5 = stats.binom.sf(76, 100, 0.6)

RIGHT = {
    "07.1": [dl.slerp, _textbook_slerp, _numpy_slerp, _float32_slerp],
    "07.2": [
        math.sqrt(32),
        math.sqrt(31.75),
        5.65,
        np.float32(5.66),
        torch.tensor(5.64),
        np.float64(math.sqrt(64 / 2)),
    ],
    "07.3": [_thickest, _thickest_list, _thickest_numpy],
    "07.4": [65, np.int64(65), 65.0, torch.tensor(65)],
    "07.5": [
        P_07_5,
        float(stats.binomtest(77, 100, 0.6, alternative="greater").pvalue),
        np.float64(P_07_5),
        torch.tensor(P_07_5),
    ],
}

WRONG = {
    "07.1": [
        dl.lerp,
        _lerp,
        _normalized_lerp,
        _swapped,
        _no_division,
        _degrees,
        _raises,
        "slerp",
        torch.nn.Linear(2, 2),
    ],
    "07.2": [8.0, 4.0, math.sqrt(128), 7.98, 5.0, 0.0, "5.66", (5.66,), 5.5],
    "07.3": [
        _any_digit,
        _thinnest,
        _bright_count,
        _the_images,
        _positions_among_the_digit,
        _one_too_many,
        [1, 2, 3],
    ],
    "07.4": [72, 73, 81, 64, 65.5, "65", (65,)],
    "07.5": [
        stats.binomtest(77, 100, 0.6).pvalue,
        stats.binom.pmf(77, 100, 0.6),
        stats.binom.sf(77, 100, 0.6),
        stats.binom.sf(76, 100, 0.5),
        0.05,
        0.77,
        "0.00025",
    ],
}


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_checks_accept_right_answers_and_reject_wrong_ones(exercise):
    assert_right_and_wrong(exercise, RIGHT, WRONG)


def test_the_bright_pixel_trap_really_picks_other_images():
    images, labels = _exemplar_batch_07()
    for digit, k in ((2, 3), (0, 4)):
        by_ink = set(_thickest(images, labels, digit, k).tolist())
        by_count = set(_bright_count(images, labels, digit, k).tolist())
        assert by_ink != by_count


def test_the_slerp_traps_get_their_own_explanations():
    from dcgan_lib.exercises import evaluate

    assert "sphere" in evaluate("07.1", _lerp).message
    assert "constant speed" in evaluate("07.1", _normalized_lerp).message
    assert "must return a itself" in evaluate("07.1", _swapped).message
    assert "two-sided" in evaluate("07.5", stats.binomtest(77, 100, 0.6).pvalue).message
