"""The one sampler: eval mode with BatchNorm statistics of exactly the weights used."""

import copy

import pytest
import torch

import dcgan_lib as dl


def _trained_like(cfg):
    """A G whose running statistics belong to other weights, as G_ema's do."""
    G, _ = dl.build_models(cfg)
    with torch.no_grad():
        G.train()(torch.randn(32, cfg.nz, 1, 1))  # statistics of these weights...
        for p in G.parameters():
            p.mul_(1.5)  # ...which then move on
    return G


def test_an_image_depends_on_its_own_z_only(tiny_cfg):
    sampler = dl.prepare_for_sampling(_trained_like(tiny_cfg))
    z = torch.randn(3, tiny_cfg.nz, 1, 1, generator=torch.Generator().manual_seed(0))
    others = torch.randn(
        20, tiny_cfg.nz, 1, 1, generator=torch.Generator().manual_seed(1)
    )
    alone = dl.generate(sampler, z[:1])
    in_one_batch = dl.generate(sampler, torch.cat([z, others[:5]]))[:1]
    in_another = dl.generate(sampler, torch.cat([others, z]))[20:21]
    assert torch.equal(alone, in_one_batch) and torch.equal(alone, in_another)
    with torch.no_grad():  # whereas in train mode the batch changes the image
        G = _trained_like(tiny_cfg).train()
        assert not torch.allclose(G(z)[:1], G(torch.cat([z, others]))[:1])


def test_statistics_are_re_estimated_for_exactly_these_weights(tiny_cfg):
    G = _trained_like(tiny_cfg)
    before = copy.deepcopy(G.state_dict())
    sampler = dl.prepare_for_sampling(G, n_batches=4, batch_size=32, seed=7)
    # G itself is untouched: same weights, same statistics, still in train mode
    assert all(torch.equal(before[k], v) for k, v in G.state_dict().items())
    assert G.training and not sampler.training
    # the first BatchNorm's mean and variance, computed by hand from the same z
    generator = torch.Generator().manual_seed(7)
    z = [torch.randn(32, tiny_cfg.nz, 1, 1, generator=generator) for _ in range(4)]
    with torch.no_grad():
        pre_bn = [G.main[0](batch) for batch in z]  # (32, C, 4, 4) each
    means = torch.stack([a.mean((0, 2, 3)) for a in pre_bn]).mean(0)
    variances = torch.stack([a.var((0, 2, 3)) for a in pre_bn]).mean(0)  # unbiased
    bn = sampler.main[1]
    assert torch.allclose(bn.running_mean, means, atol=1e-6)
    assert torch.allclose(bn.running_var, variances, rtol=1e-5)
    assert bn.momentum == G.main[1].momentum  # restored after the estimate
    assert int(bn.num_batches_tracked) == 4
    # a pure function of the weights and the seed
    again = dl.prepare_for_sampling(G, n_batches=4, batch_size=32, seed=7)
    assert all(
        torch.equal(a, b)
        for a, b in zip(sampler.state_dict().values(), again.state_dict().values())
    )


def test_stale_statistics_change_the_images(tiny_cfg):
    G = _trained_like(tiny_cfg)
    z = torch.randn(64, tiny_cfg.nz, 1, 1, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        stale = copy.deepcopy(G).eval()(z)
    fresh = dl.generate(dl.prepare_for_sampling(G), z)
    assert (stale - fresh).abs().mean() > 0.01


def test_bad_input_is_refused_clearly(tiny_cfg):
    G = _trained_like(tiny_cfg)
    with pytest.raises(ValueError, match="n_batches must be a positive int"):
        dl.prepare_for_sampling(G, n_batches=0)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        dl.prepare_for_sampling(G, batch_size=2.5)
    with pytest.raises(ValueError, match="needs a generator that takes z"):
        dl.prepare_for_sampling(torch.nn.Tanh())
    plain = torch.nn.Sequential(*G.main)  # no nz attribute: read from the first layer
    assert (
        dl.prepare_for_sampling(plain)(torch.randn(2, tiny_cfg.nz, 1, 1)).shape[0] == 2
    )
    with pytest.raises(ValueError, match="train mode"):
        dl.generate(G.train(), torch.randn(2, tiny_cfg.nz))
