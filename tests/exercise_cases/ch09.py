"""Chapter 09's exercise cases (going faster): right answers in several forms, and
wrong answers each labelled with the mistake it makes."""

import numpy as np
import torch


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
        ("per-process BatchNorm: the chapter's misconception", _mean_of_variances),
        ("the means' spread with n - 1", _unbiased_spread),
        ("the mean of the standard deviations, squared", _mean_of_stds),
        ("the means' spread only", _spread_only),
        ("the variances summed", _sum_of_variances),
        ("one number, not one per channel", _one_number),
        ("raises", _raises),
        ("a number, not a function", 2.0),
    ],
    "09.2": [
        ("45 / 0.120: eager steps in the compile time", 375),
        ("45 / 0.090: compiled steps in the compile time", 500),
        ("45 / 30, seconds over milliseconds", 1.5),
        ("1 / 0.03: the compile time forgotten", 33.3),
        ("the time saved per step", 0.03),
        ("text", "1500"),
    ],
    "09.3": [
        ("64 digits per process (DistributedSampler's convention)", 19),
        ("batches of 16, one process alone", 312),
        ("the partial batch counted", 79),
        ("64 digits per process and the partial batch counted", 20),
        ("5,000 / 4: the digits of one process, not steps", 1250),
        ("not a whole number of steps", 78.125),
        ("the digits, not steps", 5000),
        ("text", "78"),
    ],
    "09.4": [
        ("forgets subnormal numbers", _below_smallest_normal),
        ("forgets rounding to the nearest", _below_smallest_subnormal),
        ("forgets that a tie rounds to the even 0", _below_half_subnormal),
        ("counts the zeros in the denominator", _share_of_all),
        ("the zeros counted as lost", _zeros_included),
        ("bfloat16, not float16", _bfloat16),
        ("a percentage, not a share", _percent),
        ("the mask, not the share", _mask),
        ("raises", _raises),
        ("a number, not a function", 0.5),
    ],
}
