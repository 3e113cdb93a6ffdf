"""integkit.compounds.FastTagger gives exactly stock HanTa's analyses (it only computes them faster).

Compared word by word: ``analyze(word, taglevel=3)``, the forward pass's POS log
probabilities (exact floats, via repr) and the Viterbi path for the three best POS, on the
labelled answers' words (as written and lowercase), misspellings of them, and hostile words;
in text order and shuffled (the row memos then hold different prefixes), and once more with
tiny memo bounds so that memos are cleared in the middle of words.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from HanTa import HanoverTagger

import integkit.compounds as C
from integkit.text import tokens

FIXTURES = Path(__file__).parent / "fixtures" / "themes"
HOSTILE = [
    "a" * 64, "A" * 64, "ab" * 32, "Straße2023Haus", "h4us3r", "Wohnung123markt", "Москваhaus", "Haus日本語wohnung",
    "ΑθήναHaus", "ÄÖÜäöüß", "İstanbul", "x", "Xy", "abc", "über", "7", "Kindergartenplatzmangelproblematikdiskussionsrunde",
    "WOHNUNGSMARKTSITUATION", "e" * 30, "ä" * 40, "ßßßßßßß",
]


def _words() -> list[str]:
    words: list[str] = []
    for name in ("dev.csv", "test.csv"):
        with open(FIXTURES / name, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh, delimiter=";"):
                words += [t for t in tokens(row["text"]) if 7 <= len(t) <= 30]
    words = list(dict.fromkeys(words))[:400]
    rng = random.Random(3)
    typos = []
    for w in words[:150]:  # one letter dropped: what HanTa's strict pass fails on
        i = rng.randrange(1, len(w) - 1)
        typos.append(w[:i] + w[i + 1 :])
    return words + [w.lower() for w in words[:150]] + typos + HOSTILE


@pytest.fixture(scope="module")
def stock() -> HanoverTagger.HanoverTagger:
    return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")


def _differences(stock, fast, words: list[str]) -> list[str]:
    bad = []
    for w in words:
        same = repr(stock.analyze(w, taglevel=3)) == repr(fast.analyze(w, taglevel=3))
        low = w.lower()
        forward = stock.analyze_forward(low)
        same = same and repr(forward) == repr(fast.analyze_forward(low))
        for pos, _ in forward[:3]:
            same = same and repr(stock.analyze_viterbi(low, -pos)) == repr(fast.analyze_viterbi(low, -pos))
        if not same:
            bad.append(w)
    return bad


def test_fast_tagger_is_exact(stock) -> None:
    fast = C.FastTagger()
    assert fast._fast  # the fast path is in use (the model met its assumptions)
    words = _words()
    assert _differences(stock, fast, words) == []
    shuffled = words[:]
    random.Random(5).shuffle(shuffled)
    assert _differences(stock, C.FastTagger(), shuffled) == []


def test_fast_tagger_is_exact_when_memos_are_cleared_mid_word(stock, monkeypatch) -> None:
    monkeypatch.setattr(C, "_MAX_ROWS", 5)
    monkeypatch.setattr(C, "_MAX_SEGMENTS", 7)
    monkeypatch.setattr(C, "_MAX_FILTERED", 3)
    words = _words()[::4]
    assert _differences(stock, C.FastTagger(), words) == []
