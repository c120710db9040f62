"""The library's device handling on a CUDA GPU, checked on a machine without one.

Every test runs inside ``fake_cuda()`` (tests/fake_cuda.py): PyTorch's
FakeTensorMode with one fake GPU, a T4 (compute capability 7.5). Tensors there
carry shapes, dtypes and devices but no values, and an operation that mixes a
cuda tensor with a CPU one raises, as on a real GPU: a tensor the library forgets
to move (noise drawn on the CPU, images from a CPU dataset) fails these tests.

Covered: a training step in fp32, bf16 and fp16 (autocast's dtypes, the
GradScaler, the R1 penalty); a few steps of ``train`` with the averaged G and
samples; ``load_or_train`` training a new run (on "auto": the GPU) and returning
every tensor of it on the CPU; the sampler and ``generate``; ``project``;
``feature_maps`` and ``pooled_features``.

Not covered, and why:
- values: fake tensors have none, so nothing numeric is checked (losses read
  1.0); the CPU tests check the numbers, the same code computes them here;
- the backward passes: PyTorch's autograd engine needs a real GPU for cuda
  tensors, so gradients are zeros of each leaf's shape, dtype and device (see
  fake_cuda.py). A device mix happens in a forward pass, which runs for real;
- loading a checkpoint into a run on the GPU, ``compile`` and
  ``channels_last``, SyncBatchNorm and DistributedDataParallel (they need a
  real GPU or processes); the notebooks' own cells (the command that runs them
  on a real GPU checks those).
"""

import dataclasses

import pytest
import torch
from fake_cuda import fake_cuda
from torch.utils.data import TensorDataset

import dcgan_lib as dl

CFG = dataclasses.replace(
    dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4, batch_size=16, seed=3
)
CUDA = torch.device("cuda", 0)
CPU = torch.device("cpu")


def _data(n=48):
    """Digits-like images in a CPU dataset, as ``load_dataset`` gives them."""
    return TensorDataset(torch.rand(n, 1, 16, 16) * 2 - 1, torch.zeros(n))


def _devices(module):
    return {t.device for t in [*module.parameters(), *module.buffers()]}


def _state_tensors(state):
    """Every tensor a run holds: weights, buffers, Adam's moments, fixed noise."""
    tensors = [state.fixed_noise]
    for module in (state.G, state.D, state.G_ema):
        if module is not None:
            tensors += [*module.parameters(), *module.buffers()]
    for optimizer in (state.opt_g, state.opt_d):
        for moments in optimizer.state.values():
            tensors += [v for k, v in moments.items() if k != "step"]
    return tensors


def test_the_fake_gpu_rejects_a_cpu_tensor_fed_to_a_cuda_module():
    """The guard every other test relies on: a forgotten move raises."""
    with fake_cuda():
        G = dl.Generator(nz=8, ngf=4, nc=1, image_size=16).to("cuda")
        assert _devices(G) == {CUDA}
        with pytest.raises(RuntimeError, match="same device"):
            G(torch.randn(2, 8, 1, 1))


@pytest.mark.parametrize(
    "precision, dtype", [("fp32", torch.float32), ("bf16", torch.bfloat16),
                         ("fp16", torch.float16)],
)  # fmt: skip
def test_a_training_step_runs_on_the_gpu_in_every_precision(precision, dtype):
    with fake_cuda():
        state = dl.TrainState.new(CFG, device="cuda", precision=precision)
        assert state.device == CUDA and _devices(state.D) == {CUDA}
        with dl.autocast(precision, state.device):
            assert state.G(state.fixed_noise[:2].to(state.device)).dtype == dtype
        real = torch.rand(16, 1, 16, 16).to(state.device)
        z = state.batches.noise(16, CFG.nz).to(state.device)
        stats = dl.training_step(
            state.G, state.D, state.opt_g, state.opt_d, real, z, precision,
            state.scalers, r1_gamma=1.0,
        )  # fmt: skip
        assert all(isinstance(value, float) for value in stats.values())
        moments = [v for s in state.opt_d.state.values() for k, v in s.items()
                   if k != "step"]  # fmt: skip
        assert moments and {m.device for m in moments} == {CUDA}
        scaler = state.scalers["d"]
        if precision == "fp16":
            assert scaler.is_enabled() and scaler._scale.device == CUDA
        else:
            assert scaler is None


def test_auto_precision_on_a_t4_is_fp16_with_scalers():
    with fake_cuda():
        state = dl.TrainState.new(CFG, device="auto")
        assert state.device == CUDA and state.precision == "fp16"
        assert all(s.is_enabled() for s in state.scalers.values())


def test_train_runs_steps_with_the_average_and_samples_on_the_cpu():
    cfg = dataclasses.replace(CFG, ema_decay=0.9, r1_gamma=1.0)
    data = _data()
    with fake_cuda():
        state = dl.TrainState.new(cfg, device="cuda", precision="fp16")
        history = dl.train(state, data, 4, sample_every=2, progress=False)
        assert history.step == [1, 2, 3, 4] and len(history.samples) == 2
        assert {s.device for s in history.samples} == {CPU}
        assert _devices(state.G_ema) == {CUDA}


def test_load_or_train_trains_on_the_gpu_and_returns_the_run_on_the_cpu(tmp_path):
    """Chapters 07-09 take G, D and the sampler of this run and use them with CPU
    tensors: every tensor of the returned run must be on the CPU."""
    cfg = dataclasses.replace(CFG, ema_decay=0.9)
    data = _data()
    with fake_cuda():
        run = dl.load_or_train(
            tmp_path / "run.pt", cfg, data, 2, progress=False
        )  # device "auto": the GPU
        assert run.history.precision == "fp16" and run.step == 2
        assert {t.device for t in _state_tensors(run)} == {CPU}
        assert _devices(run.sampler()) == {CPU}
        z = torch.randn(3, cfg.nz, 1, 1)
        images = run.sampler()(z)  # as chapter 07 draws
        assert images.device == CPU
        assert run.D(images).device == CPU  # as chapter 09: D(G(z)) on the CPU
        dl.train(run, data, 3, progress=False)  # the run goes on, on the CPU
        assert run.step == 3 and {t.device for t in _state_tensors(run)} == {CPU}
    assert (tmp_path / "run.pt").is_file()


def test_the_sampler_and_generate_on_the_gpu_give_images_on_the_cpu():
    with fake_cuda():
        state = dl.TrainState.new(CFG, device="cuda", precision="fp32")
        sampler = state.sampler()
        assert _devices(sampler) == {CUDA} and not sampler.training
        images = dl.generate(sampler, torch.randn(5, CFG.nz), chunk=2)
        assert images.shape == (5, 1, 16, 16) and images.device == CPU


def test_project_finds_latent_vectors_for_cpu_images_with_g_on_the_gpu():
    digits = torch.rand(3, 1, 16, 16) * 2 - 1
    with fake_cuda():
        G = dl.prepare_for_sampling(
            dl.TrainState.new(CFG, device="cuda", precision="fp32").G
        )
        z, error = dl.project(G, digits, steps=2, restarts=2)
        assert z.shape == (3, CFG.nz) and error.shape == (3,)
        assert z.device == CPU and error.device == CPU


def test_feature_maps_and_pooled_features_of_a_gpu_d_come_back_on_the_cpu():
    digits = torch.rand(5, 1, 16, 16) * 2 - 1
    with fake_cuda():
        D = dl.TrainState.new(CFG, device="cuda", precision="fp32").D.eval()
        maps = dl.feature_maps(D, digits, chunk=2)
        assert [m.shape[1:] for m in maps] == [(4, 8, 8), (8, 4, 4)]
        assert {m.device for m in maps} == {CPU}
        features = dl.pooled_features(D, digits, grid=4)
        assert features.shape == (5, 4 * 16 + 8 * 16) and features.device == CPU
