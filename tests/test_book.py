"""The whole site builds from the committed notebooks with no warnings."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NAMES = sorted(p.stem for p in (ROOT / "notebooks" / "en").glob("*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the book into a temporary folder with warnings as errors."""
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [
        str(jupyter_book) if jupyter_book.exists() else "jupyter-book",
        "build",
        str(ROOT),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    yield out / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)


def test_the_landing_page_offers_both_editions(site):
    index = (site / "book" / "index.html").read_text()
    assert "한국어" in index and "English" in index
    for name in NAMES:
        assert f"notebooks/ko/{name}.html" in index
        assert f"notebooks/en/{name}.html" in index
    assert (site / "index.html").exists()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang, other", [("ko", "en"), ("en", "ko")])
def test_each_chapter_page_links_its_twin_and_colab(site, name, lang, other):
    page = (site / "notebooks" / lang / f"{name}.html").read_text()
    assert f'href="../{other}/{name}.html"' in page
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    repo = url.removeprefix("https://github.com/")
    assert (
        f"colab.research.google.com/github/{repo}/blob/main/notebooks/{lang}/" in page
    )
    assert "<img" in page  # the committed outputs, figures included, are shown


def test_book_pages_exist_in_both_languages(site):
    for page in ("how_to_run", "for_teachers", "errata"):
        assert (site / "book" / "ko" / f"{page}.html").exists()
        assert (site / "book" / "en" / f"{page}.html").exists()
    glossary = (site / "book" / "glossary.html").read_text()
    assert "전치 합성곱" in glossary and "transposed convolution" in glossary
    references = (site / "book" / "references.html").read_text()
    assert "Radford" in references
