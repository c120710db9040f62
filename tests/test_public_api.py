"""The chapters keep to dcgan_lib's public API, and the library's modules keep their
private names to themselves (STYLE.md: "the chapters use nothing else").

Public means: a name in ``dcgan_lib.__all__``, reached as ``dl.name`` after
``import dcgan_lib as dl``; the exercises' checks come in as
``from dcgan_lib import exercises``. A chapter never imports a submodule, never
touches a private name, and never builds a path into the installed package.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

import dcgan_lib as dl
from dcgan_lib import exercises

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dcgan_lib"
NOTEBOOKS = sorted(ROOT.glob("notebooks/*/*.ipynb"))
ALLOWED_IMPORTS = ("import dcgan_lib as dl", "from dcgan_lib import exercises")
DOTTED = re.compile(r"\bdcgan_lib\.\w+")  # "dcgan_lib.precision...": a path inside
# functions that read a package's files or modules given its name
PACKAGE_READERS = {"files", "path", "as_file", "import_module", "find_spec"}


def reaches(source: str) -> list[str]:
    """Every way ``source`` (a chapter's Python) gets past the public API."""
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "dcgan_lib":
                    line = f"import {alias.name}" + (
                        f" as {alias.asname}" if alias.asname else ""
                    )
                    if line not in ALLOWED_IMPORTS:
                        found.append(f"{line} (use {ALLOWED_IMPORTS[0]})")
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if (node.module or "").split(".")[0] == "dcgan_lib":
                names = ", ".join(alias.name for alias in node.names)
                if f"from {node.module} import {names}" not in ALLOWED_IMPORTS:
                    found.append(f"from {node.module} import {names} (use dl.name)")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner, name = node.value.id, node.attr
            if owner == "dl" and name not in dl.__all__:
                found.append(f"dl.{name} is not in dcgan_lib.__all__")
            elif owner == "dl" and name == "exercises":
                found.append(f"dl.exercises (use {ALLOWED_IMPORTS[1]})")
            elif owner == "exercises" and name not in exercises.__all__:
                found.append(f"exercises.{name} is not in exercises.__all__")
        elif isinstance(node, ast.Call):
            function = node.func
            called = getattr(function, "id", getattr(function, "attr", ""))
            strings = [
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if called in PACKAGE_READERS and any(
                s.split(".")[0] == "dcgan_lib" for s in strings
            ):
                found.append(f"{called}({strings[0]!r}): a path into the package")
            if (
                called == "getattr"
                and node.args
                and getattr(node.args[0], "id", "") == ("dl")
            ):
                found.append("getattr(dl, ...): use dl.name")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if DOTTED.search(node.value) and not node.value.endswith(".ipynb"):
                found.append(f"{node.value!r} names a path inside dcgan_lib")
    return found


def python_of(cell_source: str) -> list[str]:
    """A code cell as Python: IPython syntax translated; a %%writefile of a .py
    file is that file's Python (chapter 09 writes torchrun's scripts so)."""
    first, _, body = cell_source.partition("\n")
    if first.startswith("%%writefile") and first.rstrip().endswith(".py"):
        return [body]
    return [TransformerManager().transform_cell(cell_source)]


def chapter_reaches(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for source in python_of(cell.source):
            for reach in reaches(source):
                found.append(f"cell {index}: {reach}")
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "from dcgan_lib.metrics import held_out_split",
        "from dcgan_lib import Generator",
        "import dcgan_lib",
        "import dcgan_lib as lib",
        "import dcgan_lib.viz",
        "dl.viz._grid(x, 8, (-1, 1))",
        "dl.latent.METHODS",
        "dl._private",
        "Path(dl.__file__).parent / 'measurements'",
        'files("dcgan_lib") / "measurements"',
        'importlib.import_module("dcgan_lib.viz")',
        'mock.patch("dcgan_lib.precision._cpu_has_native_bf16")',
        'getattr(dl, "_grid")',
        "dl.exercises.check('01.1', 0.5)",
        "exercises._evaluate('01.1', 0.5)",
    ],
)
def test_each_kind_of_reach_is_found(snippet):
    assert reaches(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "import dcgan_lib as dl",
        "from dcgan_lib import exercises",
        "dl.image_grid(x)",
        "dl.measurement('speed')",
        "exercises.check('01.1', 0.5)",
        'subprocess.run([sys.executable, "-m", "dcgan_lib", "train"])',
        "from torch.utils.data import TensorDataset",
    ],
)
def test_public_use_is_not_a_reach(snippet):
    assert reaches(snippet) == []


def test_every_public_name_exists_once():
    assert len(dl.__all__) == len(set(dl.__all__))
    missing = [name for name in dl.__all__ if not hasattr(dl, name)]
    assert not missing, missing
    assert not [name for name in dl.__all__ if name.startswith("_")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_chapters_use_only_the_public_api(path):
    found = chapter_reaches(path)
    assert not found, "\n".join(found)


def private_crossings(path: Path) -> list[str]:
    """Private names one module of dcgan_lib takes from another: ``from .x import
    _y`` and ``x._y`` where ``x`` is a dcgan_lib module imported here."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = set()  # local names bound to dcgan_lib modules
    found = []

    def private(name):
        return name.startswith("_") and not name.startswith("__")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            inside = node.level > 0 or (node.module or "").startswith("dcgan_lib")
            if not inside:
                continue
            for alias in node.names:
                if private(alias.name):
                    found.append(
                        f"line {node.lineno}: from {'.' * node.level}"
                        f"{node.module or ''} import {alias.name}"
                    )
                if node.module is None or node.module == "dcgan_lib":
                    modules.add(alias.asname or alias.name)  # from . import viz
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dcgan_lib."):
                    modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and private(node.attr)
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_crossing_finder_finds_both_kinds(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from .viz import _grid, image_grid\nfrom . import latent\n"
        "from ..shapes import conv2d_out\nx = latent._check_z\ny = latent.walk\n"
    )
    assert private_crossings(module) == [
        "line 1: from .viz import _grid",
        "line 4: latent._check_z",
    ]


def test_no_private_name_crosses_modules():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for crossing in private_crossings(path):
            found.append(f"{path.relative_to(ROOT)} {crossing}")
    assert not found, "\n".join(found)
