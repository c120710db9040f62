"""Auto-checks of chapter 03's exercises (shape arithmetic).

Serves notebooks/{ko,en}/03_*.ipynb through dcgan_lib.exercises.check("03.k", ...).
"""

from __future__ import annotations

import torch
from torch import nn

from ..shapes import conv2d_out, conv_transpose2d_out
from .verdicts import (
    POOLING_AND_FULLY_CONNECTED,
    Verdict,
    as_ints,
    exact_ints,
    format_error,
    forward_sizes,
    leaves,
    right,
    wrong,
)


def _check_03_1(answer) -> Verdict:
    """(kernel, stride, padding) of a ConvTranspose2d taking 16x16 to 32x32."""
    hint_en = "(16 - 1) * s - 2p + k = 32; with s = 2 this says k - 2p = 2."
    hint_ko = "(16 - 1) * s - 2p + k = 32 입니다. s = 2 라면 k - 2p = 2 가 됩니다."
    values = as_ints(answer, 3)
    if values is None:
        return format_error(
            "a tuple of three ints (kernel, stride, padding)",
            "(kernel, stride, padding) 세 정수의 튜플",
            hint_en,
            hint_ko,
        )
    kernel, stride, padding = values
    try:
        out = conv_transpose2d_out(16, kernel, stride, padding)
        layer = nn.ConvTranspose2d(1, 1, kernel, stride, padding)
        real = layer(torch.zeros(1, 1, 16, 16)).shape[-1]
    except (ValueError, RuntimeError) as error:
        return wrong(
            f"PyTorch rejects it: {error}",
            "PyTorch가 거부하는 설정입니다.",
            hint_en,
            hint_ko,
        )
    if out != 32 or real != 32:
        return wrong(
            f"That gives {real}x{real}, not 32x32.",
            f"그 설정에서는 16x16 입력이 {real}x{real} 크기로 나옵니다(목표: 32x32).",
            hint_en,
            hint_ko,
        )
    return right(
        "DCGAN uses (4, 2, 1): a kernel divisible by the stride avoids the built-in "
        "checkerboard (section 7).",
        "DCGAN은 (4, 2, 1)을 씁니다. 커널 크기가 스트라이드로 나누어떨어지면 "
        "구조에서 생기는 체커보드를 피할 수 있습니다(7절).",
    )


def _check_03_2(answer) -> Verdict:
    """Output size of Conv2d(kernel=5, stride=2, padding=2) on a 28x28 input."""
    return exact_ints(
        answer,
        (conv2d_out(28, 5, 2, 2),),
        ("one int", "정수 하나"),
        (
            "floor((28 + 2*2 - 5) / 2) + 1: floor first, then add one.",
            "floor((28 + 2*2 - 5) / 2) + 1: 내림을 먼저 하고 1을 더합니다.",
        ),
    )


def _check_03_3(answer) -> Verdict:
    """(zeros between pixels, zeros on each side) that make ConvTranspose2d(4, 2, 1)."""
    return exact_ints(
        answer,
        (2 - 1, 4 - 1 - 1),
        (
            "a tuple of two ints (between, each_side)",
            "(between, each_side) 두 정수의 튜플",
        ),
        (
            "Insert stride - 1 zeros between pixels; pad dilation*(k-1) - p per side.",
            "픽셀 사이에 stride - 1 개, 양쪽에 dilation*(k-1) - p 개의 0을 넣습니다.",
        ),
    )


def _check_03_4(answer) -> Verdict:
    """Parameters of G's first layer, ConvTranspose2d(100, 512, 4, 1, 0, bias=False)."""
    return exact_ints(
        answer,
        (100 * 512 * 4 * 4,),
        ("one int", "정수 하나"),
        (
            "A ConvTranspose2d weight has shape (in, out, k, k); there is no bias.",
            "ConvTranspose2d의 가중치 모양은 (in, out, k, k)이고 편향은 없습니다.",
        ),
        note=(
            "nz changes this count, never the 4x4 output size.",
            "nz는 이 개수를 바꿀 뿐, 4x4라는 출력 크기는 바꾸지 않습니다.",
        ),
    )


def _check_03_5(answer) -> Verdict:
    """A DCGAN discriminator for 3x128x128 images returning (B,) logits."""
    hint_en = (
        "Five Conv2d(k=4, s=2, p=1) take 128 to 4, a last Conv2d(k=4, s=1, p=0) "
        "takes 4 to 1; BatchNorm after every conv but the first and the last."
    )
    hint_ko = (
        "Conv2d(k=4, s=2, p=1) 다섯 개가 128을 4로, 마지막 Conv2d(k=4, s=1, p=0)가 "
        "4를 1로 줄입니다. 배치 정규화는 첫 층과 마지막 층을 뺀 "
        "모든 합성곱 뒤에 둡니다."
    )
    if not isinstance(answer, nn.Module):
        return format_error("an nn.Module", "nn.Module", hint_en, hint_ko)

    def refuse(why_en, why_ko):
        return wrong(why_en, why_ko, hint_en, hint_ko)

    layers = leaves(answer)
    if any(isinstance(m, POOLING_AND_FULLY_CONNECTED) for m in layers):
        return refuse(
            "It uses pooling or a fully connected layer.",
            "풀링이나 완전 연결 층이 들어 있습니다.",
        )
    if any(isinstance(m, (nn.ReLU, nn.Sigmoid, nn.Tanh)) for m in layers):
        return refuse(
            "D uses LeakyReLU(0.2) inside and returns logits: no ReLU, Sigmoid or "
            "Tanh (the loss, BCEWithLogitsLoss, applies the sigmoid itself).",
            "판별자는 안쪽에 LeakyReLU(0.2)를 쓰고 로짓을 돌려줍니다. ReLU, "
            "Sigmoid, Tanh는 쓰지 않습니다(BCEWithLogitsLoss가 시그모이드를 "
            "직접 적용합니다).",
        )
    convs = [i for i, m in enumerate(layers) if isinstance(m, nn.Conv2d)]
    if not convs:
        return refuse("It has no Conv2d.", "Conv2d가 없습니다.")
    up_to_second = layers[: convs[1] if len(convs) > 1 else None]
    if any(isinstance(m, nn.BatchNorm2d) for m in up_to_second):
        return refuse(
            "BatchNorm before or right after D's input layer: the paper leaves it "
            "out there.",
            "판별자의 입력 층 앞이나 바로 뒤에 배치 정규화가 있습니다. 논문은 그 "
            "자리에 배치 정규화를 두지 않습니다.",
        )
    for number, (start, end) in enumerate(zip(convs, convs[1:]), start=1):
        between = layers[start + 1 : end]
        if not any(
            isinstance(m, nn.LeakyReLU) and abs(m.negative_slope - 0.2) < 1e-9
            for m in between
        ):
            return refuse(
                f"Convolution {number} is not followed by LeakyReLU(0.2).",
                f"{number}번째 합성곱 뒤에 LeakyReLU(0.2)가 없습니다.",
            )
        if number > 1 and not any(isinstance(m, nn.BatchNorm2d) for m in between):
            return refuse(
                f"Convolution {number} is not followed by BatchNorm2d: only D's "
                "input and logit layers go without (guideline 2).",
                f"{number}번째 합성곱 뒤에 BatchNorm2d가 없습니다. 판별자의 입력 "
                "층과 로짓 층만 배치 정규화 없이 둡니다(지침 2).",
            )
    if any(isinstance(m, (nn.BatchNorm2d, nn.LeakyReLU)) for m in layers[convs[-1] :]):
        return refuse(
            "The last convolution makes the logit: no BatchNorm or LeakyReLU after it.",
            "마지막 합성곱이 로짓을 만듭니다. 그 뒤에는 배치 정규화도 "
            "LeakyReLU도 두지 않습니다.",
        )
    out, error, calls = forward_sizes(answer, torch.randn(2, 3, 128, 128), nn.Conv2d)
    if error is not None:
        return refuse(
            f"It fails on a (2, 3, 128, 128) batch: {error}",
            "(2, 3, 128, 128) 배치에서 실행이 실패합니다.",
        )
    if tuple(out.shape) != (2,):
        return refuse(
            f"It returns shape {tuple(out.shape)}, not (2,).",
            f"출력 모양이 {tuple(out.shape)}입니다 ((2,)가 아님).",
        )
    if not calls:
        return refuse(
            "None of its Conv2d layers runs in forward.",
            "forward에서 실행되는 Conv2d가 없습니다.",
        )
    for number, (layer, size_in, size_out) in enumerate(calls[:-1], start=1):
        halves = tuple(2 * n for n in size_out) == size_in and layer.stride == (2, 2)
        keeps = size_out == size_in and layer.stride == (1, 1)
        if not (halves or keeps):
            return refuse(
                f"Convolution {number} takes {size_in} to {size_out} with stride "
                f"{layer.stride}: each one before the last halves the size with "
                "stride 2 (guideline 1).",
                f"{number}번째 합성곱이 {size_in}을 스트라이드 {layer.stride}로 "
                f"{size_out}로 만듭니다. 마지막 전까지는 스트라이드 2로 크기를 "
                "절반씩 줄입니다(지침 1).",
            )
    _, size_in, size_out = calls[-1]
    if size_out != (1, 1) or max(size_in) > 4:
        return refuse(
            f"The last convolution takes {size_in} to {size_out}: strided "
            "convolutions shrink 128 to 4, and only then one takes 4x4 to the logit.",
            f"마지막 합성곱이 {size_in}을 {size_out}로 만듭니다. 스트라이드 합성곱이 "
            "128을 4로 줄인 다음에야 한 층이 4x4를 로짓으로 바꿉니다.",
        )
    return right()


def _check_03_6(answer) -> Verdict:
    """(padding, output_padding) that make ConvTranspose2d(k=5, s=2) double any size,
    as Keras's Conv2DTranspose(5, strides=2, padding="same") does."""
    hint_en = (
        "(n - 1) * 2 - 2p + 5 + output_padding = 2n for every n, so "
        "2p - output_padding = 3; output_padding must be smaller than the stride."
    )
    hint_ko = (
        "모든 n에서 (n - 1) * 2 - 2p + 5 + output_padding = 2n 이어야 하므로 "
        "2p - output_padding = 3 입니다. output_padding은 스트라이드보다 작아야 합니다."
    )
    values = as_ints(answer, 2)
    if values is None:
        return format_error(
            "a tuple of two ints (padding, output_padding)",
            "(padding, output_padding) 두 정수의 튜플",
            hint_en,
            hint_ko,
        )
    padding, output_padding = values
    for n in (7, 14, 4, 1):
        try:
            out = conv_transpose2d_out(n, 5, 2, padding, output_padding)
            layer = nn.ConvTranspose2d(1, 1, 5, 2, padding, output_padding)
            real = layer(torch.zeros(1, 1, n, n)).shape[-1]
        except (ValueError, RuntimeError) as error:
            return wrong(
                f"PyTorch rejects it on a {n}x{n} input: {error}",
                f"{n}x{n} 입력에서 PyTorch가 거부하는 설정입니다.",
                hint_en,
                hint_ko,
            )
        if out != 2 * n or real != 2 * n:
            return wrong(
                f"That takes {n}x{n} to {real}x{real}, not {2 * n}x{2 * n}.",
                f"그 설정에서는 {n}x{n} 입력이 {real}x{real} 크기로 나옵니다"
                f"(목표: {2 * n}x{2 * n}).",
                hint_en,
                hint_ko,
            )
    return right(
        "padding = ceil((k - s) / 2) = 2 and output_padding = (k - s) mod 2 = 1 "
        "(section 2.6).",
        "padding = ceil((k - s) / 2) = 2, output_padding = (k - s) mod 2 = 1 "
        "입니다(2.6절).",
    )


CHECKS = {
    "03.1": _check_03_1,
    "03.2": _check_03_2,
    "03.3": _check_03_3,
    "03.4": _check_03_4,
    "03.5": _check_03_5,
    "03.6": _check_03_6,
}
