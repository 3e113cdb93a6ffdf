"""How the facilitator's notebooks put things into words: German counts, theme names, number format, tables.

Tables keep stable column ids while they are computed; here they get what the facilitator reads:
theme names instead of ids, counts that say whether they count people or answers, German number
format (1.234 and 0,57), and an HTML table whose text is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from numbers import Number

import pandas as pd

from integkit.report.wording import number
from integkit.themes.assign import split_themes
from integkit.themes.codebook import Codebook

NOUNS = {
    "person": ("Person", "Personen"),
    "answer": ("Antwort", "Antworten"),
    "correction": ("gespeicherte Korrektur", "gespeicherte Korrekturen"),
    "report": ("Bericht", "Berichte"),
    "change": ("Änderung", "Änderungen"),
    "mismatch": ("abweichende Themenzuordnung", "abweichende Themenzuordnungen"),
}
DASH = "–"


def integer(n: int) -> str:
    """A whole number in German format: 1.234."""
    return f"{int(n):,}".replace(",", ".")


def when(moment: dt.datetime | str) -> str:
    """A time as the facilitator reads it: 20.11.2026, 14:03 (from a datetime or an ISO time stamp)."""
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            return moment
    return moment.strftime("%d.%m.%Y, %H:%M")


def count(n: int, noun: str) -> str:
    """"1 Person", "4 Personen", "1.234 Antworten": a number that says what it counts."""
    one, many = NOUNS[noun]
    return f"{integer(n)} {one if int(n) == 1 else many}"


def quoted(text: str) -> str:
    """Text in German quotation marks: „Wohnen“."""
    return f"„{text}“"


def label_of(book: Codebook, theme_id: str) -> str:
    """A theme's German name (the id itself if the codebook no longer has it)."""
    try:
        return book.theme(theme_id).label_de
    except KeyError:
        return theme_id


def listing(items: list[str]) -> str:
    """"A", "A und B", "A, B und C"."""
    return items[0] if len(items) == 1 else (", ".join(items[:-1]) + " und " + items[-1] if items else "")


def theme_names(value: object, book: Codebook, quote: bool = False) -> str:
    """';'-joined theme ids as the facilitator reads them: "Wohnen, Sprache" (or „Wohnen“ und „Sprache“)."""
    names = [label_of(book, t) for t in split_themes(value)]
    return listing([quoted(n) for n in names]) if quote else ", ".join(names)


def evidence_text(evidence: object, book: Codebook) -> str:
    """The machine's evidence ("arbeit: Arbeit→arbeit, Job→job") with theme names and the words that matched."""
    if not isinstance(evidence, str) or not evidence:
        return ""
    if evidence == "korrigiert":
        return "von der Moderation kodiert"
    parts = []
    for chunk in evidence.split("; "):
        theme, sep, items = chunk.partition(": ")
        if not sep:
            parts.append(chunk)
            continue
        words = ", ".join(dict.fromkeys(w.split("→")[0].strip() for w in items.split(", ")))
        parts.append(f"{label_of(book, theme)}: {words}")
    return "; ".join(parts)


def decimal(value: object, digits: int = 2) -> str:
    """A number for a table cell: German decimal comma, "–" for none."""
    if _missing(value):
        return DASH
    if isinstance(value, bool) or not isinstance(value, Number):
        return str(value)
    if float(value).is_integer() and digits == 0:
        return integer(int(value))
    return number(float(value), "de", digits)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _formatter(column: pd.Series):
    """Whole-number columns as 1.234, others with two decimals (German comma); text as it is."""
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return lambda v: DASH if _missing(v) else str(v)
    finite = column.dropna()
    digits = 0 if bool((finite == finite.round()).all()) else 2
    return lambda v: decimal(v, digits)


def html_table(frame: pd.DataFrame, empty: str = "Keine Einträge.") -> str:
    """A table with German number format, every cell escaped, no index; ``empty`` when it has no rows."""
    if frame.empty:
        return f"<p class='ik-empty'>{escape(empty)}</p>"
    formatters = {c: _formatter(frame[c]) for c in frame.columns}
    return frame.to_html(index=False, escape=True, border=0, classes="ik-table", formatters=formatters, na_rep=DASH)
