"""Auto-checks of chapter 06's exercises (training a DCGAN).

Serves notebooks/{ko,en}/06_*.ipynb through dcgan_lib.exercises.check("06.k", ...).
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from ..steps import d_step
from .verdicts import (
    Verdict,
    as_ints,
    call_failed,
    close_float,
    format_error,
    right,
    wrong,
)


def _check_06_1(answer) -> Verdict:
    """The byte 200 after ToTensor() and Normalize((0.5,), (0.5,))."""
    return close_float(
        answer,
        200 / 127.5 - 1,
        (
            "Divide by 255, then subtract 0.5 and divide by 0.5: p / 127.5 - 1.",
            "255로 나눈 뒤 0.5를 빼고 0.5로 나눕니다: p / 127.5 - 1.",
        ),
        traps=(
            (
                200 / 255,
                "that is ToTensor() alone; Normalize comes next.",
                "ToTensor()까지만 한 값입니다. Normalize가 남았습니다.",
            ),
            (
                200 / 127.5,
                "the - 1 is missing.",
                "- 1이 빠졌습니다.",
            ),
            (
                200 / 255 - 0.5,
                "Normalize also divides by 0.5.",
                "Normalize는 0.5로 나누기도 합니다.",
            ),
        ),
    )


def _check_06_2(answer) -> Verdict:
    """BCEWithLogitsLoss of the logit 2 with the fake label 0."""
    return close_float(
        answer,
        math.log1p(math.exp(2)),
        (
            "A fake has label 0: the loss is -log(1 - sigmoid(s)) = log(1 + e^s).",
            "가짜의 레이블은 0입니다. "
            "손실은 -log(1 - sigmoid(s)) = log(1 + e^s)입니다.",
        ),
        traps=(
            (
                math.log1p(math.exp(-2)),
                "that is the loss with the real label 1.",
                "진짜 레이블 1을 붙였을 때의 손실입니다.",
            ),
            (
                1 / (1 + math.exp(-2)),
                "that is sigmoid(2), a probability, not a loss.",
                "sigmoid(2), 곧 확률이지 손실이 아닙니다.",
            ),
            (
                -math.log1p(math.exp(2)),
                "a loss of BCE is never negative: check the sign.",
                "BCE 손실은 음수가 될 수 없습니다. 부호를 확인하세요.",
            ),
        ),
    )


def _check_06_3(answer) -> Verdict:
    """D's optimizer steps in 10 epochs of 5,000 images with batch size 64."""
    hints = (
        "An epoch has 5000 // 64 full batches; dl.train drops the partial one.",
        "한 에포크에는 꽉 찬 배치가 5000 // 64개 있고, "
        "dl.train은 모자란 배치를 버립니다.",
    )
    values = as_ints(answer, 1)
    if values is None:
        return format_error("one integer", "정수 하나", *hints)
    (value,) = values
    if value == 10 * (5000 // 64):
        return right(
            "One step of D (and one of G) per batch: 78 per epoch.",
            "배치마다 D가 한 번(G도 한 번) 갱신됩니다. 에포크마다 78번입니다.",
        )
    if value == 10 * math.ceil(5000 / 64):
        why = (
            "that counts the last, partial batch of each epoch.",
            "에포크마다 마지막의 모자란 배치까지 센 값입니다.",
        )
    elif value == 5000 * 10 // 64:
        why = (
            "every epoch drops its own partial batch; they do not add up.",
            "에포크마다 모자란 배치를 따로 버립니다. 모아서 쓰지 않습니다.",
        )
    else:
        why = ("is not it.", "답이 아닙니다.")
    return wrong(f"{value}: {why[0]}", f"{value}: {why[1]}", *hints)


def _tiny_dcgan():
    """A 16x16 DCGAN small enough to train in a check, built from a fixed seed."""
    from ..models import Discriminator, Generator, weights_init

    G = Generator(nz=8, ngf=4, nc=1, image_size=16)
    D = Discriminator(nc=1, ndf=4, image_size=16)
    G.apply(weights_init)
    D.apply(weights_init)
    return G, D


def _run_d_steps(step, G, D, batches):
    """Run ``step(D, opt_d, real, G(z))`` once per ``(real, z)`` in ``batches``,
    with one Adam as in the chapter, D holding stale gradients before each step.

    Several steps, because Adam's first step is lr * sign(gradient): one step
    alone cannot tell BCE from another loss whose gradients share its signs.
    Returns: the error it raised, or None.
    """
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for real, z in batches:
        for p in D.parameters():  # left over from a G step, as in a training loop
            p.grad = torch.ones_like(p)
        try:
            step(D, opt_d, real, G(z))
        except Exception as error:  # noqa: BLE001 - the student's to see
            return error
    return None


def _same_state(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    if sa.keys() != sb.keys():
        return False
    for key in sa:
        x, y = sa[key], sb[key]
        if x.is_floating_point():
            if not torch.allclose(x, y, rtol=0, atol=1e-6):
                return False
        elif not torch.equal(x, y):
            return False
    return True


_D_STEPS = 3


def _check_06_4(answer) -> Verdict:
    """A function doing one update of D; compared with dl.d_step."""
    hints = (
        "opt_d.zero_grad(); BCE with logits: label 1 on D(real), label 0 on "
        "D(fake.detach()); backward(); opt_d.step().",
        "opt_d.zero_grad(), 로짓을 받는 BCE: D(real)에는 레이블 1, "
        "D(fake.detach())에는 레이블 0, backward(), opt_d.step().",
    )
    if not callable(answer) or isinstance(answer, nn.Module):
        return format_error(
            "a function d_step(D, opt_d, real, fake)",
            "함수 d_step(D, opt_d, real, fake)",
            *hints,
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(6)
        G, D = _tiny_dcgan()
        batches = [
            (torch.rand(8, 1, 16, 16) * 2 - 1, torch.randn(8, 8, 1, 1))
            for _ in range(_D_STEPS)
        ]
        G_student, D_student = copy.deepcopy(G), copy.deepcopy(D)
        error = _run_d_steps(answer, G_student, D_student, batches)
        if error is None:
            _run_d_steps(d_step, G, D, batches)
    if error is not None:
        return call_failed(error, *hints)
    leaked = [p.grad for p in G_student.parameters() if p.grad is not None]
    if any(grad.abs().sum() > 0 for grad in leaked):
        return wrong(
            "G's parameters received gradients: D's step must not reach G.",
            "G의 매개변수가 기울기를 받았습니다. D의 단계는 G까지 가면 안 됩니다.",
            "Pass fake.detach() to D.",
            "D에 fake.detach()를 넘기세요.",
        )
    _, D_start = _tiny_dcgan_start()
    if _same_state(D_student, D_start):
        return wrong(
            "D's weights did not change.",
            "D의 가중치가 바뀌지 않았습니다.",
            *hints,
        )
    if not _same_state(D_student, D):
        return wrong(
            f"D's weights after {_D_STEPS} of your steps differ from those after "
            f"{_D_STEPS} of dl.d_step: is the loss BCE on the logits?",
            f"이 함수로 {_D_STEPS}번 갱신한 D의 가중치가 dl.d_step으로 "
            f"{_D_STEPS}번 갱신한 것과 다릅니다. 손실이 로짓에 대한 BCE인가요?",
            *hints,
        )
    return right()


def _tiny_dcgan_start():
    """The networks of exercise 06.4 before any step (same seed)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(6)
        return _tiny_dcgan()


_SETTINGS = {"lr": "lr 1e-3", "beta1": "β1 0.9", "no_bn": "no BN"}
# The order of section 6.1: sorted by the MD5 of each setting's name there.
_MYSTERY = {"A": "no_bn", "B": "lr", "C": "beta1"}


def _setting(name):
    """Which failure setting a name means ("lr 1e-3", "β1 0.9", "no BN", ...)."""
    if not isinstance(name, str):
        return None
    text = name.lower()
    found = set()
    if any(word in text for word in ("β", "beta", "momentum", "모멘텀")):
        found.add("beta1")
    if any(word in text for word in ("bn", "batch", "norm", "배치", "정규화")):
        found.add("no_bn")
    if any(word in text for word in ("lr", "learning", "학습률", "1e-3", "0.001")):
        found.add("lr")
    return found.pop() if len(found) == 1 else None


def _check_06_5(answer) -> Verdict:
    """Runs A, B, C of section 6.1 mapped to the failure settings."""
    hints = (
        "Where does D(G(z)) go, and how do the losses move: a D that wins "
        "outright, a game stuck near one half, or a close, noisy game? Match each "
        "with a run of section 6's gallery.",
        "D(G(z))는 어디로 가고 손실은 어떻게 움직이나요? 완승하는 D, 절반 근처에 "
        "갇힌 게임, 팽팽하고 시끄러운 게임 가운데 어느 것인지 보고, 6절의 실행과 "
        "짝지어 보세요.",
    )
    form = (
        'a dict like {"A": "lr 1e-3", "B": "β1 0.9", "C": "no BN"}',
        'dict {"A": "lr 1e-3", "B": "β1 0.9", "C": "no BN"} 같은',
    )
    if isinstance(answer, dict):
        keys = {str(k).upper(): v for k, v in answer.items()}
        if set(keys) != {"A", "B", "C"}:
            return format_error(*form, *hints)
        values = [keys[letter] for letter in "ABC"]
    elif isinstance(answer, (tuple, list)) and len(answer) == 3:
        values = list(answer)
    else:
        return format_error(*form, *hints)
    given = [_setting(v) for v in values]
    if None in given or len(set(given)) != 3:
        names = ", ".join(f'"{v}"' for v in _SETTINGS.values())
        return wrong(
            f"Use each of the three settings once: {names}.",
            f"세 설정을 한 번씩 쓰세요: {names}.",
            *hints,
        )
    mistaken = [
        letter for letter, setting in zip("ABC", given) if setting != _MYSTERY[letter]
    ]
    if mistaken:
        return wrong(
            f"Not right for: {', '.join(mistaken)}.",
            f"틀린 것: {', '.join(mistaken)}.",
            *hints,
        )
    return right()


def _check_06_6(answer) -> Verdict:
    """The class entropy of 500 ones and 500 sevens."""
    return close_float(
        answer,
        math.log(2),
        (
            "H = -sum of q_k ln q_k over the classes that occur, with q = 0.5, 0.5.",
            "H = -(나오는 클래스의 q_k ln q_k의 합), 여기서 q = 0.5, 0.5입니다.",
        ),
        traps=(
            (
                1.0,
                "that is in bits (log base 2); the book uses the natural log.",
                "비트 단위(밑이 2인 로그)입니다. 책은 자연로그를 씁니다.",
            ),
            (
                math.log(10),
                "that is ln 10, for ten equally frequent classes.",
                "그것은 열 클래스가 똑같이 나올 때의 ln 10입니다.",
            ),
            (
                0.5 * math.log(2),
                "both classes contribute: -0.5 ln 0.5 each.",
                "두 클래스가 각각 -0.5 ln 0.5씩 더합니다.",
            ),
        ),
    )


CHECKS = {
    "06.1": _check_06_1,
    "06.2": _check_06_2,
    "06.3": _check_06_3,
    "06.4": _check_06_4,
    "06.5": _check_06_5,
    "06.6": _check_06_6,
}
