"""The reference training loop: PyTorch's DCGAN tutorial, step for step.

What it reproduces: the training loop of the DCGAN tutorial
(https://pytorch.org/tutorials/beginner/dcgan_faces_tutorial.html, "Training
Loop"), written out again here (not copied): D ends in ``nn.Sigmoid()``, the loss
is ``nn.BCELoss()``, everything runs in float32, the data come through
``DataLoader(dataset, batch_size=128, shuffle=True, num_workers=2)`` (the
tutorial's ``workers = 2``), one epoch after another, and every step is the
tutorial's statements in the tutorial's order: ``netD.zero_grad()``, D on the real
batch with label 1, ``errD_real.backward()``, ``D_x = output.mean().item()``,
noise, ``fake = netG(noise)``, D on ``fake.detach()`` with label 0,
``errD_fake.backward()``, ``D_G_z1``, ``optimizerD.step()``; then
``netG.zero_grad()``, label 1, D on ``fake``, ``errG.backward()``, ``D_G_z2``,
``optimizerG.step()``; then its bookkeeping: the statistics line every 50
iterations, both losses appended to ``G_losses`` / ``D_losses``, and a grid of
G's images of the fixed noise every 500 iterations. Adam with lr 2e-4 and betas
(0.5, 0.999), the tutorial's seed 999 and its weights_init (``dl.weights_init``
does the same with ``isinstance``). The networks are dcgan_lib's ``Generator``
and ``Discriminator`` built with the widths asked for; for 64x64 RGB images they
are the tutorial's layers exactly, with ``nn.Sigmoid()`` after D as in the
tutorial; for the benchmark's digits32 workload they are the book's 32x32 model
(one block fewer, widths 32, one channel), trained by the same loop.

Where it departs: in the loop, only in the data source. The tutorial reads
CelebA's JPEG files through ``ImageFolder`` (decode, resize, crop, normalize in
the two worker processes); here the DataLoader reads a ``TensorDataset`` already in
memory (random images for the speed benchmark's faces64 workload, the book's 5,000
digits for digits32), which if anything makes the reference's data loading cheaper
than the tutorial's. The statistics line is formatted every 50 iterations as in
the tutorial and handed to ``log``, which the benchmark sets to ``None`` (not
printed). Outside the loop it leaves out what cannot make a step faster:
``torch.use_deterministic_algorithms(True)``, which the current tutorial calls for
reproducibility (it can only slow the step down), the printed models and the
figures drawn after training.

    from reference import TutorialLoop    # with benchmarks/ on sys.path
    loop = TutorialLoop(dataset, nz=100, ngf=64, ndf=64, nc=3, image_size=64)
    images = loop.step()                  # one training step; returns the batch size
"""

from __future__ import annotations

import itertools
import random

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

import dcgan_lib as dl

__all__ = ["TutorialLoop", "MANUAL_SEED", "WORKERS", "BATCH_SIZE", "LR", "BETA1"]

# The tutorial's inputs
MANUAL_SEED = 999
WORKERS = 2  # DataLoader worker processes
BATCH_SIZE = 128
LR = 0.0002
BETA1 = 0.5
REAL_LABEL, FAKE_LABEL = 1.0, 0.0


class TutorialLoop:
    """The tutorial's models, loss, optimizers, DataLoader and training loop.

    ``step()`` runs the loop's body once on the next batch of the DataLoader (a new
    epoch starts a new pass over it, as the tutorial's ``for epoch ...: for i, data
    in enumerate(dataloader, 0)`` does) and returns how many images it trained on:
    ``batch_size``, or fewer for an epoch's last, partial batch (the tutorial keeps
    it). Seeds Python's and torch's global generators with 999 as the tutorial does,
    so build it in a process of its own (the benchmark's workers are).
    """

    def __init__(
        self,
        dataset: Dataset,
        nz: int = 100,
        ngf: int = 64,
        ndf: int = 64,
        nc: int = 3,
        image_size: int = 64,
        device="cpu",
        batch_size: int = BATCH_SIZE,
        workers: int = WORKERS,
        log=print,
    ):
        random.seed(MANUAL_SEED)
        torch.manual_seed(MANUAL_SEED)
        self.device, self.nz, self.log = torch.device(device), nz, log
        self.dataloader = DataLoader(
            dataset, batch_size=batch_size, shuffle=True, num_workers=workers
        )
        self.workers = workers
        self.netG = dl.Generator(nz, ngf, nc, image_size).to(self.device)
        self.netG.apply(dl.weights_init)
        # dl.Discriminator returns logits; the tutorial's D ends in a Sigmoid
        self.netD = nn.Sequential(
            dl.Discriminator(nc, ndf, image_size), nn.Sigmoid()
        ).to(self.device)
        self.netD.apply(dl.weights_init)
        self.criterion = nn.BCELoss()
        self.fixed_noise = torch.randn(64, nz, 1, 1, device=self.device)
        self.optimizerD = torch.optim.Adam(
            self.netD.parameters(), lr=LR, betas=(BETA1, 0.999)
        )
        self.optimizerG = torch.optim.Adam(
            self.netG.parameters(), lr=LR, betas=(BETA1, 0.999)
        )
        self.img_list, self.G_losses, self.D_losses = [], [], []
        self.iters = 0
        self._batches = self._epochs()

    def _epochs(self):
        for epoch in itertools.count():
            for i, data in enumerate(self.dataloader, 0):
                yield epoch, i, data

    def step(self) -> int:
        """One iteration of the tutorial's loop. Returns: the batch's size."""
        epoch, i, data = next(self._batches)
        netD, netG, criterion = self.netD, self.netG, self.criterion
        device = self.device

        # (1) update D: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        real_cpu = data[0].to(device)
        b_size = real_cpu.size(0)
        label = torch.full((b_size,), REAL_LABEL, dtype=torch.float, device=device)
        output = netD(real_cpu).view(-1)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()

        noise = torch.randn(b_size, self.nz, 1, 1, device=device)
        fake = netG(noise)
        label.fill_(FAKE_LABEL)
        output = netD(fake.detach()).view(-1)
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        self.optimizerD.step()

        # (2) update G: maximize log(D(G(z))), with the fakes labelled real
        netG.zero_grad()
        label.fill_(REAL_LABEL)
        output = netD(fake).view(-1)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        self.optimizerG.step()

        # the tutorial's bookkeeping
        if i % 50 == 0:
            line = (
                f"[{epoch}][{i}/{len(self.dataloader)}]\tLoss_D: {errD.item():.4f}\t"
                f"Loss_G: {errG.item():.4f}\tD(x): {D_x:.4f}\t"
                f"D(G(z)): {D_G_z1:.4f} / {D_G_z2:.4f}"
            )
            if self.log is not None:
                self.log(line)
        self.G_losses.append(errG.item())
        self.D_losses.append(errD.item())
        if self.iters % 500 == 0:
            from torchvision.utils import make_grid

            with torch.no_grad():
                fake = netG(self.fixed_noise).detach().cpu()
            self.img_list.append(make_grid(fake, padding=2, normalize=True))
        self.iters += 1
        return b_size
