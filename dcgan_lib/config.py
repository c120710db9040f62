"""Hyperparameters of the book's DCGAN, with the paper's and the tutorial's defaults;
the checks every setting goes through (whole numbers, switches in the environment).

Serves every chapter; the values are discussed in chapter 02 (architecture) and 06.
The book's settings for each dataset (``BOOK_SETTINGS``, ``BOOK_STEPS``,
``book_config``) live with the datasets, in ``dcgan_lib.data``.
"""

from __future__ import annotations

import operator
import os
from dataclasses import dataclass

__all__ = ["Config", "fast_mode", "env_flag", "require_int", "NotAnIntError"]


class NotAnIntError(TypeError, ValueError):
    """A float, bool, str, ... where a whole number belongs. A TypeError, and also
    a ValueError: callers such as the CLI catch ValueError for every bad setting."""


def _wanted(minimum: int | None) -> str:
    if minimum is None:
        return "an int"
    if minimum == 1:
        return "a positive int"
    return "a non-negative int" if minimum == 0 else f"an int >= {minimum}"


def require_int(value, name: str, minimum: int | None = 1) -> int:
    """``value`` as a Python int if it is one whole number of at least ``minimum``
    (None: any); the check behind every count and size the library takes.

    Takes Python ints, NumPy integers (``np.int64(3)``, 0-d integer arrays) and 0-d
    integer tensors; refuses bools, floats (even 64.0), strings and containers
    with ``NotAnIntError`` (a TypeError and a ValueError), and a number below
    ``minimum`` with a ValueError; both messages start "{name} must be ...".
    Returns: the value as an ``int``.
    """
    wanted = _wanted(minimum)
    kind, dtype = type(value).__name__, str(getattr(value, "dtype", ""))
    try:
        number = operator.index(value)
        refused = isinstance(value, bool) or "bool" in dtype
        refused = refused or getattr(value, "ndim", 0) != 0  # one number, not [3]
    except TypeError:
        refused = True
    if refused:
        kind += f" of {dtype}" if dtype and dtype != kind else ""
        raise NotAnIntError(
            f"{name} must be {wanted}, got {value!r} ({kind}): pass a whole "
            "number, such as 64 or np.int64(64)"
        )
    if minimum is not None and number < minimum:
        raise ValueError(
            f"{name} must be {wanted}, got {number}: pass {minimum} or more"
        )
    return number


def env_flag(name: str) -> bool:
    """True when the environment variable ``name`` is 1, true or yes (any case,
    spaces ignored); False when it is anything else or unset. Read when called."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class Config:
    """Every hyperparameter in one place; change one with ``dataclasses.replace``."""

    image_size: int = 64  # height = width of the images, a power of two >= 16
    nc: int = 3  # image channels: 3 for RGB (CelebA), 1 for MNIST
    nz: int = 100  # length of the latent vector z (the paper's 100)
    ngf: int = 64  # G's base width: G has ngf * 8 channels at 4x4 for 64x64
    ndf: int = 64  # D's base width: D has ndf channels after its first layer
    batch_size: int = 128  # mini-batch size (the paper's 128)
    lr: float = 2e-4  # Adam learning rate (the paper's 0.0002, not 0.00002)
    beta1: float = 0.5  # Adam beta1 (the paper's 0.5; Adam's default 0.9 oscillates)
    beta2: float = 0.999  # Adam beta2 (Adam's default)
    leaky_slope: float = 0.2  # negative slope of D's LeakyReLU (the paper's 0.2)
    init_std: float = 0.02  # standard deviation (not variance) of N(0, 0.02) init
    seed: int = 999  # seed used by seed_everything (the PyTorch tutorial's 999)
    ema_decay: float = 0.0  # 0: off, as in the paper; e.g. 0.999: sample from an
    # exponential moving average of G's weights (train's G_ema)
    r1_gamma: float = 0.0  # 0: off, as in the paper; else D's loss adds the R1
    # penalty gamma/2 * E|grad_x D(x)|^2 on real images (chapter 06)

    def __post_init__(self) -> None:
        for name in ("image_size", "nc", "nz", "ngf", "ndf", "batch_size"):
            number = require_int(getattr(self, name), f"Config.{name}")
            object.__setattr__(self, name, number)  # np.int64(64) is kept as 64
        for name in ("lr", "init_std"):
            if not getattr(self, name) > 0:
                raise ValueError(
                    f"Config.{name} must be > 0, got {getattr(self, name)!r}"
                )
        if not self.r1_gamma >= 0:
            raise ValueError(f"Config.r1_gamma must be >= 0, got {self.r1_gamma!r}")
        for name in ("beta1", "beta2", "ema_decay"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(
                    f"Config.{name} must be in [0, 1), got {getattr(self, name)!r}"
                )


def fast_mode() -> bool:
    """True when ``DCGAN_FAST`` is set to 1/true/yes (the test suite sets it).

    Read at call time, so a notebook can be switched without re-importing.
    """
    return env_flag("DCGAN_FAST")
