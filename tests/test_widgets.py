"""dcgan_lib.widgets: the latent explorer answers its controls and has a picture
for places where widgets cannot run (chapter 03's calculator is in test_viz)."""

import base64

import pytest
import torch
from IPython.core.formatters import DisplayFormatter

import dcgan_lib as dl


@pytest.fixture(scope="module")
def explorer_parts():
    dl.seed_everything(0)
    G = dl.Generator(nz=100, ngf=8, nc=1, image_size=32)
    G.apply(dl.weights_init)
    G = dl.prepare_for_sampling(G, n_batches=2)
    points = torch.randn(3, 100, generator=torch.Generator().manual_seed(1))
    concepts = {
        name: torch.randn(3, 100, generator=torch.Generator().manual_seed(k))
        for k, name in enumerate(["thick 3", "thin 3", "thin 7"])
    }
    return G, points, concepts


def test_explorer_moves_along_the_walk_and_redoes_the_arithmetic(
    explorer_parts, capsys
):
    G, points, concepts = explorer_parts
    explorer = dl.latent_explorer(G, points, concepts, steps_between=4)
    walk_controls, sum_controls = explorer.children[1], explorer.children[3]
    assert "slerp: frame 0 of 8" in capsys.readouterr().out
    frame, method = walk_controls.children[:2]
    frame.value = 4  # 4 steps from the first point: the second point
    out = capsys.readouterr().out
    assert f"||z|| = {points[1].norm():.2f}" in out, out
    frame.value = 2
    method.value = "lerp"
    middle = dl.lerp(points[0], points[1], 0.5)
    assert f"lerp: frame 2 of 8, ||z|| = {middle.norm():.2f}" in capsys.readouterr().out
    a, b, c = sum_controls.children[:3]
    assert (a.value, b.value, c.value) == ("thick 3", "thin 3", "thin 7")
    b.value = "thick 3"  # a - a + c = c's mean
    mean = concepts["thin 7"].mean(0)
    assert f"||y|| = {mean.norm():.2f}" in capsys.readouterr().out


def test_explorer_labels_digits_with_a_classifier(explorer_parts, capsys):
    G, points, concepts = explorer_parts
    dl.latent_explorer(G, points, concepts, 2, classifier=dl.digit_classifier())
    assert ", digit " in capsys.readouterr().out


def test_explorer_shows_a_picture_where_widgets_cannot_run(explorer_parts):
    explorer = dl.latent_explorer(*explorer_parts)
    bundle = DisplayFormatter().format(explorer)  # IPython calls the explorer...
    assert bundle == ({}, {})  # ...which displays its own bundle
    published = []
    import IPython.display

    original = IPython.display.display
    IPython.display.display = lambda data, raw: published.append(data)
    try:
        explorer._ipython_display_()
    finally:
        IPython.display.display = original
    (data,) = published
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")


def test_explorer_refuses_no_concepts(explorer_parts):
    G, points, _ = explorer_parts
    with pytest.raises(ValueError, match="concepts must be a dict"):
        dl.latent_explorer(G, points, {})
