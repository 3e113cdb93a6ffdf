"""German normalisation: folding, gender forms, lemmas, compounds, stop words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integkit.text import normalize as T


@pytest.mark.parametrize(
    ("a", "b"),
    [("Sprachförderung", "Sprachforderung"), ("überlastet", "ueberlastet"), ("Behörde", "Behoerde"), ("Straße", "Strasse"), ("Café", "cafe")],
)
def test_fold_makes_spellings_equal(a: str, b: str) -> None:
    assert T.fold(a) == T.fold(b)


@given(st.text(max_size=40))
def test_fold_is_idempotent(s: str) -> None:
    assert T.fold(T.fold(s)) == T.fold(s)


_GERMAN = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzäöüßÄÖÜ"), min_size=1, max_size=20)


@given(_GERMAN)
def test_fold_ignores_case_and_ascii_umlaut_spellings(word: str) -> None:
    ascii_spelling = word
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        ascii_spelling = ascii_spelling.replace(umlaut, plain)
    key = T.fold(word)
    assert key == T.fold(word.upper()) == T.fold(ascii_spelling) == T.fold(ascii_spelling.lower())
    assert key.isascii() and key == key.lower()
    assert not any(d in key for d in ("ae", "oe", "ue"))


@pytest.mark.parametrize("form", ["Helfer*innen", "Helfer:innen", "HelferInnen", "Helfer_innen", "Helfer/-innen", "Helfer/innen"])
def test_gender_forms_reduce_to_base(form: str) -> None:
    assert T.tokens(f"Die {form} sind toll") == ["Die", "Helfer", "sind", "toll"]


def test_gender_forms_inside_compounds_and_plain_words_untouched() -> None:
    assert T.tokens("Helfer*innenkreis") == ["Helferkreis"]
    assert T.tokens("Integration In Innenstadt") == ["Integration", "In", "Innenstadt"]


def test_tokens_split_hyphens_and_keep_digits() -> None:
    assert T.tokens("Kita-Plätze, B2-Kurse!") == ["Kita", "Plätze", "B2", "Kurse"]
    assert T.tokens("") == []


def test_lemma_restores_ascii_umlauts() -> None:
    assert T.lemma("Behoerden") == "Behörde"
    assert T.lemma("Wohnungen") == "Wohnung"


@pytest.mark.parametrize(
    ("word", "part"),
    [
        ("Wohnungsmarktsituation", "wohnung"),
        ("Wohnungsmarktsituation", "markt"),
        ("Mietmarkt", "miet"),
        ("Helferkreise", "helfer"),
        ("Kinderbetreuung", "betreuung"),
        ("Betreuungsplätze", "betreuung"),
        ("Beratungsbus", "beratung"),
        ("Handarbeiten", "arbeit"),
    ],
)
def test_compound_parts(word: str, part: str) -> None:
    assert part in T.compound_parts(word)


@pytest.mark.parametrize(
    ("word", "key"),
    [("Ehrenamtsbüro", "ehrenamt"), ("Ehrenamtskoordinatorin", "ehrenamt"), ("Kinderbetreuungsplätze", "kinderbetreuung"), ("Helferkreisleitung", "helferkreis")],
)
def test_a_compound_inside_a_longer_compound_is_one_of_its_parts(word: str, key: str) -> None:
    # HanTa splits Ehrenamt itself (ehre, n, amt): the run of adjacent parts is kept as well
    assert key not in T.compound_parts(word) and key in T.analyze(word).part_keys


@pytest.mark.parametrize(
    ("pattern", "folded"),
    [
        ("dauert", "daurt"),  # the text's "dauert" folds to "daurt"
        (r"\bFrauen\b", r"\bfraun\b"),
        (r"(?<=\bfür )\w*", r"(?<=\bfur )\w*"),
        (r"\bStraße", r"\bstrasse"),
        (r"[ae]\w*", r"[ae]\w*"),  # a character class stays
        (r"(?P<Neu>neue){0,2}", r"(?P<Neu>neu){0,2}"),  # a group's name and a counted repeat stay
        ("zue?", "zue?"),  # the repeat stays on its letter
        (r"\p{Lu}\W", r"\p{Lu}\W"),
    ],
)
def test_a_pattern_is_folded_like_the_text_it_runs_on(pattern: str, folded: str) -> None:
    assert T.fold_pattern(pattern) == folded
    assert T.fold_pattern(folded) == folded


def test_short_words_are_not_split() -> None:
    assert T.compound_parts("Kita") == ["kita"]


def test_stopwords_keep_feedback_words() -> None:
    assert {"und", "der", "die"} <= T.STOPWORDS
    for word in ("gut", "schlecht", "mehr", "fehlt", "leider"):
        assert word not in T.STOPWORDS


def test_content_terms_are_nouns_with_their_parts() -> None:
    terms = T.content_terms("Die Wohnungsmarktsituation ist leider schlecht")
    assert terms == ["wohnungsmarktsituation", "wohnung", "markt", "situation"]


def test_variants_strip_one_ending() -> None:
    assert "kurs" in T.variants("kurse")
    assert "behorde" in T.variants("behorden")


@pytest.mark.parametrize("word", ["des", "is", "ned", "net", "a", "hoid", "scho", "aa", "dann", "gibt", "san", "mia"])
def test_bavarian_function_words_are_stopwords(word: str) -> None:
    assert T.analyze(word).is_stopword
    assert T.analyze(word.capitalize()).is_stopword


def test_bavarian_content_words_are_not_stopwords() -> None:
    for word in ("miad", "Wohnunga", "gut", "schlecht", "mehr", "fehlt", "leider"):
        assert not T.analyze(word).is_stopword
    assert "schlecht" not in T.content_terms("Des is hoid scho schlecht, mia san miad")


def test_word_info_agrees_with_analyze() -> None:
    for word in ("Wohnungsmarktsituation", "Behoerden", "und", "Kita"):
        info, full = T.word_info(word), T.analyze(word)
        assert (info.folded, info.lemma, info.keys, info.is_stopword) == (full.folded, full.lemma, full.keys, full.is_stopword)


# --- content words: what discovery, word clouds and learning count ------------------------------
@pytest.mark.parametrize(
    ("text", "words"),
    [
        # the fillers issue 12 found in cluster terms and clouds: none of them is a content word
        ("Seit zwei Jahren treffen wir uns inzwischen meist gerade mit jungen Leuten.", ["Jahren", "Leuten"]),
        ("Es kommen viele, es läuft, wir gehen hin, machen mit und geben Kurse", ["Kurse"]),
        ("Das monatliche Treffen im Pfarrheim", ["Treffen", "Pfarrheim"]),  # the noun counts
        # lowercase answers: HanTa tells nouns from verbs and adverbs; after an article a noun
        ("die bushaltestelle bei der unterkunft wird am wochenende garnicht angefahren", ["bushaltestelle", "unterkunft", "wochenende"]),
        ("wir treffen uns gerade im sprachcafé", ["sprachcafé"]),
        ("WLAN in der GU endlich da", ["WLAN", "GU"]),
        ("Online-Termine buchen", ["Online", "Termine"]),
        # two short pieces joined by a hyphen are one word; elsewhere a hyphen separates
        ("Free Wi-Fi and a few laptops", ["WiFi", "laptops"]),
        ("E-Mail-Adresse und S-Bahn", ["Mail", "Adresse", "Bahn"]),
        ("more buses on weekends", ["buses", "weekends"]),
    ],
)
def test_content_words_are_nouns_only(text: str, words: list[str]) -> None:
    assert T.content_words(text) == words


def test_content_terms_never_hold_redaction_placeholders() -> None:
    from integkit.analysis.redaction import PLACEHOLDERS, redact

    for placeholder in PLACEHOLDERS.values():
        terms = T.content_terms(f"Bitte {placeholder} anrufen, {placeholder}: Termin beim Amt")
        assert terms == ["termin", "amt"], (placeholder, terms)
    text = "Frau Huber erreichen Sie unter huber@example.org oder 0811 600-123, Hauptstraße 5, wegen der Sprachkurse."
    redacted = redact(text, ["Huber"])
    assert redacted != text
    assert T.content_terms(redacted) == ["frau", "sprachkurs", "sprach", "kurs"]


def test_a_single_word_is_a_content_word_only_as_a_noun() -> None:
    for word in ("wlan", "WLAN", "Bus", "bushaltestelle", "Treffen", "Fahrdienst", "online", "Laptops"):
        assert T.is_content_word(word), word
    for word in ("seit", "zwei", "inzwischen", "meist", "gerade", "jung", "treffen", "kommen", "laufen", "gut", "", "a b", "[Name]"):
        assert not T.is_content_word(word), word


@pytest.mark.parametrize("part, word", [("kräft", "kraft"), ("abschlüss", "abschluss"), ("bus", "bus"), ("bücherei", "bücherei")])
def test_a_compound_part_is_shown_as_the_word_a_reader_knows(part: str, word: str) -> None:
    assert T.part_as_word(part) == word
