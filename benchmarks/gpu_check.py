"""Does the book work on this machine's GPU? One command for whoever has one.

Runs, on CUDA, what the test suite can only fake on a CPU-only machine:

1. every chapter notebook (both editions) in fast mode, top to bottom, in a fresh
   kernel (the chapters pick the GPU themselves: ``get_device("auto")``);
2. ``python -m dcgan_lib train`` for a few steps with ``--precision auto``,
   ``fp16``, ``bf16`` (where the GPU has it), ``--compile`` and
   ``--channels-last``, then ``sample`` from the result;
3. with two or more GPUs, the same under ``torchrun --nproc_per_node=2``, with and
   without ``--sync-batchnorm``;
4. the speed benchmark's CUDA configurations, briefly (``benchmarks/speed.py``).

Each check is one line (ok or FAILED, and its time); every result and the
machine go to a JSON report, by default a new dcgan_lib/measurements/
gpu_check-<UTC time>.json (--out elsewhere). The last line is the verdict. Exit
status: 0 all passed, 1 some failed, 2 bad arguments, 3 no CUDA GPU here (then
nothing runs, and one line says so).

    python benchmarks/gpu_check.py                 # everything (about 15-30 min)
    python benchmarks/gpu_check.py --skip notebooks --skip speed
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from result_files import add_output_options, output_path  # noqa: E402

NO_GPU = 3  # the exit status when there is no CUDA GPU to check
PARTS = ("notebooks", "cli", "torchrun", "speed")
TRAIN = ["--image-size", "16", "--ngf", "8", "--ndf", "8", "--steps", "20"]


def _run(command: list, cwd, timeout: float, env=None) -> dict:
    """Run ``command``; its result as a record (ok, seconds, the error's tail)."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
        ok, tail = done.returncode == 0, (done.stderr or done.stdout)[-2000:]
    except subprocess.TimeoutExpired:
        ok, tail = False, f"timed out after {timeout:.0f} s"
    return {"ok": ok, "seconds": round(time.perf_counter() - started, 1),
            "error": "" if ok else tail}  # fmt: skip


def check_notebooks(timeout: float) -> dict:
    """Every chapter in fast mode, each in a copy of its folder's place."""
    import nbformat

    from dcgan_lib.notebooks import find_notebooks, run_notebook

    results = {}
    for path in find_notebooks(ROOT):
        started = time.perf_counter()
        try:
            run_notebook(
                nbformat.read(path, as_version=4), path.parent, fast=True,
                time_limit=timeout,
            )  # fmt: skip
            ok, error = True, ""
        except Exception as failure:  # noqa: BLE001 - recorded, and we go on
            ok, error = False, f"{type(failure).__name__}: {str(failure)[-2000:]}"
        seconds = round(time.perf_counter() - started, 1)
        results[str(path.relative_to(ROOT))] = {
            "ok": ok, "seconds": seconds, "error": error
        }  # fmt: skip
        _say(str(path.relative_to(ROOT)), results[str(path.relative_to(ROOT))])
    return results


def _cli_runs(bf16: bool) -> dict:
    runs = {
        "precision auto": ["--precision", "auto"],
        "precision fp16": ["--precision", "fp16"],
        "compile": ["--precision", "auto", "--compile"],
        "channels last": ["--precision", "auto", "--channels-last"],
    }
    if bf16:
        runs["precision bf16"] = ["--precision", "bf16"]
    return runs


def check_cli(timeout: float, bf16: bool) -> dict:
    """A short training run per option, then `sample` from each."""
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, flags in _cli_runs(bf16).items():
            out = Path(folder) / name.replace(" ", "_")
            command = [sys.executable, "-m", "dcgan_lib", "train", *TRAIN, *flags]
            result = _run([*command, "--out", str(out)], folder, timeout)
            if result["ok"]:
                sample = [
                    sys.executable,
                    "-m",
                    "dcgan_lib",
                    "sample",
                    "--checkpoint",
                    str(out / "checkpoint.pt"),
                    "--out",
                    str(out / "g.png"),
                ]
                result = _run(sample, folder, timeout) | {"seconds": result["seconds"]}
            results[f"train {name}"] = result
            _say(f"train {name}", result)
    return results


def check_torchrun(timeout: float) -> dict:
    """Two processes on two GPUs (nccl), with and without SyncBatchNorm."""
    results = {}
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                "--nproc_per_node=2", "-m", "dcgan_lib", "train", *TRAIN]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        # SyncBatchNorm cannot be differentiated twice, as R1 needs: R1 off there
        sync = ["--sync-batchnorm", "--r1-gamma", "0"]
        for name, flags in {"ddp": [], "ddp sync-batchnorm": sync}.items():
            out = str(Path(folder) / name.replace(" ", "_"))
            results[name] = _run([*torchrun, *flags, "--out", out], folder, timeout)
            _say(f"torchrun {name}", results[name])
    return results


def check_speed(timeout: float) -> dict:
    """The speed benchmark's CUDA configurations, two short rounds."""
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "speed.json")
        command = [sys.executable, str(ROOT / "benchmarks" / "speed.py"),
                   "--device", "cuda", "--rounds", "2", "--steps", "3",
                   "--warmup", "1", "--out", out]  # fmt: skip
        result = _run(command, ROOT, timeout)
        if result["ok"]:
            result["speed"] = json.loads(Path(out).read_text())
    _say("speed benchmark (CUDA)", result)
    return {"speed": result}


def _say(name: str, result: dict) -> None:
    verdict = "ok" if result["ok"] else "FAILED"
    print(f"{verdict:6s} {name} ({result['seconds']:.0f} s)", flush=True)
    if not result["ok"]:
        print("       " + result["error"].strip().splitlines()[-1][:200], flush=True)


def parse(argv):
    from dcgan_lib.arguments import ArgumentParser

    parser = ArgumentParser(
        prog="python benchmarks/gpu_check.py",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--skip", action="append", choices=PARTS, default=[],
        help="leave out a part (repeat for several)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=900,
        help="seconds one notebook or command may take (default 900)",
    )  # fmt: skip
    add_output_options(parser, "gpu_check", ".json")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    import torch

    if not torch.cuda.is_available():
        print(
            "gpu_check: no CUDA GPU here (torch.cuda.is_available() is False); "
            "nothing was checked",
            flush=True,
        )
        return NO_GPU
    import dcgan_lib as dl

    gpus = torch.cuda.device_count()
    bf16 = torch.cuda.is_bf16_supported()
    print(f"machine: {dl.describe_machine('cuda')}; {gpus} GPU(s)", flush=True)
    results = {}
    if "notebooks" not in args.skip:
        results["notebooks"] = check_notebooks(args.timeout)
    if "cli" not in args.skip:
        results["cli"] = check_cli(args.timeout, bf16)
    if "torchrun" not in args.skip and gpus >= 2:
        results["torchrun"] = check_torchrun(args.timeout)
    if "speed" not in args.skip:
        results["speed"] = check_speed(args.timeout)
    checks = [r for part in results.values() for r in part.values()]
    failed = sum(not r["ok"] for r in checks)
    out = output_path(args, "gpu_check", ".json")
    report = {
        "machine": dl.describe_machine("cuda"), "gpus": gpus, "bf16": bf16,
        "torch": torch.__version__, "python": platform.python_version(),
        "skipped": args.skip + ([] if gpus >= 2 else ["torchrun (one GPU)"]),
        "results": results,
    }  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    verdict = "all passed" if not failed else f"{failed} FAILED"
    print(f"gpu_check: {len(checks)} checks, {verdict}; report in {out}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
