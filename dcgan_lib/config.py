"""Hyperparameters of the book's DCGAN, with the paper's and the tutorial's defaults.

Serves every chapter; the values are discussed in chapter 02 (architecture) and 06.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Config", "fast_mode", "book_config", "BOOK_SETTINGS", "BOOK_STEPS"]


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
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Config.{name} must be a positive int, got {value!r}")
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
    return os.environ.get("DCGAN_FAST", "").strip().lower() in {"1", "true", "yes"}


# The settings the book's full mode and the CLI use for each dataset: the paper's,
# except where chapter 06 measured that a change pays on a small budget.
BOOK_SETTINGS = {
    "mnist5k": {
        "image_size": 32,
        "nc": 1,
        "ngf": 32,
        "ndf": 32,
        "batch_size": 64,
        "lr": 1e-3,
        "ema_decay": 0.999,
        "r1_gamma": 1.0,
    },
    "mnist": {"image_size": 32, "nc": 1},
    "fashion-mnist": {"image_size": 32, "nc": 1},
    "cifar10": {"image_size": 32, "nc": 3},
    "folder": {"image_size": 64, "nc": 3},
    "celeba": {"image_size": 64, "nc": 3},  # the paper's and the tutorial's run
}

# Full mode's length of training for chapter 06: about 5 minutes on a 2-core CPU.
BOOK_STEPS = {"mnist5k": 5000}


def book_config(dataset: str) -> Config:
    """The ``Config`` the book's full mode (and ``python -m dcgan_lib train``) uses
    for ``dataset``; chapter 06 explains each departure from the paper."""
    if dataset not in BOOK_SETTINGS:
        raise ValueError(
            f"unknown dataset {dataset!r}; choose one of {sorted(BOOK_SETTINGS)}"
        )
    return Config(**BOOK_SETTINGS[dataset])
