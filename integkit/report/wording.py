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
    "more_answers": {"de": "… und {n} weitere Antworten.", "en": "… and {n} more answers."},
    "no_data": {"de": "Keine Daten für diese Darstellung.", "en": "No data for this figure."},
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
    "alt_themes": {
        "de": "Balkendiagramm: Anteil der Teilnehmenden, die ein Thema nennen. {detail}",
        "en": "Bar chart: share of respondents naming each theme. {detail}",
    },
    "alt_heatmap_municipality": {
        "de": "Heatmap: Anteil der Teilnehmenden je Gemeinde (Zeilen), die ein Thema (Spalten) nennen; häufigstes Thema je Gemeinde: {detail}",
        "en": "Heat map: share of respondents per municipality (rows) naming each theme (columns); top theme per municipality: {detail}",
    },
    "alt_heatmap_question": {
        "de": "Heatmap: Zahl der Teilnehmenden, die ein Thema (Zeilen) bei einer Frage (Spalten) nennen; häufigste Frage je Thema: {detail}",
        "en": "Heat map: respondents naming a theme (rows) per question (columns); top question per theme: {detail}",
    },
    "alt_cloud": {
        "de": "Wortwolke der Antworten; die häufigsten Wörter: {detail}",
        "en": "Word cloud of the answers; the most frequent words: {detail}",
    },
    "alt_trend_themes": {
        "de": "Liniendiagramm: Anteil der Teilnehmenden je Thema von {first} bis {last}. {detail}",
        "en": "Line chart: share of respondents per theme from {first} to {last}. {detail}",
    },
    "alt_trend_ratings": {
        "de": "Liniendiagramm: mittlere Einschätzung je Bereich von {first} bis {last} (1 = sehr schlecht, 5 = sehr gut). {detail}",
        "en": "Line chart: mean rating per area from {first} to {last} (1 = very poor, 5 = very good). {detail}",
    },
    "alt_compare_themes": {
        "de": "Balkenpaare: Anteil der Teilnehmenden je Thema, Ihre Gemeinde / Landkreis. {detail}",
        "en": "Paired bars: share of respondents per theme, your municipality / district. {detail}",
    },
    "alt_compare_ratings": {
        "de": "Balkenpaare: mittlere Einschätzung je Bereich, Ihre Gemeinde / Landkreis. {detail}",
        "en": "Paired bars: mean rating per area, your municipality / district. {detail}",
    },
    "summary_top_themes": {
        "de": "Am häufigsten genannt: {themes}.",
        "en": "Named most often: {themes}.",
    },
    "summary_change_theme": {
        "de": "Größte Veränderung seit {before}: {theme} {direction} von {a} % auf {b} % der Teilnehmenden.",
        "en": "Biggest change since {before}: {theme} {direction} from {a} % to {b} % of respondents.",
    },
    "summary_change_rating": {
        "de": "Größte Veränderung seit {before}: die Einschätzung „{item}“ {direction} von {a} auf {b} (Mittelwert, 1–5).",
        "en": "Biggest change since {before}: the rating of “{item}” {direction} from {a} to {b} (mean, 1–5).",
    },
    "up": {"de": "stieg", "en": "rose"},
    "down": {"de": "sank", "en": "fell"},
    "no_history": {"de": "Für diese Reihe liegen noch keine früheren Treffen vor.", "en": "There are no earlier meetings in this series yet."},
    "no_new_themes": {"de": "Keine neuen Themen gefunden.", "en": "No new themes found."},
    "new_theme_terms": {"de": "Neues Thema? Häufige Begriffe: {terms} ({n} Antworten)", "en": "New theme? Frequent terms: {terms} ({n} answers)"},
    "too_few": {
        "de": "Weniger als {n} Teilnehmende: aus Datenschutzgründen wird dies nicht einzeln ausgewiesen.",
        "en": "Fewer than {n} respondents: not shown separately, to protect privacy.",
    },
    "municipality_report": {"de": "Gemeindebericht", "en": "Municipality report"},
    "compare_title": {"de": "Ihre Gemeinde im Vergleich zum Landkreis", "en": "Your municipality compared with the district"},
    "your_quotes": {"de": "Stimmen aus Ihrer Gemeinde", "en": "Voices from your municipality"},
    "your_actions": {"de": "Anliegen Ihrer Gemeinde", "en": "Requests from your municipality"},
    "district_top": {"de": "Die wichtigsten Themen im Landkreis", "en": "The district's top themes"},
    "suppressed_note": {
        "de": "Gemeinden mit weniger als {n} Teilnehmenden werden nicht einzeln gezeigt.",
        "en": "Municipalities with fewer than {n} respondents are not shown separately.",
    },
    "other_groups": {"de": "weitere ({n} Gruppen mit je weniger als {m})", "en": "others ({n} groups of fewer than {m} each)"},
    "groups_combined": {"de": "weitere ({n} Gruppen zusammengefasst)", "en": "others ({n} groups combined)"},
    "fewer_than": {"de": "weniger als {n}", "en": "fewer than {n}"},
    "your_participation": {
        "de": "Aus Ihrer Gemeinde haben {n} Personen teilgenommen (Landkreis insgesamt: {total}).",
        "en": "{n} people from your municipality took part (district total: {total}).",
    },
    "likert_1": {"de": "sehr schlecht", "en": "very poor"},
    "likert_2": {"de": "eher schlecht", "en": "rather poor"},
    "likert_3": {"de": "teils/teils", "en": "mixed"},
    "likert_4": {"de": "eher gut", "en": "rather good"},
    "likert_5": {"de": "sehr gut", "en": "very good"},
    "theme": {"de": "Thema", "en": "Theme"},
    "themes": {"de": "Themen", "en": "Themes"},
    "answers_n": {"de": "Nennungen", "en": "Mentions"},
    "share_pct": {"de": "Anteil der Teilnehmenden %", "en": "Share of respondents %"},
    "themes_overall": {"de": "Themen insgesamt", "en": "Themes overall"},
    "themes_by_municipality": {"de": "Themen nach Gemeinde", "en": "Themes by municipality"},
    "themes_by_question": {"de": "Themen nach Frage", "en": "Themes by question"},
    "word_clouds": {"de": "Wortwolken", "en": "Word clouds"},
    "quotes": {"de": "Stimmen zu den Themen", "en": "Voices on the themes"},
    "new_themes": {"de": "Neu entdeckte Themen", "en": "Newly discovered themes"},
    "trend": {"de": "Entwicklung seit früheren Treffen", "en": "Trend since earlier meetings"},
    "actions": {"de": "Handlungsliste", "en": "Action list"},
    "summary": {"de": "Zusammenfassung", "en": "Summary"},
    "request": {"de": "Anliegen", "en": "Request"},
    "municipalities": {"de": "Gemeinden", "en": "Municipalities"},
    "and_more": {"de": "und {n} weitere", "en": "and {n} more"},
    "other_municipality": {"de": "eine weitere Gemeinde", "en": "another municipality"},
    "your_municipality": {"de": "Ihre Gemeinde", "en": "Your municipality"},
    "district": {"de": "Landkreis", "en": "District"},
    "short_q_gut": {"de": "Was gelingt", "en": "What works"},
    "short_q_ausbau": {"de": "Ausbauen", "en": "Expand"},
    "short_q_unterstuetzung": {"de": "Unterstützung Landratsamt", "en": "Support by district office"},
    "percent_of_valid": {"de": "Anteil der gültigen Antworten (%)", "en": "Share of valid answers (%)"},
    # the index page of a meeting's reports
    "index_meeting": {"de": "Bericht zum Treffen", "en": "Meeting report"},
    "index_municipalities": {"de": "Gemeindeberichte", "en": "Municipality reports"},
    "index_report": {"de": "Bericht", "en": "Report"},
    "index_files": {"de": "Dateien", "en": "Files"},
    "index_rendered": {"de": "Stand", "en": "Rendered"},
    "codebook": {"de": "Codebook", "en": "Codebook"},
    "index_outdated": {"de": "veraltet", "en": "out of date"},
    "index_outdated_note": {
        "de": "Als veraltet markierte Berichte beruhen auf einem älteren Stand der Daten, Codierungen oder des "
              "Codebooks als die übrigen und konnten nicht neu erstellt werden (die Gemeinde kommt in den Daten "
              "nicht mehr vor, oder die Erstellung schlug fehl). Bitte nicht weitergeben.",
        "en": "Reports marked out of date rest on an older state of the data, codings or codebook than the others "
              "and could not be rendered again (the municipality no longer appears in the data, or rendering "
              "failed). Please do not pass them on.",
    },
}


def t(key: str, language: str = "de", **values: object) -> str:
    """The text for `key` in `language` (German when the language is unknown)."""
    entry = TEXTS[key]
    text = entry.get(language) or entry["de"]
    return text.format(**values) if values else text


def number(value: float, language: str = "de", digits: int = 1) -> str:
    """A number as a reader of that language writes it (German: decimal comma)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language == "de" else text


def timestamp(value: str, language: str = "de") -> str:
    """An ISO date and time as a reader of that language writes it (German: 10.11.2026, 14:05)."""
    import datetime as dt

    moment = dt.datetime.fromisoformat(value)
    return moment.strftime("%d.%m.%Y, %H:%M" if language == "de" else "%Y-%m-%d %H:%M")
