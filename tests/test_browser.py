"""Every page of the built book, opened in a real browser with no network.

Debian's Chromium (``apt-get install chromium``; .ci/run installs it), driven by
Playwright's Python API pointed at that browser; Playwright's own browser
download is never used. The site is served on localhost and every request for
another host is refused, so a page that needs the network to show its formulas,
images or scripts fails here the way it would for a reader offline.

Checked on each page: no console or script errors, no raw TeX left outside code,
every image loaded, the link to the same page in the other language, the Colab
launch button on chapter pages, solution cells collapsed behind a toggle, and
Korean text drawn with a font that has Hangul. Screenshots of the landing page
and of one chapter per language go to ``_build/screenshots/`` for a reader of
the CI log.

Without Chromium the test is skipped with the reason, except under CI (the
environment variable CI is set), where a missing browser is a failure.
"""

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("DCGAN_CHROMIUM") or shutil.which("chromium")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Flags as on a server with no display and no network: no sandbox (CI runs as
# root), no background calls to Google's hosts (refused here, noisily).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _pages():
    """Every page of the table of contents, as (page, its twin or None)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc["parts"]:
        pages += [chapter["file"] for chapter in part["chapters"]]
    twins = {}
    for page in pages:
        for lang, other in (("/ko/", "/en/"), ("/en/", "/ko/")):
            if lang in page:
                twins[page] = page.replace(lang, other)
    return [(page, twins.get(page)) for page in pages]


PAGES = _pages()


def _need_browser():
    problem = None
    if CHROMIUM is None:
        problem = "Chromium is not installed (Debian: apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (pip install -r requirements.txt)"
    if problem and os.environ.get("CI"):
        pytest.fail(f"{problem}; CI must run the browser test")
    if problem:
        pytest.skip(problem)


@pytest.fixture(scope="module")
def server(site):
    """The built site on http://127.0.0.1:<free port>/."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site's files without a log line per request."""

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def hangul_fonts():
    """Font families installed here that cover Korean, by fontconfig."""
    listed = subprocess.run(
        ["fc-list", ":lang=ko", "family"], capture_output=True, text=True
    ).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


class Visit:
    """One page opened in a fresh tab: what went wrong while it loaded."""

    def __init__(self, browser, url):
        self.errors, self.offsite = [], []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"),
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"script: {e}"))
        self.page.route(re.compile(r"^(?!http://127\.0\.0\.1:)"), self._refuse)
        self.page.goto(url, wait_until="load")
        # MathJax typesets after the load event: wait until it has finished.
        self.page.evaluate(
            "async () => { if (window.MathJax && MathJax.startup)"
            " await MathJax.startup.promise; }"
        )

    def _refuse(self, route):
        self.offsite.append(route.request.url)
        route.abort()

    def close(self):
        self.page.close()


# Text of the article with code, outputs and typeset math left out: where raw
# TeX would show if MathJax had not run.
ARTICLE_TEXT = """() => {
  const article = document.querySelector('article.bd-article').cloneNode(true);
  article.querySelectorAll('pre, code, script, style, mjx-container, .output')
    .forEach(e => e.remove());
  return article.textContent;
}"""

IMAGES = """async () => {
  const images = [...document.querySelectorAll('img')];
  images.forEach(i => i.loading = 'eager');
  await Promise.all(images.map(i => i.decode().catch(() => null)));
  return images.map(i => ({src: i.getAttribute('src'), width: i.naturalWidth}));
}"""


@pytest.mark.parametrize("page, twin", PAGES, ids=[p for p, _ in PAGES])
def test_page_in_a_browser(browser, server, hangul_fonts, page, twin):
    visit = Visit(browser, server + page + ".html")
    try:
        _check_page(visit, server, hangul_fonts, page, twin)
    finally:
        visit.close()


def _check_page(visit, server, hangul_fonts, page, twin):
    tab = visit.page
    assert visit.offsite == [], f"the page asked the network for {visit.offsite}"
    assert visit.errors == [], visit.errors

    lang = "ko" if "/ko/" in page else "en"
    assert tab.get_attribute("html", "lang") == lang

    # Formulas: every math element typeset, none an error, no TeX left as text.
    math = tab.locator("article .math")
    typeset = tab.locator("article .math mjx-container")
    assert typeset.count() == math.count(), "some formulas were not typeset"
    assert tab.locator("mjx-merror").count() == 0, "MathJax could not parse a formula"
    text = tab.evaluate(ARTICLE_TEXT)
    for raw in ("\\(", "\\[", "$$"):
        assert raw not in text, f"raw TeX {raw!r} in: ...{_around(text, raw)}..."

    broken = [i["src"] for i in tab.evaluate(IMAGES) if i["width"] == 0]
    assert broken == [], f"images that did not load: {broken}"

    if twin is not None:
        name = twin.rsplit("/", 1)[1]
        other = "en" if lang == "ko" else "ko"
        link = tab.locator(f'article a[href="../{other}/{name}.html"]')
        assert link.count() >= 1, f"no link to {twin} in the article"
        response = tab.request.get(server + twin + ".html")
        assert response.ok, f"{twin}: HTTP {response.status}"

    if page.startswith("notebooks/"):
        colab = tab.locator('a[href^="https://colab.research.google.com/github/"]')
        assert colab.count() == 1, "no Colab launch button"
        assert colab.get_attribute("href").endswith(f"/blob/main/{page}.ipynb")
        _check_solutions_are_folded(tab)

    if HANGUL.search(text):
        _check_hangul_font(tab, hangul_fonts)


def _check_solutions_are_folded(tab):
    """Solution cells are hidden until the reader opens their toggle."""
    solutions = tab.locator("article .cell.tag_solution")
    assert solutions.count() >= 1, "a chapter without exercise solutions"
    for k in range(solutions.count()):
        cell = solutions.nth(k)
        assert cell.locator("details").count() == 1, "a solution with no toggle"
        assert not cell.locator("details").evaluate("d => d.open")
        assert not cell.locator(".cell_input").is_visible()
    first = solutions.first
    first.locator("details > summary").click()
    assert first.locator(".cell_input").is_visible(), "the toggle does not open"


def _check_hangul_font(tab, hangul_fonts):
    """The fonts Chromium drew a Korean paragraph with cover every Hangul glyph
    in it (no empty boxes): asked of the browser's own renderer through CDP."""
    paragraphs = tab.locator("article p")
    index = next(
        i for i, t in enumerate(paragraphs.all_inner_texts()) if HANGUL.search(t)
    )
    own_text = paragraphs.nth(index).evaluate(
        "p => [...p.childNodes].filter(n => n.nodeType === 3)"
        ".map(n => n.textContent).join('')"
    )
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "article p"})
    node = nodes["nodeIds"][index]  # the same paragraph: both in document order
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    korean = sum(f["glyphCount"] for f in fonts if f["familyName"] in hangul_fonts)
    hangul = len(HANGUL.findall(own_text))
    assert korean >= hangul, f"{hangul} Hangul letters, drawn with {fonts}"


def _around(text, needle, width=60):
    at = text.index(needle)
    return text[max(0, at - width) : at + width].replace("\n", " ")


def test_korean_search_finds_a_word_with_its_particle(browser, server, site):
    """판별자 (discriminator) finds pages that only write it with a particle
    attached (판별자는, 판별자가, ...): Korean words are one token with their
    particle, and the search must match the start of a token."""
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    terms = re.search(r'"terms":\s*({.*?})\s*,\s*"titles"', index, re.S)
    assert terms, "searchindex.js has no terms table"
    import json

    table = json.loads(terms.group(1))
    docnames = json.loads(re.search(r'"docnames":\s*(\[.*?\])', index).group(1))
    exact = _docs(table.get("판별자", []))
    attached = set()
    for term, docs in table.items():
        if term.startswith("판별자") and term != "판별자":
            attached |= _docs(docs)
    only_attached = {docnames[d] for d in attached - exact}
    assert only_attached, "no page writes 판별자 only with a particle: no test"

    visit = Visit(browser, server + "search.html?q=" + quote("판별자"))
    try:
        tab = visit.page
        # Sphinx lists the results one by one, then writes its summary.
        tab.wait_for_function(
            "() => /found|did not match/.test("
            "document.querySelector('#search-results .search-summary')"
            "?.textContent ?? '')",
            timeout=30_000,
        )
        hrefs = tab.eval_on_selector_all(
            "#search-results ul.search li a", "links => links.map(a => a.href)"
        )
        found = {urlparse(h).path.lstrip("/").removesuffix(".html") for h in hrefs}
        assert only_attached <= found, f"not found: {only_attached - found}"
        assert visit.errors == []
    finally:
        visit.close()


def _docs(entry):
    return {entry} if isinstance(entry, int) else set(entry)


def test_screenshots_for_the_ci_log(browser, server):
    """The landing page and chapter 06 in each language, as a reader sees them."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for page, name in [
        ("book/index", "landing"),
        ("notebooks/ko/06_training", "ko_06_training"),
        ("notebooks/en/06_training", "en_06_training"),
    ]:
        visit = Visit(browser, server + page + ".html")
        try:
            path = SCREENSHOTS / f"{name}.png"
            visit.page.screenshot(path=str(path))
            assert path.stat().st_size > 10_000, f"{path} looks empty"
            print(f"screenshot: {path}")
        finally:
            visit.close()
