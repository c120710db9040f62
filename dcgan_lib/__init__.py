"""dcgan_lib: the small shared library behind the DCGAN Book.

One concept per module: config, models, shapes, data, device, precision, steps,
state, train, distributed, checkpoints, runs, cli, sampling, latent, inside,
metrics, viz, widgets, exercises (each chapter's checks in checks/).
"""

from . import exercises
from .checkpoints import load_checkpoint, save_checkpoint
from .config import Config, fast_mode
from .data import (
    BOOK_SETTINGS,
    BOOK_STEPS,
    ImageFolderFlat,
    book_config,
    load_dataset,
    to_unit_range,
)
from .device import describe_machine, get_device, seed_everything
from .distributed import init_distributed, rank_and_world, speed_up
from .inside import (
    channels_dropped,
    feature_maps,
    linear_probe,
    nearest_neighbours,
    pooled_features,
)
from .latent import (
    arithmetic,
    concept_vector,
    interpolate,
    lerp,
    project,
    slerp,
    walk,
)
from .metrics import digit_classifier, frechet_distance, sample_quality
from .models import Discriminator, Generator, build_models, weights_init
from .precision import PRECISIONS, autocast, choose_precision, make_scaler
from .runs import RunFolder, load_or_train
from .sampling import generate, prepare_for_sampling
from .shapes import LayerShape, conv2d_out, conv_transpose2d_out, layer_shapes
from .state import BatchOrder, History, TrainState
from .steps import (
    R1_EVERY,
    d_step,
    g_step,
    make_optimizers,
    training_step,
    update_ema,
)
from .train import TrainingInterrupted, train
from .viz import (
    compact_figures,
    conv_diagram,
    plot_history,
    samples_gif,
    show_grid,
    use_hangul_font,
)
from .widgets import conv_calculator, latent_explorer

__all__ = [
    "Config",
    "fast_mode",
    "book_config",
    "BOOK_SETTINGS",
    "BOOK_STEPS",
    "Generator",
    "Discriminator",
    "weights_init",
    "build_models",
    "init_distributed",
    "rank_and_world",
    "speed_up",
    "training_step",
    "R1_EVERY",
    "PRECISIONS",
    "choose_precision",
    "autocast",
    "make_scaler",
    "prepare_for_sampling",
    "generate",
    "lerp",
    "slerp",
    "interpolate",
    "walk",
    "concept_vector",
    "arithmetic",
    "project",
    "feature_maps",
    "pooled_features",
    "channels_dropped",
    "nearest_neighbours",
    "linear_probe",
    "conv2d_out",
    "conv_transpose2d_out",
    "layer_shapes",
    "LayerShape",
    "load_dataset",
    "ImageFolderFlat",
    "to_unit_range",
    "get_device",
    "seed_everything",
    "describe_machine",
    "show_grid",
    "plot_history",
    "samples_gif",
    "train",
    "update_ema",
    "d_step",
    "g_step",
    "make_optimizers",
    "History",
    "TrainState",
    "BatchOrder",
    "RunFolder",
    "TrainingInterrupted",
    "save_checkpoint",
    "load_checkpoint",
    "load_or_train",
    "sample_quality",
    "frechet_distance",
    "digit_classifier",
    "use_hangul_font",
    "compact_figures",
    "conv_diagram",
    "conv_calculator",
    "latent_explorer",
    "exercises",
]
