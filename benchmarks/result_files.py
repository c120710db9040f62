"""Where a benchmark writes its result: in dcgan_lib/measurements/, where the chapters
read them (``dl.measurement(name)``), without ever overwriting the book's own file.

By default a run writes a new file beside the book's, named with the UTC time it
started (``speed-20260101T120000Z.json``), so a reader's run sits next to the one the
book quotes and can be compared with it. ``--book`` writes the book's own file
(replacing it: what a maintainer does before re-executing the chapter), and ``--out``
writes anywhere else.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

MEASUREMENTS = Path(__file__).resolve().parents[1] / "dcgan_lib" / "measurements"


def add_output_options(parser: argparse.ArgumentParser, name: str, suffix: str):
    """``--out FILE`` and ``--book``, which exclude each other, for measurement
    ``name`` (the book's file: ``dcgan_lib/measurements/<name><suffix>``)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--out",
        type=Path,
        help=f"write here (default: a new dcgan_lib/measurements/{name}-<UTC time>"
        f"{suffix}, next to the book's {name}{suffix})",
    )
    where.add_argument(
        "--book",
        action="store_true",
        help=f"write the book's own dcgan_lib/measurements/{name}{suffix}, which "
        "the chapters quote",
    )


def output_path(args: argparse.Namespace, name: str, suffix: str) -> Path:
    """The file the run writes, chosen by ``--out`` / ``--book`` (see the module).

    Returns: ``args.out``; the book's file with ``--book``; otherwise a new file
    ``<name>-<UTC time><suffix>`` in dcgan_lib/measurements/ that does not exist yet.
    """
    if args.out is not None:
        return args.out
    if args.book:
        return MEASUREMENTS / f"{name}{suffix}"
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path, again = MEASUREMENTS / f"{name}-{stamp}{suffix}", 2
    while path.exists():  # two runs in the same second
        path, again = MEASUREMENTS / f"{name}-{stamp}-{again}{suffix}", again + 1
    return path
