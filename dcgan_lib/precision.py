"""Which arithmetic a training step uses: float32, or mixed precision where this
machine runs it faster. Serves chapter 06 (training on a CPU) and chapter 09.
"""

from __future__ import annotations

from contextlib import nullcontext

import torch

__all__ = [
    "PRECISIONS",
    "choose_precision",
    "autocast",
    "make_scaler",
    "cpu_has_native_bf16",
]

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def cpu_has_native_bf16() -> bool:
    """AVX-512 BF16 or AMX (whose CPUs all have AMX-BF16): bfloat16 in hardware."""
    for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        check = getattr(torch.cpu, name, None)  # private helpers; absent in old torch
        if check is not None and check():
            return True
    return False


def choose_precision(
    requested: str, device, cpu_bf16: bool | None = None
) -> tuple[str, str]:
    """Resolve ``requested`` ("auto", "fp32", "bf16" or "fp16") on ``device``.

    "auto" picks mixed precision only where it is faster:
    bf16 on CPUs with bfloat16 in hardware (AVX-512 BF16 or AMX) and on CUDA GPUs
    of compute capability 8.0 or newer (A100, RTX 30xx, L4, H100); fp16 with a
    GradScaler on older CUDA GPUs (Colab's free T4); fp32 everywhere else, MPS
    included (its autocast support differs between macOS and torch versions).
    An explicit choice is kept as it is, even where it is slow (bf16 on a CPU
    without it in hardware is emulated; fp16 on a CPU runs, slowly, as the tests
    use it).
    ``cpu_bf16``: whether the CPU computes bfloat16 in hardware; None (the
    default) asks this CPU (``cpu_has_native_bf16``); chapter 09 passes True or
    False to show what other CPUs get.
    Returns: ``(precision, reason)``, e.g. ``("fp32", "this CPU has no ...")``.
    """
    device = torch.device(device)
    if requested not in PRECISIONS:
        raise ValueError(
            f"unknown precision {requested!r}; use one of {', '.join(PRECISIONS)}"
        )
    if requested != "auto":
        return requested, "asked for explicitly"
    if device.type == "cuda":
        major, minor = torch.cuda.get_device_capability(device)
        if major >= 8:
            return "bf16", f"a CUDA GPU of compute capability {major}.{minor} (>= 8.0)"
        return "fp16", (
            f"a CUDA GPU of compute capability {major}.{minor}, without fast "
            "bfloat16: float16 with loss scaling"
        )
    if device.type == "cpu":
        if cpu_has_native_bf16() if cpu_bf16 is None else cpu_bf16:
            return (
                "bf16",
                "this CPU computes bfloat16 in hardware (AVX-512 BF16 or AMX)",
            )
        return "fp32", (
            "this CPU has no bfloat16 in hardware (no AVX-512 BF16, no AMX), "
            "where bfloat16 is emulated and slower than float32"
        )
    return "fp32", f"mixed precision is not used on {device.type!r}"


def autocast(precision: str, device):
    """The forward passes' context: autocast to bf16/fp16, or nothing for fp32.

    Convolutions and matrix products run in the low precision, everything else
    (losses, BatchNorm statistics) in float32; weights and Adam stay float32.
    """
    if precision == "fp32":
        return (
            nullcontext()
        )  # never touch autocast then: old torch rejects some devices
    if precision not in _DTYPES:
        raise ValueError(f"precision must be fp32, bf16 or fp16, got {precision!r}")
    return torch.autocast(torch.device(device).type, dtype=_DTYPES[precision])


def make_scaler(precision: str, device):
    """A GradScaler for fp16 (small gradients would underflow to 0 without one),
    None otherwise. Returns: ``torch.amp.GradScaler`` or None."""
    if precision != "fp16":
        return None
    return torch.amp.GradScaler(torch.device(device).type)
