"""The training loop: a ``TrainState`` advanced step by step, with samples of the
fixed noise, checkpoints, and Ctrl-C that saves. Chapters 04-06 and 09.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from .checkpoints import save_checkpoint
from .config import require_int
from .distributed import anyone_stopping, rank_and_world, shard, speed_up
from .state import History, TrainState, epoch_length
from .steps import R1_EVERY, training_step, update_ema

__all__ = ["train", "TrainingInterrupted"]


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped ``train`` at a step boundary after saving a checkpoint.

    ``step`` and ``path`` say where, ``history`` what was done until then;
    ``dl.load_checkpoint(path, state)`` and ``train`` again continue from there.
    """

    def __init__(self, step: int, path, history=None):
        self.step, self.path, self.history = step, Path(path), history
        super().__init__(
            f"interrupted at step {step}, saved to {path}; load it into a new "
            "TrainState (dl.load_checkpoint(path, state)) to continue"
        )


@contextmanager
def _ctrl_c_between_steps(active: bool, world: int = 1):
    """While ``active``, a first Ctrl-C only sets ``flag["stop"]``: the loop finishes
    its step, saves and stops. A second Ctrl-C stops at once, as usual.

    Under torchrun (``world > 1``) SIGTERM counts as Ctrl-C too, and a second
    signal changes nothing: the terminal and torchrun both signal every process,
    and torchrun kills those still running 30 s later."""
    flag = {"stop": False}
    if not active or threading.current_thread() is not threading.main_thread():
        yield flag
        return
    signals = [signal.SIGINT] + ([signal.SIGTERM] if world > 1 else [])
    previous = {number: signal.getsignal(number) for number in signals}

    def handler(signum, frame):
        if flag["stop"] and world == 1:
            raise KeyboardInterrupt
        flag["stop"] = True

    for number in signals:
        signal.signal(number, handler)
    try:
        yield flag
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _check(state: TrainState, steps: int) -> int:
    steps = require_int(steps, "steps")
    if steps < state.step:
        raise ValueError(
            f"the run is already at step {state.step}, past steps={steps}: ask for "
            "more steps to continue it"
        )
    return steps


def _check_shapes(G: nn.Module, real: Tensor, z: Tensor) -> None:
    with torch.no_grad():
        made = G.eval()(z[:1]).shape[1:]
    G.train()
    if made != real.shape[1:]:
        raise ValueError(
            f"the dataset's images are {tuple(real.shape[1:])} but G makes "
            f"{tuple(made)}: build G and D with the data's nc and "
            "image_size (and load the data at that image_size)"
        )


def _step(state: TrainState, runners, dataset, step: int, memory, check: bool):
    """One step of the run: this process's slice of the batch and the noise,
    ``training_step`` (lazy R1), the average, the history. Returns: the floats."""
    cfg, (G_run, D_run) = state.cfg, runners
    rank, world = rank_and_world()
    batch = state.batches.next_batch(dataset, cfg.batch_size, rank, world)
    real = batch.to(state.device, memory_format=memory)  # this process's share
    z = shard(state.batches.noise(cfg.batch_size, cfg.nz), rank, world)
    z = z.to(state.device)
    if check:
        _check_shapes(state.G, real, z)
    # lazy R1 (Karras et al. 2020): every R1_EVERY-th step, R1_EVERY times as
    # strong; the same on average, at a quarter of the cost
    r1 = cfg.r1_gamma * R1_EVERY if step % R1_EVERY == 0 else 0.0
    stats = training_step(
        G_run, D_run, state.opt_g, state.opt_d, real, z, state.precision,
        state.scalers, r1,
    )  # fmt: skip
    if state.G_ema is not None:
        update_ema(state.G_ema, state.G, cfg.ema_decay, step)
    state.step = step
    state.history.step.append(step)
    for key, value in stats.items():
        getattr(state.history, key).append(value)
    return stats


def _take_samples(state: TrainState, step: int, on_sample) -> None:
    """The fixed noise through ``state.sampler()``, kept in the history."""
    with torch.no_grad():
        images = state.sampler()(state.fixed_noise.to(state.device))
    state.history.samples.append(images.cpu())
    state.history.sample_steps.append(step)
    if on_sample is not None:
        on_sample(step, state.history)


def train(
    state: TrainState,
    dataset: Dataset,
    steps: int,
    *,
    sample_every: int | None = None,
    on_sample=None,
    checkpoint=None,
    checkpoint_every: int | None = None,
    progress: bool = True,
    compile: bool = False,
    channels_last: bool = False,
) -> History:
    """Advance ``state`` until ``steps`` updates of D and of G; return its History.

    Every step: a batch and z ~ N(0, I) from the run's generator, fake = G(z),
    one ``d_step`` (with the R1 penalty every ``R1_EVERY`` steps when
    ``cfg.r1_gamma > 0``), one ``g_step``, and ``update_ema`` when there is a
    G_ema. A run repeats exactly on the CPU, and nothing global is seeded. Every
    ``sample_every`` steps and at the end, the fixed noise is drawn through
    ``state.sampler()``; then ``on_sample(step, history)`` is called, if given.

    With ``checkpoint`` (a path), the state is saved every ``checkpoint_every``
    steps, at the end, and on Ctrl-C, which then raises ``TrainingInterrupted``.
    A state loaded from a checkpoint (``load_checkpoint(path, state)``)
    continues exactly as if never interrupted.

    Speed (chapter 09), off by default and changing nothing beyond rounding:
    ``compile`` (``torch.compile``; the first step's time goes to
    ``History.compile_seconds``; R1 steps run D uncompiled) and
    ``channels_last`` (NHWC memory order; see ``speed_up``).

    Several processes (``torchrun``, after ``init_distributed``): every process
    draws the same global batch and noise and trains on its own slice of
    ``cfg.batch_size // world_size`` images; DistributedDataParallel averages
    the gradients, so the weights stay identical everywhere. Only process 0
    shows progress, samples, calls ``on_sample`` and writes the checkpoint.
    Returns: ``state.history`` (samples on process 0 only).
    """
    rank, world = rank_and_world()
    steps = _check(state, steps)
    cfg, history, done = state.cfg, state.history, state.step
    history.precision, history.processes = state.precision, world
    runners = speed_up(state.G, state.D, compile, channels_last, world > 1)
    memory = torch.channels_last if channels_last else torch.contiguous_format
    earlier, started = history.seconds, time.perf_counter()

    def save(step):
        history.seconds = earlier + time.perf_counter() - started
        if rank == 0:  # process 0 writes for everyone; the others wait for it
            save_checkpoint(checkpoint, state)
        if world > 1:
            torch.distributed.barrier()

    from tqdm.auto import tqdm

    per_epoch = epoch_length(dataset, cfg.batch_size)
    epochs = -(-steps // per_epoch)  # the last one may be partial
    bar = tqdm(
        range(done + 1, steps + 1),
        disable=not progress or rank > 0,
        initial=done,
        total=steps,
        unit="step",
    )
    with _ctrl_c_between_steps(checkpoint is not None, world) as ctrl_c:
        for step in bar:
            bar.set_description(f"epoch {(step - 1) // per_epoch + 1}/{epochs}", False)
            first = time.perf_counter()
            stats = _step(state, runners, dataset, step, memory, step == done + 1)
            if compile and step == done + 1:
                history.compile_seconds += time.perf_counter() - first
            bar.set_postfix(
                loss_d=f"{stats['loss_d']:.3f}", loss_g=f"{stats['loss_g']:.3f}"
            )
            sampling = sample_every and step % sample_every == 0 or step == steps
            if rank == 0 and sampling:
                _take_samples(state, step, on_sample)
            if anyone_stopping(ctrl_c["stop"], world, state.device):
                save(step)
                bar.close()
                raise TrainingInterrupted(step, checkpoint, history)
            if checkpoint_every and step % checkpoint_every == 0 and step < steps:
                save(step)
    bar.close()
    history.seconds = earlier + time.perf_counter() - started
    if checkpoint is not None:
        save(steps)
    return history
