"""Output sizes of (transposed) convolutions, and per-layer shape tables of a model.

Serves chapter 03 (shape arithmetic); the formulas are PyTorch's, derived there.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .config import require_int

__all__ = ["conv2d_out", "conv_transpose2d_out", "layer_shapes", "LayerShape"]


def conv2d_out(size, kernel, stride=1, padding=0, dilation=1) -> int:
    """Output height (or width) of ``nn.Conv2d`` on an input of height ``size``.

    floor((size + 2*padding - dilation*(kernel - 1) - 1) / stride) + 1

    Returns: the output size, an int >= 1; ValueError if the kernel does not fit.
    """
    size, kernel = require_int(size, "size"), require_int(kernel, "kernel")
    stride, padding = require_int(stride, "stride"), require_int(padding, "padding", 0)
    dilation = require_int(dilation, "dilation")
    span = dilation * (kernel - 1) + 1  # how many input pixels one window covers
    if size + 2 * padding < span:
        raise ValueError(
            f"the kernel spans {span} pixels but the padded input has only "
            f"{size + 2 * padding}: use a smaller kernel or more padding"
        )
    return (size + 2 * padding - span) // stride + 1


def conv_transpose2d_out(
    size, kernel, stride=1, padding=0, output_padding=0, dilation=1
) -> int:
    """Output height (or width) of ``nn.ConvTranspose2d`` on an input ``size`` high.

    (size - 1)*stride - 2*padding + dilation*(kernel - 1) + output_padding + 1

    Returns: the output size, an int >= 1; ValueError for settings PyTorch rejects.
    """
    size, kernel = require_int(size, "size"), require_int(kernel, "kernel")
    stride, padding = require_int(stride, "stride"), require_int(padding, "padding", 0)
    dilation = require_int(dilation, "dilation")
    output_padding = require_int(output_padding, "output_padding", 0)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding must be smaller than stride or dilation, got "
            f"output_padding={output_padding} with stride={stride}, dilation={dilation}"
        )
    out = (
        (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    )
    if out < 1:
        raise ValueError(
            f"padding={padding} crops away the whole output (size would be {out}): "
            "use less padding"
        )
    return out


@dataclass(frozen=True)
class LayerShape:
    """One row of a shape table: a leaf module and the tensor it produced."""

    name: str  # the module's name inside the model, e.g. "main.0"
    layer: str  # the module as PyTorch prints it, shortened
    out_shape: tuple  # output shape without the batch dimension, e.g. (512, 4, 4)
    params: int  # number of parameters of this module


class ShapeTable(list):
    """A list of ``LayerShape`` rows that prints as an aligned text table."""

    def __str__(self) -> str:
        header = ("layer", "module", "output (C, H, W)", "params")
        rows = [
            (r.name, r.layer, " x ".join(map(str, r.out_shape)), f"{r.params:,}")
            for r in self
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
        lines = [
            "  ".join(
                cell.rjust(w) if i == 3 else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths))
            ).rstrip()
            for row in [header, *rows]
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__


def _describe(module: nn.Module) -> str:
    """Short and the same in every torch version, e.g. "ConvT(100→512, k4 s1 p0)"."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        kind = "ConvT" if isinstance(module, nn.ConvTranspose2d) else "Conv"
        (k, _), (s, _), (p, _) = module.kernel_size, module.stride, module.padding
        return f"{kind}({module.in_channels}→{module.out_channels}, k{k} s{s} p{p})"
    if isinstance(module, nn.BatchNorm2d):
        return f"BatchNorm({module.num_features})"
    if isinstance(module, nn.LeakyReLU):
        return f"LeakyReLU({module.negative_slope})"
    return type(module).__name__


@torch.no_grad()
def layer_shapes(model: nn.Module, input_shape) -> ShapeTable:
    """Run ``model`` on zeros of ``input_shape`` and record every leaf module's output.

    ``input_shape`` includes the batch dimension, e.g. ``(1, 100, 1, 1)`` for G.
    The model runs in eval mode (so BatchNorm accepts a batch of one) and its
    train/eval flags are restored afterwards.
    Returns: a ``ShapeTable`` (a list of ``LayerShape``), printable as a table.
    """
    shape = tuple(require_int(n, "input_shape entry") for n in input_shape)
    rows, hooks = ShapeTable(), []
    modes = {m: m.training for m in model.modules()}
    for name, module in model.named_modules():
        if next(module.children(), None) is not None:
            continue  # only leaves: containers repeat their children's shapes

        def record(mod, _inputs, output, name=name):
            rows.append(
                LayerShape(
                    name=name,
                    layer=_describe(mod),
                    out_shape=tuple(output.shape[1:]),
                    params=sum(p.numel() for p in mod.parameters()),
                )
            )

        hooks.append(module.register_forward_hook(record))
    try:
        model.eval()
        parameter = next(model.parameters(), None)
        device = parameter.device if parameter is not None else torch.device("cpu")
        model(torch.zeros(shape, device=device))
    finally:
        for hook in hooks:
            hook.remove()
        for module, mode in modes.items():
            module.training = mode
    return rows
