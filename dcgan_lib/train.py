"""One update of D, one update of G, and a loop that records what happened.

Serves the paper's section 4 (training details) and chapters 04, 05 and 06.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.profiler import record_function
from torch.utils.data import DataLoader, Dataset, TensorDataset

from .checkpoints import _set_rng_states, load_checkpoint, save_checkpoint
from .config import Config
from .device import get_device
from .distributed import plain_batchnorm, rank_and_world, shard
from .precision import autocast, choose_precision, make_scaler
from .sampling import prepare_for_sampling

__all__ = [
    "make_optimizers",
    "d_step",
    "g_step",
    "train",
    "update_ema",
    "speed_up",
    "training_step",
    "History",
    "TrainingInterrupted",
    "load_or_train",
]


R1_EVERY = 4  # steps between two R1 penalties when cfg.r1_gamma > 0


def make_optimizers(G: nn.Module, D: nn.Module, cfg: Config):
    """Adam for each network with the paper's settings (lr 2e-4, betas (0.5, 0.999)).

    Returns: ``(opt_g, opt_d)``.
    """
    betas = (cfg.beta1, cfg.beta2)
    return (
        torch.optim.Adam(G.parameters(), lr=cfg.lr, betas=betas),
        torch.optim.Adam(D.parameters(), lr=cfg.lr, betas=betas),
    )


def _backward_and_step(loss: Tensor, optimizer, scaler, name: str) -> None:
    """loss.backward() and optimizer.step(), through the GradScaler for fp16; each
    labelled for torch.profiler as "<name>: backward" and "<name>: Adam"."""
    with record_function(f"{name}: backward"):
        (loss if scaler is None else scaler.scale(loss)).backward()
    with record_function(f"{name}: Adam"):
        if scaler is None:
            optimizer.step()
        else:
            scaler.step(optimizer)  # skipped when a gradient overflowed
            scaler.update()


def _check_scaler(precision: str, scaler) -> None:
    if precision == "fp16" and scaler is None:
        raise ValueError(
            "precision 'fp16' needs a GradScaler: pass scaler=dl.make_scaler('fp16', "
            "device) (train() does this itself)"
        )


def d_step(
    D: nn.Module,
    opt_d,
    real: Tensor,
    fake: Tensor,
    precision="fp32",
    scaler=None,
    r1_gamma: float = 0.0,
) -> dict:
    """One update of D: maximise log D(x) + log(1 - D(G(z))).

    With logits and BCE: minimise BCE(D(x), 1) + BCE(D(G(z)), 0). ``fake`` is
    detached, so this step changes D only. ``precision``: "fp32", or "bf16" /
    "fp16" for D's forward passes under autocast (fp16 with a ``scaler``).
    ``r1_gamma > 0`` adds the R1 penalty (Mescheder et al. 2018)
    r1_gamma / 2 * mean over the real batch of |grad_x logit(x)|^2: it keeps D's
    surface flat around the real images.
    Returns: plain floats ``loss_d`` (the BCE part, without the penalty),
    ``d_real`` = mean D(x), ``d_fake`` = mean D(G(z)) before the update.
    """
    _check_scaler(precision, scaler)
    opt_d.zero_grad(set_to_none=True)
    if r1_gamma:
        real = real.detach().requires_grad_(True)
    with autocast(precision, real.device), record_function("D: forward"):
        logits_real = D(real).float()
        logits_fake = D(fake.detach()).float()
    loss_real = F.binary_cross_entropy_with_logits(
        logits_real, torch.ones_like(logits_real)
    )
    loss_fake = F.binary_cross_entropy_with_logits(
        logits_fake, torch.zeros_like(logits_fake)
    )
    loss_d = loss_real + loss_fake
    total = loss_d
    if r1_gamma:
        with record_function("D: R1 penalty"):
            (grad,) = torch.autograd.grad(logits_real.sum(), real, create_graph=True)
            penalty = grad.float().pow(2).flatten(1).sum(1).mean()
        total = loss_d + r1_gamma / 2 * penalty
    _backward_and_step(total, opt_d, scaler, "D")
    return {
        "loss_d": loss_d.item(),
        "d_real": torch.sigmoid(logits_real).mean().item(),
        "d_fake": torch.sigmoid(logits_fake).mean().item(),
    }


def g_step(D: nn.Module, opt_g, fake: Tensor, precision="fp32", scaler=None) -> dict:
    """One update of G with the non-saturating loss: maximise log D(G(z)).

    That is BCE(D(G(z)), 1): fakes labelled "real". ``fake`` must still carry G's
    graph. ``precision`` and ``scaler`` as in ``d_step``. Returns: plain floats
    ``loss_g`` and ``d_fake_after`` = mean D(G(z)) judged by the D just updated.
    """
    _check_scaler(precision, scaler)
    opt_g.zero_grad(set_to_none=True)
    with autocast(precision, fake.device), record_function("G: D forward"):
        logits = D(fake).float()
    loss_g = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    _backward_and_step(loss_g, opt_g, scaler, "G")
    return {
        "loss_g": loss_g.item(),
        "d_fake_after": torch.sigmoid(logits).mean().item(),
    }


@torch.no_grad()
def update_ema(G_ema: nn.Module, G: nn.Module, decay: float, step: int) -> None:
    """Move ``G_ema``'s weights a step towards G's: an exponential moving average.

    w_ema <- d * w_ema + (1 - d) * w, with d = min(decay, (1 + step) / (10 + step)):
    the warm-up forgets the random initial weights quickly. Buffers (BatchNorm's
    running statistics) are copied from G: they belong to G's weights, not to the
    average, so sample ``G_ema`` through ``prepare_for_sampling``, which
    re-estimates them.
    """
    d = min(decay, (1 + step) / (10 + step))
    for w_ema, w in zip(G_ema.parameters(), G.parameters()):
        w_ema.lerp_(w, 1 - d)
    for b_ema, b in zip(G_ema.buffers(), G.buffers()):
        b_ema.copy_(b)


def speed_up(
    G: nn.Module,
    D: nn.Module,
    compile: bool = False,
    channels_last: bool = False,
    ddp: bool = False,
):
    """The modules a training step calls, made faster; G and D stay the ones to
    save, sample and hand to the optimizers (the results share their weights).

    ``channels_last``: G and D keep their weights (and take their images) in
    NHWC order, which many convolution kernels prefer (GPUs with tensor cores,
    oneDNN on CPUs); changed in place. ``ddp``: each wrapped in
    DistributedDataParallel (needs a process group, see ``init_distributed``):
    every backward pass averages the gradients over the processes. ``compile``:
    each wrapped in ``torch.compile``, which traces the forward and backward
    passes on the first call (tens of seconds) and runs fused kernels after.
    Returns: ``(G_run, D_run)``.
    """
    G_run, D_run = G, D
    if channels_last:
        G.to(memory_format=torch.channels_last)
        D.to(memory_format=torch.channels_last)
    if ddp:
        from torch.nn.parallel import DistributedDataParallel as DDP

        device = next(G.parameters()).device
        ids = [device.index] if device.type == "cuda" else None
        G_run, D_run = DDP(G, device_ids=ids), DDP(D, device_ids=ids)
    if compile:
        G_run, D_run = torch.compile(G_run), torch.compile(D_run)
    return G_run, D_run


def training_step(
    G_run: nn.Module,
    D_run: nn.Module,
    opt_g,
    opt_d,
    real: Tensor,
    z: Tensor,
    precision: str = "fp32",
    scalers: dict | None = None,
    r1_gamma: float = 0.0,
) -> dict:
    """One step of ``train``: fake = G(z), one ``d_step``, one ``g_step``.

    ``G_run``, ``D_run`` as ``speed_up`` returns them (or plain G and D);
    ``scalers``: ``{"d": ..., "g": ...}`` from ``make_scaler`` (fp16 only). A step
    with ``r1_gamma > 0`` runs D uncompiled: compiled code cannot be
    differentiated twice. Under DDP, the gradients G's loss leaves in D are not
    averaged (they are thrown away). Each part is labelled for torch.profiler
    ("G: forward", "D: forward", "D: backward", "D: Adam", "G: D forward",
    "G: backward", "G: Adam"). Returns: the floats of d_step and g_step.
    """
    scalers = scalers or {"d": None, "g": None}
    with autocast(precision, real.device), record_function("G: forward"):
        fake = G_run(z).float()
    D_d = getattr(D_run, "_orig_mod", D_run) if r1_gamma else D_run
    stats = d_step(D_d, opt_d, real, fake, precision, scalers["d"], r1_gamma)
    with _no_sync(D_run):
        stats.update(g_step(D_run, opt_g, fake, precision, scalers["g"]))
    return stats


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


@dataclass
class History:
    """What ``train`` saw, one entry per step; samples of a fixed noise batch."""

    step: list = field(default_factory=list)  # 1, 2, ...
    loss_d: list = field(default_factory=list)  # D's loss
    loss_g: list = field(default_factory=list)  # G's (non-saturating) loss
    d_real: list = field(default_factory=list)  # mean D(x) on the real batch
    d_fake: list = field(default_factory=list)  # mean D(G(z)) before D's update
    d_fake_after: list = field(default_factory=list)  # mean D(G(z)) after it
    sample_steps: list = field(default_factory=list)  # steps where samples were taken
    samples: list = field(default_factory=list)  # (n, nc, H, W) CPU tensors in [-1, 1]
    seconds: float = 0.0  # wall time spent in train(), summed over resumed runs
    precision: str = ""  # the arithmetic train() used: "fp32", "bf16" or "fp16"
    compile_seconds: float = 0.0  # with compile=True: the first step, which compiles
    processes: int = 1  # how many processes trained together (DDP's world size)


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped ``train`` at a step boundary after saving a checkpoint.

    ``step`` and ``path`` say where, ``history`` what was done until then;
    ``resume=True`` continues from there.
    """

    def __init__(self, step: int, path, history=None):
        self.step, self.path, self.history = step, Path(path), history
        super().__init__(
            f"interrupted at step {step}, saved to {path}; resume=True continues"
        )


# ---- batches: one generator draws every epoch's order and every step's noise


class _Batches:
    """Endless shuffled batches of images. Its state (the generator's, the epoch's
    order and the position in it) goes into checkpoints, so a resumed run draws
    exactly what an uninterrupted one would. In-memory datasets skip the DataLoader.
    """

    def __init__(self, dataset: Dataset, batch_size: int, generator: torch.Generator):
        if len(dataset) < batch_size:
            raise ValueError(
                f"the dataset has {len(dataset)} images, fewer than batch_size="
                f"{batch_size}: use a smaller batch_size"
            )
        self.dataset, self.batch_size, self.generator = dataset, batch_size, generator
        # an epoch ends before its last, partial batch
        self.end = len(dataset) // batch_size * batch_size
        self.order, self.position, self._loader = None, self.end, None

    def __next__(self) -> Tensor:
        if self.position >= self.end:
            self.order = torch.randperm(len(self.dataset), generator=self.generator)
            self.position, self._loader = 0, None
        index = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        if isinstance(self.dataset, TensorDataset):
            return self.dataset.tensors[0][index]
        if self._loader is None:  # image files: read them in worker processes
            rest = self.order[self.position - self.batch_size : self.end].tolist()
            self._loader = iter(
                DataLoader(
                    self.dataset,
                    self.batch_size,
                    sampler=rest,
                    drop_last=True,
                    num_workers=min(4, os.cpu_count() or 1),
                )
            )
        return next(self._loader)[0]

    def state(self) -> dict:
        return {
            "generator": self.generator.get_state(),
            "order": self.order,
            "position": self.position,
        }

    def restore(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.order, self.position = state["order"], state["position"]
        self._loader = None


# ---- the loop


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


def _anyone_stopping(flag: bool, world: int, device) -> bool:
    """True on every process if any of them was asked to stop: they all stop
    after the same step (one waiting for the others' gradients would hang)."""
    if world == 1:
        return flag
    import torch.distributed as dist

    vote = torch.tensor([float(flag)], device=device)
    dist.all_reduce(vote, op=dist.ReduceOp.MAX)
    return bool(vote.item())


def train(
    cfg: Config,
    dataset: Dataset,
    G: nn.Module,
    D: nn.Module,
    steps: int,
    device: str = "auto",
    sample_every: int | None = None,
    n_samples: int = 64,
    progress: bool = True,
    checkpoint=None,
    checkpoint_every: int | None = None,
    resume: bool = False,
    G_ema: nn.Module | None = None,
    precision: str = "auto",
    on_sample=None,
    compile: bool = False,
    channels_last: bool = False,
    sync_batchnorm: bool = False,
) -> History:
    """Train G and D in place until ``steps`` updates of each; return the History.

    Every step: z ~ N(0, I), fake = G(z), one ``d_step`` (with the R1 penalty
    every ``R1_EVERY`` steps when ``cfg.r1_gamma > 0``), one ``g_step``. Batches
    and noise come from one generator seeded with ``cfg.seed``, so a run repeats
    exactly on the CPU, and nothing global is seeded. Every ``sample_every``
    steps (and at the end) the generator draws the same ``n_samples`` latent
    vectors through ``prepare_for_sampling``; then ``on_sample(step, history)``
    is called, if given.

    With ``checkpoint`` (a path), the run is saved every ``checkpoint_every``
    steps, at the end, and on Ctrl-C, which then raises ``TrainingInterrupted``.
    ``resume=True`` continues from that checkpoint up to ``steps``, exactly as if
    never interrupted.

    ``G_ema``: when ``cfg.ema_decay > 0``, a copy of G (``copy.deepcopy(G)``) that
    follows the moving average of G's weights (``update_ema``) and draws the
    fixed-noise samples. ``precision``: "auto" (``choose_precision``: bf16 only
    where this machine has it in hardware), "fp32", "bf16" or "fp16"; a resumed
    run with "auto" keeps the precision it was started with.

    Speed (chapter 09), all off by default and none changing what is computed
    beyond rounding: ``compile`` (``torch.compile``; the first step compiles, its
    time goes to ``History.compile_seconds``; R1 steps run uncompiled, as
    compiled code cannot be differentiated twice), ``channels_last`` (NHWC
    memory order; see ``speed_up``).

    Several processes (``torchrun``, after ``init_distributed``): every process
    draws the same global batch and noise and trains on its own slice of
    ``cfg.batch_size // world_size`` images; DistributedDataParallel averages
    the gradients, so the weights stay identical everywhere. Only process 0
    shows progress, samples, calls ``on_sample`` and writes the checkpoint; all
    of them resume from it. ``sync_batchnorm`` (CUDA only) makes BatchNorm use
    the statistics of the whole global batch instead of each process's slice.
    Returns: a ``History`` (samples on process 0 only).
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if resume and checkpoint is None:
        raise ValueError("resume=True needs checkpoint=<path of the run to continue>")
    if getattr(G, "nz", cfg.nz) != cfg.nz:
        raise ValueError(f"G takes nz={G.nz} but cfg.nz={cfg.nz}: make them equal")
    if (G_ema is None) != (cfg.ema_decay == 0):
        raise ValueError(
            f"cfg.ema_decay={cfg.ema_decay} and G_ema={type(G_ema).__name__}: pass "
            "G_ema=copy.deepcopy(G) exactly when cfg.ema_decay > 0"
        )
    rank, world = rank_and_world()
    if cfg.batch_size % world:
        raise ValueError(
            f"batch_size={cfg.batch_size} does not split into {world} equal shares: "
            f"choose a multiple of {world} (the number of processes)"
        )
    device = get_device(device)
    if sync_batchnorm and world > 1:
        if device.type != "cuda":
            raise ValueError(
                "sync_batchnorm needs CUDA GPUs (PyTorch's SyncBatchNorm runs on GPUs "
                "only); on the CPU each process normalizes its own slice"
            )
        G = nn.SyncBatchNorm.convert_sync_batchnorm(G)
        D = nn.SyncBatchNorm.convert_sync_batchnorm(D)
    G.to(device).train()
    D.to(device).train()
    if G_ema is not None:
        G_ema.to(device).train().requires_grad_(False)
    opt_g, opt_d = make_optimizers(G, D, cfg)
    history, done, state = History(), 0, None
    if resume:
        state = load_checkpoint(
            checkpoint, G, D, opt_g, opt_d, map_location=device, G_ema=G_ema
        )
        if precision == "auto":  # a run keeps its arithmetic, so it resumes exactly
            precision = state.get("precision", "fp32")
    precision, _ = choose_precision(precision, device)
    scalers = {"d": make_scaler(precision, device), "g": make_scaler(precision, device)}
    if resume:
        if state["config"] != dataclasses.asdict(cfg):
            changed = {
                k: (v, getattr(cfg, k))
                for k, v in state["config"].items()
                if getattr(cfg, k, None) != v
            }
            raise ValueError(
                "the checkpoint was made with other settings (checkpoint, now): "
                f"{changed}; resume with Config(**state['config'])"
            )
        for name, scaler in scalers.items():
            if scaler is not None and name in state.get("scalers", {}):
                scaler.load_state_dict(state["scalers"][name])
        _set_rng_states(state["rng"])
        history, done = History(**state["history"]), state["step"]
    history.precision, history.processes = precision, world
    G_run, D_run = speed_up(G, D, compile, channels_last, ddp=world > 1)
    memory = torch.channels_last if channels_last else torch.contiguous_format
    generator = torch.Generator().manual_seed(cfg.seed)
    fixed_noise = torch.randn(n_samples, cfg.nz, 1, 1, generator=generator)
    batches = _Batches(dataset, cfg.batch_size, generator)
    if resume:
        if state.get("data") is None:
            raise ValueError(f"{checkpoint} holds no data position to resume from")
        batches.restore(state["data"])
    from tqdm.auto import tqdm

    earlier, started = history.seconds, time.perf_counter()

    def save(step):
        history.seconds = earlier + time.perf_counter() - started
        if rank > 0:  # process 0 writes for everyone; the others wait for it
            torch.distributed.barrier()
            return
        save_checkpoint(
            checkpoint,
            G,
            D,
            opt_g,
            opt_d,
            step,
            cfg,
            history,
            batches.state(),
            G_ema,
            precision,
            scalers,
        )
        if world > 1:
            torch.distributed.barrier()

    per_epoch = len(dataset) // cfg.batch_size
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
            real = shard(next(batches), rank, world).to(device, memory_format=memory)
            z = torch.randn(cfg.batch_size, cfg.nz, 1, 1, generator=generator)
            z = shard(z, rank, world).to(device)
            if step == done + 1:
                _check_shapes(G, real, z)
            # lazy R1 (Karras et al. 2020): every R1_EVERY-th step, R1_EVERY times
            # as strong; the same on average, at a quarter of the cost
            r1 = cfg.r1_gamma * R1_EVERY if step % R1_EVERY == 0 else 0.0
            stats = training_step(
                G_run, D_run, opt_g, opt_d, real, z, precision, scalers, r1
            )
            if compile and step == done + 1:
                history.compile_seconds += time.perf_counter() - first
            if G_ema is not None:
                update_ema(G_ema, G, cfg.ema_decay, step)
            history.step.append(step)
            for key, value in stats.items():
                getattr(history, key).append(value)
            bar.set_postfix(
                loss_d=f"{stats['loss_d']:.3f}", loss_g=f"{stats['loss_g']:.3f}"
            )
            sampling = sample_every and step % sample_every == 0 or step == steps
            if rank == 0 and sampling:
                source = G if G_ema is None else G_ema
                if sync_batchnorm and world > 1 and G_ema is None:
                    source = plain_batchnorm(copy.deepcopy(G))
                sampler = prepare_for_sampling(source)
                with torch.no_grad():
                    history.samples.append(sampler(fixed_noise.to(device)).cpu())
                history.sample_steps.append(step)
                if on_sample is not None:
                    on_sample(step, history)
            if _anyone_stopping(ctrl_c["stop"], world, device):
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


@contextmanager
def _no_sync(model: nn.Module):
    """DDP's ``no_sync`` (skip averaging this backward pass's gradients) for a
    DistributedDataParallel module, compiled or not; nothing for others."""
    inner = getattr(model, "_orig_mod", model)
    if hasattr(inner, "no_sync"):
        with inner.no_sync():
            yield
    else:
        yield


def load_or_train(path, cfg: Config, dataset: Dataset, steps: int, **train_kwargs):
    """A trained generator without retraining: load the run saved at ``path`` if
    it has ``steps`` steps with these settings, continue it if it has fewer, train
    it from scratch if there is none.

    The initial weights depend on ``cfg.seed`` only (``build_models``). A file
    made with other settings is never overwritten: that raises a ValueError
    naming the differences. ``train_kwargs`` go to ``train``.
    Returns: ``(sampler, D, history)``. ``sampler`` is ready to draw images:
    ``prepare_for_sampling`` of the averaged generator (``G_ema``) when
    ``cfg.ema_decay > 0``, else of G; in eval mode, on the CPU.
    """
    from .models import build_models

    path = Path(path)
    G, D = build_models(cfg)
    G_ema = copy.deepcopy(G) if cfg.ema_decay > 0 else None
    done = 0
    if path.exists():
        state = load_checkpoint(path)
        if state["config"] != dataclasses.asdict(cfg):
            changed = {
                k: (v, getattr(cfg, k, None))
                for k, v in state["config"].items()
                if getattr(cfg, k, None) != v
            }
            raise ValueError(
                f"{str(path)!r} was trained with other settings (file, asked): "
                f"{changed}; choose another path, or delete the file to retrain"
            )
        done = state["step"]
    if done >= steps:
        state = load_checkpoint(path, G, D, G_ema=G_ema)
        history = History(**state["history"])
    else:
        history = train(
            cfg,
            dataset,
            G,
            D,
            steps,
            checkpoint=path,
            resume=done > 0,
            G_ema=G_ema,
            **train_kwargs,
        )
    sampler = prepare_for_sampling((G if G_ema is None else G_ema).cpu())
    return sampler, D, history
