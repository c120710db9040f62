"""Fixtures shared by tests/: a tiny configuration, its models and a dataset to
train them on in a fraction of a second; the built book (one build for the run)."""

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch.utils.data import TensorDataset

import dcgan_lib as dl

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tiny_cfg():
    """The paper's ``dl.Config`` shrunk to train in milliseconds: 16x16 images of
    one channel, nz=8, 4 filters at the first layer of G and D, batches of 16,
    seed 0. A test that needs another value (a seed, ema_decay) says so with
    ``dataclasses.replace(tiny_cfg, ...)``."""
    return dataclasses.replace(
        dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4, batch_size=16, seed=0
    )


@pytest.fixture
def tiny_models(tiny_cfg):
    """``(G, D)`` for ``tiny_cfg``, built and initialized by ``dl.build_models``:
    new for each test, on the CPU, in train mode. A test that needs a second
    identical pair calls ``dl.build_models(tiny_cfg)`` itself."""
    return dl.build_models(tiny_cfg)


@pytest.fixture
def tiny_data():
    """40 random images of 1x16x16 in [-1, 1] (labels all 0), the same in every
    test: with ``tiny_cfg``'s batches of 16, two full batches an epoch and a
    partial one dropped, so a run of a few steps crosses an epoch."""
    generator = torch.Generator().manual_seed(1)
    images = torch.rand(40, 1, 16, 16, generator=generator) * 2 - 1
    return TensorDataset(images, torch.zeros(40))


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The book built from the committed notebooks, warnings as errors; the
    folder of its HTML. test_book.py reads the files, test_browser.py opens
    them in Chromium."""
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [
        str(jupyter_book) if jupyter_book.exists() else "jupyter-book",
        "build",
        str(ROOT),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    yield out / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)
