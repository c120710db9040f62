"""The one way the book draws images from a trained generator: eval mode, with
BatchNorm statistics re-estimated for exactly the weights sampled. Serves chapters
04 (train vs eval mode), 06 (scores, the moving average) and every later chapter.
"""

from __future__ import annotations

import copy

import torch
from torch import Tensor, nn

from .config import require_int

__all__ = ["prepare_for_sampling", "generate"]


@torch.no_grad()
def prepare_for_sampling(
    G: nn.Module, n_batches: int = 16, batch_size: int = 64, seed: int = 0
) -> nn.Module:
    """A copy of G, ready to sample: in eval mode, with every BatchNorm's running
    mean and variance re-estimated for exactly G's current weights.

    Why: training keeps running statistics as a moving average over many steps,
    so they describe earlier weights; the averaged generator (``G_ema``) carries
    statistics copied from the live G, which describe other weights altogether.
    Here every BatchNorm is reset and, with ``momentum=None`` (a plain average),
    sees ``n_batches`` batches of ``batch_size`` fresh z ~ N(0, I) drawn from
    ``seed``; then the copy goes to eval mode. G itself is left untouched. ``nz``
    is ``G.nz``, or the input channels of G's first layer.

    In eval mode an image depends on its own z only, never on the rest of the
    batch. The result is a pure function of G's weights, ``n_batches``,
    ``batch_size`` and ``seed``. Returns: the prepared copy (``requires_grad``
    off), on G's device.
    """
    n_batches = require_int(n_batches, "n_batches")
    batch_size = require_int(batch_size, "batch_size")
    nz = getattr(G, "nz", None)
    if nz is None:  # e.g. an nn.Sequential: the first layer's input channels
        first = next((m for m in G.modules() if hasattr(m, "in_channels")), None)
        nz = getattr(first, "in_channels", None)
    if nz is None:
        raise ValueError(
            "prepare_for_sampling needs a generator that takes z of shape "
            f"(B, nz, 1, 1), like dl.Generator; got {type(G).__name__}"
        )
    sampler = copy.deepcopy(G).requires_grad_(False)
    norms = [
        m for m in sampler.modules() if isinstance(m, nn.modules.batchnorm._NormBase)
    ]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over every batch below
    device = next(sampler.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    sampler.train()
    for _ in range(n_batches if norms else 0):
        z = torch.randn(batch_size, nz, 1, 1, generator=generator)
        sampler(z.to(device))
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    return sampler.eval()


@torch.no_grad()
def generate(G: nn.Module, z: Tensor, chunk: int = 500) -> Tensor:
    """Images of a prepared generator (``prepare_for_sampling``) for latent
    vectors ``z``, in chunks so that any ``n`` fits in memory; on the CPU.

    Shape: z (n, nz) or (n, nz, 1, 1) -> (n, nc, H, W) in [-1, 1].
    """
    if G.training:
        raise ValueError(
            "G is in train mode: its images would depend on the whole batch; "
            "sample from dl.prepare_for_sampling(G) instead"
        )
    device = next(G.parameters()).device
    return torch.cat([G(part.to(device)).float().cpu() for part in z.split(chunk)])
