"""Auto-checks of chapter 07's exercises (walking the latent space, vector arithmetic).

Serves notebooks/{ko,en}/07_*.ipynb through dcgan_lib.exercises.check("07.k", ...).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .verdicts import (
    Verdict,
    as_number,
    call_failed,
    call_safely,
    close_float,
    exact_ints,
    format_error,
    right,
    wrong,
)

_SLERP_HINTS = (
    "With w the angle between a and b: (sin((1 - t) w) a + sin(t w) b) / sin(w).",
    "w가 a와 b 사이의 각일 때 (sin((1 - t) w) a + sin(t w) b) / sin(w)입니다.",
)


def _slerp_pairs():
    """Pairs of equal length at angles from 20 to 160 degrees, fixed by a seed."""
    generator = torch.Generator().manual_seed(7)
    pairs = []
    for degrees in (20, 50, 80, 100, 130, 160):
        a = torch.randn(100, generator=generator, dtype=torch.float64)
        other = torch.randn(100, generator=generator, dtype=torch.float64)
        across = other - torch.dot(other, a) / torch.dot(a, a) * a  # perpendicular
        angle = math.radians(degrees)
        b = math.cos(angle) * a + math.sin(angle) * across / across.norm() * a.norm()
        pairs.append((a, b))
    return pairs


def _check_07_1(answer) -> Verdict:
    """slerp(a, b, t) for two vectors of the same length."""
    if not callable(answer) or isinstance(answer, nn.Module):
        return format_error(
            "a function slerp(a, b, t)", "함수 slerp(a, b, t)", *_SLERP_HINTS
        )
    for a, b in _slerp_pairs():
        omega = torch.acos(torch.dot(a, b) / (a.norm() * b.norm()))
        for t in (0.0, 0.25, 0.5, 0.8, 1.0):
            got, error = call_safely(answer, a.clone(), b.clone(), t)
            if error is not None:
                return call_failed(error, *_SLERP_HINTS)
            if got.shape != a.shape or not torch.isfinite(got).all():
                return wrong(
                    f"For a and b of shape {tuple(a.shape)} it returned "
                    f"{tuple(got.shape)} (or values that are not finite).",
                    f"모양이 {tuple(a.shape)}인 a, b에 {tuple(got.shape)}을(를) "
                    "돌려주었습니다(또는 유한하지 않은 값).",
                    *_SLERP_HINTS,
                )
            expected = (
                torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b
            ) / torch.sin(omega)
            if torch.allclose(got, expected, rtol=1e-4, atol=1e-4):
                continue
            if t in (0.0, 1.0):
                return wrong(
                    f"At t = {t:g} slerp must return {'a' if t == 0 else 'b'} itself.",
                    f"t = {t:g}에서는 {'a' if t == 0 else 'b'} 자신이어야 합니다.",
                    *_SLERP_HINTS,
                )
            if not math.isclose(got.norm(), a.norm(), rel_tol=1e-3):
                return wrong(
                    f"At t = {t:g} the length is {got.norm():.3f}, not ||a|| = "
                    f"{a.norm():.3f}: slerp stays on the sphere (lerp cuts inside).",
                    f"t = {t:g}에서 길이가 {got.norm():.3f}로 ||a|| = {a.norm():.3f}"
                    "가 아닙니다. slerp는 구면 위에 머뭅니다(lerp는 안쪽을 지납니다).",
                    *_SLERP_HINTS,
                )
            turned = torch.acos((torch.dot(got, a) / a.norm() ** 2).clamp(-1, 1))
            return wrong(
                f"The length is right, but at t = {t:g} the path has turned "
                f"{math.degrees(turned):.1f} degrees from a, not t w = "
                f"{math.degrees(t * omega):.1f}: slerp turns at a constant speed "
                "(normalizing lerp does not).",
                f"길이는 맞지만 t = {t:g}에서 a로부터 {math.degrees(turned):.1f}도 "
                f"돌았습니다. t w = {math.degrees(t * omega):.1f}도여야 합니다. "
                "slerp는 일정한 속도로 돕니다(lerp를 정규화하면 그렇지 않습니다).",
                *_SLERP_HINTS,
            )
    return right()


def _check_07_2(answer) -> Verdict:
    """The typical length of the lerp midpoint of two independent z in 64 dims."""
    return close_float(
        answer,
        (math.sqrt(63.5 / 2) + math.sqrt(32)) / 2,  # both ways of saying it count
        (
            "(a + b) / 2 is Gaussian with variance 1/2 per coordinate: its length is "
            "about sqrt(nz / 2).",
            "(a + b) / 2는 좌표마다 분산이 1/2인 정규 분포를 따릅니다. "
            "길이는 약 sqrt(nz / 2)입니다.",
        ),
        tol=0.05,
        traps=(
            (
                8.0,
                "that is ||z|| itself: the midpoint is shorter.",
                "그것은 ||z|| 자체입니다. 중간점은 더 짧습니다.",
            ),
            (
                4.0,
                "half of ||z|| would hold if a and b pointed the same way; "
                "in 64 dimensions they are nearly perpendicular.",
                "a와 b가 같은 방향일 때나 ||z||의 절반입니다. 64차원에서 둘은 거의 "
                "수직입니다.",
            ),
            (
                math.sqrt(128),
                "that is the length of a + b, before dividing by 2.",
                "그것은 2로 나누기 전, a + b의 길이입니다.",
            ),
        ),
        note=(
            "sqrt(64 / 2) = 5.66, far below the typical length of z itself, "
            "sqrt(63.5) = 7.97 with a standard deviation of about 0.71.",
            "sqrt(64 / 2) = 5.66으로, z 자신의 보통 길이 sqrt(63.5) = 7.97(표준편차 약 "
            "0.71)보다 한참 작습니다.",
        ),
    )


_EXEMPLAR_HINTS = (
    "Keep the images labelled `digit`, compute each one's ink ((x + 1) / 2 summed), "
    "and return the indices (into the whole batch) of the k largest.",
    "레이블이 `digit`인 이미지만 남기고 각각의 잉크((x + 1) / 2의 합)를 구해, "
    "잉크가 가장 큰 k개의 (배치 전체에서의) 인덱스를 돌려주세요.",
)


def exemplar_batch():
    """40 synthetic digits, labels 0-3: in every label half are large but dim (grey
    strokes, no pixel above 0), half small but bright, so that the most ink and the
    most bright pixels pick different images."""
    generator = torch.Generator().manual_seed(70)
    labels = torch.arange(40) % 4
    dense = (torch.arange(40) // 4) % 2 == 1
    density = torch.where(
        dense,
        0.3 + 0.3 * torch.rand(40, generator=generator),
        0.05 + 0.1 * torch.rand(40, generator=generator),
    )
    level = torch.where(dense, 0.0, 0.9).view(40, 1, 1, 1)
    mask = torch.rand(40, 1, 16, 16, generator=generator) < density.view(40, 1, 1, 1)
    images = torch.where(mask, level.expand(40, 1, 16, 16), torch.tensor(-1.0))
    return images, labels


def _check_07_3(answer) -> Verdict:
    """answer(images, labels, digit, k): indices of the k images of `digit` with
    the most ink."""
    if not callable(answer) or isinstance(answer, nn.Module):
        return format_error(
            "a function thickest(images, labels, digit, k)",
            "함수 thickest(images, labels, digit, k)",
            *_EXEMPLAR_HINTS,
        )
    images, labels = exemplar_batch()
    ink = ((images + 1) / 2).flatten(1).sum(1)
    for digit, k in ((2, 3), (0, 4)):
        try:
            got = answer(images.clone(), labels.clone(), digit, k)
            got = torch.as_tensor(got)
        except Exception as error:  # noqa: BLE001
            return call_failed(error, *_EXEMPLAR_HINTS)
        if got.dim() != 1 or got.dtype not in (torch.int64, torch.int32):
            return wrong(
                f"It returned a tensor of shape {tuple(got.shape)} and type "
                f"{got.dtype}: expected k indices (integers), not images.",
                f"모양 {tuple(got.shape)}, 자료형 {got.dtype}을(를) 돌려주었습니다. "
                "이미지가 아니라 인덱스(정수) k개여야 합니다.",
                *_EXEMPLAR_HINTS,
            )
        mine = (labels == digit).nonzero().flatten()
        expected = set(mine[ink[mine].topk(k).indices].tolist())
        chosen = got.tolist()
        if len(chosen) == k and set(chosen) == expected:
            continue
        if len(chosen) != k:
            why = (
                f"asked for k = {k}, it returned {len(chosen)} indices.",
                f"k = {k}개를 물었는데 {len(chosen)}개를 돌려주었습니다.",
            )
        elif any(not 0 <= i < len(labels) or labels[i] != digit for i in chosen):
            why = (
                f"some chosen images are not labelled {digit}.",
                f"고른 이미지 중 레이블이 {digit}이(가) 아닌 것이 있습니다.",
            )
        elif set(chosen) == set(
            mine[ink[mine].topk(k, largest=False).indices].tolist()
        ):
            why = (
                "those are the thinnest: the k with the least ink.",
                "그것은 가장 가는, 잉크가 가장 적은 k개입니다.",
            )
        else:
            why = (
                "those are not the k with the most ink (ink mass sums the pixels "
                "mapped to [0, 1]; it does not count bright pixels).",
                "잉크가 가장 많은 k개가 아닙니다(잉크 질량은 [0, 1]로 옮긴 픽셀 "
                "값의 합이지, 밝은 픽셀의 개수가 아닙니다).",
            )
        return wrong(why[0], why[1], *_EXEMPLAR_HINTS)
    return right()


def _check_07_4(answer) -> Verdict:
    """The number of frames of dl.walk through 9 points, 8 steps between them."""
    return exact_ints(
        answer,
        (8 * 8 + 1,),
        ("one integer", "정수 하나"),
        (
            "8 legs of 8 steps each; every point appears once, so add the last one.",
            "8개 구간에 각각 8단계이고, 점마다 한 번씩 나오니 마지막 점을 더합니다.",
        ),
    )


def _check_07_5(answer) -> Verdict:
    """One-sided binomial p-value: 77 of 100 trials against a 60 % random rate."""
    from scipy import stats

    expected = stats.binom.sf(76, 100, 0.6)  # P(X >= 77)
    hints = (
        "The p-value is P(X >= 77) for X ~ Binomial(100, 0.6): "
        "scipy.stats.binom.sf(76, 100, 0.6) or binomtest(..., alternative='greater').",
        "p값은 X ~ Binomial(100, 0.6)에서 P(X >= 77)입니다: "
        "scipy.stats.binom.sf(76, 100, 0.6) 또는 "
        "binomtest(..., alternative='greater').",
    )
    value = as_number(answer)
    if value is None:
        return format_error("one number (a float)", "숫자(실수) 하나", *hints)
    if math.isclose(value, expected, rel_tol=0.01):
        return right()
    traps = (
        (
            stats.binomtest(77, 100, 0.6).pvalue,
            "that is the two-sided p-value; the question is one-sided (better than "
            "random).",
            "양측 p값입니다. 질문은 단측(무작위보다 나은가)입니다.",
        ),
        (
            stats.binom.pmf(77, 100, 0.6),
            "that is P(X = 77), one outcome only.",
            "그것은 P(X = 77), 한 가지 결과의 확률뿐입니다.",
        ),
        (
            stats.binom.sf(77, 100, 0.6),
            "that is P(X > 77): 77 itself is missing.",
            "그것은 P(X > 77)입니다. 77 자신이 빠졌습니다.",
        ),
        (
            stats.binom.sf(76, 100, 0.5),
            "that tests against 50 %, not the random vectors' 60 %.",
            "50%에 대한 검정입니다. 무작위 벡터의 비율은 60%입니다.",
        ),
    )
    for trap, why_en, why_ko in traps:
        if math.isclose(value, trap, rel_tol=0.01):
            return wrong(f"{value:.3g}: {why_en}", f"{value:.3g}: {why_ko}", *hints)
    return wrong(f"{value:.3g} is not it.", f"{value:.3g}은(는) 답이 아닙니다.", *hints)


CHECKS = {
    "07.1": _check_07_1,
    "07.2": _check_07_2,
    "07.3": _check_07_3,
    "07.4": _check_07_4,
    "07.5": _check_07_5,
}
