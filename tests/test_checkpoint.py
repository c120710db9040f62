"""Checkpoints: exact resume in a new process, atomic writes, safe and clear loading."""

import dataclasses
import importlib
import os
import signal
import subprocess
import sys
import textwrap

import pytest
import torch
from torch.utils.data import TensorDataset

import dcgan_lib as dl

train_module = importlib.import_module("dcgan_lib.train")

CFG = dataclasses.replace(
    dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4, batch_size=16, seed=5
)


def _models(cfg=CFG):
    torch.manual_seed(0)
    G = dl.Generator(cfg.nz, cfg.ngf, cfg.nc, cfg.image_size)
    D = dl.Discriminator(cfg.nc, cfg.ndf, cfg.image_size)
    G.apply(dl.weights_init)
    D.apply(dl.weights_init)
    return G, D


def _data():
    generator = torch.Generator().manual_seed(1)
    return TensorDataset(
        torch.rand(40, 1, 16, 16, generator=generator) * 2 - 1, torch.zeros(40)
    )  # 2 batches an epoch: resumes mid-epoch


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
    dl.train(cfg, data, G, D, steps=int(sys.argv[2]), checkpoint=sys.argv[1],
             resume=sys.argv[3] == "resume", progress=False, sample_every=2)
""")


def test_resume_in_a_new_process_is_bit_identical(tmp_path):
    straight_G, straight_D = _models()
    straight = dl.train(
        CFG, _data(), straight_G, straight_D, steps=6, sample_every=2, progress=False
    )
    path = tmp_path / "run.pt"
    for steps, mode in ((3, "new"), (6, "resume")):
        result = subprocess.run(
            [sys.executable, "-c", RESUME_SCRIPT, str(path), str(steps), mode],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    G, D = _models()
    state = dl.load_checkpoint(path, G, D)
    assert state["step"] == 6
    for a, b in zip(
        [*G.state_dict().values(), *D.state_dict().values()],
        [*straight_G.state_dict().values(), *straight_D.state_dict().values()],
    ):
        assert torch.equal(a, b)
    assert state["history"]["loss_d"] == straight.loss_d
    # the first run also sampled at its last step, 3; every common step agrees
    resumed = dict(zip(state["history"]["sample_steps"], state["history"]["samples"]))
    assert sorted(resumed) == [2, 3, 4, 6] and straight.sample_steps == [2, 4, 6]
    for step, images in zip(straight.sample_steps, straight.samples):
        assert torch.equal(resumed[step], images)


def test_a_crash_while_writing_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    G, D = _models()
    path = tmp_path / "run.pt"
    dl.train(CFG, _data(), G, D, steps=2, checkpoint=path, progress=False)
    before = path.read_bytes()

    def crash(obj, file, *args, **kwargs):
        with open(file, "wb") as handle:
            handle.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(train_module.torch, "save", crash)
    opt_g, opt_d = dl.make_optimizers(G, D, CFG)
    with pytest.raises(OSError, match="disk full"):
        dl.save_checkpoint(path, G, D, opt_g, opt_d, 3, CFG, dl.History())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.pt"]


def test_bad_files_are_refused_with_a_clear_reason(tmp_path):
    G, D = _models()
    good = tmp_path / "good.pt"
    dl.train(CFG, _data(), G, D, steps=1, checkpoint=good, progress=False)

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
    with pytest.raises(ValueError, match="does not fit this G.*ngf"):
        dl.load_checkpoint(good, G=wider_G)

    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        dl.load_checkpoint(tmp_path / "absent.pt")


def test_resume_with_other_settings_says_which(tmp_path):
    G, D = _models()
    path = tmp_path / "run.pt"
    dl.train(CFG, _data(), G, D, steps=1, checkpoint=path, progress=False)
    with pytest.raises(ValueError, match="'lr': \\(0.0002, 0.001\\)"):
        dl.train(
            dataclasses.replace(CFG, lr=1e-3),
            _data(),
            G,
            D,
            steps=2,
            checkpoint=path,
            resume=True,
            progress=False,
        )
    with pytest.raises(ValueError, match="resume=True needs checkpoint"):
        dl.train(CFG, _data(), G, D, steps=2, resume=True, progress=False)


def test_ctrl_c_saves_the_last_complete_step_then_stops(tmp_path, monkeypatch):
    real_g_step = train_module.g_step
    calls = {"n": 0}

    def g_step_then_ctrl_c(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            os.kill(os.getpid(), signal.SIGINT)  # as if the reader pressed Ctrl-C
        return real_g_step(*args)

    monkeypatch.setattr(train_module, "g_step", g_step_then_ctrl_c)
    G, D = _models()
    path = tmp_path / "run.pt"
    before = signal.getsignal(signal.SIGINT)  # pytest-xdist workers ignore SIGINT
    with pytest.raises(KeyboardInterrupt):
        dl.train(CFG, _data(), G, D, steps=10, checkpoint=path, progress=False)
    state = dl.load_checkpoint(path)
    assert state["step"] == 3 and state["history"]["step"] == [1, 2, 3]
    assert signal.getsignal(signal.SIGINT) is before  # train's handler is gone

    monkeypatch.setattr(train_module, "g_step", real_g_step)
    G, D = _models()
    resumed = dl.train(
        CFG, _data(), G, D, steps=5, checkpoint=path, resume=True, progress=False
    )
    G2, D2 = _models()
    straight = dl.train(CFG, _data(), G2, D2, steps=5, progress=False)
    assert resumed.loss_g == straight.loss_g
    assert all(torch.equal(a, b) for a, b in zip(G.parameters(), G2.parameters()))


def test_load_or_train_trains_once_then_loads(tmp_path, monkeypatch):
    path = tmp_path / "cache" / "mnist.pt"
    G, D, history = dl.load_or_train(path, CFG, _data(), steps=3, progress=False)
    assert path.is_file() and history.step == [1, 2, 3]

    def no_training(*args, **kwargs):
        raise AssertionError("a finished run must be loaded, not trained again")

    monkeypatch.setattr(train_module, "train", no_training)
    G2, _, loaded = dl.load_or_train(path, CFG, _data(), steps=3)
    assert loaded.loss_d == history.loss_d
    assert all(torch.equal(a, b) for a, b in zip(G.parameters(), G2.parameters()))
    monkeypatch.undo()

    _, _, longer = dl.load_or_train(path, CFG, _data(), steps=5, progress=False)
    state = torch.get_rng_state()
    _, _, straight = dl.load_or_train(
        tmp_path / "fresh.pt", CFG, _data(), steps=5, progress=False
    )
    assert torch.equal(torch.get_rng_state(), state)  # global RNG untouched
    assert longer.loss_d == straight.loss_d  # continued exactly where it stopped

    before = path.read_bytes()
    with pytest.raises(ValueError, match="other settings.*'ngf': \\(4, 8\\)"):
        dl.load_or_train(path, dataclasses.replace(CFG, ngf=8), _data(), steps=5)
    assert path.read_bytes() == before


def test_resume_with_ema_continues_the_average_exactly(tmp_path):
    import copy

    cfg = dataclasses.replace(CFG, ema_decay=0.9)
    path = tmp_path / "run.pt"
    G, D = _models(cfg)
    G_ema = copy.deepcopy(G)
    dl.train(cfg, _data(), G, D, steps=3, checkpoint=path, G_ema=G_ema, progress=False)
    G, D = _models(cfg)
    G_ema = copy.deepcopy(G)
    dl.train(
        cfg, _data(), G, D, 6, checkpoint=path, resume=True, G_ema=G_ema, progress=False
    )
    G2, D2 = _models(cfg)
    G2_ema = copy.deepcopy(G2)
    dl.train(cfg, _data(), G2, D2, steps=6, G_ema=G2_ema, progress=False)
    assert all(
        torch.equal(a, b) for a, b in zip(G_ema.parameters(), G2_ema.parameters())
    )

    plain = tmp_path / "plain.pt"
    dl.train(CFG, _data(), *_models(), steps=1, checkpoint=plain, progress=False)
    with pytest.raises(ValueError, match="no averaged generator"):
        dl.load_checkpoint(plain, G_ema=G_ema)


def test_load_or_train_returns_the_averaged_generator_ready_to_sample(tmp_path):
    cfg = dataclasses.replace(CFG, ema_decay=0.9)
    path = tmp_path / "ema.pt"
    G, _, _ = dl.load_or_train(path, cfg, _data(), steps=3, progress=False)
    state = dl.load_checkpoint(path)
    averaged = dl.Generator(cfg.nz, cfg.ngf, cfg.nc, cfg.image_size)
    averaged.load_state_dict(state["G_ema"])
    expected = dl.prepare_for_sampling(averaged).state_dict()
    assert not G.training  # eval mode, with statistics of the averaged weights
    assert all(torch.equal(a, expected[k]) for k, a in G.state_dict().items())
    G_again, _, _ = dl.load_or_train(path, cfg, _data(), steps=3)
    assert all(
        torch.equal(a, b)
        for a, b in zip(G.state_dict().values(), G_again.state_dict().values())
    )
