"""Candidate changes to chapter 06's training, measured at equal numbers of steps.

Each run trains the book's mnist5k settings (width 32, batch 64, lr 5e-4, EMA 0.999,
float32) with one candidate change, for --steps steps on one CPU thread (two runs
can share a 2-core machine), and scores 1,000 samples of the averaged G, drawn by
dl.prepare_for_sampling, at the steps in --score-at: confidence, class entropy, FD.
One JSON line per run goes to --out (benchmarks/results/candidates.jsonl holds the
runs chapter 06 quotes). The candidates:

    --r1 GAMMA       R1 penalty on D's gradient at real images, every 4th step x 4
    --topk FRACTION  G's loss on the fakes D scores highest only (Sinha et al. 2020);
                     k decays from the batch by --topk-gamma per epoch to FRACTION
    --translate PX   differentiable augmentation: shift real and fake by <= PX pixels
    --lr-g, --lr-d   separate learning rates (TTUR)
    --holdout        train on 4,000 digits; report D's mean output on 1,000 of them
                     and on the 1,000 held out (does D memorize the training set?)

    python benchmarks/candidates.py --name r1 --seed 0 --r1 1.0

Its loop is dl.d_step/dl.g_step written out so the candidates can change it; with no
candidate flags it is the book's training step. A benchmark, not a test.
"""

import argparse
import copy
import json
import time

import torch
import torch.nn.functional as F

import dcgan_lib as dl
from dcgan_lib.sampling import generate, prepare_for_sampling

p = argparse.ArgumentParser()
p.add_argument("--name", required=True)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--steps", type=int, default=2600)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--lr-g", type=float, default=5e-4)
p.add_argument("--lr-d", type=float, default=5e-4)
p.add_argument("--ngf", type=int, default=32)
p.add_argument("--ndf", type=int, default=32)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--ema", type=float, default=0.999)
p.add_argument("--topk", type=float, default=1.0, help="min fraction kept in G step")
p.add_argument("--topk-gamma", type=float, default=0.99, help="per-epoch decay of k")
p.add_argument("--translate", type=int, default=0, help="diffaug shift px")
p.add_argument("--r1", type=float, default=0.0)
p.add_argument("--bf16", action="store_true")
p.add_argument("--holdout", action="store_true")
p.add_argument("--score-at", default="1300,2000,2600")
p.add_argument("--out", default="benchmarks/results/candidates.jsonl")
p.add_argument("--save-model", default=None, help="save G_ema's weights here")
a = p.parse_args()
torch.set_num_threads(a.threads)
cfg = dl.Config(
    image_size=32,
    nc=1,
    ngf=a.ngf,
    ndf=a.ndf,
    batch_size=a.batch,
    lr=a.lr_g,
    ema_decay=a.ema,
    seed=999 + a.seed,
)
data = dl.load_dataset("mnist5k", image_size=32)
images = data.tensors[0]
train_images = images
if a.holdout:
    tr, ho = dl.metrics.held_out_split()
    train_images, held = images[tr], images[ho]
torch.manual_seed(cfg.seed)
G = dl.Generator(cfg.nz, cfg.ngf, 1, 32)
D = dl.Discriminator(1, cfg.ndf, 32)
G.apply(dl.weights_init)
D.apply(dl.weights_init)
G_ema = copy.deepcopy(G).requires_grad_(False)
betas = (0.5, 0.999)
opt_g = torch.optim.Adam(G.parameters(), lr=a.lr_g, betas=betas)
opt_d = torch.optim.Adam(D.parameters(), lr=a.lr_d, betas=betas)
gen = torch.Generator().manual_seed(cfg.seed)
aug_gen = torch.Generator().manual_seed(cfg.seed + 1)


def translate(x, px):
    if px == 0:
        return x
    B, C, H, W = x.shape
    padded = F.pad(x, (px,) * 4, value=-1.0)
    dx = torch.randint(0, 2 * px + 1, (B,), generator=aug_gen)
    dy = torch.randint(0, 2 * px + 1, (B,), generator=aug_gen)
    ar = torch.arange(H)
    rows = (dy[:, None] + ar[None]).view(B, 1, H, 1).expand(B, C, H, W + 2 * px)
    x = padded.gather(2, rows)
    cols = (dx[:, None] + ar[None]).view(B, 1, 1, W).expand(B, C, H, W)
    return x.gather(3, cols)


bce = F.binary_cross_entropy_with_logits
per_epoch = len(train_images) // a.batch
score_at = [int(s) for s in a.score_at.split(",")]
classifier = dl.digit_classifier()
halves = torch.randperm(5000, generator=torch.Generator().manual_seed(1))
real_ref = images[halves[:2500]]
with torch.no_grad():
    real_feat = classifier.features(real_ref)
z_q = torch.randn(1000, cfg.nz, 1, 1, generator=torch.Generator().manual_seed(0))


def score(Gx):
    s = generate(prepare_for_sampling(Gx), z_q)
    q = dl.sample_quality(s, classifier=classifier)
    with torch.no_grad():
        q["fd"] = dl.frechet_distance(classifier.features(s), real_feat)
    return q


ac = (
    (lambda: torch.autocast("cpu", dtype=torch.bfloat16))
    if a.bf16
    else (lambda: __import__("contextlib").nullcontext())
)
results = {}
order, pos = None, 10**9
t0 = time.perf_counter()
train_time = 0.0
ld_hist = []
for step in range(1, a.steps + 1):
    ts = time.perf_counter()
    if pos + a.batch > len(train_images):
        order = torch.randperm(len(train_images), generator=gen)
        pos = 0
    real = train_images[order[pos : pos + a.batch]]
    pos += a.batch
    z = torch.randn(a.batch, cfg.nz, 1, 1, generator=gen)
    with ac():
        fake = G(z).float()
    opt_d.zero_grad(set_to_none=True)
    r_in = translate(real, a.translate)
    if a.r1 and step % 4 == 0:
        r_in = r_in.detach().requires_grad_(True)
    with ac():
        lr_ = D(r_in).float()
        lf = D(translate(fake.detach(), a.translate)).float()
    loss_d = bce(lr_, torch.ones_like(lr_)) + bce(lf, torch.zeros_like(lf))
    if a.r1 and step % 4 == 0:
        (g,) = torch.autograd.grad(lr_.sum(), r_in, create_graph=True)
        loss_d = loss_d + a.r1 / 2 * 4 * g.pow(2).flatten(1).sum(1).mean()
    loss_d.backward()
    opt_d.step()
    ld_hist.append(loss_d.item())
    opt_g.zero_grad(set_to_none=True)
    with ac():
        lg = D(translate(fake, a.translate)).float()
    if a.topk < 1:
        epoch = (step - 1) // per_epoch
        k = max(int(a.topk_gamma**epoch * a.batch), int(a.topk * a.batch))
        lg = lg.topk(k).values
    loss_g = bce(lg, torch.ones_like(lg))
    loss_g.backward()
    opt_g.step()
    dl.update_ema(G_ema, G, a.ema, step) if a.ema > 0 else G_ema.load_state_dict(
        G.state_dict()
    )
    train_time += time.perf_counter() - ts
    if step in score_at:
        q = score(G_ema)
        entry = {k: round(q[k], 4) for k in ("confidence", "class_entropy", "fd")}
        entry["loss_d_last200"] = round(sum(ld_hist[-200:]) / 200, 3)
        if a.holdout:
            with torch.no_grad():
                D.eval()
                entry["D_train"] = round(
                    torch.sigmoid(D(train_images[:1000])).mean().item(), 3
                )
                entry["D_held"] = round(torch.sigmoid(D(held)).mean().item(), 3)
                D.train()
        results[step] = entry
        print(
            a.name,
            a.seed,
            step,
            entry,
            f"{1000 * train_time / step:.0f} ms/step",
            flush=True,
        )
if a.save_model:
    torch.save(G_ema.state_dict(), a.save_model)
out = {
    "name": a.name,
    "seed": a.seed,
    "args": vars(a),
    "ms_per_step": round(1000 * train_time / a.steps, 1),
    "scores": results,
}
with open(a.out, "a") as f:
    f.write(json.dumps(out) + "\n")
