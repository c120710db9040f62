"""One update of D, one update of G, and a short loop that records what happened.

Serves the paper's section 4 (training details) and chapters 04, 05 and 06.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from .config import Config
from .device import get_device

__all__ = ["make_optimizers", "d_step", "g_step", "train", "History"]


def make_optimizers(G: nn.Module, D: nn.Module, cfg: Config):
    """Adam for each network with the paper's settings (lr 2e-4, betas (0.5, 0.999)).

    Returns: ``(opt_g, opt_d)``.
    """
    betas = (cfg.beta1, cfg.beta2)
    return (
        torch.optim.Adam(G.parameters(), lr=cfg.lr, betas=betas),
        torch.optim.Adam(D.parameters(), lr=cfg.lr, betas=betas),
    )


def d_step(D: nn.Module, opt_d, real: Tensor, fake: Tensor) -> dict:
    """One update of D: maximise log D(x) + log(1 - D(G(z))).

    With logits and BCE: minimise BCE(D(x), 1) + BCE(D(G(z)), 0). ``fake`` is
    detached, so this step changes D only.
    Returns: plain floats ``loss_d``, ``d_real`` = mean D(x), ``d_fake`` = mean
    D(G(z)) before the update.
    """
    opt_d.zero_grad(set_to_none=True)
    logits_real = D(real)
    logits_fake = D(fake.detach())
    loss_real = F.binary_cross_entropy_with_logits(
        logits_real, torch.ones_like(logits_real)
    )
    loss_fake = F.binary_cross_entropy_with_logits(
        logits_fake, torch.zeros_like(logits_fake)
    )
    loss_d = loss_real + loss_fake
    loss_d.backward()
    opt_d.step()
    return {
        "loss_d": loss_d.item(),
        "d_real": torch.sigmoid(logits_real).mean().item(),
        "d_fake": torch.sigmoid(logits_fake).mean().item(),
    }


def g_step(D: nn.Module, opt_g, fake: Tensor) -> dict:
    """One update of G with the non-saturating loss: maximise log D(G(z)).

    That is BCE(D(G(z)), 1): fakes labelled "real". ``fake`` must still carry G's
    graph. Returns: plain floats ``loss_g`` and ``d_fake_after`` = mean D(G(z))
    judged by the D just updated.
    """
    opt_g.zero_grad(set_to_none=True)
    logits = D(fake)
    loss_g = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    loss_g.backward()
    opt_g.step()
    return {
        "loss_g": loss_g.item(),
        "d_fake_after": torch.sigmoid(logits).mean().item(),
    }


@dataclass
class History:
    """What ``train`` saw, one entry per step; samples of a fixed noise batch."""

    step: list = field(default_factory=list)  # 1, 2, ...
    loss_d: list = field(default_factory=list)  # D's loss
    loss_g: list = field(default_factory=list)  # G's (non-saturating) loss
    d_real: list = field(default_factory=list)  # mean D(x) on the real batch
    d_fake: list = field(default_factory=list)  # mean D(G(z)) before D's update
    d_fake_after: list = field(default_factory=list)  # mean D(G(z)) after it
    sample_steps: list = field(default_factory=list)  # steps where samples were taken
    samples: list = field(default_factory=list)  # (n, nc, H, W) CPU tensors in [-1, 1]
    seconds: float = 0.0  # wall time spent in train()


def _batches(dataset: Dataset, batch_size: int, generator: torch.Generator):
    """Endless shuffled batches of images; in-memory datasets skip the DataLoader."""
    if len(dataset) < batch_size:
        raise ValueError(
            f"the dataset has {len(dataset)} images, fewer than batch_size="
            f"{batch_size}: use a smaller batch_size"
        )
    if isinstance(dataset, TensorDataset):
        images = dataset.tensors[0]
        while True:
            order = torch.randperm(len(images), generator=generator)
            for start in range(0, len(order) - batch_size + 1, batch_size):
                yield images[order[start : start + batch_size]]
    loader = DataLoader(
        dataset, batch_size, shuffle=True, drop_last=True, generator=generator
    )
    while True:
        for images, *_ in loader:
            yield images


def train(
    cfg: Config,
    dataset: Dataset,
    G: nn.Module,
    D: nn.Module,
    steps: int,
    device: str = "auto",
    sample_every: int | None = None,
    n_samples: int = 64,
    progress: bool = True,
) -> History:
    """Train G and D in place for ``steps`` updates of each; return the History.

    Every step: z ~ N(0, I), fake = G(z), one ``d_step``, one ``g_step``. Batches
    and noise come from a generator seeded with ``cfg.seed``, so a run repeats
    exactly on the CPU; nothing global is seeded. Every ``sample_every`` steps
    (and at the end) G draws the same ``n_samples`` latent vectors.
    Returns: a ``History``.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if getattr(G, "nz", cfg.nz) != cfg.nz:
        raise ValueError(f"G takes nz={G.nz} but cfg.nz={cfg.nz}: make them equal")
    device = get_device(device)
    G.to(device).train()
    D.to(device).train()
    opt_g, opt_d = make_optimizers(G, D, cfg)
    generator = torch.Generator().manual_seed(cfg.seed)
    fixed_noise = torch.randn(n_samples, cfg.nz, 1, 1, generator=generator)
    batches = _batches(dataset, cfg.batch_size, generator)
    history = History()
    from tqdm.auto import tqdm

    started = time.perf_counter()
    bar = tqdm(range(1, steps + 1), disable=not progress, desc="training")
    for step in bar:
        real = next(batches).to(device)
        z = torch.randn(cfg.batch_size, cfg.nz, 1, 1, generator=generator)
        fake = G(z.to(device))
        if step == 1 and fake.shape[1:] != real.shape[1:]:
            raise ValueError(
                f"the dataset's images are {tuple(real.shape[1:])} but G makes "
                f"{tuple(fake.shape[1:])}: build G and D with the data's nc and "
                "image_size (and load the data at that image_size)"
            )
        stats = {**d_step(D, opt_d, real, fake), **g_step(D, opt_g, fake)}
        history.step.append(step)
        for key, value in stats.items():
            getattr(history, key).append(value)
        if sample_every and step % sample_every == 0 or step == steps:
            with torch.no_grad():
                history.samples.append(G(fixed_noise.to(device)).cpu())
            history.sample_steps.append(step)
        bar.set_postfix(
            loss_d=f"{stats['loss_d']:.3f}", loss_g=f"{stats['loss_g']:.3f}"
        )
    history.seconds = time.perf_counter() - started
    return history
