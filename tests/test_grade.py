"""Grading a class (`python -m dcgan_lib grade`), as a teacher runs it.

A class of chapter 02, the quickest chapter with exercises in fast mode
(benchmarks/notebook_times.py), is made from the student edition: all right, all
wrong (the Korean edition), unanswered, an error halfway, a corrupt file, an empty
notebook, a notebook of chapter 03, and one that runs past the time limit. Two real
`grade` runs, side by side, grade them all.
"""

import codecs
import csv
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import exit_code_of_main

from dcgan_lib import exercises
from dcgan_lib.grading import format_counts
from dcgan_lib.notebooks import STUB_HEADER, execute_notebook, student_edition

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_02 = "02_dcgan_architecture.ipynb"
EXERCISES = ["02.1", "02.2", "02.3", "02.4", "02.5"]

# Plausible wrong answers, as source, from chapter 02's case table
# (tests/exercise_cases/ch02.py)
WRONG = {
    "02.1": "answer_02_1 = (4, 3)  # the 64x64 networks' counts",
    "02.2": "answer_02_2 = 11_032_576  # BatchNorm forgotten",
    "02.3": "answer_02_3 = (1, 2, 3, 4)",
    "02.4": "G32 = nn.Sequential(nn.ConvTranspose2d(100, 1, 32), nn.Tanh())  # at once",
    "02.5": "answer_02_5 = 0.25  # the 2x2 window's weight",
}
# A student's bug: a misspelt keyword, so G32 is never defined
BROKEN_02_4 = "G32 = nn.Sequential(nn.ConvTranspose2d(100, 256, 4, 1, 0, bais=False))"


def _exercise_of(cells, index):
    """The exercise id the first check call after code cell ``index`` names."""
    for cell in cells[index + 1 :]:
        found = re.search(r"check\(\"(\d\d\.\d+)\"", cell.source)
        if cell.cell_type == "code" and found:
            return found[1]
    raise AssertionError(f"no check after cell {index}")


def _filled(student: Path, answers=None) -> nbformat.NotebookNode:
    """The student edition with every stub answered: by the book's own solution
    (its cells tagged "solution", in order) or by ``answers[exercise]``."""
    notebook = nbformat.read(student, as_version=4)
    book = nbformat.read(ROOT / "notebooks" / student.parent.name / student.name, 4)
    solutions = iter(
        c.source for c in book.cells if "solution" in c.metadata.get("tags", [])
    )
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and cell.source.startswith(STUB_HEADER):
            solution = next(solutions)
            if answers is not None:
                solution = answers[_exercise_of(notebook.cells, index)]
            cell.source = solution
    assert next(solutions, None) is None  # every solution found its stub
    return notebook


def _snapshot(folder: Path) -> dict:
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())
    }


def _read_csv(path: Path) -> list:
    with open(path, newline="", encoding="utf-8-sig") as file:
        return list(csv.reader(file))


def _grade(*args, cwd):
    return subprocess.Popen(
        [sys.executable, "-m", "dcgan_lib", "grade", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class, graded: the folder, what the runs printed, the submissions'
    bytes and times before."""
    root = tmp_path_factory.mktemp("grading")
    student = root / "student"
    student_edition(
        [ROOT / "notebooks" / lang / CHAPTER_02 for lang in ("en", "ko")]
        + [ROOT / "notebooks" / "en" / "03_shape_math.ipynb"],
        student,
    )
    en, ko = student / "en" / CHAPTER_02, student / "ko" / CHAPTER_02
    klass, slow = root / "class", root / "slow"
    klass.mkdir()
    slow.mkdir()
    nbformat.write(_filled(en), klass / "a_right.ipynb")
    nbformat.write(_filled(ko, WRONG), klass / "b_wrong.ipynb")  # the Korean edition
    (klass / "c_unanswered.ipynb").write_bytes(en.read_bytes())

    broken = _filled(en)
    middle = len(broken.cells) // 2
    broken.cells.insert(
        middle, nbformat.v4.new_code_cell("raise RuntimeError('my experiment broke')")
    )
    for cell in broken.cells:
        if cell.source.startswith("G32 = nn.Sequential("):
            cell.source = BROKEN_02_4
    nbformat.write(broken, klass / "d_error_halfway.ipynb")

    (klass / "e_corrupt.ipynb").write_text("this is not a notebook")
    (klass / "e_upload_failed.ipynb").write_bytes(b"")
    nbformat.write(nbformat.v4.new_notebook(), klass / "f_empty.ipynb")
    (klass / "g_chapter_03.ipynb").write_bytes(
        (student / "en" / "03_shape_math.ipynb").read_bytes()
    )
    (klass / "._a_right.ipynb").write_bytes(b"\x00\x05\x16\x07")  # a Mac's leftover

    sleepy = _filled(en)
    sleepy.cells.insert(
        2, nbformat.v4.new_code_cell("import time\nprint('thinking')\ntime.sleep(600)")
    )
    # a verdict saved in the file must not count: the check cell never runs
    forged = {"exercise": "02.1", "verdict": "right"}
    check = next(c for c in sleepy.cells if 'check("02.1"' in c.source)
    check.outputs = [
        nbformat.v4.new_output("display_data", {exercises.VERDICT_MIME: forged})
    ]
    nbformat.write(sleepy, slow / "h_timeout.ipynb")

    before = {"class": _snapshot(klass), "slow": _snapshot(slow)}
    # the sleeping kernel waits while the class runs
    timing_out = _grade("slow", "--out", "slow.csv", "--timeout", "10", cwd=root)
    whole = _grade("class", "--out", "grades.csv", cwd=root)
    outputs = {"class": whole.communicate(timeout=600)}
    outputs["slow"] = timing_out.communicate(timeout=600)
    assert whole.returncode == 0, outputs["class"]
    assert timing_out.returncode == 0, outputs["slow"]
    return root, outputs, before


def test_the_score_table(graded):
    root, _, _ = graded
    copy = nbformat.read(root / "grades_executed" / "d_error_halfway.ipynb", 4)
    code = [c for c in copy.cells if c.cell_type == "code"]
    (raised,) = [n for n, c in enumerate(code, 1) if "my experiment" in c.source]
    assert code[raised - 1].execution_count == raised  # the number Jupyter shows
    right, wrong, unanswered = ["right"] * 5, ["wrong"] * 5, ["unanswered"] * 5
    assert _read_csv(root / "grades.csv") == [
        ["notebook", "status", *EXERCISES, "total", "out of"],
        ["class/a_right.ipynb", "graded", *right, "5", "5"],
        ["class/b_wrong.ipynb", "graded", *wrong, "0", "5"],
        ["class/c_unanswered.ipynb", "graded", *unanswered, "0", "5"],
        # the raising cell breaks nothing later; 02.4's broken solution leaves its
        # check a NameError: the solution cell, the check and the raise itself
        [
            "class/d_error_halfway.ipynb",
            f"errors in 3 cells (first: RuntimeError in cell [{raised}])",
            *["right", "right", "right", "no verdict", "right"],
            "4",
            "5",
        ],
        [
            "class/e_corrupt.ipynb",
            "not a notebook: not JSON (Expecting value: line 1 column 1 (char 0))",
            *[""] * 5,
            "",
            "5",
        ],
        ["class/e_upload_failed.ipynb", "not a notebook: the file is empty"]
        + ["", "", "", "", "", "", "5"],
        ["class/f_empty.ipynb", "no exercise checks in it: not run", *[""] * 6, "5"],
        ["class/g_chapter_03.ipynb", "chapter 03, not 02: not run", *[""] * 6, "5"],
    ]
    assert (root / "grades.csv").read_bytes().startswith(codecs.BOM_UTF8)  # for Excel
    assert _read_csv(root / "grades_by_exercise.csv") == [
        ["exercise", "right", "wrong", "unanswered", "no verdict"],
        ["02.1", "2", "1", "1", "0"],
        ["02.2", "2", "1", "1", "0"],
        ["02.3", "2", "1", "1", "0"],
        ["02.4", "1", "1", "1", "1"],
        ["02.5", "2", "1", "1", "0"],
    ]


def test_a_notebook_that_runs_too_long_is_cut_off_and_keeps_its_outputs(graded):
    root, _, _ = graded
    assert _read_csv(root / "slow.csv")[1] == [
        "slow/h_timeout.ipynb",
        "timed out after 10 s",
        *["no verdict"] * 5,
        "0",
        "5",
    ]
    copy = nbformat.read(root / "slow_executed" / "h_timeout.ipynb", as_version=4)
    assert copy.cells[2].outputs[0]["text"] == "thinking\n"
    assert all(not cell.get("outputs") for cell in copy.cells[3:])


def test_what_the_teacher_sees(graded):
    root, outputs, _ = graded
    stdout, stderr = outputs["class"]
    said = " ".join(stderr.split())  # the warning, first, whatever its line breaks
    assert said.startswith("WARNING: grading runs each student's code with your ")
    assert "Grade in a throwaway environment" in said and said.endswith("teachers).")
    assert stdout.startswith(
        "grading chapter 02, exercises 02.1-02.5: the chapter of 4 of the 8 "
        "submissions (--chapter chooses another)\n[1/8] class/a_right.ipynb: graded, "
        "5 of 5 right ("
    )
    assert "[8/8] class/g_chapter_03.ipynb: chapter 03, not 02: not run\n" in stdout
    counts = {
        row[0]: dict(zip(["right", "wrong", "unanswered", "no verdict"], row[1:]))
        for row in _read_csv(root / "grades_by_exercise.csv")[1:]
    }
    table = format_counts(
        {e: {k: int(v) for k, v in c.items()} for e, c in counts.items()}
    )
    assert table in stdout  # the per-exercise table, printed as written
    assert table.splitlines()[4].split() == ["02.4", "1", "1", "1", "1"]


def test_the_executed_copies_hold_the_published_verdicts(graded):
    root, _, _ = graded
    copies = root / "grades_executed"
    assert sorted(p.name for p in copies.iterdir()) == [
        "a_right.ipynb",
        "b_wrong.ipynb",
        "c_unanswered.ipynb",
        "d_error_halfway.ipynb",
    ]
    copy = nbformat.read(copies / "b_wrong.ipynb", as_version=4)
    published = [
        o["data"][exercises.VERDICT_MIME]
        for cell in copy.cells
        for o in cell.get("outputs", [])
        if o.get("output_type") == "display_data"
        and exercises.VERDICT_MIME in o["data"]
    ]
    assert published == [{"exercise": e, "verdict": "wrong"} for e in EXERCISES]
    assert copy.metadata["dcgan_book"] == {"mode": "fast"}


def test_the_submissions_are_left_as_they_were(graded):
    root, _, before = graded
    assert _snapshot(root / "class") == before["class"]
    assert _snapshot(root / "slow") == before["slow"]


def test_nothing_is_replaced_without_force(graded, tmp_path, monkeypatch, capsys):
    root, _, _ = graded
    monkeypatch.chdir(root)
    table = (root / "grades.csv").read_bytes()
    assert exit_code_of_main(("grade", "class", "--out", "grades.csv")) == 2
    assert "grades.csv already exists" in capsys.readouterr().err
    assert (root / "grades.csv").read_bytes() == table
    # a new table, but the executed copies' folder is taken
    args = ("grade", "class", "--out", "new.csv", "--executed", "grades_executed")
    assert exit_code_of_main(args) == 2
    assert "grades_executed already exists and is not empty" in capsys.readouterr().err
    assert not (root / "new.csv").exists()

    # --force replaces both; here with notebooks that do not run, so it is quick
    out = tmp_path / "grades.csv"
    out.write_text("last year's table")
    (tmp_path / "grades_executed").mkdir()
    (tmp_path / "grades_executed" / "old.ipynb").write_text("{}")
    only = ("class/e_corrupt.ipynb", "class/g_chapter_03.ipynb", "--chapter", "2")
    assert exit_code_of_main(("grade", *only, "--out", str(out))) == 2
    assert exit_code_of_main(("grade", *only, "--out", str(out), "--force")) == 0
    assert [row[1] for row in _read_csv(out)[1:]] == [
        "not a notebook: not JSON (Expecting value: line 1 column 1 (char 0))",
        "chapter 03, not 02: not run",
    ]
    assert list((tmp_path / "grades_executed").iterdir()) == []


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "the following arguments are required: submissions"),
        (("nowhere",), "no such file or folder: nowhere"),
        (("empty",), "empty holds no .ipynb files"),
        (("class", "--chapter", "12"), "chapter '12' has no exercises"),
        (("class", "--out", "grades"), "expected a file name ending in .csv"),
        # --force empties the folder: never one that holds a submission
        (("class", "--executed", ".", "--force"), "which must not be deleted"),
        (("class/e_corrupt.ipynb",), "the chapter is unknown; name it with --chapter"),
    ],
)
def test_bad_input_is_one_clear_line(graded, monkeypatch, capsys, args, message):
    root, _, _ = graded
    monkeypatch.chdir(root)
    (root / "empty").mkdir(exist_ok=True)
    out = () if "--out" in args else ("--out", "other.csv")
    assert exit_code_of_main(("grade", *args, *out)) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1  # no warning yet
    assert not (root / "other.csv").exists()


def test_check_publishes_its_verdict_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.delenv(exercises.RECORD_VERDICTS, raising=False)
    three = 'for answer in (14, 13, ...):\n    exercises.check("03.2", answer)'
    cells = [
        "import os\nfrom dcgan_lib import exercises",
        three,  # not set: as every reader and the committed notebooks run
        f'os.environ["{exercises.RECORD_VERDICTS}"] = "0"\n{three}',
        f'os.environ["{exercises.RECORD_VERDICTS}"] = "1"\n{three}',
    ]
    path = tmp_path / "checks.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, path)
    execute_notebook(path)
    ran = nbformat.read(path, as_version=4).cells
    for cell in ran[1:]:
        printed = "".join(
            o["text"] for o in cell.outputs if o["output_type"] == "stream"
        )
        assert printed.count("[03.2]") == 3  # the printed verdicts never change
        assert "Correct" in printed and "Not yet" in printed and "No answer" in printed
    for cell in ran[1:3]:
        assert {o["output_type"] for o in cell.outputs} == {"stream"}
    published = [o["data"] for o in ran[3].outputs if o["output_type"] != "stream"]
    assert published == [
        {exercises.VERDICT_MIME: {"exercise": "03.2", "verdict": verdict}}
        for verdict in ("right", "wrong", "unanswered")
    ]


def test_outside_a_kernel_check_only_prints(monkeypatch, capsys):
    monkeypatch.delenv(exercises.RECORD_VERDICTS, raising=False)
    exercises.check("03.2", 14)
    plain = capsys.readouterr()
    monkeypatch.setenv(exercises.RECORD_VERDICTS, "1")
    exercises.check("03.2", 14)
    assert capsys.readouterr() == plain
    assert plain.out.startswith("[03.2] ✅")


def test_a_chapter_without_exercises_is_a_clear_error(tmp_path):
    """Most submissions name exercises of a chapter this dcgan_lib does not know
    (a newer book): a message that says so, not a crash."""
    from dcgan_lib.grading import Submission, choose_chapter

    subs = [Submission(tmp_path / f"{k}.ipynb", None, chapter="42") for k in "ab"]
    with pytest.raises(ValueError, match="chapter 42, which has no exercises"):
        choose_chapter(subs)
