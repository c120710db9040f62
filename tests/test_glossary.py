"""One Korean term per concept: the glossary's "also seen" terms stay out of prose."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Where another name may be mentioned on purpose: "quoted", `code`, (in parentheses).
ASIDE = re.compile(r'"[^"\n]*"|“[^”\n]*”|`[^`\n]*`|\([^()\n]*\)')


def _glossary_rows():
    rows = []
    for line in (ROOT / "book" / "glossary.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and not set(cells[0]) <= set("- "):
            rows.append(cells)
    return rows[1:]  # without the header


def _ours():
    """Our terms, longest first: "하이퍼파라미터" and "난수 생성기" are ours, so they
    are removed before the prose is searched for "파라미터" or "생성기"."""
    terms = set()
    for _english, ours, _others in _glossary_rows():
        for term in re.split(r"[/()]", ours):
            if HANGUL.search(term):
                terms.add(term.strip())
    return sorted(terms, key=len, reverse=True)


def _also_seen():
    terms = set()
    for _english, _ours, others in _glossary_rows():
        for term in re.sub(r"\([^)]*\)", "", others).split(","):
            if HANGUL.search(term):
                terms.add(term.strip())
    return sorted(terms)


def _korean_prose():
    """(where, text) for every Korean page, markdown cell and code comment."""
    for path in sorted((ROOT / "book" / "ko").glob("*.md")):
        yield str(path.relative_to(ROOT)), path.read_text()
    for path in sorted((ROOT / "notebooks" / "ko").glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            text = cell.source
            if cell.cell_type == "code":
                text = "\n".join(re.findall(r"#(.*)$", text, flags=re.M))
            yield f"{path.relative_to(ROOT)} cell {index}", text


def test_the_glossary_lists_the_designs_terms():
    ours = {english: term for english, term, _ in _glossary_rows()}
    assert ours["generator"] == "생성자" and ours["discriminator"] == "판별자"
    assert ours["transposed convolution"] == "전치 합성곱"
    assert ours["standard deviation"] == "표준편차"
    assert {"생성기", "판별기", "역합성곱", "파라미터"} <= set(_also_seen())


OURS = _ours()


@pytest.mark.parametrize("term", _also_seen())
def test_korean_prose_uses_our_term_not(term):
    found = []
    for where, text in _korean_prose():
        outside_asides = ASIDE.sub(" ", text)
        for ours in OURS:
            outside_asides = outside_asides.replace(ours, " ")
        if term in outside_asides:
            line = next(s for s in outside_asides.splitlines() if term in s)
            found.append(f"{where}: …{line.strip()[:80]}…")
    assert not found, f"use the glossary's term instead of {term!r}:\n" + "\n".join(
        found
    )
