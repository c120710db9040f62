"""What a check answers, and the small helpers every chapter's checks share.

Serves dcgan_lib.exercises and the checks of each chapter (dcgan_lib/checks/chNN.py):
the helpers are public here, so the chapters' modules import nothing private.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

__all__ = [
    "Verdict",
    "right",
    "wrong",
    "format_error",
    "call_failed",
    "as_number",
    "as_integer",
    "as_ints",
    "as_floats",
    "exact_ints",
    "close_float",
    "call_safely",
    "POOLING_AND_FULLY_CONNECTED",
    "leaves",
    "forward_safely",
    "forward_sizes",
]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``ok`` is True, False, or None (not answered yet)."""

    ok: bool | None
    message: str


def right(note_en: str = "", note_ko: str = "") -> Verdict:
    """The Verdict for a right answer, with a note in both languages if given."""
    text = "✅ 정답입니다! / Correct!"
    if note_ko or note_en:
        text += f"\n   {note_ko}\n   {note_en}"
    return Verdict(True, text)


def wrong(why_en: str, why_ko: str, hint_en: str, hint_ko: str) -> Verdict:
    """The Verdict for a wrong answer: what is wrong with it, and a hint."""
    return Verdict(
        False,
        f"❌ 아직 아닙니다 / Not yet.\n   {why_ko}\n   {why_en}\n"
        f"   힌트: {hint_ko}\n   Hint: {hint_en}",
    )


def as_number(answer):
    """``answer`` as a Python int or float if it is one finite real number, else None.

    Accepts int, float, numpy scalars (np.int64, np.float32, ...), 0-d numpy arrays
    and 0-d torch tensors; rejects bools, strings, complex numbers, nan, inf and
    containers (a tuple, list, array or tensor holding one number included).
    Integer types stay ints; everything else becomes a float.
    """
    if isinstance(answer, torch.Tensor):
        if answer.dim() != 0 or answer.dtype == torch.bool or answer.is_complex():
            return None
        answer = answer.item()
    elif isinstance(answer, (np.ndarray, np.generic)):
        if answer.ndim != 0 or answer.dtype.kind not in "iuf":
            return None
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return None
    if isinstance(answer, float) and not math.isfinite(answer):
        return None
    return answer


def as_integer(answer):
    """``answer`` as an int if it is one whole number (12, np.int64(12), 12.0,
    torch.tensor(12)), else None: 12.5 is no answer to "how many"."""
    value = as_number(answer)
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value


def as_ints(answer, count: int):
    """``answer`` as a tuple of ``count`` ints, or None if it is not one.

    One int is the number itself, not a tuple or list holding it."""
    values = (answer,) if count == 1 else answer
    if not isinstance(values, (tuple, list)) or len(values) != count:
        return None
    values = tuple(as_integer(v) for v in values)
    return None if None in values else values


def as_floats(answer, count: int):
    """``answer`` as a tuple of ``count`` floats, or None if it is not one (like
    ``as_ints``, one float is the number itself)."""
    values = (answer,) if count == 1 else answer
    if not isinstance(values, (tuple, list)) or len(values) != count:
        return None
    values = tuple(as_number(v) for v in values)
    return None if None in values else tuple(float(v) for v in values)


def call_safely(function, *args):
    """``function(*args)`` as a float64 tensor and None, or None and the error if the
    call (or the conversion) fails: a check calling a student's function."""
    try:
        with torch.no_grad():
            return torch.as_tensor(function(*args), dtype=torch.float64), None
    except Exception as error:  # noqa: BLE001 - any failure is the student's to see
        return None, error


def call_failed(error, hint_en: str, hint_ko: str) -> Verdict:
    """The Verdict for a student's function that raised ``error``."""
    return wrong(
        f"Calling it fails: {type(error).__name__}: {error}",
        f"호출하면 실패합니다: {type(error).__name__}: {error}",
        hint_en,
        hint_ko,
    )


def format_error(what_en: str, what_ko: str, hint_en: str, hint_ko: str) -> Verdict:
    """The Verdict for an answer of the wrong form: ``what_en`` names the form."""
    return wrong(
        f"Expected {what_en}.", f"{what_ko} 형태로 답하세요.", hint_en, hint_ko
    )


def exact_ints(answer, expected: tuple, form: tuple, hints: tuple, note=("", "")):
    """A Verdict for an answer that must be exactly ``expected``, one or more ints.

    ``form`` and ``hints`` are (English, Korean) pairs; ``note`` is said when right.
    """
    values = as_ints(answer, len(expected))
    if values is None:
        return format_error(*form, *hints)
    if values != expected:
        shown = values[0] if len(values) == 1 else values
        return wrong(f"{shown} is not it.", f"{shown}은(는) 답이 아닙니다.", *hints)
    return right(*note)


def close_float(answer, expected, hints, traps=(), tol=1e-3, note=("", "")):
    """A Verdict for one real number that must be within ``tol`` of ``expected``.

    ``hints`` and ``note`` are (English, Korean) pairs. ``traps`` lists common wrong
    answers as (value, why_en, why_ko): an answer close to one gets its explanation.
    """
    value = as_number(answer)
    if value is None:
        return format_error("one number (a float)", "숫자(실수) 하나", *hints)
    if abs(value - expected) <= tol:
        return right(*note)
    for trap, why_en, why_ko in traps:
        if abs(value - trap) <= tol:
            return wrong(f"{value:.4g}: {why_en}", f"{value:.4g}: {why_ko}", *hints)
    return wrong(f"{value:.4g} is not it.", f"{value:.4g}은(는) 답이 아닙니다.", *hints)


# Layers a DCGAN must not use: the guidelines replace them by (transposed) convolutions.
POOLING_AND_FULLY_CONNECTED = (
    nn.MaxPool2d,
    nn.AvgPool2d,
    nn.AdaptiveAvgPool2d,
    nn.AdaptiveMaxPool2d,
    nn.Upsample,
    nn.Linear,
)


def leaves(model: nn.Module) -> list:
    """The modules of ``model`` that hold no other modules, in order."""
    return [m for m in model.modules() if next(m.children(), None) is None]


def forward_safely(model: nn.Module, batch: torch.Tensor):
    """``model(batch)`` in eval mode without gradients; its train/eval flag is
    restored. Returns: ``(output, None)``, or ``(None, error)`` if it fails."""
    training = model.training
    try:
        model.eval()
        with torch.no_grad():
            return model(batch), None
    except Exception as error:  # noqa: BLE001 - any failure is the student's to see
        return None, error
    finally:
        model.train(training)


def forward_sizes(model: nn.Module, batch: torch.Tensor, kind: type):
    """Run ``model(batch)`` like ``forward_safely`` and record every call of a ``kind``
    layer (nn.Conv2d, nn.ConvTranspose2d) in order.

    Returns: ``(output, error, calls)``; ``calls`` holds one
    ``(layer, (h_in, w_in), (h_out, w_out))`` per call.
    """
    calls = []

    def record(layer, inputs, output):
        calls.append((layer, tuple(inputs[0].shape[-2:]), tuple(output.shape[-2:])))

    hooks = [
        m.register_forward_hook(record)
        for m in model.modules()
        if isinstance(m, kind)  # nn.ConvTranspose2d is no nn.Conv2d
    ]
    try:
        out, error = forward_safely(model, batch)
    finally:
        for hook in hooks:
            hook.remove()
    return out, error, calls
