"""Runs kept on disk: ``load_or_train`` (a chapter's network, trained once) and the
run folder the command line writes (settings, checkpoint, samples, curves).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from torch.utils.data import Dataset

from .checkpoints import load_checkpoint
from .config import Config
from .data import BOOK_SETTINGS, BOOK_STEPS
from .state import History, TrainState, config_differences
from .train import train

__all__ = ["load_or_train", "RunFolder"]


def load_or_train(
    path,
    cfg: Config,
    dataset: Dataset,
    steps: int,
    *,
    device="auto",
    precision: str = "auto",
    **train_options,
) -> TrainState:
    """A trained run without retraining: load the run saved at ``path`` if it has
    ``steps`` steps with these settings, continue it if it has fewer, train it
    from scratch (``TrainState.new(cfg)``: initial weights from ``cfg.seed``)
    if there is none.

    A file made with other settings is never overwritten: that raises a
    ValueError naming the differences. ``train_options`` go to ``train``.
    Returns: the ``TrainState`` on the CPU; ``state.sampler()`` draws images
    (the averaged G when there is one), ``state.D`` and ``state.history`` are
    the run's.
    """
    path = Path(path)
    state = TrainState.new(cfg, device=device, precision=precision)
    if path.exists():
        saved = load_checkpoint(path)
        changed = config_differences(saved["config"], cfg)
        if changed:
            raise ValueError(
                f"{str(path)!r} was trained with other settings (file, asked): "
                f"{changed}; choose another path, or delete the file to retrain"
            )
        # a finished run is only read; an unfinished one continues exactly
        state.load_state_dict(saved, global_rng=saved["step"] < steps)
    if state.step < steps:
        train(state, dataset, steps, checkpoint=path, **train_options)
    return state.to("cpu")


class RunFolder:
    """The folder of one command-line run, and the policy that keeps it safe.

    It holds ``checkpoint.pt`` (every epoch and on Ctrl-C), ``config.json`` (the
    settings), ``run.json`` (dataset, root and length, which a resume reuses),
    ``samples/epoch_NNN.png``, ``losses.png`` and ``history.json``. An existing
    run is never overwritten: it is continued (``resume``) or, when asked
    (``force``), deleted first.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.checkpoint = self.path / "checkpoint.pt"

    def holds_a_run(self) -> bool:
        return self.path.exists() and any(self.path.iterdir())

    def check_start(self, resume: bool, force: bool) -> None:
        """Raise ValueError unless a run may start here with these choices."""
        if resume and not self.checkpoint.is_file():
            raise ValueError(f"--resume: no checkpoint at {self.checkpoint}")
        if not resume and not force and self.holds_a_run():
            raise ValueError(
                f"{self.path} already holds a run; continue it with --resume "
                "or replace it with --force"
            )

    def saved_settings(self, dataset=None, root=None) -> tuple[Config, dict]:
        """The run's ``Config`` (from its checkpoint) and ``run.json``; a
        ``dataset`` or ``root`` given again must be the run's own."""
        cfg = Config(**load_checkpoint(self.checkpoint)["config"])
        record = self.path / "run.json"
        run = json.loads(record.read_text()) if record.is_file() else {}
        for key, given in (("dataset", dataset), ("root", root)):
            saved = run.get(key)
            if given is not None and saved is not None and str(given) != saved:
                raise ValueError(
                    f"--resume: this run was trained with --{key} {saved}, not "
                    f"{given}; leave --{key} out to use the run's own"
                )
        run["dataset"] = dataset or run.get("dataset", "mnist5k")
        run["root"] = str(root) if root else run.get("root")
        return cfg, run

    @staticmethod
    def new_settings(dataset=None, root=None, **changes) -> tuple[Config, dict]:
        """A new run's ``Config``: the book's settings for ``dataset``
        (``BOOK_SETTINGS``) with ``changes`` (None: not given) applied."""
        run = {"dataset": dataset or "mnist5k", "root": root and str(root)}
        settings = dict(BOOK_SETTINGS[run["dataset"]])
        settings.update({k: v for k, v in changes.items() if v is not None})
        return dataclasses.replace(Config(), **settings), run

    @staticmethod
    def length(run: dict, per_epoch: int, steps=None, epochs=None) -> int:
        """Steps to train to: asked for, else the run's own, else the book's
        (``BOOK_STEPS``) or 5 epochs."""
        if steps or epochs:
            return steps or epochs * per_epoch
        return run.get("steps") or BOOK_STEPS.get(run["dataset"], 5 * per_epoch)

    def start(self, cfg: Config, run: dict, force: bool) -> None:
        """Write the settings (after ``force``'s deletion): the run begins."""
        if force and self.path.exists():
            shutil.rmtree(self.path)
        (self.path / "samples").mkdir(parents=True, exist_ok=True)
        settings = json.dumps(dataclasses.asdict(cfg), indent=2)
        (self.path / "config.json").write_text(settings)
        (self.path / "run.json").write_text(json.dumps(run, indent=2))

    def write_curves(self, history: History) -> None:
        """``losses.png`` and ``history.json`` (all but the samples)."""
        from .viz import plot_history

        plot_history(history).savefig(self.path / "losses.png", dpi=100)
        record = dataclasses.asdict(history)
        record.pop("samples")
        (self.path / "history.json").write_text(json.dumps(record))

    def write_epoch(self, step: int, history: History, per_epoch: int, last: int):
        """After each epoch its grid; every 10 epochs and at the end (``last``)
        the curves too (drawing them takes a second, a tenth of an epoch here)."""
        from .viz import show_grid

        epoch = -(-step // per_epoch)
        grid = show_grid(history.samples[-1], title=f"epoch {epoch}, step {step}")
        grid.savefig(self.path / "samples" / f"epoch_{epoch:03d}.png", dpi=100)
        if epoch % 10 == 0 or step == last:
            self.write_curves(history)
