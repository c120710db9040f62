"""A training run as one object: models, optimizers, gradient scalers, batch order,
random states, history and step. Checkpoints save and load it whole (chapter 06).
"""

from __future__ import annotations

import copy
import dataclasses
import multiprocessing as mp
import os
import random
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from .config import Config, require_int
from .device import get_device
from .distributed import plain_batchnorm, rank_and_world, shard
from .models import build_models
from .precision import choose_precision, make_scaler
from .sampling import prepare_for_sampling
from .steps import make_optimizers

__all__ = [
    "History",
    "BatchOrder",
    "TrainState",
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "config_differences",
    "epoch_length",
]

CHECKPOINT_FORMAT = "dcgan-book checkpoint"
CHECKPOINT_VERSION = 2  # 2 adds the fixed noise; version 1 files are upgraded


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


class BatchOrder:
    """The run's random draws: one generator gives every epoch's shuffled order and
    every step's noise. Its state (the generator's, the epoch's order, the position
    in it) is part of the checkpoint, so a resumed run draws exactly what an
    uninterrupted one would. An epoch ends before its last, partial batch.
    """

    def __init__(self, seed: int):
        self.generator = torch.Generator().manual_seed(seed)
        self.order: Tensor | None = None
        self.position: int | None = None
        self._loader = None  # image files: a DataLoader over the rest of the epoch

    def noise(self, n: int, nz: int) -> Tensor:
        """``n`` latent vectors from the run's generator. Shape: (n, nz, 1, 1)."""
        return torch.randn(n, nz, 1, 1, generator=self.generator)

    def next_batch(
        self, dataset: Dataset, batch_size: int, rank: int = 0, world: int = 1
    ) -> Tensor:
        """Process ``rank``'s share of the epoch's next ``batch_size`` images
        (``shard`` of the global batch: all of it for one process); a new order
        after the last full batch. In-memory datasets skip the DataLoader; image
        files are read in worker processes, each process reading only its share,
        started by forkserver (or spawn) when ``world > 1``: DDP's documentation
        warns that forking next to nccl can deadlock.
        Shape: (batch_size // world, nc, H, W)."""
        end = epoch_length(dataset, batch_size) * batch_size
        if self.position is None or self.position >= end:
            self.order = torch.randperm(len(dataset), generator=self.generator)
            self.position, self._loader = 0, None
        index = self.order[self.position : self.position + batch_size]
        self.position += batch_size
        if isinstance(dataset, TensorDataset):
            return shard(dataset.tensors[0][index], rank, world)
        if self._loader is None:  # image files: read them in worker processes
            rest = self.order[self.position - batch_size : end].view(-1, batch_size)
            share = batch_size // world
            mine = rest[:, rank * share : (rank + 1) * share].flatten().tolist()
            self._loader = iter(
                DataLoader(
                    dataset,
                    share,
                    sampler=mine,
                    drop_last=True,
                    num_workers=min(4, os.cpu_count() or 1),
                    multiprocessing_context=_worker_start(world),
                )
            )
        return next(self._loader)[0]

    def state_dict(self) -> dict:
        return {
            "generator": self.generator.get_state(),
            "order": self.order,
            "position": self.position,
        }

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.order, self.position = state["order"], state["position"]
        self._loader = None


def _worker_start(world: int) -> str | None:
    """How DataLoader workers start: the platform's default for one process;
    forkserver (spawn where there is none) beside a process group."""
    if world == 1:
        return None
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


def epoch_length(dataset: Dataset, batch_size: int) -> int:
    """Full batches in an epoch (the partial last one is dropped); at least 1.

    Raises ValueError when ``dataset`` holds fewer than ``batch_size`` images."""
    if len(dataset) < batch_size:
        raise ValueError(
            f"the dataset has {len(dataset)} images, fewer than batch_size="
            f"{batch_size}: use a smaller batch_size"
        )
    return len(dataset) // batch_size


def config_differences(saved: dict, cfg: Config) -> dict:
    """The settings in which ``saved`` (a Config as a dict) and ``cfg`` differ.

    Returns: ``{name: (saved value, cfg's value)}``, empty when they agree.
    """
    names = set(saved) | {f.name for f in dataclasses.fields(cfg)}
    return {
        name: (saved.get(name), getattr(cfg, name, None))
        for name in sorted(names)
        if saved.get(name) != getattr(cfg, name, None)
    }


def _global_rng_states() -> dict:
    numpy_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "python": random.getstate(),
        "numpy": [
            numpy_state[0],
            torch.from_numpy(numpy_state[1].astype(np.int64)),
            *numpy_state[2:],
        ],
    }


def _set_global_rng_states(states: dict) -> None:
    torch.set_rng_state(states["torch"].cpu())
    if states["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in states["cuda"]])
    version, internal, gauss = states["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, *rest = states["numpy"]
    np.random.set_state((kind, keys.cpu().numpy().astype(np.uint32), *rest))


def _load_module(target, state: dict, name: str) -> None:
    try:
        target.load_state_dict(state[name])
    except (RuntimeError, ValueError, KeyError) as error:
        raise ValueError(
            f"the saved {name} does not fit this run's {name}: build the models "
            f"with the saved settings, Config(**state['config']) = "
            f"{state['config']}. PyTorch said: {str(error).splitlines()[0]}"
        ) from None


@dataclass(eq=False)
class TrainState:
    """Everything a run is, made one way (``TrainState.new``) and saved whole.

    ``train`` advances it; ``save_checkpoint`` / ``load_checkpoint`` write and
    read it; ``sampler()`` gives the network to draw images from.
    """

    cfg: Config  # the run's settings
    G: nn.Module  # the generator being trained
    D: nn.Module  # the discriminator being trained
    G_ema: nn.Module | None  # moving average of G's weights (cfg.ema_decay > 0)
    opt_g: torch.optim.Optimizer  # Adam for G
    opt_d: torch.optim.Optimizer  # Adam for D
    precision: str  # the arithmetic of the forward passes: fp32, bf16 or fp16
    scalers: dict  # {"d": GradScaler or None, "g": ...}: fp16 only
    batches: BatchOrder  # epoch order and noise, from one generator
    fixed_noise: Tensor  # (n_samples, nz, 1, 1): what the history's samples show
    history: History = field(default_factory=History)  # one entry per step
    step: int = 0  # updates of D and of G done so far
    precision_reason: str = ""  # why this precision (choose_precision)
    keep_saved_precision: bool = True  # asked "auto": a loaded run keeps its own

    @classmethod
    def new(
        cls,
        cfg: Config,
        G: nn.Module | None = None,
        D: nn.Module | None = None,
        *,
        device="auto",
        precision: str = "auto",
        n_samples: int = 64,
        sync_batchnorm: bool = False,
    ) -> TrainState:
        """A run at step 0: G and D (``build_models(cfg)`` unless given) on
        ``device`` in train mode, ``G_ema`` as a copy of G exactly when
        ``cfg.ema_decay > 0``, Adam for each, the precision (``choose_precision``:
        "auto" picks bf16 only where this machine has it in hardware) and its
        gradient scalers, and the run's generator seeded with ``cfg.seed``, whose
        first draw is the ``n_samples`` fixed latent vectors.

        ``sync_batchnorm`` (under torchrun, CUDA only): BatchNorm layers use the
        statistics of the whole global batch instead of each process's slice.
        Not with ``cfg.r1_gamma > 0``: the R1 penalty differentiates D twice, which
        SyncBatchNorm cannot (its backward has no derivative in PyTorch).
        Raises ValueError for those, and for a batch that does not split evenly.
        Returns: the state; G and D are the very modules given (moved).
        """
        if G is None or D is None:
            G, D = build_models(cfg)
        if getattr(G, "nz", cfg.nz) != cfg.nz:
            raise ValueError(f"G takes nz={G.nz} but cfg.nz={cfg.nz}: make them equal")
        world = rank_and_world()[1]
        if cfg.batch_size % world:
            raise ValueError(
                f"batch_size={cfg.batch_size} does not split into {world} equal "
                f"shares: choose a multiple of {world} (the number of processes)"
            )
        device = get_device(device)
        G_ema = copy.deepcopy(G) if cfg.ema_decay > 0 else None
        if sync_batchnorm and world > 1:
            if cfg.r1_gamma > 0:  # its first step would stop with a RuntimeError
                raise ValueError(
                    f"sync_batchnorm cannot train with the R1 penalty (r1_gamma="
                    f"{cfg.r1_gamma}): R1 differentiates D twice, and PyTorch's "
                    "SyncBatchNorm cannot be differentiated twice (pytorch/pytorch"
                    "#61222). Turn one off: r1_gamma=0 (--r1-gamma 0), or "
                    "sync_batchnorm=False (no --sync-batchnorm)"
                )
            if device.type != "cuda":
                raise ValueError(
                    "sync_batchnorm needs CUDA GPUs (PyTorch's SyncBatchNorm runs on "
                    "GPUs only); on the CPU each process normalizes its own slice"
                )
            G = nn.SyncBatchNorm.convert_sync_batchnorm(G)
            D = nn.SyncBatchNorm.convert_sync_batchnorm(D)
        G.to(device).train()
        D.to(device).train()
        if G_ema is not None:
            G_ema.to(device).train().requires_grad_(False)
        opt_g, opt_d = make_optimizers(G, D, cfg)
        chosen, reason = choose_precision(precision, device)
        batches = BatchOrder(cfg.seed)
        return cls(
            cfg=cfg,
            G=G,
            D=D,
            G_ema=G_ema,
            opt_g=opt_g,
            opt_d=opt_d,
            precision=chosen,
            scalers=cls._scalers(chosen, device),
            batches=batches,
            fixed_noise=batches.noise(require_int(n_samples, "n_samples"), cfg.nz),
            history=History(precision=chosen),
            precision_reason=reason,
            keep_saved_precision=precision == "auto",
        )

    @staticmethod
    def _scalers(precision: str, device) -> dict:
        return {
            "d": make_scaler(precision, device),
            "g": make_scaler(precision, device),
        }

    @property
    def device(self) -> torch.device:
        return next(self.G.parameters()).device

    def sampler(self) -> nn.Module:
        """The generator to draw images from: ``prepare_for_sampling`` of the
        average ``G_ema`` when there is one, else of G (SyncBatchNorm made plain,
        as it would wait for other processes). Eval mode, on the state's device."""
        source = self.G if self.G_ema is None else self.G_ema
        if any(isinstance(m, nn.SyncBatchNorm) for m in source.modules()):
            source = plain_batchnorm(copy.deepcopy(source))
        return prepare_for_sampling(source)

    def to(self, device) -> TrainState:
        """Move the networks and the optimizers' moments to ``device``.
        Returns: the state itself."""
        for module in (self.G, self.D, self.G_ema):
            if module is not None:
                module.to(device)
        for optimizer in (self.opt_g, self.opt_d):
            for moments in optimizer.state.values():
                for key, value in moments.items():
                    if isinstance(value, Tensor) and key != "step":
                        moments[key] = value.to(device)
        return self

    def state_dict(self) -> dict:
        """The run as tensors and plain values (what ``save_checkpoint`` writes)."""
        return {
            "format": CHECKPOINT_FORMAT,
            "version": CHECKPOINT_VERSION,
            "step": self.step,
            "config": dataclasses.asdict(self.cfg),
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "G_ema": None if self.G_ema is None else self.G_ema.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": _global_rng_states(),
            "data": self.batches.state_dict(),
            "fixed_noise": self.fixed_noise,
            "history": dataclasses.asdict(self.history),
            "precision": self.precision,  # a resumed run keeps it
            "scalers": {k: s.state_dict() for k, s in self.scalers.items() if s},
        }

    def load_state_dict(self, state: dict, global_rng: bool = True) -> None:
        """Continue the run ``state`` holds: every part above, the precision it
        was trained with (unless this state was made with an explicit one), and,
        with ``global_rng``, the global random states as they were when saved, so
        a resumed run repeats an uninterrupted one exactly.

        Raises ValueError when the saved settings differ from ``self.cfg``."""
        changed = config_differences(state["config"], self.cfg)
        if changed:
            raise ValueError(
                "the saved run was made with other settings (saved, now): "
                f"{changed}; resume with Config(**state['config'])"
            )
        for name in ("G", "D", "opt_g", "opt_d") + (("G_ema",) if self.G_ema else ()):
            _load_module(getattr(self, name), state, name)
        if self.keep_saved_precision:
            if state["precision"] != self.precision:
                self.precision, _ = choose_precision(state["precision"], self.device)
                self.scalers = self._scalers(self.precision, self.device)
            self.precision_reason = "the run's own (a resumed run keeps its arithmetic)"
        for name, scaler in self.scalers.items():
            if scaler is not None and name in state.get("scalers", {}):
                scaler.load_state_dict(state["scalers"][name])
        if state.get("data") is None:
            raise ValueError("the saved run holds no data position to resume from")
        self.batches.load_state_dict(state["data"])
        self.fixed_noise = state["fixed_noise"]
        self.history = History(**state["history"])
        self.step = state["step"]
        if global_rng:
            _set_global_rng_states(state["rng"])
