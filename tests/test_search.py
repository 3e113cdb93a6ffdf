"""Lemma- and compound-aware word search over answers."""

from __future__ import annotations

import pandas as pd
import pytest

from integkit.text.search import matched_words, query_words, search_answers


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("Die Wohnungen sind knapp", "Wohnung", ["Wohnungen"]),
        ("Der Wohnungsmarkt ist angespannt", "Wohnung", ["Wohnungsmarkt"]),
        ("wohnungen fehlen", "WOHNUNG", ["wohnungen"]),
        ("Mehr Sprachkurse am Abend", "Sprache", ["Sprachkurse"]),
        ("Die Behoerden sind langsam", "Behörde", ["Behoerden"]),
        ("Unsere Helfer*innen sind müde", "Helfer", ["Helfer"]),
        ("Wohnraum fehlt", "Wohn", ["Wohnraum"]),  # a word of 4+ letters also finds words starting with it
        ("Deutschkurs und Wohnung", "Kurs Wohnung", ["Deutschkurs", "Wohnung"]),
        ("Das Ehrenamtsbüro im Rathaus", "Ehrenamt", ["Ehrenamtsbüro"]),
    ],
)
def test_finds_inflections_compounds_and_spellings(text: str, query: str, expected: list[str]) -> None:
    assert matched_words(text, query) == expected


@pytest.mark.parametrize(
    ("text", "query"),
    [("Die Unterkunft ist voll", "Wohnung"), ("Deutschkurs", "Kurs Wohnung"), ("Mehr Kurse", ""), ("", "Wohnung")],
)
def test_no_match(text: str, query: str) -> None:
    assert matched_words(text, query) == []


def test_stop_words_are_dropped_from_queries_unless_alone() -> None:
    assert query_words("die Wohnung") == ["Wohnung"]
    assert query_words("die") == ["die"]


def test_search_answers_keeps_matching_rows_with_the_words() -> None:
    answers = pd.DataFrame({"response_id": [1, 2, 3], "text": ["Wohnungsmarkt leer", "Sprachkurs", None]})
    found = search_answers(answers, "Wohnung")
    assert found["response_id"].tolist() == [1]
    assert found["matched"].tolist() == ["Wohnungsmarkt"]
    assert search_answers(answers, "").empty
