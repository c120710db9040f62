"""Precision chosen per machine, with the machine's capabilities faked."""

import dataclasses
import importlib

import pytest
import torch

import dcgan_lib as dl
from dcgan_lib.steps import input_gradient

precision_module = importlib.import_module("dcgan_lib.precision")


@pytest.mark.parametrize(
    "native_bf16, expected", [(True, "bf16"), (False, "fp32")], ids=["bf16", "none"]
)
def test_auto_on_a_cpu_uses_bf16_only_where_it_is_in_hardware(
    monkeypatch, native_bf16, expected
):
    monkeypatch.setattr(precision_module, "cpu_has_native_bf16", lambda: native_bf16)
    chosen, why = dl.choose_precision("auto", "cpu")
    assert chosen == expected
    assert ("in hardware" in why) and (("no bfloat16" in why) != native_bf16)


@pytest.mark.parametrize(
    "capability, expected",
    [((7, 5), "fp16"), ((8, 0), "bf16"), ((9, 0), "bf16"), ((6, 0), "fp16")],
)
def test_auto_on_a_cuda_gpu_follows_its_compute_capability(
    monkeypatch, capability, expected
):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device: capability)
    chosen, why = dl.choose_precision("auto", "cuda")
    assert chosen == expected and f"{capability[0]}.{capability[1]}" in why


def test_auto_on_mps_is_fp32_and_explicit_choices_are_kept(monkeypatch):
    monkeypatch.setattr(precision_module, "cpu_has_native_bf16", lambda: False)
    assert dl.choose_precision("auto", "mps")[0] == "fp32"
    for name in ("fp32", "bf16", "fp16"):
        assert dl.choose_precision(name, "cpu") == (name, "asked for explicitly")
    with pytest.raises(ValueError, match="unknown precision 'float16'.*auto, fp32"):
        dl.choose_precision("float16", "cpu")


def test_a_scaler_only_for_fp16(tiny_cfg, tiny_models):
    assert (
        dl.make_scaler("fp32", "cpu") is None and dl.make_scaler("bf16", "cpu") is None
    )
    assert isinstance(dl.make_scaler("fp16", "cpu"), torch.amp.GradScaler)
    G, D = tiny_models
    opt_g, opt_d = dl.make_optimizers(G, D, tiny_cfg)
    fake = G(torch.randn(16, tiny_cfg.nz, 1, 1))
    with pytest.raises(ValueError, match="fp16' needs a GradScaler"):
        dl.d_step(D, opt_d, torch.rand(16, 1, 16, 16), fake, "fp16")


def test_mixed_precision_trains_and_keeps_float32_weights(tiny_cfg, tiny_data):
    runs = {}
    for name in ("fp32", "bf16", "fp16"):
        state = dl.TrainState.new(tiny_cfg, device="cpu", precision=name)
        runs[name] = dl.train(state, tiny_data, 4, progress=False)
        assert runs[name].precision == name
        weights = [*state.G.parameters(), *state.D.parameters()]
        assert all(p.dtype == torch.float32 for p in weights)
        assert runs[name].samples[-1].dtype == torch.float32
    for name in ("bf16", "fp16"):
        assert runs[name].loss_d != runs["fp32"].loss_d  # it did run: rounding differs
        assert abs(runs[name].loss_d[0] - runs["fp32"].loss_d[0]) < 0.05


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_a_run_resumes_exactly_under_the_precision_it_started_with(
    tmp_path, monkeypatch, precision, tiny_cfg, tiny_data
):
    path = tmp_path / "run.pt"
    cfg = dataclasses.replace(tiny_cfg, ema_decay=0.9)
    first = dl.TrainState.new(cfg, device="cpu", precision=precision)
    dl.train(first, tiny_data, 3, checkpoint=path, progress=False)
    assert dl.load_checkpoint(path)["precision"] == precision
    # a machine where auto would choose fp32: the run still resumes in its own
    monkeypatch.setattr(precision_module, "cpu_has_native_bf16", lambda: False)
    resumed = dl.TrainState.new(cfg, device="cpu")
    assert resumed.precision == "fp32"
    dl.load_checkpoint(path, resumed)
    dl.train(resumed, tiny_data, 6, checkpoint=path, progress=False)
    straight = dl.TrainState.new(cfg, device="cpu", precision=precision)
    dl.train(straight, tiny_data, 6, progress=False)
    assert resumed.precision == resumed.history.precision == precision
    assert resumed.history.loss_d == straight.history.loss_d
    for name in ("G", "D", "G_ema"):
        a, b = getattr(resumed, name).state_dict(), getattr(straight, name).state_dict()
        assert all(torch.equal(a[k], b[k]) for k in a)
    if precision == "fp16":  # the loss scale went on from where it was
        assert set(dl.load_checkpoint(path)["scalers"]) == {"d", "g"}


@pytest.mark.parametrize("native_bf16", [True, False])
def test_describe_machine_names_the_cpu_and_its_bf16(monkeypatch, native_bf16):
    monkeypatch.setattr(precision_module, "cpu_has_native_bf16", lambda: native_bf16)
    line = dl.describe_machine("cpu")
    threads = torch.get_num_threads()  # 1 under pytest-xdist (conftest.py)
    assert line.startswith("CPU ")
    assert f", {threads} thread{'s' if threads != 1 else ''}," in line
    assert line.endswith("bfloat16 in hardware: " + ("yes" if native_bf16 else "no"))


def _tiny_gradient_d():
    """A D whose gradients at its input are about 1e-8: float16 cannot hold them
    (its smallest step is 2^-24, about 6e-8)."""
    torch.manual_seed(0)
    D = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1),
        torch.nn.LeakyReLU(0.2),
        torch.nn.Conv2d(4, 4, 3, padding=1),
        torch.nn.Conv2d(4, 1, 16),
        torch.nn.Flatten(0),
    )
    with torch.no_grad():
        for layer in (D[2], D[3]):
            layer.weight.mul_(1e-4 / layer.weight.abs().mean())
    return D


def test_the_r1_input_gradient_under_fp16_is_scaled_as_pytorchs_amp_examples_say():
    D, real = _tiny_gradient_d(), torch.rand(8, 1, 16, 16) * 2 - 1

    def gradient(precision, scaler):
        x = real.clone().requires_grad_(True)
        with dl.autocast(precision, "cpu"):
            logits = D(x).float()
        return input_gradient(logits, x, scaler)

    exact = gradient("fp32", None)
    scaled = gradient("fp16", dl.make_scaler("fp16", "cpu"))
    unscaled = gradient("fp16", None)  # what d_step did before
    assert exact.abs().mean() < 1e-7 and (exact != 0).all()
    assert (scaled - exact).norm() < 0.01 * exact.norm()
    assert (unscaled == 0).float().mean() > 0.25  # much of it underflowed to 0
    assert (unscaled - exact).norm() > 0.3 * exact.norm()
    assert scaled.grad_fn is not None  # the penalty can be differentiated


def test_an_fp16_run_with_r1_trains_and_keeps_its_loss_scale(tiny_cfg, tiny_data):
    """BatchNorm's second derivative under float16 autocast is NaN: R1 steps
    used to be skipped every time, halving the scale each time (to 4096 in 16
    steps). d_step now judges the real images in float32 on those steps."""
    cfg = dataclasses.replace(tiny_cfg, r1_gamma=1.0)
    state = dl.TrainState.new(cfg, device="cpu", precision="fp16")
    before = [p.detach().clone() for p in state.D.parameters()]
    history = dl.train(state, tiny_data, 16, progress=False)  # R1 at 4, 8, 12, 16
    assert all(torch.isfinite(torch.tensor(history.loss_d + history.loss_g)))
    assert any(not torch.equal(a, b) for a, b in zip(before, state.D.parameters()))
    # an overflowed gradient skips its step and halves the scale
    assert state.scalers["d"].get_scale() == 2.0**16
    fp32 = dl.TrainState.new(cfg, device="cpu", precision="fp32")
    reference = dl.train(fp32, tiny_data, 16, progress=False)
    assert max(abs(a - b) for a, b in zip(history.loss_d, reference.loss_d)) < 0.05
