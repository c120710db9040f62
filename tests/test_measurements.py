"""Measurements chapter 06 quotes: shipped with dcgan_lib, kept with the benchmark."""

import json
from fnmatch import fnmatch
from importlib.resources import files
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_measurements_are_the_benchmark_outputs():
    names = (
        "candidates.jsonl",
        "quality_budget_fp32.json",
        "speed.json",
        "time_to_quality.json",
    )
    for name in names:
        shipped = (files("dcgan_lib") / "measurements" / name).read_text()
        assert shipped == (ROOT / "benchmarks" / "results" / name).read_text(), name
    shipped = sorted(p.name for p in (ROOT / "dcgan_lib" / "measurements").iterdir())
    assert shipped == sorted(names)


def test_a_plain_install_ships_every_measurement():
    """`pip install git+...` (Colab) copies only package-data's patterns."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["dcgan_lib"]
    folder = ROOT / "dcgan_lib" / "measurements"
    for path in folder.iterdir():
        relative = path.relative_to(ROOT / "dcgan_lib").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative


def test_the_budget_run_used_the_book_defaults_in_float32():
    budget = json.loads(
        (ROOT / "benchmarks" / "results" / "quality_budget_fp32.json").read_text()
    )
    assert budget["precision"] == "fp32" and budget["seconds"] == 300
    assert budget["train_flags"] == [] and len(budget["runs"]) >= 3


def test_the_compared_candidates_have_three_seeds_at_the_compared_step():
    lines = (ROOT / "benchmarks" / "results" / "candidates.jsonl").read_text()
    seeds = {}
    for run in map(json.loads, lines.splitlines()):
        if "2600" in run["scores"]:
            seeds.setdefault(run["name"], set()).add(run["seed"])
    for name in ("base", "r1_1_lr1e-3"):  # the paper's loss, and the book's change
        assert len(seeds[name]) >= 3, (name, seeds[name])
