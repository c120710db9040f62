"""Sample quality for digits: a small classifier, Fréchet distance, confidence, entropy.

Serves chapter 06 (is training working?) and chapter 08 (memorization, features).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "DigitClassifier",
    "digit_classifier",
    "train_digit_classifier",
    "held_out_split",
    "frechet_distance",
    "sample_quality",
]

WEIGHTS = Path(__file__).with_name("digit_classifier.pt")
SIZE = 32  # the classifier sees 32x32 digits in [-1, 1]


class DigitClassifier(nn.Module):
    """A small CNN for 32x32 digits; its 64 pooled features serve the Fréchet distance.

    Shape: (B, 1, 32, 32) -> logits (B, 10); ``features``: (B, 64).
    """

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),  # 32x32
            nn.MaxPool2d(2),  # 16x16
            nn.Conv2d(16, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8
            nn.Conv2d(32, 64, 3, padding=1),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),  # (B, 64)
        )
        self.head = nn.Linear(64, 10)

    def features(self, images: Tensor) -> Tensor:
        return self.body(_as_input(images))

    def forward(self, images: Tensor) -> Tensor:
        return self.head(self.features(images))


def _as_input(images: Tensor) -> Tensor:
    if images.dim() != 4 or images.shape[1] != 1:
        raise ValueError(
            f"the digit classifier takes (B, 1, H, W) images in [-1, 1], got "
            f"{tuple(images.shape)}"
        )
    if images.shape[-1] != SIZE:
        images = F.interpolate(
            images,
            size=(SIZE, SIZE),
            mode="bilinear",
            antialias=True,
            align_corners=False,
        )
    return images


def held_out_split(n: int = 5000, held_out: int = 1000, seed: int = 0):
    """Indices of the bundled digits: (train, held_out), fixed by ``seed``."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return order[held_out:], order[:held_out]


def _shift(images: Tensor, generator: torch.Generator, pixels: int = 2) -> Tensor:
    """Move each image by up to ``pixels`` in x and y (background -1 fills in)."""
    padded = F.pad(images, (pixels,) * 4, value=-1.0)
    size, out = images.shape[-1], torch.empty_like(images)
    offsets = torch.randint(0, 2 * pixels + 1, (len(images), 2), generator=generator)
    for i, (dy, dx) in enumerate(offsets.tolist()):
        out[i] = padded[i, :, dy : dy + size, dx : dx + size]
    return out


def train_digit_classifier(epochs: int = 40, seed: int = 0, progress: bool = True):
    """Train ``DigitClassifier`` on 4,000 of the bundled digits (shifted a little).

    Returns: ``(model, accuracy on the 1,000 held-out digits)``.
    """
    from tqdm.auto import tqdm

    from .data import load_dataset

    images, labels = load_dataset("mnist5k", image_size=SIZE).tensors
    train_idx, test_idx = held_out_split()
    torch.manual_seed(seed)
    model = DigitClassifier()
    generator = torch.Generator().manual_seed(seed)
    batches = math.ceil(len(train_idx) / 100)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=2e-3, total_steps=epochs * batches
    )
    for _ in tqdm(range(epochs), disable=not progress, desc="digit classifier"):
        model.train()
        order = train_idx[torch.randperm(len(train_idx), generator=generator)]
        for start in range(0, len(order), 100):
            index = order[start : start + 100]
            loss = F.cross_entropy(
                model(_shift(images[index], generator)), labels[index]
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(images[test_idx]).argmax(1) == labels[test_idx]).float()
    return model, accuracy.mean().item()


def digit_classifier() -> DigitClassifier:
    """The shipped classifier (≥ 97% right on the held-out digits), in eval mode."""
    model = DigitClassifier()
    model.load_state_dict(torch.load(WEIGHTS, map_location="cpu", weights_only=True))
    return model.eval()


def frechet_distance(a: Tensor, b: Tensor) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, d).

    ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), as in FID.
    """
    from scipy import linalg

    a, b = (x.detach().double().cpu().numpy() for x in (a, b))
    mu_a, mu_b = a.mean(0), b.mean(0)
    ridge = 1e-6 * np.eye(a.shape[1])  # keeps sqrtm stable when a feature is constant
    cov_a, cov_b = np.cov(a, rowvar=False) + ridge, np.cov(b, rowvar=False) + ridge
    root = linalg.sqrtm(cov_a @ cov_b)
    if np.iscomplexobj(root):
        root = root.real  # tiny imaginary parts from rounding
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root))


@torch.no_grad()
def sample_quality(images: Tensor, real: Tensor | None = None, classifier=None) -> dict:
    """Scores of generated digits (B, 1, H, W) in [-1, 1].

    Returns: ``confidence`` (mean top class probability), ``class_entropy`` (of
    the predicted-class histogram; ln 10 ≈ 2.303 means all ten digits equally
    often, low values mean mode collapse), ``class_counts``, and with ``real``
    images ``fd``, the Fréchet distance between classifier features.
    """
    classifier = classifier or digit_classifier()
    features = classifier.features(images.float().cpu())
    probabilities = classifier.head(features).softmax(1)
    counts = torch.bincount(probabilities.argmax(1), minlength=10)
    share = counts.double() / counts.sum()
    nonzero = share[share > 0]
    scores = {
        "confidence": probabilities.max(1).values.mean().item(),
        "class_entropy": max(0.0, float(-(nonzero * nonzero.log()).sum())),
        "class_counts": counts.tolist(),
    }
    if real is not None:
        scores["fd"] = frechet_distance(
            features, classifier.features(real.float().cpu())
        )
    return scores
