"""Hyperparameters of the book's DCGAN, with the paper's and the tutorial's defaults.

Serves every chapter; the values are discussed in chapter 02 (architecture) and 06.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Config", "fast_mode"]


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
        for name in ("beta1", "beta2"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(
                    f"Config.{name} must be in [0, 1), got {getattr(self, name)!r}"
                )


def fast_mode() -> bool:
    """True when ``DCGAN_FAST`` is set to 1/true/yes (the test suite sets it).

    Read at call time, so a notebook can be switched without re-importing.
    """
    return os.environ.get("DCGAN_FAST", "").strip().lower() in {"1", "true", "yes"}
