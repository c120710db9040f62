"""Right and wrong answers for chapter 09's exercise checks (going faster)."""

import numpy as np
import torch
from helpers import assert_right_and_wrong


def _batch_variance(means, variances):
    return variances.mean(dim=0) + ((means - means.mean(dim=0)) ** 2).mean(dim=0)


def _batch_variance_numpy(means, variances):
    m, v = means.numpy(), variances.numpy()
    return v.mean(axis=0) + m.var(axis=0)  # numpy's var divides by n


def _batch_variance_float32(means, variances):
    return _batch_variance(means.float(), variances.float())


def _batch_variance_moments(means, variances):  # E[x^2] - E[x]^2
    return (variances + means**2).mean(dim=0) - means.mean(dim=0) ** 2


def _mean_of_variances(means, variances):  # what each process sees alone
    return variances.mean(dim=0)


def _unbiased_spread(means, variances):
    return variances.mean(dim=0) + means.var(dim=0)  # torch's var divides by n - 1


def _mean_of_stds(means, variances):
    return variances.sqrt().mean(dim=0) ** 2


def _spread_only(means, variances):
    return means.var(dim=0, unbiased=False)


def _sum_of_variances(means, variances):
    return variances.sum(dim=0)


def _one_number(means, variances):
    return _batch_variance(means, variances).mean()


def _lost(grads):
    nonzero = grads != 0
    return ((grads.half() == 0) & nonzero).sum().item() / nonzero.sum().item()


def _lost_numpy(grads):
    g = grads.numpy()
    nonzero = g != 0
    return float(((g.astype(np.float16) == 0) & nonzero).mean() / nonzero.mean())


def _lost_tensor(grads):
    nonzero = grads != 0
    return ((grads.to(torch.float16) == 0) & nonzero).float().sum() / nonzero.sum()


def _lost_threshold(grads):  # right: 2^-25 and below round to 0 (a tie to even)
    nonzero = grads != 0
    return ((grads.abs() <= 2.0**-25) & nonzero).sum().item() / nonzero.sum().item()


def _lost_float32(grads):
    return np.float32(_lost(grads))


def _below_half_subnormal(grads):  # misses the ties at exactly 2^-25
    nonzero = grads != 0
    return ((grads.abs() < 2.0**-25) & nonzero).sum().item() / nonzero.sum().item()


def _share_of_all(grads):  # divides by every value, zeros included
    return ((grads.half() == 0) & (grads != 0)).float().mean().item()


def _below_smallest_normal(grads):
    nonzero = grads != 0
    tiny = torch.finfo(torch.float16).tiny
    return ((grads.abs() < tiny) & nonzero).sum().item() / nonzero.sum().item()


def _below_smallest_subnormal(grads):
    nonzero = grads != 0
    return ((grads.abs() < 2.0**-24) & nonzero).sum().item() / nonzero.sum().item()


def _zeros_included(grads):
    return (grads.half() == 0).float().mean().item()


def _bfloat16(grads):
    nonzero = grads != 0
    return ((grads.bfloat16() == 0) & nonzero).sum().item() / nonzero.sum().item()


def _percent(grads):
    return 100 * _lost(grads)


def _mask(grads):
    return (grads.half() == 0) & (grads != 0)


def _raises(*args):
    raise NotImplementedError("not yet")


RIGHT = {
    "09.1": [
        _batch_variance,
        _batch_variance_numpy,
        _batch_variance_float32,
        _batch_variance_moments,
    ],
    "09.2": [
        1500,
        1500.0,
        np.float32(1500),
        np.int64(1500),
        torch.tensor(1500.0),
        45 / 0.03,
    ],
    "09.3": [78, 78.0, np.int64(78), np.float32(78), torch.tensor(78)],
    "09.4": [_lost, _lost_numpy, _lost_tensor, _lost_threshold, _lost_float32],
}

WRONG = {
    "09.1": [
        _mean_of_variances,  # per-process BatchNorm: the misconception of the chapter
        _unbiased_spread,
        _mean_of_stds,
        _spread_only,
        _sum_of_variances,
        _one_number,
        _raises,
        2.0,
    ],
    "09.2": [
        375,  # 45 / 0.120: eager steps in the compile time
        500,  # 45 / 0.090: compiled steps in the compile time
        1.5,  # 45 / 30, seconds over milliseconds
        33.3,  # 1 / 0.03: the compile time forgotten
        0.03,
        "1500",
    ],
    "09.3": [
        19,  # 64 digits per process (DistributedSampler's convention)
        312,  # batches of 16, one process alone
        79,  # the partial batch counted
        20,  # 64 digits per process and the partial batch counted
        1250,  # 5,000 / 4: the digits of one process, not steps
        78.125,  # not a whole number of steps
        5000,
        "78",
    ],
    "09.4": [
        _below_smallest_normal,  # forgets subnormal numbers
        _below_smallest_subnormal,  # forgets rounding to the nearest
        _below_half_subnormal,  # forgets that a tie rounds to the even 0
        _share_of_all,  # counts the zeros in the denominator
        _zeros_included,
        _bfloat16,
        _percent,
        _mask,
        _raises,
        0.5,
    ],
}


def test_chapter_09_checks_accept_right_and_reject_wrong():
    for exercise in RIGHT:
        assert_right_and_wrong(exercise, RIGHT, WRONG)
