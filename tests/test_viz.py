import warnings

import matplotlib
import pytest
import torch
from matplotlib.figure import Figure

from dcgan_lib import conv_calculator, conv_diagram, show_grid, use_hangul_font
from dcgan_lib.viz import HANGUL_FONT


def test_show_grid_returns_a_figure_and_leaves_settings_alone():
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    figure = show_grid(torch.rand(10, 3, 16, 16) * 2 - 1, nrow=5, title="grid")
    assert isinstance(figure, Figure)
    assert dict(matplotlib.rcParams) == before
    assert plt.get_fignums() == []  # not registered with pyplot: shown once
    image = figure.axes[0].images[0].get_array()
    assert image.shape == (2 * 18 + 2, 5 * 18 + 2, 3)  # make_grid with padding 2


@pytest.mark.parametrize(
    "bad, message",
    [(torch.zeros(3, 8, 8), r"\(B, C, H, W\)"), (torch.zeros(2, 2, 8, 8), "1 or 3")],
)
def test_show_grid_rejects_bad_batches(bad, message):
    with pytest.raises(ValueError, match=message):
        show_grid(bad)


def test_korean_labels_render_without_missing_glyphs():
    from matplotlib import font_manager

    with matplotlib.rc_context():
        name = use_hangul_font()
        installed = HANGUL_FONT in {f.name for f in font_manager.fontManager.ttflist}
        if not installed:
            pytest.skip("fonts-nanum is not installed (CI installs it)")
        assert name == HANGUL_FONT
        figure = Figure()
        figure.add_subplot().set_title("생성자와 판별자 · generator − 2")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing" would be raised
            figure.canvas.draw()


@pytest.mark.parametrize(
    "args",
    [
        dict(size=5, kernel=3, stride=2, padding=1),
        dict(size=4, kernel=4, stride=2, padding=1, transposed=True),
        dict(size=3, kernel=3, stride=2, padding=0, transposed=True, output_padding=1),
        dict(size=6, kernel=1, stride=1, padding=0, transposed=True),
    ],
)
def test_conv_diagram_draws_one_cell_per_input_and_output(args):
    from dcgan_lib import conv2d_out, conv_transpose2d_out

    figure = conv_diagram(**args)
    texts = [t.get_text() for t in figure.axes[0].texts]
    size = args["size"]
    if args.get("transposed"):
        out = conv_transpose2d_out(
            size,
            args["kernel"],
            args["stride"],
            args["padding"],
            args.get("output_padding", 0),
        )
    else:
        out = conv2d_out(size, args["kernel"], args["stride"], args["padding"])
    assert sum(t.startswith("x") for t in texts) == size
    assert sum(t.startswith("y") for t in texts) == out
    # the input row the kernel slides over is exactly as long as the formula needs
    cells = sum(t.startswith("x") or t == "0" for t in texts)
    step = 1 if args.get("transposed") else args["stride"]
    assert cells >= (out - 1) * step + args["kernel"]


def test_conv_calculator_reports_sizes_and_impossible_settings(capsys):
    widget = conv_calculator()  # sliders: input, kernel, stride, padding; mode
    for control, value in zip(widget.children, (16, 4, 2, 1, True)):
        control.value = value
    assert "(16 - 1) x 2 - 2 x 1 + (4 - 1) + 1 = 32" in capsys.readouterr().out
    for control, value in zip(widget.children, (2, 7, 2, 0, False)):
        control.value = value
    assert "not possible" in capsys.readouterr().out


def test_library_figures_display_as_png_in_jupyter():
    png = conv_diagram(4, 4, 2, 1, transposed=True)._repr_png_()
    assert png.startswith(b"\x89PNG")
    assert show_grid(torch.zeros(4, 1, 8, 8))._repr_png_().startswith(b"\x89PNG")


def test_samples_gif_has_one_frame_per_batch_and_holds_the_last(tmp_path):
    import io

    from PIL import Image

    from dcgan_lib import samples_gif

    frames = [torch.full((10, 1, 8, 8), value) for value in (-1.0, 0.0, 1.0)]
    path = tmp_path / "runs" / "samples.gif"
    gif = samples_gif(frames, steps=[1, 2, 3], path=path, nrow=5, frame_ms=100)
    assert path.read_bytes() == gif
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF" and image.n_frames == 3 and image.info["loop"] == 0
    grid_w, grid_h = 5 * 10 + 2, 2 * 10 + 2  # make_grid with padding 2
    assert image.size == (2 * grid_w, 2 * grid_h + 16)  # scale 2, a label strip
    durations, centres = [], []
    for index in range(3):
        image.seek(index)
        durations.append(image.info["duration"])
        rgb = image.convert("RGB")
        centres.append(rgb.getpixel((2 * (2 + 4), 2 * (2 + 4)))[0])  # first image
    assert durations == [100, 100, 400]
    assert centres[0] < 10 and 100 < centres[1] < 155 and centres[2] > 245
    unlabelled = Image.open(io.BytesIO(samples_gif(frames, nrow=5, scale=1)))
    assert unlabelled.size == (grid_w, grid_h) and unlabelled.n_frames == 3


@pytest.mark.parametrize(
    "frames, kwargs, message",
    [
        ([], {}, "empty"),
        ([torch.zeros(3, 8, 8)], {}, r"\(B, C, H, W\)"),
        ([torch.zeros(2, 2, 8, 8)], {}, "1 or 3"),
        ([torch.zeros(2, 1, 8, 8)], {"steps": [1, 2]}, "2 labels for 1 frames"),
        ([torch.zeros(2, 1, 8, 8)], {"scale": 0}, "scale"),
    ],
)
def test_samples_gif_rejects_bad_input(frames, kwargs, message):
    from dcgan_lib import samples_gif

    with pytest.raises(ValueError, match=message):
        samples_gif(frames, **kwargs)


def test_figure_png_keeps_the_size_with_a_256_colour_palette():
    import io

    from PIL import Image

    from dcgan_lib.viz import figure_png

    fig = show_grid(torch.rand(16, 1, 8, 8) * 2 - 1, nrow=4, title="진짜 / real")
    fig.axes[0].plot([0, 30], [0, 30], color="tab:orange")  # a coloured line too
    plain = io.BytesIO()
    fig.savefig(plain, format="png", dpi=100, bbox_inches="tight")
    compact = figure_png(fig)
    image = Image.open(io.BytesIO(compact))
    assert image.mode == "P" and image.size == Image.open(plain).size
    assert len(compact) < len(plain.getvalue())


def test_compact_figures_changes_how_a_notebook_shows_pyplot_figures(tmp_path):
    import base64
    import io

    from helpers import run_one_cell
    from PIL import Image

    outputs = run_one_cell(
        tmp_path,
        "import matplotlib.pyplot as plt\nimport dcgan_lib as dl\n"
        "print(dl.compact_figures())\nplt.plot([0, 1], [1, 0])\nplt.show()",
    )
    assert outputs[0]["text"] == "True\n"
    (png,) = [o["data"]["image/png"] for o in outputs if "data" in o]
    assert Image.open(io.BytesIO(base64.b64decode(png))).mode == "P"
    from dcgan_lib.viz import compact_figures

    assert compact_figures() is False  # outside IPython: nothing to change


@pytest.mark.parametrize(
    "kwargs, labels",
    [
        (
            dict(ngf=128),  # the paper's widths, as its Figure 1 draws them
            ["1×1×100", "4×4×1024", "8×8×512", "16×16×256", "32×32×128", "64×64×3"],
        ),
        (
            dict(nz=10, ngf=8, nc=1, image_size=32),
            ["1×1×10", "4×4×32", "8×8×16", "16×16×8", "32×32×1"],
        ),
    ],
)
def test_generator_diagram_labels_the_sizes_the_generator_produces(kwargs, labels):
    from dcgan_lib import Generator, generator_diagram, layer_shapes

    generator = Generator(**kwargs)
    figure = generator_diagram(generator)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert [t for t in texts if "×" in t] == labels
    measured = [
        row.out_shape
        for row in layer_shapes(generator, (1, generator.nz, 1, 1))
        if row.layer.startswith("ConvT")
    ]
    drawn = [tuple(int(v) for v in label.split("×")) for label in labels[1:]]
    assert measured == [(c, h, w) for h, w, c in drawn]
    assert sum("project and reshape" in t for t in texts) == 1  # the 1x1 input
    assert texts.count("BN + ReLU") == len(labels) - 2 and "Tanh" in texts


def test_generator_diagram_reads_output_padding_and_rejects_non_generators():
    from torch import nn

    from dcgan_lib import generator_diagram

    up = nn.Sequential(
        nn.ConvTranspose2d(8, 4, 4, 1, 0),  # 1 -> 4
        nn.ConvTranspose2d(4, 2, 3, 2, 1, output_padding=1),  # 4 -> 8
    )
    texts = [t.get_text() for t in generator_diagram(up).axes[0].texts]
    assert "8×8×2" in texts and "ConvT k3 s2 p1 op1" in texts
    with pytest.raises(ValueError, match="ConvTranspose2d"):
        generator_diagram(nn.Sequential(nn.Conv2d(3, 8, 4, 2, 1)))
