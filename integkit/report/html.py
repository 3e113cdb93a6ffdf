"""HTML snippets that notebooks display: headings, tables, figures, quotes, provenance.

Answer text is untrusted: everything that comes from data is HTML-escaped here, in one place.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import pandas as pd
from IPython.display import HTML
from jinja2 import Environment, PackageLoader

from integkit import __version__
from integkit.report.wording import t

if TYPE_CHECKING:
    from integkit.report.charts import Chart


def heading(key_or_text: str, language: str = "de", level: int = 2, translate: bool = True) -> HTML:
    """A section heading (a key of integkit.report.wording, or literal text with translate=False)."""
    text = t(key_or_text, language) if translate else key_or_text
    return HTML(f"<h{level}>{escape(text)}</h{level}>")


def paragraph(text: str) -> HTML:
    return HTML(f"<p>{escape(text)}</p>")


def table(frame: pd.DataFrame, caption: str | None = None) -> HTML:
    """A DataFrame as an escaped HTML table without the index."""
    body = frame.to_html(index=False, escape=True, na_rep="–", border=0, classes="integkit-table", float_format=lambda v: f"{v:.2f}".rstrip("0").rstrip("."))
    cap = f"<p class='caption'>{escape(caption)}</p>" if caption else ""
    return HTML(cap + body)


def figure(chart: "Chart | None", dpi: int = 120, language: str = "de") -> HTML:
    """A chart embedded as a PNG data URI with its alt text (closed afterwards); a note if there is no chart."""
    if chart is None:
        return note(t("no_data", language))
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    chart.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(chart.figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return HTML(
        f"<figure><img src='data:image/png;base64,{data}' alt='{escape(chart.alt, quote=True)}' "
        f"style='max-width:100%'></figure>"
    )


def quotes(rows: Iterable[dict[str, Any]] | pd.DataFrame, empty: str = "") -> HTML:
    """A list of answers, each with who said it (municipality · role); all text escaped."""
    items = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    if not items:
        return HTML(f"<p class='empty'>{escape(empty)}</p>")
    parts = []
    for row in items:
        who = " · ".join(escape(str(row[k])) for k in ("municipality", "role") if row.get(k))
        text = escape(str(row["text"])).replace("\n", "<br>")
        parts.append(f"<li><blockquote>{text}</blockquote><span class='who'>{who}</span></li>")
    return HTML("<ul class='quotes'>" + "".join(parts) + "</ul>")


def title(meeting: Any, language: str = "de", subtitle: str = "") -> HTML:
    """The report's title block: meeting title, date and place."""
    date = meeting.date.strftime("%d.%m.%Y") if isinstance(meeting.date, dt.date) else ""
    facts = " · ".join(escape(x) for x in (date, meeting.place) if x)
    sub = f"<p class='subtitle'>{escape(subtitle)}</p>" if subtitle else ""
    return HTML(f"<h1>{escape(t('meeting_report', language))}: {escape(meeting.title or meeting.id)}</h1>{sub}<p class='facts'>{facts}</p>")


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
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return HTML(f"<footer class='provenance'><h2>{escape(t('provenance', language))}</h2><table>{cells}</table></footer>")


def sentences(lines: list[str]) -> HTML:
    """A short summary paragraph made of sentences."""
    return HTML("<p class='summary'>" + " ".join(escape(s) for s in lines) + "</p>")


def note(text: str) -> HTML:
    return HTML(f"<p class='note'>{escape(text)}</p>")


# --- pages (jinja2 templates with autoescape) ----------------------------------------------------
_ENV = Environment(
    loader=PackageLoader("integkit.report", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
)


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
