"""The benchmarks' measurements: one copy, shipped with dcgan_lib, where the chapters
read them (dl.measurement) and the benchmarks write them (benchmarks/result_files.py).
"""

import argparse
import re
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest
import tomllib

import dcgan_lib as dl

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "dcgan_lib" / "measurements"
# what the chapters quote (06: candidates, quality budget; 09: speed, time to
# quality), and the last timing of the notebooks in fast mode
BOOK = {
    "candidates.jsonl",
    "notebook_times.json",
    "quality_budget_fp32.json",
    "speed.json",
    "time_to_quality.json",
}
# a reader's or contributor's own run, beside the book's (never committed)
OWN_RUN = re.compile(r"^[a-z0-9_]+-\d{8}T\d{6}Z(-\d+)?\.jsonl?$")

sys.path.insert(0, str(ROOT / "benchmarks"))
import result_files  # noqa: E402


def test_the_measurements_are_kept_once_in_the_package():
    shipped = {p.name for p in FOLDER.iterdir() if not OWN_RUN.match(p.name)}
    assert shipped == BOOK
    assert not (ROOT / "benchmarks" / "results").exists(), (
        "benchmarks write to dcgan_lib/measurements/: no second copy"
    )


def test_a_plain_install_ships_every_measurement():
    """`pip install git+...` (Colab) copies only package-data's patterns."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["dcgan_lib"]
    for name in BOOK:
        relative = f"measurements/{name}"
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative


@pytest.mark.parametrize(
    "name, kind",
    [
        ("candidates", list),
        ("notebook_times", dict),
        ("quality_budget_fp32", dict),
        ("speed", dict),
        ("time_to_quality", dict),
    ],
)
def test_a_measurement_is_read_by_name(name, kind):
    assert isinstance(dl.measurement(name), kind)


def test_an_unknown_measurement_names_the_known_ones():
    with pytest.raises(ValueError, match="speed, time_to_quality"):
        dl.measurement("speed.json")


def test_the_budget_run_used_the_book_defaults_in_float32():
    budget = dl.measurement("quality_budget_fp32")
    assert budget["precision"] == "fp32" and budget["seconds"] == 300
    assert budget["train_flags"] == [] and len(budget["runs"]) >= 3


def test_the_compared_candidates_have_three_seeds_at_the_compared_step():
    seeds = {}
    for run in dl.measurement("candidates"):
        if "2600" in run["scores"]:
            seeds.setdefault(run["name"], set()).add(run["seed"])
    for name in ("base", "r1_1_lr1e-3"):  # the paper's loss, and the book's change
        assert len(seeds[name]) >= 3, (name, seeds[name])


def options(*argv):
    parser = argparse.ArgumentParser()
    result_files.add_output_options(parser, "speed", ".json")
    return parser.parse_args(argv)


def test_a_benchmark_writes_a_new_file_beside_the_books_by_default(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(result_files, "MEASUREMENTS", tmp_path)
    first = result_files.output_path(options(), "speed", ".json")
    assert first.parent == tmp_path and OWN_RUN.match(first.name), first.name
    first.write_text("{}")
    second = result_files.output_path(options(), "speed", ".json")
    assert second != first and not second.exists()  # never overwrites, same second


def test_book_writes_the_books_file_and_out_anywhere(tmp_path):
    assert result_files.MEASUREMENTS == FOLDER
    book = result_files.output_path(options("--book"), "speed", ".json")
    assert book == FOLDER / "speed.json"
    out = result_files.output_path(options("--out", str(tmp_path / "s.json")), "", "")
    assert out == tmp_path / "s.json"
    with pytest.raises(SystemExit):
        options("--book", "--out", "x.json")  # one or the other
