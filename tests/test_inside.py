"""dcgan_lib.inside: feature maps, pooled features, dropped channels, neighbours,
the linear probe (chapter 08)."""

import numpy as np
import pytest
import torch

import dcgan_lib as dl
from dcgan_lib.inside import (
    channels_dropped,
    feature_maps,
    linear_probe,
    nearest_neighbours,
    pooled_features,
)


@pytest.fixture(scope="module")
def models():
    G, D = dl.build_models(dl.book_config("mnist5k"))
    return dl.prepare_for_sampling(G, n_batches=2), D.eval()


def _images(n, seed=0):
    return (
        torch.rand(n, 1, 32, 32, generator=torch.Generator().manual_seed(seed)) * 2 - 1
    )


def _z(n, seed=0):
    return torch.randn(n, 100, generator=torch.Generator().manual_seed(seed))


def test_feature_maps_of_d_and_g_have_the_book_shapes(models):
    G, D = models
    shapes = [tuple(m.shape) for m in feature_maps(D, _images(3))]
    assert shapes == [(3, 32, 16, 16), (3, 64, 8, 8), (3, 128, 4, 4)]
    shapes = [tuple(m.shape) for m in feature_maps(G, _z(3))]
    assert shapes == [(3, 128, 4, 4), (3, 64, 8, 8), (3, 32, 16, 16)]


def test_feature_maps_are_what_the_layers_compute_and_do_not_depend_on_chunks(models):
    _, D = models
    x = _images(5)
    maps = feature_maps(D, x, chunk=2)
    with torch.no_grad():
        first = D.main[1](D.main[0](x))  # conv, LeakyReLU
        last = D.main[:-1](x)  # everything but the final conv
    assert torch.allclose(maps[0], first, atol=1e-6)
    assert torch.allclose(maps[-1], last, atol=1e-6)
    assert all(torch.equal(a, b) for a, b in zip(maps, feature_maps(D, x, chunk=500)))
    assert not any(m._forward_hooks for m in D.modules())  # hooks removed


def test_feature_maps_refuse_a_model_in_train_mode_and_one_without_blocks():
    G, _ = dl.build_models(dl.book_config("mnist5k"))
    with pytest.raises(ValueError, match="train mode"):
        feature_maps(G, _z(2))
    with pytest.raises(ValueError, match="no ReLU"):
        feature_maps(torch.nn.Linear(3, 2).eval(), torch.zeros(1, 3))


def test_pooled_features_follow_the_paper_4x4_max_pool_of_every_block(models):
    _, D = models
    x = _images(4)
    features = pooled_features(D, x)
    assert features.shape == (4, (32 + 64 + 128) * 16) == (4, 3584)
    maps = feature_maps(D, x)
    # the first block's 16x16 map: each 4x4 cell of the grid keeps its maximum
    first = maps[0].reshape(4, 32, 4, 4, 4, 4).amax(dim=(3, 5)).flatten(1)
    assert torch.equal(features[:, : 32 * 16], first)
    assert torch.equal(features[:, -128 * 16 :], maps[-1].flatten(1))  # already 4x4
    with pytest.raises(ValueError, match="smaller grid"):
        pooled_features(D, x, grid=8)
    with pytest.raises(ValueError, match="positive int"):
        pooled_features(D, x, grid=0)


def test_dropped_channels_are_zero_at_every_position_and_only_inside_the_with(models):
    G, _ = models
    z = _z(4)
    before = dl.generate(G, z)
    with channels_dropped(G, 1, [0, 5, 63]):
        maps = feature_maps(G, z)
        after = dl.generate(G, z)
    assert maps[1][:, [0, 5, 63]].abs().max() == 0
    assert maps[1][:, 1:5].abs().max() > 0
    assert not torch.equal(before, after)
    assert torch.equal(dl.generate(G, z), before)  # G is back as it was
    mask = torch.zeros(64, dtype=torch.bool)
    mask[[0, 5, 63]] = True
    with channels_dropped(G, 1, mask):
        assert torch.equal(dl.generate(G, z), after)  # a bool mask means the same
    with channels_dropped(G, 1, []):
        assert torch.equal(dl.generate(G, z), before)  # nothing dropped


def test_dropping_channels_rejects_bad_blocks_and_indices_and_cleans_up(models):
    G, _ = models
    with pytest.raises(ValueError, match="3 blocks"):
        with channels_dropped(G, 3, [0]):
            pass
    with pytest.raises(ValueError, match="has 64 channels"):
        with channels_dropped(G, 1, [64]):
            dl.generate(G, _z(1))
    with pytest.raises(ValueError, match="1-D list"):
        with channels_dropped(G, 1, [0.5]):
            pass
    assert not any(m._forward_hooks for m in G.modules())


def test_nearest_neighbours_find_exact_copies_at_distance_zero():
    bank = _images(50)
    queries = torch.cat([bank[[7, 3]], _images(1, seed=1)])
    distances, indices = nearest_neighbours(queries, bank, k=2, chunk=2)
    assert indices[:2, 0].tolist() == [7, 3]
    assert distances[:2, 0].tolist() == [0.0, 0.0]  # exact, not 1e-4
    assert (distances[:, 0] <= distances[:, 1]).all()
    brute = (queries[2] - bank).flatten(1).norm(dim=1).double()
    assert (
        torch.isclose(distances[2, 0], brute.min()) and indices[2, 0] == brute.argmin()
    )


def test_nearest_neighbours_reject_mismatched_shapes_and_bad_k():
    with pytest.raises(ValueError, match="same shape"):
        nearest_neighbours(_images(2), torch.zeros(3, 1, 16, 16))
    with pytest.raises(ValueError, match="k must be"):
        nearest_neighbours(_images(2), _images(3), k=4)


def test_the_linear_probe_separates_separable_classes_and_not_noise():
    generator = np.random.default_rng(0)
    centres = generator.normal(size=(3, 20)) * 3
    y = np.repeat(np.arange(3), 40)
    x = centres[y] + generator.normal(size=(120, 20))
    assert linear_probe(x[::2], y[::2], x[1::2], y[1::2]) == 1.0
    noise = generator.normal(size=(120, 20))
    assert linear_probe(noise[::2], y[::2], noise[1::2], y[1::2]) < 0.6
    assert (
        linear_probe(torch.tensor(x[::2]), torch.tensor(y[::2]), x[1::2], y[1::2])
        == 1.0
    )
    with pytest.raises(ValueError, match="differ in length"):
        linear_probe(x, y[:-1], x, y)
    with pytest.raises(ValueError, match="two classes"):
        linear_probe(x[:5], np.zeros(5), x, y)
