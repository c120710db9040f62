import pytest
import torch
from torch import nn

from dcgan_lib import Discriminator, Generator, weights_init


def _kinds(model):
    return [type(m).__name__ for m in model.main]


def test_the_64x64_generator_is_the_pytorch_tutorials():
    generator = Generator(nz=100, ngf=64, nc=3, image_size=64)
    convs = [m for m in generator.main if isinstance(m, nn.ConvTranspose2d)]
    assert [(c.in_channels, c.out_channels) for c in convs] == [
        (100, 512),
        (512, 256),
        (256, 128),
        (128, 64),
        (64, 3),
    ]
    assert all(c.kernel_size == (4, 4) and c.bias is None for c in convs)
    assert [(c.stride[0], c.padding[0]) for c in convs] == [(1, 0)] + [(2, 1)] * 4
    assert _kinds(generator) == ["ConvTranspose2d", "BatchNorm2d", "ReLU"] * 4 + [
        "ConvTranspose2d",
        "Tanh",
    ]
    assert sum(p.numel() for p in generator.parameters()) == 3_576_704


def test_the_64x64_discriminator_is_the_tutorials_without_sigmoid():
    discriminator = Discriminator(nc=3, ndf=64, image_size=64)
    convs = [m for m in discriminator.main if isinstance(m, nn.Conv2d)]
    assert [(c.in_channels, c.out_channels) for c in convs] == [
        (3, 64),
        (64, 128),
        (128, 256),
        (256, 512),
        (512, 1),
    ]
    assert _kinds(discriminator)[:3] == ["Conv2d", "LeakyReLU", "Conv2d"]  # no BN
    assert not any(
        isinstance(m, (nn.Sigmoid, nn.MaxPool2d)) for m in discriminator.main
    )
    slopes = {
        m.negative_slope for m in discriminator.main if isinstance(m, nn.LeakyReLU)
    }
    assert slopes == {0.2}


@pytest.mark.parametrize("image_size", [16, 32, 64, 128, 256])
@pytest.mark.parametrize("nc", [1, 3])
def test_every_power_of_two_size_round_trips(image_size, nc):
    generator = Generator(nz=8, ngf=4, nc=nc, image_size=image_size)
    discriminator = Discriminator(nc=nc, ndf=4, image_size=image_size)
    images = generator(torch.randn(3, 8, 1, 1))
    assert images.shape == (3, nc, image_size, image_size)
    assert images.abs().max() <= 1  # Tanh
    logits = discriminator(images)
    assert logits.shape == (3,)
    last_g, first_d = generator.main[-2:], discriminator.main[:2]
    assert not any(isinstance(m, nn.BatchNorm2d) for m in [*last_g, *first_d])


def test_the_papers_widths_are_ngf_128():
    assert Generator(ngf=128).main[0].out_channels == 1024


def test_generator_accepts_flat_latent_vectors():
    generator = Generator(nz=10, ngf=4, nc=1, image_size=16).eval()
    z = torch.randn(2, 10)
    assert torch.equal(generator(z), generator(z[:, :, None, None]))


def test_discriminator_returns_unbounded_logits():
    torch.manual_seed(0)
    discriminator = Discriminator(nc=1, ndf=8, image_size=16)
    discriminator.main[-1].weight.data.mul_(100)
    logits = discriminator(torch.randn(16, 1, 16, 16))
    assert logits.abs().max() > 1  # a sigmoid would keep it in (0, 1)


@pytest.mark.parametrize("image_size", [48, 8, 0, -64, 64.0])
def test_bad_image_sizes_name_the_allowed_values(image_size):
    for build in (Generator, Discriminator):
        with pytest.raises(ValueError, match=r"power of two >= 16 \(16, 32, 64"):
            build(image_size=image_size)


@pytest.mark.parametrize("kwargs", [{"nz": 0}, {"nc": 0}, {"nz": -3}, {"ngf": 0}])
def test_bad_widths_are_named(kwargs):
    (name,) = kwargs
    with pytest.raises(ValueError, match=f"{name} must be a positive int"):
        Generator(**kwargs)
    if name == "nc":
        with pytest.raises(ValueError, match="nc must be a positive int"):
            Discriminator(nc=0)


def test_weights_init_draws_the_papers_distributions():
    torch.manual_seed(0)
    generator = Generator(ngf=64)
    generator.apply(weights_init)
    weights = torch.cat(
        [
            m.weight.flatten()
            for m in generator.modules()
            if isinstance(m, nn.ConvTranspose2d)
        ]
    )
    assert abs(weights.mean().item()) < 1e-3
    assert weights.std().item() == pytest.approx(0.02, rel=0.01)  # a std, not 0.2
    gammas = torch.cat(
        [m.weight for m in generator.modules() if isinstance(m, nn.BatchNorm2d)]
    )
    assert gammas.mean().item() == pytest.approx(1.0, abs=0.01)
    assert gammas.std().item() == pytest.approx(0.02, rel=0.2)
    betas = torch.cat(
        [m.bias for m in generator.modules() if isinstance(m, nn.BatchNorm2d)]
    )
    assert torch.all(betas == 0)


def test_weights_init_matches_by_type_not_by_name():
    class ConvergenceMonitor(nn.Module):  # "Conv" in its name, and a weight
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(3))

    monitor = ConvergenceMonitor()
    monitor.apply(weights_init)
    assert torch.equal(monitor.weight.data, torch.ones(3))
    conv = nn.Conv2d(1, 1, 3, bias=True)
    nn.init.ones_(conv.bias)
    weights_init(conv)
    assert conv.bias.item() == 0
