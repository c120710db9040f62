"""The numbers the errata pages state are recomputed here, so they stay true."""

from pathlib import Path

import pytest
import torch
from torch import nn

import dcgan_lib as dl

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "book" / "en" / "errata.md", ROOT / "book" / "ko" / "errata.md"]


def _saturated_fraction(std):
    torch.manual_seed(0)
    generator = dl.Generator()
    generator.apply(lambda module: dl.weights_init(module, std=std))
    with torch.no_grad():
        images = generator(torch.randn(64, 100, 1, 1))
    return (images.abs() > 0.99).float().mean().item()


def _batchnorm_output_std(gamma_mean):
    torch.manual_seed(0)
    layer = nn.BatchNorm2d(32)
    nn.init.normal_(layer.weight, gamma_mean, 0.02)
    nn.init.zeros_(layer.bias)
    return layer(torch.randn(64, 32, 8, 8) * 3 + 1).std().item()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_std_point_two_saturates_the_generator(page):
    saturated = _saturated_fraction(0.2)
    assert _saturated_fraction(0.02) == 0
    assert f"{saturated:.0%}".replace("%", " %") in page.read_text()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_batchnorm_gamma_around_zero_silences_the_layer(page):
    silent, normal = _batchnorm_output_std(0.0), _batchnorm_output_std(1.0)
    text = page.read_text()
    assert f"{silent:.3f}" in text  # "drops from 1.00 to 0.020"
    assert silent < 0.05 and normal == pytest.approx(1.0, abs=0.02)


def test_std_and_variance_are_not_confused():
    weights = torch.empty(1_000_000)
    nn.init.normal_(weights, 0.0, 0.02)  # the third argument is the std
    assert weights.var().item() == pytest.approx(0.0004, rel=0.01)
    assert 0.02**0.5 == pytest.approx(0.141, abs=1e-3)
