"""The one notebook runner behind `execute`, `grade` and the notebook-time benchmark:
the kernel's folder and environment, errors, the time limit, the kernel's end."""

import json
import os
import time

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from dcgan_lib.notebooks import run_notebook


def _notebook(*sources):
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in sources]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return notebook


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


SHOW_ENVIRONMENT = (
    "import json, os\n"
    "names = ('DCGAN_FAST', 'MPLBACKEND', 'EXTRA', 'GONE')\n"
    "print(json.dumps([os.getcwd(), {n: os.environ.get(n) for n in names}]))"
)


@pytest.mark.parametrize("fast", [True, False])
def test_the_kernel_starts_in_cwd_with_the_environment_asked_for(
    tmp_path, monkeypatch, fast
):
    monkeypatch.setenv("DCGAN_FAST", "1")  # as under pytest: full mode must drop it
    monkeypatch.setenv("MPLBACKEND", "Agg")  # the notebooks' plots are inline
    monkeypatch.setenv("GONE", "here")
    notebook = _notebook(SHOW_ENVIRONMENT)
    run_notebook(notebook, tmp_path, fast=fast, env={"EXTRA": "x", "GONE": None})
    cwd, seen = json.loads(_printed(notebook.cells[0]))
    assert os.path.samefile(cwd, tmp_path)
    assert seen.pop("MPLBACKEND") != "Agg"  # ipykernel's own inline backend
    assert seen == {"DCGAN_FAST": "1" if fast else None, "EXTRA": "x", "GONE": None}


def test_an_error_stops_the_run_unless_errors_are_allowed(tmp_path):
    cells = ("raise ValueError('a student error')", "print('after')")
    stopped = _notebook(*cells)
    with pytest.raises(CellExecutionError, match="a student error"):
        run_notebook(stopped, tmp_path, fast=True)
    assert stopped.cells[1].outputs == []
    went_on = run_notebook(_notebook(*cells), tmp_path, fast=True, allow_errors=True)
    assert went_on.cells[0].outputs[0].output_type == "error"
    assert _printed(went_on.cells[1]) == "after\n"


def test_the_time_limit_ends_the_run_and_the_kernel(tmp_path):
    notebook = _notebook("import os\nprint(os.getpid())", "import time\ntime.sleep(60)")
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="within 4 s"):
        run_notebook(notebook, tmp_path, fast=True, time_limit=4)
    assert time.monotonic() - started < 30
    kernel = int(_printed(notebook.cells[0]))  # the outputs it got are kept
    with pytest.raises(ProcessLookupError):
        os.kill(kernel, 0)  # the kernel is gone


def test_timing_is_recorded_only_when_asked(tmp_path):
    timed = run_notebook(_notebook("1"), tmp_path, fast=True, record_timing=True)
    assert "shell.execute_reply" in timed.cells[0].metadata["execution"]
    plain = run_notebook(_notebook("1"), tmp_path, fast=True)
    assert "execution" not in plain.cells[0].metadata
