"""Sphinx additions for the DCGAN Book's web pages.

Every page is one language, but the site is one Sphinx project with one
``language`` setting, which would tag all pages ``lang="en"``. Pages of the
Korean edition get ``<html lang="ko">`` here, so screen readers speak them in
Korean, browsers pick a Hangul font and do not hyphenate them as English.
Shared pages that hold both languages (landing page, glossary, references)
stay ``en``, the site's language.

It also removes a script that a Jupyter Book extension puts on every page twice
(see ``_drop_repeated_inline_scripts``).
"""

from __future__ import annotations

import re

from sphinx.search.en import SearchEnglish

KOREAN_FOLDERS = ("notebooks/ko/", "book/ko/")

# Particles (josa) and the copula written onto a Korean noun: 판별자는, 판별자가,
# 판별자의, 판별자입니다. Longest first, so 에서는 goes before 는.
PARTICLES = sorted(
    "은 는 이 가 을 를 의 에 도 만 와 과 로 으로 에서 에게 까지 부터 보다 처럼 "
    "이나 나 에는 에서는 으로는 로는 와는 과는 에도 이다 입니다 이고 이며 "
    "이라는 라는 이란 란".split(),
    key=len,
    reverse=True,
)
HANGUL_END = re.compile(r"[\uac00-\ud7a3]$")


def page_language(pagename: str) -> str:
    """``"ko"`` for a page of the Korean edition, ``"en"`` for any other."""
    return "ko" if pagename.startswith(KOREAN_FOLDERS) else "en"


def _set_language(app, pagename, templatename, context, doctree):
    context["language"] = page_language(pagename)


def _drop_repeated_inline_scripts(app, pagename, templatename, context, doctree):
    """Keep one copy of each inline script.

    sphinx-thebe adds its settings as an inline script (``const THEBE_JS_URL =
    ...``) while Sphinx's builder already exists, so Sphinx 7.4 registers it
    twice, once as ``None`` and once as ``""``: the page then declares the same
    ``const`` twice and the browser reports a SyntaxError on every page.
    """
    seen, kept = set(), []
    for script in context.get("script_files", []):
        body = script.attributes.get("body") if not script.filename else None
        if body is not None:
            if body in seen:
                continue
            seen.add(body)
        kept.append(script)
    context["script_files"] = kept


class SearchEnglishAndKorean(SearchEnglish):
    """Sphinx's English search index, plus each Korean word without its particle.

    Sphinx cuts text into words at spaces and punctuation, and Korean writes
    particles onto the noun, so without this 판별자는 and 판별자가 are words of
    their own and a search for 판별자 misses every page that only writes those.
    The bare noun is added next to the word as written (never instead of it), and
    only when at least two syllables remain, so a search for the written form
    still finds it.
    """

    def split(self, input: str) -> list[str]:
        words = super().split(input)
        return words + [bare for w in words if (bare := without_particle(w))]


def without_particle(word: str) -> str | None:
    """``판별자는`` -> ``판별자``; None for a word with no particle to remove."""
    if not HANGUL_END.search(word):
        return None
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return None


def setup(app):
    # The site's search language is English (``language: en``): its index
    # builder is replaced by the one that also knows Korean particles.
    app.add_search_language(SearchEnglishAndKorean)
    app.connect("html-page-context", _set_language)
    app.connect("html-page-context", _drop_repeated_inline_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
