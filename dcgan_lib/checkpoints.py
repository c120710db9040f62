"""Checkpoints: everything a run needs to continue exactly, saved atomically and
loaded safely. Serves chapter 06 (resuming on Colab) and the command line.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import random
import zipfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .config import Config

__all__ = ["save_checkpoint", "load_checkpoint"]

CHECKPOINT_FORMAT = "dcgan-book checkpoint"
CHECKPOINT_VERSION = 1


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
    history,
    data_state: dict | None = None,
    G_ema: nn.Module | None = None,
    precision: str = "fp32",
    scalers: dict | None = None,
) -> Path:
    """Save everything needed to continue: both networks and optimizers, the
    averaged G if there is one, the step, every RNG state, the config, the
    history, the precision and (for fp16) the gradient scalers' state.

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
        "precision": precision,  # a resumed run keeps it (see train)
        "scalers": {k: s.state_dict() for k, s in (scalers or {}).items() if s},
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
