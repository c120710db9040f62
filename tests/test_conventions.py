"""The rules of CONTRIBUTING.md that every chapter notebook must follow, checked."""

import io
import re
import tokenize
from pathlib import Path

import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
KO, EN = ROOT / "notebooks" / "ko", ROOT / "notebooks" / "en"
NAMES = sorted({p.name for p in [*KO.glob("*.ipynb"), *EN.glob("*.ipynb")]})
NOTEBOOKS = [d / name for name in NAMES for d in (KO, EN)]
SLUG = re.compile(r"^\d\d_[a-z_]+\.ipynb$")


def _read(path):
    return nbformat.read(path, as_version=4)


def _code(notebook):
    return [c for c in notebook.cells if c.cell_type == "code"]


def _strip_comments(source):
    """The cell as Python tokens, with comments and blank lines removed."""
    python = TransformerManager().transform_cell(source)  # %pip, ! -> plain Python
    tokens = tokenize.generate_tokens(io.StringIO(python).readline)
    kept = [
        (t.type, t.string)
        for t in tokens
        if t.type not in (tokenize.COMMENT, tokenize.NL)
    ]
    return kept


def test_there_are_chapters():
    assert NAMES, "no notebooks found under notebooks/ko and notebooks/en"


@pytest.mark.parametrize("name", NAMES)
def test_every_chapter_has_both_editions(name):
    assert SLUG.match(name), f"{name}: name notebooks NN_slug.ipynb"
    assert (KO / name).exists(), f"notebooks/ko/{name} is missing (Korean edition)"
    assert (EN / name).exists(), f"notebooks/en/{name} is missing (English edition)"


@pytest.mark.parametrize("name", NAMES)
def test_both_editions_run_the_same_program(name):
    ko, en = _code(_read(KO / name)), _code(_read(EN / name))
    assert len(ko) == len(en), "the editions have different numbers of code cells"
    for index, (a, b) in enumerate(zip(ko, en)):
        assert a.metadata.get("tags", []) == b.metadata.get("tags", []), index
        assert _strip_comments(a.source) == _strip_comments(b.source), (
            f"code cell {index} differs between the editions beyond its comments"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_notebooks_are_executed_in_full_mode(path):
    notebook = _read(path)
    counts = [c.execution_count for c in _code(notebook)]
    assert counts == list(range(1, len(counts) + 1)), (
        "run the notebook top to bottom in a fresh kernel: python -m dcgan_lib execute"
    )
    errors = [o for c in _code(notebook) for o in c.outputs if o.output_type == "error"]
    assert not errors
    streams = "".join(
        o.get("text", "")
        for c in _code(notebook)
        for o in c.outputs
        if o.get("name") == "stderr"
    )
    assert "Glyph" not in streams and "Warning" not in streams, streams[:500]
    assert notebook.metadata.get("dcgan_book", {}).get("mode") == "full"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_opens_with_a_link_to_the_other_edition_and_the_colab_setup(path):
    notebook = _read(path)
    other = "en" if path.parent.name == "ko" else "ko"
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    assert f"](../{other}/{path.name})" in first.source.splitlines()[0]
    setup = notebook.cells[1]
    assert setup.cell_type == "code" and "colab-setup" in setup.metadata.get("tags", [])
    assert '"google.colab" in sys.modules' in setup.source
    assert "fonts-nanum" in setup.source


def test_colab_setup_installs_the_release_from_the_configured_repository():
    """One address (_config.yml's) everywhere, and every install pinned to the
    release tag v<version>, the version pyproject.toml gives dcgan_lib."""
    import tomllib

    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["urls"]["Book"] == url
    pinned = f"git+{url}@v{project['version']}"
    for path in NOTEBOOKS:
        setup = _read(path).cells[1].source
        assert f'"{pinned}"' in setup, f"{path}: its setup cell must install {pinned}"
    for page in sorted(ROOT.glob("book/*/for_teachers.md")):
        installs = re.findall(r"git\+https://[^\s'\"]+", page.read_text())
        assert installs and set(installs) == {pinned}, (page, installs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_exercises_have_hidden_solutions_and_checks(path):
    cells = _code(_read(path))
    solutions = [
        i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])
    ]
    assert solutions, "each chapter ends with exercises"
    for i in solutions:
        assert "hide-cell" in cells[i].metadata["tags"]
        assert "exercises.check(" in cells[i + 1].source, (
            "a check follows each solution"
        )
        assert any("Correct" in o.get("text", "") for o in cells[i + 1].outputs)


IGNORE_TAG = "nbval-ignore-output"  # nbval's cell tag: outputs are not compared
HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_ignored_outputs_say_why_in_the_metadata_not_in_the_code(path):
    """A reader sees no test machinery: nbval's tag marks the cell, and the reason,
    in the edition's language, is kept in the cell's metadata."""
    korean = path.parent.name == "ko"
    for index, cell in enumerate(_code(_read(path))):
        assert "NBVAL_" not in cell.source, (
            f"code cell {index}: tag it {IGNORE_TAG!r} instead of a marker comment"
        )
        reason = cell.metadata.get("dcgan_book", {}).get("ignore_output")
        if IGNORE_TAG not in cell.metadata.get("tags", []):
            assert reason is None, f"code cell {index}: a reason but no {IGNORE_TAG}"
            continue
        assert isinstance(reason, str) and len(reason) > 10, (
            f"code cell {index}: say why in metadata.dcgan_book.ignore_output"
        )
        assert bool(HANGUL.search(reason)) == korean, (
            f"code cell {index}: write the reason in the edition's language"
        )


def test_the_ignore_tag_is_the_one_nbval_reads():
    from nbval.plugin import metadata_tags

    assert metadata_tags[IGNORE_TAG] == ("check", False)  # outputs not compared


def test_every_notebook_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    for path in NOTEBOOKS:
        assert f"file: notebooks/{path.parent.name}/{path.stem}\n" in toc, path
