"""Book tooling: re-execute the notebooks in place, and write the student edition.

Serves the book's workflow (CONTRIBUTING.md: fast/full mode, exercises); the CLI uses
it.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import nbformat

__all__ = ["find_notebooks", "execute_notebook", "student_edition", "solution_stub"]

STUB_HEADER = "# 여기에 답을 쓰세요 / Write your answer here\n"


def find_notebooks(root=".") -> list[Path]:
    """Every chapter notebook under ``root``/notebooks/{ko,en}, sorted."""
    root = Path(root)
    return sorted((root / "notebooks").glob("[ke][on]/*.ipynb"))


@contextmanager
def _environment(**values):
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _write_atomically(notebook, path: Path) -> None:
    """Write to a temporary file beside ``path``, then rename: never half a notebook."""
    handle, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            nbformat.write(notebook, file)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)  # keep the file's permissions
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def execute_notebook(path, fast: bool = False, timeout: int = 1800) -> None:
    """Run a notebook top to bottom in a fresh kernel and save it with its outputs.

    Full mode unless ``fast``; the mode is recorded in the notebook's metadata
    (``dcgan_book.mode``). The file is replaced only when every cell ran without
    error: a failing run leaves the committed notebook as it was.
    """
    from nbclient import NotebookClient

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
        record_timing=False,  # no per-cell timestamps: smaller files, cleaner diffs
    )
    with _environment(DCGAN_FAST="1" if fast else None, MPLBACKEND=None):
        client.execute()
    finish_progress_text(notebook)
    notebook.metadata["dcgan_book"] = {"mode": "fast" if fast else "full"}
    _write_atomically(notebook, path)


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
