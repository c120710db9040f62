"""Chapter 08's exercise cases (looking inside): right answers in several forms,
and wrong answers each labelled with the mistake it makes."""

from fractions import Fraction

import numpy as np
import torch
import torch.nn.functional as F

import dcgan_lib as dl


def _pool(maps, grid):
    return F.adaptive_max_pool2d(maps, grid).flatten(1)


def _pool_numpy(maps, grid):
    m = maps.numpy()
    b, c, h, w = m.shape
    cells = m.reshape(b, c, grid, h // grid, grid, w // grid)
    return cells.max(axis=(3, 5)).reshape(b, -1)


def _pool_float32(maps, grid):
    return F.max_pool2d(maps.float(), maps.shape[-1] // grid).flatten(1)


def average(maps, grid):
    return F.adaptive_avg_pool2d(maps, grid).flatten(1)


def not_flattened(maps, grid):
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


def nearest_shortcut(queries, bank):  # torch.cdist's default: copies at ~0.01
    return torch.cdist(queries.flatten(1), bank.flatten(1)).min(dim=1).values


def nearest_and_index(queries, bank):
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


def squared(queries, bank):
    return _nearest(queries, bank) ** 2


def _per_pixel(queries, bank):
    return _nearest(queries, bank) / queries[0].numel() ** 0.5


def _farthest(queries, bank):
    return torch.cdist(queries.flatten(1), bank.flatten(1)).max(dim=1).values


def _mean_distance(queries, bank):
    return torch.cdist(queries.flatten(1), bank.flatten(1)).mean(dim=1)


def index(queries, bank):
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
        ("the channels, not pooled to 16 places", 960),
        ("without the first block", 14_336),
        ("the book's D on 32x32 digits", 3_584),
        ("the last block only (512 maps x 16 places)", 8_192),
        ("the paper's number for its own D", 28_672),
        ("every place of every map, no pooling", 122_880),
        ("the logit counted too", 15_361),
        ("text", "15360"),
        ("a tuple holding it", (15_360,)),
    ],
    "08.2": [
        ("average pooling, not max", average),
        ("not flattened", not_flattened),
        ("one global max per map", _global_max),
        ("max over the maps", _max_over_maps),
        ("the right numbers in another order", _cells_first),
        ("raises", _raises),
        ("a layer, not a function", torch.nn.AdaptiveMaxPool2d(4)),
    ],
    "08.3": [
        ("squared distances", squared),
        ("divided by the pixel count", _per_pixel),
        ("the farthest, not the nearest", _farthest),
        ("the mean distance", _mean_distance),
        ("indices, not distances", index),
        ("L1, not Euclidean", _absolute),
        ("every distance, not the smallest", _all_distances),
        ("torch.cdist's default: copies at ~0.01", nearest_shortcut),
        ("the library's (distances, indices) tuple", nearest_and_index),
        ("raises", _raises),
        ("a number, not a function", 3.0),
    ],
    "08.4": [
        ("4,000 of 5,000 digits: the sets' sizes misread", 0.8),
        ("what a G that copies would give", 1.0),
        ("a percentage, not a share", 50),
        ("every sample closer to unseen digits", 0.0),
        ("a quarter", 0.25),
        ("what this chapter's G gave", 0.544),
        ("text", "0.5"),
        ("a tuple holding it", (0.5,)),
    ],
}
