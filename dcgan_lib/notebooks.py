"""Book tooling: run a notebook in a fresh kernel (to re-execute it in place, grade
it, time it), and write the student edition.

Serves the book's workflow (CONTRIBUTING.md: fast/full mode, exercises); the CLI, the
grader and benchmarks/notebook_times.py use it.
"""

from __future__ import annotations

import ast
import asyncio
import os
import shutil
import signal
import subprocess
from pathlib import Path

import nbformat

from .files import write_atomically

__all__ = [
    "find_notebooks",
    "run_notebook",
    "save_notebook",
    "execute_notebook",
    "student_edition",
    "solution_stub",
]

STUB_HEADER = "# 여기에 답을 쓰세요 / Write your answer here\n"


def find_notebooks(root=".") -> list[Path]:
    """Every chapter notebook under ``root``/notebooks/{ko,en}, sorted."""
    root = Path(root)
    return sorted((root / "notebooks").glob("[ke][on]/*.ipynb"))


def save_notebook(notebook, path) -> Path:
    """Write ``notebook`` to ``path`` as nbformat writes it, all or nothing
    (``files.write_atomically``): never half a notebook. Returns: the path."""
    text = nbformat.writes(notebook)
    return write_atomically(path, text if text.endswith("\n") else text + "\n")


def _kernel_environment(fast: bool, env) -> dict:
    """This process's environment for a kernel: inline plots (no MPLBACKEND), fast
    mode as asked, then ``env`` on top (a value of None removes the name)."""
    values = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    values.pop("DCGAN_FAST", None)
    values.update({"DCGAN_FAST": "1"} if fast else {})
    for key, value in (env or {}).items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def run_notebook(
    notebook,
    cwd,
    *,
    fast: bool,
    env=None,
    cell_timeout: float | None = None,
    time_limit: float | None = None,
    allow_errors: bool = False,
    record_timing: bool = False,
):
    """Run ``notebook`` (an nbformat notebook, changed in place) top to bottom in
    a fresh kernel started in the folder ``cwd``.

    The kernel gets this process's environment, in fast mode (``DCGAN_FAST=1``)
    or not as ``fast`` says, with plots inline and ``env`` on top (None removes
    a name); its stdin is off, so ``input()`` fails at once. ``cell_timeout``:
    seconds a cell may take; ``time_limit``: seconds the whole run may take (None:
    no limit). With ``allow_errors`` a failing cell keeps its error as output and
    the run goes on; without, the first one stops it. ``record_timing`` keeps
    each cell's start and end in its metadata. Whatever happens, the kernel is
    killed at the end, with every process it started.

    Returns: the notebook, with its outputs. Raises: TimeoutError when
    ``time_limit`` runs out, KeyboardInterrupt on Ctrl-C (the notebook keeps the
    outputs it got), nbclient's CellExecutionError for a failing cell, or what
    else stopped the kernel (e.g. nbclient's DeadKernelError).
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook,
        km=AsyncKernelManager(kernel_name="python3"),  # started and killed here
        kernel_name="python3",
        timeout=cell_timeout,
        allow_errors=allow_errors,
        record_timing=record_timing,
    )
    env = _kernel_environment(fast, env)
    stopped = run_sync(_run_in_kernel)(client, str(cwd), env, time_limit)
    if stopped == "interrupted":
        raise KeyboardInterrupt
    if stopped == "timed out":
        raise TimeoutError(f"the notebook did not finish within {time_limit:g} s")
    return notebook


def _catch_ctrl_c(loop, handler) -> None:
    """Make Ctrl-C call ``handler("interrupted")``; nothing where signals cannot be
    caught (a thread other than the main one, Windows)."""
    try:
        loop.add_signal_handler(signal.SIGINT, handler, "interrupted")
    except (RuntimeError, NotImplementedError, ValueError):
        pass


async def _run_in_kernel(client, cwd: str, env: dict, time_limit) -> str | None:
    """``run_notebook``'s work: start ``client.km``'s kernel, run every cell, kill
    the kernel. Returns: None, or why the run was cut short ("timed out",
    "interrupted")."""
    task, loop = asyncio.current_task(), asyncio.get_running_loop()
    stop = []

    def cut(why):
        stop.append(why)
        task.cancel()

    async def take_ctrl_c(**_):
        # nbclient puts in a Ctrl-C handler of its own, which would only end the
        # kernel; each cell puts back this one, which stops the whole run
        _catch_ctrl_c(loop, cut)

    client.on_cell_start = take_ctrl_c
    _catch_ctrl_c(loop, cut)
    timer = loop.call_later(time_limit, cut, "timed out") if time_limit else None
    try:
        await client.async_start_new_kernel(
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,  # the kernel's own log lines
            stderr=subprocess.DEVNULL,
        )
        await client.async_start_new_kernel_client()  # here: Ctrl-C stops it, too
        await client.async_execute()
    except (Exception, asyncio.CancelledError):
        # a cut shows as CancelledError, or as nbclient's DeadKernelError
        if stop:
            return stop[0]
        raise
    finally:
        if timer is not None:
            timer.cancel()
        if client.kc is not None:
            client.kc.stop_channels()
        if client.km.has_kernel:
            await client.km.shutdown_kernel(now=True)  # its whole process group
        try:
            loop.remove_signal_handler(signal.SIGINT)
        except (RuntimeError, NotImplementedError, ValueError):
            pass
    return None


def execute_notebook(path, fast: bool = False, timeout: int = 1800) -> None:
    """Run a notebook top to bottom in a fresh kernel and save it with its outputs.

    Full mode unless ``fast``; the kernel starts in the notebook's folder, and a
    cell may take ``timeout`` seconds. The mode is recorded in the notebook's
    metadata (``dcgan_book.mode``). The file is replaced only when every cell ran
    without error: a failing run leaves the committed notebook as it was.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    # record_timing off: no per-cell timestamps, so smaller files, cleaner diffs
    run_notebook(notebook, path.parent.resolve(), fast=fast, cell_timeout=timeout)
    finish_progress_text(notebook)
    notebook.metadata["dcgan_book"] = {"mode": "fast" if fast else "full"}
    save_notebook(notebook, path)


def finish_progress_text(notebook) -> int:
    """Give each saved progress bar the text of its finished state.

    A tqdm bar in Jupyter is a widget; its saved ``text/plain`` is the bar as it was
    drawn first ("0%| 0/625"), and that text is what GitHub and nbviewer show. The
    widget's final state is saved in the notebook's metadata: rebuild the text from
    it. Returns: how many outputs were rewritten.
    """
    import html

    state_key = "application/vnd.jupyter.widget-state+json"
    view_key = "application/vnd.jupyter.widget-view+json"
    models = notebook.metadata.get("widgets", {}).get(state_key, {}).get("state", {})

    def child(ref):
        return models.get(ref.removeprefix("IPY_MODEL_"), {}).get("state", {})

    def text(state):
        return html.unescape(state.get("value", "")).replace("\u2007", " ")

    rewritten = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(view_key)
            box = models.get((view or {}).get("model_id"), {}).get("state", {})
            parts = [child(ref) for ref in box.get("children", [])]
            if len(parts) != 3 or "max" not in parts[1]:
                continue  # not a tqdm bar
            left, bar, right = parts
            share = bar.get("value", 0) / bar["max"] if bar["max"] else 0.0
            filled = "#" * int(10 * share)
            output["data"]["text/plain"] = (
                f"{text(left)}|{filled:<10}|{text(right)}".strip()
            )
            rewritten += 1
    return rewritten


# The exercise intro's note on the solutions, as the full and the student edition say it
STUDENT_NOTES = (
    (
        "This notebook shows them; `python -m dcgan_lib student --out FOLDER` "
        "writes an edition without them (see the page for teachers).",
        "This is the student edition: the solutions are not in it.",
    ),
    (
        "이 노트북에는 풀이가 그대로 보이므로, 풀이를 뺀 학생용 노트북이 필요하면 "
        "`python -m dcgan_lib student --out 폴더`로 만드세요(교사용 안내 참고).",
        "이 노트북은 학생판이라 풀이가 들어 있지 않습니다.",
    ),
)


def solution_stub(source: str, read_by: str | None = None) -> str:
    """The student's version of a solution cell: each answer name bound to ``...``.

    The top-level names the solution assigns (or defines) are kept, so the check
    cell below still runs and says "no answer yet" instead of failing. With
    ``read_by`` (the check cell's source), only the names it reads are kept: a
    helper name such as ``biased_var`` would give the answer away.
    """
    names: list[str] = []
    for node in ast.parse(source).body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name) and leaf.id not in names:
                    names.append(leaf.id)
    if read_by is not None:
        try:
            tree = ast.parse(read_by)
        except SyntaxError:  # e.g. IPython magics: keep every name
            tree = ast.Module(body=[], type_ignores=[])
        read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names = [name for name in names if name in read] or names
    return STUB_HEADER + "".join(f"{name} = ...\n" for name in names)


def student_edition(notebooks, out_dir, force: bool = False) -> list[Path]:
    """Write copies of ``notebooks`` with solutions replaced by stubs, outputs cleared.

    Each notebook lands at ``out_dir/<language>/<name>``. An existing, non-empty
    ``out_dir`` is never overwritten unless ``force`` is true.
    Returns: the paths written.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        if not force:
            raise FileExistsError(
                f"{str(out_dir)!r} already exists and is not empty; choose another "
                "folder or pass --force to replace it"
            )
        shutil.rmtree(out_dir)
    written = []
    for path in map(Path, notebooks):
        notebook = nbformat.read(path, as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        for i, cell in enumerate(code):
            tags = cell.metadata.get("tags", [])
            if "solution" in tags:
                check = code[i + 1].source if i + 1 < len(code) else None
                cell.source = solution_stub(cell.source, read_by=check)
                cell.metadata["tags"] = [
                    t for t in tags if t not in ("solution", "hide-cell")
                ]
            cell.outputs, cell.execution_count = [], None
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                for full, student in STUDENT_NOTES:
                    cell.source = cell.source.replace(full, student)
        target = out_dir / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written
