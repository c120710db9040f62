"""dcgan_lib.latent: interpolation, walks, the paper's arithmetic, projection."""

import math

import numpy as np
import pytest
import torch

import dcgan_lib as dl
from dcgan_lib.latent import (
    arithmetic,
    concept_vector,
    interpolate,
    lerp,
    project,
    slerp,
    walk,
)

SHAPES = [(100,), (5, 100), (5, 100, 1, 1)]


def _pair(shape, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator), torch.randn(
        shape, generator=generator
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("between", [lerp, slerp])
def test_both_ends_are_exact_and_the_shape_is_kept(shape, between):
    a, b = _pair(shape)
    assert torch.equal(between(a, b, 0), a) and torch.equal(between(a, b, 1.0), b)
    assert torch.equal(between(a, b, torch.tensor(1.0)), b)
    assert torch.equal(between(a, b, np.float32(1)), b)  # numpy scalars too
    assert between(a, b, 0.3).shape == shape


def test_slerp_equals_the_textbook_formula_for_vectors_of_equal_length():
    a, b = _pair((20, 100), seed=1)
    b = b / b.norm(dim=1, keepdim=True) * a.norm(dim=1, keepdim=True)
    omega = torch.acos(torch.nn.functional.cosine_similarity(a, b))[:, None]
    for t in (0.1, 0.5, 0.77):
        textbook = (
            torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b
        ) / torch.sin(omega)
        assert torch.allclose(slerp(a, b, t), textbook, atol=1e-5)


def test_slerp_keeps_the_norm_and_turns_at_a_constant_speed():
    a, b = _pair((100,), seed=2)
    b = b * a.norm() / b.norm()
    omega = torch.acos(torch.dot(a, b) / (a.norm() * b.norm()))
    for t in torch.linspace(0, 1, 11).tolist():
        point = slerp(a, b, t)
        assert math.isclose(point.norm(), a.norm(), rel_tol=1e-5)
        angle = torch.acos((torch.dot(point, a) / a.norm() ** 2).clamp(-1, 1))
        assert math.isclose(angle, t * omega, abs_tol=2e-3)


def test_slerp_length_goes_linearly_between_unequal_norms():
    a, b = _pair((100,), seed=3)
    b = 3 * b
    for t in (0.25, 0.5, 0.9):
        expected = (1 - t) * a.norm() + t * b.norm()
        assert math.isclose(slerp(a, b, t).norm(), expected, rel_tol=1e-5)


def test_lerp_shortens_the_midpoint_of_two_gaussian_vectors_and_slerp_does_not():
    a, b = _pair((2000, 100), seed=4)
    ratio_lerp = lerp(a, b, 0.5).norm(dim=1) / a.norm(dim=1)
    ratio_slerp = slerp(a, b, 0.5).norm(dim=1) / ((a.norm(dim=1) + b.norm(dim=1)) / 2)
    assert abs(ratio_lerp.median() - 1 / math.sqrt(2)) < 0.02
    assert torch.allclose(ratio_slerp, torch.ones_like(ratio_slerp), atol=1e-5)


def test_slerp_is_finite_for_nearly_parallel_and_for_opposite_vectors():
    a = torch.randn(100, generator=torch.Generator().manual_seed(5))
    nearly = a + 1e-7 * torch.randn(100)
    for t in (0.001, 0.5, 0.999):
        point = slerp(a, nearly, t)
        assert torch.isfinite(point).all()
        assert torch.allclose(point, lerp(a, nearly, t), atol=1e-5)
    assert torch.allclose(slerp(a, a.clone(), 0.5), a)
    for opposite in (-a, -2 * a):
        half = slerp(a, opposite, 0.5)
        assert torch.isfinite(half).all()
        assert abs(torch.dot(half, a)) < 1e-3 * a.norm() ** 2  # a quarter turn
        expected = (a.norm() + opposite.norm()) / 2
        assert math.isclose(half.norm(), expected, rel_tol=1e-5)
    points = [slerp(a, -a, t) for t in torch.linspace(0, 1, 9).tolist()]
    steps = torch.stack([(q - p).norm() for p, q in zip(points, points[1:])])
    assert torch.allclose(steps, steps[0].expand(8), rtol=1e-4)  # no jump anywhere


def test_slerp_rejects_a_zero_vector():
    with pytest.raises(ValueError, match="nonzero"):
        slerp(torch.zeros(100), torch.ones(100), 0.5)


@pytest.mark.parametrize("method", ["lerp", "slerp"])
def test_interpolate_shapes_and_ends(method):
    a, b = _pair((100,))
    path = interpolate(a, b, 9, method)
    assert path.shape == (9, 100)
    assert torch.equal(path[0], a) and torch.equal(path[-1], b)
    a, b = _pair((4, 100, 1, 1))
    path = interpolate(a, b, 6, method)
    assert path.shape == (4, 6, 100, 1, 1)
    assert torch.equal(path[:, 0], a) and torch.equal(path[:, -1], b)
    assert interpolate(a.flatten(1), b.flatten(1), 6, method).shape == (4, 6, 100)


def test_interpolate_lerp_frames_are_evenly_spaced():
    a, b = _pair((100,))
    path = interpolate(a, b, 5, "lerp")
    steps = (path[1:] - path[:-1]).norm(dim=1)
    assert torch.allclose(steps, steps[0].expand(4), rtol=1e-4)


@pytest.mark.parametrize("shape", [(4, 100), (4, 100, 1, 1)])
def test_walk_visits_every_point_once_in_order(shape):
    points = torch.randn(shape)
    path = walk(points, 5, "slerp")
    assert path.shape == (3 * 5 + 1, *shape[1:])
    for k in range(4):
        assert torch.equal(path[5 * k], points[k])
    assert torch.equal(walk(points[:2], 1, "lerp"), points[:2])


def test_concept_vector_and_arithmetic_average_before_adding():
    thick3, thin3, thin7 = (torch.randn(3, 100) for _ in range(3))
    assert torch.allclose(concept_vector(thick3), thick3.mean(0))
    assert torch.equal(concept_vector(thick3[0]), thick3[0])
    assert concept_vector(thick3[:, :, None, None]).shape == (100,)
    expected = thick3.mean(0) - thin3.mean(0) + thin7.mean(0)
    assert torch.allclose(arithmetic(thick3, thin3, thin7), expected)
    four = torch.randn(4, 100, 1, 1)  # concepts may have different numbers
    assert arithmetic(four, thin3, thin7[0]).shape == (100,)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: lerp(torch.randn(3, 100), torch.randn(4, 100), 0.5), "same shape"),
        (
            lambda: lerp(torch.randn(3, 100, 2, 2), torch.randn(3, 100, 2, 2), 0.5),
            r"\(nz,\), \(B, nz\) or \(B, nz, 1, 1\)",
        ),
        (
            lambda: slerp(torch.randn(100), torch.randn(100), 1.5),
            r"t must be .*\[0, 1\]",
        ),
        (lambda: lerp([0.0] * 100, torch.randn(100), 0.5), "float tensor"),
        (
            lambda: lerp(torch.ones(100, dtype=torch.long), torch.ones(100), 0.5),
            "float tensor",
        ),
        (
            lambda: interpolate(torch.randn(100), torch.randn(100), 8, "linear"),
            r"one of \('lerp', 'slerp'\)",
        ),
        (lambda: interpolate(torch.randn(100), torch.randn(100), 1), "steps"),
        (lambda: walk(torch.randn(100), 4), "at least 2"),
        (lambda: walk(torch.randn(1, 100), 4), "at least 2"),
        (lambda: walk(torch.randn(3, 100), 0), "steps_between"),
        (lambda: concept_vector(torch.randn(3, 100, 4)), "shape"),
        (
            lambda: arithmetic(
                torch.randn(3, 100), torch.randn(3, 64), torch.randn(100)
            ),
            "same nz",
        ),
    ],
)
def test_bad_input_raises_a_value_error_that_says_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _small_generator(seed=0):
    dl.seed_everything(seed)
    G = dl.Generator(nz=16, ngf=8, nc=1, image_size=16)
    G.apply(dl.weights_init)
    return dl.prepare_for_sampling(G, n_batches=2)


def test_project_recovers_a_known_z_much_better_than_chance():
    G = _small_generator()
    truth = torch.randn(6, 16, generator=torch.Generator().manual_seed(1))
    images = dl.generate(G, truth)
    # no prior: the true z of this small nz = 16 need not lie near ||z|| = 4
    z, error = project(G, images, steps=400, restarts=2, prior=0.0, seed=2)
    assert z.shape == (6, 16) and error.shape == (6,)
    found = (z - truth).norm(dim=1)
    chance = (torch.randn(6, 16) - truth).norm(dim=1)  # about sqrt(2 * 16) = 5.7
    assert found.median() < 0.25 * chance.median(), (found, chance)
    baseline = (images - images.mean(0)).pow(2).flatten(1).mean(1)
    assert (error < 0.1 * baseline).all(), (error, baseline)
    assert torch.allclose(
        error, (dl.generate(G, z) - images).pow(2).flatten(1).mean(1), atol=1e-6
    )


def test_project_leaves_g_alone_and_refuses_train_mode_and_wrong_images():
    G = _small_generator()
    before = [p.clone() for p in G.parameters()]
    project(G, torch.zeros(2, 1, 16, 16), steps=3)
    assert all(torch.equal(p, q) for p, q in zip(before, G.parameters()))
    with pytest.raises(ValueError, match=r"\(B, 1, 16, 16\)"):
        project(G, torch.zeros(2, 1, 32, 32), steps=3)
    with pytest.raises(ValueError, match="train mode"):
        project(G.train(), torch.zeros(2, 1, 16, 16), steps=3)
