"""The size formulas agree with real PyTorch layers over many random settings."""

import random

import pytest
import torch
from torch import nn

from dcgan_lib import Discriminator, Generator, conv2d_out, conv_transpose2d_out
from dcgan_lib.shapes import layer_shapes

SETTINGS = 300


def _conv_settings(seed):
    rng = random.Random(seed)
    found = 0
    while found < SETTINGS:
        size, kernel = rng.randint(1, 40), rng.randint(1, 7)
        stride, padding, dilation = (
            rng.randint(1, 4),
            rng.randint(0, 3),
            rng.randint(1, 3),
        )
        if size + 2 * padding >= dilation * (kernel - 1) + 1:
            found += 1
            yield size, kernel, stride, padding, dilation


def test_conv2d_out_matches_nn_conv2d():
    for size, kernel, stride, padding, dilation in _conv_settings(0):
        layer = nn.Conv2d(1, 1, kernel, stride, padding, dilation)
        real = layer(torch.zeros(1, 1, size, size + 1)).shape[-2:]
        assert tuple(real) == (
            conv2d_out(size, kernel, stride, padding, dilation),
            conv2d_out(size + 1, kernel, stride, padding, dilation),
        ), (size, kernel, stride, padding, dilation)


def test_conv_transpose2d_out_matches_nn_conv_transpose2d():
    rng = random.Random(1)
    checked = 0
    while checked < SETTINGS:
        size, kernel = rng.randint(1, 20), rng.randint(1, 7)
        stride, padding, dilation = (
            rng.randint(1, 4),
            rng.randint(0, 3),
            rng.randint(1, 3),
        )
        output_padding = rng.randint(0, max(stride, dilation) - 1)
        args = (kernel, stride, padding, output_padding, dilation)
        try:
            expected = conv_transpose2d_out(size, *args)
        except ValueError:
            continue  # padding crops everything: PyTorch refuses too (checked below)
        layer = nn.ConvTranspose2d(
            1, 1, kernel, stride, padding, output_padding, 1, False, dilation
        )
        assert layer(torch.zeros(1, 1, size, size)).shape[-1] == expected, (size, args)
        checked += 1


def test_the_dcgan_steps():
    assert conv_transpose2d_out(1, 4, 1, 0) == 4  # z -> 4x4
    assert [conv_transpose2d_out(n, 4, 2, 1) for n in (4, 8, 16, 32)] == [8, 16, 32, 64]
    assert [conv2d_out(n, 4, 2, 1) for n in (64, 32, 16, 8)] == [32, 16, 8, 4]
    assert conv2d_out(4, 4, 1, 0) == 1  # D's last layer


def test_settings_pytorch_rejects_are_rejected_with_the_reason():
    with pytest.raises(ValueError, match="kernel spans 7"):
        conv2d_out(3, 7)
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        conv_transpose2d_out(4, 4, stride=2, output_padding=2)
    with pytest.raises(RuntimeError):
        nn.ConvTranspose2d(1, 1, 3, 1, 2)(torch.zeros(1, 1, 1, 1))
    with pytest.raises(ValueError, match="crops away the whole output"):
        conv_transpose2d_out(1, 3, 1, 2)
    with pytest.raises(ValueError, match="stride must be a positive int"):
        conv2d_out(8, 3, stride=0)


@pytest.mark.parametrize("bad", [2.0, True, "4", None])
def test_non_integer_sizes_are_a_type_error(bad):
    with pytest.raises(TypeError, match="must be a positive int"):
        conv2d_out(bad, 3)


def test_layer_shapes_traces_the_real_modules():
    generator = Generator()
    generator.train()
    table = layer_shapes(generator, (1, 100, 1, 1))
    convs = [row for row in table if row.layer.startswith("ConvT")]
    assert [row.out_shape for row in convs] == [
        (512, 4, 4),
        (256, 8, 8),
        (128, 16, 16),
        (64, 32, 32),
        (3, 64, 64),
    ]
    assert sum(row.params for row in table) == sum(
        p.numel() for p in generator.parameters()
    )
    assert generator.training  # the train/eval flag is restored
    assert all(not m._forward_hooks for m in generator.modules())  # hooks removed
    text = str(table)
    assert "ConvT(100→512, k4 s1 p0)" in text and "512 x 4 x 4" in text
    table_d = layer_shapes(Discriminator(), (2, 3, 64, 64))
    assert table_d[-1].out_shape == (1, 1, 1)
