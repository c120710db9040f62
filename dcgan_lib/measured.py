"""The benchmarks' measurements that ship with the library, read by name.

Serves the chapters that quote a benchmark (06: candidates, quality budget; 09:
speed, time to quality): they read its results here, never a copy typed in.
"""

from __future__ import annotations

import json
from importlib.resources import files

__all__ = ["measurement"]

FOLDER = "measurements"  # inside the package; benchmarks/ writes there
SUFFIXES = (".json", ".jsonl")  # one JSON document; one JSON record a line


def _available() -> dict:
    """Every shipped measurement: its name (the file's stem) -> the file."""
    folder = files(__package__) / FOLDER
    if not folder.is_dir():
        return {}
    found = {}
    for entry in folder.iterdir():
        for suffix in SUFFIXES:
            if entry.is_file() and entry.name.endswith(suffix):
                found[entry.name[: -len(suffix)]] = entry
    return found


def measurement(name: str):
    """A benchmark's measurement shipped with dcgan_lib, e.g. ``measurement("speed")``.

    ``name``: the file's name in ``dcgan_lib/measurements/`` without ``.json`` or
    ``.jsonl``. An unknown name is a ValueError that lists the known ones.
    Returns: the parsed JSON of ``name.json``, or for ``name.jsonl`` a list with
    one parsed record a line.
    """
    available = _available()
    if name not in available:
        known = ", ".join(sorted(available)) or "none"
        raise ValueError(
            f"no measurement named {name!r} ships with dcgan_lib; "
            f"the measurements are: {known}"
        )
    entry = available[name]
    text = entry.read_text(encoding="utf-8")
    if entry.name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)
