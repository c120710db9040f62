"""Measurements chapter 06 quotes: shipped with dcgan_lib, kept with the benchmark."""

import json
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_candidates_are_the_benchmark_output():
    shipped = (files("dcgan_lib") / "measurements" / "candidates.jsonl").read_text()
    kept = (ROOT / "benchmarks" / "results" / "candidates.jsonl").read_text()
    assert shipped == kept


def test_every_candidate_has_three_seeds_at_the_compared_step():
    lines = (ROOT / "benchmarks" / "results" / "candidates.jsonl").read_text()
    seeds = {}
    for run in map(json.loads, lines.splitlines()):
        if "2600" in run["scores"]:
            seeds.setdefault(run["name"], set()).add(run["seed"])
    assert seeds and all(len(s) >= 3 for s in seeds.values()), seeds
