"""Chapter 07's exercise cases (the latent space): right answers in several forms,
and wrong answers each labelled with the mistake it makes."""

import math

import numpy as np
import torch
from scipy import stats

import dcgan_lib as dl


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


def lerp(a, b, t):
    return (1 - t) * a + t * b


def normalized_lerp(a, b, t):  # right length, wrong speed along the arc
    point = (1 - t) * a + t * b
    return point / point.norm() * a.norm()


def swapped(a, b, t):
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
        ("calling the library's lerp", dl.lerp),
        ("a straight line, off the sphere", lerp),
        ("right length, wrong speed along the arc", normalized_lerp),
        ("t reversed: starts at b", swapped),
        ("the division by sin(omega) forgotten", _no_division),
        ("the angle in degrees", _degrees),
        ("raises", _raises),
        ("text", "slerp"),
        ("a layer, not a function", torch.nn.Linear(2, 2)),
    ],
    "07.2": [
        ("||z|| itself: the midpoint is shorter", 8.0),
        ("half of ||z||, as if a and b were parallel", 4.0),
        ("the length of a + b, not divided by 2", math.sqrt(128)),
        ("the typical length of z, sqrt(63.5)", 7.98),
        ("a round guess", 5.0),
        ("the length of the average midpoint, 0", 0.0),
        ("text", "5.66"),
        ("a tuple holding it", (5.66,)),
        ("outside the stated precision", 5.5),
    ],
    "07.3": [
        ("any digit, not the asked one", _any_digit),
        ("the least ink, not the most", _thinnest),
        ("bright pixels counted, not ink", _bright_count),
        ("the images, not their indices", _the_images),
        (
            "positions among the digit's images, not in the batch",
            _positions_among_the_digit,
        ),
        ("k + 1 indices", _one_too_many),
        ("a list, not a function", [1, 2, 3]),
    ],
    "07.4": [
        ("9 points x 8 steps", 72),
        ("9 points x 8 steps, plus the last", 73),
        ("9 x 9", 81),
        ("8 legs x 8 steps: the last point forgotten", 64),
        ("a fraction", 65.5),
        ("text", "65"),
        ("a tuple holding it", (65,)),
    ],
    "07.5": [
        ("two-sided p-value", stats.binomtest(77, 100, 0.6).pvalue),
        ("P(X = 77), not P(X >= 77)", stats.binom.pmf(77, 100, 0.6)),
        ("P(X > 77): 77 itself left out", stats.binom.sf(77, 100, 0.6)),
        ("chance taken as 0.5", stats.binom.sf(76, 100, 0.5)),
        ("the significance level", 0.05),
        ("the observed share", 0.77),
        ("text", "0.00025"),
    ],
}
