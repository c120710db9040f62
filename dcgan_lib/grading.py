"""Grade a class: run the students' notebooks and tabulate each exercise's verdict.

Serves ``python -m dcgan_lib grade`` (dcgan_lib/__main__.py) and the page for
teachers (book/{en,ko}/for_teachers.md).

Each submission runs top to bottom in a fresh kernel of its own, in fast mode and
with ``exercises.RECORD_VERDICTS`` set, so that every check cell also publishes its
verdict as data (``exercises.VERDICT_MIME``); the verdicts are read back from the
executed copy. A notebook's chapter is read from its source, from the exercise ids
its check cells name, never from outputs a student could have edited.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .exercises import CHECKS, RECORD_VERDICTS, VERDICT_MIME, VERDICT_WORDS
from .notebooks import run_notebook, save_notebook

__all__ = [
    "WARNING",
    "VERDICTS",
    "Submission",
    "Result",
    "find_submissions",
    "read_submission",
    "choose_chapter",
    "output_paths",
    "grade",
    "exercise_counts",
    "format_counts",
    "write_tables",
]

WARNING = """\
WARNING: grading runs each student's code with your permissions. A notebook can read,
change or delete any file you can, and use the network. Grade in a throwaway
environment with nothing in it you would miss, such as a fresh Colab runtime or a
container (see "Grading a class" / "반 전체 채점하기" on the page for teachers)."""
NO_VERDICT = "no verdict"  # the check cell did not run to its end
VERDICTS = (*VERDICT_WORDS.values(), NO_VERDICT)  # right, wrong, unanswered, ...

# exercises.check("03.1", ...) as a check cell calls it: the chapter and the number
_CHECK_CALL = re.compile(r"""\bcheck\(\s*(['"])(\d\d)\.\d+\1""")


@dataclass
class Submission:
    """One submitted file: its path as given, and what it holds."""

    path: Path
    notebook: nbformat.NotebookNode | None  # None: not a notebook
    problem: str = ""  # why it is not a notebook
    chapter: str | None = None  # the chapter most of its check cells belong to


@dataclass
class Result:
    """One row of the score table."""

    notebook: str  # the path as given
    status: str
    verdicts: dict | None  # exercise id -> one of VERDICTS; None: not run
    seconds: float = 0.0


def find_submissions(paths) -> list[Path]:
    """The notebooks to grade: each file as given, and each folder's ``*.ipynb``
    files, sorted (not its subfolders; hidden files such as ``._name.ipynb`` are
    skipped). The same file given twice counts once.

    Raises: FileNotFoundError for a path that does not exist, ValueError for a
    folder without notebooks or for no paths at all.
    """
    found, seen = [], set()
    for path in map(Path, paths):
        if not path.exists():
            raise FileNotFoundError(f"no such file or folder: {path}")
        if path.is_dir():
            inside = sorted(
                p
                for p in path.glob("*.ipynb")
                if p.is_file() and not p.name.startswith(".")
            )
            if not inside:
                raise ValueError(
                    f"{path} holds no .ipynb files (its subfolders are not "
                    f"searched: list them, e.g. {path / '*' / '*.ipynb'})"
                )
        else:
            inside = [path]
        for notebook in inside:
            if notebook.resolve() not in seen:
                seen.add(notebook.resolve())
                found.append(notebook)
    if not found:
        raise ValueError("no submissions: give notebook files or folders of them")
    return found


def read_submission(path) -> Submission:
    """Read ``path`` without running it: the notebook and its chapter, or why it
    is not a notebook. Never raises for a file's content."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return Submission(path, None, "not a notebook: not UTF-8 text")
    except OSError as error:
        return Submission(path, None, f"not a notebook: cannot read it ({error})")
    if not text.strip():
        return Submission(path, None, "not a notebook: the file is empty")
    try:
        json.loads(text)
    except ValueError as error:
        return Submission(path, None, f"not a notebook: not JSON ({error})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. cell ids added to an old file
            notebook = nbformat.convert(nbformat.reader.reads(text), 4)
            nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 - any failure means "not a notebook"
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        why = f"{type(error).__name__}: {first_line}".rstrip(": ")
        return Submission(path, None, f"not a notebook: {why}")
    chapters = Counter(
        match[1]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for match in _CHECK_CALL.findall(cell.source)
    )
    chapter = chapters.most_common(1)[0][0] if chapters else None
    return Submission(path, notebook, chapter=chapter)


def _chapters() -> list[str]:
    return sorted({exercise.split(".")[0] for exercise in CHECKS})


def choose_chapter(submissions, chapter: str | None = None) -> tuple[str, int]:
    """The chapter to grade: ``chapter`` ("3" or "03") if given, else the one most
    submissions belong to. Returns: the chapter ("03") and how many submissions
    belong to it.

    Raises: ValueError for a chapter without exercises, or when the submissions
    do not settle it (none has check cells, or two chapters tie).
    """
    counts = Counter(s.chapter for s in submissions if s.chapter)
    if chapter is not None:
        given = chapter.strip()
        chapter = f"{int(given):02d}" if given.isdigit() else given
        if chapter not in _chapters():
            raise ValueError(
                f"chapter {given!r} has no exercises; the chapters with exercises "
                f"are {', '.join(_chapters())}"
            )
        return chapter, counts[chapter]
    ranked = counts.most_common()
    if ranked and ranked[0][0] not in _chapters():
        raise ValueError(
            f"most submissions check exercises of chapter {ranked[0][0]}, which has "
            f"no exercises in this version of dcgan_lib (chapters with exercises: "
            f"{', '.join(_chapters())}); update dcgan_lib or name one with --chapter"
        )
    if not ranked:
        raise ValueError(
            "no submission is a notebook with exercise checks, so the chapter is "
            "unknown; name it with --chapter"
        )
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        tied = sorted(c for c, n in ranked if n == ranked[0][1])
        raise ValueError(
            f"as many submissions belong to chapter {tied[0]} as to chapter "
            f"{tied[1]}; choose one with --chapter"
        )
    return ranked[0]


def output_paths(out, executed=None) -> tuple[Path, Path, Path]:
    """Where the tables and the executed copies go: ``out`` (a .csv file), the
    per-exercise table beside it (grades.csv -> grades_by_exercise.csv), and
    ``executed`` (default: grades.csv -> grades_executed/)."""
    out = Path(out)
    if out.suffix.lower() != ".csv" or out.is_dir():
        raise ValueError(f"--out: expected a file name ending in .csv, got {out}")
    by_exercise = out.with_name(f"{out.stem}_by_exercise.csv")
    executed = Path(executed) if executed else out.with_name(f"{out.stem}_executed")
    return out, by_exercise, executed


def _check_outputs(tables, executed: Path, submissions, force: bool) -> None:
    """Refuse to replace what exists without ``force``, and always refuse an
    executed folder that --force would empty of something that must stay."""
    if executed.exists() and not executed.is_dir():
        raise ValueError(f"--executed: {executed} is a file, not a folder")
    keep = [s.path.resolve() for s in submissions]
    keep += [t.resolve() for t in tables] + [Path.cwd()]
    folder = executed.resolve()
    inside = [p for p in keep if p == folder or folder in p.parents]
    if inside:
        raise ValueError(
            f"--executed {executed} holds {inside[0]}, which must not be deleted or "
            "overwritten; choose a new folder for the executed copies"
        )
    if force:
        return
    for table in tables:
        if table.exists():
            raise FileExistsError(
                f"{table} already exists; choose another --out or pass --force to "
                "replace it"
            )
    if executed.exists() and any(executed.iterdir()):
        raise FileExistsError(
            f"{executed} already exists and is not empty; choose another --executed "
            "or pass --force to replace it"
        )


def _copy_paths(submissions, executed: Path) -> list[Path]:
    """Each submission's executed copy: its path relative to the folder all the
    submissions share, under ``executed`` (two students' "03.ipynb" in their own
    folders stay apart)."""
    paths = [s.path.resolve() for s in submissions]
    common = Path(os.path.commonpath([p.parent for p in paths]))
    return [executed / p.relative_to(common) for p in paths]


def _errors(notebook) -> str:
    """How many code cells ended in an error, and the first one's error and
    execution count: "errors in 2 cells (first: NameError in cell [12])", or ""."""
    failed = [
        (cell.execution_count, output.get("ename", "an error"))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    if not failed:
        return ""
    count, name = failed[0]
    cells = f"{len(failed)} cell{'s' if len(failed) > 1 else ''}"
    return f"errors in {cells} (first: {name} in cell [{count}])"


def _verdicts(notebook, exercises) -> dict:
    """The last verdict each exercise's check published; NO_VERDICT for none."""
    found = dict.fromkeys(exercises, NO_VERDICT)
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            record = output.get("data", {}).get(VERDICT_MIME)
            if (
                isinstance(record, dict)
                and record.get("exercise") in found
                and record.get("verdict") in VERDICT_WORDS.values()
            ):
                found[record["exercise"]] = record["verdict"]
    return found


def _execute(notebook, timeout: float, cwd: str) -> str | None:
    """Run ``notebook`` in place in a fresh kernel started in ``cwd``, in fast mode
    and publishing verdicts, going on past errors, for at most ``timeout`` seconds
    in all (``notebooks.run_notebook``).

    Returns: None if it ran to the end, "timed out" if the time ran out, else what
    stopped it (e.g. the kernel died). Raises: KeyboardInterrupt on Ctrl-C.
    """
    try:
        run_notebook(
            notebook,
            cwd,
            fast=True,
            env={RECORD_VERDICTS: "1"},
            time_limit=timeout,  # cells have none: the limit is the notebook's
            allow_errors=True,  # a student's error must not cost the later exercises
        )
    except TimeoutError:
        return "timed out"
    except Exception as error:  # noqa: BLE001 - the status names it
        first_line = (str(error).strip().splitlines() or [""])[0]
        return f"{type(error).__name__}: {first_line}".rstrip(": ")
    return None


def _run(submission: Submission, exercises, copy: Path, timeout: float) -> Result:
    """Execute one submission, write its executed copy, and read its verdicts."""
    notebook = submission.notebook
    for cell in notebook.cells:
        if cell.cell_type == "code":  # no stale output may count as a verdict
            cell.outputs, cell.execution_count = [], None
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="dcgan-grade-")  # files it writes stay apart
    try:
        stopped = _execute(notebook, timeout, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    seconds = time.monotonic() - started
    notebook.metadata["dcgan_book"] = {"mode": "fast"}
    copy.parent.mkdir(parents=True, exist_ok=True)
    save_notebook(notebook, copy)
    if stopped == "timed out":
        status = f"timed out after {timeout:g} s"
    elif stopped:
        status = f"stopped: {stopped}"
    else:
        status = _errors(notebook) or "graded"
    return Result(str(submission.path), status, _verdicts(notebook, exercises), seconds)


def grade(
    paths,
    out="grades.csv",
    executed=None,
    chapter: str | None = None,
    timeout: float = 300,
    force: bool = False,
) -> list[Result]:
    """Grade the notebooks in ``paths`` (files and folders, see
    ``find_submissions``), write the two tables (``write_tables``) and print the
    progress and the per-exercise table.

    Every notebook of the chapter runs in fast mode in a fresh kernel, from an
    empty temporary folder, for at most ``timeout`` seconds; its executed copy,
    with whatever outputs it got, goes to ``executed`` (default: beside ``out``,
    grades.csv -> grades_executed/). Submissions are only read. ``chapter``:
    default, the one most submissions belong to. Existing tables and a non-empty
    ``executed`` folder are replaced only with ``force``. Once the input is
    checked, it warns on stderr that students' code runs with your permissions.

    Returns: one Result per submission, in order. Raises: FileNotFoundError,
    FileExistsError or ValueError, before anything runs or is written.
    """
    submissions = [read_submission(p) for p in find_submissions(paths)]
    out, by_exercise, executed = output_paths(out, executed)
    _check_outputs((out, by_exercise), executed, submissions, force)
    given = chapter is not None
    chapter, belong = choose_chapter(submissions, chapter)
    exercises = [e for e in CHECKS if e.startswith(f"{chapter}.")]
    print(WARNING, file=sys.stderr, flush=True)  # before any student's code runs
    why = "as asked" if given else "--chapter chooses another"
    print(
        f"grading chapter {chapter}, exercises {exercises[0]}-{exercises[-1]}: the "
        f"chapter of {belong} of the {len(submissions)} submissions ({why})",
        flush=True,
    )
    if executed.exists():
        shutil.rmtree(executed)  # allowed above: --force, or an empty folder
    executed.mkdir(parents=True)
    results = []
    copies = _copy_paths(submissions, executed)
    for number, (submission, copy) in enumerate(zip(submissions, copies), 1):
        print(f"[{number}/{len(submissions)}] {submission.path}: ", end="", flush=True)
        if submission.notebook is None:
            result = Result(str(submission.path), submission.problem, None)
        elif submission.chapter is None:
            status = "no exercise checks in it: not run"
            result = Result(str(submission.path), status, None)
        elif submission.chapter != chapter:
            status = f"chapter {submission.chapter}, not {chapter}: not run"
            result = Result(str(submission.path), status, None)
        else:
            result = _run(submission, exercises, copy, timeout)
        results.append(result)
        if result.verdicts is None:
            print(result.status, flush=True)
        else:
            right = list(result.verdicts.values()).count("right")
            print(
                f"{result.status}, {right} of {len(exercises)} right "
                f"({result.seconds:.0f} s)",
                flush=True,
            )
    write_tables(results, exercises, out)
    ran = sum(r.verdicts is not None for r in results)
    print(f"\nPer exercise, over the {ran} notebook{'s' if ran != 1 else ''} that ran:")
    print(format_counts(exercise_counts(results, exercises)))
    print(f"\nwrote {out} (a row per notebook) and {by_exercise} (the table above)")
    print(f"executed copies: {executed}/")
    return results


def exercise_counts(results, exercises) -> dict:
    """For each exercise, how many notebooks that ran got each verdict."""
    counts = {exercise: dict.fromkeys(VERDICTS, 0) for exercise in exercises}
    for result in results:
        for exercise, verdict in (result.verdicts or {}).items():
            counts[exercise][verdict] += 1
    return counts


def format_counts(counts) -> str:
    """The per-exercise counts as a plain-text table."""
    header = ["exercise", *VERDICTS]
    rows = [[e, *map(str, c.values())] for e, c in counts.items()]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths))
        )
        for row in [header, *rows]
    )


def write_tables(results, exercises, out) -> Path:
    """Write the score table to ``out``: one row per notebook (its path, status,
    each exercise's verdict, the number right, out of how many; the verdicts and
    the total are empty for a notebook that did not run), and the per-exercise
    counts beside it. UTF-8 with a byte order mark, so that Excel, too, reads
    names in Korean. Returns: the per-exercise table's path."""
    out, by_exercise, _ = output_paths(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8-sig") as file:
        table = csv.writer(file)
        table.writerow(["notebook", "status", *exercises, "total", "out of"])
        for r in results:
            verdicts = [r.verdicts[e] if r.verdicts else "" for e in exercises]
            total = list(r.verdicts.values()).count("right") if r.verdicts else ""
            table.writerow([r.notebook, r.status, *verdicts, total, len(exercises)])
    with open(by_exercise, "w", newline="", encoding="utf-8-sig") as file:
        table = csv.writer(file)
        table.writerow(["exercise", *VERDICTS])
        for exercise, count in exercise_counts(results, exercises).items():
            table.writerow([exercise, *count.values()])
    return by_exercise
