"""How long until the samples reach chapter 06's quality target: the PyTorch
tutorial's settings against the book's fastest CPU settings (issue 12).

    python benchmarks/time_to_quality.py                  # ~30 min on a 2-core CPU
    python benchmarks/time_to_quality.py --budget 600 --book-compile

Two runs on the 5,000 offline digits (32x32), in one process each, trained in turn
for --slice seconds at a time (interleaved, so a slow minute of the machine hits
both alike), until each reaches the target or has trained --budget seconds:

- tutorial: the PyTorch tutorial's loop and settings (benchmarks/reference.py:
  ngf = ndf = 64, batch 128, Adam lr 2e-4, Sigmoid + BCELoss, float32, a DataLoader
  with 2 workers), on the book's 32x32 one-channel architecture;
- book: the book's settings (``dl.book_config("mnist5k")``: widths 32, batch 64,
  lr 1e-3, moving average of G, lazy R1) with ``dl.training_step`` exactly as
  ``dl.train`` runs it, in the precision ``auto`` picks, and with --book-compile /
  --book-channels-last if the speed benchmark found them faster on this machine.

Every --score-every seconds of training (scoring is not timed), 1,000 samples of a
fixed noise are drawn the book's one way (``dl.prepare_for_sampling``: eval mode,
statistics re-estimated; of the averaged G for the book; the tutorial itself draws
in train mode) and scored as chapter 06 does: mean confidence and class entropy
of the book's digit classifier, and the Fréchet distance to 2,500 real digits. The
target (benchmarks/quality_budget.py): confidence >= 0.90 and entropy >= 0.95 ln 10.
The time to target is training seconds, first checkpoint that meets it.

Output: a line per score, a summary, and JSON in a new file
dcgan_lib/measurements/time_to_quality-<UTC time>.json, beside the book's
time_to_quality.json (chapter 09 quotes that one; --book replaces it, --out FILE writes
elsewhere, an existing FILE only with --force). A benchmark, not a test: run it on a
quiet machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing as mp
import sys
import time
from pathlib import Path

import torch

import dcgan_lib as dl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from quality_budget import TARGET_CONFIDENCE, TARGET_ENTROPY  # noqa: E402
from result_files import add_output_options, output_path  # noqa: E402


def _real_and_classifier():
    real = dl.load_dataset("mnist5k", image_size=32).tensors[0]
    halves = torch.randperm(len(real), generator=torch.Generator().manual_seed(1))
    return real, real[halves[:2500]], dl.digit_classifier()


class _Book:
    """The book's settings: the run state as dl.train makes it (dl.TrainState),
    each step as dl.train runs it, in pieces the benchmark can time and score."""

    def __init__(self, data, compile: bool, channels_last: bool):
        from torch.utils.data import TensorDataset

        self.cfg = dl.book_config("mnist5k")
        self.state = dl.TrainState.new(self.cfg, device="cpu", precision="auto")
        self.G_run, self.D_run = dl.speed_up(
            self.state.G, self.state.D, compile=compile, channels_last=channels_last
        )
        self.memory = torch.channels_last if channels_last else torch.contiguous_format
        self.data = TensorDataset(data)
        self.steps = 0
        self.label = (
            f"book settings, {self.state.precision}"
            + (", compiled" if compile else "")
            + (", channels last" if channels_last else "")
        )

    def step(self):
        cfg, state = self.cfg, self.state
        real = state.batches.next_batch(self.data, cfg.batch_size)
        z = state.batches.noise(cfg.batch_size, cfg.nz)
        self.steps += 1
        r1 = cfg.r1_gamma * dl.R1_EVERY if self.steps % dl.R1_EVERY == 0 else 0.0
        dl.training_step(
            self.G_run, self.D_run, state.opt_g, state.opt_d,
            real.contiguous(memory_format=self.memory), z, state.precision,
            state.scalers, r1,
        )  # fmt: skip
        dl.update_ema(state.G_ema, state.G, cfg.ema_decay, self.steps)

    def sampler(self):
        return self.state.sampler()


class _Tutorial:
    """The tutorial's loop and settings (benchmarks/reference.py)."""

    def __init__(self, data):
        from reference import TutorialLoop
        from torch.utils.data import TensorDataset

        self.loop = TutorialLoop(
            TensorDataset(data), ngf=64, ndf=64, nc=1, image_size=32, log=None
        )
        self.steps, self.label = 0, "tutorial settings, fp32, its loop"

    def step(self):
        self.loop.step()
        self.steps += 1

    def sampler(self):
        return dl.prepare_for_sampling(self.loop.netG)


def _worker(kind, options, connection):
    """Builds one run, then obeys: ("train", seconds) -> steps done and seconds;
    ("score",) -> the scores of 1,000 samples; ("stop",)."""
    real, real_ref, classifier = _real_and_classifier()
    run = _Book(real, **options) if kind == "book" else _Tutorial(real)
    z = torch.randn(1000, 100, generator=torch.Generator().manual_seed(0))
    connection.send(run.label)
    while True:
        order = connection.recv()
        if order[0] == "stop":
            return
        if order[0] == "train":
            started = time.perf_counter()
            while time.perf_counter() - started < order[1]:
                run.step()
            connection.send((run.steps, time.perf_counter() - started))
        else:
            samples = dl.generate(run.sampler(), z)
            scores = dl.sample_quality(samples, real=real_ref, classifier=classifier)
            connection.send(
                {k: float(scores[k]) for k in ("confidence", "class_entropy", "fd")}
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--budget", type=float, default=900, help="training seconds per run"
    )
    parser.add_argument("--score-every", type=float, default=30)
    parser.add_argument("--slice", type=float, default=30, help="seconds per turn")
    parser.add_argument("--book-compile", action="store_true")
    parser.add_argument("--book-channels-last", action="store_true")
    add_output_options(parser, "time_to_quality", ".json")
    parser.add_argument("--force", action="store_true", help="replace an --out file")
    args = parser.parse_args()
    if args.out is not None and args.out.exists() and not args.force:
        parser.exit(
            2,
            f"time_to_quality.py: error: {args.out} exists; pass --force to "
            "replace it or choose another --out\n",
        )
    out = output_path(args, "time_to_quality", ".json")
    context = mp.get_context("spawn")
    runs = {}
    options = {"compile": args.book_compile, "channels_last": args.book_channels_last}
    for kind in ("tutorial", "book"):
        mine, theirs = context.Pipe()
        process = context.Process(target=_worker, args=(kind, options, theirs))
        process.start()
        runs[kind] = {
            "pipe": mine,
            "process": process,
            "seconds": 0.0,
            "steps": 0,
            "scores": [],
            "reached": None,
        }
    for run in runs.values():
        run["label"] = run["pipe"].recv()
    machine = dl.describe_machine("cpu")
    print(
        f"{machine}; target: confidence >= {TARGET_CONFIDENCE}, entropy >= "
        f"{TARGET_ENTROPY:.3f}; budget {args.budget:.0f} s each",
        flush=True,
    )
    next_score = {kind: args.score_every for kind in runs}
    while any(
        r["reached"] is None and r["seconds"] < args.budget for r in runs.values()
    ):
        for kind, run in runs.items():
            if run["reached"] is not None or run["seconds"] >= args.budget:
                continue
            turn = min(args.slice, next_score[kind] - run["seconds"])
            run["pipe"].send(("train", max(turn, 0.0)))
            run["steps"], spent = run["pipe"].recv()
            run["seconds"] += spent
            if run["seconds"] >= next_score[kind] - 1e-6:
                next_score[kind] += args.score_every
                run["pipe"].send(("score",))
                scores = run["pipe"].recv()
                point = {
                    "seconds": round(run["seconds"], 1),
                    "steps": run["steps"],
                    **{k: round(v, 4) for k, v in scores.items()},
                }
                run["scores"].append(point)
                met = (
                    scores["confidence"] >= TARGET_CONFIDENCE
                    and scores["class_entropy"] >= TARGET_ENTROPY
                )
                if met:
                    run["reached"] = point
                print(
                    f"{kind:8s} {point['seconds']:7.1f} s {point['steps']:6d} steps: "
                    f"confidence {scores['confidence']:.3f}, entropy "
                    f"{scores['class_entropy']:.3f}, FD {scores['fd']:.2f}"
                    + ("  <- target" if met else ""),
                    flush=True,
                )
    for run in runs.values():
        run["pipe"].send(("stop",))
        run["process"].join()
    result = {
        "machine": machine,
        "torch": torch.__version__,
        "date": datetime.date.today().isoformat(),
        "target": {"confidence": TARGET_CONFIDENCE, "entropy": TARGET_ENTROPY},
        "budget_seconds": args.budget,
        "score_every": args.score_every,
        "runs": {},
    }
    for kind, run in runs.items():
        result["runs"][kind] = {
            "label": run["label"],
            "reached": run["reached"],
            "trained_seconds": round(run["seconds"], 1),
            "steps": run["steps"],
            "scores": run["scores"],
        }
        where = (
            f"target reached after {run['reached']['seconds']:.0f} s of training "
            f"({run['reached']['steps']:,} steps)"
            if run["reached"]
            else f"not reached in {run['seconds']:.0f} s ({run['steps']:,} steps)"
        )
        print(f"{kind}: {run['label']}: {where}")
    tutorial, book = runs["tutorial"]["reached"], runs["book"]["reached"]
    if tutorial and book:
        result["ratio"] = round(tutorial["seconds"] / book["seconds"], 2)
        print(f"time to target: book {result['ratio']:.2f}x faster than the tutorial")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
