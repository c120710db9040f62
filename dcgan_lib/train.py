"""One update of D, one update of G, a loop that records what happened, checkpoints.

Serves the paper's section 4 (training details) and chapters 04, 05 and 06.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import random
import signal
import threading
import time
import zipfile
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from .config import Config
from .device import get_device

__all__ = [
    "make_optimizers",
    "d_step",
    "g_step",
    "train",
    "update_ema",
    "History",
    "save_checkpoint",
    "load_checkpoint",
    "load_or_train",
]

CHECKPOINT_FORMAT = "dcgan-book checkpoint"
CHECKPOINT_VERSION = 1


def make_optimizers(G: nn.Module, D: nn.Module, cfg: Config):
    """Adam for each network with the paper's settings (lr 2e-4, betas (0.5, 0.999)).

    Returns: ``(opt_g, opt_d)``.
    """
    betas = (cfg.beta1, cfg.beta2)
    return (
        torch.optim.Adam(G.parameters(), lr=cfg.lr, betas=betas),
        torch.optim.Adam(D.parameters(), lr=cfg.lr, betas=betas),
    )


def _autocast(bf16: bool, device: torch.device):
    """Forward passes in bfloat16 where it is safe (matrix products, convolutions),
    in float32 elsewhere; a no-op unless ``bf16``. Backward runs outside it."""
    if not bf16:  # never touch autocast then: older torch rejects some devices
        return nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def d_step(D: nn.Module, opt_d, real: Tensor, fake: Tensor, bf16: bool = False) -> dict:
    """One update of D: maximise log D(x) + log(1 - D(G(z))).

    With logits and BCE: minimise BCE(D(x), 1) + BCE(D(G(z)), 0). ``fake`` is
    detached, so this step changes D only. ``bf16``: D's forward passes under
    bfloat16 autocast (see ``train``).
    Returns: plain floats ``loss_d``, ``d_real`` = mean D(x), ``d_fake`` = mean
    D(G(z)) before the update.
    """
    opt_d.zero_grad(set_to_none=True)
    with _autocast(bf16, real.device):
        logits_real = D(real).float()
        logits_fake = D(fake.detach()).float()
    loss_real = F.binary_cross_entropy_with_logits(
        logits_real, torch.ones_like(logits_real)
    )
    loss_fake = F.binary_cross_entropy_with_logits(
        logits_fake, torch.zeros_like(logits_fake)
    )
    loss_d = loss_real + loss_fake
    loss_d.backward()
    opt_d.step()
    return {
        "loss_d": loss_d.item(),
        "d_real": torch.sigmoid(logits_real).mean().item(),
        "d_fake": torch.sigmoid(logits_fake).mean().item(),
    }


def g_step(D: nn.Module, opt_g, fake: Tensor, bf16: bool = False) -> dict:
    """One update of G with the non-saturating loss: maximise log D(G(z)).

    That is BCE(D(G(z)), 1): fakes labelled "real". ``fake`` must still carry G's
    graph. ``bf16`` as in ``d_step``. Returns: plain floats ``loss_g`` and
    ``d_fake_after`` = mean D(G(z)) judged by the D just updated.
    """
    opt_g.zero_grad(set_to_none=True)
    with _autocast(bf16, fake.device):
        logits = D(fake).float()
    loss_g = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    loss_g.backward()
    opt_g.step()
    return {
        "loss_g": loss_g.item(),
        "d_fake_after": torch.sigmoid(logits).mean().item(),
    }


@torch.no_grad()
def update_ema(G_ema: nn.Module, G: nn.Module, decay: float, step: int) -> None:
    """Move ``G_ema``'s weights a step towards G's: an exponential moving average.

    w_ema <- d * w_ema + (1 - d) * w, with d = min(decay, (1 + step) / (10 + step)):
    the warm-up forgets the random initial weights quickly. Buffers (BatchNorm's
    running statistics) are copied from G.
    """
    d = min(decay, (1 + step) / (10 + step))
    for w_ema, w in zip(G_ema.parameters(), G.parameters()):
        w_ema.lerp_(w, 1 - d)
    for b_ema, b in zip(G_ema.buffers(), G.buffers()):
        b_ema.copy_(b)


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


# ---- checkpoints


def _rng_states() -> dict:
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


def _set_rng_states(states: dict) -> None:
    torch.set_rng_state(states["torch"])
    if states["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])
    version, internal, gauss = states["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, *rest = states["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), *rest))


def save_checkpoint(
    path,
    G,
    D,
    opt_g,
    opt_d,
    step: int,
    cfg: Config,
    history: History,
    data_state: dict | None = None,
    G_ema: nn.Module | None = None,
) -> Path:
    """Save everything needed to continue: both networks and optimizers, the
    averaged G if there is one, the step, every RNG state, the config and the
    history.

    Written to a temporary file beside ``path`` and then renamed, so a crash while
    writing never destroys the previous checkpoint. Returns: the path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "step": step,
        "config": dataclasses.asdict(cfg),
        "G": G.state_dict(),
        "D": D.state_dict(),
        "G_ema": None if G_ema is None else G_ema.state_dict(),
        "opt_g": opt_g.state_dict(),
        "opt_d": opt_d.state_dict(),
        "rng": _rng_states(),
        "data": data_state,  # train()'s generator, epoch order and position
        "history": dataclasses.asdict(history),
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        torch.save(state, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_checkpoint(
    path, G=None, D=None, opt_g=None, opt_d=None, map_location="cpu", G_ema=None
) -> dict:
    """Read a checkpoint safely and load it into whichever of G, D, opt_g, opt_d,
    G_ema are given.

    ``torch.load(..., weights_only=True)``: a checkpoint can hold tensors and
    plain values but never code. A missing, truncated, foreign or mismatched
    file raises an error that says which. Returns: the checkpoint as a dict
    (``state["config"]`` rebuilds the run's ``Config(**state["config"])``).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        if "unsupported global" in str(error).lower():
            raise ValueError(
                f"{str(path)!r} holds Python objects other than tensors and plain "
                "values; it was refused because loading it could run code"
            ) from None
        raise ValueError(
            f"{str(path)!r} is not a readable checkpoint (truncated, corrupt, or "
            "not a checkpoint at all)"
        ) from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError) as error:
        raise ValueError(
            f"{str(path)!r} is not a readable checkpoint (truncated or corrupt?): "
            f"{error}"
        ) from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{str(path)!r} is not a dcgan-book checkpoint")
    if state.get("version") != CHECKPOINT_VERSION:
        raise ValueError(
            f"{str(path)!r} is checkpoint version {state.get('version')}; this "
            f"dcgan_lib reads version {CHECKPOINT_VERSION}"
        )
    if G_ema is not None and state.get("G_ema") is None:
        raise ValueError(
            f"{str(path)!r} holds no averaged generator (it was trained with "
            "cfg.ema_decay = 0): load its G instead"
        )
    targets = {"G": G, "D": D, "opt_g": opt_g, "opt_d": opt_d, "G_ema": G_ema}
    for name, target in targets.items():
        if target is None:
            continue
        try:
            target.load_state_dict(state[name])
        except (RuntimeError, ValueError, KeyError) as error:
            raise ValueError(
                f"{str(path)!r} does not fit this {name}: build it with the "
                f"checkpoint's settings, Config(**state['config']) = "
                f"{state['config']}. PyTorch said: {str(error).splitlines()[0]}"
            ) from None
    return state


# ---- the loop


@torch.no_grad()
def _sample(G: nn.Module, z: Tensor) -> Tensor:
    """G(z) as training sees it (BatchNorm on batch statistics, as the PyTorch
    tutorial samples), leaving G's running statistics exactly as they were."""
    buffers = {name: b.clone() for name, b in G.named_buffers()}
    images = G(z).cpu()
    for name, b in G.named_buffers():
        b.copy_(buffers[name])
    return images


@contextmanager
def _ctrl_c_between_steps(active: bool):
    """While ``active``, a first Ctrl-C only sets ``flag["stop"]``: the loop finishes
    its step, saves and stops. A second Ctrl-C stops at once, as usual."""
    flag = {"stop": False}
    if not active or threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        if flag["stop"]:
            raise KeyboardInterrupt
        flag["stop"] = True

    signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


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
    bf16: bool = False,
) -> History:
    """Train G and D in place until ``steps`` updates of each; return the History.

    Every step: z ~ N(0, I), fake = G(z), one ``d_step``, one ``g_step``. Batches
    and noise come from one generator seeded with ``cfg.seed``, so a run repeats
    exactly on the CPU, and nothing global is seeded. Every ``sample_every``
    steps (and at the end) G draws the same ``n_samples`` latent vectors.

    With ``checkpoint`` (a path), the run is saved every ``checkpoint_every``
    steps, at the end, and on Ctrl-C before stopping. ``resume=True`` continues
    from that checkpoint up to ``steps``, exactly as if never interrupted.

    ``G_ema``: when ``cfg.ema_decay > 0``, a copy of G (``copy.deepcopy(G)``) that
    follows the moving average of G's weights (``update_ema``) and draws the
    fixed-noise samples. ``bf16``: forward passes under bfloat16 autocast, faster
    on CPUs with AVX-512 BF16 and on recent GPUs. Returns: a ``History``.
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
    device = get_device(device)
    G.to(device).train()
    D.to(device).train()
    if G_ema is not None:
        G_ema.to(device).train().requires_grad_(False)
    opt_g, opt_d = make_optimizers(G, D, cfg)
    history, done = History(), 0
    if resume:
        state = load_checkpoint(
            checkpoint, G, D, opt_g, opt_d, map_location=device, G_ema=G_ema
        )
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
        _set_rng_states(state["rng"])
        history, done = History(**state["history"]), state["step"]
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
        save_checkpoint(
            checkpoint, G, D, opt_g, opt_d, step, cfg, history, batches.state(), G_ema
        )

    bar = tqdm(
        range(done + 1, steps + 1),
        disable=not progress,
        desc="training",
        initial=done,
        total=steps,
    )
    with _ctrl_c_between_steps(checkpoint is not None) as ctrl_c:
        for step in bar:
            real = next(batches).to(device)
            z = torch.randn(cfg.batch_size, cfg.nz, 1, 1, generator=generator)
            with _autocast(bf16, device):
                fake = G(z.to(device)).float()
            if step == done + 1 and fake.shape[1:] != real.shape[1:]:
                raise ValueError(
                    f"the dataset's images are {tuple(real.shape[1:])} but G makes "
                    f"{tuple(fake.shape[1:])}: build G and D with the data's nc and "
                    "image_size (and load the data at that image_size)"
                )
            stats = d_step(D, opt_d, real, fake, bf16)
            stats.update(g_step(D, opt_g, fake, bf16))
            if G_ema is not None:
                update_ema(G_ema, G, cfg.ema_decay, step)
            history.step.append(step)
            for key, value in stats.items():
                getattr(history, key).append(value)
            if sample_every and step % sample_every == 0 or step == steps:
                sampler = G if G_ema is None else G_ema
                history.samples.append(_sample(sampler, fixed_noise.to(device)))
                history.sample_steps.append(step)
            bar.set_postfix(
                loss_d=f"{stats['loss_d']:.3f}", loss_g=f"{stats['loss_g']:.3f}"
            )
            if ctrl_c["stop"]:
                save(step)
                bar.close()
                print(
                    f"\ninterrupted: step {step} saved to {checkpoint}; "
                    "resume=True continues from there"
                )
                raise KeyboardInterrupt
            if checkpoint_every and step % checkpoint_every == 0 and step < steps:
                save(step)
    bar.close()
    history.seconds = earlier + time.perf_counter() - started
    if checkpoint is not None:
        save(steps)
    return history


def load_or_train(path, cfg: Config, dataset: Dataset, steps: int, **train_kwargs):
    """A trained G and D without retraining: load the run saved at ``path`` if it
    has ``steps`` steps with these settings, continue it if it has fewer, train it
    from scratch if there is none.

    The initial weights depend on ``cfg.seed`` only (the global RNG is left as it
    was). A file made with other settings is never overwritten: that raises a
    ValueError naming the differences. ``train_kwargs`` go to ``train``.
    Returns: ``(G, D, history)``; G is the averaged generator (``G_ema``) when
    ``cfg.ema_decay > 0``, since that is the one to sample from.
    """
    from .models import Discriminator, Generator, weights_init

    path = Path(path)
    with torch.random.fork_rng(devices=[]):  # initial weights fixed by cfg.seed alone
        torch.manual_seed(cfg.seed)
        G = Generator(cfg.nz, cfg.ngf, cfg.nc, cfg.image_size)
        D = Discriminator(cfg.nc, cfg.ndf, cfg.image_size, cfg.leaky_slope)
        G.apply(lambda m: weights_init(m, cfg.init_std))
        D.apply(lambda m: weights_init(m, cfg.init_std))
    G_ema = copy.deepcopy(G) if cfg.ema_decay > 0 else None
    sampler = G if G_ema is None else G_ema
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
            load_checkpoint(path, G, D, G_ema=G_ema)
            return sampler, D, History(**state["history"])
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
    return sampler, D, history
