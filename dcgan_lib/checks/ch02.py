"""Auto-checks of chapter 02's exercises (the architecture guidelines).

Serves notebooks/{ko,en}/02_*.ipynb through dcgan_lib.exercises.check("02.k", ...).
"""

from __future__ import annotations

import torch
from torch import nn

from .verdicts import (
    POOLING_AND_FULLY_CONNECTED,
    Verdict,
    as_number,
    exact_ints,
    format_error,
    forward_sizes,
    leaves,
    right,
    wrong,
)


def _check_02_1(answer) -> Verdict:
    """(BatchNorm2d layers in G, in D) for 128x128 images."""
    return exact_ints(
        answer,
        (5, 4),
        ("a tuple of two ints (in_G, in_D)", "(in_G, in_D) 두 정수의 튜플"),
        (
            "128 = 4 * 2**5: G has 6 transposed convs, D has 6 convs. No BatchNorm "
            "after G's output layer, D's input layer, or D's final logit layer.",
            "128 = 4 * 2**5 이므로 생성자는 전치 합성곱 6개, "
            "판별자는 합성곱 6개입니다. 생성자 출력 층, 판별자 입력 층과 "
            "마지막 로짓 층 뒤에는 배치 정규화가 없습니다.",
        ),
    )


def _check_02_2(answer) -> Verdict:
    """Parameters of Discriminator(ndf=128) for 3x64x64 images."""
    convs = 16 * (3 * 128 + 128 * 256 + 256 * 512 + 512 * 1024 + 1024 * 1)
    return exact_ints(
        answer,
        (convs + 2 * (256 + 512 + 1024),),
        ("one int", "정수 하나"),
        (
            "Five convs of c_in * c_out * 4 * 4 weights (no bias), plus 2 parameters "
            "(gamma, beta) per channel of the three BatchNorm layers.",
            "합성곱 5개는 각각 c_in * c_out * 4 * 4개(편향 없음), 배치 정규화 3개는 "
            "채널마다 2개(gamma, beta)입니다.",
        ),
        note=(
            "Four times the 64-wide D, almost exactly: widths enter squared.",
            "폭 64인 판별자의 거의 정확히 4배입니다. 폭은 제곱으로 들어갑니다.",
        ),
    )


def _check_02_3(answer) -> Verdict:
    """Which guideline (1-5) each of model_a..model_d breaks."""
    return exact_ints(
        answer,
        (1, 4, 3, 2),
        (
            "a tuple of four guideline numbers (model_a, model_b, model_c, model_d)",
            "지침 번호 네 개의 튜플 (model_a, model_b, model_c, model_d)",
        ),
        (
            "Look for: a pooling layer, a hidden nn.Linear, the activation used in "
            "a generator, and what sits right before a generator's Tanh.",
            "풀링 층, 은닉 층의 nn.Linear, 생성자가 쓰는 활성화 함수, 생성자의 Tanh "
            "바로 앞에 무엇이 있는지 살펴보세요.",
        ),
    )


def _check_02_4(answer) -> Verdict:
    """A guideline-following generator: (B, 100, 1, 1) -> (B, 1, 32, 32)."""
    hint_en = (
        "ConvTranspose2d(100, w, 4, 1, 0) takes 1 to 4, three ConvTranspose2d(k=4, "
        "s=2, p=1) take 4 to 32; BatchNorm2d + ReLU after all but the last, then Tanh."
    )
    hint_ko = (
        "ConvTranspose2d(100, w, 4, 1, 0)이 1을 4로, ConvTranspose2d(k=4, s=2, p=1) "
        "세 개가 4를 32로 만듭니다. 마지막을 뺀 모든 층 뒤에 BatchNorm2d와 ReLU, "
        "끝에 Tanh를 둡니다."
    )

    def refuse(why_en, why_ko):
        return wrong(why_en, why_ko, hint_en, hint_ko)

    if not isinstance(answer, nn.Module):
        return format_error("an nn.Module", "nn.Module", hint_en, hint_ko)
    layers = leaves(answer)
    banned = (*POOLING_AND_FULLY_CONNECTED, nn.Conv2d)
    if any(isinstance(m, banned) for m in layers):
        return refuse(
            "Use transposed convolutions only: no pooling, Upsample, Conv2d or Linear.",
            "전치 합성곱만 쓰세요. 풀링, Upsample, Conv2d, Linear는 안 됩니다.",
        )
    if any(isinstance(m, (nn.LeakyReLU, nn.Sigmoid)) for m in layers):
        return refuse(
            "A generator uses ReLU inside and Tanh at the output (guideline 4).",
            "생성자는 안쪽에 ReLU, 출력에 Tanh를 씁니다(지침 4).",
        )
    convs = [i for i, m in enumerate(layers) if isinstance(m, nn.ConvTranspose2d)]
    if not convs:
        return refuse("It has no ConvTranspose2d.", "ConvTranspose2d가 없습니다.")
    if not isinstance(layers[-1], nn.Tanh):
        return refuse(
            "The last layer must be Tanh, so images land in [-1, 1].",
            "이미지가 [-1, 1]에 들어오도록 마지막 층은 Tanh여야 합니다.",
        )
    if any(isinstance(m, nn.BatchNorm2d) for m in layers[convs[-1] + 1 :]):
        return refuse(
            "BatchNorm follows G's output layer (guideline 2's exception).",
            "생성자의 출력 층 뒤에 배치 정규화가 있습니다(지침 2의 예외).",
        )
    if any(isinstance(m, nn.ReLU) for m in layers[convs[-1] + 1 :]):
        return refuse(
            "A ReLU follows G's output layer: it goes straight into Tanh.",
            "생성자의 출력 층 뒤에 ReLU가 있습니다. 출력 층은 곧바로 Tanh로 갑니다.",
        )
    for start, end in zip(convs, convs[1:]):
        between = layers[start + 1 : end]
        if not (
            any(isinstance(m, nn.BatchNorm2d) for m in between)
            and any(isinstance(m, nn.ReLU) for m in between)
        ):
            return refuse(
                "Every transposed convolution but the last needs BatchNorm2d and ReLU.",
                "마지막을 뺀 모든 전치 합성곱 뒤에 BatchNorm2d와 ReLU가 필요합니다.",
            )
    out, error, calls = forward_sizes(
        answer, torch.randn(2, 100, 1, 1), nn.ConvTranspose2d
    )
    if error is not None:
        return refuse(
            f"It fails on z of shape (2, 100, 1, 1): {error}",
            "모양이 (2, 100, 1, 1)인 z에서 실행이 실패합니다.",
        )
    if tuple(out.shape) != (2, 1, 32, 32):
        return refuse(
            f"It returns shape {tuple(out.shape)}, not (2, 1, 32, 32).",
            f"출력 모양이 {tuple(out.shape)}입니다 ((2, 1, 32, 32)가 아님).",
        )
    if not calls:
        return refuse(
            "None of its ConvTranspose2d layers runs in forward.",
            "forward에서 실행되는 ConvTranspose2d가 없습니다.",
        )
    _, _, (height, width) = calls[0]
    if max(height, width) > 4:
        return refuse(
            f"The first layer goes from 1x1 straight to {height}x{width}: it should "
            "project z to a small map (4x4), and stride-2 layers do the upsampling.",
            f"첫 층이 1x1에서 곧바로 {height}x{width}(으)로 갑니다. 첫 층은 z를 작은 "
            "특징 맵(4x4)으로 투영하고, 크기를 키우는 일은 스트라이드 2인 층들이 "
            "맡아야 합니다.",
        )
    for number, (layer, size_in, size_out) in enumerate(calls[1:], start=2):
        doubles = size_out == tuple(2 * n for n in size_in) and layer.stride == (2, 2)
        keeps = size_out == size_in and layer.stride == (1, 1)
        if not (doubles or keeps):
            return refuse(
                f"Transposed convolution {number} takes {size_in} to {size_out} "
                f"with stride {layer.stride}: after the first, each one doubles the "
                "size with stride 2 (fractional-strided, guideline 1).",
                f"{number}번째 전치 합성곱이 스트라이드 {layer.stride}로 크기를 "
                f"{size_in}에서 {size_out}(으)로 바꿉니다. 첫 층 다음부터는 "
                "스트라이드 2로 크기를 두 배씩 키웁니다(지침 1).",
            )
    return right(
        "dl.Generator(nc=1, image_size=32) is the same design.",
        "dl.Generator(nc=1, image_size=32)가 같은 설계입니다.",
    )


def _check_02_5(answer) -> Verdict:
    """The weight of a Conv2d(1, 1, 4, stride=4) that equals AvgPool2d(4)."""
    hint_en = "An average of n numbers gives each of them the weight 1/n."
    hint_ko = "n개 숫자의 평균은 각 숫자에 1/n의 가중치를 줍니다."
    value = as_number(answer)
    if value is None:
        return format_error("a number (float)", "실수 하나", hint_en, hint_ko)
    if abs(value - 1 / 16) > 1e-6:
        traps = {
            1 / 4: (
                "that is 1/4, the weight of section 2.1's 2x2 window.",
                "그것은 2.1절의 2x2 창에 쓰는 1/4입니다.",
            ),
            16.0: (
                "that is how many pixels the window holds, not each one's weight.",
                "그것은 각 픽셀의 가중치가 아니라 창에 든 픽셀 수입니다.",
            ),
        }
        why_en, why_ko = next(
            (why for trap, why in traps.items() if abs(value - trap) <= 1e-6),
            ("is not it.", "답이 아닙니다."),
        )
        return wrong(f"{value}: {why_en}", f"{value}: {why_ko}", hint_en, hint_ko)
    return right(
        "A strided conv can learn average pooling; max pooling it cannot.",
        "스트라이드 합성곱은 평균 풀링은 배울 수 있지만 최대 풀링은 배울 수 없습니다.",
    )


CHECKS = {
    "02.1": _check_02_1,
    "02.2": _check_02_2,
    "02.3": _check_02_3,
    "02.4": _check_02_4,
    "02.5": _check_02_5,
}
