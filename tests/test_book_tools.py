"""The student edition and the execute command, as teachers and maintainers use them."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import exit_code_of_main, run_one_cell

from dcgan_lib.notebooks import (
    execute_notebook,
    find_notebooks,
    solution_stub,
    student_edition,
)

ROOT = Path(__file__).resolve().parents[1]


def test_solution_stub_keeps_every_answer_name():
    source = (
        "kernel, stride = 4, 2\n"
        "padding = 1\n"
        "answer_03_1 = (kernel, stride, padding)\n"
        "D128 = nn.Sequential(\n    nn.Conv2d(3, 8, 4, 2, 1),\n)\n"
        "def helper(x):\n    return x\n"
    )
    stub = solution_stub(source)
    assert stub.splitlines()[0].startswith("#")
    assert stub.splitlines()[1:] == [
        "kernel = ...",
        "stride = ...",
        "padding = ...",
        "answer_03_1 = ...",
        "D128 = ...",
        "helper = ...",
    ]


def _tiny_notebook(path, solution="answer = 14", fail=False):
    cells = [
        nbformat.v4.new_code_cell("x = 1 + 1\nprint(x)"),
        nbformat.v4.new_code_cell(
            solution, metadata={"tags": ["solution", "hide-cell"]}
        ),
        nbformat.v4.new_code_cell(
            "from dcgan_lib import exercises\nexercises.check('03.2', answer)"
        ),
    ]
    if fail:
        cells.append(nbformat.v4.new_code_cell("raise RuntimeError('boom')"))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


def test_execute_then_student_edition_round_trip(tmp_path):
    (tmp_path / "ko").mkdir()
    source = _tiny_notebook(tmp_path / "ko" / "01_demo.ipynb")
    execute_notebook(source)
    executed = nbformat.read(source, as_version=4)
    assert [c.execution_count for c in executed.cells] == [1, 2, 3]
    assert "Correct" in executed.cells[2].outputs[0]["text"]

    out = tmp_path / "student"
    (written,) = student_edition([source], out)
    assert written == out / "ko" / "01_demo.ipynb"
    student = nbformat.read(written, as_version=4)
    assert student.cells[1].source.endswith("answer = ...\n")
    assert "solution" not in student.cells[1].metadata["tags"]
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells)

    execute_notebook(written)  # the student edition runs: checks say "no answer yet"
    ran = nbformat.read(written, as_version=4)
    assert "No answer yet" in ran.cells[2].outputs[0]["text"]


def test_student_edition_never_overwrites_without_force(tmp_path):
    source = _tiny_notebook(tmp_path / "demo.ipynb")
    out = tmp_path / "student"
    out.mkdir()
    (out / "my_notes.txt").write_text("a teacher's own file")
    with pytest.raises(FileExistsError, match="--force"):
        student_edition([source], out)
    assert (out / "my_notes.txt").read_text() == "a teacher's own file"
    student_edition([source], out, force=True)
    assert not (out / "my_notes.txt").exists()


def test_a_failing_notebook_is_left_unchanged(tmp_path):
    path = _tiny_notebook(tmp_path / "broken.ipynb", fail=True)
    before = path.read_bytes()
    with pytest.raises(Exception, match="boom"):
        execute_notebook(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["broken.ipynb"]  # no temp file


def test_execute_marks_the_mode_it_ran_in_and_keeps_permissions(tmp_path):
    path = _tiny_notebook(tmp_path / "demo.ipynb")
    path.chmod(0o664)
    execute_notebook(path, fast=True)
    assert path.stat().st_mode & 0o777 == 0o664
    assert json.loads(path.read_text())["metadata"]["dcgan_book"] == {"mode": "fast"}


def _cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "dcgan_lib", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_student_edition_and_refusal(tmp_path):
    out = tmp_path / "class"
    result = _cli("student", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("*/*.ipynb"))) == len(find_notebooks(ROOT))
    again = _cli("student", "--out", str(out))
    assert again.returncode == 2
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert "Traceback" not in again.stderr


def test_cli_bad_input_is_one_clear_line(monkeypatch, capsys):
    missing = _cli("execute", "notebooks/en/99_nothing.ipynb")  # a real process
    assert missing.returncode == 2 and "no such notebook" in missing.stderr
    assert "Traceback" not in missing.stderr
    # the rest through the same main() in this process: a new one costs seconds
    monkeypatch.chdir(ROOT)
    for args, code in ((["paint"], 2), (["execute", "--help"], 0)):
        assert exit_code_of_main(args) == code, args
    captured = capsys.readouterr()
    assert "invalid choice" in captured.err
    assert "--fast" in captured.out and "left unchanged" in captured.out


def test_the_student_edition_of_every_chapter_runs(tmp_path):
    # The two editions run the same code (test_conventions.py), so one suffices.
    # Before its exercises a student notebook runs the teacher's code cell for cell
    # (checked here), which nbval runs anyway; so we run its set-up cells and then
    # every cell from the first exercise on, where the two editions differ. All
    # chapters run in one kernel, one after the other (a kernel takes seconds to
    # start); each chapter's exercises run right after its own set-up cells.
    chapters = [p for p in find_notebooks(ROOT) if p.parent.name == "en"]
    combined = nbformat.v4.new_notebook()
    for teacher, path in zip(chapters, student_edition(chapters, tmp_path / "student")):
        cells = nbformat.read(path, as_version=4).cells
        original = nbformat.read(teacher, as_version=4).cells
        start = next(
            i
            for i, c in enumerate(original)
            if "solution" in c.metadata.get("tags", [])
        )
        start -= 1  # the first exercise's question
        assert len(cells) == len(original), path
        assert [c.source for c in cells[:start] if c.cell_type == "code"] == [
            c.source for c in original[:start] if c.cell_type == "code"
        ], path
        setup = [c for c in cells[:start] if c.cell_type == "code"][:2]
        assert "import dcgan_lib as dl" in setup[1].source, path
        assert any("exercises.check(" in c.source for c in cells[start:]), path
        combined.cells += setup + cells[start:]
    for i, cell in enumerate(combined.cells):
        cell["id"] = f"cell-{i}"  # the chapters' own ids repeat across chapters
    path = tmp_path / "every_chapter.ipynb"
    nbformat.write(combined, path)
    execute_notebook(path, fast=True)
    checks = [
        c
        for c in nbformat.read(path, as_version=4).cells
        if "exercises.check(" in c.source
    ]
    assert len(checks) >= 4 * len(chapters)
    for cell in checks:
        assert "No answer yet" in cell.outputs[0]["text"], cell.source


@pytest.mark.slow  # runs three notebooks in kernels: ~10 s
def test_cli_execute_goes_on_after_a_failure_and_reports_every_one(tmp_path):
    broken = _tiny_notebook(tmp_path / "broken.ipynb", fail=True)
    good = _tiny_notebook(tmp_path / "good.ipynb")
    before = broken.read_bytes()
    result = _cli("execute", "--fast", str(broken), str(good))
    assert result.returncode == 1
    assert broken.read_bytes() == before  # left unchanged
    assert nbformat.read(good, as_version=4).cells[0].execution_count == 1  # still run
    assert "1 of 2 notebooks failed" in result.stderr
    assert "broken.ipynb" in result.stderr


def test_the_stub_keeps_only_the_names_the_check_reads():
    source = "biased_var = x.var(unbiased=False)\nanswer_04_1 = biased_var\n"
    check = 'exercises.check("04.1", answer_04_1)'
    stub = solution_stub(source, read_by=check)
    assert stub.splitlines()[1:] == ["answer_04_1 = ..."]  # no hint left behind
    assert "biased_var" not in stub
    # a check cell Python cannot parse keeps every name, so nothing breaks
    assert "biased_var = ..." in solution_stub(source, read_by="%time check()")


def test_the_student_edition_says_it_has_no_solutions(tmp_path):
    from dcgan_lib.notebooks import STUDENT_NOTES

    written = student_edition(find_notebooks(ROOT), tmp_path / "class")
    for path in written:
        text = "\n".join(
            c.source
            for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "markdown"
        )
        assert not any(full in text for full, _ in STUDENT_NOTES), path
        assert any(student in text for _, student in STUDENT_NOTES), path


def test_a_saved_progress_bar_shows_its_finished_state(tmp_path):
    outputs = run_one_cell(
        tmp_path,
        "from tqdm.auto import tqdm\n"
        "for _ in tqdm(range(5), desc='epoch 1/1', unit='step'):\n    pass",
    )
    (output,) = [o for o in outputs if "data" in o]
    assert output["data"]["text/plain"].startswith("epoch 1/1: 100%|##########| 5/5 [")


def test_no_committed_notebook_shows_an_unfinished_progress_bar():
    for path in find_notebooks(ROOT):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "application/vnd.jupyter.widget-view+json" in data:
                    text = data.get("text/plain", "")
                    if re.search(r"\d+%\|", text):  # a tqdm bar
                        assert "100%|" in text, f"{path.name}: saved bar reads {text!r}"


def test_every_committed_notebook_stays_under_1_mb():
    """GitHub and nbviewer show the committed notebooks; keep each one light."""
    for path in find_notebooks(ROOT):
        size = path.stat().st_size
        assert size < 1_000_000, f"{path.name}: {size / 1e6:.2f} MB, over 1 MB"
