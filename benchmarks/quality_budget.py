"""How good are the digits after five minutes of `python -m dcgan_lib train`?

The protocol of chapter 06's quality target, exactly as a reader would run it: for
each seed, start `python -m dcgan_lib train --dataset mnist5k` in a fresh folder,
press Ctrl-C (SIGINT) after --seconds of wall time, then `python -m dcgan_lib sample
--n 1000 --out samples.pt`, and score the 1,000 samples with the book's digit
classifier: mean confidence, class-histogram entropy and Fréchet distance (FD)
against 2,500 real digits, next to the FD between the two halves of the real data.
The target: confidence >= 0.90 and entropy >= 0.95 ln 10.

    python benchmarks/quality_budget.py                      # 3 seeds, 300 s each
    python benchmarks/quality_budget.py --precision fp32     # a CPU without bf16
    python benchmarks/quality_budget.py --seeds 0 1 2 3 4 -- --lr 2e-4
                                        # flags after -- go to `train` as they are

The results go, as JSON, to a new file dcgan_lib/measurements/
quality_budget_<precision>-<UTC time>.json, beside the book's quality_budget_fp32.json
(chapter 06 quotes that one; --book replaces it, and only from the book's protocol:
--precision fp32, 300 s, no flags for `train`); --out FILE writes elsewhere.

A benchmark, not a test: it takes (seconds + ~30 s) per seed, and its numbers
depend on the machine (the CPU is printed with them).
"""

import argparse
import json
import math
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

import dcgan_lib as dl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from result_files import add_output_options, output_path  # noqa: E402

TARGET_CONFIDENCE, TARGET_ENTROPY = 0.90, 0.95 * math.log(10)


def cli(*args) -> list:
    return [sys.executable, "-m", "dcgan_lib", *args]


def run_one(seed: int, seconds: float, precision: str, extra: list, folder: Path):
    """Train for `seconds` of wall time, Ctrl-C, sample 1,000: the reader's steps."""
    out = folder / f"seed{seed}"
    command = cli(
        "train",
        "--dataset",
        "mnist5k",
        "--out",
        str(out),
        "--seed",
        str(seed),
        "--precision",
        precision,
        *extra,
    )
    started = time.monotonic()
    log = open(folder / f"seed{seed}.log", "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        process.wait(timeout=seconds)  # a fast machine may finish the whole run
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)  # Ctrl-C: finish the step, save, stop
        process.wait()
    wall = time.monotonic() - started
    log.close()
    if process.returncode not in (0, 130):
        raise SystemExit(f"train failed (exit {process.returncode}); see {log.name}")
    samples = folder / f"seed{seed}.pt"
    subprocess.run(
        cli(
            "sample",
            "--checkpoint",
            str(out / "checkpoint.pt"),
            "--n",
            "1000",
            "--out",
            str(samples),
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    state = dl.load_checkpoint(out / "checkpoint.pt")
    history = state["history"]
    return {
        "seed": seed,
        "steps": state["step"],
        "wall_seconds": round(wall, 1),
        "ms_per_step": round(1000 * history["seconds"] / state["step"], 1),
        "precision": state.get("precision"),
        "samples": torch.load(samples, weights_only=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--precision", default="auto", choices=dl.PRECISIONS)
    add_output_options(parser, "quality_budget_<precision>", ".json")
    parser.add_argument("extra", nargs="*", help="flags for `train`, after --")
    args = parser.parse_args()
    book_protocol = args.precision == "fp32" and args.seconds == 300 and not args.extra
    if args.book and not book_protocol:
        parser.error(
            "--book replaces the measurement chapter 06 quotes: run it with "
            "--precision fp32, --seconds 300 and no flags for `train`"
        )
    out = output_path(args, f"quality_budget_{args.precision}", ".json")

    real = dl.load_dataset("mnist5k", image_size=32).tensors[0]
    halves = torch.randperm(len(real), generator=torch.Generator().manual_seed(1))
    real_ref, real_other = real[halves[:2500]], real[halves[2500:]]
    classifier = dl.digit_classifier()
    with torch.no_grad():
        fd_floor = dl.frechet_distance(
            classifier.features(real_ref), classifier.features(real_other)
        )
    chosen, why = dl.choose_precision(args.precision, "cpu")
    print(
        f"machine: {dl.describe_machine('cpu')}; precision "
        f"{args.precision} -> {chosen} ({why})"
    )
    print(
        f"train flags: {' '.join(args.extra) or '(the book defaults)'}; "
        f"{args.seconds:.0f} s per seed; FD floor (real halves) {fd_floor:.3f}"
    )
    print(
        f"{'seed':>5} {'steps':>6} {'ms/step':>8} {'confidence':>11} "
        f"{'entropy':>8} {'FD':>7}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            row = run_one(seed, args.seconds, args.precision, args.extra, Path(tmp))
            scores = dl.sample_quality(
                row.pop("samples"), real=real_ref, classifier=classifier
            )
            row.update(
                {k: round(scores[k], 4) for k in ("confidence", "class_entropy", "fd")}
            )
            rows.append(row)
            print(
                f"{seed:>5} {row['steps']:>6} {row['ms_per_step']:>8} "
                f"{row['confidence']:>11.3f} {row['class_entropy']:>8.3f} "
                f"{row['fd']:>7.2f}",
                flush=True,
            )
    summary = {}
    for key in ("steps", "confidence", "class_entropy", "fd"):
        values = [row[key] for row in rows]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        summary[key] = {
            "mean": round(statistics.mean(values), 4),
            "sd": round(spread, 4),
        }
    print(
        f"{'mean':>5} {summary['steps']['mean']:>6.0f} {'':>8} "
        f"{summary['confidence']['mean']:>11.3f} "
        f"{summary['class_entropy']['mean']:>8.3f} {summary['fd']['mean']:>7.2f}"
    )
    print(
        f"{'sd':>5} {summary['steps']['sd']:>6.0f} {'':>8} "
        f"{summary['confidence']['sd']:>11.3f} "
        f"{summary['class_entropy']['sd']:>8.3f} {summary['fd']['sd']:>7.2f}"
    )
    met = (
        summary["confidence"]["mean"] >= TARGET_CONFIDENCE
        and summary["class_entropy"]["mean"] >= TARGET_ENTROPY
    )
    print(
        f"target (confidence >= {TARGET_CONFIDENCE}, entropy >= "
        f"{TARGET_ENTROPY:.3f}) met on average: {met}"
    )
    record = {
        "machine": dl.describe_machine("cpu"),
        "precision": args.precision,
        "chosen": chosen,
        "seconds": args.seconds,
        "train_flags": args.extra,
        "fd_floor": round(fd_floor, 4),
        "runs": rows,
        "summary": summary,
        "target_met": met,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
