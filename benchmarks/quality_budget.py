"""How good do digits get in a fixed wall-clock budget on this machine?

Issue 4's target: training on mnist5k at 32x32 for at most 5 minutes reaches a mean
classifier confidence >= 0.90 and a class entropy >= 0.95 * ln 10 on 1,000 samples.
This trains in chunks until the budget is spent, then scores 1,000 samples with
dcgan_lib.metrics, next to the Fréchet distance between two halves of the real data.

    python benchmarks/quality_budget.py                 # the book's settings
    python benchmarks/quality_budget.py --ngf 64 --batch-size 128 --lr 2e-4 \
        --ema-decay 0                                   # the paper's, for comparison
"""

import argparse
import dataclasses
import json
import math
import tempfile
import time
from pathlib import Path

import torch

import dcgan_lib as dl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    book = dl.book_config("mnist5k")
    parser.add_argument("--ngf", type=int, default=book.ngf)
    parser.add_argument("--ndf", type=int, default=None, help="default: --ngf")
    parser.add_argument("--batch-size", type=int, default=book.batch_size)
    parser.add_argument("--lr", type=float, default=book.lr)
    parser.add_argument("--ema-decay", type=float, default=book.ema_decay)
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--chunk", type=int, default=25, help="steps between clocks")
    parser.add_argument("--seed", type=int, default=book.seed)
    args = parser.parse_args()

    cfg = dataclasses.replace(
        book,
        ngf=args.ngf,
        ndf=args.ndf or args.ngf,
        batch_size=args.batch_size,
        lr=args.lr,
        ema_decay=args.ema_decay,
        seed=args.seed,
    )
    data = dl.load_dataset("mnist5k", image_size=32)
    path = Path(tempfile.mkdtemp()) / "run.pt"
    started, steps = time.perf_counter(), 0
    while time.perf_counter() - started < args.seconds:
        steps += args.chunk
        G, D, history = dl.load_or_train(
            path, cfg, data, steps, progress=False, bf16=args.bf16
        )
    elapsed = time.perf_counter() - started

    with torch.no_grad():  # train mode, batches of 100, as training samples
        z = torch.randn(1000, cfg.nz, 1, 1, generator=torch.Generator().manual_seed(0))
        samples = torch.cat([G.train()(chunk) for chunk in z.split(100)])
    real = data.tensors[0]
    order = torch.randperm(len(real), generator=torch.Generator().manual_seed(1))
    scores = dl.sample_quality(samples, real=real[order[:2500]])
    reference = dl.frechet_distance(
        dl.digit_classifier().features(real[order[:2500]]),
        dl.digit_classifier().features(real[order[2500:]]),
    )
    print(
        json.dumps(
            {
                "settings": {
                    **{
                        k: getattr(cfg, k)
                        for k in ("ngf", "ndf", "batch_size", "lr", "ema_decay")
                    },
                    "bf16": args.bf16,
                },
                "steps": steps,
                "seconds": round(elapsed, 1),
                "ms_per_step": round(1000 * history.seconds / steps, 1),
                "confidence": round(scores["confidence"], 3),
                "class_entropy": round(scores["class_entropy"], 3),
                "entropy_target": round(0.95 * math.log(10), 3),
                "fd": round(scores["fd"], 2),
                "fd_real_halves": round(reference, 2),
                "class_counts": scores["class_counts"],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
