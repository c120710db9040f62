"""How checkpoint_v1.pt and checkpoint_v1_straight6.pt were made: run with dcgan_lib
at commit 863ec6c (checkpoint format version 1, before the TrainState), e.g.
``git worktree add /tmp/v1 863ec6c && PYTHONPATH=/tmp/v1 python THIS_FILE``.

3 of 6 steps of a tiny run with EMA and R1 saved as a checkpoint, and the same 6
steps uninterrupted as the reference a resumed run must equal.
"""

import copy
import dataclasses

import torch
from torch.utils.data import TensorDataset

import dcgan_lib as dl

cfg = dataclasses.replace(
    dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4, batch_size=16, seed=5,
    ema_decay=0.9, r1_gamma=1.0,
)  # fmt: skip
options = {"progress": False, "sample_every": 2, "precision": "fp32", "n_samples": 4}


def models():
    torch.manual_seed(0)
    G, D = dl.Generator(8, 4, 1, 16), dl.Discriminator(1, 4, 16)
    G.apply(dl.weights_init)
    D.apply(dl.weights_init)
    return G, D


def data():
    generator = torch.Generator().manual_seed(1)
    images = torch.rand(40, 1, 16, 16, generator=generator) * 2 - 1
    return TensorDataset(images, torch.zeros(40))


G, D = models()
path = "tests/data/checkpoint_v1.pt"
dl.train(cfg, data(), G, D, 3, checkpoint=path, G_ema=copy.deepcopy(G), **options)
G, D = models()
G_ema = copy.deepcopy(G)
history = dl.train(cfg, data(), G, D, 6, G_ema=G_ema, **options)
reference = {"G": G.state_dict(), "D": D.state_dict(), "G_ema": G_ema.state_dict()}
reference.update(loss_d=history.loss_d, samples=history.samples)
torch.save(reference, "tests/data/checkpoint_v1_straight6.pt")
