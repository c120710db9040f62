"""Chapter 06's exercise cases (training a DCGAN): right answers in several forms,
and wrong answers each labelled with the mistake it makes."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from dcgan_lib import d_step

bce = F.binary_cross_entropy_with_logits


def two_halves(D, opt_d, real, fake):
    """The tutorial's way: two backward calls, the gradients accumulating."""
    opt_d.zero_grad()
    logits = D(real)
    bce(logits, torch.ones_like(logits)).backward()
    logits = D(fake.detach())
    bce(logits, torch.zeros_like(logits)).backward()
    opt_d.step()


def _sigmoid_and_bce_loss(D, opt_d, real, fake):
    """The tutorial's Sigmoid + BCELoss: the same for ordinary logits."""
    D.zero_grad()
    p_real, p_fake = torch.sigmoid(D(real)), torch.sigmoid(D(fake.detach()))
    loss = F.binary_cross_entropy(p_real, torch.ones_like(p_real))
    loss = loss + F.binary_cross_entropy(p_fake, torch.zeros_like(p_fake))
    loss.backward()
    opt_d.step()


def no_detach(D, opt_d, real, fake):
    opt_d.zero_grad()
    logits_real, logits_fake = D(real), D(fake)
    loss = bce(logits_real, torch.ones_like(logits_real))
    loss = loss + bce(logits_fake, torch.zeros_like(logits_fake))
    loss.backward()
    opt_d.step()


def _labels_swapped(D, opt_d, real, fake):
    opt_d.zero_grad()
    logits_real, logits_fake = D(real), D(fake.detach())
    loss = bce(logits_real, torch.zeros_like(logits_real))
    loss = loss + bce(logits_fake, torch.ones_like(logits_fake))
    loss.backward()
    opt_d.step()


def _no_zero_grad(D, opt_d, real, fake):
    logits_real, logits_fake = D(real), D(fake.detach())
    loss = bce(logits_real, torch.ones_like(logits_real))
    loss = loss + bce(logits_fake, torch.zeros_like(logits_fake))
    loss.backward()
    opt_d.step()


def _no_step(D, opt_d, real, fake):
    opt_d.zero_grad()
    logits_real, logits_fake = D(real), D(fake.detach())
    loss = bce(logits_real, torch.ones_like(logits_real))
    loss = loss + bce(logits_fake, torch.zeros_like(logits_fake))
    loss.backward()


def _one_batch(D, opt_d, real, fake):
    """Real and fake in one forward pass: other batch-norm statistics."""
    opt_d.zero_grad()
    logits = D(torch.cat([real, fake.detach()]))
    labels = torch.cat([torch.ones(len(real)), torch.zeros(len(fake))])
    bce(logits, labels).backward()
    opt_d.step()


def mse_on_sigmoid(D, opt_d, real, fake):
    """Least squares on probabilities: its gradients share BCE's signs at first."""
    opt_d.zero_grad()
    p_real, p_fake = torch.sigmoid(D(real)), torch.sigmoid(D(fake.detach()))
    loss = F.mse_loss(p_real, torch.ones_like(p_real))
    loss = loss + F.mse_loss(p_fake, torch.zeros_like(p_fake))
    loss.backward()
    opt_d.step()


def smoothed_labels(D, opt_d, real, fake):
    """Label smoothing (0.9) is another loss, not the chapter's."""
    opt_d.zero_grad()
    logits_real, logits_fake = D(real), D(fake.detach())
    loss = bce(logits_real, torch.full_like(logits_real, 0.9))
    loss = loss + bce(logits_fake, torch.zeros_like(logits_fake))
    loss.backward()
    opt_d.step()


def _real_only(D, opt_d, real, fake):
    opt_d.zero_grad()
    logits_real = D(real)
    D(fake.detach())
    bce(logits_real, torch.ones_like(logits_real)).backward()
    opt_d.step()


def _fake_first(D, opt_d, real, fake):
    """The question asks for real first: BatchNorm's running statistics differ."""
    opt_d.zero_grad()
    logits_fake = D(fake.detach())
    logits_real = D(real)
    loss = bce(logits_real, torch.ones_like(logits_real))
    loss = loss + bce(logits_fake, torch.zeros_like(logits_fake))
    loss.backward()
    opt_d.step()


def _mean_of_the_two(D, opt_d, real, fake):
    """Half the chapter's loss: Adam's step does not depend on the loss's scale."""
    opt_d.zero_grad()
    logits_real, logits_fake = D(real), D(fake.detach())
    loss = bce(logits_real, torch.ones_like(logits_real))
    loss = (loss + bce(logits_fake, torch.zeros_like(logits_fake))) / 2
    loss.backward()
    opt_d.step()


def _module_zero_grad(D, opt_d, real, fake):
    """D.zero_grad() and nn.BCEWithLogitsLoss: as the chapter writes it."""
    criterion = torch.nn.BCEWithLogitsLoss()
    D.zero_grad()
    logits_real = D(real)
    loss_real = criterion(logits_real, torch.ones_like(logits_real))
    logits_fake = D(fake.detach())
    loss_fake = criterion(logits_fake, torch.zeros_like(logits_fake))
    (loss_real + loss_fake).backward()
    opt_d.step()


def _crashes(D, opt_d, real, fake):
    raise RuntimeError("not written yet")


RIGHT = {
    "06.1": [
        200 / 127.5 - 1,
        0.5686,
        (200 / 255 - 0.5) / 0.5,
        np.float32(0.5686),
        torch.tensor(0.56863),
        (torch.tensor([[200]], dtype=torch.uint8) / 255 - 0.5)[0, 0] / 0.5,
    ],
    "06.2": [
        math.log(1 + math.exp(2)),
        2.1269,
        np.float32(2.1269),
        np.log1p(np.exp(2.0)),
        bce(torch.tensor(2.0), torch.tensor(0.0)),
    ],
    "06.3": [780, 780.0, np.int64(780), np.array(780), torch.tensor(780)],
    "06.4": [
        d_step,
        two_halves,
        _sigmoid_and_bce_loss,
        _mean_of_the_two,
        _module_zero_grad,
    ],
    "06.5": [
        {"A": "BN 없음 / no BN", "B": "lr 1e-3", "C": "β1 0.9"},
        {"a": "no BN", "b": "lr", "c": "beta1"},
        {"C": "momentum 0.9", "B": "learning rate 0.001", "A": "no batch norm"},
        ("no BN", "lr 1e-3", "β1 0.9"),
    ],
    "06.6": [
        math.log(2),
        0.6931,
        -2 * 0.5 * math.log(0.5),
        np.log(2),
        np.float32(0.6931),
        torch.tensor(0.5).log().neg(),
    ],
}

WRONG = {
    "06.1": [
        ("ToTensor() alone", 200 / 255),
        ("the - 1 forgotten", 200 / 127.5),
        ("Normalize's division forgotten", 200 / 255 - 0.5),
        ("Normalize on the byte, ToTensor's / 255 forgotten", (200 - 0.5) / 0.5),
        ("the sign", -0.5686),
        ("text", "0.5686"),
        ("a bool", True),
    ],
    "06.2": [
        ("the real label 1", math.log(1 + math.exp(-2))),
        ("sigmoid(2): a probability", 1 / (1 + math.exp(-2))),
        ("1 - sigmoid(2), not its -log", 1 - 1 / (1 + math.exp(-2))),
        ("the sign", -math.log(1 + math.exp(2))),
        ("the logit itself", 2.0),
        ("text", "2.1269"),
    ],
    "06.3": [
        ("the partial batch counted: drop_last forgotten", 790),
        ("partial batches pooled across epochs", 781),
        ("no floor at all", 781.25),
        ("one epoch", 78),
        ("G's steps counted too", 1560),
        ("text", "780"),
        ("a pair", (780,) * 2),
    ],
    "06.4": [
        ("fake not detached: the loss reaches G", no_detach),
        ("labels swapped", _labels_swapped),
        ("no zero_grad", _no_zero_grad),
        ("no optimizer step", _no_step),
        ("real and fake in one batch: other BatchNorm statistics", _one_batch),
        ("least squares on probabilities", mse_on_sigmoid),
        ("label smoothing: another loss", smoothed_labels),
        ("the real half of the loss only", _real_only),
        ("fake first: BatchNorm's running statistics differ", _fake_first),
        ("raises", _crashes),
        ("text", "d_step"),
        ("a layer, not a function", torch.nn.Linear(1, 1)),
    ],
    "06.5": [
        ("every label shifted by one", {"A": "lr 1e-3", "B": "β1 0.9", "C": "no BN"}),
        ("B and C swapped", {"A": "no BN", "B": "β1 0.9", "C": "lr 1e-3"}),
        ("A and C swapped", {"A": "β1 0.9", "B": "lr 1e-3", "C": "no BN"}),
        ("one setting twice", {"A": "no BN", "B": "no BN", "C": "β1 0.9"}),
        ("C missing", {"A": "no BN", "B": "lr 1e-3"}),
        ("a setting not in the list", {"A": "no BN", "B": "lr 1e-3", "C": "adam"}),
        ("a list of two", ["no BN", "lr 1e-3"]),
        ("one string", "A: no BN, B: lr, C: beta1"),
    ],
    "06.6": [
        ("bits: log base 2", 1.0),
        ("ten equally frequent classes", math.log(10)),
        ("one class's term only", 0.5 * math.log(2)),
        ("the sign", -math.log(2)),
        ("the entropy of one class only", 0.0),
        ("a class's share q, not the entropy", 0.5),
        ("text", "ln 2"),
    ],
}
