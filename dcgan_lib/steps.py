"""The step maths of the paper's section 4: Adam for both networks, one update of D,
one of G, a whole training step, and the moving average of G. Chapters 04-06, 09.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.profiler import record_function

from .config import Config
from .distributed import no_sync
from .precision import autocast

__all__ = [
    "R1_EVERY",
    "make_optimizers",
    "d_step",
    "input_gradient",
    "g_step",
    "training_step",
    "update_ema",
]


R1_EVERY = 4  # steps between two R1 penalties when cfg.r1_gamma > 0
_BATCHNORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)


def make_optimizers(G: nn.Module, D: nn.Module, cfg: Config):
    """Adam for each network with the paper's settings (lr 2e-4, betas (0.5, 0.999)).

    Returns: ``(opt_g, opt_d)``.
    """
    betas = (cfg.beta1, cfg.beta2)
    return (
        torch.optim.Adam(G.parameters(), lr=cfg.lr, betas=betas),
        torch.optim.Adam(D.parameters(), lr=cfg.lr, betas=betas),
    )


def _backward_and_step(loss: Tensor, optimizer, scaler, name: str) -> None:
    """loss.backward() and optimizer.step(), through the GradScaler for fp16; each
    labelled for torch.profiler as "<name>: backward" and "<name>: Adam"."""
    with record_function(f"{name}: backward"):
        (loss if scaler is None else scaler.scale(loss)).backward()
    with record_function(f"{name}: Adam"):
        if scaler is None:
            optimizer.step()
        else:
            scaler.step(optimizer)  # skipped when a gradient overflowed
            scaler.update()


def _check_scaler(precision: str, scaler) -> None:
    if precision == "fp16" and scaler is None:
        raise ValueError(
            "precision 'fp16' needs a GradScaler: pass scaler=dl.make_scaler('fp16', "
            "device) (train() does this itself)"
        )


def input_gradient(logits: Tensor, inputs: Tensor, scaler=None) -> Tensor:
    """d(sum of ``logits``) / d ``inputs``, itself differentiable (create_graph),
    for a penalty on it such as R1.

    With a GradScaler (fp16), as PyTorch's AMP examples do for a gradient penalty:
    the output handed to ``autograd.grad`` is scaled and the gradient unscaled,
    else float16's backward pass rounds gradients below 2^-24 to 0. The scaled
    output is the logits' mean, not their sum: the scale is tuned on D's mean
    loss, and a sum would multiply every logit's gradient by the batch size too.
    Shape: as ``inputs``.
    """
    if scaler is None:
        (grad,) = torch.autograd.grad(logits.sum(), inputs, create_graph=True)
        return grad
    n = logits.shape[0]
    scaled = scaler.scale(logits.sum() / n)
    (grad,) = torch.autograd.grad(scaled, inputs, create_graph=True)
    return grad * (n / scaler.get_scale())


def d_step(
    D: nn.Module,
    opt_d,
    real: Tensor,
    fake: Tensor,
    precision="fp32",
    scaler=None,
    r1_gamma: float = 0.0,
) -> dict:
    """One update of D: maximise log D(x) + log(1 - D(G(z))).

    With logits and BCE: minimise BCE(D(x), 1) + BCE(D(G(z)), 0). ``fake`` is
    detached, so this step changes D only. ``precision``: "fp32", or "bf16" /
    "fp16" for D's forward passes under autocast (fp16 with a ``scaler``).
    ``r1_gamma > 0`` adds the R1 penalty (Mescheder et al. 2018)
    r1_gamma / 2 * mean over the real batch of |grad_x logit(x)|^2: it keeps D's
    surface flat around the real images (grad_x from ``input_gradient``, scaled
    under fp16).
    Returns: plain floats ``loss_d`` (the BCE part, without the penalty),
    ``d_real`` = mean D(x), ``d_fake`` = mean D(G(z)) before the update.
    """
    _check_scaler(precision, scaler)
    opt_d.zero_grad(set_to_none=True)
    if r1_gamma:
        real = real.detach().requires_grad_(True)
    # R1 differentiates D twice, and BatchNorm's second derivative under float16
    # autocast gives NaN at any loss scale (seen on the CPU: every R1 step was
    # skipped and the scale fell to 0): with BatchNorm in D, an fp16 R1 step
    # judges the real images in float32
    real_precision = precision
    if (
        r1_gamma
        and precision == "fp16"
        and any(isinstance(m, _BATCHNORMS) for m in D.modules())
    ):
        real_precision = "fp32"
    with record_function("D: forward"):
        with autocast(real_precision, real.device):
            logits_real = D(real).float()
        with autocast(precision, real.device):
            logits_fake = D(fake.detach()).float()
    loss_real = F.binary_cross_entropy_with_logits(
        logits_real, torch.ones_like(logits_real)
    )
    loss_fake = F.binary_cross_entropy_with_logits(
        logits_fake, torch.zeros_like(logits_fake)
    )
    loss_d = loss_real + loss_fake
    total = loss_d
    if r1_gamma:
        with record_function("D: R1 penalty"):
            fp16 = real_precision == "fp16"
            grad = input_gradient(logits_real, real, scaler if fp16 else None)
            penalty = grad.float().pow(2).flatten(1).sum(1).mean()
        total = loss_d + r1_gamma / 2 * penalty
    _backward_and_step(total, opt_d, scaler, "D")
    return {
        "loss_d": loss_d.item(),
        "d_real": torch.sigmoid(logits_real).mean().item(),
        "d_fake": torch.sigmoid(logits_fake).mean().item(),
    }


def g_step(D: nn.Module, opt_g, fake: Tensor, precision="fp32", scaler=None) -> dict:
    """One update of G with the non-saturating loss: maximise log D(G(z)).

    That is BCE(D(G(z)), 1): fakes labelled "real". ``fake`` must still carry G's
    graph. ``precision`` and ``scaler`` as in ``d_step``. Returns: plain floats
    ``loss_g`` and ``d_fake_after`` = mean D(G(z)) judged by the D just updated.
    """
    _check_scaler(precision, scaler)
    opt_g.zero_grad(set_to_none=True)
    with autocast(precision, fake.device), record_function("G: D forward"):
        logits = D(fake).float()
    loss_g = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    _backward_and_step(loss_g, opt_g, scaler, "G")
    return {
        "loss_g": loss_g.item(),
        "d_fake_after": torch.sigmoid(logits).mean().item(),
    }


@torch.no_grad()
def update_ema(G_ema: nn.Module, G: nn.Module, decay: float, step: int) -> None:
    """Move ``G_ema``'s weights a step towards G's: an exponential moving average.

    w_ema <- d * w_ema + (1 - d) * w, with d = min(decay, (1 + step) / (10 + step)):
    the warm-up forgets the random initial weights quickly. Buffers (BatchNorm's
    running statistics) are copied from G: they belong to G's weights, not to the
    average, so sample ``G_ema`` through ``prepare_for_sampling``, which
    re-estimates them.
    """
    d = min(decay, (1 + step) / (10 + step))
    for w_ema, w in zip(G_ema.parameters(), G.parameters()):
        w_ema.lerp_(w, 1 - d)
    for b_ema, b in zip(G_ema.buffers(), G.buffers()):
        b_ema.copy_(b)


def training_step(
    G_run: nn.Module,
    D_run: nn.Module,
    opt_g,
    opt_d,
    real: Tensor,
    z: Tensor,
    precision: str = "fp32",
    scalers: dict | None = None,
    r1_gamma: float = 0.0,
) -> dict:
    """One step of ``train``: fake = G(z), one ``d_step``, one ``g_step``.

    ``G_run``, ``D_run`` as ``speed_up`` returns them (or plain G and D);
    ``scalers``: ``{"d": ..., "g": ...}`` from ``make_scaler`` (fp16 only). A step
    with ``r1_gamma > 0`` runs D uncompiled: compiled code cannot be
    differentiated twice. Under DDP, the gradients G's loss leaves in D are not
    averaged (they are thrown away). R1 steps call ``autograd.grad`` through
    the DDP-wrapped D, which DDP's documentation does not support ("This module
    doesn't work with torch.autograd.grad (i.e. it will only work if gradients
    are to be accumulated in .grad attributes of parameters)"): the gradient
    taken is the input's only, and every parameter's gradient, the penalty's
    included, reaches ``.grad`` in the one ``backward()`` where DDP averages
    it; tests/test_distributed.py checks that against a hand-made average.
    Each part is labelled for torch.profiler ("G: forward", "D: forward",
    "D: backward", "D: Adam", "G: D forward", "G: backward", "G: Adam").
    Returns: the floats of d_step and g_step.
    """
    scalers = scalers or {"d": None, "g": None}
    with autocast(precision, real.device), record_function("G: forward"):
        fake = G_run(z).float()
    D_d = getattr(D_run, "_orig_mod", D_run) if r1_gamma else D_run
    stats = d_step(D_d, opt_d, real, fake, precision, scalers["d"], r1_gamma)
    with no_sync(D_run):
        stats.update(g_step(D_run, opt_g, fake, precision, scalers["g"]))
    return stats
