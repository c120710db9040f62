"""Command line: ``python -m dcgan_lib {execute,student} ...`` (see --help).

Serves the book's maintainers and teachers; maps flags onto dcgan_lib functions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .notebooks import execute_notebook, find_notebooks, student_edition


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dcgan_lib", description="Tools for the DCGAN Book."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "execute",
        help="re-execute notebooks in place (full mode unless --fast)",
        description="Run each notebook top to bottom in a fresh kernel and save its "
        "outputs. A notebook that fails is left unchanged.",
    )
    run.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to run (default: every notebook in notebooks/)",
    )
    run.add_argument(
        "--fast",
        action="store_true",
        help="run in fast mode (DCGAN_FAST=1) instead of full mode",
    )
    run.add_argument(
        "--timeout",
        type=int,
        default=1800,
        help="seconds one cell may take (default: 1800)",
    )
    student = commands.add_parser(
        "student",
        help="write the student edition (solutions stubbed, outputs cleared)",
        description="Copy every notebook with its solution cells replaced by stubs "
        "and all outputs cleared; the auto-check cells still run.",
    )
    student.add_argument(
        "--out",
        type=Path,
        default=Path("student"),
        help="folder to write into (default: student/)",
    )
    student.add_argument(
        "--force",
        action="store_true",
        help="replace the folder if it already holds files",
    )
    return parser


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    notebooks = find_notebooks()
    if args.command == "execute":
        chosen = args.notebooks or notebooks
        missing = [str(p) for p in chosen if not p.is_file()]
        if missing or not chosen:
            parser.error(
                f"no such notebook: {', '.join(missing) or 'notebooks/*/*.ipynb'}"
            )
        for path in chosen:
            print(
                f"executing {path} ({'fast' if args.fast else 'full'} mode) ...",
                flush=True,
            )
            try:
                execute_notebook(path, fast=args.fast, timeout=args.timeout)
            except Exception as error:  # noqa: BLE001 - report and stop, file untouched
                print(
                    f"error: {path} failed and was left unchanged:\n{error}",
                    file=sys.stderr,
                )
                return 1
        return 0
    if not notebooks:
        parser.error(
            "no notebooks found under notebooks/ko and notebooks/en; "
            "run this from the book's root folder"
        )
    try:
        written = student_edition(notebooks, args.out, force=args.force)
    except FileExistsError as error:
        parser.error(str(error))
    print(f"wrote {len(written)} notebooks to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
