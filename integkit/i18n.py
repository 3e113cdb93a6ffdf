"""Every word a report reader sees, in German (default) and English."""

from __future__ import annotations

LANGUAGES = ("de", "en")

TEXTS: dict[str, dict[str, str]] = {
    "meeting_report": {"de": "Auswertung", "en": "Evaluation"},
    "participation": {"de": "Teilnahme", "en": "Participation"},
    "by_municipality": {"de": "Nach Gemeinde", "en": "By municipality"},
    "by_role": {"de": "Nach Funktion", "en": "By role"},
    "ratings": {"de": "Einschätzung der Lage", "en": "Assessment of the situation"},
    "answers": {"de": "Antworten auf die offenen Fragen", "en": "Answers to the open questions"},
    "provenance": {"de": "Datengrundlage", "en": "Data basis"},
    "municipality": {"de": "Gemeinde", "en": "Municipality"},
    "role": {"de": "Funktion", "en": "Role"},
    "respondents": {"de": "Teilnehmende", "en": "Respondents"},
    "complete": {"de": "vollständig", "en": "complete"},
    "incomplete": {"de": "unvollständig", "en": "incomplete"},
    "total": {"de": "gesamt", "en": "total"},
    "item": {"de": "Bereich", "en": "Area"},
    "n": {"de": "n", "en": "n"},
    "valid_pct": {"de": "gültig %", "en": "valid %"},
    "mean": {"de": "Mittelwert", "en": "Mean"},
    "share": {"de": "Anteil", "en": "Share"},
    "no_answers": {"de": "Keine Antworten.", "en": "No answers."},
    "no_role": {"de": "ohne Angabe", "en": "not given"},
    "snapshot": {"de": "Snapshot", "en": "Snapshot"},
    "created": {"de": "erstellt", "en": "created"},
    "integkit_version": {"de": "integkit-Version", "en": "integkit version"},
    "source": {"de": "Quelle", "en": "Source"},
    "date": {"de": "Datum", "en": "Date"},
    "place": {"de": "Ort", "en": "Place"},
    "summary_line": {
        "de": "{n} Personen aus {m} Gemeinden haben geantwortet ({c} vollständig, {i} unvollständig).",
        "en": "{n} people from {m} municipalities answered ({c} complete, {i} incomplete).",
    },
    "alt_participation": {
        "de": "Balkendiagramm: Teilnehmende je Gemeinde, vollständige und unvollständige Antworten. {detail}",
        "en": "Bar chart: respondents per municipality, complete and incomplete answers. {detail}",
    },
    "alt_roles": {
        "de": "Balkendiagramm: Teilnehmende je Funktion. {detail}",
        "en": "Bar chart: respondents per role. {detail}",
    },
    "alt_likert": {
        "de": "Gestapelte Balken: Einschätzung je Bereich von sehr schlecht bis sehr gut. {detail}",
        "en": "Stacked bars: assessment per area from very poor to very good. {detail}",
    },
    "likert_1": {"de": "sehr schlecht", "en": "very poor"},
    "likert_2": {"de": "eher schlecht", "en": "rather poor"},
    "likert_3": {"de": "teils/teils", "en": "mixed"},
    "likert_4": {"de": "eher gut", "en": "rather good"},
    "likert_5": {"de": "sehr gut", "en": "very good"},
    "percent_of_valid": {"de": "Anteil der gültigen Antworten (%)", "en": "Share of valid answers (%)"},
}


def t(key: str, language: str = "de", **values: object) -> str:
    """The text for `key` in `language` (German when the language is unknown)."""
    entry = TEXTS[key]
    text = entry.get(language) or entry["de"]
    return text.format(**values) if values else text
