"""HTML snippets that notebooks display: headings, tables, figures, quotes, provenance.

Answer text is untrusted: everything that comes from data is HTML-escaped here, in one place.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from html import escape
from typing import Any, Iterable

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML

from integkit import __version__
from integkit.charts import Chart
from integkit.i18n import t
from integkit.privacy import is_small  # noqa: F401  (templates call show.is_small)


def heading(key_or_text: str, language: str = "de", level: int = 2, translate: bool = True) -> HTML:
    """A section heading (a key of integkit.i18n, or literal text with translate=False)."""
    text = t(key_or_text, language) if translate else key_or_text
    return HTML(f"<h{level}>{escape(text)}</h{level}>")


def paragraph(text: str) -> HTML:
    return HTML(f"<p>{escape(text)}</p>")


def table(frame: pd.DataFrame, caption: str | None = None) -> HTML:
    """A DataFrame as an escaped HTML table without the index."""
    body = frame.to_html(index=False, escape=True, na_rep="–", border=0, classes="integkit-table", float_format=lambda v: f"{v:.2f}".rstrip("0").rstrip("."))
    cap = f"<p class='caption'>{escape(caption)}</p>" if caption else ""
    return HTML(cap + body)


def figure(chart: Chart | None, dpi: int = 120, language: str = "de") -> HTML:
    """A chart embedded as a PNG data URI with its alt text (closed afterwards); a note if there is no chart."""
    if chart is None:
        return note(t("no_data", language))
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


def answers_by_question(analysis: Any, names: tuple[str, ...] = ()) -> HTML:
    """Every answer to each open question, redacted, attributed only to municipalities large enough."""
    from integkit.privacy import Redactor
    from integkit.tables import answers_for, attribution

    redactor = Redactor(names)
    parts = []
    responses = analysis.responses
    for question_id in responses.text_questions():
        rows = answers_for(responses, question_id)
        allowed = {m: attribution(analysis, m) for m in rows["municipality"].unique()}
        shown = [{"municipality": allowed[m], "text": redactor.redact(x, max_chars=APPENDIX_MAX_CHARS)} for m, x in zip(rows["municipality"][:APPENDIX_LIMIT], rows["text"][:APPENDIX_LIMIT])]
        parts.append(f"<h3>{escape(responses.question_label(question_id))}</h3>")
        parts.append(quotes(shown, empty=t("no_answers", analysis.language)).data)
        if len(rows) > APPENDIX_LIMIT:
            parts.append(note(t("more_answers", analysis.language, n=len(rows) - APPENDIX_LIMIT)).data)
    return HTML("".join(parts))


def sentences(lines: list[str]) -> HTML:
    """A short summary paragraph made of sentences."""
    return HTML("<p class='summary'>" + " ".join(escape(s) for s in lines) + "</p>")


def note(text: str) -> HTML:
    return HTML(f"<p class='note'>{escape(text)}</p>")


def theme_quotes(analysis: Any, n: int = 3, names: tuple[str, ...] = ()) -> HTML:
    """Per theme (most named first): its label and a few redacted, representative quotes."""
    from integkit.tables import theme_counts
    from integkit.tables import theme_quotes as quotes_of

    parts = []
    counts = theme_counts(analysis)
    for theme_id, label in zip(counts["theme"], counts.iloc[:, 1]):
        parts.append(f"<h3>{escape(label)}</h3>")
        parts.append(quotes(quotes_of(analysis, theme_id, n=n, names=names)).data)
    return HTML("".join(parts) or f"<p>{escape(t('no_answers', analysis.language))}</p>")


SAMPLE_SIZE = 3000  # answers a word cloud or the discovery of new themes looks at, at most
APPENDIX_LIMIT = 400  # answers per question listed in the appendix, at most
APPENDIX_MAX_CHARS = 3000  # characters of one answer shown in the appendix (longer ones end in " …")


def sample(texts: list[str], size: int = SAMPLE_SIZE, seed: int = 0) -> list[str]:
    """A deterministic sample of at most `size` texts (all of them when there are fewer)."""
    import random

    return texts if len(texts) <= size else random.Random(seed).sample(texts, size)


def word_clouds(analysis: Any) -> HTML:
    """One word cloud per open question (only where enough answers exist; large meetings sampled)."""
    from integkit.charts import word_cloud

    parts = []
    for question_id in analysis.responses.text_questions():
        answers = analysis.responses.answers
        texts = answers.loc[answers["question_id"] == question_id, "text"].tolist()
        parts.append(f"<h3>{escape(analysis.responses.question_label(question_id))}</h3>")
        people = answers.loc[answers["question_id"] == question_id, "response_id"].nunique()
        chart = None if is_small(people, analysis.min_group) else word_cloud(sample(texts), analysis.language)
        parts.append(figure(chart, language=analysis.language).data)
    return HTML("".join(parts))


def new_themes(analysis: Any, names: tuple[str, ...] = ()) -> HTML:
    """Clusters of answers the codebook does not cover, with their terms and redacted quotes."""
    from integkit.privacy import redact
    from integkit.themes.discover import NEW, discover

    language = analysis.language
    texts = sample(analysis.coded["text"].tolist())
    if len(texts) < 10:
        return note(t("no_new_themes", language))
    summary = discover(texts, analysis.codebook, seed=0).summary
    summary = summary[(summary["overlap"] == NEW) & (summary["size"] >= analysis.min_group)]
    if summary.empty:
        return note(t("no_new_themes", language))
    parts = []
    for row in summary.itertuples():
        parts.append(f"<h3>{escape(t('new_theme_terms', language, terms=row.top_terms, n=row.size))}</h3>")
        found = [q for q in (row.quote_1, row.quote_2, row.quote_3) if q]
        parts.append(quotes([{"text": redact(q, names, max_chars=280)} for q in found]).data)
    return HTML("".join(parts))


def trends(analysis: Any) -> HTML:
    """Theme shares and rating means across the meetings of the series, or a note if this is the first."""
    from integkit.charts import trend
    from integkit.tables import rating_means_over_time, theme_shares_over_time

    if not analysis.history:
        return note(t("no_history", analysis.language))
    shares = theme_shares_over_time(analysis)
    means = rating_means_over_time(analysis)
    parts = [figure(trend(shares, analysis.language, "themes")).data]
    if not means.empty:
        parts.append(figure(trend(means, analysis.language, "ratings")).data)
    parts.append(table(means.reset_index(names=t("date", analysis.language))).data)
    return HTML("".join(parts))


def municipality_participation(local: Any, district: Any) -> HTML:
    """How many from this municipality answered, beside the district's total."""
    language = district.language
    n = len(local.respondents)
    if is_small(n, district.min_group):  # a count below min_group is not shown, not even here
        n = t("fewer_than", language, n=district.min_group)
    return paragraph(t("your_participation", language, n=n, total=len(district.respondents)))
