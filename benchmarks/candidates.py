"""Candidate changes to chapter 06's training, measured at equal numbers of steps.

Each run trains the book's mnist5k settings (width 32, batch 64, lr 5e-4, EMA 0.999,
float32) with one candidate change, for --steps steps on one CPU thread (two runs
can share a 2-core machine), and scores 1,000 samples of the averaged G, drawn by
dl.prepare_for_sampling, at the steps in --score-at: confidence, class entropy, FD.
The candidates:

    --r1 GAMMA       R1 penalty on D's gradient at real images, every 4th step x 4
    --topk FRACTION  G's loss on the fakes D scores highest only (Sinha et al. 2020);
                     k decays from the batch by --topk-gamma per epoch to FRACTION
    --translate PX   differentiable augmentation: shift real and fake by <= PX pixels
    --lr-g, --lr-d   separate learning rates (TTUR)
    --holdout        train on 4,000 digits; report D's mean output on 1,000 of them
                     and on the 1,000 held out (does D memorize the training set?)

    python benchmarks/candidates.py --name r1 --seed 0 --r1 1.0
    python benchmarks/candidates.py --name r1 --seed 1 --r1 1.0 --out r1.jsonl

Each run appends one JSON line (its name, seed, settings, ms per step and scores)
to a new file dcgan_lib/measurements/candidates-<UTC time>.jsonl, or to --out (to
collect several runs in one file); --book appends to the book's candidates.jsonl,
the runs chapter 06 quotes (``dl.measurement("candidates")``).

Its loop is dl.d_step/dl.g_step written out so the candidates can change it; with no
candidate flags it is the book's training step. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

import dcgan_lib as dl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from result_files import add_output_options, output_path  # noqa: E402

NAME, SUFFIX = "candidates", ".jsonl"
NOT_SETTINGS = ("out", "book", "save_model")  # where results go, not how we train
R1_EVERY = 4  # lazy R1: the penalty every 4th step, weighted x 4
LOSS_WINDOW = 200  # loss_d is reported as its mean over the last 200 steps
SCORED_SAMPLES = 1000


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--name", required=True, help="the candidate's label")
    parser.add_argument(
        "--seed", type=int, default=0, help="seeds the run with 999 + SEED"
    )
    parser.add_argument("--steps", type=int, default=2600)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads")
    parser.add_argument("--lr-g", type=float, default=5e-4, help="G's learning rate")
    parser.add_argument("--lr-d", type=float, default=5e-4, help="D's learning rate")
    parser.add_argument("--ngf", type=int, default=32, help="G's width")
    parser.add_argument("--ndf", type=int, default=32, help="D's width")
    parser.add_argument("--batch", type=int, default=64, help="batch size")
    parser.add_argument("--ema", type=float, default=0.999, help="0: no average")
    parser.add_argument(
        "--topk", type=float, default=1.0, help="least fraction kept in G's step"
    )
    parser.add_argument(
        "--topk-gamma", type=float, default=0.99, help="per-epoch decay of k"
    )
    parser.add_argument(
        "--translate", type=int, default=0, help="largest shift in pixels"
    )
    parser.add_argument("--r1", type=float, default=0.0, help="R1's gamma")
    parser.add_argument("--bf16", action="store_true", help="forward in bfloat16")
    parser.add_argument("--holdout", action="store_true", help="train on 4,000")
    parser.add_argument("--score-at", default="1300,2000,2600", help="steps")
    parser.add_argument("--save-model", type=Path, help="save G_ema's weights here")
    add_output_options(parser, NAME, SUFFIX)
    args = parser.parse_args(argv)
    try:
        args.score_steps = [int(step) for step in args.score_at.split(",")]
    except ValueError:
        parser.error(f"--score-at takes steps like 1300,2600, got {args.score_at!r}")
    return args


def translate(images, pixels: int, generator: torch.Generator):
    """Shift each image by up to ``pixels`` in x and y, filling with -1 (black).

    Differentiable (a gather), so it can sit between G and D. Shape: (B, C, H, W)
    with H == W, unchanged.
    """
    if pixels == 0:
        return images
    batch, channels, height, width = images.shape
    padded = F.pad(images, (pixels,) * 4, value=-1.0)
    shift_x = torch.randint(0, 2 * pixels + 1, (batch,), generator=generator)
    shift_y = torch.randint(0, 2 * pixels + 1, (batch,), generator=generator)
    offsets = torch.arange(height)
    rows = (shift_y[:, None] + offsets[None]).view(batch, 1, height, 1)
    shifted = padded.gather(2, rows.expand(batch, channels, height, width + 2 * pixels))
    cols = (shift_x[:, None] + offsets[None]).view(batch, 1, 1, width)
    return shifted.gather(3, cols.expand(batch, channels, height, width))


def make_scorer(images, nz: int):
    """score(G): chapter 06's quality of 1,000 samples of a fixed noise, drawn the
    book's one way, against 2,500 real digits. Returns: a function of G."""
    classifier = dl.digit_classifier()
    halves = torch.randperm(len(images), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        real_features = classifier.features(images[halves[:2500]])
    noise = torch.randn(
        SCORED_SAMPLES, nz, 1, 1, generator=torch.Generator().manual_seed(0)
    )

    def score(G) -> dict:
        samples = dl.generate(dl.prepare_for_sampling(G), noise)
        quality = dl.sample_quality(samples, classifier=classifier)
        with torch.no_grad():
            quality["fd"] = dl.frechet_distance(
                classifier.features(samples), real_features
            )
        return quality

    return score


def run(args) -> dict:
    """Train one candidate and score it at ``args.score_steps``.

    Returns: the JSON record, ``{"name", "seed", "args", "ms_per_step", "scores"}``.
    """
    torch.set_num_threads(args.threads)
    cfg = dl.Config(
        image_size=32,
        nc=1,
        ngf=args.ngf,
        ndf=args.ndf,
        batch_size=args.batch,
        lr=args.lr_g,
        ema_decay=args.ema,
        seed=999 + args.seed,
    )
    images = dl.load_dataset("mnist5k", image_size=32).tensors[0]
    train_images = images
    if args.holdout:
        train_idx, held_idx = dl.held_out_split()
        train_images, held_images = images[train_idx], images[held_idx]
    torch.manual_seed(cfg.seed)
    G = dl.Generator(cfg.nz, cfg.ngf, 1, 32)
    D = dl.Discriminator(1, cfg.ndf, 32)
    G.apply(dl.weights_init)
    D.apply(dl.weights_init)
    G_ema = copy.deepcopy(G).requires_grad_(False)
    betas = (0.5, 0.999)
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr_g, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr_d, betas=betas)
    draw = torch.Generator().manual_seed(cfg.seed)  # batch order and noise
    shifts = torch.Generator().manual_seed(cfg.seed + 1)  # augmentation
    score = make_scorer(images, cfg.nz)
    precision = "bf16" if args.bf16 else "fp32"
    bce = F.binary_cross_entropy_with_logits
    steps_per_epoch = len(train_images) // args.batch

    scores, losses_d = {}, []
    order, position = None, len(train_images)  # a new epoch at the first step
    train_seconds = 0.0
    for step in range(1, args.steps + 1):
        started = time.perf_counter()
        if position + args.batch > len(train_images):
            order = torch.randperm(len(train_images), generator=draw)
            position = 0
        real = train_images[order[position : position + args.batch]]
        position += args.batch
        z = torch.randn(args.batch, cfg.nz, 1, 1, generator=draw)
        with dl.autocast(precision, "cpu"):
            fake = G(z).float()

        # D: real -> 1, fake -> 0, with R1 on real images every R1_EVERY-th step
        opt_d.zero_grad(set_to_none=True)
        d_input = translate(real, args.translate, shifts)
        penalized = args.r1 and step % R1_EVERY == 0
        if penalized:
            d_input = d_input.detach().requires_grad_(True)
        with dl.autocast(precision, "cpu"):
            logit_real = D(d_input).float()
            logit_fake = D(translate(fake.detach(), args.translate, shifts)).float()
        loss_d = bce(logit_real, torch.ones_like(logit_real)) + bce(
            logit_fake, torch.zeros_like(logit_fake)
        )
        if penalized:
            (grad,) = torch.autograd.grad(logit_real.sum(), d_input, create_graph=True)
            penalty = grad.pow(2).flatten(1).sum(1).mean()
            loss_d = loss_d + args.r1 / 2 * R1_EVERY * penalty
        loss_d.backward()
        opt_d.step()
        losses_d.append(loss_d.item())

        # G: make D say real, on the top-k fakes when --topk < 1
        opt_g.zero_grad(set_to_none=True)
        with dl.autocast(precision, "cpu"):
            logit_g = D(translate(fake, args.translate, shifts)).float()
        if args.topk < 1:
            epoch = (step - 1) // steps_per_epoch
            kept = max(
                int(args.topk_gamma**epoch * args.batch), int(args.topk * args.batch)
            )
            logit_g = logit_g.topk(kept).values
        loss_g = bce(logit_g, torch.ones_like(logit_g))
        loss_g.backward()
        opt_g.step()
        if args.ema > 0:
            dl.update_ema(G_ema, G, args.ema, step)
        else:
            G_ema.load_state_dict(G.state_dict())
        train_seconds += time.perf_counter() - started

        if step in args.score_steps:
            quality = score(G_ema)
            entry = {
                key: round(quality[key], 4)
                for key in ("confidence", "class_entropy", "fd")
            }
            recent = losses_d[-LOSS_WINDOW:]
            entry[f"loss_d_last{LOSS_WINDOW}"] = round(sum(recent) / len(recent), 3)
            if args.holdout:  # D's mean output on digits it trained on, and not
                with torch.no_grad():
                    D.eval()
                    seen = torch.sigmoid(D(train_images[:1000])).mean().item()
                    unseen = torch.sigmoid(D(held_images)).mean().item()
                    D.train()
                entry["D_train"], entry["D_held"] = round(seen, 3), round(unseen, 3)
            scores[step] = entry
            print(
                args.name,
                args.seed,
                step,
                entry,
                f"{1000 * train_seconds / step:.0f} ms/step",
                flush=True,
            )
    if args.save_model:
        torch.save(G_ema.state_dict(), args.save_model)
    settings = {
        key: value
        for key, value in vars(args).items()
        if key not in NOT_SETTINGS and key != "score_steps"
    }
    return {
        "name": args.name,
        "seed": args.seed,
        "args": settings,
        "ms_per_step": round(1000 * train_seconds / args.steps, 1),
        "scores": scores,
    }


def main(argv=None) -> int:
    args = parse(argv)
    out = output_path(args, NAME, SUFFIX)
    record = run(args)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as lines:
        lines.write(json.dumps(record) + "\n")
    print(f"appended the run to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
