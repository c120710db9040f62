"""The checks of the book's widgets, shared by the two runs in
tests/test_widgets_colab.py: one in pytest's own process under ipywidgets 8 (what
requirements.txt installs), one in a second Python under ipywidgets 7.7 (what
Google Colab ships), started as

    PYTHONPATH=<folder holding ipywidgets 7.7> python tests/widget_checks.py 7.7

The widgets are chapter 03's ``conv_calculator`` and chapter 07's
``latent_explorer``. For each, a table of steps says what the reader does (show
the widget, then move one control) and the line the widget must print after that
step. ``run_every_widget()`` carries the steps out and returns what the widgets
printed, asserting nothing, so that the second process can hand it back as JSON;
``assert_every_widget_answered()`` compares it with the tables. Both runs go through
exactly these two functions.
"""

from __future__ import annotations

import contextlib
import io
import json
import platform
import sys
from pathlib import Path

import ipykernel
import IPython
import ipywidgets
import torch
import traitlets
from IPython.core.formatters import DisplayFormatter

import dcgan_lib as dl

# A step of a table: (control, its new value, the lines the widget must then
# print). The first step, ("show", None, ...), builds the widget and shows it as
# Jupyter shows a cell's value.

# Chapter 03's calculator starts at input 8, kernel 4, stride 2, padding 1, Conv2d.
CALCULATOR_STEPS = [
    ("show", None, "output size: floor((8 + 2 x 1 - 4) / 2) + 1 = 4"),
    ("kernel", 2, "output size: floor((8 + 2 x 1 - 2) / 2) + 1 = 5"),
    ("stride", 1, "output size: floor((8 + 2 x 1 - 2) / 1) + 1 = 9"),
    ("transposed", True, "output size: (8 - 1) x 1 - 2 x 1 + (2 - 1) + 1 = 7"),
]


def explorer_inputs():
    """Chapter 07's explorer on small made-up inputs: 3 points to walk through and
    3 concepts of 3 exemplars each."""
    points = torch.randn(3, 100, generator=torch.Generator().manual_seed(1))
    concepts = {
        name: torch.randn(3, 100, generator=torch.Generator().manual_seed(k))
        for k, name in enumerate(["thick 3", "thin 3", "thin 7"])
    }
    return points, concepts


def build_explorer():
    """The explorer as chapter 07 builds it (a generator, points, concepts, the
    digit classifier), on a small untrained generator and 4 steps between two
    points: frames 0..8."""
    dl.seed_everything(0)
    G = dl.Generator(nz=100, ngf=8, nc=1, image_size=32)
    G.apply(dl.weights_init)
    G = dl.prepare_for_sampling(G, n_batches=2)
    points, concepts = explorer_inputs()
    return dl.latent_explorer(G, points, concepts, 4, dl.digit_classifier())


def explorer_steps():
    """The explorer's table, like CALCULATOR_STEPS; its lines hold norms of the
    inputs, found here without the explorer's own walk and arithmetic."""
    points, concepts = explorer_inputs()
    mean = {name: z.mean(0) for name, z in concepts.items()}

    def walked(method, frame, z):
        return f"{method}: frame {frame} of 8, ||z|| = {z.norm():.2f}"

    def summed(a, b, c):
        return f"{a} - {b} + {c}: ||y|| = {(mean[a] - mean[b] + mean[c]).norm():.2f}"

    return [
        (
            "show",
            None,
            walked("slerp", 0, points[0]),
            summed("thick 3", "thin 3", "thin 7"),
        ),
        ("frame", 4, walked("slerp", 4, points[1])),  # 4 steps on: the next point
        ("frame", 2, walked("slerp", 2, dl.slerp(points[0], points[1], 0.5))),
        ("method", "lerp", walked("lerp", 2, dl.lerp(points[0], points[1], 0.5))),
        ("b", "thick 3", summed("thick 3", "thick 3", "thin 7")),  # a - a + c = c
        ("c", "thin 3", summed("thick 3", "thick 3", "thin 3")),
    ]


def run_every_widget() -> dict:
    """Every step of both tables, carried out under the ipywidgets this Python
    imports: {"versions": ..., widget name: [what it printed at each step]}."""
    return {
        "versions": versions(),
        "conv_calculator": _run_steps(
            dl.conv_calculator, _calculator_controls, CALCULATOR_STEPS
        ),
        "latent_explorer": _run_steps(
            build_explorer, _explorer_controls, explorer_steps()
        ),
    }


def assert_every_widget_answered(seen: dict):
    """After every step, the widget printed the lines of its table: for each, a
    printed line that begins with it (the explorer adds the digit it sees). Whole
    lines, so that a picture's display bundle, printed as one line of text where
    no front end runs, cannot pass for what the widget printed."""
    for name, steps in [
        ("conv_calculator", CALCULATOR_STEPS),
        ("latent_explorer", explorer_steps()),
    ]:
        assert len(seen[name]) == len(steps), (name, seen[name])
        for (control, value, *lines), printed in zip(steps, seen[name]):
            step = "show" if control == "show" else f"{control} = {value!r}"
            for line in lines:
                assert any(out.startswith(line) for out in printed.splitlines()), (
                    f"{name} under ipywidgets {seen['versions']['ipywidgets']}: "
                    f"after {step}, expected {line!r}, got:\n{printed}"
                )


def versions() -> dict:
    """The versions of what runs the widgets, and where ipywidgets and dcgan_lib
    came from."""
    return {
        "python": platform.python_version(),
        "ipywidgets": ipywidgets.__version__,
        "IPython": IPython.__version__,
        "ipykernel": ipykernel.__version__,
        "traitlets": traitlets.__version__,
        "ipywidgets folder": str(Path(ipywidgets.__file__).parent),
        "dcgan_lib folder": str(Path(dl.__file__).parent),
    }


def _run_steps(build, controls_of, steps) -> list[str]:
    """Build the widget and show it, then set one control after the other, as the
    steps say; the text printed at each step. An error in the widget's function
    does not stop this: ipywidgets only logs it, and the step prints less."""
    printed = []
    with _printed_into(printed):
        widget = build()
        _show(widget)
    controls = controls_of(widget)
    for control, value, *_ in steps[1:]:
        with _printed_into(printed):
            controls[control].value = value
    return printed


def _show(widget):
    """What Jupyter does with a cell's value: IPython's display formatter, which
    calls the widget's ``_ipython_display_`` if it has one. ipywidgets 7's
    ``interactive`` draws for the first time only then (ipywidgets 8 draws when it
    is built), so a widget that stays blank until a control moves fails the
    "show" step under 7.7 only."""
    DisplayFormatter().format(widget)


@contextlib.contextmanager
def _printed_into(printed: list):
    """Appends to ``printed`` what the block printed. Without a front end, a widget's
    Output prints to stdout, like test_widgets.py's capsys sees it; clear_output
    prints an escape sequence, dropped here, and long lines (a display bundle with
    a PNG) are cut."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    text = buffer.getvalue().replace("\x1b[2K\r", "")
    printed.append("\n".join(line[:300] for line in text.splitlines()))


def _calculator_controls(calculator):
    names = ["size", "kernel", "stride", "padding", "transposed"]
    return dict(zip(names, calculator.children))  # the Output comes last


def _explorer_controls(explorer):
    walk_controls, sum_controls = explorer.children[1], explorer.children[3]
    frame, method = walk_controls.children[:2]
    a, b, c = sum_controls.children[:3]
    return {"frame": frame, "method": method, "a": a, "b": b, "c": c}


if __name__ == "__main__":
    # python tests/widget_checks.py 7.7: first make sure that the ipywidgets this
    # Python imports is the one asked for (not the venv's 8), then run every step;
    # the last line of stdout is what the widgets printed, as JSON.
    wanted = sys.argv[1]
    assert ipywidgets.__version__.startswith(wanted), (
        f"expected ipywidgets {wanted}, found {ipywidgets.__version__} in "
        f"{ipywidgets.__file__}: is its folder first on PYTHONPATH?"
    )
    print(json.dumps(run_every_widget()))
