"""Right and wrong answers for chapter 08's exercise checks (looking inside)."""

from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_right_and_wrong

import dcgan_lib as dl
from dcgan_lib.exercises import evaluate


def _pool(maps, grid):
    return F.adaptive_max_pool2d(maps, grid).flatten(1)


def _pool_numpy(maps, grid):
    m = maps.numpy()
    b, c, h, w = m.shape
    cells = m.reshape(b, c, grid, h // grid, grid, w // grid)
    return cells.max(axis=(3, 5)).reshape(b, -1)


def _pool_float32(maps, grid):
    return F.max_pool2d(maps.float(), maps.shape[-1] // grid).flatten(1)


def _average(maps, grid):
    return F.adaptive_avg_pool2d(maps, grid).flatten(1)


def _not_flattened(maps, grid):
    return F.adaptive_max_pool2d(maps, grid)


def _global_max(maps, grid):
    return maps.amax(dim=(2, 3))


def _max_over_maps(maps, grid):
    return F.adaptive_max_pool2d(maps.amax(dim=1, keepdim=True), grid).flatten(1)


def _cells_first(maps, grid):  # the right numbers in another order
    return F.adaptive_max_pool2d(maps, grid).permute(0, 2, 3, 1).flatten(1)


def _nearest(queries, bank):
    return (
        torch.cdist(
            queries.flatten(1),
            bank.flatten(1),
            compute_mode="donot_use_mm_for_euclid_dist",
        )
        .min(dim=1)
        .values
    )


def _nearest_shortcut(queries, bank):  # torch.cdist's default: copies at ~0.01
    return torch.cdist(queries.flatten(1), bank.flatten(1)).min(dim=1).values


def _nearest_and_index(queries, bank):
    return dl.nearest_neighbours(queries, bank)


def _nearest_library(queries, bank):
    return dl.nearest_neighbours(queries, bank)[0]  # (N, 1)


def _nearest_numpy(queries, bank):
    q, b = (
        queries.numpy().reshape(len(queries), -1),
        bank.numpy().reshape(len(bank), -1),
    )
    return np.sqrt(((q[:, None] - b[None]) ** 2).sum(-1)).min(1)


def _nearest_list(queries, bank):
    return [min((q - b).norm().item() for b in bank) for q in queries]


def _squared(queries, bank):
    return _nearest(queries, bank) ** 2


def _per_pixel(queries, bank):
    return _nearest(queries, bank) / queries[0].numel() ** 0.5


def _farthest(queries, bank):
    return torch.cdist(queries.flatten(1), bank.flatten(1)).max(dim=1).values


def _mean_distance(queries, bank):
    return torch.cdist(queries.flatten(1), bank.flatten(1)).mean(dim=1)


def _index(queries, bank):
    return torch.cdist(queries.flatten(1), bank.flatten(1)).argmin(dim=1)


def _absolute(queries, bank):  # L1, not Euclidean
    return torch.cdist(queries.flatten(1), bank.flatten(1), p=1).min(dim=1).values


def _all_distances(queries, bank):
    return torch.cdist(queries.flatten(1), bank.flatten(1))


def _raises(*args):
    raise NotImplementedError("not yet")


RIGHT = {
    "08.1": [15_360, np.int64(15_360), 15_360.0, torch.tensor(15_360)],
    "08.2": [_pool, _pool_numpy, _pool_float32],
    "08.3": [_nearest, _nearest_library, _nearest_numpy, _nearest_list],
    "08.4": [0.5, np.float32(0.5), torch.tensor(0.5), float(Fraction(1, 2))],
}

WRONG = {
    "08.1": [
        960,  # the channels, not pooled to 16 places
        14_336,  # without the first block
        3_584,  # the book's D on 32x32 digits
        8_192,  # the last block only (512 maps x 16 places)
        28_672,  # the paper's number for its own D
        122_880,  # every place of every map, no pooling
        15_361,  # the logit counted too
        "15360",
        (15_360,),
    ],
    "08.2": [
        _average,
        _not_flattened,
        _global_max,
        _max_over_maps,
        _cells_first,
        _raises,
        torch.nn.AdaptiveMaxPool2d(4),
    ],
    "08.3": [
        _squared,
        _per_pixel,
        _farthest,
        _mean_distance,
        _index,
        _absolute,
        _all_distances,
        _nearest_shortcut,
        _nearest_and_index,
        _raises,
        3.0,
    ],
    "08.4": [0.8, 1.0, 50, 0.0, 0.25, 0.544, "0.5", (0.5,)],
}


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_checks_accept_right_answers_and_reject_wrong_ones(exercise):
    assert_right_and_wrong(exercise, RIGHT, WRONG)


def test_the_traps_get_their_own_explanations():
    assert "average" in evaluate("08.2", _average).message
    assert "flatten" in evaluate("08.2", _not_flattened).message
    assert "squared" in evaluate("08.3", _squared).message
    assert "indices" in evaluate("08.3", _index).message
    assert "compute_mode" in evaluate("08.3", _nearest_shortcut).message
    assert "tuple" in evaluate("08.3", _nearest_and_index).message
    assert "this chapter's G" in evaluate("08.4", 0.544).message
    assert "percentage" in evaluate("08.4", 50).message
    assert "copies" in evaluate("08.4", 1.0).message


def test_the_solution_of_08_1_is_what_pooled_features_gives():
    big_d = dl.Discriminator(nc=3, ndf=64, image_size=64).eval()
    assert dl.pooled_features(big_d, torch.zeros(1, 3, 64, 64)).shape == (1, 15_360)
