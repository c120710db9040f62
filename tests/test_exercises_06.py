"""Right and wrong answers for chapter 06's exercise checks (training a DCGAN)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_right_and_wrong

from dcgan_lib import d_step
from dcgan_lib.exercises import CHECKS, evaluate

bce = F.binary_cross_entropy_with_logits


def _two_halves(D, opt_d, real, fake):
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


def _no_detach(D, opt_d, real, fake):
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


def _mse_on_sigmoid(D, opt_d, real, fake):
    """Least squares on probabilities: its gradients share BCE's signs at first."""
    opt_d.zero_grad()
    p_real, p_fake = torch.sigmoid(D(real)), torch.sigmoid(D(fake.detach()))
    loss = F.mse_loss(p_real, torch.ones_like(p_real))
    loss = loss + F.mse_loss(p_fake, torch.zeros_like(p_fake))
    loss.backward()
    opt_d.step()


def _smoothed_labels(D, opt_d, real, fake):
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
        _two_halves,
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

# The misconceptions chapter 06 argues against, each a wrong answer that must fail.
WRONG = {
    "06.1": [
        200 / 255,  # ToTensor() alone
        200 / 127.5,  # the - 1 forgotten
        200 / 255 - 0.5,  # Normalize's division forgotten
        (200 - 0.5) / 0.5,  # Normalize on the byte, ToTensor's / 255 forgotten
        -0.5686,
        "0.5686",
        True,
    ],
    "06.2": [
        math.log(1 + math.exp(-2)),  # the real label 1
        1 / (1 + math.exp(-2)),  # sigmoid(2): a probability
        1 - 1 / (1 + math.exp(-2)),  # 1 - sigmoid(2), not its -log
        -math.log(1 + math.exp(2)),  # the sign
        2.0,  # the logit itself
        "2.1269",
    ],
    "06.3": [
        790,  # the partial batch counted: drop_last forgotten
        781,  # partial batches pooled across epochs
        781.25,  # no floor at all
        78,  # one epoch
        1560,  # G's steps counted too
        "780",
        (780,) * 2,
    ],
    "06.4": [
        _no_detach,
        _labels_swapped,
        _no_zero_grad,
        _no_step,
        _one_batch,
        _mse_on_sigmoid,
        _smoothed_labels,
        _real_only,
        _fake_first,
        _crashes,
        "d_step",
        torch.nn.Linear(1, 1),
    ],
    "06.5": [
        {"A": "lr 1e-3", "B": "β1 0.9", "C": "no BN"},
        {"A": "no BN", "B": "β1 0.9", "C": "lr 1e-3"},
        {"A": "β1 0.9", "B": "lr 1e-3", "C": "no BN"},
        {"A": "no BN", "B": "no BN", "C": "β1 0.9"},
        {"A": "no BN", "B": "lr 1e-3"},
        {"A": "no BN", "B": "lr 1e-3", "C": "adam"},
        ["no BN", "lr 1e-3"],
        "A: no BN, B: lr, C: beta1",
    ],
    "06.6": [
        1.0,  # bits: log base 2
        math.log(10),  # ten equally frequent classes
        0.5 * math.log(2),  # one class's term only
        -math.log(2),  # the sign
        0.0,  # the entropy of one class only
        0.5,
        "ln 2",
    ],
}


def test_chapter_06_checks_are_all_covered():
    assert set(RIGHT) == set(WRONG) == {k for k in CHECKS if k.startswith("06.")}


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_right_answers_pass_and_wrong_ones_get_a_hint(exercise):
    assert_right_and_wrong(exercise, RIGHT, WRONG)


def test_the_mystery_order_is_the_notebooks():
    """Section 6.1 orders the three failure settings by the MD5 of their names."""
    import hashlib

    names = ["lr 1e-3", "β1 0.9", "BN 없음 / no BN"]
    shuffled = sorted(names, key=lambda name: hashlib.md5(name.encode()).hexdigest())
    assert evaluate("06.5", dict(zip("ABC", shuffled))).ok is True


@pytest.mark.parametrize("step", [_mse_on_sigmoid, _smoothed_labels])
def test_a_d_step_with_another_loss_is_told_so(step):
    verdict = evaluate("06.4", step)
    assert verdict.ok is False and "BCE on the logits" in verdict.message


def test_a_d_step_that_reaches_g_is_told_to_detach():
    verdict = evaluate("06.4", _no_detach)
    assert "detach" in verdict.message


def test_checking_a_d_step_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    evaluate("06.4", _two_halves)
    assert torch.equal(torch.rand(3), expected)


def test_common_slips_get_a_specific_explanation():
    assert "partial batch" in evaluate("06.3", 790).message
    assert "real label 1" in evaluate("06.2", math.log(1 + math.exp(-2))).message
    assert "natural log" in evaluate("06.6", 1.0).message
