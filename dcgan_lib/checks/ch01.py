"""Auto-checks of chapter 01's exercises (GAN theory).

Serves notebooks/{ko,en}/01_*.ipynb through dcgan_lib.exercises.check("01.k", ...).
"""

from __future__ import annotations

import math

from .verdicts import (
    Verdict,
    close_float,
)

_LOG_2 = math.log(2)
_LOG_4 = math.log(4)


def _check_01_1(answer) -> Verdict:
    """D*(x) when p_data(x) = 0.3 and p_g(x) = 0.1."""
    return close_float(
        answer,
        0.3 / (0.3 + 0.1),
        (
            "D*(x) = p_data(x) / (p_data(x) + p_g(x)): the data's share of density.",
            "D*(x) = p_data(x) / (p_data(x) + p_g(x)): 밀도 중 데이터의 몫입니다.",
        ),
        traps=[
            (
                0.1 / 0.4,
                "that is p_g's share, 1 - D*.",
                "그것은 p_g의 몫, 1 - D*입니다.",
            ),
            (
                3.0,
                "that is p_data / p_g, not a probability.",
                "그것은 p_data / p_g로, 확률이 아닙니다.",
            ),
        ],
        note=(
            "Three quarters of the density at x belongs to the data.",
            "x에서의 밀도 가운데 4분의 3이 데이터의 몫입니다.",
        ),
    )


def _check_01_2(answer) -> Verdict:
    """V(D*, G) when p_g = p_data."""
    return close_float(
        answer,
        -_LOG_4,
        (
            "With p_g = p_data, D* = 1/2 everywhere; put it into both terms of V.",
            "p_g = p_data이면 어디서나 D* = 1/2입니다. V의 두 항에 넣어 보세요.",
        ),
        traps=[
            (
                _LOG_4,
                "mind the sign: V is a sum of logs of probabilities, <= 0.",
                "부호를 보세요. V는 확률의 로그의 합이라 0 이하입니다.",
            ),
            (
                -_LOG_2,
                "that is one term only; V has two.",
                "그것은 한 항뿐입니다. V에는 항이 두 개 있습니다.",
            ),
            (0.5, "that is D*, not V.", "그것은 V가 아니라 D*입니다."),
            (
                0.0,
                "V = 0 needs a perfect D, impossible when p_g = p_data.",
                "V = 0이려면 완벽한 D가 필요한데, p_g = p_data이면 불가능합니다.",
            ),
        ],
        note=(
            "-log 4 ≈ -1.386, the global minimum of C(G).",
            "-log 4 ≈ -1.386, C(G)의 전역 최솟값입니다.",
        ),
    )


def _check_01_3(answer) -> Verdict:
    """d(-log D(G(z))) / d(logit) at D(G(z)) = 0.1."""
    return close_float(
        answer,
        -(1 - 0.1),
        (
            "With s = sigmoid(logit): d(-log s)/d(logit) = -(1/s) s(1 - s) = -(1 - s).",
            "s = sigmoid(로짓)이면 d(-log s)/d(로짓) = -(1/s) s(1 - s) = -(1 - s).",
        ),
        traps=[
            (
                0.9,
                "right size, wrong sign: the loss falls as the logit grows.",
                "크기는 맞지만 부호가 틀렸습니다. 로짓이 커지면 손실은 줄어듭니다.",
            ),
            (
                -0.1,
                "that is the saturating loss's gradient, -s.",
                "그것은 포화 손실의 기울기 -s입니다.",
            ),
            (
                -10.0,
                "that is the derivative with respect to s = D(G(z)), not the logit.",
                "그것은 로짓이 아니라 s = D(G(z))에 대한 미분입니다.",
            ),
        ],
    )


def _check_01_4(answer) -> Verdict:
    """|d(-log s)/d logit| / |d log(1 - s)/d logit| at s = D(G(z)) = 0.01."""
    return close_float(
        answer,
        (1 - 0.01) / 0.01,
        (
            "With respect to the logit the gradients are -(1 - s) and -s.",
            "로짓에 대한 기울기는 각각 -(1 - s)와 -s입니다.",
        ),
        traps=[
            (
                0.01 / 0.99,
                "upside down: the non-saturating gradient is the larger one.",
                "거꾸로입니다. 비포화 손실의 기울기가 더 큽니다.",
            ),
            (
                100.0,
                "close: that is 1/s; the non-saturating gradient is 1 - s, not 1.",
                "거의 맞습니다. 그것은 1/s입니다. 비포화 기울기는 1이 아니라 1 - s.",
            ),
        ],
        note=(
            "The saturating gradient has all but vanished.",
            "포화 손실의 기울기는 거의 사라졌습니다.",
        ),
    )


def _check_01_5(answer) -> Verdict:
    """JSD(p_data || p_g) in nats when the two distributions do not overlap."""
    return close_float(
        answer,
        _LOG_2,
        (
            "scipy's jensenshannon returns sqrt(JSD), in nats unless given base; "
            "for disjoint distributions D* is 1 or 0 and C(G) = 0.",
            "scipy의 jensenshannon은 sqrt(JSD)를 주고, base가 없으면 자연로그를 "
            "씁니다. 겹치지 않는 분포라면 D*는 1 또는 0이고 C(G) = 0입니다.",
        ),
        traps=[
            (
                _LOG_2**0.5,
                "that is jensenshannon's output, sqrt(JSD); square it.",
                "그것은 jensenshannon의 출력 sqrt(JSD)입니다. 제곱하세요.",
            ),
            (
                1.0,
                "that is the JSD in bits (base 2); the question asks for nats.",
                "그것은 비트 단위(밑 2)의 JSD입니다. nat 단위로 답하세요.",
            ),
        ],
        note=(
            "log 2 is the largest JSD there is; C(G) = -log 4 + 2 log 2 = 0.",
            "log 2가 JSD의 최댓값이고, C(G) = -log 4 + 2 log 2 = 0입니다.",
        ),
    )


CHECKS = {
    "01.1": _check_01_1,
    "01.2": _check_01_2,
    "01.3": _check_01_3,
    "01.4": _check_01_4,
    "01.5": _check_01_5,
}
