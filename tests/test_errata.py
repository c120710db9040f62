"""The numbers the errata pages state are recomputed here, so they stay true, and
the two editions keep the same entries, pointing at chapters and sections that exist."""

import copy
import dataclasses
import re
from pathlib import Path

import nbformat
import pytest
import torch
from torch import nn

import dcgan_lib as dl

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "book" / "en" / "errata.md", ROOT / "book" / "ko" / "errata.md"]


def _saturated_fraction(std):
    torch.manual_seed(0)
    generator = dl.Generator()
    generator.apply(lambda module: dl.weights_init(module, std=std))
    with torch.no_grad():
        images = generator(torch.randn(64, 100, 1, 1))
    return (images.abs() > 0.99).float().mean().item()


def _batchnorm_output_std(gamma_mean):
    torch.manual_seed(0)
    layer = nn.BatchNorm2d(32)
    nn.init.normal_(layer.weight, gamma_mean, 0.02)
    nn.init.zeros_(layer.bias)
    return layer(torch.randn(64, 32, 8, 8) * 3 + 1).std().item()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_std_point_two_saturates_the_generator(page):
    saturated = _saturated_fraction(0.2)
    assert _saturated_fraction(0.02) == 0
    assert f"{saturated:.0%}".replace("%", " %") in page.read_text()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_batchnorm_gamma_around_zero_silences_the_layer(page):
    silent, normal = _batchnorm_output_std(0.0), _batchnorm_output_std(1.0)
    text = page.read_text()
    assert f"{silent:.3f}" in text  # "drops from 1.00 to 0.020"
    assert silent < 0.05 and normal == pytest.approx(1.0, abs=0.02)


# --- the pages' structure: same entries, true cross-references -------------------

HANGUL = re.compile(r"[\uac00-\ud7a3]")
EN, KO = PAGES


def _entries(page):
    """{section: [entry, ...]}: an entry is a paragraph that opens in bold."""
    sections = page.read_text().split("\n## ")[1:]
    return [
        [p for p in section.split("\n\n") if p.lstrip().startswith("**")]
        for section in sections
    ]


def _references(text, lang):
    """(chapter, section or None) for every chapter an entry points to."""
    if lang == "en":
        pattern = r"chapters? (\d{2})((?:, sections? [\d.]+(?: and [\d.]+)*)?)"
    else:
        pattern = r"(\d+)장((?: ?[\d.]+절(?:과|와|,)?)*)"
    found = []
    for chapter, sections in re.findall(pattern, text):
        numbers = [s.rstrip(".") for s in re.findall(r"\d[\d.]*", sections)]
        found += [(int(chapter), s) for s in numbers] or [(int(chapter), None)]
    return sorted(found, key=str)


def test_the_reference_parser_reads_both_languages():
    assert _references("chapter 06, sections 5.4 and 6, and chapter 05.", "en") == [
        (5, None),
        (6, "5.4"),
        (6, "6"),
    ]
    assert _references("[6장 5.4절과 6절](x), 5장과 1장의 작은", "ko") == [
        (1, None),
        (5, None),
        (6, "5.4"),
        (6, "6"),
    ]


def test_both_editions_have_the_same_entries_in_the_same_order():
    en, ko = _entries(EN), _entries(KO)
    assert [len(s) for s in en] == [len(s) for s in ko]
    for en_entry, ko_entry in zip(sum(en, []), sum(ko, [])):
        assert _references(en_entry, "en") == _references(ko_entry, "ko"), (
            en_entry[:60],
            ko_entry[:60],
        )


def _headings(notebook):
    return [
        line
        for cell in nbformat.read(notebook, as_version=4).cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_every_chapter_and_section_referred_to_exists(page):
    lang = page.parent.name
    refs = {
        ref for entry in sum(_entries(page), []) for ref in _references(entry, lang)
    }
    assert refs
    for chapter, section in refs:
        notebooks = list((ROOT / "notebooks" / lang).glob(f"{chapter:02d}_*.ipynb"))
        assert len(notebooks) == 1, f"chapter {chapter:02d} does not exist ({lang})"
        if section is not None:
            heading = re.compile(rf"^#{{2,4}} {re.escape(section)}(\.\s|\s)")
            assert any(heading.match(h) for h in _headings(notebooks[0])), (
                f"chapter {chapter:02d} has no section {section} ({lang})"
            )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_links_and_named_tests_exist(page):
    text, lang = page.read_text(), page.parent.name
    for target in re.findall(r"\]\((\.\./[^)]+)\)", text):
        assert (page.parent / target).resolve().exists(), target
        if "notebooks/" in target:
            assert f"notebooks/{lang}/" in target, target
    for path, name in re.findall(r"`(tests/test_\w+\.py)(?:::(\w+))?`", text):
        assert (ROOT / path).exists(), path
        if name:
            assert f"def {name}(" in (ROOT / path).read_text(), f"{path}::{name}"


def test_the_english_page_has_no_korean_but_its_twin_link():
    first, *rest = EN.read_text().splitlines()
    assert first == "[한국어판](../ko/errata.md)"
    assert not [line for line in rest if HANGUL.search(line)]


# --- the numbers and claims of the newer entries ---------------------------------


def _text(page):
    """The page with plain minus signs and every line break a space."""
    return " ".join(page.read_text().replace("−", "-").split())


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_normalize_half_half_maps_to_minus_one_one_not_to_mean_zero(page):
    images = dl.load_dataset("mnist5k", image_size=32).tensors[0]
    assert images.min() == -1 and images.max() == 1  # Tanh's range, all of it
    text = _text(page)
    assert f"{images.mean():.3f}" in text and f"{images.std():.3f}" in text
    assert f"{(images == -1).float().mean():.0%}".replace("%", " %") in text
    assert images.mean() < -0.7  # far from 0


def _untrained_d_outputs():
    """Mean D output on one real batch and on G's fakes, for ten seeds."""
    cfg = dl.book_config("mnist5k")
    images = dl.load_dataset("mnist5k", image_size=32).tensors[0]
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    real = images[order[:64]]
    on_real, on_fake = [], []
    for seed in range(10):
        G, D = dl.build_models(dataclasses.replace(cfg, seed=seed))
        z = torch.randn(64, cfg.nz, 1, 1, generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            on_real.append(torch.sigmoid(D(real)).mean().item())
            on_fake.append(torch.sigmoid(D(G(z))).mean().item())
    return on_real, on_fake


def test_an_untrained_d_does_not_start_near_one():
    on_real, on_fake = _untrained_d_outputs()
    en, ko = _text(EN), _text(KO)
    for values in (on_real, on_fake):
        low, high = min(values), max(values)
        assert 0.3 < low < high < 0.7  # around one half, nowhere near 1
        assert f"between {low:.2f} and {high:.2f}" in en
        assert f"{low:.2f}에서 {high:.2f}" in ko
    assert not all(r > f for r, f in zip(on_real, on_fake))  # no edge for real


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_the_eval_mode_numbers_are_chapter_04s(page):
    # the numbers the page quotes are those chapter 04 prints, in the same edition
    lang = page.parent.name
    (chapter,) = (ROOT / "notebooks" / lang).glob("04_*.ipynb")
    printed = "".join(
        output.get("text", "")
        for cell in nbformat.read(chapter, as_version=4).cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "eval mode 0.0005, dl.prepare_for_sampling 0.072" in printed
    assert "0.0005" in page.read_text() and "0.072" in page.read_text()


def test_the_averaged_generator_carries_statistics_of_other_weights():
    # update_ema averages the weights but copies the buffers from G
    G, _ = dl.build_models(dl.book_config("mnist5k"))
    G_ema = copy.deepcopy(G)
    with torch.no_grad():
        G.train()(torch.randn(64, 100, 1, 1))  # G's statistics move...
        for p in G.parameters():
            p.mul_(1.1)  # ...and so do its weights
    dl.update_ema(G_ema, G, decay=0.999, step=10_000)
    assert all(torch.equal(a, b) for a, b in zip(G_ema.buffers(), G.buffers()))
    assert not all(
        torch.equal(a, b) for a, b in zip(G_ema.parameters(), G.parameters())
    )
    # an untrained generator in eval mode: nearly identical images; re-estimated: varied
    fresh, _ = dl.build_models(dl.book_config("mnist5k"))
    z = torch.randn(64, 100, 1, 1, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        stale = copy.deepcopy(fresh).eval()(z)
    sampled = dl.generate(dl.prepare_for_sampling(fresh), z)
    assert stale.std(0).mean() < 0.1 * sampled.std(0).mean()
