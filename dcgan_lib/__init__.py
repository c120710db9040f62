"""dcgan_lib: the small shared library behind the DCGAN Book.

One concept per module: config, models, shapes, data, device, train, metrics,
viz, exercises (with each chapter's checks in checks/).
"""

from . import exercises
from .config import Config, fast_mode
from .data import ImageFolderFlat, load_dataset, to_unit_range
from .device import get_device, seed_everything
from .metrics import digit_classifier, frechet_distance, sample_quality
from .models import Discriminator, Generator, weights_init
from .shapes import LayerShape, conv2d_out, conv_transpose2d_out, layer_shapes
from .train import (
    History,
    d_step,
    g_step,
    load_checkpoint,
    load_or_train,
    make_optimizers,
    save_checkpoint,
    train,
)
from .viz import (
    conv_calculator,
    conv_diagram,
    plot_history,
    show_grid,
    use_hangul_font,
)

__all__ = [
    "Config",
    "fast_mode",
    "Generator",
    "Discriminator",
    "weights_init",
    "conv2d_out",
    "conv_transpose2d_out",
    "layer_shapes",
    "LayerShape",
    "load_dataset",
    "ImageFolderFlat",
    "to_unit_range",
    "get_device",
    "seed_everything",
    "show_grid",
    "plot_history",
    "train",
    "d_step",
    "g_step",
    "make_optimizers",
    "History",
    "save_checkpoint",
    "load_checkpoint",
    "load_or_train",
    "sample_quality",
    "frechet_distance",
    "digit_classifier",
    "use_hangul_font",
    "conv_diagram",
    "conv_calculator",
    "exercises",
]
