"""Auto-checks of chapter 05's exercises (weight initialization).

Serves notebooks/{ko,en}/05_*.ipynb through dcgan_lib.exercises.check("05.k", ...).
"""

from __future__ import annotations

import torch
from torch import nn

from .verdicts import (
    Verdict,
    as_number,
    format_error,
    right,
    wrong,
)


def _number(answer, expected: float, hints: tuple, rel_tol: float = 0.01):
    """A Verdict for a float answer within ``rel_tol`` (relative) of ``expected``."""
    value = as_number(answer)
    if value is None:
        return format_error("one number", "숫자 하나", *hints)
    if not abs(value - expected) <= rel_tol * abs(expected):
        return wrong(
            f"{value:.6g} is not it.", f"{value:.6g}은(는) 답이 아닙니다.", *hints
        )
    return right()


def _check_05_1(answer) -> Verdict:
    """The variance of N(0, 0.02), 0.02 being the standard deviation."""
    return _number(
        answer,
        0.02**2,
        (
            "0.02 is the standard deviation; the variance is its square.",
            "0.02는 표준편차입니다. 분산은 그 제곱입니다.",
        ),
    )


def _check_05_2(answer) -> Verdict:
    """The standard deviation of weights whose variance is 0.02."""
    return _number(
        answer,
        0.02**0.5,
        (
            "The standard deviation is the square root of the variance.",
            "표준편차는 분산의 제곱근입니다.",
        ),
        rel_tol=0.015,
    )


def _check_05_3(answer) -> Verdict:
    """PyTorch's default bound b = 1/sqrt(fan_in) for nn.Conv2d(64, 128, 4)."""
    return _number(
        answer,
        1 / (64 * 4 * 4) ** 0.5,
        (
            "b = 1/sqrt(fan_in); a Conv2d weight is (out, in, k, k) and "
            "fan_in = in * k * k.",
            "b = 1/sqrt(fan_in)입니다. Conv2d의 가중치는 (out, in, k, k)이고 "
            "fan_in = in * k * k 입니다.",
        ),
    )


def _check_05_4(answer) -> Verdict:
    """PyTorch's default bound for nn.ConvTranspose2d(64, 3, 4, 2, 1)."""
    hints = (
        "A ConvTranspose2d weight is (in, out, k, k), and PyTorch takes "
        "fan_in = weight.size(1) * k * k.",
        "ConvTranspose2d의 가중치는 (in, out, k, k)이고, PyTorch는 "
        "fan_in = weight.size(1) * k * k 로 계산합니다.",
    )
    verdict = _number(answer, 1 / (3 * 4 * 4) ** 0.5, hints)
    if verdict.ok is False and as_number(answer) is not None:
        if abs(as_number(answer) - 1 / (64 * 4 * 4) ** 0.5) < 1e-4:
            return wrong(
                "That is 1/sqrt(64*16): the fan_in of a Conv2d(64, ...).",
                "그것은 1/sqrt(64*16), 즉 Conv2d(64, ...)의 fan_in입니다.",
                *hints,
            )
    return verdict


_NAMES = (
    "Conv1d",
    "ConvTranspose2d",
    "DeconvHead",
    "ConvergenceMonitor",
    "Conv2dNormActivation",
    "LazyConv2d",
    "BatchNorm2d",
    "conv_block",
)


def _check_05_5(answer) -> Verdict:
    """The class names that classname.find('Conv') != -1 matches."""
    hints = (
        "find is case-sensitive and looks for 'Conv' anywhere in the name.",
        "find는 대소문자를 구분하고, 이름 어디에서든 'Conv'를 찾습니다.",
    )
    if isinstance(answer, str) or not isinstance(answer, (set, frozenset, list, tuple)):
        return format_error("a set of names", "이름들의 set", *hints)
    if not all(isinstance(name, str) for name in answer):
        return format_error("a set of names (strings)", "이름(문자열)들의 set", *hints)
    expected = {name for name in _NAMES if name.find("Conv") != -1}
    given = set(answer)
    missing, extra = sorted(expected - given), sorted(given - expected)
    if missing or extra:
        return wrong(
            f"Missing: {missing or '-'}; should not be there: {extra or '-'}.",
            f"빠진 것: {missing or '-'}, 들어가면 안 되는 것: {extra or '-'}.",
            *hints,
        )
    return right(
        "ConvergenceMonitor and Conv2dNormActivation match but are no conv layers.",
        "ConvergenceMonitor와 Conv2dNormActivation도 일치하지만 합성곱 층이 아닙니다.",
    )


class _ConvergenceMonitor(nn.Module):
    """A module named *Conv* with a parameter named weight that is no layer weight."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(3))


class _ConvBlock(nn.Sequential):
    """A container whose class name contains "Conv"; it has no weight of its own."""


def _check_05_6(answer) -> Verdict:
    """An init function covering every conv and every BatchNorm, nothing else."""
    hints = (
        "isinstance with nn.modules.conv._ConvNd and nn.modules.batchnorm._BatchNorm "
        "(or list every class you mean, SyncBatchNorm included).",
        "nn.modules.conv._ConvNd와 nn.modules.batchnorm._BatchNorm으로 isinstance를 "
        "검사하세요(또는 SyncBatchNorm까지 뜻하는 클래스를 모두 나열하세요).",
    )
    if not callable(answer) or isinstance(answer, nn.Module):
        return format_error("a function of one module", "모듈 하나를 받는 함수", *hints)
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(5)
    convs = [
        nn.Conv1d(64, 64, 4, bias=False),
        nn.Conv2d(64, 64, 4, bias=False),
        nn.Conv3d(16, 16, 4, bias=False),
        nn.ConvTranspose1d(64, 64, 4, bias=False),
        nn.ConvTranspose2d(64, 64, 4, bias=False),
        nn.ConvTranspose3d(16, 16, 4, bias=False),
    ]
    norms = [
        nn.BatchNorm1d(512),
        nn.BatchNorm2d(512),
        nn.BatchNorm3d(512),
        nn.SyncBatchNorm(512),
    ]
    monitor = _ConvergenceMonitor()
    instance_norm = nn.InstanceNorm2d(8, affine=True)  # not a BatchNorm: leave it
    inner_conv, inner_norm = nn.Conv2d(64, 512, 4, bias=False), nn.BatchNorm2d(512)
    container = _ConvBlock(inner_conv, inner_norm, nn.LeakyReLU(0.2))
    model = nn.ModuleList([*convs, *norms, monitor, instance_norm, container])
    convs, norms = [*convs, inner_conv], [*norms, inner_norm]  # all to be checked
    # Start far from the answer, so that only a function that re-initializes a
    # layer passes for it (PyTorch's own init of a 64-channel conv has std ~0.018).
    with torch.no_grad():
        for conv in convs:
            conv.weight.fill_(0.5)
        for norm in [*norms, instance_norm]:
            norm.weight.fill_(5.0)
            norm.bias.fill_(5.0)
    try:
        model.apply(answer)
    except Exception as error:  # noqa: BLE001 - any failure is the student's to see
        return wrong(
            f"model.apply(answer) fails: {type(error).__name__}: {error}",
            "model.apply(answer)가 실패합니다.",
            *hints,
        )
    finally:
        torch.random.set_rng_state(generator_state)
    for conv in convs:
        w = conv.weight.detach()
        if torch.all(w == 0.5):
            return wrong(
                f"{type(conv).__name__}: its weight was not re-initialized.",
                f"{type(conv).__name__}: 가중치가 다시 초기화되지 않았습니다.",
                *hints,
            )
        if not (abs(w.mean()) < 0.002 and abs(w.std() - 0.02) < 0.002):
            return wrong(
                f"{type(conv).__name__}: weight std {w.std():.4f}, not about 0.02.",
                f"{type(conv).__name__}: 가중치 표준편차가 {w.std():.4f}입니다 "
                "(약 0.02가 아님).",
                *hints,
            )
    for norm in norms:
        gamma, beta = norm.weight.detach(), norm.bias.detach()
        if torch.all(gamma == 5.0):
            return wrong(
                f"{type(norm).__name__}: its gamma was not re-initialized.",
                f"{type(norm).__name__}: gamma가 다시 초기화되지 않았습니다.",
                *hints,
            )
        if not (abs(gamma.mean() - 1) < 0.01 and abs(gamma.std() - 0.02) < 0.006):
            return wrong(
                f"{type(norm).__name__}: gamma is not about N(1, 0.02).",
                f"{type(norm).__name__}: gamma가 N(1, 0.02)를 따르지 않습니다.",
                *hints,
            )
        if not torch.all(beta == 0):
            return wrong(
                f"{type(norm).__name__}: beta is not 0.",
                f"{type(norm).__name__}: beta가 0이 아닙니다.",
                *hints,
            )
    if not (
        torch.all(instance_norm.weight == 5.0) and torch.all(instance_norm.bias == 5.0)
    ):
        return wrong(
            "It re-initialized an InstanceNorm2d: only BatchNorm gets N(1, 0.02).",
            "InstanceNorm2d까지 다시 초기화했습니다. N(1, 0.02)는 배치 정규화 층에만 "
            "씁니다.",
            *hints,
        )
    if not torch.equal(monitor.weight.detach(), torch.ones(3)):
        return wrong(
            "It changed a parameter named weight that belongs to no conv or BatchNorm.",
            "합성곱도 배치 정규화도 아닌 모듈의 weight 매개변수를 바꿨습니다.",
            *hints,
        )
    return right()


CHECKS = {
    "05.1": _check_05_1,
    "05.2": _check_05_2,
    "05.3": _check_05_3,
    "05.4": _check_05_4,
    "05.5": _check_05_5,
    "05.6": _check_05_6,
}
