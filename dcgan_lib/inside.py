"""Looking inside a trained DCGAN: the feature maps of G and D, D's features as
the paper pools them for a linear classifier, a generator with some of its
feature maps switched off, and nearest neighbours for the memorization check.

Serves chapter 08 (the paper's section 5.1, learned features, and section 6,
the internals of the networks).

A "block" is one layer of the book's G or D up to and including its ReLU or
LeakyReLU: block 0 is the first. For 32x32 digits, D's blocks give maps of
16x16, 8x8 and 4x4; G's give 4x4, 8x8 and 16x16 (its output layer, the Tanh, is
not a block).
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import require_int

__all__ = [
    "feature_maps",
    "pooled_features",
    "channels_dropped",
    "nearest_neighbours",
    "linear_probe",
]

_ACTIVATIONS = (nn.ReLU, nn.LeakyReLU)


def _blocks(model: nn.Module) -> list[nn.Module]:
    """The ReLU or LeakyReLU that ends each block, in order."""
    blocks = [m for m in model.modules() if isinstance(m, _ACTIVATIONS)]
    if not blocks:
        raise ValueError(
            f"{type(model).__name__} has no ReLU or LeakyReLU: feature maps are "
            "read where a block ends, as in dl.Generator and dl.Discriminator"
        )
    return blocks


def _block(model: nn.Module, block: int) -> nn.Module:
    blocks = _blocks(model)
    block = require_int(block, "block", minimum=None)  # negative: from the end
    if not -len(blocks) <= block < len(blocks):
        raise ValueError(
            f"{type(model).__name__} has {len(blocks)} blocks (0 to "
            f"{len(blocks) - 1}), got block={block}"
        )
    return blocks[block]


def _check_eval(model: nn.Module, name: str) -> None:
    if model.training:
        raise ValueError(
            f"{name} is in train mode: its BatchNorm would mix the images of a "
            f"batch; call {name}.eval() (a generator: dl.prepare_for_sampling)"
        )


@torch.no_grad()
def feature_maps(model: nn.Module, inputs: Tensor, chunk: int = 500) -> list[Tensor]:
    """Every block's output for ``inputs``: images for D, z for G.

    The model must be in eval mode, so that an image's maps depend on that image
    only. Returns: one tensor (B, C, H, W) per block, first block first, on the
    CPU (for the book's D on 32x32 digits: (B, 32, 16, 16), (B, 64, 8, 8),
    (B, 128, 4, 4)).
    """
    _check_eval(model, type(model).__name__)
    blocks = _blocks(model)
    device = next(model.parameters()).device
    parts: list[list[Tensor]] = [[] for _ in blocks]

    def keep(index):
        return lambda module, args, output: parts[index].append(output.float().cpu())

    hooks = [m.register_forward_hook(keep(i)) for i, m in enumerate(blocks)]
    try:
        for batch in inputs.split(chunk):
            model(batch.to(device))
    finally:
        for hook in hooks:
            hook.remove()
    return [torch.cat(p) for p in parts]


def pooled_features(D: nn.Module, images: Tensor, grid: int = 4) -> Tensor:
    """D's features as section 5.1 of the paper builds them: "maxpooling each
    layers representation to produce a 4 x 4 spatial grid", then flattened and
    concatenated.

    D must be in eval mode. A map already ``grid`` x ``grid`` is kept as it is.
    Returns: (B, sum over blocks of C * grid * grid); 3,584 for the book's D on
    32x32 digits (32, 64 and 128 channels, 16 places each).
    """
    grid = require_int(grid, "grid")
    maps = feature_maps(D, images)
    small = [m for m in maps if min(m.shape[-2:]) < grid]
    if small:
        raise ValueError(
            f"a {tuple(small[0].shape[-2:])} map cannot be pooled to a "
            f"{grid}x{grid} grid; use a smaller grid"
        )
    return torch.cat([F.adaptive_max_pool2d(m, grid).flatten(1) for m in maps], 1)


@contextmanager
def channels_dropped(G: nn.Module, block: int, channels):
    """Inside this ``with``, G draws with the given feature maps of one block set
    to zero at every position: the paper's section 6.3.1 ("all feature maps with
    weights greater than zero ... were dropped from all spatial locations").

    ``channels``: indices into that block's maps (a list, or a bool mask). G is
    unchanged when the ``with`` ends, even after an error.
    """
    module = _block(G, block)
    index = torch.as_tensor(channels)
    if index.numel() == 0:
        index = index.long()  # an empty list: nothing dropped
    if index.dtype == torch.bool:
        index = index.nonzero().flatten()
    if index.dim() != 1 or index.is_floating_point():
        raise ValueError(
            "channels must be a 1-D list of channel indices or a bool mask, got "
            f"{channels!r}"
        )

    def drop(module, args, output):
        if (
            len(index)
            and not 0 <= int(index.min()) <= int(index.max()) < output.shape[1]
        ):
            raise ValueError(
                f"block {block} has {output.shape[1]} channels; got indices from "
                f"{int(index.min())} to {int(index.max())}"
            )
        output = output.clone()
        output[:, index.to(output.device)] = 0
        return output

    hook = module.register_forward_hook(drop)
    try:
        yield G
    finally:
        hook.remove()


@torch.no_grad()
def nearest_neighbours(
    queries: Tensor, bank: Tensor, k: int = 1, chunk: int = 1000
) -> tuple[Tensor, Tensor]:
    """For each query, its ``k`` nearest rows of ``bank`` in Euclidean distance.

    Images are flattened: ``(N, ...)`` and ``(M, ...)`` with the same shape after
    the first axis. The neighbours are found with the fast |a|^2 + |b|^2 - 2ab in
    float64; their distances are then computed again from the differences, so a
    copy of a bank image is at distance 0 exactly (the shortcut leaves a little
    rounding error, which is all it can get wrong).
    Returns: ``(distances, indices)``, each (N, k) in float64 and int64, nearest first.
    """
    k = require_int(k, "k")
    if k > len(bank):
        raise ValueError(f"k must be an int from 1 to len(bank)={len(bank)}, got {k!r}")
    if queries.shape[1:] != bank.shape[1:]:
        raise ValueError(
            f"queries {tuple(queries.shape)} and bank {tuple(bank.shape)} must have "
            "the same shape after the first axis"
        )
    bank = bank.reshape(len(bank), -1).double()
    squares = bank.pow(2).sum(1)
    distances, indices = [], []
    for part in queries.split(chunk):
        part = part.reshape(len(part), -1).double()
        rough = part.pow(2).sum(1, keepdim=True) + squares - 2 * part @ bank.T
        index = rough.topk(k, dim=1, largest=False).indices  # (n, k)
        exact = (part[:, None] - bank[index]).norm(dim=2)  # from the differences
        order = exact.argsort(dim=1, stable=True)
        distances.append(exact.gather(1, order))
        indices.append(index.gather(1, order))
    return torch.cat(distances), torch.cat(indices)


def linear_probe(train_x, train_y, test_x, test_y, C: float = 0.01) -> float:
    """Test accuracy of a linear L2-SVM (squared hinge loss, L2 penalty: the
    paper's "regularized linear L2-SVM") trained on standardized features.

    Uses scikit-learn's ``LinearSVC`` in its dual form: on chapter 08's features it
    is faster than the primal form that ``dual="auto"`` picks when there are more
    samples than features. ``C`` is the inverse of the penalty.
    Shapes: x (N, F) tensors or arrays, y (N,) labels. Returns: a float in [0, 1].
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    arrays = [
        torch.as_tensor(a).cpu().numpy() for a in (train_x, train_y, test_x, test_y)
    ]
    train_x, train_y, test_x, test_y = arrays
    if len(train_x) != len(train_y) or len(test_x) != len(test_y):
        raise ValueError(
            f"features and labels differ in length: train {len(train_x)} vs "
            f"{len(train_y)}, test {len(test_x)} vs {len(test_y)}"
        )
    if len(set(train_y.tolist())) < 2:
        raise ValueError("the training labels must contain at least two classes")
    model = make_pipeline(StandardScaler(), LinearSVC(C=C, dual=True, max_iter=5000))
    model.fit(train_x.reshape(len(train_x), -1), train_y)
    return float((model.predict(test_x.reshape(len(test_x), -1)) == test_y).mean())
