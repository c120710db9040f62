"""The one check behind every count and size the library takes: whole numbers in
any of the forms a reader has them (Python, NumPy, a 0-d tensor), nothing else."""

import numpy as np
import pytest
import torch

import dcgan_lib as dl
from dcgan_lib.config import NotAnIntError, env_flag, require_int


@pytest.mark.parametrize(
    "value",
    [64, np.int64(64), np.int32(64), np.uint8(64), np.array(64), torch.tensor(64)],
)
def test_whole_numbers_of_every_kind_become_python_ints(value):
    number = require_int(value, "image_size")
    assert number == 64 and type(number) is int


@pytest.mark.parametrize(
    "value, shown",
    [
        (True, "True (bool)"),
        (np.bool_(True), "(bool)"),
        (torch.tensor(True), "(Tensor of torch.bool)"),
        (64.0, "64.0 (float)"),
        (np.float32(2.5), "(float32)"),
        ("64", "'64' (str)"),
        (None, "None (NoneType)"),
        (np.array([64]), "(ndarray of int64)"),
        (torch.tensor([64]), "(Tensor of torch.int64)"),
    ],
)
def test_anything_else_is_refused_saying_what_it_got_and_what_to_pass(value, shown):
    with pytest.raises(NotAnIntError) as caught:
        require_int(value, "ngf")
    message = str(caught.value)
    assert message.startswith("ngf must be a positive int, got ")
    assert shown in message and "pass a whole number" in message
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "value, minimum, message",
    [
        (0, 1, "steps must be a positive int, got 0: pass 1 or more"),
        (-1, 0, "steps must be a non-negative int, got -1: pass 0 or more"),
        (np.int64(1), 2, "steps must be an int >= 2, got 1: pass 2 or more"),
    ],
)
def test_a_number_too_small_is_a_value_error_naming_the_least(value, minimum, message):
    with pytest.raises(ValueError) as caught:
        require_int(value, "steps", minimum)
    assert str(caught.value) == message
    assert not isinstance(caught.value, TypeError)


def test_no_minimum_takes_negative_numbers():
    assert require_int(np.int64(-3), "block", minimum=None) == -3


@pytest.mark.parametrize(
    "call",
    [
        lambda n: dl.Config(nz=n),
        lambda n: dl.Generator(nz=n, ngf=8, nc=1, image_size=16),
        lambda n: dl.conv2d_out(n, 3),
        lambda n: dl.load_dataset("mnist5k", image_size=n)[0][0].shape[-1],
        lambda n: dl.seed_everything(n),
        lambda n: dl.interpolate(torch.ones(4), -torch.ones(4), n, "lerp"),
    ],
    ids=["Config", "Generator", "conv2d_out", "load_dataset", "seed", "interpolate"],
)
def test_the_library_takes_numpy_ints_and_refuses_bools_alike(call):
    call(np.int64(16))  # a NumPy int, as np.arange or a table hands it out
    with pytest.raises(ValueError, match="must be a"):
        call(True)


def test_config_keeps_a_numpy_int_as_a_python_int():
    assert type(dl.Config(batch_size=np.int64(32)).batch_size) is int


@pytest.mark.parametrize(
    "value, on",
    [("1", True), ("true", True), (" YES ", True), ("0", False), ("", False)]
    + [("no", False), ("2", False)],
)
def test_env_flag_reads_one_true_yes(monkeypatch, value, on):
    monkeypatch.setenv("DCGAN_TEST_FLAG", value)
    assert env_flag("DCGAN_TEST_FLAG") is on
    monkeypatch.delenv("DCGAN_TEST_FLAG")
    assert env_flag("DCGAN_TEST_FLAG") is False
