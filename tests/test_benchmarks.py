"""benchmarks/speed.py runs end to end and refuses bad input (a smoke test, not a
measurement: tiny settings, no torch.compile, whose first step takes a minute)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEED = ROOT / "benchmarks" / "speed.py"
SUMMARY = re.compile(
    r"^digits32: fp32 \d+\.\d\dx, best \d+\.\d\dx \((fp32|auto)\) vs reference$"
)


def run_speed(*args, timeout=120):
    return subprocess.run(
        [sys.executable, str(SPEED), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_a_tiny_run_prints_the_summary_and_writes_the_json(tmp_path):
    out = tmp_path / "s.json"
    result = run_speed(
        "--workloads", "digits32", "--configs", "reference,fp32,auto",
        "--rounds", "2", "--steps", "2", "--warmup", "1", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert "round 2/2" in result.stdout
    record = json.loads(out.read_text())
    assert {"machine", "torch", "date", "settings", "workloads"} <= set(record)
    assert record["settings"]["rounds"] == 2
    workload = record["workloads"]["digits32"]
    assert list(workload["configs"]) == ["reference", "fp32", "auto"]
    for row in workload["configs"].values():
        assert {
            "images_per_s",
            "images_per_s_min",
            "images_per_s_max",
            "ratio_to_reference",
            "compile_seconds",
            "peak_memory_mib",
        } <= set(row)
        assert len(row["images_per_s_rounds"]) == 2
        assert row["images_per_s_min"] <= row["images_per_s"] > 0
    assert workload["configs"]["reference"]["ratio_to_reference"] == 1.0
    assert workload["summary"]["line"] == lines[-1]

    again = run_speed("--workloads", "digits32", "--out", str(out))
    assert again.returncode == 2
    assert "--force" in again.stderr and len(again.stderr.splitlines()) == 1


def test_a_bad_config_name_is_one_line_and_exit_code_2(tmp_path):
    result = run_speed("--configs", "fp32,fast", "--out", str(tmp_path / "s.json"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "unknown config 'fast'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_readme_command_writes_beside_the_books_results_not_over_them():
    """`python benchmarks/speed.py` as the README gives it, on a fresh clone (where
    the book's speed.json exists): a new file beside it, never the book's."""
    import importlib.util

    sys.path.insert(0, str(SPEED.parent))
    spec = importlib.util.spec_from_file_location("speed", SPEED)
    speed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(speed)
    sys.path.remove(str(SPEED.parent))
    book = ROOT / "dcgan_lib" / "measurements" / "speed.json"
    out = speed.parse([]).out
    assert out.parent == book.parent and out != book and not out.exists()
    assert re.fullmatch(r"speed-\d{8}T\d{6}Z\.json", out.name)
    assert speed.parse(["--book"]).out == book  # the book's own only when asked
    result = run_speed("--out", str(book))  # or with --force
    assert result.returncode == 2 and "--force" in result.stderr


@pytest.mark.slow
def test_gpu_check_says_in_one_line_that_there_is_no_gpu_and_exits_3(tmp_path):
    """On a machine without CUDA (this one, CI) it checks nothing, says so in one
    line and exits with its own status, so a script can tell "no GPU" from a
    failure (1) and from bad arguments (2)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gpu_check.py"), "--out",
         str(tmp_path / "report.json")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.strip() == (
        "gpu_check: no CUDA GPU here (torch.cuda.is_available() is False); "
        "nothing was checked"
    )
    assert not (tmp_path / "report.json").exists()
    bad = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gpu_check.py"), "--skip", "all"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


@pytest.mark.parametrize("gpus", [1, 2])
def test_gpu_check_on_a_faked_gpu_runs_each_check_and_reports(
    tmp_path, monkeypatch, capsys, gpus
):
    """With CUDA faked and the commands recorded instead of run: the CLI checks
    (bf16 where the GPU has it), torchrun only with two GPUs, a JSON report and
    a verdict line; one failed command makes the exit status 1."""
    import torch

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import gpu_check

    sys.path.remove(str(ROOT / "benchmarks"))
    commands = []

    def fake_run(command, cwd, timeout, env=None):
        commands.append(command)
        failed = "--channels-last" in command
        return {"ok": not failed, "seconds": 1.0, "error": "boom" if failed else ""}

    monkeypatch.setattr(gpu_check, "_run", fake_run)
    monkeypatch.setattr(gpu_check, "check_speed", lambda timeout: {})
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: gpus)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "T4")
    out = tmp_path / "report.json"
    code = gpu_check.main(["--skip", "notebooks", "--out", str(out)])
    assert code == 1  # the faked --channels-last run failed
    report = json.loads(out.read_text())
    assert report["results"]["cli"]["train channels last"]["error"] == "boom"
    assert "train precision bf16" in report["results"]["cli"]
    assert ("torchrun" in report["results"]) == (gpus == 2)
    torchruns = [c for c in commands if "torch.distributed.run" in c]
    assert len(torchruns) == (2 if gpus == 2 else 0)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("gpu_check: ") and "1 FAILED" in last


NOTEBOOK_TIMES = ROOT / "benchmarks" / "notebook_times.py"


@pytest.mark.slow
def test_notebook_times_names_a_notebook_over_its_budget(tmp_path):
    """One small notebook against a budget it cannot meet: it is timed, named,
    written to the JSON, and the exit status says so."""
    out = tmp_path / "times.json"
    notebook = "notebooks/en/02_dcgan_architecture.ipynb"
    result = subprocess.run(
        [sys.executable, str(NOTEBOOK_TIMES), notebook, "--budget", "0.5",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"over the 0.5 s budget: {notebook}" in result.stdout
    record = json.loads(out.read_text())
    timed = record["notebooks"][notebook]
    assert timed["seconds"] > 0.5 and timed["slowest cells"][0]["seconds"] > 0


def test_notebook_times_refuses_a_missing_notebook():
    result = subprocess.run(
        [sys.executable, str(NOTEBOOK_TIMES), "notebooks/en/99_nothing.ipynb"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no such notebook: notebooks/en/99_nothing.ipynb" in result.stderr


def run_benchmark(name, *args, timeout=120):
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


@pytest.mark.slow
def test_candidates_appends_one_record_a_run(tmp_path):
    """A tiny run of every candidate at once: the record chapter 06 reads."""
    out = tmp_path / "runs.jsonl"
    out.write_text('{"name": "earlier run"}\n')
    result = run_benchmark(
        "candidates.py", "--name", "tiny", "--seed", "1", "--steps", "4",
        "--score-at", "2,4", "--batch", "16", "--r1", "1", "--topk", "0.5",
        "--translate", "2", "--holdout", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    earlier, record = [json.loads(line) for line in out.read_text().splitlines()]
    assert earlier == {"name": "earlier run"}  # appended, not replaced
    assert record["name"] == "tiny" and record["seed"] == 1
    assert list(record["scores"]) == ["2", "4"]
    assert {"confidence", "class_entropy", "fd", "D_train", "D_held"} <= set(
        record["scores"]["4"]
    )
    assert record["args"]["r1"] == 1.0 and "out" not in record["args"]


def test_quality_budget_writes_the_books_file_only_from_the_books_protocol():
    result = run_benchmark("quality_budget.py", "--book", "--seconds", "5")
    assert result.returncode == 2
    assert "--precision fp32, --seconds 300" in result.stderr
