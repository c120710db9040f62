"""Checkpoints: a ``TrainState`` written atomically and read back safely, checkpoints
of earlier versions upgraded. Serves chapter 06 (resuming on Colab) and the CLI.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import torch

from .config import Config
from .files import write_atomically
from .state import CHECKPOINT_FORMAT, CHECKPOINT_VERSION, TrainState

__all__ = ["save_checkpoint", "load_checkpoint"]


def save_checkpoint(path, state: TrainState) -> Path:
    """Save ``state`` whole (``state.state_dict()``): both networks and optimizers,
    the averaged G if there is one, the step, the batch order and every random
    state, the settings, the history, the precision and the gradient scalers.

    Written to a temporary file beside ``path`` and then renamed, so a crash while
    writing never destroys the previous checkpoint. Returns: the path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = state.state_dict()
    return write_atomically(path, lambda file: torch.save(saved, file))


def _read(path: Path) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
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


def _upgrade_from_version_1(state: dict) -> dict:
    """Version 1 did not store the fixed noise: it was the first draw of the run's
    generator, seeded with the run's seed, as many vectors as each sample held."""
    cfg = Config(**state["config"])
    samples = state["history"]["samples"]
    n_samples = samples[0].shape[0] if samples else 64
    generator = torch.Generator().manual_seed(cfg.seed)
    noise = torch.randn(n_samples, cfg.nz, 1, 1, generator=generator)
    return {**state, "version": 2, "fixed_noise": noise}


def load_checkpoint(path, state: TrainState | None = None) -> dict:
    """Read a checkpoint safely; with ``state``, continue that run in it
    (``state.load_state_dict``: the settings must be the saved ones).

    ``torch.load(..., weights_only=True)``: a checkpoint can hold tensors and
    plain values but never code. A missing, truncated, foreign or mismatched
    file raises an error that says which; version 1 files (dcgan_lib before the
    TrainState) are upgraded. Returns: the checkpoint as a dict, on the CPU
    (``Config(**checkpoint["config"])`` rebuilds the run's settings;
    ``checkpoint["G"]`` etc. are state dicts).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}")
    saved = _read(path)
    if not isinstance(saved, dict) or saved.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{str(path)!r} is not a dcgan-book checkpoint")
    if saved.get("version") == 1:
        try:
            saved = _upgrade_from_version_1(saved)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError(
                f"{str(path)!r} is an incomplete version 1 checkpoint: delete it "
                "and train again"
            ) from None
    if saved.get("version") != CHECKPOINT_VERSION:
        raise ValueError(
            f"{str(path)!r} is checkpoint version {saved.get('version')}; this "
            f"dcgan_lib reads versions 1 to {CHECKPOINT_VERSION}: update dcgan_lib, "
            "or delete the file and train again"
        )
    if state is not None:
        try:
            state.load_state_dict(saved)
        except ValueError as error:
            raise ValueError(f"{str(path)!r}: {error}") from None
    return saved
