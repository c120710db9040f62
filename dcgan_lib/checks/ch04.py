"""Auto-checks of chapter 04's exercises (batch normalization).

Serves notebooks/{ko,en}/04_*.ipynb through dcgan_lib.exercises.check("04.k", ...).
"""

from __future__ import annotations

from .verdicts import (
    Verdict,
    as_floats,
    as_integer,
    as_ints,
    exact_ints,
    format_error,
    right,
    wrong,
)


def _close(answer, expected: tuple, tol: float, form, hints, traps=(), note=("", "")):
    """A Verdict for one or more floats that must be within ``tol`` of ``expected``.

    ``traps``: (value tuple, English, Korean) for common wrong answers, each
    explained when the answer lands on it.
    """
    values = as_floats(answer, len(expected))
    if values is None:
        return format_error(*form, *hints)
    if all(abs(v - e) <= tol for v, e in zip(values, expected)):
        return right(*note)
    shown = values[0] if len(values) == 1 else values
    for trap, why_en, why_ko in traps:
        if all(abs(v - t) <= tol for v, t in zip(values, trap)):
            return wrong(f"{shown}: {why_en}", f"{shown}: {why_ko}", *hints)
    return wrong(f"{shown} is not it.", f"{shown}은(는) 답이 아닙니다.", *hints)


def _check_04_1(answer) -> Verdict:
    """Batch norm of the element 6.0 in the channel [1, 2, 3, 6], gamma 1, beta 0."""
    return _close(
        answer,
        (3 / 3.5**0.5,),
        1e-3,
        ("one float", "실수 하나"),
        (
            "Mean 3; variance = mean of squared deviations, divided by m = 4.",
            "평균은 3, 분산은 편차 제곱의 평균입니다 (m = 4로 나눔).",
        ),
        traps=(
            (
                (3 / (14 / 3) ** 0.5,),
                "that uses the unbiased variance (m - 1).",
                "불편 분산(m - 1로 나눔)을 썼습니다.",
            ),
            (
                (3 / 3.5,),
                "that divides by the variance, not the standard deviation.",
                "표준편차가 아니라 분산으로 나눴습니다.",
            ),
        ),
    )


def _check_04_2(answer) -> Verdict:
    """Running (mean, var) of a fresh BatchNorm after one batch [1, 2, 3, 6]."""
    return _close(
        answer,
        (0.3, 0.9 + 0.1 * 14 / 3),
        1e-3,
        (
            "a tuple of two floats (running_mean, running_var); BatchNorm's buffers "
            "are 1-element tensors: take .item() of each",
            "(running_mean, running_var) 두 실수의 튜플(BatchNorm의 버퍼는 원소가 "
            "하나인 텐서이니 각각 .item()을 쓰세요)",
        ),
        (
            "running = 0.9 * running + 0.1 * batch; the variance fed in is unbiased.",
            "running = 0.9 * running + 0.1 * batch, 넣는 분산은 불편 분산입니다.",
        ),
        traps=(
            (
                (0.3, 0.9 + 0.1 * 3.5),
                "the running variance gets the unbiased batch variance (m - 1).",
                "이동 분산에는 불편 분산(m - 1로 나눔)이 들어갑니다.",
            ),
            (
                (2.7, 0.1 + 0.9 * 14 / 3),
                "that is Keras's convention; PyTorch weighs the new batch by 0.1.",
                "Keras의 방식입니다. PyTorch는 새 배치에 0.1의 비중을 둡니다.",
            ),
        ),
    )


def _check_04_3(answer) -> Verdict:
    """Learnable parameters of nn.BatchNorm2d(128)."""
    hints = (
        "One gamma and one beta per channel; running statistics are buffers.",
        "채널마다 gamma 하나, beta 하나입니다. 이동 통계는 버퍼입니다.",
    )
    if as_ints(answer, 1) == (4 * 128,) or as_ints(answer, 1) == (4 * 128 + 1,):
        return wrong(
            "running_mean and running_var are buffers: not learned.",
            "running_mean과 running_var는 버퍼라서 학습되지 않습니다.",
            *hints,
        )
    return exact_ints(answer, (2 * 128,), ("one int", "정수 하나"), hints)


def _check_04_4(answer) -> Verdict:
    """Convolutions of the 64x64 DCGAN not followed by batch normalization."""
    hint_en = (
        "The paper exempts G's output layer and D's input layer; D's last "
        "convolution makes the logit and is not normalized either."
    )
    hint_ko = (
        "논문은 생성자의 출력 층과 판별자의 입력 층을 뺍니다. 판별자의 마지막 "
        "합성곱은 로짓을 만드는 층이라 역시 정규화하지 않습니다."
    )
    form = (
        'a dict {"G": [...], "D": [...]} of layer numbers 1-5',
        '층 번호(1-5)를 담은 {"G": [...], "D": [...]} 딕셔너리',
    )
    if not isinstance(answer, dict) or set(answer) != {"G", "D"}:
        return format_error(*form, hint_en, hint_ko)
    chosen = {}
    for net, layers in answer.items():
        if as_integer(layers) is not None:
            layers = [layers]
        if not isinstance(layers, (list, tuple, set, frozenset)):
            return format_error(*form, hint_en, hint_ko)
        numbers = [as_integer(i) for i in layers]
        if None in numbers:
            return format_error(*form, hint_en, hint_ko)
        chosen[net] = set(numbers)
    if chosen["G"] != {5}:
        return wrong(
            f"G: {sorted(chosen['G'])} is not it.",
            f"생성자: {sorted(chosen['G'])}은(는) 답이 아닙니다.",
            hint_en,
            hint_ko,
        )
    if chosen["D"] == {1}:
        return wrong(
            "D's last layer (the logit) has no batch normalization either.",
            "판별자의 마지막 층(로짓)에도 배치 정규화가 없습니다.",
            hint_en,
            hint_ko,
        )
    if chosen["D"] != {1, 5}:
        return wrong(
            f"D: {sorted(chosen['D'])} is not it.",
            f"판별자: {sorted(chosen['D'])}은(는) 답이 아닙니다.",
            hint_en,
            hint_ko,
        )
    return right(
        "Normalizing a batch of logits would pin their mean for real and fake alike.",
        "로짓 배치를 정규화하면 진짜든 가짜든 평균이 고정되어 버립니다.",
    )


def _check_04_5(answer) -> Verdict:
    """Eval-mode output for x = 1.5; running mean 0.5, var 4, gamma 2, beta 1."""
    return _close(
        answer,
        (2.0,),
        1e-6,
        ("one float", "실수 하나"),
        (
            "Eval mode: gamma * (x - running_mean) / sqrt(running_var) + beta.",
            "평가 모드: gamma * (x - running_mean) / sqrt(running_var) + beta.",
        ),
        traps=(
            (
                (1.5,),
                "that divides by the variance, not its square root (or forgets "
                "gamma: both give 1.5).",
                "분산의 제곱근이 아니라 분산으로 나눴거나 gamma를 빠뜨렸습니다(둘 다 "
                "1.5가 됩니다).",
            ),
        ),
    )


def _check_04_6(answer) -> Verdict:
    """PyTorch momentum equal to Keras's BatchNormalization(momentum=0.99)."""
    return _close(
        answer,
        (0.01,),
        1e-6,  # 1 - torch.tensor(0.99) is 0.00999999 in float32
        ("one float", "실수 하나"),
        (
            "Keras: 0.99 * old + 0.01 * batch. PyTorch: (1 - m) * old + m * batch.",
            "Keras: 0.99 * 옛 값 + 0.01 * 배치. PyTorch: (1 - m) * 옛 값 + m * 배치.",
        ),
        traps=(
            (
                (0.99,),
                "the same number means the opposite weight in PyTorch.",
                "같은 숫자가 PyTorch에서는 반대쪽 비중을 뜻합니다.",
            ),
        ),
    )


CHECKS = {
    "04.1": _check_04_1,
    "04.2": _check_04_2,
    "04.3": _check_04_3,
    "04.4": _check_04_4,
    "04.5": _check_04_5,
    "04.6": _check_04_6,
}
