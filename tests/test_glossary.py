"""One Korean term per concept: the glossary's "also seen" terms stay out of prose.

Banned in Korean prose (pages, markdown cells, code comments): every term of the
glossary's right-hand column, and every spelling of a spaced term with a space dropped
("정규 분포" -> "정규분포", "상향 샘플링" -> "상향샘플링"). Text in "quotes", `code` or
(parentheses) may name another term on purpose and is not searched.
"""

import functools
import itertools
import re
import unicodedata
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


def _sort_key(english):
    """How a reader looks a term up: case, accents and leading symbols ignored."""
    text = unicodedata.normalize("NFKD", english)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"^[^0-9A-Za-z]+", "", text).casefold()


def _ours():
    """Our terms, longest first."""
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


def _unspaced(term):
    """Every spelling of term with one or more of its spaces dropped."""
    words = term.split()
    variants = set()
    for joins in itertools.product((" ", ""), repeat=len(words) - 1):
        if "" in joins:
            variants.add(words[0] + "".join(j + w for j, w in zip(joins, words[1:])))
    return variants


def _banned():
    """The also-seen terms and the unspaced spellings of every spaced term."""
    banned = set(_also_seen())
    for term in set(_ours()) | set(_also_seen()):
        banned |= _unspaced(term)
    return sorted(banned - set(_ours()))


def _pattern(term):
    """term as a regex; a space may be any run of whitespace (a wrapped line)."""
    return re.compile(r"\s+".join(re.escape(word) for word in term.split()))


def _uses(term, text, ours):
    """Snippets of text that use term, outside asides and outside any of our terms
    that contain it ("하이퍼파라미터" is ours, so it is not a use of "파라미터")."""
    rest = ASIDE.sub(" ", text)
    for longer in ours:
        if term in longer and term != longer:
            rest = _pattern(longer).sub(" ", rest)
    return [
        " ".join(rest[max(m.start() - 30, 0) : m.end() + 30].split())
        for m in _pattern(term).finditer(rest)
    ]


@functools.cache
def _korean_prose():
    """(where, text) for every Korean page, markdown cell and code comment."""
    found = []
    for path in sorted((ROOT / "book" / "ko").glob("*.md")):
        found.append((str(path.relative_to(ROOT)), path.read_text()))
    for path in sorted((ROOT / "notebooks" / "ko").glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            text = cell.source
            if cell.cell_type == "code":
                text = "\n".join(re.findall(r"#(.*)$", text, flags=re.M))
            found.append((f"{path.relative_to(ROOT)} cell {index}", text))
    return found


def test_the_glossary_lists_the_designs_terms():
    ours = {english: term for english, term, _ in _glossary_rows()}
    assert ours["generator"] == "생성자" and ours["discriminator"] == "판별자"
    assert ours["transposed convolution"] == "전치 합성곱"
    assert ours["standard deviation"] == "표준편차"
    assert {"생성기", "판별기", "역합성곱", "파라미터"} <= set(_also_seen())


def test_the_glossary_lists_the_decided_terms():
    ours = {english: term for english, term, _ in _glossary_rows()}
    decided = {
        "step (training step)": "단계",
        "sample (a generated image; a draw from a distribution)": "샘플",
        "noise": "잡음",
        "forward / backward pass": "순전파 / 역전파",
        "hidden layer": "은닉 층",
        "input / output layer": "입력 층 / 출력 층",
        "classifier": "분류기",
        "activation (value)": "활성화 값",
        "slope (LeakyReLU's `negative_slope`)": "누설 계수",
        "dummy batch (for testing shapes)": "시험용 배치",
        "uniform / normal distribution": "균등 분포 / 정규 분포",
        "scale γ / shift β": "스케일 / 이동",
    }
    assert {english: ours.get(english) for english in decided} == decided
    assert {"스텝", "표본", "노이즈", "활성값", "가우스 분포"} <= set(_also_seen())
    # Only notes, not banned: 기울기 is ours for gradient, 가짜 is for generated
    # images, and chapter 04 calls a layer's gain (not γ) a 배율.
    assert not {"기울기", "가짜 배치", "배율"} & set(_also_seen())


def test_the_glossary_is_sorted_by_its_english_column():
    english = [row[0] for row in _glossary_rows()]
    keys = [_sort_key(term) for term in english]
    unsorted = [
        f"{a!r} before {b!r}"
        for a, b, ka, kb in zip(english, english[1:], keys, keys[1:])
        if ka > kb
    ]
    assert not unsorted, "sort the glossary by its English column:\n" + "\n".join(
        unsorted
    )


def test_the_sort_key_ignores_case_accents_and_leading_symbols():
    assert _sort_key("(classifier) confidence") == "classifier) confidence"
    assert _sort_key("Fréchet distance") == "frechet distance"
    terms = ["Wasserstein distance", "(classifier) confidence", "He init", "class"]
    assert sorted(terms, key=_sort_key) == [
        "class",
        "(classifier) confidence",
        "He init",
        "Wasserstein distance",
    ]


def test_no_term_is_both_ours_and_banned():
    assert not set(_ours()) & set(_banned())


def test_spacing_variants_are_banned():
    assert _unspaced("정규 분포") == {"정규분포"}
    assert _unspaced("완전 연결 층") == {"완전연결층", "완전연결 층", "완전 연결층"}
    assert _unspaced("표준편차") == set()
    banned = set(_banned())
    assert {"정규분포", "입력층", "출력층", "은닉층", "활성화값"} <= banned
    assert {"상향샘플링", "순방향전파"} <= banned  # spaced also-seen terms


def test_the_search_catches_spacing_variants_and_spares_asides():
    ours = ["정규 분포", "입력 층", "하이퍼파라미터"]
    text = "입력층의 잡음은 정규분포에서 뽑습니다 (정규분포라고도 씁니다).\n`정규분포`"
    assert _uses("정규분포", text, ours) == ["입력층의 잡음은 정규분포에서 뽑습니다 ."]
    assert len(_uses("입력층", text, ours)) == 1
    assert _uses("정규분포", "표준 정규 분포와 정규\n분포", ours) == []
    assert len(_uses("상향 샘플링", "상향\n샘플링으로 키웁니다", ours)) == 1
    assert _uses("파라미터", "하이퍼파라미터를 고릅니다", ours) == []
    assert len(_uses("파라미터", "파라미터와 하이퍼파라미터", ours)) == 1


OURS = _ours()


@pytest.mark.parametrize("term", _banned())
def test_korean_prose_uses_our_term_not(term):
    found = [
        f"{where}: …{snippet}…"
        for where, text in _korean_prose()
        for snippet in _uses(term, text, OURS)
    ]
    assert not found, f"use the glossary's term instead of {term!r}:\n" + "\n".join(
        found
    )
