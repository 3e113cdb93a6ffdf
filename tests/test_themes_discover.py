"""Discovery surfaces themes the codebook lacks (mobility, digital access) from content words."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from integkit.io import read_table
from integkit.text.normalize import is_content_word
from integkit.themes.assign import split_themes
from integkit.themes.discover import NEW, SUMMARY_COLUMNS, discover
from integkit.themes.evaluate import discovery_share
from theme_sets import THEMES, external

MOBILITY = re.compile(r"(?i)\bbus\b|busse|busverbindung|busanbindung|öpnv|fahrrad|fahrdienst|führerschein|nahverkehr|rufbus|fahrkarte|fahrplan|bahn\b")
DIGITAL = re.compile(r"(?i)wlan|laptop|online|internet|digital|computer|tablet|handy|router|hotspot")
# The words issue 12 found in cluster terms: fillers, numbers, adverbs, generic verbs.
FILLERS = {"seit", "zwei", "inzwischen", "meist", "gerade", "jung", "kommen", "laufen", "gehen", "machen", "geben", "beim", "erst", "direkt"}


@pytest.fixture(scope="module")
def external_dev():
    ext = external()
    frame = ext[ext["split"] == "dev"]
    texts = frame["text"].tolist()
    return texts, [set(split_themes(g)) for g in frame["gold"]], discover(texts, seed=0)


@pytest.mark.parametrize("theme", ["mobilitaet", "digitales"])
def test_missing_themes_land_in_clusters_of_their_own_on_the_external_set(external_dev, theme: str) -> None:
    # Answers written by another hand (labelled by THEMES.md); the development part (tuned on).
    # The test part's figures are printed by benchmarks/discovery.py.
    texts, gold, result = external_dev
    # Issue 12's target is 0.70 for both themes; on the development part mobility reaches 0.78 and
    # digital access 0.72 (benchmarks/discovery.py prints every figure).
    assert discovery_share(result.clusters, gold, theme) >= 0.70
    for cluster in {c for c, g in zip(result.clusters, gold) if theme in g and c is not None}:
        row = result.summary.set_index("cluster").loc[cluster]
        if Counter(t for c, g in zip(result.clusters, gold) if c == cluster for t in g).most_common(1)[0][0] == theme:
            assert row["overlap"] == NEW  # a cluster of a theme the codebook lacks is proposed as new


@pytest.mark.parametrize("theme", ["mobilitaet", "digitales"])
def test_missing_themes_land_in_clusters_of_their_own_on_the_whole_external_set(theme: str) -> None:
    # Issue 12's target on the external set as a whole (both parts in one run); before the second
    # pass over the unclustered answers, digital access reached 0.63 here
    ext = external()
    result = discover(ext["text"].tolist(), seed=0)
    assert discovery_share(result.clusters, [set(split_themes(g)) for g in ext["gold"]], theme) >= 0.70


def test_a_small_topic_crowded_out_by_large_ones_gets_a_cluster_of_its_own() -> None:
    # two large topics take the first pass's two clusters; the four answers about laptops fit
    # neither and form a cluster in the second pass over what was left (with four stray answers)
    bus = [f"Der Bus nach {p} fährt zu selten, ein Rufbus am Abend fehlt." for p in ("Zolling", "Wang", "Au", "Haag")] * 5
    play = [f"Am Spielplatz {w} eine Schaukel und eine Rutsche." for w in ("fehlen", "wären schön")] * 10
    stray = ["Die Hopfenernte im Herbst.", "Ein Chor im Pfarrheim.", "Der Kiosk am See.", "Die Bücherei im Ort."]
    laptops = ["Laptops und Drucker für die Familien.", "Gespendete Laptops mit Drucker verteilen.",
               "Ein Drucker und Laptops im Gemeinschaftsraum.", "Laptops fehlen, ein Drucker auch."]
    result = discover(bus + play + stray + laptops, n_clusters=2, seed=0)
    tail = result.clusters[-4:]
    assert None not in tail and len(set(tail)) == 1
    assert "Laptop" in result.summary.set_index("cluster").loc[tail[0], "label"]
    assert result.clusters[40:44] == [None] * 4  # stray answers stay out


def test_cluster_terms_signals_and_labels_are_content_words(external_dev) -> None:
    from integkit.text.normalize import content_terms, fold

    texts, _, result = external_dev
    assert not result.summary.empty
    for row in result.summary.itertuples():
        members = [t for t, c in zip(texts, result.clusters) if c == row.cluster]
        used = {fold(t) for text in members for t in content_terms(text)}  # nouns and their parts
        terms = [t.strip() for t in row.top_terms.split(",")]
        signals = [s.strip() for s in row.signals.split(";") if s.strip()]
        for term in terms:
            assert term.lower() not in FILLERS and fold(term) in used, (row.cluster, term)
        for word in signals + row.label.split(" und "):  # whole words a person wrote
            assert word.lower() not in FILLERS and is_content_word(word), (row.cluster, word)
        assert row.label and row.label[0].isupper()
    assert list(result.summary.columns) == SUMMARY_COLUMNS


def test_answers_the_codebook_explains_are_left_out() -> None:
    texts = read_table(THEMES / "dev.csv").frame["text"].tolist()
    covered = ["Mehr Wohnungen und Deutschkurse", "Helferkreis und Sprachcafé", "Die Ausländerbehörde und der Helferkreis"]
    result = discover(texts + covered, seed=0)
    assert result.clusters[-3:] == [None, None, None]
    assert all(result.assignments[-i].themes for i in (1, 2, 3))


def test_beratungsbus_is_not_mobility() -> None:
    texts = read_table(THEMES / "dev.csv").frame["text"].tolist()
    result = discover(texts, seed=0)
    mobility = {c for t, c in zip(texts, result.clusters) if MOBILITY.search(t) and "Beratungsbus" not in t and c is not None}
    assert mobility
    for text, c in zip(texts, result.clusters):
        if "Beratungsbus" in text:
            assert c not in mobility


def test_summary_shape_and_non_answers_unclustered(external_dev) -> None:
    texts, _, result = external_dev
    s = result.summary
    assert list(s["cluster"]) == list(range(1, len(s) + 1))
    assert (s["size"].diff().dropna() <= 0).all()  # largest first
    assert (s["size"] >= 3).all()
    assert s["size"].sum() == sum(c is not None for c in result.clusters)
    for row in s.itertuples():
        members = [t.strip() for t, c in zip(texts, result.clusters) if c == row.cluster]
        assert row.quote_1 in members
    for text, c in zip(texts, result.clusters):
        if text.strip() in {"k. A.", "-", "weiß nicht", "nichts", "keine Angabe", "siehe oben"}:
            assert c is None


def test_deterministic_for_a_seed() -> None:
    texts = external()["text"].tolist()
    a, b = discover(texts, seed=3), discover(list(texts), seed=3)
    assert a.clusters == b.clusters and a.summary.equals(b.summary)


def test_too_little_input_gives_no_clusters() -> None:
    result = discover(["k. A.", "Mehr Wohnungen"])
    assert result.clusters == [None, None] and result.summary.empty
    assert list(result.summary.columns) == SUMMARY_COLUMNS


def test_answers_whose_every_word_is_unique_do_not_break_the_second_pass() -> None:
    # After the two topics are placed, what is left has content words that occur once each, so
    # none survives min_df: such rows cannot shape a topic (the demo's May meeting, codebook 2.4.0).
    library = [f"Die Bibliothek braucht neue Regale und Bücher, Nummer {i}" for i in range(8)]
    cemetery = [f"Der Friedhof braucht eine Hecke und Bänke, Nummer {i}" for i in range(8)]
    animals = ["Zebra", "Giraffe", "Nashorn", "Flamingo", "Pinguin", "Walross", "Kolibri", "Leguan", "Tapir", "Okapi", "Alpaka", "Koala"]
    texts = library + cemetery + [f"Uns fehlt das {animal}." for animal in animals]
    result = discover(texts, seed=0)
    assert sorted(result.summary["size"]) == [8, 8]
    assert set(result.clusters[:16]) == {1, 2} and result.clusters[16:] == [None] * len(animals)


def test_small_meetings_of_other_peoples_answers_get_their_topics_and_no_error(monkeypatch) -> None:
    # 40 seeded draws of 10-40 external answers (a small meeting's open answers): a pass whose
    # rows have fewer independent directions than topics must not come out NaN (no clusters at
    # all) nor fail; both happened before.
    import random

    import numpy as np

    import integkit.themes.discover as D

    fitted = []
    real = D._topics

    def topics(X, k, seed, fit_rows):
        found = real(X, k, seed, fit_rows)
        fitted.append(found[2])
        return found

    monkeypatch.setattr(D, "_topics", topics)
    texts, draw = external()["text"].tolist(), random.Random(12)
    for _ in range(40):
        discover(draw.sample(texts, draw.randint(10, 40)), seed=0)
    assert fitted and all(np.isfinite(H).all() for H in fitted)


def test_places_are_never_signals_or_labels(external_dev) -> None:
    _, _, result = external_dev
    places = {"freising", "moosburg", "eching", "kirchdorf", "nandlstadt", "langenbach", "burg", "moos"}
    for row in result.summary.itertuples():
        assert not places & {s.strip().lower() for s in row.signals.split(";")}
        assert not places & {w.lower() for w in row.label.split(" und ")}


def test_large_inputs_fit_nmf_on_a_sample(monkeypatch) -> None:
    """Above NMF_SAMPLE answers the topics are learnt on a seeded sample: still deterministic,
    and the missing themes still come out as clusters of their own."""
    import importlib

    D = importlib.import_module("integkit.themes.discover")  # the module (the package exports the function)
    ext = external()
    texts, gold = ext["text"].tolist(), [set(split_themes(g)) for g in ext["gold"]]
    monkeypatch.setattr(D, "NMF_SAMPLE", 120)
    a, b = discover(texts, seed=0), discover(texts, seed=0)
    assert a.clusters == b.clusters and a.summary.equals(b.summary)
    assert a.clusters != discover(texts, seed=1).clusters  # the sample is drawn with the seed
    # learnt from 120 of the open answers, the clusters still hold most mobility and digital answers
    assert discovery_share(a.clusters, gold, "mobilitaet") >= 0.5
    assert discovery_share(a.clusters, gold, "digitales") >= 0.5


def test_discovery_share_counts_pluralities() -> None:
    gold = [{"mobilitaet"}, {"mobilitaet", "sprache"}, {"sprache"}, {"mobilitaet"}, {"sprache"}, {"sprache"}]
    clusters = [1, 1, 1, 2, 2, None]
    # cluster 1: mobilitaet 2, sprache 2 → a tie, no plurality; cluster 2: a tie too
    assert discovery_share(clusters, gold, "mobilitaet") == 0.0
    assert discovery_share([1, 1, 2, 2, 2, None], gold, "mobilitaet") == pytest.approx(2 / 3)
    assert discovery_share([1, 1, 2, 2, 2, None], gold, "mobilitaet", among=[False, True, True, True, True, True]) == 0.5
