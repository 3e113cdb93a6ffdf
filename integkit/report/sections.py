"""The report's composite sections: each one call in a template, built from analysis tables and html snippets."""

from __future__ import annotations

from html import escape
from typing import Any

from IPython.display import HTML

from integkit.analysis.suppression import is_small
from integkit.report.html import figure, note, paragraph, quotes, table
from integkit.report.wording import t

SAMPLE_SIZE = 3000  # answers a word cloud or the discovery of new themes looks at, at most
APPENDIX_LIMIT = 400  # answers per question listed in the appendix, at most
APPENDIX_MAX_CHARS = 3000  # characters of one answer shown in the appendix (longer ones end in " …")



def sample(texts: list[str], size: int = SAMPLE_SIZE, seed: int = 0) -> list[str]:
    """A deterministic sample of at most `size` texts (all of them when there are fewer)."""
    import random

    return texts if len(texts) <= size else random.Random(seed).sample(texts, size)


def word_clouds(analysis: Any) -> HTML:
    """One word cloud per open question (only where enough answers exist; large meetings sampled)."""
    from integkit.report.charts import word_cloud

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
    from integkit.analysis.redaction import redact
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
    from integkit.report.charts import trend
    from integkit.analysis.tables import rating_means_over_time, theme_shares_over_time

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


def answers_by_question(analysis: Any, names: tuple[str, ...] = ()) -> HTML:
    """Every answer to each open question, redacted, attributed only to municipalities large enough."""
    from integkit.analysis.redaction import Redactor
    from integkit.analysis.tables import answers_for, attribution

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


def theme_quotes(analysis: Any, n: int = 3, names: tuple[str, ...] = ()) -> HTML:
    """Per theme (most named first): its label and a few redacted, representative quotes."""
    from integkit.analysis.tables import theme_counts
    from integkit.analysis.tables import theme_quotes as quotes_of

    parts = []
    counts = theme_counts(analysis)
    for theme_id, label in zip(counts["theme"], counts.iloc[:, 1]):
        parts.append(f"<h3>{escape(label)}</h3>")
        parts.append(quotes(quotes_of(analysis, theme_id, n=n, names=names)).data)
    return HTML("".join(parts) or f"<p>{escape(t('no_answers', analysis.language))}</p>")
