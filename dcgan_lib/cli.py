"""The command line: ``python -m dcgan_lib {train,sample,execute,student,grade}``.

Each subcommand is one handler that maps flags onto ``Config``, ``TrainState``,
``RunFolder`` and the notebook tools; checks live in the library, whose
ValueErrors become one-line errors here. ``grade`` is dcgan_lib/grading.py.
"""

from __future__ import annotations

import sys

from .arguments import TRAINING_FLAGS, build_parser
from .config import Config
from .notebooks import execute_notebook, find_notebooks, student_edition

__all__ = ["main"]


def _settings(args, folder) -> tuple:
    """The run's Config and run.json: the saved ones when resuming, else the
    book's for the dataset with the flags given."""
    if args.resume:
        return folder.saved_settings(args.dataset, args.root)
    changes = {name: getattr(args, name) for name in TRAINING_FLAGS}
    return folder.new_settings(args.dataset, args.root, **changes)


def _train(args, parser) -> int:
    from .distributed import finish_distributed, init_distributed

    try:
        rank, world, args.device = init_distributed(args.device)
    except (ValueError, RuntimeError) as error:
        parser.error(str(error))
    code = _train_here(args, parser, rank, world)  # 0, or 130 after Ctrl-C
    finish_distributed()  # every process got here; after an error none waits
    return code


def _prepare_run(args, folder):
    """Everything checked before anything is written: ``(state, dataset, run)``."""
    from .checkpoints import load_checkpoint
    from .data import load_dataset
    from .state import TrainState

    folder.check_start(args.resume, args.force)
    cfg, run = _settings(args, folder)
    dataset = load_dataset(run["dataset"], cfg.image_size, root=run["root"])
    per_epoch = len(dataset) // cfg.batch_size
    run["steps"] = folder.length(run, per_epoch, args.steps, args.epochs)
    state = TrainState.new(
        cfg,
        device=args.device,
        precision=args.precision,
        sync_batchnorm=args.sync_batchnorm,
    )
    if args.resume:
        load_checkpoint(folder.checkpoint, state)
        if run["steps"] < state.step:
            raise ValueError(
                f"--resume: the run is already at step {state.step}, past "
                f"{run['steps']}; give a larger --steps or --epochs to go on"
            )
    return state, dataset, run


def _train_here(args, parser, rank: int, world: int) -> int:
    """``train`` in this process (one of ``world``; process 0 writes the files)."""
    import warnings

    from .runs import RunFolder
    from .train import TrainingInterrupted, train
    from .viz import use_hangul_font

    say = print if rank == 0 else (lambda *a, **k: None)
    folder = RunFolder(args.out)
    try:
        state, dataset, run = _prepare_run(args, folder)
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    if world > 1:  # every process has checked the folder before process 0 writes
        import torch.distributed as dist

        dist.barrier()
    if rank == 0:
        folder.start(state.cfg, run, args.force)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # without the font, titles lose only Hangul
        use_hangul_font()
    say(f"precision: {state.precision} ({state.precision_reason})")
    per_epoch = len(dataset) // state.cfg.batch_size
    if world > 1:
        say(
            f"{world} processes on {args.device}, {state.cfg.batch_size // world} "
            f"images each per step ({state.cfg.batch_size} in all)"
        )
    try:
        history = train(
            state,
            dataset,
            run["steps"],
            sample_every=per_epoch,
            on_sample=lambda step, h: folder.write_epoch(
                step, h, per_epoch, run["steps"]
            ),
            checkpoint=folder.checkpoint,
            checkpoint_every=per_epoch,
            progress=rank == 0,
            compile=args.compile,
            channels_last=args.channels_last,
        )
    except TrainingInterrupted as stop:
        if rank == 0:
            folder.write_curves(stop.history)
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
    say(f"done: {args.out}/ (checkpoint.pt, samples/, losses.png, history.json)")
    return 0


def _sample(args, parser) -> int:
    import torch

    from .checkpoints import load_checkpoint
    from .sampling import generate
    from .state import TrainState
    from .viz import show_grid

    if args.out.exists() and not args.force:
        parser.error(f"{args.out} exists; choose another --out or pass --force")
    try:
        saved = load_checkpoint(args.checkpoint)
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    state = TrainState.new(Config(**saved["config"]), device="cpu", precision="fp32")
    state.load_state_dict(saved, global_rng=False)
    z = torch.randn(
        args.n, state.cfg.nz, 1, 1, generator=torch.Generator().manual_seed(args.seed)
    )
    images = generate(state.sampler(), z)  # the average G, statistics re-estimated
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix == ".pt":
        torch.save(images, args.out)
    else:
        show_grid(images, nrow=min(8, args.n)).savefig(args.out, dpi=100)
    print(f"wrote {args.n} samples of step {state.step} to {args.out}")
    return 0


def _execute(args, parser) -> int:
    chosen = args.notebooks or find_notebooks()
    missing = [str(p) for p in chosen if not p.is_file()]
    if missing or not chosen:
        parser.error(f"no such notebook: {', '.join(missing) or 'notebooks/*/*.ipynb'}")
    failed = []
    for path in chosen:
        mode = "fast" if args.fast else "full"
        print(f"executing {path} ({mode} mode) ...", flush=True)
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


def _student(args, parser) -> int:
    notebooks = find_notebooks()
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


def _train_command(args, parser) -> int:
    try:
        return _train(args, parser)
    except KeyboardInterrupt:  # a second Ctrl-C, or one outside a training step
        saved = args.out / "checkpoint.pt"
        where = (
            f"the last checkpoint is {saved}" if saved.is_file() else "nothing saved"
        )
        print(f"\ninterrupted; {where}", file=sys.stderr)
        return 130


HANDLERS = {
    "train": _train_command,
    "sample": _sample,
    "execute": _execute,
    "student": _student,
    "grade": _grade,
}


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return HANDLERS[args.command](args, parser)
