"""Where tensors live and how runs are made repeatable.

Serves every chapter that trains (05, 06, 09): the device is chosen when asked for.
"""

from __future__ import annotations

import platform
import random
from pathlib import Path

import numpy as np
import torch

from .config import require_int

__all__ = ["get_device", "seed_everything", "describe_machine"]

_KNOWN = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def get_device(name: str = "auto") -> torch.device:
    """Return a ``torch.device``: "auto" picks cuda, then mps, then cpu.

    Asking for a device this machine lacks raises a ValueError that says so.
    Returns: ``torch.device``.
    """
    key = str(name).split(":")[0].lower()
    if key not in _KNOWN:
        raise ValueError(f"unknown device {name!r}; use one of {', '.join(_KNOWN)}")
    if key == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if key == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device 'cuda' was asked for but no CUDA GPU is visible; use 'auto' "
            "or 'cpu' (in Colab: Runtime > Change runtime type > GPU)"
        )
    if key == "mps" and not _mps_available():
        raise ValueError("device 'mps' was asked for but is not available; use 'auto'")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's generators (CPU and every GPU)."""
    seed = require_int(seed, "seed", minimum=0)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device


def describe_machine(device: str = "auto") -> str:
    """One line naming the hardware a timing came from: the GPU, or the CPU's
    model, its thread count and whether it computes bfloat16 in hardware."""
    device = get_device(device)
    if device.type == "cuda":
        return f"GPU {torch.cuda.get_device_name(device)}"
    name = platform.processor() or platform.machine() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from .precision import cpu_has_native_bf16

    bf16 = "yes" if cpu_has_native_bf16() else "no"
    where = "CPU" if device.type == "cpu" else f"{device.type}, CPU"
    threads = torch.get_num_threads()
    plural = "" if threads == 1 else "s"
    return f"{where} {name}, {threads} thread{plural}, bfloat16 in hardware: {bf16}"
