"""Discovery surfaces themes the codebook lacks (mobility, digital access)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from integkit.themes.discover import discover
from integkit.io import read_table

FIXTURES = Path(__file__).parent / "fixtures" / "themes"
MOBILITY = re.compile(r"(?i)\bbus\b|busse|busverbindung|busanbindung|öpnv|fahrrad|fahrdienst|führerschein|nahverkehr|rufbus|fahrkarte|fahrplan|bahn\b")
DIGITAL = re.compile(r"(?i)wlan|laptop|online|internet|digital|computer|tablet|handy|router|hotspot")


@pytest.fixture(scope="module")
def dev_result():
    texts = read_table(FIXTURES / "dev.csv").frame["text"].tolist()
    return texts, discover(texts, seed=0)


def _clusters_of(texts, clusters, pattern):
    return [c for t, c in zip(texts, clusters) if pattern.search(t) and "Beratungsbus" not in t]


@pytest.mark.parametrize(("name", "pattern", "other"), [("mobility", MOBILITY, DIGITAL), ("digital", DIGITAL, MOBILITY)])
def test_missing_theme_gets_clusters_of_its_own(dev_result, name, pattern, other) -> None:
    texts, result = dev_result
    hits = _clusters_of(texts, result.clusters, pattern)
    clustered = [c for c in hits if c is not None]
    assert len(clustered) >= len(hits) / 2, f"{name}: too few answers clustered"
    # the clusters holding most of these answers are made of them, not of other topics
    main = [c for c, n in Counter(clustered).items() if n >= 3]
    assert main, f"{name}: no cluster"
    for c in main:
        members = [t for t, k in zip(texts, result.clusters) if k == c]
        assert sum(bool(pattern.search(t)) for t in members) / len(members) >= 0.7
        assert not any(other.search(t) and not pattern.search(t) for t in members)
        row = result.summary.set_index("cluster").loc[c]
        assert row["overlap"] == "neu"
        assert row["quote_1"] in members


def test_beratungsbus_is_not_mobility(dev_result) -> None:
    texts, result = dev_result
    mobility_clusters = {c for c in _clusters_of(texts, result.clusters, MOBILITY) if c is not None}
    for text, c in zip(texts, result.clusters):
        if "Beratungsbus" in text:
            assert c not in mobility_clusters


def test_summary_shape_and_non_answers_unclustered(dev_result) -> None:
    texts, result = dev_result
    s = result.summary
    assert list(s["cluster"]) == list(range(1, len(s) + 1))
    assert (s["size"].diff().dropna() <= 0).all()  # largest first
    assert all(len(str(t).split(", ")) >= 3 for t in s["top_terms"])
    for text, c in zip(texts, result.clusters):
        if text.strip() in {"k. A.", "-", "weiß nicht", "nichts", "keine Angabe", "siehe oben"}:
            assert c is None


def test_deterministic_for_a_seed() -> None:
    texts = read_table(FIXTURES / "dev.csv").frame["text"].tolist()[:200]
    a, b = discover(texts, seed=3), discover(texts, seed=3)
    assert a.clusters == b.clusters and a.summary.equals(b.summary)


def test_too_little_input_gives_no_clusters() -> None:
    result = discover(["k. A.", "Mehr Wohnungen"])
    assert result.clusters == [None, None] and result.summary.empty


def test_display_names_restricted_to_wanted_terms_agree() -> None:
    from integkit.text import normalize as T
    from integkit.themes.discover import _display_names

    texts = read_table(FIXTURES / "dev.csv").frame["text"].tolist()[:300]
    token_lists = [T.tokens(t) for t in texts]
    full = _display_names(token_lists)
    wanted = set(list(full)[::7])
    assert _display_names(token_lists, wanted) == {k: v for k, v in full.items() if k in wanted}


def test_large_inputs_fit_nmf_on_a_sample(monkeypatch) -> None:
    """Above NMF_SAMPLE answers the topics are learnt on a seeded sample; still deterministic."""
    import importlib

    D = importlib.import_module("integkit.themes.discover")  # the module (the package exports the function)
    texts = read_table(FIXTURES / "dev.csv").frame["text"].tolist()
    monkeypatch.setattr(D, "NMF_SAMPLE", 150)
    a, b = discover(texts, seed=0), discover(texts, seed=0)
    assert a.clusters == b.clusters and a.summary.equals(b.summary)
    assert not a.summary.empty and sum(c is not None for c in a.clusters) >= 20
    mobility = Counter(_clusters_of(texts, a.clusters, MOBILITY))
    assert mobility and mobility.most_common(1)[0][0] is not None
