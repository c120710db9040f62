"""book/_ext/book_site.py: the Sphinx additions behind the web pages."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import book_site  # noqa: E402


@pytest.mark.parametrize(
    "word, bare",
    [
        ("판별자는", "판별자"),
        ("판별자가", "판별자"),
        ("판별자의", "판별자"),
        ("생성자에서는", "생성자"),  # the longest particle, not just 는
        ("합성곱으로", "합성곱"),
        ("DCGAN은", "DCGAN"),
    ],
)
def test_a_particle_comes_off_a_korean_word(word, bare):
    assert book_site.without_particle(word) == bare


@pytest.mark.parametrize("word", ["판별자", "학습", "평가", "이", "batch", "G가"])
def test_words_too_short_or_not_korean_keep_their_ending(word):
    """Two syllables must remain: 평가 is a word, not 평 + the particle 가."""
    assert book_site.without_particle(word) is None


def test_the_index_gets_the_bare_word_next_to_the_written_one():
    words = book_site.SearchEnglishAndKorean({}).split("판별자는 진짜와 가짜를 가린다")
    assert words[:4] == ["판별자는", "진짜와", "가짜를", "가린다"]
    assert {"판별자", "진짜", "가짜"} <= set(words[4:])


@pytest.mark.parametrize(
    "page, lang",
    [
        ("notebooks/ko/06_training", "ko"),
        ("book/ko/for_teachers", "ko"),
        ("notebooks/en/06_training", "en"),
        ("book/glossary", "en"),
        ("book/index", "en"),
    ],
)
def test_page_language(page, lang):
    assert book_site.page_language(page) == lang
