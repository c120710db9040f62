"""Diagrams of the shape arithmetic: a (transposed) convolution along one axis, and
a generator's stages drawn to scale. Serves chapter 03 and its size calculator.
"""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .shapes import conv2d_out, conv_transpose2d_out
from .viz import BookFigure

__all__ = ["conv_diagram", "generator_diagram"]


def conv_diagram(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    transposed: bool = False,
    output_padding: int = 0,
) -> Figure:
    """Draw a 1-D (transposed) convolution as the ordinary convolution it equals.

    Top row: the input as the kernel sees it, padding (grey) and, for a transposed
    convolution, the stride - 1 zeros inserted between pixels (white). Bottom row:
    the output; the first window is outlined. Returns: a matplotlib ``Figure``.
    """
    if transposed:
        out = conv_transpose2d_out(size, kernel, stride, padding, output_padding)
        edge = kernel - 1 - padding  # zeros added on each side (negative: cropped)
        cells = []
        for i in range(size):
            cells.append(("x", i))
            if i < size - 1:
                cells += [("zero", None)] * (stride - 1)
        left, right = edge, edge + output_padding
        cells = [("pad", None)] * max(left, 0) + cells + [("pad", None)] * max(right, 0)
        cells = cells[max(-left, 0) : len(cells) - max(-right, 0)]
        step = 1
    else:
        out = conv2d_out(size, kernel, stride, padding)
        cells = [("pad", None)] * padding + [("x", i) for i in range(size)]
        cells += [("pad", None)] * padding
        step = stride
    width = max(len(cells), out)
    fig = BookFigure(figsize=(min(11.0, max(5.0, 0.42 * width + 1.2)), 2.4))
    ax = fig.add_subplot()
    colors = {"x": "#9ecae1", "zero": "white", "pad": "#d9d9d9"}
    for j, (kind, index) in enumerate(cells):
        ax.add_patch(Rectangle((j, 1.6), 0.9, 0.9, fc=colors[kind], ec="#555555"))
        label = f"x{index}" if kind == "x" else "0"
        ax.text(j + 0.45, 2.05, label, ha="center", va="center", fontsize=8)
    offset = (len(cells) - ((out - 1) * step + kernel)) / 2  # centre the outputs
    for j in range(out):
        x = offset + j * step + (kernel - 1) / 2
        ax.add_patch(Rectangle((x, 0.0), 0.9, 0.9, fc="#a1d99b", ec="#555555"))
        ax.text(x + 0.45, 0.45, f"y{j}", ha="center", va="center", fontsize=8)
    ax.add_patch(
        Rectangle((-0.05, 1.55), kernel - 0.05, 1.0, fill=False, ec="#d62728", lw=2)
    )
    kind = "conv_transpose" if transposed else "conv"
    ax.set_title(
        f"{kind}: size {size}, kernel {kernel}, stride {stride}, padding {padding}"
        + (f", output_padding {output_padding}" if output_padding else "")
        + f"  ->  output {out}",
        fontsize=9,
    )
    legend = [
        ("입력 / input", colors["x"]),
        ("패딩 / padding", colors["pad"]),
        ("출력 / output", "#a1d99b"),
    ]
    if transposed and stride > 1:
        legend.insert(1, ("끼워 넣은 0 / inserted zeros", colors["zero"]))
    ax.legend(
        handles=[
            Rectangle((0, 0), 1, 1, fc=c, ec="#555555", label=n) for n, c in legend
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=len(legend),
        fontsize=8,
        frameon=False,
    )
    ax.set_xlim(-0.5, width + 0.5)
    ax.set_ylim(-0.2, 2.7)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.tight_layout()
    return fig


def generator_diagram(generator) -> Figure:
    """Draw a generator as a pipeline of feature maps, like Figure 1 of the DCGAN paper.

    One box per map, from z (a 1x1 map with as many channels as the first layer
    reads) to the image: the front square grows with the spatial size, the depth
    with the channels. The sizes are computed, not measured: ``conv_transpose2d_out``
    applied to each ConvTranspose2d's kernel, stride, padding, output_padding and
    dilation, starting at 1x1. Above each arrow: the layer; below it: the modules
    that follow it (BatchNorm, ReLU, Tanh, ...). Returns: a matplotlib ``Figure``.
    """
    import math

    from matplotlib.patches import FancyArrowPatch, Polygon
    from torch import nn

    leaves = [m for m in generator.modules() if next(m.children(), None) is None]
    convs = [i for i, m in enumerate(leaves) if isinstance(m, nn.ConvTranspose2d)]
    if not convs:
        raise ValueError("the generator has no nn.ConvTranspose2d layer to draw")
    stages = [(1, leaves[convs[0]].in_channels)]  # (size, channels), z first
    layers = []  # (text above the arrow, text below it)
    for number, i in enumerate(convs):
        conv = leaves[i]
        (k, _), (s, _), (p, _) = conv.kernel_size, conv.stride, conv.padding
        op, d = conv.output_padding[0], conv.dilation[0]
        size = conv_transpose2d_out(stages[-1][0], k, s, p, op, d)
        stages.append((size, conv.out_channels))
        above = f"ConvT k{k} s{s} p{p}" + (f" op{op}" if op else "")
        if stages[-2][0] == 1:  # on a 1x1 input: a matrix multiplication
            above = "투영 후 모양 바꾸기\nproject and reshape\n" + above
        end = convs[number + 1] if number + 1 < len(convs) else len(leaves)
        names = [type(m).__name__ for m in leaves[i + 1 : end]]
        below = " + ".join(n.replace("BatchNorm2d", "BN") for n in names)
        layers.append((above, below))

    def side(size):  # the front square: 1x1 -> 0.3, 64x64 -> 2.1
        return 0.3 + 0.3 * math.log2(size)

    def depth(channels):  # the oblique edge: 3 -> 0.22, 1024 -> 1.4
        return 0.14 * math.log2(max(channels, 2))

    slant = (0.7, 0.5)  # direction of the depth edge
    low = -max(side(size) for size, _ in stages) / 2 - 0.25  # labels go below
    fig = BookFigure()
    ax = fig.add_subplot()
    x, top = 0.0, 1.6
    for index, (size, channels) in enumerate(stages):
        h, dep = side(size), depth(channels)
        dx, dy = slant[0] * dep, slant[1] * dep
        last = index == len(stages) - 1
        color = "#d9d9d9" if index == 0 else ("#fdae6b" if last else "#9ecae1")
        front = [(x, -h / 2), (x + h, -h / 2), (x + h, h / 2), (x, h / 2)]
        lid = [
            (x, h / 2),
            (x + h, h / 2),
            (x + h + dx, h / 2 + dy),
            (x + dx, h / 2 + dy),
        ]
        flank = [
            (x + h, -h / 2),
            (x + h + dx, -h / 2 + dy),
            (x + h + dx, h / 2 + dy),
            (x + h, h / 2),
        ]
        for corners, shade in ((flank, 0.75), (lid, 0.88), (front, 1.0)):
            rgb = [shade * c for c in matplotlib.colors.to_rgb(color)]
            ax.add_patch(Polygon(corners, closed=True, fc=rgb, ec="#555555", lw=0.8))
        label = f"{size}×{size}×{channels}"
        ax.text(x + h / 2, low, label, ha="center", va="top", fontsize=9)
        name = "z" if index == 0 else ("G(z)" if last else "")
        ax.text(x + h / 2, low - 0.4, name, ha="center", va="top", fontsize=9)
        top = max(top, h / 2 + dy)
        x += h + dx
        if not last:
            above, below = layers[index]
            gap = 2.6 if "\n" in above else 2.0  # room for the arrow's labels
            arrow = FancyArrowPatch(
                (x + 0.15, 0), (x + gap - 0.15, 0), arrowstyle="-|>", mutation_scale=12
            )
            ax.add_patch(arrow)
            ax.text(
                x + gap / 2,
                0.15,
                above,
                ha="center",
                va="bottom",
                fontsize=8,
                linespacing=1.3,
            )
            ax.text(x + gap / 2, -0.15, below, ha="center", va="top", fontsize=8)
            x += gap
    ax.set_title("생성자: z에서 이미지까지 / generator: from z to an image")
    ax.set_xlim(-0.3, x + 0.3)
    ax.set_ylim(low - 0.85, top + 0.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.set_size_inches(round(min(11.0, 0.45 * x + 0.6), 1), 3.3)
    fig.tight_layout()
    return fig
