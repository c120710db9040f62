"""dcgan_lib: the small shared library behind the DCGAN Book.

One concept per module, in the order data flows: config, data, models, shapes,
steps (one update), state (a run), train (the loop), checkpoints, runs (runs on
disk), sampling, latent, inside, metrics, measured, viz, diagrams, widgets; device,
precision and distributed decide where and how fast; exercises and checks/ grade
the chapters' exercises; files, notebooks, grading and cli serve the book's tools.
The chapters use the names below and nothing else (tests/test_public_api.py
checks): ``import dcgan_lib as dl``, and ``from dcgan_lib import exercises``.
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
from .diagrams import conv_diagram, generator_diagram
from .distributed import (
    finish_distributed,
    init_distributed,
    rank_and_world,
    shard,
    speed_up,
)
from .inside import (
    channels_dropped,
    feature_maps,
    linear_probe,
    nearest_neighbours,
    pooled_features,
)
from .latent import (
    INTERPOLATION_METHODS,
    arithmetic,
    concept_vector,
    interpolate,
    lerp,
    project,
    slerp,
    walk,
)
from .measured import measurement
from .metrics import (
    digit_classifier,
    frechet_distance,
    held_out_split,
    sample_quality,
)
from .models import Discriminator, Generator, build_models, weights_init
from .precision import (
    PRECISIONS,
    autocast,
    choose_precision,
    make_scaler,
)
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
    image_grid,
    plot_history,
    samples_gif,
    show_grid,
    use_hangul_font,
)
from .widgets import conv_calculator, latent_explorer

__all__ = [
    # every chapter: set-up, the machine, the data, the exercises' checks
    "fast_mode",
    "use_hangul_font",
    "compact_figures",
    "seed_everything",
    "describe_machine",
    "get_device",
    "load_dataset",
    "ImageFolderFlat",
    "exercises",
    # 02 the architecture: the paper's G and D, sized by one Config
    "Config",
    "Generator",
    "Discriminator",
    "to_unit_range",
    # 03 shape arithmetic of (transposed) convolutions
    "conv2d_out",
    "conv_transpose2d_out",
    "layer_shapes",
    "LayerShape",
    "conv_diagram",
    "generator_diagram",
    "conv_calculator",
    # 04 batch normalization: brief training runs, sampling in eval mode
    "weights_init",
    "TrainState",
    "train",
    "History",
    "plot_history",
    "prepare_for_sampling",
    "generate",
    # 05 weight initialization: the training step, one step at a time
    "make_optimizers",
    "d_step",
    "g_step",
    # 06 training: the book's settings, checkpoints, quality scores, measurements
    "book_config",
    "BOOK_SETTINGS",
    "BOOK_STEPS",
    "update_ema",
    "R1_EVERY",
    "BatchOrder",
    "TrainingInterrupted",
    "save_checkpoint",
    "load_checkpoint",
    "PRECISIONS",
    "choose_precision",
    "show_grid",
    "samples_gif",
    "digit_classifier",
    "sample_quality",
    "frechet_distance",
    "measurement",
    # 07 the latent space: a trained G (loaded or trained), walks, arithmetic
    "load_or_train",
    "held_out_split",
    "INTERPOLATION_METHODS",
    "lerp",
    "slerp",
    "interpolate",
    "walk",
    "concept_vector",
    "arithmetic",
    "project",
    "latent_explorer",
    # 08 inside a DCGAN: filters, feature maps, memorization, features
    "build_models",
    "image_grid",
    "feature_maps",
    "pooled_features",
    "channels_dropped",
    "nearest_neighbours",
    "linear_probe",
    # 09 going faster: mixed precision, compile, many processes
    "autocast",
    "make_scaler",
    "training_step",
    "speed_up",
    "init_distributed",
    "finish_distributed",
    "rank_and_world",
    "shard",
    # the command line's run folder (python -m dcgan_lib train)
    "RunFolder",
]
