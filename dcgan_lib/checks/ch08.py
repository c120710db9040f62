"""Auto-checks of chapter 08's exercises (looking inside a DCGAN).

Serves notebooks/{ko,en}/08_*.ipynb through dcgan_lib.exercises.check("08.k", ...).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .verdicts import (
    Verdict,
    call_failed,
    call_safely,
    close_float,
    exact_ints,
    format_error,
    right,
    wrong,
)


def _not_a_function(name, hints) -> Verdict:
    return format_error(f"a function {name}", f"함수 {name}", *hints)


def _check_08_1(answer) -> Verdict:
    """Length of section 5.1's feature vector for the tutorial's 64x64 D (ndf=64)."""
    return exact_ints(
        answer,
        ((64 + 128 + 256 + 512) * 4 * 4,),
        ("one integer", "정수 하나"),
        (
            "Four blocks (64, 128, 256 and 512 maps), each max-pooled to 4 x 4 = 16 "
            "places; D's last layer (the logit) is not a block.",
            "블록 네 개(맵 64, 128, 256, 512개)를 각각 4 x 4 = 16곳으로 "
            "최대 풀링합니다. D의 마지막 층(로짓)은 블록이 아닙니다.",
        ),
    )


_POOL_HINTS = (
    "For each image and each map, the largest value in each of grid x grid equal "
    "cells (F.adaptive_max_pool2d), then .flatten(1): shape (B, C * grid * grid).",
    "이미지마다, 맵마다 grid x grid개의 같은 칸에서 가장 큰 값을 고르고"
    "(F.adaptive_max_pool2d) .flatten(1)하세요: 모양 (B, C * grid * grid).",
)


def _check_08_2(answer) -> Verdict:
    """answer(maps, grid): each map max-pooled to grid x grid, flattened per image."""
    if not callable(answer) or isinstance(answer, nn.Module):
        return _not_a_function("pool(maps, grid)", _POOL_HINTS)
    generator = torch.Generator().manual_seed(80)
    for shape, grid in (
        ((3, 5, 16, 16), 4),
        ((2, 4, 8, 8), 4),
        ((2, 6, 4, 4), 4),
        ((3, 2, 8, 8), 2),
    ):
        maps = torch.randn(shape, generator=generator, dtype=torch.float64)
        got, error = call_safely(answer, maps.clone(), grid)
        if error is not None:
            return call_failed(error, *_POOL_HINTS)
        expected = F.adaptive_max_pool2d(maps, grid).flatten(1)
        if got.shape != expected.shape:
            if got.shape == (shape[0], shape[1], grid, grid):
                why = (
                    "the values have the shape (B, C, grid, grid): flatten each "
                    "image's features into one row.",
                    "값의 모양이 (B, C, grid, grid)입니다. 이미지마다 한 줄로 펴세요.",
                )
            else:
                why = (
                    f"for maps of shape {shape} and grid {grid} it returned shape "
                    f"{tuple(got.shape)}, not {tuple(expected.shape)}.",
                    f"모양 {shape}, grid {grid}에 모양 {tuple(got.shape)}을(를) "
                    f"돌려주었습니다. {tuple(expected.shape)}이어야 합니다.",
                )
            return wrong(*why, *_POOL_HINTS)
        if torch.allclose(got, expected, atol=1e-5):
            continue
        if torch.allclose(got, F.adaptive_avg_pool2d(maps, grid).flatten(1), atol=1e-5):
            why = (
                "that is the average of each cell; the paper max-pools.",
                "각 칸의 평균입니다. 논문은 최대 풀링을 합니다.",
            )
        else:
            why = (
                f"for maps of shape {shape} the values differ from each cell's "
                "maximum.",
                f"모양 {shape}의 맵에서 각 칸의 최댓값과 다릅니다.",
            )
        return wrong(*why, *_POOL_HINTS)
    return right()


_NEAREST_HINTS = (
    "Flatten both to rows, take the Euclidean distance of every query to every bank "
    'image (torch.cdist with compute_mode="donot_use_mm_for_euclid_dist", exact for '
    "copies), and keep each query's smallest: shape (N,).",
    "둘 다 행으로 펴고 모든 질의와 모든 뱅크 이미지 사이의 유클리드 거리"
    '(복사본에도 정확한 torch.cdist(..., compute_mode="donot_use_mm_for_euclid_dist"))'
    "를 구해 질의마다 가장 작은 값을 남기세요: 모양 (N,).",
)


def _check_08_3(answer) -> Verdict:
    """answer(queries, bank): each query's Euclidean distance to its nearest bank
    image."""
    if not callable(answer) or isinstance(answer, nn.Module):
        return _not_a_function("nearest_distance(queries, bank)", _NEAREST_HINTS)
    generator = torch.Generator().manual_seed(81)
    bank = torch.rand(30, 1, 8, 8, generator=generator, dtype=torch.float64) * 2 - 1
    noise = torch.randn(6, 1, 8, 8, generator=generator, dtype=torch.float64)
    queries = torch.cat([bank[[4, 17]], bank[:6] + 0.3 * noise, -bank[:2]])
    try:
        returned = answer(queries.clone(), bank.clone())
    except Exception as error:  # noqa: BLE001 - any failure is the student's to see
        return call_failed(error, *_NEAREST_HINTS)
    if isinstance(returned, tuple):
        return wrong(
            "it returned a tuple (like dl.nearest_neighbours' distances and indices): "
            "return the distances only, shape (N,).",
            "튜플을 돌려주었습니다(dl.nearest_neighbours의 거리와 인덱스처럼). 거리만 "
            "모양 (N,)으로 돌려주세요.",
            *_NEAREST_HINTS,
        )
    got, error = call_safely(lambda: returned)
    if error is not None:
        return call_failed(error, *_NEAREST_HINTS)
    all_pairs = torch.cdist(queries.flatten(1), bank.flatten(1))
    expected = all_pairs.min(dim=1).values
    if got.shape in ((len(queries), 1), (1, len(queries))):
        got = got.flatten()
    if got.shape != expected.shape:
        return wrong(
            f"for 10 queries it returned shape {tuple(got.shape)}: expected one "
            "distance per query, shape (10,).",
            f"질의 10개에 모양 {tuple(got.shape)}을(를) 돌려주었습니다. 질의마다 "
            "거리 하나, 모양 (10,)이어야 합니다.",
            *_NEAREST_HINTS,
        )
    if torch.allclose(got, expected, rtol=1e-4, atol=1e-4):
        return _exact_copies(answer)
    traps = [
        (
            expected**2,
            "those are squared distances: take the square root.",
            "제곱 거리입니다. 제곱근을 취하세요.",
        ),
        (
            expected / 8,
            "that is divided by the square root of the pixel count; "
            "use the plain Euclidean distance.",
            "픽셀 수의 제곱근으로 나눈 값입니다. 그냥 유클리드 거리를 쓰세요.",
        ),
        (
            all_pairs.max(dim=1).values,
            "that is the farthest bank image, not the nearest.",
            "가장 먼 뱅크 이미지입니다. 가장 가까운 것을 고르세요.",
        ),
        (
            all_pairs.mean(dim=1),
            "that is the average distance to the bank, not the smallest.",
            "뱅크까지의 평균 거리입니다. 가장 작은 거리를 고르세요.",
        ),
        (
            all_pairs.argmin(dim=1).double(),
            "those are the indices of the nearest images; the distances are asked.",
            "가장 가까운 이미지의 인덱스입니다. 거리를 물었습니다.",
        ),
    ]
    for value, why_en, why_ko in traps:
        if torch.allclose(got, value, rtol=1e-4, atol=1e-4):
            return wrong(why_en, why_ko, *_NEAREST_HINTS)
    return wrong(
        "the distances differ from each query's nearest Euclidean distance (a copy "
        "of a bank image must get 0).",
        "질의마다의 가장 가까운 유클리드 거리와 다릅니다(뱅크 이미지의 복사본은 "
        "0이어야 합니다).",
        *_NEAREST_HINTS,
    )


def _exact_copies(answer) -> Verdict:
    """Copies among float32 digit-sized images must be at distance 0 exactly: the
    |a|^2 + |b|^2 - 2ab shortcut of torch.cdist's default leaves about 0.01."""
    generator = torch.Generator().manual_seed(82)
    bank = torch.rand(200, 1, 32, 32, generator=generator) * 2 - 1  # float32
    got, error = call_safely(answer, bank[:30].clone(), bank.clone())
    if error is not None:
        return call_failed(error, *_NEAREST_HINTS)
    got = got.flatten()
    if got.shape == (30,) and got.abs().max() == 0:
        return right()
    found = got.abs().max().item() if got.shape == (30,) else float("nan")
    return wrong(
        f"on float32 images of 32 x 32, copies of bank images got distances up to "
        f"{found:.4f}, not 0: torch.cdist's default takes the shortcut "
        "|a|^2 + |b|^2 - 2ab, which cancels badly; pass "
        'compute_mode="donot_use_mm_for_euclid_dist", or subtract the images.',
        f"32 x 32 float32 이미지에서 뱅크 이미지의 복사본이 0이 아니라 최대 "
        f"{found:.4f}의 거리를 받았습니다. torch.cdist는 기본적으로 "
        "|a|^2 + |b|^2 - 2ab 전개식으로 계산해서, 두 값이 거의 같을 때 "
        "뺄셈 오차가 큽니다. "
        'compute_mode="donot_use_mm_for_euclid_dist"를 넘기거나 두 이미지를 직접 '
        "빼서 계산하세요.",
        *_NEAREST_HINTS,
    )


def _check_08_4(answer) -> Verdict:
    """Share of samples closer to 1,000 training digits than to 1,000 held-out
    digits, for a G that draws new digits without copying."""
    hints = (
        "For such a G, training and held-out digits are two draws of the same size "
        "from the same distribution: neither set is favoured.",
        "그런 G에게 학습 숫자와 떼어 둔 숫자는 같은 분포에서 뽑은 같은 크기의 두 묶음"
        "입니다. 어느 쪽도 유리하지 않습니다.",
    )
    traps = [
        (
            0.8,
            "4,000 of the 5,000 digits trained G, but both sets here have 1,000.",
            "5,000개 중 4,000개로 G를 학습했지만 여기서는 두 묶음 모두 1,000개입니다.",
        ),
        (
            1.0,
            "that is what a G that copies its training digits would give.",
            "그것은 학습 숫자를 베끼는 G가 낼 값입니다.",
        ),
        (
            50.0,
            "a share, not a percentage: between 0 and 1.",
            "백분율이 아니라 비율(0과 1 사이)로 답하세요.",
        ),
        (
            0.544,
            "that is what this chapter's G gave, leaning slightly toward the digits it "
            "trained on; asked is a G that draws new digits.",
            "이 장의 G가 낸 값입니다. 그 G는 학습 숫자 쪽으로 조금 기웁니다. 물은 것은 "
            "새 숫자를 그리는 G입니다.",
        ),
        (
            0.0,
            "that would mean every sample is closer to digits G never saw.",
            "모든 샘플이 G가 본 적 없는 숫자에 더 가깝다는 뜻입니다.",
        ),
    ]
    return close_float(answer, 0.5, hints, traps=traps, tol=1e-9)


CHECKS = {
    "08.1": _check_08_1,
    "08.2": _check_08_2,
    "08.3": _check_08_3,
    "08.4": _check_08_4,
}
