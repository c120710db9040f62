"""How long does each notebook take in fast mode, the mode the test suite runs?

Every notebook runs top to bottom in a fresh kernel with DCGAN_FAST=1, as nbval
runs it in `pytest`; the wall time of each, and its slowest cells, are printed and
written as JSON: to a new file dcgan_lib/measurements/notebook_times-<UTC time>.json,
beside the last committed timing notebook_times.json (--book replaces that one, --out
writes elsewhere). The budget is 45 s a notebook on a 2-core CPU (CONTRIBUTING.md):
notebooks over it are named at the end, and the exit status is 1.

    python benchmarks/notebook_times.py                       # every notebook
    python benchmarks/notebook_times.py notebooks/en/06_training.ipynb
    python benchmarks/notebook_times.py --out times.json --budget 60

A benchmark, not a test: times depend on the machine (its CPU is printed with
them) and on whatever else it is doing; run it on a quiet machine.
"""

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from result_files import add_output_options, output_path  # noqa: E402


def run(path: Path) -> dict:
    """Execute one notebook in fast mode; its wall time and per-cell times."""
    import nbformat

    from dcgan_lib.notebooks import run_notebook

    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    run_notebook(
        notebook,
        path.parent,
        fast=True,  # as under pytest, whose conftest.py sets DCGAN_FAST=1
        env={"MPLBACKEND": os.environ.get("MPLBACKEND")},  # nbval's kernels keep it
        cell_timeout=600,
        record_timing=True,
    )
    seconds = time.perf_counter() - started
    cells = []
    for index, cell in enumerate(notebook.cells):
        timing = cell.metadata.get("execution", {})
        if cell.cell_type == "code" and "shell.execute_reply" in timing:
            begin = datetime.fromisoformat(timing["iopub.status.busy"])
            end = datetime.fromisoformat(timing["shell.execute_reply"])
            first_line = next(
                (line for line in cell.source.splitlines() if not line.startswith("#")),
                "",
            )
            cells.append(
                {
                    "cell": index,
                    "seconds": round((end - begin).total_seconds(), 2),
                    "first line": first_line[:80],
                }
            )
    cells.sort(key=lambda c: -c["seconds"])
    return {"seconds": round(seconds, 1), "slowest cells": cells[:3]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: all")
    parser.add_argument("--budget", type=float, default=45.0, help="seconds")
    add_output_options(parser, "notebook_times", ".json")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(ROOT.glob("notebooks/*/*.ipynb"))
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")

    import dcgan_lib as dl

    print(dl.describe_machine(), flush=True)
    results = {}
    for path in notebooks:
        name = path.resolve().relative_to(ROOT).as_posix()
        results[name] = run(path.resolve())
        slowest = results[name]["slowest cells"][0]
        print(
            f"{results[name]['seconds']:6.1f} s  {name}"
            f"   (slowest: cell {slowest['cell']}, {slowest['seconds']:.1f} s)",
            flush=True,
        )
    total = sum(r["seconds"] for r in results.values())
    over = [name for name, r in results.items() if r["seconds"] > args.budget]
    print(f"{total:6.1f} s  in all, {len(results)} notebooks")
    record = {
        "benchmark": "benchmarks/notebook_times.py",
        "machine": dl.describe_machine(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "budget_seconds": args.budget,
        "total_seconds": round(total, 1),
        "notebooks": results,
    }
    out = output_path(args, "notebook_times", ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out}")
    if over:
        print(f"over the {args.budget:g} s budget: {', '.join(over)}")
        return 1
    print(f"every notebook within the {args.budget:g} s budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
