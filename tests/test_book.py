"""The whole site builds from the committed notebooks with no warnings (the
``site`` fixture, in conftest.py, fails on any), and its pages link up."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NAMES = sorted(p.stem for p in (ROOT / "notebooks" / "en").glob("*.ipynb"))


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


def _html_pages(site):
    """Every page Sphinx wrote (not the redirect at the top, not _static)."""
    pages = [p for p in site.rglob("*.html") if "_static" not in p.parts]
    return [p for p in pages if p != site / "index.html"]


def test_korean_pages_say_they_are_korean(site):
    """<html lang>: "ko" on the Korean edition's pages, "en" on all others."""
    pages = _html_pages(site)
    assert len(pages) > 20
    for page in pages:
        relative = page.relative_to(site).as_posix()
        korean = relative.startswith(("notebooks/ko/", "book/ko/"))
        tag = re.search(r"<html[^>]*\blang=\"([a-z]+)\"", page.read_text()).group(1)
        assert tag == ("ko" if korean else "en"), relative


def test_pages_load_nothing_from_other_sites(site):
    """Scripts, styles and images come from the site itself (math included:
    MathJax is served from _static), so the book works offline."""
    for page in _html_pages(site):
        html = page.read_text()
        remote = re.findall(r'<(?:script|img)[^>]*\ssrc="(https?:[^"]*)"', html)
        remote += re.findall(
            r'<link[^>]*rel="stylesheet"[^>]*href="(https?:[^"]*)"', html
        )
        assert remote == [], f"{page.relative_to(site)} loads {remote}"
    assert (site / "_static" / "mathjax" / "tex-chtml.js").exists()


def test_pages_have_a_favicon_and_edit_and_issue_buttons(site):
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    page = (site / "notebooks" / "ko" / "06_training.html").read_text()
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', page)
    assert f"{url}/edit/main/notebooks/ko/06_training.ipynb" in page
    assert f"{url}/issues/new" in page
