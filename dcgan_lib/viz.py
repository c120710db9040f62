"""Pictures: image grids, a Hangul-capable font, training curves, animations, and
the figure class every drawing uses. Serves every chapter's figures.
"""

from __future__ import annotations

import glob
import io
import warnings

import matplotlib
import torch
from matplotlib.figure import Figure

__all__ = [
    "image_grid",
    "show_grid",
    "plot_history",
    "samples_gif",
    "use_hangul_font",
    "BookFigure",
    "figure_png",
    "compact_figures",
]

HANGUL_FONT = "NanumGothic"
_FONT_GLOBS = (
    "/usr/share/fonts/truetype/nanum/NanumGothic*.ttf",  # Debian/Ubuntu, Colab
    "/usr/share/fonts/nanum*/NanumGothic*.ttf",
    "/Library/Fonts/NanumGothic*.ttf",  # macOS with the font installed
)


class BookFigure(Figure):
    """A matplotlib Figure that shows itself as a PNG in Jupyter and Colab.

    The library builds figures without pyplot (no global state, nothing left open),
    so it cannot rely on pyplot's inline hooks to display them.
    """

    def _repr_png_(self) -> bytes:
        return figure_png(self)


def figure_png(fig, colors: int = 256) -> bytes:
    """A figure as a PNG with a palette of ``colors`` colours (100 dpi, tight box).

    A plot has few distinct colours, so a 256-colour palette looks the same as the
    full-colour PNG at about a third of the bytes: a notebook with many figures
    stays light enough for GitHub and nbviewer. The resolution is unchanged.
    """
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    image = Image.open(buffer).convert("RGB").quantize(colors)
    out = io.BytesIO()
    image.save(out, format="png", optimize=True)
    return out.getvalue()


def compact_figures() -> bool:
    """Show this notebook's matplotlib figures as :func:`figure_png` PNGs.

    Call it once at the top of a notebook, before drawing (it closes open figures).
    Outside IPython it does nothing. Returns: True when the display was changed.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    import matplotlib.pyplot as plt

    # load the inline backend now: loading it later would install its own formatter
    plt.switch_backend(matplotlib.get_backend())
    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, figure_png)
    return True


def use_hangul_font() -> str | None:
    """Make matplotlib draw Korean text: register NanumGothic and put it first.

    This is the one helper that changes matplotlib's settings (``rcParams``), on
    purpose: call it once at the top of a notebook. DejaVu Sans stays as the
    fallback for symbols NanumGothic lacks. Without the font (Debian/Ubuntu:
    ``apt-get install fonts-nanum``) it warns and changes nothing.
    Returns: the font's name, or None when it is not installed.
    """
    from matplotlib import font_manager

    for pattern in _FONT_GLOBS:
        for path in glob.glob(pattern):
            font_manager.fontManager.addfont(path)  # also works with a stale cache
    names = {font.name for font in font_manager.fontManager.ttflist}
    if HANGUL_FONT not in names:
        warnings.warn(
            "NanumGothic is not installed, so Korean labels will show as boxes. "
            "Install it with `apt-get install fonts-nanum` (Debian/Ubuntu, Colab). "
            "/ 나눔고딕 글꼴이 없습니다: `apt-get install fonts-nanum`으로 설치하세요.",
            stacklevel=2,
        )
        return None
    matplotlib.rcParams["font.family"] = [HANGUL_FONT, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # NanumGothic has no U+2212
    return HANGUL_FONT


def image_grid(
    images: torch.Tensor,
    nrow: int = 8,
    value_range: tuple[float, float] = (-1.0, 1.0),
) -> torch.Tensor:
    """One image of a batch laid out ``nrow`` to a row, 2 white pixels between images.

    ``images``: (B, C, H, W) with C in {1, 3}, pixels in ``value_range``
    (``torchvision.utils.make_grid``, normalized). For drawing on an axis of your
    own; :func:`show_grid` makes a whole figure. Bad batches get a clear ValueError.
    Shape: (3, H', W') on the CPU, pixels in [0, 1]; ``.permute(1, 2, 0)`` for imshow.
    """
    from torchvision.utils import make_grid

    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        shape = getattr(images, "shape", type(images).__name__)
        raise ValueError(f"images must be a tensor of shape (B, C, H, W), got {shape}")
    if images.shape[1] not in (1, 3):
        raise ValueError(f"images must have 1 or 3 channels, got {images.shape[1]}")
    return make_grid(
        images.detach().float().cpu(),
        nrow=nrow,
        padding=2,
        normalize=True,
        value_range=value_range,
        pad_value=1.0,
    )


def show_grid(
    images: torch.Tensor,
    nrow: int = 8,
    title: str | None = None,
    value_range: tuple[float, float] = (-1.0, 1.0),
    size: float = 0.6,
) -> Figure:
    """Lay out a batch of images on one figure with ``torchvision.utils.make_grid``.

    ``images``: (B, C, H, W) with C in {1, 3}, pixels in ``value_range``.
    ``size``: inches per image. Returns: a matplotlib ``Figure``.
    """
    grid = image_grid(images, nrow, value_range)
    cols = min(nrow, images.shape[0])
    rows = -(-images.shape[0] // nrow)
    aspect = images.shape[2] / images.shape[3]
    fig = BookFigure(
        figsize=(max(2.0, cols * size), max(1.5, rows * size * aspect + 0.4))
    )
    ax = fig.add_subplot()
    ax.imshow(grid.permute(1, 2, 0).numpy(), interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_history(history, title: str | None = None, smooth: int = 10) -> Figure:
    """Loss curves and D's outputs of a ``train`` History, side by side.

    Left: loss_d and loss_g. Right: D(x), D(G(z)) before and after D's update.
    ``smooth``: moving-average window in steps (1 = raw). Returns: a ``Figure``.
    """
    import numpy as np

    def smoothed(values):
        values = np.asarray(values, dtype=float)
        width = max(1, min(smooth, len(values)))
        return np.convolve(values, np.ones(width) / width, mode="valid")

    steps = np.asarray(history.step)
    fig = BookFigure(figsize=(10, 3.4))
    left, right = fig.subplots(1, 2)
    for ax, keys in (
        (left, ("loss_d", "loss_g")),
        (right, ("d_real", "d_fake", "d_fake_after")),
    ):
        for key in keys:
            curve = smoothed(getattr(history, key))
            ax.plot(steps[len(steps) - len(curve) :], curve, label=key)
        ax.set_xlabel("단계 / step")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    left.set_title("손실 / losses", fontsize=10)
    right.set_title("판별자 출력 / D outputs", fontsize=10)
    right.set_ylim(0, 1)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def samples_gif(
    samples,
    steps=None,
    path=None,
    nrow: int = 8,
    value_range: tuple[float, float] = (-1.0, 1.0),
    frame_ms: int = 200,
    scale: int = 2,
) -> bytes:
    """An animated GIF with one image grid per frame, e.g. of ``History.samples``.

    ``samples``: a list of (B, C, H, W) tensors with C in {1, 3}, pixels in
    ``value_range``; ``steps``: an optional label per frame ("step 500"), written
    under its grid. Each grid is enlarged ``scale`` times (nearest pixel); the last
    frame stays on screen four times as long. With ``path`` the GIF is also written
    there. Returns: the GIF's bytes; in a notebook, show them with
    ``IPython.display.Image(data=gif, format="gif")``.
    """
    from pathlib import Path

    from PIL import Image, ImageDraw, ImageFont

    samples = list(samples)
    if not samples:
        raise ValueError("samples is empty: pass a list of (B, C, H, W) tensors")
    grids = [image_grid(images, nrow, value_range) for images in samples]
    if steps is not None and len(steps) != len(samples):
        raise ValueError(f"{len(steps)} labels for {len(samples)} frames")
    if not (isinstance(scale, int) and scale >= 1 and frame_ms >= 1):
        raise ValueError(
            f"scale must be an int >= 1 and frame_ms >= 1, got {scale}, {frame_ms}"
        )
    frames = []
    for index, grid in enumerate(grids):
        pixels = (grid.permute(1, 2, 0) * 255).round().clamp(0, 255).byte().numpy()
        frame = Image.fromarray(pixels, "RGB")
        frame = frame.resize((frame.width * scale, frame.height * scale), Image.NEAREST)
        if steps is not None:
            labelled = Image.new("RGB", (frame.width, frame.height + 16), "white")
            labelled.paste(frame, (0, 0))
            ImageDraw.Draw(labelled).text(
                (4, frame.height + 2),
                f"step {steps[index]}",
                fill="black",
                font=ImageFont.load_default(),
            )
            frame = labelled
        frames.append(frame)
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[frame_ms] * (len(frames) - 1) + [4 * frame_ms],
        loop=0,
    )
    gif = buffer.getvalue()
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gif)
    return gif
