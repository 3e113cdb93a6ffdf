"""HTML snippets that notebooks display (headings, tables, heat maps, figures, quotes, provenance) and pages.

Everything is built from the jinja2 templates in report/templates/ with autoescape, so answer
text (untrusted) is HTML-escaped in one place. Tables get their headings and number formats
here, from integkit.report.wording: computed tables carry stable column ids until this moment.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import unicodedata
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import pandas as pd
from IPython.display import HTML
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from integkit import __version__
from integkit.report.wording import cell, column, t

if TYPE_CHECKING:
    from integkit.report.charts import Chart

_ENV = Environment(
    loader=PackageLoader("integkit.report", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
)


def _snippet(name: str, *args: Any) -> str:
    """One macro of snippets.html.j2, filled in (autoescaped)."""
    return str(getattr(_ENV.get_template("snippets.html.j2").module, name)(*args))


def anchor(*parts: object) -> str:
    """An id for an HTML anchor from names ("thema", "wohnen", "Au i.d. Hallertau" → "thema-wohnen-au-i-d-hallertau")."""
    text = "-".join(str(p) for p in parts).lower()
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


def heading(key_or_text: str, language: str = "de", level: int = 2, translate: bool = True, anchor_id: str | None = None) -> HTML:
    """A section heading (a key of integkit.report.wording, or literal text with translate=False)."""
    text = t(key_or_text, language) if translate else key_or_text
    return HTML(_snippet("heading", text, level, anchor_id))


def paragraph(text: str) -> HTML:
    return HTML(_snippet("paragraph", text, None))


def note(text: str) -> HTML:
    return HTML(_snippet("paragraph", text, "note"))


def sentences(lines: list[str]) -> HTML:
    """A short summary paragraph made of sentences."""
    return HTML(_snippet("paragraph", " ".join(lines), "summary"))


def section(anchor_id: str, title: str, *parts: HTML | str, level: int = 2) -> HTML:
    """A report section: its heading and its parts (snippets already built), as one landmark-labelled block."""
    body = Markup("\n".join(p.data if isinstance(p, HTML) else str(Markup.escape(p)) for p in parts))
    return HTML(_snippet("section", anchor_id, title, level, body))


def table(
    frame: pd.DataFrame,
    caption: str | None = None,
    language: str = "de",
    links: Mapping[str, Sequence[str | None]] | None = None,
    row_headers: bool = True,
) -> HTML:
    """A DataFrame as an escaped HTML table without the index, scrolling inside its own box when wide.

    Headings come from wording.column (stable column ids → words), numbers from wording.cell
    (German: decimal comma, thousands point). ``links`` maps a column id to one href per row.
    """
    links = links or {}
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]
    rows = []
    for i, values in enumerate(frame.itertuples(index=False, name=None)):
        row = []
        for name, value in zip(frame.columns, values):
            href = links.get(name, [None] * len(frame))[i]
            row.append({"text": cell(value, language), "href": href})
        rows.append(row)
    headings = [column(c, language) for c in frame.columns]
    return HTML(_snippet("table", headings, rows, caption, numeric, row_headers))


# Heat-map cells: a light-to-dark blue scale; text is dark on light cells and white on dark ones,
# both at least 4.5:1 against the cell's background.
HEAT_COLOURS = ["#f4f8fc", "#dbe8f5", "#b9d3ec", "#8fb8df", "#2f6fad", "#1f5590", "#123d6e"]
DARK_FROM = 4  # colours from this index on carry white text


def heat_table(
    values: pd.DataFrame,
    caption: str,
    corner: str,
    hrefs: pd.DataFrame | None = None,
    language: str = "de",
    suffix: str = "",
) -> HTML:
    """A heat map as an HTML table: rows × columns of numbers, each cell shaded by its value and
    linked (``hrefs``, same shape) to the answers it counts. Labels stay text: legible on a phone,
    read by screen readers, printed sharply."""
    top = float(values.max().max()) if values.size else 0.0
    rows = []
    for label, series in values.iterrows():
        cells = []
        for key, value in series.items():
            level = 0 if not top or pd.isna(value) else min(len(HEAT_COLOURS) - 1, int(round(value / top * (len(HEAT_COLOURS) - 1))))
            href = None if hrefs is None or not value else hrefs.at[label, key]
            cells.append({"text": cell(value, language) + (suffix if not pd.isna(value) else ""), "href": href,
                          "colour": HEAT_COLOURS[level], "tone": "dark" if level >= DARK_FROM else "light"})
        rows.append({"label": label, "cells": cells})
    return HTML(_snippet("heat_table", corner, list(values.columns), rows, caption))


def figure(chart: "Chart | None", dpi: int = 150, language: str = "de") -> HTML:
    """A chart embedded as an SVG (or, for word clouds, PNG) data URI with its alt text; a note if there is no chart."""
    if chart is None:
        return note(t("no_data", language))
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    kind = chart.format
    dpi = max(dpi, 200) if kind == "png" else dpi  # a word cloud keeps its drawn pixels
    # SVG charts keep their drawn width (their layout is tight already), so text keeps MIN_FONT_PT at that width
    chart.figure.savefig(buffer, format=kind, dpi=dpi, bbox_inches=None if kind == "svg" else "tight",
                         metadata={"Date": None} if kind == "svg" else None)
    data = buffer.getvalue()
    if kind == "svg":  # matplotlib repeats each label as an XML comment: labels are answer text, keep them out
        data = re.sub(rb"<!--.*?-->", b"", data, flags=re.DOTALL)
    width_in, height_in = _saved_size(chart, data, dpi)
    plt.close(chart.figure)
    mime = "image/svg+xml" if kind == "svg" else "image/png"
    src = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return HTML(_snippet("figure", src, chart.alt, round(width_in * 96), round(height_in * 96)))


def _saved_size(chart: "Chart", data: bytes, dpi: int) -> tuple[float, float]:
    """The saved figure's size in inches (bbox_inches="tight" changes it)."""
    if chart.format == "svg":
        match = re.search(rb'<svg[^>]*\swidth="([\d.]+)pt"[^>]*\sheight="([\d.]+)pt"', data[:2000])
        if match:
            return float(match.group(1)) / 72, float(match.group(2)) / 72
    else:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.width / dpi, image.height / dpi
    w, h = chart.figure.get_size_inches()
    return float(w), float(h)


def quotes(rows: Iterable[dict[str, Any]] | pd.DataFrame, empty: str = "") -> HTML:
    """A list of answers, each with who said it (municipality · role); all text escaped.

    A row has ``text`` or ``segments`` (pieces of the answer, ``mark`` = highlighted), and
    optionally ``labels`` (theme labels), ``id`` (an anchor) and ``number`` (a reference mark).
    """
    items = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    out = []
    for row in items:
        segments = row.get("segments") or [{"text": str(row.get("text", "")), "mark": False}]
        who = " · ".join(str(row[k]) for k in ("municipality", "role") if row.get(k))
        out.append({"segments": segments, "labels": row.get("labels") or (), "who": who,
                    "id": row.get("id"), "number": row.get("number")})
    return HTML(_snippet("quotes", out, empty))


def references(anchor_id: str | None, label: str, links: Iterable[tuple[str, str]]) -> HTML:
    """A line of links ("Freising: A3 A7 A12") to answers elsewhere in the report."""
    return HTML(_snippet("references", anchor_id, label, [{"text": text, "href": href} for text, href in links]))


def title(meeting: Any, language: str = "de", subtitle: str = "") -> HTML:
    """The report's title block: meeting title, date and place."""
    date = meeting.date.strftime("%d.%m.%Y") if isinstance(meeting.date, dt.date) else ""
    facts = " · ".join(x for x in (date, meeting.place) if x)
    heading_text = f"{t('meeting_report', language)}: {meeting.title or meeting.id}"
    return HTML(_snippet("title", heading_text, subtitle, facts))


def provenance(responses: Any, language: str = "de", codebook_version: str | None = None) -> HTML:
    """The footer every report carries: snapshot sha256, codebook and integkit version, time."""
    info = responses.provenance
    rows = [
        (t("snapshot", language), f"{info.get('snapshot_id', '')} (sha256 {info.get('snapshot_sha256', '')})"),
        (t("created", language), dt.datetime.now().astimezone().isoformat(timespec="seconds")),
        (t("integkit_version", language), __version__),
    ]
    if codebook_version:
        rows.insert(1, ("Codebook", codebook_version))
    return HTML(_snippet("provenance", t("provenance", language), rows))


# --- pages (jinja2 templates with autoescape) ----------------------------------------------------
def render_template(name: str, **values: Any) -> str:
    """A template of report/templates/ filled in; every value is HTML-escaped unless marked safe."""
    return _ENV.get_template(name).render(**values)


def page(body: str, title: str, language: str = "de", provenance: Mapping[str, str] | None = None) -> str:
    """Wrap an HTML body in integkit's page: A4 print styles, no scripts, no external resources.

    `provenance` (meeting, municipality, snapshot …) is written as `<meta name="integkit-KEY">`
    tags, which the PDF keeps as custom metadata: a report says itself what it holds.
    """
    css = files("integkit.report").joinpath("templates", "report.css").read_text(encoding="utf-8")
    return render_template("page.html.j2", body=body, title=title, language=language, css=css, provenance=provenance or {})
