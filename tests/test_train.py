import copy
import dataclasses
import math

import matplotlib
import pytest
import torch
from torch.utils.data import TensorDataset

import dcgan_lib as dl

CFG = dataclasses.replace(
    dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4, batch_size=16, seed=3
)


def _models(cfg=CFG):
    G = dl.Generator(cfg.nz, cfg.ngf, cfg.nc, cfg.image_size)
    D = dl.Discriminator(cfg.nc, cfg.ndf, cfg.image_size)
    G.apply(dl.weights_init)
    D.apply(dl.weights_init)
    return G, D


def _state(cfg=CFG, models=None, **options):
    """A run at step 0 on the CPU (fresh ``_models`` unless given)."""
    G, D = models or _models(cfg)
    return dl.TrainState.new(cfg, G, D, device="cpu", **options)


def _data(n=64):
    return TensorDataset(torch.rand(n, 1, 16, 16) * 2 - 1, torch.zeros(n))


def _snapshot(model):
    return [p.detach().clone() for p in model.parameters()]


def _changed(before, model):
    return any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_d_step_updates_only_d_and_reports_floats():
    torch.manual_seed(0)
    G, D = _models()
    opt_g, opt_d = dl.make_optimizers(G, D, CFG)
    g0, d0 = _snapshot(G), _snapshot(D)
    fake = G(torch.randn(16, 8, 1, 1))
    stats = dl.d_step(D, opt_d, torch.rand(16, 1, 16, 16), fake)
    assert _changed(d0, D) and not _changed(g0, G)
    assert set(stats) == {"loss_d", "d_real", "d_fake"}
    assert all(isinstance(v, float) for v in stats.values())
    assert 0 < stats["d_real"] < 1 and 0 < stats["d_fake"] < 1
    assert stats["loss_d"] > 0


def test_d_loss_is_bce_with_real_one_and_fake_zero():
    D = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(4, 1), torch.nn.Flatten(0)
    )
    opt = torch.optim.SGD(D.parameters(), lr=0.0)  # measure without changing D
    real, fake = torch.randn(5, 4), torch.randn(5, 4)
    stats = dl.d_step(D, opt, real, fake)
    p_real, p_fake = torch.sigmoid(D(real)), torch.sigmoid(D(fake))
    expected = -(torch.log(p_real).mean() + torch.log(1 - p_fake).mean())
    assert stats["loss_d"] == pytest.approx(expected.item(), rel=1e-5)


def test_g_step_updates_only_g_with_the_non_saturating_loss():
    torch.manual_seed(0)
    G, D = _models()
    opt_g, _ = dl.make_optimizers(G, D, CFG)
    g0, d0 = _snapshot(G), _snapshot(D)
    fake = G(torch.randn(16, 8, 1, 1))
    with torch.no_grad():
        expected = -torch.log(torch.sigmoid(D(fake))).mean().item()
    stats = dl.g_step(D, opt_g, fake)
    assert _changed(g0, G) and not _changed(d0, D)
    assert stats["loss_g"] == pytest.approx(expected, rel=1e-5)


def test_optimizers_use_the_papers_adam_settings():
    G, D = _models()
    for opt in dl.make_optimizers(G, D, dl.Config()):
        group = opt.param_groups[0]
        assert group["lr"] == 2e-4 and group["betas"] == (0.5, 0.999)


def test_train_records_every_step_and_the_fixed_noise_samples():
    history = dl.train(
        _state(n_samples=5), _data(), steps=7, sample_every=3, progress=False
    )
    assert history.step == list(range(1, 8))
    for key in ("loss_d", "loss_g", "d_real", "d_fake", "d_fake_after"):
        assert len(getattr(history, key)) == 7
    assert history.sample_steps == [3, 6, 7]
    assert all(
        s.shape == (5, 1, 16, 16) and s.device.type == "cpu" for s in history.samples
    )
    assert history.seconds > 0


def test_train_repeats_exactly_and_leaves_global_rngs_alone():
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        run, data = _state(), _data()
        rng = torch.get_rng_state()
        history = dl.train(run, data, steps=5, progress=False)
        assert torch.equal(torch.get_rng_state(), rng)
        runs.append((history.loss_d, [p.clone() for p in run.G.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))


@pytest.mark.slow
def test_train_moves_g_towards_real_digits():
    cfg = dataclasses.replace(CFG, nz=16, ngf=8, ndf=8, batch_size=64, seed=0)
    data = dl.load_dataset("mnist5k", image_size=16)
    history = dl.train(_state(cfg), data, steps=80, sample_every=20, progress=False)
    means = [s.mean().item() for s in history.samples]
    real_mean = data.tensors[0].mean().item()  # mostly black background: about -0.74
    assert all(a > b for a, b in zip(means, means[1:])), means  # step by step ...
    assert means[-1] < means[0] - 0.05 and real_mean < means[-1]  # ... towards data


def test_mismatched_models_and_data_say_what_to_change():
    with pytest.raises(ValueError, match="cfg.nz=100"):
        _state(dataclasses.replace(CFG, nz=100), _models())
    rgb = TensorDataset(torch.zeros(32, 3, 16, 16), torch.zeros(32))
    with pytest.raises(ValueError, match=r"\(3, 16, 16\) but G makes \(1, 16, 16\)"):
        dl.train(_state(), rgb, steps=1, progress=False)
    with pytest.raises(ValueError, match="fewer than batch_size"):
        dl.train(_state(), _data(8), steps=1, progress=False)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        dl.train(_state(), _data(), steps=0, progress=False)


def test_plot_history_draws_losses_and_d_outputs():
    history = dl.train(_state(), _data(), steps=12, progress=False)
    with matplotlib.rc_context():
        dl.use_hangul_font()  # its titles are bilingual
        figure = dl.plot_history(history, title="run", smooth=4)
    left, right = figure.axes
    assert len(left.lines) == 2 and len(right.lines) == 3
    assert len(left.lines[0].get_xdata()) == 12 - 4 + 1


def test_update_ema_averages_weights_with_a_warm_up():
    torch.manual_seed(0)
    G, _ = _models()
    G_ema = dl.Generator(CFG.nz, CFG.ngf, CFG.nc, CFG.image_size)
    before = _snapshot(G_ema)
    dl.update_ema(G_ema, G, decay=0.999, step=0)  # warm-up: d = 1/10, not 0.999
    for old, new, target in zip(before, G_ema.parameters(), G.parameters()):
        assert torch.allclose(new, 0.1 * old + 0.9 * target, atol=1e-6)
    before = _snapshot(G_ema)
    dl.update_ema(G_ema, G, decay=0.5, step=10**6)  # later: the decay itself
    for old, new, target in zip(before, G_ema.parameters(), G.parameters()):
        assert torch.allclose(new, 0.5 * old + 0.5 * target, atol=1e-6)
    assert all(
        torch.equal(a, b) for a, b in zip(G_ema.buffers(), G.buffers())
    )  # BatchNorm's running statistics are G's


def test_train_with_ema_samples_from_the_average(tmp_path):
    cfg = dataclasses.replace(CFG, ema_decay=0.9)
    torch.manual_seed(0)
    run = _state(cfg)
    history = dl.train(run, _data(), steps=6, progress=False)
    G, G_ema = run.G, run.G_ema
    assert any(
        not torch.equal(a, b) for a, b in zip(G.parameters(), G_ema.parameters())
    )
    z = torch.randn(64, cfg.nz, 1, 1, generator=torch.Generator().manual_seed(cfg.seed))
    # drawn by the one sampler from the average: eval mode, statistics re-estimated
    assert torch.equal(
        history.samples[-1], dl.generate(dl.prepare_for_sampling(G_ema), z)
    )
    assert torch.equal(run.fixed_noise, z)


def test_r1_penalty_adds_gamma_half_of_the_squared_input_gradient():
    torch.manual_seed(0)
    G, D = _models()
    D_hand = copy.deepcopy(D)
    opt_g, opt_d = dl.make_optimizers(G, D, CFG)
    _, opt_hand = dl.make_optimizers(G, D_hand, CFG)
    real, fake = torch.rand(16, 1, 16, 16) * 2 - 1, G(torch.randn(16, 8, 1, 1))
    stats = dl.d_step(D, opt_d, real, fake, r1_gamma=2.5)
    # by hand: BCE terms + 2.5 / 2 * mean over images of |d logit / d x|^2
    x = real.clone().requires_grad_(True)
    logits_real, logits_fake = D_hand(x), D_hand(fake.detach())
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    loss = bce(logits_real, torch.ones(16)) + bce(logits_fake, torch.zeros(16))
    (grad,) = torch.autograd.grad(logits_real.sum(), x, create_graph=True)
    penalty = grad.pow(2).sum((1, 2, 3)).mean()
    opt_hand.zero_grad()
    (loss + 2.5 / 2 * penalty).backward()
    opt_hand.step()
    assert math.isclose(stats["loss_d"], loss.item(), rel_tol=1e-6)  # BCE part only
    assert all(
        torch.allclose(a, b, atol=1e-7)
        for a, b in zip(D.parameters(), D_hand.parameters())
    )
    with pytest.raises(ValueError, match="r1_gamma must be >= 0"):
        dataclasses.replace(CFG, r1_gamma=-1.0)


def test_train_applies_r1_lazily_every_fourth_step():
    runs = []
    for gamma in (0.0, 1.0):
        torch.manual_seed(0)
        run = _state(dataclasses.replace(CFG, r1_gamma=gamma), precision="fp32")
        runs.append(dl.train(run, _data(), 5, progress=False))
    plain, with_r1 = runs
    # steps 1-3 have no penalty; the 4th step's update is the first to differ
    assert plain.loss_d[:4] == with_r1.loss_d[:4]
    assert plain.loss_d[4] != with_r1.loss_d[4]
