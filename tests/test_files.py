"""Writing a file all or nothing: what notebooks, graded copies and checkpoints rely
on when a save is interrupted."""

import nbformat
import pytest
import torch

from dcgan_lib.files import write_atomically
from dcgan_lib.notebooks import save_notebook


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"\x00bytes\xff", b"\x00bytes\xff"),
        ("생성자 and text\n", "생성자 and text\n".encode()),
        (lambda file: file.write(b"from a function"), b"from a function"),
    ],
    ids=["bytes", "str", "callable"],
)
def test_write_atomically_writes_each_kind_of_content(tmp_path, content, expected):
    path = tmp_path / "out.bin"
    assert write_atomically(path, content) == path
    assert path.read_bytes() == expected
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]  # no temp file left


def test_a_checkpoint_fits_through_the_callable(tmp_path):
    path = tmp_path / "state.pt"
    state = {"step": 7, "weights": torch.arange(4.0)}
    write_atomically(path, lambda file: torch.save(state, file))
    loaded = torch.load(path)
    assert loaded["step"] == 7 and torch.equal(loaded["weights"], state["weights"])


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("the old contents")

    def half_then_fail(file):
        file.write(b"half of the new")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, half_then_fail)
    assert path.read_text() == "the old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_permissions_are_kept_and_a_new_file_is_readable_by_all(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("x")
    old.chmod(0o600)
    write_atomically(old, "y")
    assert old.stat().st_mode & 0o777 == 0o600
    new = write_atomically(tmp_path / "new.txt", "z")
    assert new.stat().st_mode & 0o777 == 0o644


def test_other_content_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "out.txt"
    with pytest.raises(TypeError, match="bytes, a str or a function"):
        write_atomically(path, {"not": "bytes"})
    assert list(tmp_path.iterdir()) == []


def test_save_notebook_writes_what_nbformat_writes(tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# 제목"), nbformat.v4.new_code_cell("1")]
    )
    nbformat.write(notebook, tmp_path / "by_nbformat.ipynb")
    save_notebook(notebook, tmp_path / "saved.ipynb")
    expected = (tmp_path / "by_nbformat.ipynb").read_bytes()
    assert (tmp_path / "saved.ipynb").read_bytes() == expected
