"""Theme assignment: folding, compounds, counter-signals, non-answers, frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integkit.themes.assign import assign, assign_frame, explode_themes
from integkit.themes.assign import is_non_answer

FIXTURES = Path(__file__).parent / "fixtures" / "themes"


def themes_of(text: str) -> tuple[str, ...]:
    return assign([text])[0].themes


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("Die angespannte Wohnungsmarktsituation", "wohnen"),
        ("Der Mietmarkt ist leer", "wohnen"),
        ("Deutschlernen ist wichtig", "sprache"),
        ("Unsere Helferkreise sind aktiv", "ehrenamt"),
        ("Kinderbetreuung fehlt", "bildung"),
        ("Zu wenig Betreuungsplätze", "bildung"),
        ("Sprachforderung ausbauen", "sprache"),
        ("Die Behoerde ist ueberlastet", "verwaltung"),
        ("Helfer*innen brauchen Dank", "ehrenamt"),
        ("Helfer:innen brauchen Dank", "ehrenamt"),
        ("HelferInnen brauchen Dank", "ehrenamt"),
        ("Der Beratungsbus kommt", "beratung"),
        ("Der Arbeitskreis Asyl trifft sich", "strukturen"),
        ("Wohnraum ist bei uns kein Problem", "wohnen"),
        ("Wohnugen sind knapp", "wohnen"),  # one typo
        ("Mia brauchadn mehr Wohnunga", "wohnen"),  # Bavarian
        ("Housing is the main issue", "wohnen"),
    ],
)
def test_signal_reaches_theme(text: str, theme: str) -> None:
    assert theme in themes_of(text)


@pytest.mark.parametrize(
    ("text", "not_theme"),
    [
        ("Der Beratungsbus kommt jeden Dienstag", "arbeit"),
        ("Handarbeiten mit Frauen im Pfarrheim", "arbeit"),
        ("Der Arbeitskreis Asyl trifft sich", "arbeit"),
        ("In der Unterkunft findet ein Deutschkurs statt", "wohnen"),
        ("Die ehrenamtliche Arbeit der Helferkreise ist eine Säule", "arbeit"),
        ("Integrationsarbeit und Jugendarbeit laufen", "arbeit"),
        ("Beratung zu Kindergeld und Elterngeld", "finanzierung"),
        ("Das Ehrenamt ist stark", "verwaltung"),
    ],
)
def test_counter_signal_blocks_other_sense(text: str, not_theme: str) -> None:
    assert not_theme not in themes_of(text)


def test_counter_signal_examples_still_get_their_own_theme() -> None:
    assert themes_of("Handarbeiten mit Frauen im Pfarrheim") == ("begegnung",)
    assert "sprache" in themes_of("In der Unterkunft findet ein Deutschkurs statt")
    assert themes_of("Die Unterkunft ist in einem schlechten Zustand") == ("wohnen",)


@pytest.mark.parametrize("text", ["k. A.", "k.A.", "-", "weiß nicht", "nichts", "keine Angabe", "siehe oben", "", "  ", "s.o."])
def test_non_answers_get_no_theme(text: str) -> None:
    assert is_non_answer(text)
    assert themes_of(text) == ()


def test_multi_label_and_evidence_text() -> None:
    a = assign(["Wohnungsmarkt angespannt, mehr Sprachkurse nötig"])[0]
    assert a.themes == ("wohnen", "sprache")
    assert a.evidence_text().startswith("wohnen: Wohnungsmarkt→")
    assert "sprache: Sprachkurse→" in a.evidence_text()


def test_identical_texts_share_result_and_none_is_empty() -> None:
    res = assign(["Mehr Wohnungen", "Mehr Wohnungen", None])  # type: ignore[list-item]
    assert res[0] is res[1] and res[2].themes == ()


def test_assign_frame_and_explode() -> None:
    df = pd.DataFrame(
        {"meeting_id": ["m1"] * 3, "response_id": [1, 2, 3], "question_id": ["q_gut"] * 3,
         "text": ["Wohnungen und Sprachkurse fehlen", "k. A.", "Der Helferkreis ist super"]}
    )
    out = assign_frame(df)
    assert list(out.columns) == [*df.columns, "themes", "theme_evidence"]
    assert out["themes"].tolist() == ["wohnen;sprache", "", "ehrenamt"]
    long = explode_themes(out)
    assert long[["response_id", "theme"]].values.tolist() == [[1, "wohnen"], [1, "sprache"], [3, "ehrenamt"]]
    assert long.loc[0, "evidence"].startswith("Wohnungen→")
    assert {"meeting_id", "question_id", "text"} <= set(long.columns)


@pytest.mark.parametrize("phrase", ["Kann ich nicht beurteilen.", "k. A.", "nichts hinzuzufügen", "weiß ich nicht", "siehe oben"])
def test_a_non_answer_phrase_with_content_is_an_answer(phrase: str) -> None:
    # the non-answer rule covers whole answers only: the same words before real content count nothing
    assert is_non_answer(phrase) and themes_of(phrase) == ()
    assert not is_non_answer(f"{phrase} Wohnungen fehlen")
    assert themes_of(f"{phrase} Wohnungen fehlen") == ("wohnen",)


def test_signal_choice_does_not_depend_on_set_order() -> None:
    # Two signals of one theme in one word: the choice used to follow (hash-seeded) set order.
    a = assign(["Die Obdachlosenunterkunft ist voll"])[0]
    assert a.evidence == (("wohnen", "Obdachlosenunterkunft", "obdachlos"),)


# Words that reach one-word patterns, counter words, phrases and multi-word patterns, gender
# forms, digraphs and a stop word, joined by the spaces, punctuation and marks tokens split on.
_WORDS = [
    "Wohnung", "wohnungen", "Unterkunft", "in", "der", "Arbeit", "gute", "Helfer*innen", "HelferInnen", "Handarbeiten",
    "Arbeitskreis", "mehr", "Geld", "sich", "treffen", "kennenlernen", "deutsch", "lernen", "Behörde", "Behoerde",
    "Sprachförderung", "Beratungsbus", "feste", "Stelle", "Anerkennung", "Abschlüsse", "work", "permit", "nichts",
    "k.", "A.", "Wohnraum", "kein", "Problem", "Kita", "Kinderbetreuung", "Mietmarkt", "Ehrenamtliche*r", "ﷺ", "B1",
    "Schulsozialarbeit", "psychisch", "Fahrtkosten", "Vernetzung",
]
_SEPS = [" ", "  ", "\n", ", ", ". ", "-", "/", "*", ":", "_", "\t", "\u00a0", ""]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPS)), max_size=12))
def test_one_word_patterns_run_per_word_match_as_on_the_text(parts: list[tuple[str, str]]) -> None:
    # The matcher runs a pattern that cannot reach past a word once per distinct word; on the
    # answer's folded text it must find exactly the words it finds one by one.
    import regex

    from integkit.text import normalize as T
    from integkit.themes.assign import _is_word_level
    from integkit.themes.codebook import load_codebook

    text = "".join(w + sep for w, sep in parts)
    folded = [T.fold(t) for t in T.tokens(text)]
    ftext = " ".join(folded)
    patterns = [p for th in load_codebook().themes for p in (*th.signals.patterns, *th.counter_signals.patterns)]
    word_level = [p for p in patterns if _is_word_level(p)]
    assert len(word_level) >= 10 and len(word_level) < len(patterns)  # both kinds occur in the codebook
    for pattern in word_level:
        rx = regex.compile(pattern)
        per_word = [m.group(0) for f in folded for m in rx.finditer(f)]
        assert [m.group(0) for m in rx.finditer(ftext)] == per_word, pattern


@pytest.mark.parametrize(
    ("pattern", "word_level"),
    [(r"\bsprach\w*", True), (r"\b(a|b|c)[12]\b", True), (r"\bmehr geld\b", False), (r"\bsich\s+treffen", False),
     (r"kurs$", False), (r"\w+\W\w+", False), (r"wohn.ng", False), (r"z\.b", True), (r"(?<=neue )wohnung", False), (r"[^x]+", False)],
)
def test_word_level_patterns_are_told_apart(pattern: str, word_level: bool) -> None:
    from integkit.themes.assign import _is_word_level

    assert _is_word_level(pattern) is word_level
