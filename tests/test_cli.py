"""The command line as a reader uses it: train, resume, sample, and bad input."""

import json
import re
import signal
import subprocess
import sys
import time

import pytest
import torch
from helpers import exit_code_of_main

import dcgan_lib as dl

SMALL = ["--image-size", "16", "--ngf", "4", "--ndf", "4", "--batch-size", "500"]


def _cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "dcgan_lib", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_train_resume_and_sample(tmp_path, monkeypatch, capsys):
    # training and resuming as real processes, as a reader runs them
    first = _cli("train", *SMALL, "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    run = tmp_path / "run"
    assert (run / "checkpoint.pt").is_file() and (run / "losses.png").is_file()
    assert [p.name for p in (run / "samples").iterdir()] == ["epoch_001.png"]
    assert len(json.loads((run / "history.json").read_text())["loss_d"]) == 10

    resumed = _cli("train", "--epochs", "2", "--out", "run", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    # one progress bar for the whole run, the epoch in its description
    bars = re.findall(r"epoch (\d)/2: +\d+%\|[^|]*\| *\d+/(\d+)", resumed.stderr)
    assert {epoch for epoch, _ in bars} == {"2"} and {t for _, t in bars} == {"20"}
    history = json.loads((run / "history.json").read_text())
    assert history["step"] == list(range(1, 21))
    assert sorted(p.name for p in (run / "samples").iterdir()) == [
        "epoch_001.png",
        "epoch_002.png",
    ]

    # the rest through the same main() in this process
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert exit_code_of_main(("train", *SMALL, "--epochs", "1", "--out", "run")) == 2
    assert "--resume" in capsys.readouterr().err  # a finished run is never overwritten

    sample = ("sample", "--checkpoint", "run/checkpoint.pt", "--n", "9", "--out")
    assert exit_code_of_main((*sample, "grid.png")) == 0
    assert (tmp_path / "grid.png").read_bytes()[:4] == b"\x89PNG"
    assert exit_code_of_main((*sample, "samples.pt")) == 0
    samples = torch.load(tmp_path / "samples.pt", weights_only=True)
    assert samples.shape == (9, 1, 16, 16) and samples.dtype == torch.float32
    assert samples.abs().max() <= 1
    state = dl.load_checkpoint(run / "checkpoint.pt")
    assert state["config"]["ema_decay"] == dl.book_config("mnist5k").ema_decay
    G = dl.Generator(100, 4, 1, 16)
    G.load_state_dict(state["G_ema"])  # mnist5k's defaults average G's weights
    z = torch.randn(9, 100, 1, 1, generator=torch.Generator().manual_seed(0))
    # the one sampler, on the average: what the chapters score is what sample draws
    assert torch.equal(samples, dl.generate(dl.prepare_for_sampling(G), z))
    capsys.readouterr()
    assert (
        exit_code_of_main(
            ("sample", "--checkpoint", "run/checkpoint.pt", "--out", "grid.png")
        )
        == 2
    )
    assert "--force" in capsys.readouterr().err


@pytest.mark.slow
def test_the_same_flags_and_seed_give_the_same_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a", "b", "c"):
        seed = "8" if name == "c" else "7"
        args = ("train", *SMALL, "--steps", "2", "--seed", seed, "--out", name)
        assert exit_code_of_main((*args, "--precision", "fp32")) == 0
    a, b, c = (dl.load_checkpoint(tmp_path / n / "checkpoint.pt") for n in "abc")
    for key in ("G", "D", "G_ema"):
        assert all(torch.equal(a[key][k], b[key][k]) for k in a[key])
    assert not torch.equal(a["G"]["main.0.weight"], c["G"]["main.0.weight"])
    assert json.loads((tmp_path / "a" / "run.json").read_text())["steps"] == 2


@pytest.mark.slow
def test_ctrl_c_saves_says_one_line_and_resumes(tmp_path):
    args = [*SMALL, "--batch-size", "100", "--steps", "100000", "--out", "run"]
    process = subprocess.Popen(
        [sys.executable, "-m", "dcgan_lib", "train", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    while not (tmp_path / "run" / "samples" / "epoch_001.png").exists():
        assert process.poll() is None and time.monotonic() - started < 300
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    match = re.fullmatch(
        r"interrupted at step (\d+), saved to run/checkpoint.pt; run the same "
        r"command with --resume to continue",
        last,
    )
    assert match, last
    state = dl.load_checkpoint(tmp_path / "run" / "checkpoint.pt")
    assert state["step"] == int(match[1]) >= 50
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert len(history["loss_d"]) == state["step"]  # the curves, up to the stop
    stop = int(match[1])
    short = _cli("train", "--out", "run", "--resume", "--steps", "10", cwd=tmp_path)
    assert short.returncode == 2 and "already at step" in short.stderr, short.stderr
    assert len(short.stderr.strip().splitlines()) == 1, short.stderr
    longer = str(stop + 10)
    resumed = _cli("train", "--out", "run", "--resume", "--steps", longer, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert dl.load_checkpoint(tmp_path / "run" / "checkpoint.pt")["step"] == stop + 10


@pytest.mark.slow
def test_bad_flags_and_values_are_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    cases = [
        (("train", "--out", "x", "--image-size", "48"), "power of two"),
        (("train", "--out", "x", "--epochs", "zero"), "whole number"),
        (("train", "--out", "x", "--dataset", "celeba"), "needs root="),
        (("train", "--out", "x", "--resume"), "no checkpoint"),
        (("train", "--out", "x", "--precision", "half"), "invalid choice"),
        (("train", "--out", "x", "--steps", "5", "--epochs", "1"), "not allowed"),
        (("sample", "--checkpoint", "junk.pt", "--out", "g.png"), "not a readable"),
        (("sample", "--checkpoint", "absent.pt", "--out", "g.png"), "no checkpoint"),
        (("train",), "--out"),
    ]
    # one case as a real process: exit code 2 and one line, no traceback
    args, message = cases[0]
    result = _cli(*args, cwd=tmp_path)
    assert result.returncode == 2, (args, result.stderr)
    assert message in result.stderr and "Traceback" not in result.stderr, args
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    # the others through the same main() in this process
    monkeypatch.chdir(tmp_path)
    for args, message in cases[1:]:
        code = exit_code_of_main(args)
        stderr = capsys.readouterr().err
        assert code == 2, (args, stderr)
        assert message in stderr, (args, stderr)
        assert len(stderr.strip().splitlines()) == 1, stderr


def _help(*args, capsys):
    """What `python -m dcgan_lib ARGS --help` prints, from main() in this process."""
    assert exit_code_of_main([*args, "--help"]) == 0
    return capsys.readouterr().out


def test_help_gives_each_settings_default_from_the_books_settings(capsys):
    """The defaults in --help are read from Config and BOOK_SETTINGS, so they
    cannot drift from what a run uses."""
    text = " ".join(_help("train", capsys=capsys).split())
    assert "default: 0.001 for mnist5k; 0.0002 otherwise" in text  # --lr
    assert "default: 32 for mnist5k, mnist, fashion-mnist, cifar10; 64 otherwise" in (
        text
    )  # --image-size
    assert f"default: {dl.BOOK_STEPS['mnist5k']:,} for mnist5k" in text  # --steps
    for name in set(dl.BOOK_SETTINGS["mnist5k"]) - {"nc"}:  # nc: the dataset's
        flag = "--" + name.replace("_", "-")
        assert flag in text, flag
    assert "never overwritten" in text
    assert ".pt" in _help("sample", capsys=capsys)
