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
    "alt_cloud": {
        "de": "Wortwolke der Antworten: Wörter, die für diese Frage typisch sind, mit ihrer Häufigkeit: {detail}",
        "en": "Word cloud of the answers: words typical of this question, with their frequency: {detail}",
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
    "and_others": {"de": "und weitere", "en": "and others"},
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
    "good": {"de": "gut", "en": "good"},
    "poor": {"de": "schlecht", "en": "poor"},
    "no_text_questions": {
        "de": "Diese Umfrage hat keine offenen Fragen. Themen, Wortwolken, Zitate und die Handlungsliste entfallen; der Bericht zeigt Teilnahme und Einschätzungen.",
        "en": "This survey has no open questions. Themes, word clouds, quotes and the action list are left out; the report shows participation and ratings.",
    },
    "not_shown_separately": {
        "de": "Ihre Gemeinde wird in diesem Treffen nicht einzeln ausgewiesen: sonst ließe sich eine Gruppe mit weniger als {n} Teilnehmenden ablesen.",
        "en": "Your municipality is not shown separately for this meeting: otherwise a group of fewer than {n} respondents could be read off.",
    },
    "your_participation_hidden": {
        "de": "Aus Ihrer Gemeinde haben Personen teilgenommen (Landkreis insgesamt: {total}); ihre Zahl wird nicht einzeln ausgewiesen.",
        "en": "People from your municipality took part (district total: {total}); their number is not shown separately.",
    },
    "your_answers": {"de": "Antworten aus Ihrer Gemeinde", "en": "Answers from your municipality"},
    "your_answers_note": {
        "de": "Jede Antwort steht einmal, mit ihren Themen; hervorgehoben ist der Satz, der ein Thema trägt.",
        "en": "Each answer appears once, with its themes; the sentence that carries a theme is highlighted.",
    },
    "answer_ref": {"de": "A{n}", "en": "A{n}"},
    "other_municipalities": {"de": "weitere Gemeinden", "en": "other municipalities"},
    "answers_on_theme": {"de": "Alle Antworten zu diesem Thema nach Gemeinde", "en": "All answers on this theme by municipality"},
    "heat_caption_municipality": {
        "de": "Anteil der Teilnehmenden je Gemeinde (Zeilen), die ein Thema (Spalten) nennen, in %. Jede Zahl führt zu den Antworten, die sie zählt.",
        "en": "Share of respondents per municipality (rows) naming each theme (columns), in %. Each number links to the answers it counts.",
    },
    "heat_caption_question": {
        "de": "Zahl der Teilnehmenden, die ein Thema (Zeilen) bei einer Frage (Spalten) nennen. Jede Zahl führt zu den Antworten zum Thema.",
        "en": "Respondents naming a theme (rows) per question (columns). Each number links to the answers on the theme.",
    },
    "municipality_n": {"de": "{name} (n={n})", "en": "{name} (n={n})"},
    "participation_caption": {"de": "Teilnehmende je Gemeinde", "en": "Respondents per municipality"},
    "role_caption": {"de": "Teilnehmende je Funktion", "en": "Respondents per role"},
    "theme_caption": {"de": "Themen: Nennungen und Teilnehmende", "en": "Themes: mentions and respondents"},
    "ratings_caption": {"de": "Einschätzungen: n, gültige Antworten und Mittelwert (1 = sehr schlecht, 5 = sehr gut)", "en": "Ratings: n, valid answers and mean (1 = very poor, 5 = very good)"},
    "trend_caption": {"de": "Mittlere Einschätzung je Treffen", "en": "Mean rating per meeting"},
    "actions_caption": {"de": "Anliegen nach Thema und Frage", "en": "Requests by theme and question"},
    "compare_caption_themes": {"de": "Themen: Ihre Gemeinde und der Landkreis (Anteil der Teilnehmenden in %)", "en": "Themes: your municipality and the district (share of respondents in %)"},
    "compare_caption_ratings": {"de": "Einschätzungen: Ihre Gemeinde und der Landkreis (Mittelwert 1–5)", "en": "Ratings: your municipality and the district (mean 1–5)"},
}


# Column headings of the computed tables (integkit.analysis), by stable column id.
COLUMNS: dict[str, dict[str, str]] = {
    "group": {"de": "Gruppe", "en": "Group"},
    "municipality": {"de": "Gemeinde", "en": "Municipality"},
    "role": {"de": "Funktion", "en": "Role"},
    "complete": {"de": "vollständig", "en": "complete"},
    "incomplete": {"de": "unvollständig", "en": "incomplete"},
    "total": {"de": "gesamt", "en": "total"},
    "item": {"de": "Bereich", "en": "Area"},
    "n": {"de": "n", "en": "n"},
    "valid_pct": {"de": "gültig %", "en": "valid %"},
    "mean": {"de": "Mittelwert", "en": "Mean"},
    "theme": {"de": "Thema", "en": "Theme"},
    "label": {"de": "Thema", "en": "Theme"},
    "answers": {"de": "Nennungen", "en": "Mentions"},
    "respondents": {"de": "Teilnehmende", "en": "Respondents"},
    "share_pct": {"de": "Anteil der Teilnehmenden %", "en": "Share of respondents %"},
    "request": {"de": "Anliegen", "en": "Request"},
    "question_id": {"de": "Frage", "en": "Question"},
    "municipalities": {"de": "Gemeinden", "en": "Municipalities"},
    "local_pct": {"de": "Ihre Gemeinde %", "en": "Your municipality %"},
    "district_pct": {"de": "Landkreis %", "en": "District %"},
    "local_mean": {"de": "Ihre Gemeinde", "en": "Your municipality"},
    "district_mean": {"de": "Landkreis", "en": "District"},
    "meeting": {"de": "Treffen", "en": "Meeting"},
    "date": {"de": "Datum", "en": "Date"},
}
MISSING = "–"  # a value that is not there (or not shown), in every table


def t(key: str, language: str = "de", **values: object) -> str:
    """The text for `key` in `language` (German when the language is unknown)."""
    entry = TEXTS[key]
    text = entry.get(language) or entry["de"]
    return text.format(**values) if values else text


def timestamp(value: str, language: str = "de") -> str:
    """An ISO date and time as a reader of that language writes it (German: 10.11.2026, 14:05)."""
    import datetime as dt

    moment = dt.datetime.fromisoformat(value)
    return moment.strftime("%d.%m.%Y, %H:%M" if language == "de" else "%Y-%m-%d %H:%M")
def group_label(group: object, language: str = "de", combined: int = 0, all_small: bool = False, min_group: int = 3) -> str:
    """The name of a row of a participation table: the group, "ohne Angabe", or the combined groups."""
    if combined:
        return t("other_groups" if all_small else "groups_combined", language, n=combined, m=min_group)
    return str(group) if group not in (None, "") else t("no_role", language)


def column(column_id: object, language: str = "de") -> str:
    """The heading of a table column by its stable id; other headings are shown as they are."""
    entry = COLUMNS.get(column_id) if isinstance(column_id, str) else None
    return (entry.get(language) or entry["de"]) if entry else str(column_id)


def number(value: float | int | None, language: str = "de", digits: int = 1) -> str:
    """A number as a reader of that language writes it: German 1.234,5; English 1,234.5; missing "–"."""
    try:
        if value is None or value != value:  # None or NaN
            return MISSING
    except (TypeError, ValueError):
        return MISSING
    text = f"{value:,.{digits}f}"
    if language == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def cell(value: object, language: str = "de", digits: int = 2) -> str:
    """One table cell as text: numbers in the language's format (integers without decimals, others
    with at most ``digits`` decimals), missing values as "–", everything else as it is."""
    import numbers

    if value is None or (isinstance(value, float) and value != value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return number(int(value), language, 0)
    if isinstance(value, numbers.Real):
        value = float(value)
        if value.is_integer():
            return number(value, language, 0)
        text = number(round(value, digits), language, digits)
        decimal = "," if language == "de" else "."
        return text.rstrip("0").rstrip(decimal) if decimal in text else text
    return str(value)
