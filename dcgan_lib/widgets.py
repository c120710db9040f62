"""Interactive widgets: chapter 03's size calculator and chapter 07's latent-space
explorer. They work with ipywidgets 7.7 (Colab's) and 8.

Where no widget can run (GitHub, the static book) the explorer shows a picture of
what it draws instead.
"""

from __future__ import annotations

import base64

import torch

from .diagrams import conv_diagram
from .latent import INTERPOLATION_METHODS, arithmetic, walk
from .sampling import generate
from .shapes import conv2d_out, conv_transpose2d_out
from .viz import BookFigure, figure_png, image_grid

__all__ = ["conv_calculator", "latent_explorer"]

_ROW = 13  # images per row when a walk is drawn as a grid


def conv_calculator():
    """An ipywidgets calculator: input size, kernel, stride, padding -> output size.

    Works in Jupyter and Colab. Shows the formula with the numbers filled in and
    the diagram of ``conv_diagram``. Where widgets cannot run (the static book,
    GitHub) it shows the diagram and formula of its starting values instead.
    Returns: the widget (display it).
    """
    import ipywidgets as widgets
    from IPython.display import display

    controls = {
        "size": widgets.IntSlider(8, 1, 16, description="input"),
        "kernel": widgets.IntSlider(4, 1, 7, description="kernel"),
        "stride": widgets.IntSlider(2, 1, 4, description="stride"),
        "padding": widgets.IntSlider(1, 0, 4, description="padding"),
        "transposed": widgets.ToggleButtons(
            options=[("Conv2d", False), ("ConvTranspose2d", True)], value=False
        ),
    }

    def formula(size, kernel, stride, padding, transposed):
        if transposed:
            out = conv_transpose2d_out(size, kernel, stride, padding)
            return (
                f"({size} - 1) x {stride} - 2 x {padding} + ({kernel} - 1) + 1 = {out}"
            )
        out = conv2d_out(size, kernel, stride, padding)
        return f"floor(({size} + 2 x {padding} - {kernel}) / {stride}) + 1 = {out}"

    def update(size, kernel, stride, padding, transposed):
        try:
            text = formula(size, kernel, stride, padding, transposed)
        except ValueError as error:
            print(f"not possible: {error}")
            return
        print(f"output size: {text}")
        display(conv_diagram(size, kernel, stride, padding, transposed))

    calculator = widgets.interactive(update, **controls)
    if not calculator.kwargs:  # ipywidgets 7 draws only when shown on its own
        calculator.update()
    start = {name: control.value for name, control in controls.items()}
    return _with_picture(
        calculator,
        figure_png(conv_diagram(**start)),
        f"size calculator: output size: {formula(**start)}; "
        "run the notebook to move the controls",
    )


def _strip(ax, images, title, marked=None, nrow=None):
    """Images on ``ax``, ``nrow`` to a row (all in one row by default); image
    ``marked`` gets a red frame."""
    from matplotlib.patches import Rectangle

    nrow = nrow or len(images)
    grid = image_grid(images, nrow, (-1.0, 1.0))
    ax.imshow(grid.permute(1, 2, 0).numpy(), interpolation="nearest")
    if marked is not None:
        side = images.shape[-1] + 2  # make_grid puts 2 pixels between images
        row, col = divmod(marked, nrow)
        ax.add_patch(
            Rectangle(
                (col * side + 0.5, row * side + 0.5), side, side, fill=False, ec="red"
            )
        )
    ax.set_title(title, fontsize=9, loc="left")
    ax.set_axis_off()


def _label(classifier, images) -> list[str]:
    """``digit (probability)`` for each image, or '' without a classifier."""
    if classifier is None:
        return [""] * len(images)
    with torch.no_grad():
        probabilities = classifier(images).softmax(1)
    top = probabilities.max(1)
    return [f"{d} ({p:.2f})" for d, p in zip(top.indices.tolist(), top.values.tolist())]


def latent_explorer(G, points, concepts: dict, steps_between: int = 8, classifier=None):
    """An explorer of G's latent space in two parts: a slider that moves along a
    walk through ``points`` (lerp or slerp, ``latent.walk``), and the paper's
    arithmetic ``a - b + c`` on three concepts chosen from ``concepts``
    (``latent.arithmetic``: each concept's exemplars averaged first).

    ``G``: a generator prepared by ``prepare_for_sampling``; ``points``: (K, nz)
    latent vectors, K >= 2; ``concepts``: {name: (k, nz) latent vectors of the
    concept's exemplars}, at least one; ``classifier``: optional, e.g.
    ``digit_classifier()``, to label every image with its digit. Each change of a
    control prints one line (what is shown, ||z||, the digit) and draws a figure.
    Displayed where no widget runs, it shows both walks and the arithmetic of the
    first three concepts as a picture. Returns: the widget (display it).
    """
    import ipywidgets as widgets
    from IPython.display import display

    if not isinstance(concepts, dict) or not concepts:
        raise ValueError(
            "concepts must be a dict {name: exemplar z (k, nz)}, not empty"
        )
    paths = {
        method: walk(points, steps_between, method) for method in INTERPOLATION_METHODS
    }
    frames = {method: generate(G, path) for method, path in paths.items()}
    exemplars = {
        name: generate(G, z.reshape(len(z), -1)) for name, z in concepts.items()
    }
    names = list(concepts)

    def show_walk(frame, method):
        images, z = frames[method], paths[method][frame].flatten()
        label = _label(classifier, images[frame : frame + 1])[0]
        print(
            f"{method}: frame {frame} of {len(images) - 1}, ||z|| = {z.norm():.2f}"
            + (f", digit {label}" if label else "")
        )
        fig = BookFigure(figsize=(9, 3.4))
        grid, big = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1]})
        _strip(grid, images, f"산책 / walk ({method})", marked=frame, nrow=_ROW)
        _strip(big, images[frame : frame + 1], f"프레임 / frame {frame}")
        fig.tight_layout()
        display(fig)

    def show_sum(a, b, c):
        y = arithmetic(concepts[a], concepts[b], concepts[c])
        result = generate(G, y[None])
        label = _label(classifier, result)[0]
        print(
            f"{a} - {b} + {c}: ||y|| = {y.norm():.2f}"
            + (f", digit {label}" if label else "")
        )
        display(
            _sum_figure([exemplars[a], exemplars[b], exemplars[c]], (a, b, c), result)
        )

    last = len(paths["slerp"]) - 1
    walk_controls = widgets.interactive(
        show_walk,
        frame=widgets.IntSlider(value=0, min=0, max=last, description="frame"),
        method=widgets.ToggleButtons(
            options=list(INTERPOLATION_METHODS), value="slerp"
        ),
    )
    pick = [names[min(i, len(names) - 1)] for i in range(3)]
    sum_controls = widgets.interactive(
        show_sum,
        **{
            key: widgets.Dropdown(options=names, value=value, description=key)
            for key, value in zip("abc", pick)
        },
    )
    for controls in (walk_controls, sum_controls):
        if not controls.kwargs:  # ipywidgets 7 draws only when shown on its own
            controls.update()
    result = generate(G, arithmetic(*(concepts[name] for name in pick))[None])
    picture = _explorer_picture(frames, exemplars, pick, result)
    return _with_picture(
        widgets.VBox(
            [
                widgets.HTML("<b>walk / 산책</b>"),
                walk_controls,
                widgets.HTML("<b>a - b + c</b>"),
                sum_controls,
            ]
        ),
        figure_png(picture),
        "latent explorer: run the notebook to move the controls",
    )


def _sum_figure(groups, names, result):
    """a's exemplars - b's + c's = the image of the result, in one row."""
    count = sum(len(g) for g in groups) + 1
    fig = BookFigure(figsize=(0.75 * count + 0.6, 1.4))
    axes = fig.subplots(1, count)
    position = 0
    for sign, group, name in zip(("", "- ", "+ "), groups, names):
        for k, image in enumerate(group):
            _strip(axes[position], image[None], sign + name if k == 0 else "")
            position += 1
    _strip(axes[-1], result, "= ?")
    fig.tight_layout()
    return fig


def _explorer_picture(frames, exemplars, pick, result):
    """What the explorer draws, as one figure: both walks and one arithmetic."""
    rows = -(-len(frames["slerp"]) // _ROW)
    fig = BookFigure(figsize=(10, 0.42 * rows + 2.4))
    layout = fig.add_gridspec(2, 2, height_ratios=[rows, 1.8])
    for column, method in enumerate(INTERPOLATION_METHODS):
        ax = fig.add_subplot(layout[0, column])
        _strip(ax, frames[method], f"산책 / walk ({method})", nrow=_ROW)
    row = torch.cat([*(exemplars[name] for name in pick), result])
    title = f"{pick[0]} - {pick[1]} + {pick[2]} = (마지막 / last)"
    _strip(fig.add_subplot(layout[1, :]), row, title)
    fig.tight_layout()
    return fig


def _with_picture(widget, png: bytes, text: str):
    """``widget`` displayed as itself where widgets run and as ``png`` (and
    ``text``) elsewhere, in the static book or on GitHub: all go into one display
    bundle and the front end picks what it can show."""
    model_id = widget.model_id

    def ipython_display(**kwargs):
        from IPython.display import display

        bundle = {
            "text/plain": text,
            "image/png": base64.b64encode(png).decode("ascii"),
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2,
                "version_minor": 0,
                "model_id": model_id,
            },
        }
        display(bundle, raw=True)

    widget._ipython_display_ = ipython_display
    return widget
