"""Training on several processes (DDP, gloo on the CPU) and the speed options.

The two-process runs are real: torchrun starts 2 processes, as a reader would.
"""

import copy
import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import dcgan_lib as dl
from dcgan_lib.distributed import plain_batchnorm, shard

TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def two_process_runs(tmp_path_factory):
    """tests/ddp_worker.py under torchrun: straight, interrupted and resumed runs."""
    out = tmp_path_factory.mktemp("ddp")
    done = subprocess.run(
        [*TORCHRUN, "--nproc_per_node=2", str(ROOT / "tests" / "ddp_worker.py"), out],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    def load(name, rank):
        return torch.load(out / f"{name}_rank{rank}.pt", weights_only=False)

    return load, out


def _parameters_equal(a: nn.Module | dict, b: dict, buffers: bool) -> list:
    """Names of the entries that differ; running statistics only if ``buffers``."""
    return [
        k
        for k in a
        if (buffers or "running" not in k and "num_batches" not in k)
        and not torch.equal(a[k], b[k])
    ]


def test_processes_keep_identical_weights_and_make_progress(two_process_runs):
    load = two_process_runs[0]
    ranks = [load("straight", 0), load("straight", 1)]
    for net in ("G", "D", "G_ema"):
        assert _parameters_equal(ranks[0][net], ranks[1][net], buffers=False) == []
    # BatchNorm's running statistics are each process's own (its slice of the
    # batch); they are not used for sampling, which re-estimates them
    assert _parameters_equal(ranks[0]["G"], ranks[1]["G"], buffers=True) != []
    first, last = ranks[0], ranks[0]
    assert first["processes"] == 2
    assert sum(last["loss_d"][-3:]) < sum(first["loss_d"][:3]) - 0.3
    assert last["d_real"][-1] > last["d_fake"][-1] + 0.1  # D tells them apart
    assert len(ranks[0]["samples"]) == 1 and ranks[1]["samples"] == []


def test_r1_through_ddp_averages_the_penalty_gradients(two_process_runs):
    """R1 calls autograd.grad on a DDP module, which DDP's documentation does
    not support; d_step takes it for the input only, and every parameter's
    gradient reaches .grad in one backward(), where DDP averages it."""
    load = two_process_runs[0]
    assert dl.book_config("mnist5k").r1_gamma > 0  # the straight runs had R1 too
    for rank in range(2):
        grads = load("r1_grads", rank)
        for ddp, mean in zip(grads["through_ddp"], grads["averaged"]):
            torch.testing.assert_close(ddp, mean, rtol=1e-5, atol=1e-7)
        assert any(
            not torch.allclose(o, m) for o, m in zip(grads["own"], grads["averaged"])
        )


def test_ctrl_c_in_one_process_stops_all_after_the_same_step(two_process_runs):
    load, out = two_process_runs
    assert load("interrupted", 0)["stopped_at"] == 5
    assert load("interrupted", 1)["stopped_at"] == 5


def test_a_resumed_two_process_run_continues_exactly(two_process_runs):
    load, out = two_process_runs
    straight, resumed = load("straight", 0), load("resumed", 0)
    for net in ("G", "D", "G_ema"):
        assert _parameters_equal(straight[net], resumed[net], buffers=True) == []
    assert straight["loss_d"] == resumed["loss_d"]
    assert dl.load_checkpoint(out / "resumed.pt")["step"] == 8


@pytest.mark.slow
def test_torchrun_cli_ctrl_c_saves_once_and_resumes(tmp_path):
    args = ["--image-size", "16", "--ngf", "8", "--ndf", "8", "--batch-size", "64"]
    command = [*TORCHRUN, "--nproc_per_node=2", "-m", "dcgan_lib", "train", *args]
    process = subprocess.Popen(
        [*command, "--steps", "100000", "--out", "run"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as in a terminal
    )
    started = time.monotonic()
    while not (tmp_path / "run" / "run.json").exists():  # written before training
        assert process.poll() is None and time.monotonic() - started < 300
        time.sleep(0.2)
    time.sleep(1)  # into training
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches torchrun and workers
    stdout, stderr = process.communicate(timeout=120)
    assert "2 processes on cpu, 32 images each per step (64 in all)" in stdout
    match = re.search(r"interrupted at step (\d+), saved to run/checkpoint.pt", stderr)
    assert match and stderr.count("interrupted at step") == 1, stderr[-2000:]
    state = dl.load_checkpoint(tmp_path / "run" / "checkpoint.pt")
    assert state["step"] == int(match[1]) > 0
    more = state["step"] + 3
    resumed = subprocess.run(
        [*command[: -len(args)], "--out", "run", "--resume", "--steps", str(more)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert dl.load_checkpoint(tmp_path / "run" / "checkpoint.pt")["step"] == more
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "checkpoint.pt",
        "config.json",
        "history.json",
        "losses.png",
        "run.json",
        "samples",
    ]  # one writer: no second copy, no temporary files left


def test_shard_gives_each_process_a_disjoint_equal_slice():
    batch = torch.arange(12)
    parts = [shard(batch, rank, 3) for rank in range(3)]
    assert [p.tolist() for p in parts] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]


def test_one_process_is_rank_0_of_1():
    assert dl.rank_and_world() == (0, 1)
    assert dl.init_distributed("cpu") == (0, 1, "cpu")  # no torchrun: nothing


def test_weights_init_and_plain_batchnorm_handle_syncbatchnorm():
    G, _ = dl.build_models(dl.book_config("mnist5k"))
    synced = nn.SyncBatchNorm.convert_sync_batchnorm(copy.deepcopy(G))
    norms = [m for m in synced.modules() if isinstance(m, nn.SyncBatchNorm)]
    assert len(norms) == sum(isinstance(m, nn.BatchNorm2d) for m in G.modules()) > 0
    torch.manual_seed(0)
    synced.apply(dl.weights_init)
    gammas = torch.cat([m.weight.detach() for m in norms])
    assert abs(gammas.mean() - 1) < 0.01 and 0.01 < gammas.std() < 0.03
    plain = plain_batchnorm(copy.deepcopy(synced))
    assert not any(isinstance(m, nn.SyncBatchNorm) for m in plain.modules())
    assert _parameters_equal(plain.state_dict(), synced.state_dict(), True) == []
    z = torch.randn(4, 100, 1, 1)
    assert torch.equal(plain.eval()(z), synced.eval()(z))


def test_sync_batchnorm_and_uneven_batches_are_refused_clearly(monkeypatch):
    cfg = dataclasses.replace(
        dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4, batch_size=15
    )
    monkeypatch.setattr(
        sys.modules["dcgan_lib.state"], "rank_and_world", lambda: (0, 2)
    )
    with pytest.raises(ValueError, match="does not split into 2 equal shares"):
        dl.TrainState.new(cfg, device="cpu")
    cfg = dataclasses.replace(cfg, batch_size=16)
    with pytest.raises(ValueError, match="sync_batchnorm needs CUDA GPUs"):
        dl.TrainState.new(cfg, device="cpu", sync_batchnorm=True)


def test_sync_batchnorm_with_the_r1_penalty_is_refused_before_training(monkeypatch):
    """R1 differentiates D twice; SyncBatchNorm's backward has no derivative
    (pytorch/pytorch#61222), so the first R1 step would fail: refuse at once,
    naming both settings, before the CPU check (that one is about the device)."""
    cfg = dataclasses.replace(
        dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4, batch_size=16
    )
    monkeypatch.setattr(
        sys.modules["dcgan_lib.state"], "rank_and_world", lambda: (0, 2)
    )
    r1 = dataclasses.replace(cfg, r1_gamma=1.0)
    both = r"sync_batchnorm cannot .* R1 penalty \(r1_gamma=1\.0\).*--r1-gamma 0"
    with pytest.raises(ValueError, match=both):
        dl.TrainState.new(r1, device="cpu", sync_batchnorm=True)
    with pytest.raises(ValueError, match="sync_batchnorm needs CUDA GPUs"):
        dl.TrainState.new(cfg, device="cpu", sync_batchnorm=True)  # no R1: as before
    dl.TrainState.new(r1, device="cpu")  # R1 without sync_batchnorm: fine


@pytest.mark.slow
def test_compile_and_channels_last_options(monkeypatch):
    """compile=True wraps G and D with torch.compile (faked here: compiling takes
    tens of seconds), runs R1 steps uncompiled and times the first step apart;
    channels_last trains the same weights, up to rounding."""
    wrapped = []

    class FakeCompiled(nn.Module):
        def __init__(self, module):
            super().__init__()
            self._orig_mod = module
            self.calls = 0
            wrapped.append(self)

        def forward(self, x):
            self.calls += 1
            return self._orig_mod(x)

    monkeypatch.setattr(torch, "compile", FakeCompiled)
    cfg = dataclasses.replace(
        dl.Config(),
        image_size=16,
        nc=1,
        nz=8,
        ngf=4,
        ndf=4,
        batch_size=8,
        r1_gamma=1.0,
    )
    data = TensorDataset(torch.rand(32, 1, 16, 16) * 2 - 1)
    state = dl.TrainState.new(cfg, device="cpu")
    history = dl.train(state, data, 8, progress=False, compile=True)
    g_run, d_run = wrapped
    assert g_run._orig_mod is state.G and d_run._orig_mod is state.D
    assert g_run.calls == 8
    assert d_run.calls == 8 * 3 - 2 * 2  # steps 4 and 8 (R1) ran D uncompiled
    assert 0 < history.compile_seconds < history.seconds
    monkeypatch.undo()
    runs = {}
    for channels_last in (False, True):
        state = dl.TrainState.new(cfg, device="cpu", precision="fp32")
        dl.train(state, data, 4, progress=False, channels_last=channels_last)
        runs[channels_last] = state.G
        conv = state.G.main[0].weight
        assert conv.is_contiguous(memory_format=torch.channels_last) == channels_last
    for a, b in zip(runs[False].parameters(), runs[True].parameters()):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-4)


def test_cli_compile_reports_compile_time_apart(tmp_path, monkeypatch, capsys):
    """--compile and --channels-last reach train(); the compile time is printed
    apart from the time per step (torch.compile faked: compiling is slow)."""
    from helpers import exit_code_of_main

    compiled = []

    def fake_compile(module):
        compiled.append(module)
        return module

    monkeypatch.setattr(torch, "compile", fake_compile)
    monkeypatch.chdir(tmp_path)
    args = ["train", "--image-size", "16", "--ngf", "4", "--ndf", "4", "--steps", "3"]
    code = exit_code_of_main([*args, "--compile", "--channels-last", "--out", "run"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert len(compiled) == 2  # G and D
    assert re.search(
        r"compiling \(the first step\): \d+\.\d s; then \d+ ms per step", out
    )
    state = dl.load_checkpoint(tmp_path / "run" / "checkpoint.pt")
    assert state["history"]["compile_seconds"] > 0


def test_each_process_reads_only_its_share_of_an_image_folder(tmp_path, monkeypatch):
    """Each process's batches equal its shard of the one-process batch, read
    by workers that forkserver starts (spawn's pickling of the dataset works);
    a resumed order goes on with the same shares."""
    import pickle

    from PIL import Image

    from dcgan_lib.state import BatchOrder

    generator = torch.Generator().manual_seed(0)
    for i in range(12):
        pixels = torch.randint(0, 256, (8, 8, 3), generator=generator)
        Image.fromarray(pixels.to(torch.uint8).numpy()).save(tmp_path / f"{i}.png")
    data = dl.ImageFolderFlat(tmp_path, image_size=8)
    copied = pickle.loads(pickle.dumps(data))
    assert torch.equal(copied[3][0], data[3][0])
    state_module, started = sys.modules["dcgan_lib.state"], []

    def recorded(*args, **kwargs):
        started.append(kwargs["multiprocessing_context"])
        return DataLoader(*args, **kwargs)

    monkeypatch.setattr(state_module, "DataLoader", recorded)
    whole = BatchOrder(7)
    batches = [whole.next_batch(data, 4) for _ in range(3)]  # one epoch
    assert started == [None]  # one process: the platform's default
    for rank in range(2):
        order = BatchOrder(7)
        for step, batch in enumerate(batches):
            if step == 2:  # resumed from a saved state, mid-epoch
                saved = order.state_dict()
                order = BatchOrder(0)
                order.load_state_dict(saved)
            share = order.next_batch(data, 4, rank, 2)
            assert torch.equal(share, shard(batch, rank, 2))
    assert started[1:] == ["forkserver"] * 4  # per process: start, resume


@pytest.fixture
def torchrun_env(monkeypatch):
    """Process ``local_rank`` of 2 on a machine with ``gpus`` CUDA GPUs, as
    torchrun sets it up; the process group is recorded, not created."""
    import torch.distributed as dist

    backends = []

    def setup(local_rank: int, gpus: int):
        for name, value in {
            "WORLD_SIZE": "2",
            "RANK": str(local_rank),
            "LOCAL_RANK": str(local_rank),
            "LOCAL_WORLD_SIZE": "2",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: gpus > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: gpus)
        monkeypatch.setattr(torch.cuda, "set_device", backends.append)
        monkeypatch.setattr(torch, "set_num_threads", lambda n: None)
        monkeypatch.setattr(dist, "init_process_group", backends.append)
        monkeypatch.setattr(dist, "get_rank", lambda: local_rank)
        monkeypatch.setattr(dist, "get_world_size", lambda: 2)
        return backends

    return setup


@pytest.mark.parametrize("local_rank", [0, 1])
def test_auto_with_fewer_gpus_than_processes_trains_on_the_cpu(
    torchrun_env, capsys, local_rank
):
    backends = torchrun_env(local_rank, gpus=1)
    assert dl.init_distributed("auto") == (local_rank, 2, "cpu")
    assert backends == ["gloo"]  # no GPU taken: every process on gloo
    said = capsys.readouterr().err
    if local_rank == 0:  # one line for the machine, with the way to the GPU
        assert said.count("\n") == 1
        assert "2 processes on this machine but only 1 GPUs" in said
        assert "--nproc_per_node=1" in said
    else:
        assert said == ""


def test_asking_for_cuda_with_fewer_gpus_than_processes_fails(torchrun_env):
    backends = torchrun_env(1, gpus=1)
    with pytest.raises(RuntimeError, match="2 processes on this machine but only 1"):
        dl.init_distributed("cuda")
    assert backends == []


@pytest.mark.parametrize("device", ["auto", "cuda"])
def test_one_gpu_per_process_trains_on_the_gpus(torchrun_env, capsys, device):
    backends = torchrun_env(1, gpus=2)
    assert dl.init_distributed(device) == (1, 2, "cuda:1")
    assert backends == [1, "nccl"]  # process 1 on GPU 1, then the group
    assert capsys.readouterr().err == ""


def test_finish_distributed_outside_a_process_group_does_nothing():
    dl.finish_distributed()
    assert dl.rank_and_world() == (0, 1)


TEARDOWNS = 30  # a 10 % failure rate passes 30 launches 4 % of the time (0.9**30)


@pytest.mark.slow
def test_two_processes_finish_together_every_time(tmp_path):
    """Chapter 09's script and the CLI end with finish_distributed. With a bare
    destroy_process_group, process 1 was reported aborted at teardown now and
    then ("terminate called without an active exception"); 30 launches of the
    same ending, 3 at a time (a busy machine), all exit cleanly."""
    worker = str(ROOT / "tests" / "teardown_worker.py")
    failures = []
    for first in range(0, TEARDOWNS, 3):
        launches = [
            subprocess.Popen(
                [*TORCHRUN, "--nproc_per_node=2", worker, str(tmp_path / f"{n}.pt")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(first, min(first + 3, TEARDOWNS))
        ]
        for launch in launches:
            stderr = launch.communicate(timeout=300)[1]
            if launch.returncode != 0:
                failures.append(stderr[-1500:])
    assert failures == [], f"{len(failures)} of {TEARDOWNS} failed:\n{failures[0]}"
    gathered = [torch.load(tmp_path / f"{n}.pt") for n in range(TEARDOWNS)]
    assert all(g[:, 0, 0].tolist() == [0.0, 1.0] for g in gathered)
