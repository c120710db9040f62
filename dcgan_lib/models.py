"""The DCGAN generator and discriminator, and the paper's weight initialization.

Serves the paper's section 3 (architecture guidelines) and chapters 02, 03 and 05.
"""

from __future__ import annotations

import operator

import torch
from torch import Tensor, nn

from .config import require_int

__all__ = ["Generator", "Discriminator", "weights_init", "build_models"]


def _check_image_size(image_size) -> int:
    """Return log2(image_size / 4): the number of stride-2 layers between 4x4 and it."""
    try:
        size = operator.index(image_size)
    except TypeError:
        size = 0
    if size < 16 or size & (size - 1):
        raise ValueError(
            f"image_size must be a power of two >= 16 (16, 32, 64, 128, 256, ...), "
            f"got {image_size!r}: every stride-2 layer doubles or halves the size, "
            "starting from 4x4"
        )
    return size.bit_length() - 3  # 16 -> 2, 32 -> 3, 64 -> 4, 128 -> 5


class Generator(nn.Module):
    """G: a latent vector z of shape (B, nz, 1, 1) to an image in [-1, 1].

    For ``image_size=64`` this is exactly the PyTorch tutorial's generator:
    nz -> ngf*8 (4x4) -> ngf*4 (8x8) -> ngf*2 (16x16) -> ngf (32x32) -> nc (64x64).
    Each extra doubling of ``image_size`` adds one block and doubles the width at 4x4.
    Shape: (B, nz, 1, 1) -> (B, nc, image_size, image_size).
    """

    def __init__(self, nz: int = 100, ngf: int = 64, nc: int = 3, image_size: int = 64):
        super().__init__()
        nz, ngf = require_int(nz, "nz"), require_int(ngf, "ngf")
        nc = require_int(nc, "nc")
        n_up = _check_image_size(image_size)
        self.nz, self.nc, self.image_size = nz, nc, image_size
        width = ngf * 2 ** (n_up - 1)  # ngf*8 for 64x64 (the paper uses 1024 = 128*8)
        layers = [
            # z: (nz) x 1 x 1 -> (width) x 4 x 4; stride 1, padding 0 on a 1x1 input
            nn.ConvTranspose2d(nz, width, 4, 1, 0, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(True),
        ]
        for _ in range(n_up - 1):
            # (width) x s x s -> (width/2) x 2s x 2s
            layers += [
                nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(width // 2),
                nn.ReLU(True),
            ]
            width //= 2
        layers += [
            # (ngf) x s/2 x s/2 -> (nc) x s x s; no BatchNorm in G's output layer
            nn.ConvTranspose2d(width, nc, 4, 2, 1, bias=False),
            nn.Tanh(),  # pixels in [-1, 1], like the normalized training data
        ]
        self.main = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        if z.dim() == 2:
            z = z[:, :, None, None]  # accept (B, nz) too
        return self.main(z)


class Discriminator(nn.Module):
    """D: an image to one logit per image (a large logit means "real").

    For ``image_size=64``: nc (64x64) -> ndf (32x32) -> ndf*2 (16x16) -> ndf*4 (8x8)
    -> ndf*8 (4x4) -> 1 (1x1), the PyTorch tutorial's layers without its Sigmoid:
    the loss is ``BCEWithLogitsLoss``, which applies the sigmoid itself, safely.
    Shape: (B, nc, image_size, image_size) -> (B,).
    """

    def __init__(
        self, nc: int = 3, ndf: int = 64, image_size: int = 64, leaky_slope: float = 0.2
    ):
        super().__init__()
        nc, ndf = require_int(nc, "nc"), require_int(ndf, "ndf")
        n_down = _check_image_size(image_size)
        self.nc, self.image_size = nc, image_size
        layers = [
            # (nc) x s x s -> (ndf) x s/2 x s/2; no BatchNorm in D's input layer
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(leaky_slope, inplace=True),
        ]
        width = ndf
        for _ in range(n_down - 1):
            # (width) x s x s -> (width*2) x s/2 x s/2: a strided conv, no pooling
            layers += [
                nn.Conv2d(width, width * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(width * 2),
                nn.LeakyReLU(leaky_slope, inplace=True),
            ]
            width *= 2
        # (ndf*8) x 4 x 4 -> 1 x 1 x 1 for 64x64: the kernel covers the whole map
        layers.append(nn.Conv2d(width, 1, 4, 1, 0, bias=False))
        self.main = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.main(x).view(-1)  # (B, 1, 1, 1) -> (B,) logits


def weights_init(module: nn.Module, std: float = 0.02) -> None:
    """The paper's init; use as ``model.apply(weights_init)``.

    Conv and transposed-conv weights ~ N(0, std), BatchNorm (and SyncBatchNorm)
    weight (gamma) ~ N(1, std) and bias (beta) = 0. ``std`` is a standard
    deviation (0.02), not a variance. Tested with ``isinstance``, unlike
    ``classname.find('Conv')``, which also matches any class whose name merely
    contains "Conv".
    """
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, std)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm2d, nn.SyncBatchNorm)):
        nn.init.normal_(module.weight, 1.0, std)
        nn.init.zeros_(module.bias)


def build_models(cfg) -> tuple[Generator, Discriminator]:
    """G and D for a ``Config``, initialized with ``weights_init(std=cfg.init_std)``.

    The initial weights depend on ``cfg.seed`` alone: they are drawn inside
    ``torch.random.fork_rng``, so the global random state is left as it was.
    Returns: ``(G, D)`` on the CPU, in train mode.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        G = Generator(cfg.nz, cfg.ngf, cfg.nc, cfg.image_size)
        D = Discriminator(cfg.nc, cfg.ndf, cfg.image_size, cfg.leaky_slope)
        G.apply(lambda m: weights_init(m, cfg.init_std))
        D.apply(lambda m: weights_init(m, cfg.init_std))
    return G, D
