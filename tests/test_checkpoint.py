"""Checkpoints: exact resume in a new process, atomic writes, safe and clear loading."""

import dataclasses
import importlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from torch.utils.data import TensorDataset

import dcgan_lib as dl

train_module = importlib.import_module("dcgan_lib.train")
steps_module = importlib.import_module("dcgan_lib.steps")
checkpoints_module = importlib.import_module("dcgan_lib.checkpoints")
runs_module = importlib.import_module("dcgan_lib.runs")
DATA = Path(__file__).parent / "data"

CFG = dataclasses.replace(
    dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4, batch_size=16, seed=5
)


def _state(cfg=CFG, **options):
    """A run at step 0 with G and D built from seed 0 (as the version 1 fixture)."""
    torch.manual_seed(0)
    G = dl.Generator(cfg.nz, cfg.ngf, cfg.nc, cfg.image_size)
    D = dl.Discriminator(cfg.nc, cfg.ndf, cfg.image_size)
    G.apply(dl.weights_init)
    D.apply(dl.weights_init)
    return dl.TrainState.new(cfg, G, D, device="cpu", precision="fp32", **options)


def _data():
    generator = torch.Generator().manual_seed(1)
    return TensorDataset(
        torch.rand(40, 1, 16, 16, generator=generator) * 2 - 1, torch.zeros(40)
    )  # 2 batches an epoch: resumes mid-epoch


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


RESUME_SCRIPT = textwrap.dedent("""
    import dataclasses, sys, torch
    from torch.utils.data import TensorDataset
    import dcgan_lib as dl
    cfg = dataclasses.replace(dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4,
                              batch_size=16, seed=5)
    torch.manual_seed(0)
    G = dl.Generator(8, 4, 1, 16); D = dl.Discriminator(1, 4, 16)
    G.apply(dl.weights_init); D.apply(dl.weights_init)
    generator = torch.Generator().manual_seed(1)
    data = TensorDataset(torch.rand(40, 1, 16, 16, generator=generator) * 2 - 1,
                         torch.zeros(40))
    state = dl.TrainState.new(cfg, G, D, device="cpu", precision="fp32")
    if sys.argv[3] == "resume":
        dl.load_checkpoint(sys.argv[1], state)
    dl.train(state, data, steps=int(sys.argv[2]), checkpoint=sys.argv[1],
             progress=False, sample_every=2)
""")


@pytest.mark.slow
def test_resume_in_a_new_process_is_bit_identical(tmp_path):
    straight = _state()
    dl.train(straight, _data(), steps=6, sample_every=2, progress=False)
    path = tmp_path / "run.pt"
    for steps, mode in ((3, "new"), (6, "resume")):
        result = subprocess.run(
            [sys.executable, "-c", RESUME_SCRIPT, str(path), str(steps), mode],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    state = dl.load_checkpoint(path)
    assert state["step"] == 6
    assert _same(state["G"], straight.G.state_dict())
    assert _same(state["D"], straight.D.state_dict())
    assert state["history"]["loss_d"] == straight.history.loss_d
    # the first run also sampled at its last step, 3; every common step agrees
    resumed = dict(zip(state["history"]["sample_steps"], state["history"]["samples"]))
    assert sorted(resumed) == [2, 3, 4, 6]
    assert straight.history.sample_steps == [2, 4, 6]
    for step, images in zip(straight.history.sample_steps, straight.history.samples):
        assert torch.equal(resumed[step], images)


def _close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        torch.allclose(a[k].float(), b[k].float(), rtol=1e-4, atol=1e-6) for k in a
    )


def test_a_version_1_checkpoint_resumes_as_the_old_version_ran_on(tmp_path):
    """tests/data/checkpoint_v1.pt was written by dcgan_lib before the TrainState
    (make_checkpoint_v1.py): 3 of 6 steps with EMA and R1; the reference is the
    same 6 steps uninterrupted, by that version, on another machine. Floats may
    round differently on another CPU or thread count, so the trajectory is
    compared within rounding; on one machine, resuming is bit-exact (below)."""
    cfg = dataclasses.replace(CFG, ema_decay=0.9, r1_gamma=1.0)
    old = torch.load(DATA / "checkpoint_v1.pt", weights_only=True)
    state = _state(cfg, n_samples=4)
    dl.load_checkpoint(DATA / "checkpoint_v1.pt", state)
    assert state.step == 3 and state.history.step == [1, 2, 3]
    assert _same(state.G_ema.state_dict(), old["G_ema"])
    first_draw = torch.randn(
        4, cfg.nz, 1, 1, generator=torch.Generator().manual_seed(cfg.seed)
    )  # what version 1 used as the fixed noise
    assert torch.equal(state.fixed_noise, first_draw)
    dl.train(state, _data(), 6, sample_every=2, progress=False)
    reference = torch.load(DATA / "checkpoint_v1_straight6.pt")
    for name in ("G", "D", "G_ema"):
        assert _close(getattr(state, name).state_dict(), reference[name]), name
    assert state.history.loss_d == pytest.approx(reference["loss_d"], rel=1e-4)
    assert torch.allclose(
        state.history.samples[-1], reference["samples"][-1], atol=1e-4
    )
    # and on this machine, a version 1 file and the version 2 file it becomes
    # continue bit for bit alike
    again = _state(cfg, n_samples=4)
    dl.load_checkpoint(DATA / "checkpoint_v1.pt", again)
    dl.save_checkpoint(tmp_path / "v2.pt", again)
    upgraded = _state(cfg, n_samples=4)
    dl.load_checkpoint(tmp_path / "v2.pt", upgraded)
    assert dl.load_checkpoint(tmp_path / "v2.pt")["version"] == 2
    dl.train(upgraded, _data(), 6, sample_every=2, progress=False)
    for name in ("G", "D", "G_ema"):
        a, b = getattr(upgraded, name).state_dict(), getattr(state, name).state_dict()
        assert _same(a, b), name


def test_checkpoints_of_unknown_or_broken_versions_say_to_retrain(tmp_path):
    old = torch.load(DATA / "checkpoint_v1.pt", weights_only=True)
    future = tmp_path / "future.pt"
    torch.save({**old, "version": 7}, future)
    with pytest.raises(ValueError, match="version 7.*train again"):
        dl.load_checkpoint(future)
    broken = tmp_path / "broken.pt"
    torch.save({k: v for k, v in old.items() if k != "history"}, broken)
    with pytest.raises(ValueError, match="incomplete version 1.*train again"):
        dl.load_checkpoint(broken)


def test_a_crash_while_writing_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    state = _state()
    path = tmp_path / "run.pt"
    dl.train(state, _data(), steps=2, checkpoint=path, progress=False)
    before = path.read_bytes()

    def crash(obj, file, *args, **kwargs):
        file.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoints_module.torch, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        dl.save_checkpoint(path, state)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.pt"]


def test_bad_files_are_refused_with_a_clear_reason(tmp_path):
    good = tmp_path / "good.pt"
    dl.train(_state(), _data(), steps=1, checkpoint=good, progress=False)

    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:1000])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        dl.load_checkpoint(truncated)

    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(ValueError, match="not a dcgan-book checkpoint"):
        dl.load_checkpoint(foreign)

    class Payload:  # an object that would run code when unpickled
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    malicious = tmp_path / "malicious.pt"
    torch.save({"format": "dcgan-book checkpoint", "x": Payload()}, malicious)
    with pytest.raises(ValueError, match="could run code"):
        dl.load_checkpoint(malicious)

    wider_G = dl.Generator(CFG.nz, 8, CFG.nc, CFG.image_size)
    state = dl.TrainState.new(CFG, wider_G, dl.Discriminator(1, 4, 16), device="cpu")
    with pytest.raises(ValueError, match="does not fit this run's G.*ngf"):
        dl.load_checkpoint(good, state)

    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        dl.load_checkpoint(tmp_path / "absent.pt")


def test_resume_with_other_settings_says_which(tmp_path):
    path = tmp_path / "run.pt"
    dl.train(_state(), _data(), steps=1, checkpoint=path, progress=False)
    other = _state(dataclasses.replace(CFG, lr=1e-3))
    with pytest.raises(ValueError, match="'lr': \\(0.0002, 0.001\\)"):
        dl.load_checkpoint(path, other)
    assert other.step == 0  # nothing was loaded


def test_train_refuses_a_length_it_has_passed(tmp_path):
    state = _state()
    dl.train(state, _data(), steps=2, progress=False)
    with pytest.raises(ValueError, match="already at step 2"):
        dl.train(state, _data(), steps=1, progress=False)
    for steps in (0, 2.0, True):
        with pytest.raises(ValueError, match="positive int"):
            dl.train(state, _data(), steps=steps, progress=False)


def test_ctrl_c_saves_the_last_complete_step_then_stops(tmp_path, monkeypatch):
    real_g_step = steps_module.g_step
    calls = {"n": 0}

    def g_step_then_ctrl_c(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            os.kill(os.getpid(), signal.SIGINT)  # as if the reader pressed Ctrl-C
        return real_g_step(*args)

    monkeypatch.setattr(steps_module, "g_step", g_step_then_ctrl_c)
    path = tmp_path / "run.pt"
    before = signal.getsignal(signal.SIGINT)  # pytest-xdist workers ignore SIGINT
    with pytest.raises(dl.TrainingInterrupted) as stopped:
        dl.train(_state(), _data(), steps=10, checkpoint=path, progress=False)
    assert stopped.value.step == 3
    state = dl.load_checkpoint(path)
    assert state["step"] == 3 and state["history"]["step"] == [1, 2, 3]
    assert signal.getsignal(signal.SIGINT) is before  # train's handler is gone

    monkeypatch.setattr(steps_module, "g_step", real_g_step)
    resumed = _state()
    dl.load_checkpoint(path, resumed)
    dl.train(resumed, _data(), steps=5, checkpoint=path, progress=False)
    straight = _state()
    dl.train(straight, _data(), steps=5, progress=False)
    assert resumed.history.loss_g == straight.history.loss_g
    assert _same(resumed.G.state_dict(), straight.G.state_dict())


def test_load_or_train_trains_once_then_loads(tmp_path, monkeypatch):
    path = tmp_path / "cache" / "mnist.pt"
    run = dl.load_or_train(path, CFG, _data(), steps=3, progress=False)
    assert path.is_file() and run.history.step == [1, 2, 3] and run.step == 3

    def no_training(*args, **kwargs):
        raise AssertionError("a finished run must be loaded, not trained again")

    monkeypatch.setattr(runs_module, "train", no_training)
    loaded = dl.load_or_train(path, CFG, _data(), steps=3)
    assert loaded.history.loss_d == run.history.loss_d
    assert _same(loaded.G.state_dict(), run.G.state_dict())
    monkeypatch.undo()

    longer = dl.load_or_train(path, CFG, _data(), steps=5, progress=False)
    rng = torch.get_rng_state()
    straight = dl.load_or_train(
        tmp_path / "fresh.pt", CFG, _data(), steps=5, progress=False
    )
    assert torch.equal(torch.get_rng_state(), rng)  # global RNG untouched
    assert longer.history.loss_d == straight.history.loss_d  # continued exactly

    before = path.read_bytes()
    with pytest.raises(ValueError, match="other settings.*'ngf': \\(4, 8\\)"):
        dl.load_or_train(path, dataclasses.replace(CFG, ngf=8), _data(), steps=5)
    assert path.read_bytes() == before


def test_the_state_makes_g_ema_exactly_when_the_config_asks():
    assert _state().G_ema is None
    with_ema = _state(dataclasses.replace(CFG, ema_decay=0.9))
    assert _same(with_ema.G_ema.state_dict(), with_ema.G.state_dict())
    assert not any(p.requires_grad for p in with_ema.G_ema.parameters())
    G, D = dl.build_models(CFG)
    with pytest.raises(ValueError, match="G takes nz=8 but cfg.nz=9"):
        dl.TrainState.new(dataclasses.replace(CFG, nz=9), G, D, device="cpu")


def test_resume_with_ema_continues_the_average_exactly(tmp_path):
    cfg = dataclasses.replace(CFG, ema_decay=0.9)
    path = tmp_path / "run.pt"
    dl.train(_state(cfg), _data(), steps=3, checkpoint=path, progress=False)
    resumed = _state(cfg)
    dl.load_checkpoint(path, resumed)
    dl.train(resumed, _data(), 6, checkpoint=path, progress=False)
    straight = _state(cfg)
    dl.train(straight, _data(), steps=6, progress=False)
    assert _same(resumed.G_ema.state_dict(), straight.G_ema.state_dict())


def test_load_or_train_returns_the_averaged_generator_ready_to_sample(tmp_path):
    cfg = dataclasses.replace(CFG, ema_decay=0.9)
    path = tmp_path / "ema.pt"
    run = dl.load_or_train(path, cfg, _data(), steps=3, progress=False)
    assert run.device.type == "cpu"
    sampler = run.sampler()
    state = dl.load_checkpoint(path)
    averaged = dl.Generator(cfg.nz, cfg.ngf, cfg.nc, cfg.image_size)
    averaged.load_state_dict(state["G_ema"])
    expected = dl.prepare_for_sampling(averaged).state_dict()
    assert not sampler.training  # eval mode, with statistics of the averaged weights
    assert _same(sampler.state_dict(), expected)
    again = dl.load_or_train(path, cfg, _data(), steps=3).sampler()
    assert _same(sampler.state_dict(), again.state_dict())
