"""Tests for integkit.analysis.redaction: personal data in quotes is replaced by placeholders."""

from __future__ import annotations

import importlib.util
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from integkit.analysis.redaction import Finding, Redactor, find_personal_data, redact, shorten

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- e-mail
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kontakt: huber@example.org", "Kontakt: [E-Mail]"),
        ("Mail an anna.huber+hk@sub.example.com.", "Mail an [E-Mail]."),
        ("an Hans.Meier@Example.ORG weiterleiten", "an [E-Mail] weiterleiten"),
        ("huber (at) example.org", "[E-Mail]"),
        ("huber[at]example(dot)org bitte", "[E-Mail] bitte"),
    ],
)
def test_email(text: str, expected: str) -> None:
    assert redact(text) == expected


# ----------------------------------------------------------------------------- phone
@pytest.mark.parametrize(
    "number",
    [
        "0811 5510-123",
        "08161/600-123",
        "+49 8161 600123",
        "+49 (0)8161 600 123",
        "0151 23456789",
        "089-1234567",
        "0176 / 123 456 78",
        "(08161) 600 123",
        "08165/ 70 12-34",
        "0049 89 1234567",
        "0171-2345678",
        "08161 600-0",
    ],
)
def test_phone_formats(number: str) -> None:
    assert redact(f"Erreichbar unter {number}, gerne abends.") == (
        "Erreichbar unter [Telefon], gerne abends."
    )


def test_phone_after_cue_without_area_code() -> None:
    assert redact("Tel. 600 1234 oder Handy: 0170 1122334") == "Tel. [Telefon] oder Handy: [Telefon]"


# ----------------------------------------------------------------------------- address
@pytest.mark.parametrize(
    "address",
    [
        "Hauptstraße 12",
        "Obere Hauptstr. 3a",
        "Am Marienplatz 1",
        "Bahnhofstraße 5, 85354 Freising",
        "85354 Freising",
        "Freisinger Straße 27",
        "Am Mühlbach 12, 85417 Marzling",
        "St.-Martin-Straße 4",
        "Gewerbering 4",
        "Marktplatz 3, 84072 Au i.d.Hallertau",
        "Lindenstraße 7a",
        "Am Anger 3",
    ],
)
def test_address(address: str) -> None:
    assert redact(f"Treffpunkt: {address} (Pfarrsaal).") == "Treffpunkt: [Adresse] (Pfarrsaal)."


# ----------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Frau Huber hilft.", "Frau [Name] hilft."),
        ("Herr Dr. Müller kommt.", "Herr Dr. [Name] kommt."),
        ("Frau von Pressentin lädt ein.", "Frau [Name] lädt ein."),
        ("Die Akten liegen beim Herrn Maier.", "Die Akten liegen beim Herrn [Name]."),
        ("Kurs bei Frau Anna-Lena Seisenberger.", "Kurs bei Frau [Name]."),
        ("Hr. Gruber hilft beim Umzug.", "Hr. [Name] hilft beim Umzug."),
        ("Fr. Hinterberger macht Nachhilfe.", "Fr. [Name] macht Nachhilfe."),
        ("Bürgermeister Schmidt war da.", "Bürgermeister [Name] war da."),
        ("Unser Pfarrer Huber hilft.", "Unser Pfarrer [Name] hilft."),
        ("Frau Holle macht die Kleiderkammer.", "Frau [Name] macht die Kleiderkammer."),
        ("Frau Bürgermeisterin Kratzer kam.", "Frau Bürgermeisterin [Name] kam."),
        ("Frau und Herr Steinberger helfen.", "Frau und Herr [Name] helfen."),
        ("Herr Öztürk und Herr Yılmaz übersetzen.", "Herr [Name] und Herr [Name] übersetzen."),
        ("Familie Al-Hassan sucht eine Wohnung.", "Familie [Name] sucht eine Wohnung."),
        ("Meldet euch bei Resi Huber.", "Meldet euch bei [Name]."),
    ],
)
def test_names_after_cues(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Frauen brauchen Kinderbetreuung.",
        "Die Frau vom Amt war freundlich.",
        "Herr der Lage ist niemand.",
        "Die Straße ist gesperrt.",
        "Wir haben 120 Ehrenamtliche.",
        "Ziel für 2026: eine Integrationsstelle.",
        "Das nächste Treffen ist am 12.10.2026 um 18:30 Uhr.",
        "Rund 30 % haben Arbeit, 0,75 Stellen.",
        "Der Kurs beginnt um 8:30.",
        "Stufe 3 der Unterbringung ist erreicht.",
        "Aufenthaltserlaubnis nach § 25 AufenthG.",
        "Die Frau Landrätin war nicht da.",
        "Herr Bürgermeister hat es versprochen.",
        "Jeder Herr und jede Frau arbeitet unbezahlt.",
        "Die Familie Unterstützung geben ist wichtig.",
        "Die Gemeinde hat 3.200 Einwohner und 12000 Euro Budget.",
        "Der Schulweg 2 km ist zu weit, Raum 1.23, Zimmer 2.04, Bus Nr. 617.",
        "Zahlen: 2023: 45, 2024: 38, Wartezeit 6–8 Monate, seit 01/2024.",
        "Mo–Fr 8:00–12:00, Di. und Fr. Nachmittag geöffnet.",
        "Die Frau von nebenan und die Herren vom Bauhof helfen.",
        "Im Kindergarten 3 Gruppen, der Spielplatz 2 ist neu.",
        "Arbeitsmarkt 2025 und Wohnungsmarkt 2026 sind angespannt.",
    ],
)
def test_traps_stay_untouched(text: str) -> None:
    assert redact(text) == text


def test_configured_names() -> None:
    r = Redactor(["Theresa Obermaier", "Gruber"])
    assert r.redact("Anrufen bei Theresa Obermaier hilft.") == "Anrufen bei [Name] hilft."
    assert r.redact("Obermaiers Büro ist offen.") == "[Name] Büro ist offen."  # genitive, last word
    assert r.redact("GRUBER und Gruber's Team") == "[Name] und [Name] Team"
    assert r.redact("Grubers Hof, die Gruberin") == "[Name] Hof, die Gruberin"  # whole words only
    assert redact("Ohne Liste bleibt Obermaier stehen.") == "Ohne Liste bleibt Obermaier stehen."
    assert redact("Mit Liste nicht: Obermaier.", names=["Obermaier"]) == "Mit Liste nicht: [Name]."


def test_find_reports_spans_in_original_text() -> None:
    text = "Frau Huber, huber@example.org, 08161 600123"
    found = find_personal_data(text)
    assert [f.label for f in found] == ["name", "email", "phone"]
    assert text[found[0].start : found[0].end] == "Huber"
    assert isinstance(found[0], Finding) and found[0].placeholder == "[Name]"


def test_redact_many_handles_missing_values() -> None:
    r = Redactor()
    assert r.redact_many(["Frau Huber", None, float("nan")]) == ["Frau [Name]", "", ""]


# ----------------------------------------------------------------------------- shortening
def test_shorten_cuts_at_word_boundary() -> None:
    assert shorten("eins zwei drei vier", 12) == "eins zwei …"
    assert shorten("kurz", 10) == "kurz"
    assert len(shorten("x" * 50, 10)) <= 10


def test_shortening_happens_after_redaction() -> None:
    text = "Bitte Spenden abgeben in der Bahnhofstraße 5, 85354 Freising, danke."
    out = redact(text, max_chars=40)
    assert len(out) <= 40 and out.endswith(" …")
    assert "Bahnhof" not in out and "85354" not in out
    assert "[Adresse]" in out or out == "Bitte Spenden abgeben in der …"


def test_shorten_never_splits_a_placeholder() -> None:
    assert shorten("Kontakt:[Telefon][Telefon]", 15) == "Kontakt …"
    assert shorten("Kontakt:[Telefon][Telefon]", 19) == "Kontakt:[Telefon] …"


def test_shorten_rejects_tiny_limits() -> None:
    with pytest.raises(ValueError):
        shorten("abc", 1)


# ----------------------------------------------------------------------------- properties
_TOKENS = [
    "Frau", "Herr", "Herrn", "Hr.", "Fr.", "Dr.", "von", "Familie", "Bürgermeister", "Huber",
    "Anna-Lena", "Resi", "Müller", "Hauptstraße", "Am", "Marienplatz", "Obere", "Str.", "12",
    "3a", "85354", "Freising", "0811", "5510-123", "+49", "(0)8161", "600", "123", "/", "-",
    ",", ".", " ", "\n", "@", "example.org", "[Name]", "[Telefon]", "Kinder", "und", "die",
    "2026", "12.10.2026", "8:30", "%", "§", "\x00", "\u202e", "🙂", "ß", "İ",
]
_germanish = st.lists(st.sampled_from(_TOKENS), max_size=25).map(" ".join)
_anything = st.one_of(st.text(max_size=200), _germanish, st.lists(st.sampled_from(_TOKENS)).map("".join))
_fast = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_fast
@given(_anything)
@example("010000.010000")  # found by hypothesis: the second number was a phone only until the first was replaced
def test_redact_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert isinstance(once, str)
    assert redact(once) == once


@_fast
@given(_anything, st.integers(min_value=2, max_value=120))
def test_shortened_output_respects_limit(text: str, limit: int) -> None:
    assert len(redact(text, max_chars=limit)) <= limit


_local = st.text(alphabet=string.ascii_letters + string.digits + "._+-", min_size=1, max_size=20).filter(
    lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
)
_domain = st.sampled_from(["example.org", "example.com", "hk-au.example.org", "EXAMPLE.COM"])


@_fast
@given(st.text(max_size=60), _local, _domain, st.text(max_size=60))
def test_output_never_contains_an_input_email(before: str, local: str, domain: str, after: str) -> None:
    email = f"{local}@{domain}"
    assert email not in redact(f"{before} {email} {after}")


@settings(max_examples=100, deadline=None)
@given(st.emails())
def test_hypothesis_emails_are_redacted(email: str) -> None:
    assert email not in redact(f"Schreiben Sie an {email} bitte.")


# ----------------------------------------------------------------------------- evaluation set
def _benchmark():
    spec = importlib.util.spec_from_file_location("redaction_bench", ROOT / "benchmarks" / "redaction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_evaluation_set_is_well_formed() -> None:
    records = _benchmark().load_set()
    assert len(records) >= 200
    with_pd = sum(bool(r["spans"]) for r in records)
    assert 0.4 <= with_pd / len(records) <= 0.6
    for r in records:
        for s in r["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(r["text"])
            assert s["label"] in ("email", "phone", "address", "name")
            if s["label"] == "email":
                assert r["text"][s["start"] : s["end"]].lower().endswith(("@example.org", "@example.com"))


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_evaluation_set_reaches_targets(split: str) -> None:
    bench = _benchmark()
    records = [r for r in bench.load_set() if r["split"] == split]
    counts, errors = bench.evaluate(records, Redactor(bench.load_names()))
    recall, precision, _, _ = bench.scores(counts)["overall"]
    assert recall >= 0.95, errors
    assert precision >= 0.90, errors
