"""Moving through G's latent space: interpolation (lerp, slerp), walks, the paper's
vector arithmetic on averaged exemplars, and projecting real digits into z.

Serves chapter 07 (the paper's sections 6.1, walking in the latent space, and
6.3.2, vector arithmetic).

Shapes: a latent vector is ``(nz,)``; a batch of them ``(B, nz)`` or, as G takes
them, ``(B, nz, 1, 1)``. Every function accepts all three and says what it returns.
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import Tensor, nn

from .config import require_int

__all__ = [
    "INTERPOLATION_METHODS",
    "lerp",
    "slerp",
    "interpolate",
    "walk",
    "concept_vector",
    "arithmetic",
    "project",
]

INTERPOLATION_METHODS = ("lerp", "slerp")  # the ways between two latent vectors


def _check_z(z, name: str) -> Tensor:
    """``z`` if it is a float tensor of shape (nz,), (B, nz) or (B, nz, 1, 1)."""
    if not isinstance(z, Tensor) or not z.is_floating_point():
        raise ValueError(f"{name} must be a float tensor, got {type(z).__name__}")
    if not (z.dim() in (1, 2) or (z.dim() == 4 and z.shape[2:] == (1, 1))):
        raise ValueError(
            f"{name} must have shape (nz,), (B, nz) or (B, nz, 1, 1), "
            f"got {tuple(z.shape)}"
        )
    if z.numel() == 0:
        raise ValueError(f"{name} is empty: shape {tuple(z.shape)}")
    return z


def _check_pair(a, b) -> tuple[Tensor, Tensor]:
    a, b = _check_z(a, "a"), _check_z(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, got {tuple(a.shape)} and "
            f"{tuple(b.shape)}"
        )
    return a, b


def _rows(z: Tensor) -> Tensor:
    """z as a matrix (B, nz): one latent vector per row."""
    return z.reshape(1, -1) if z.dim() == 1 else z.reshape(len(z), -1)


def _check_t(t) -> float:
    if isinstance(t, Tensor) and t.dim() == 0:
        t = t.item()
    if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 <= t <= 1:
        raise ValueError(f"t must be a number in [0, 1], got {t!r}")
    return float(t)


def _ends(a, b, t):
    """Checked ``(a, b, t)``, and the answer itself when t is 0 or 1 (exact ends)."""
    a, b = _check_pair(a, b)
    t = _check_t(t)
    end = a.clone() if t == 0 else b.clone() if t == 1 else None
    return a, b, t, end


def lerp(a: Tensor, b: Tensor, t: float) -> Tensor:
    """Linear interpolation ``(1 - t) a + t b``: the straight line from a to b.

    Shape: a, b (nz,), (B, nz) or (B, nz, 1, 1) -> the same; t a number in [0, 1].
    Exactly a at t = 0 and exactly b at t = 1.
    """
    a, b, t, end = _ends(a, b, t)
    return end if end is not None else (1 - t) * a + t * b


def slerp(a: Tensor, b: Tensor, t: float) -> Tensor:
    """Spherical interpolation: the direction turns along the great circle from a's
    direction to b's at a constant angular speed, while the length goes linearly
    from ||a|| to ||b||. Each row of a batch is its own path.

    For ||a|| = ||b|| this is the usual
    ``sin((1 - t) w) / sin(w) a + sin(t w) / sin(w) b``, w the angle between a and
    b, and the length stays ||a|| all the way. The angle is computed as
    ``2 atan2(||â - b̂||, ||â + b̂||)``, accurate for every angle; nearly parallel
    vectors fall back to the (then equal) normalized lerp, and for opposite
    vectors, where every great circle through both is as short, the path turns
    through a fixed perpendicular direction.

    Shape: a, b (nz,), (B, nz) or (B, nz, 1, 1) -> the same; t a number in [0, 1].
    Exactly a at t = 0 and exactly b at t = 1.
    """
    a, b, t, end = _ends(a, b, t)
    if end is not None:
        return end
    rows_a, rows_b = _rows(a).double(), _rows(b).double()
    length_a = rows_a.norm(dim=1, keepdim=True)
    length_b = rows_b.norm(dim=1, keepdim=True)
    if (length_a == 0).any() or (length_b == 0).any():
        raise ValueError("slerp needs nonzero vectors: a zero vector has no direction")
    unit_a, unit_b = rows_a / length_a, rows_b / length_b
    angle = 2 * torch.atan2(
        (unit_a - unit_b).norm(dim=1, keepdim=True),
        (unit_a + unit_b).norm(dim=1, keepdim=True),
    )
    # the unit vector perpendicular to a, in the plane of a and b, towards b
    across = unit_b - (unit_a * unit_b).sum(1, keepdim=True) * unit_a
    across_length = across.norm(dim=1, keepdim=True)
    opposite = (across_length < 1e-9) & (angle > 1)
    if opposite.any():  # any perpendicular will do: take the axis least like a
        axis = torch.zeros_like(unit_a)
        axis[torch.arange(len(axis)), unit_a.abs().argmin(1)] = 1.0
        axis = axis - (axis * unit_a).sum(1, keepdim=True) * unit_a
        across = torch.where(opposite, axis, across)
        across_length = across.norm(dim=1, keepdim=True)
    turned = torch.cos(t * angle) * unit_a + torch.sin(t * angle) * (
        across / across_length.clamp_min(1e-300)
    )
    nearly_parallel = angle < 1e-6  # then lerp's direction is as good, and finite
    straight = (1 - t) * unit_a + t * unit_b
    straight = straight / straight.norm(dim=1, keepdim=True)
    direction = torch.where(nearly_parallel, straight, turned)
    path = ((1 - t) * length_a + t * length_b) * direction
    return path.to(a.dtype).reshape(a.shape)


def _check_method(method: str):
    if method not in INTERPOLATION_METHODS:
        raise ValueError(
            f"method must be one of {INTERPOLATION_METHODS}, got {method!r}"
        )
    return lerp if method == "lerp" else slerp


def interpolate(z0: Tensor, z1: Tensor, steps: int, method: str = "slerp") -> Tensor:
    """``steps`` evenly spaced points from z0 to z1, both ends included.

    Shape: z0, z1 (nz,) -> (steps, nz); (B, nz) -> (B, steps, nz);
    (B, nz, 1, 1) -> (B, steps, nz, 1, 1): each of the B rows is one walk.
    ``method`` is "lerp" or "slerp".
    """
    between = _check_method(method)
    z0, z1 = _check_pair(z0, z1)
    steps = require_int(steps, "steps", 2)
    frames = [between(z0, z1, i / (steps - 1)) for i in range(steps)]
    return torch.stack(frames, dim=0 if z0.dim() == 1 else 1)


def walk(points: Tensor, steps_between: int, method: str = "slerp") -> Tensor:
    """A path through K points in order, ``steps_between`` steps from each to the
    next; each point appears once.

    Shape: points (K, nz) or (K, nz, 1, 1) with K >= 2 ->
    ((K - 1) * steps_between + 1, nz) or (..., nz, 1, 1).
    """
    points = _check_z(points, "points")
    if points.dim() == 1 or len(points) < 2:
        raise ValueError(
            f"points must hold at least 2 latent vectors, shape (K, nz) or "
            f"(K, nz, 1, 1) with K >= 2, got {tuple(points.shape)}"
        )
    steps_between = require_int(steps_between, "steps_between")
    legs = interpolate(points[:-1], points[1:], steps_between + 1, method)
    path = legs[:, :-1].reshape(-1, *points.shape[1:])  # drop each leg's end...
    return torch.cat([path, points[-1:]])  # ...and add the last point once


def concept_vector(zs: Tensor) -> Tensor:
    """The mean of the latent vectors of a concept's exemplars, as the paper does:
    "averaging the Z vector for three examplars" (section 6.3.2).

    Shape: zs (K, nz), (K, nz, 1, 1) or one vector (nz,) -> (nz,).
    """
    zs = _check_z(zs, "zs")
    return _rows(zs).mean(0)


def arithmetic(a: Tensor, b: Tensor, c: Tensor) -> Tensor:
    """The paper's vector arithmetic on averaged exemplars: mean(a) - mean(b) +
    mean(c), e.g. thick 3s - thin 3s + thin 7s, hoping for a thick 7.

    Shape: a, b, c each (K, nz), (K, nz, 1, 1) or (nz,), any K -> (nz,).
    """
    means = [concept_vector(z) for z in (a, b, c)]
    if len({m.numel() for m in means}) != 1:
        raise ValueError(
            "a, b and c must have the same nz, got "
            + ", ".join(str(m.numel()) for m in means)
        )
    return means[0] - means[1] + means[2]


def project(
    G: nn.Module,
    images: Tensor,
    steps: int = 300,
    restarts: int = 4,
    prior: float = 0.3,
    lr: float = 0.05,
    seed: int = 0,
) -> tuple[Tensor, Tensor]:
    """Latent vectors whose images are closest to given images: the z minimizing
    ``mean((G(z) - x)^2) + prior * (||z|| / sqrt(nz) - 1)^2``, by Adam on z.

    The prior term keeps ||z|| near sqrt(nz), where G's training inputs lie (a
    z far from there can fit a digit well and still be one G never met in
    training). Each image starts from ``restarts`` random z (drawn from ``seed``)
    and keeps the one with the smallest reconstruction error. G must be in eval
    mode (``prepare_for_sampling``), so that each image depends on its own z only;
    G's weights are not changed.

    Shape: images (B, nc, H, W) in [-1, 1], as G draws them.
    Returns: ``(z, error)``: z (B, nz), and error (B,), each reconstruction's mean
    squared error per pixel.
    """
    if G.training:
        raise ValueError(
            "G is in train mode: its images would depend on the whole batch; "
            "project with dl.prepare_for_sampling(G) instead"
        )
    steps = require_int(steps, "steps")
    restarts = require_int(restarts, "restarts")
    nz = getattr(G, "nz", None)
    if nz is None:
        raise ValueError(f"project needs G.nz, like dl.Generator has; got {type(G)}")
    device = next(G.parameters()).device
    with torch.no_grad():
        shape = G(torch.zeros(1, nz, 1, 1, device=device)).shape[1:]
    if not isinstance(images, Tensor) or images.dim() != 4 or images.shape[1:] != shape:
        got = tuple(images.shape) if isinstance(images, Tensor) else type(images)
        raise ValueError(
            f"images must have shape (B, {', '.join(map(str, shape))}), as G draws "
            f"them, got {got}"
        )
    target = images.float().to(device).repeat(restarts, 1, 1, 1)
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(len(target), nz, generator=generator).to(device).requires_grad_()
    optimizer = torch.optim.Adam([z], lr=lr)
    frozen = [p.requires_grad for p in G.parameters()]
    G.requires_grad_(False)
    try:
        for _ in range(steps):
            error = (G(z[:, :, None, None]) - target).pow(2).flatten(1).mean(1)
            typical = (z.norm(dim=1) / math.sqrt(nz) - 1).pow(2)
            optimizer.zero_grad(set_to_none=True)
            (error + prior * typical).sum().backward()
            optimizer.step()
        with torch.no_grad():
            error = (G(z[:, :, None, None]) - target).pow(2).flatten(1).mean(1)
    finally:
        for p, flag in zip(G.parameters(), frozen):
            p.requires_grad_(flag)
    error = error.view(restarts, len(images))
    best = error.argmin(0)
    columns = torch.arange(len(images), device=best.device)
    z = z.detach().view(restarts, len(images), nz)[best, columns]
    return z.cpu(), error[best, columns].cpu()
