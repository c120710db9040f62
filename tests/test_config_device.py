import dataclasses
import random

import numpy as np
import pytest
import torch

import dcgan_lib as dl
from dcgan_lib import Config, fast_mode, get_device, seed_everything


def test_config_has_the_papers_defaults():
    cfg = Config()
    assert (cfg.image_size, cfg.nc, cfg.nz, cfg.ngf, cfg.ndf) == (64, 3, 100, 64, 64)
    assert (cfg.batch_size, cfg.lr, cfg.beta1, cfg.beta2) == (128, 2e-4, 0.5, 0.999)
    assert (cfg.leaky_slope, cfg.init_std) == (0.2, 0.02)


def test_config_is_frozen_and_changed_with_replace():
    cfg = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.lr = 1.0
    small = dataclasses.replace(cfg, image_size=32, nc=1)
    assert (small.image_size, small.nc, cfg.image_size) == (32, 1, 64)


@pytest.mark.parametrize(
    "change", [{"nz": 0}, {"batch_size": -1}, {"lr": 0.0}, {"beta1": 1.0}, {"nc": 1.5}]
)
def test_config_rejects_bad_values_by_name(change):
    (name,) = change
    with pytest.raises(ValueError, match=f"Config.{name}"):
        Config(**change)


def test_fast_mode_follows_the_environment(monkeypatch):
    monkeypatch.setenv("DCGAN_FAST", "1")
    assert fast_mode()
    monkeypatch.setenv("DCGAN_FAST", "0")
    assert not fast_mode()
    monkeypatch.delenv("DCGAN_FAST")
    assert not fast_mode()


def test_get_device_auto_picks_an_available_device():
    device = get_device("auto")
    if torch.cuda.is_available():
        assert device.type == "cuda"
    else:
        assert device.type in ("mps", "cpu")
    assert get_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_a_missing_gpu_says_what_to_do():
    with pytest.raises(ValueError, match="no CUDA GPU"):
        get_device("cuda")


def test_unknown_device_lists_the_known_ones():
    with pytest.raises(ValueError, match="auto, cpu, cuda, mps"):
        get_device("tpu")


def test_seed_everything_makes_every_generator_repeat():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    seed_everything(7)
    first = draw()
    seed_everything(7)
    assert draw() == first
    with pytest.raises(ValueError):
        seed_everything(-1)


def test_book_config_gives_each_dataset_its_settings():
    mnist = dl.book_config("mnist5k")
    assert (mnist.image_size, mnist.nc) == (32, 1)
    assert mnist.ema_decay > 0 and dl.BOOK_STEPS["mnist5k"] > 0
    celeba = dl.book_config("celeba")
    paper = dl.Config()
    assert celeba == paper  # CelebA at 64x64 RGB: the paper's settings unchanged
    with pytest.raises(ValueError, match="unknown dataset 'cifar'.*cifar10"):
        dl.book_config("cifar")


def test_ema_decay_must_be_below_one():
    with pytest.raises(ValueError, match="ema_decay must be in \\[0, 1\\)"):
        dl.Config(ema_decay=1.0)
