"""The sections of the reports: each one call in a template cell, built from analysis tables and html snippets.

A section returns its heading and content as one block. Headings, words and number formats are
applied here (integkit.report.wording); the groups a section breaks out come from
integkit.analysis.suppression through the analysis tables. A survey without free-text
questions gets its participation and ratings, and one note in place of the text sections.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import HTML

from integkit.analysis import tables
from integkit.analysis.clouds import cloud_words
from integkit.analysis.quotes import coded_answers, marked_segments, theme_quotes as choose_quotes
from integkit.analysis.redaction import Redactor
from integkit.analysis.suppression import is_small
from integkit.report import charts
from integkit.report.html import anchor, figure, heat_table, note, paragraph, quotes, references, section, sentences, table
from integkit.report import html
from integkit.report.wording import column, group_label, t

SAMPLE_SIZE = 3000  # answers a word cloud or the discovery of new themes looks at, at most
APPENDIX_LIMIT = 400  # answers per question listed in the appendix, at most
APPENDIX_MAX_CHARS = 3000  # characters of one answer shown in the appendix (longer ones end in " …")
REFERENCE_LIMIT = 40  # links to answers in one line of a theme's references, at most
EMPTY = HTML("")


def sample(texts: list[str], size: int = SAMPLE_SIZE, seed: int = 0) -> list[str]:
    """A deterministic sample of at most `size` texts (all of them when there are fewer)."""
    import random

    return texts if len(texts) <= size else random.Random(seed).sample(texts, size)


def _theme_anchor(theme: str, *more: object) -> str:
    return anchor("thema", theme, *more)


def _answer_anchor(response_id: object, question_id: str) -> str:
    return anchor("antwort", response_id, question_id)


def _may_show_local(local: Any) -> bool:
    """True if a municipality's own view may be shown: its municipality is one the meeting's reports name."""
    names = set(local.respondents["municipality"])
    return bool(names) and names <= set(tables.shown_municipalities(local))


# --- both reports --------------------------------------------------------------------------------
def title(analysis: Any, municipality: str | None = None) -> HTML:
    """The title block (with the municipality for a municipality report)."""
    language = analysis.language
    subtitle = f"{t('municipality_report', language)}: {municipality}" if municipality else ""
    return html.title(analysis.meeting, language, subtitle)


def provenance(analysis: Any) -> HTML:
    """The footer naming snapshot, codebook and integkit version."""
    return html.provenance(analysis.responses, analysis.language, analysis.codebook.version)


# --- the meeting report --------------------------------------------------------------------------
def summary(analysis: Any) -> HTML:
    from integkit.analysis.summary import meeting_summary

    return section("zusammenfassung", t("summary", analysis.language), sentences(meeting_summary(analysis)))


def participation_table(analysis: Any, by: str) -> pd.DataFrame:
    """tables.participation_by with its rows named for reading (combined groups, "ohne Angabe")."""
    raw = tables.participation_by(analysis.responses, by, analysis.min_group)
    names = [group_label(r.group, analysis.language, r.combined, r.all_small, analysis.min_group) for r in raw.itertuples()]
    return pd.DataFrame({by: names, "complete": raw["complete"], "incomplete": raw["incomplete"], "total": raw["total"]})


def participation(analysis: Any) -> HTML:
    """Respondents per municipality (chart and table) and per role."""
    language = analysis.language
    return section(
        "teilnahme", t("participation", language),
        figure(charts.participation(analysis.responses, language, analysis.min_group), language=language),
        table(participation_table(analysis, "municipality"), t("participation_caption", language), language),
        html.heading("by_role", language, level=3),
        table(participation_table(analysis, "role"), t("role_caption", language), language),
    )


def _no_text(analysis: Any) -> HTML:
    return note(t("no_text_questions", analysis.language))


def themes_overall(analysis: Any) -> HTML:
    """Share of respondents per theme (chart and table, each theme linked to its answers)."""
    language = analysis.language
    if not analysis.has_text:
        return section("themen", t("themes_overall", language), _no_text(analysis))
    counts = tables.theme_counts(analysis)
    shown = counts[["label", "answers", "respondents", "share_pct"]]
    links = {"label": [f"#{_theme_anchor(x)}" for x in counts["theme"]]}
    return section(
        "themen", t("themes_overall", language),
        figure(charts.theme_bars(counts, language), language=language),
        table(shown, t("theme_caption", language), language, links),
    )


def themes_by_municipality(analysis: Any) -> HTML:
    """Heat map (a shaded table): share of each named municipality's respondents per theme."""
    language = analysis.language
    if not analysis.has_text:
        return EMPTY
    long = tables.theme_by_municipality(analysis)
    parts = []
    if long.empty:
        parts.append(note(t("no_data", language)))
    else:
        themes = [x for x in analysis.theme_order() if x in set(analysis.mentions["theme"])]
        rows = {m: t("municipality_n", language, name=m, n=n) for m, n in zip(long["municipality"], long["n"])}
        values = long.pivot(index="municipality", columns="theme", values="share_pct").reindex(index=list(rows), columns=themes)
        hrefs = pd.DataFrame({th: [f"#{_theme_anchor(th, m)}" for m in values.index] for th in themes}, index=values.index)
        values.index = hrefs.index = [rows[m] for m in values.index]
        values.columns = hrefs.columns = [analysis.theme_label(x) for x in themes]
        parts.append(heat_table(values, t("heat_caption_municipality", language), column("municipality", language), hrefs, language))
    parts.append(note(t("suppressed_note", language, n=analysis.min_group)))
    return section("themen-gemeinde", t("themes_by_municipality", language), *parts)


def themes_by_question(analysis: Any) -> HTML:
    """Heat map (a shaded table): respondents naming each theme per open question."""
    language = analysis.language
    if not analysis.has_text:
        return EMPTY
    long = tables.theme_by_question(analysis)
    if long.empty:
        return section("themen-frage", t("themes_by_question", language), note(t("no_data", language)))
    questions = analysis.responses.text_questions()
    themes = list(dict.fromkeys(long["theme"]))
    values = long.pivot(index="theme", columns="question_id", values="respondents").reindex(index=themes, columns=questions)
    hrefs = pd.DataFrame({q: [f"#{_theme_anchor(th)}" for th in themes] for q in questions}, index=themes)
    values.index = hrefs.index = [analysis.theme_label(x) for x in themes]
    values.columns = hrefs.columns = [tables.question_short(analysis, q) for q in questions]
    return section("themen-frage", t("themes_by_question", language),
                   heat_table(values, t("heat_caption_question", language), column("theme", language), hrefs, language))


def ratings(analysis: Any) -> HTML:
    """Likert bars and the table of n, valid share and mean per item."""
    language = analysis.language
    return section(
        "einschaetzung", t("ratings", language),
        figure(charts.likert(analysis.responses, language), language=language),
        table(tables.rating_summary(analysis.responses), t("ratings_caption", language), language),
    )


def word_clouds(analysis: Any) -> HTML:
    """One word cloud per open question: its distinctive content words (only where enough people answered)."""
    language = analysis.language
    if not analysis.has_text:
        return EMPTY
    answers = analysis.responses.answers
    local_ok = analysis.scope is None or _may_show_local(analysis)
    parts = []
    for question_id in analysis.responses.text_questions():
        mine = answers["question_id"] == question_id
        parts.append(html.heading(analysis.responses.question_label(question_id), language, level=3, translate=False).data)
        people = answers.loc[mine, "response_id"].nunique()
        chart = None
        if local_ok and not is_small(people, analysis.min_group):
            words = cloud_words(sample(answers.loc[mine, "text"].tolist()), sample(answers.loc[~mine, "text"].tolist()))
            chart = charts.word_cloud(words, language)
        parts.append(figure(chart, language=language).data)
    return section("wortwolken", t("word_clouds", language), *[HTML(p) for p in parts])


def answer_numbers(analysis: Any) -> dict[tuple[int, str], int]:
    """(response_id, question_id) → the number an answer has in the appendix (A1, A2, …), in appendix order."""
    numbers: dict[tuple[int, str], int] = {}
    for question_id in analysis.responses.text_questions():
        rows = tables.answers_for(analysis.responses, question_id).head(APPENDIX_LIMIT)
        for rid in rows["response_id"]:
            numbers.setdefault((int(rid), question_id), len(numbers) + 1)
    return numbers


def _who(analysis: Any, municipality: str) -> str:
    return tables.attribution(analysis, municipality) or t("other_municipality", analysis.language)


def theme_quotes(analysis: Any, n: int = 3, names: tuple[str, ...] = ()) -> HTML:
    """Per theme (most named first): different answers quoted at the sentence that carries the theme,
    and links to all its answers in the appendix, by municipality (the targets of the heat-map cells)."""
    language = analysis.language
    if not analysis.has_text:
        return EMPTY
    chosen = choose_quotes(analysis, n=n, names=names)
    numbers = answer_numbers(analysis)
    people = analysis.respondents.set_index("response_id")["municipality"]
    named = set(tables.shown_municipalities(analysis))
    parts = []
    for theme in tables.theme_counts(analysis)["theme"]:
        mine = chosen[chosen["theme"] == theme]
        rows = [{"text": r.quote, "municipality": r.municipality if isinstance(r.municipality, str) else t("other_municipality", language)}
                for r in mine.itertuples()]
        parts.append(html.heading(analysis.theme_label(theme), language, level=3, translate=False, anchor_id=_theme_anchor(theme)).data)
        parts.append(quotes(rows, empty=t("no_answers", language)).data)
        mentions = analysis.mentions[analysis.mentions["theme"] == theme]
        groups: dict[str, list[tuple[str, str]]] = {}
        for r in mentions.itertuples():
            key = (int(r.response_id), r.question_id)
            m = people.get(r.response_id, "")
            links = groups.setdefault(m if m in named else "", [])  # every heat-map cell finds its line
            if key in numbers:  # answers past the appendix's limit are counted, not linked
                links.append((t("answer_ref", language, n=numbers[key]), f"#{_answer_anchor(*key)}"))
        lines = [html.paragraph(t("answers_on_theme", language)).data]
        for m in [*sorted((g for g in groups if g), key=str.lower), ""]:
            if m in groups:
                links = sorted(groups[m], key=lambda x: int(x[0][1:]) if x[0][1:].isdigit() else 0)[:REFERENCE_LIMIT]
                label = m or t("other_municipalities", language)
                lines.append(references(_theme_anchor(theme, m) if m else None, label, links).data)
        parts.extend(lines)
    if not parts:
        return section("stimmen", t("quotes", language), paragraph(t("no_answers", language)))
    return section("stimmen", t("quotes", language), *[HTML(p) for p in parts])


def new_themes(analysis: Any, names: tuple[str, ...] = ()) -> HTML:
    """Clusters of answers the codebook does not cover, with their terms and redacted quotes."""
    from integkit.analysis.redaction import redact
    from integkit.themes.discover import NEW, discover

    language = analysis.language
    if not analysis.has_text:
        return EMPTY
    texts = sample(analysis.coded["text"].tolist())
    heading_text = t("new_themes", language)
    if len(texts) < 10:
        return section("neue-themen", heading_text, note(t("no_new_themes", language)))
    found = discover(texts, analysis.codebook, seed=0).summary
    found = found[(found["overlap"] == NEW) & (found["size"] >= analysis.min_group)]
    if found.empty:
        return section("neue-themen", heading_text, note(t("no_new_themes", language)))
    parts = []
    for row in found.itertuples():
        parts.append(html.heading(t("new_theme_terms", language, terms=row.top_terms, n=row.size), language, 3, translate=False))
        examples = [q for q in (row.quote_1, row.quote_2, row.quote_3) if q]
        parts.append(quotes([{"text": redact(q, names, max_chars=280)} for q in examples]))
    return section("neue-themen", heading_text, *parts)


def trends(analysis: Any) -> HTML:
    """Theme shares and rating means across the meetings of the series (by date), or a note if this is the first."""
    language = analysis.language
    heading_text = t("trend", language)
    if not analysis.history:
        return section("entwicklung", heading_text, note(t("no_history", language)))
    meetings = tables.meeting_labels(analysis)
    labels = {x: analysis.theme_label(x) for x in analysis.theme_order()}
    parts = []
    if analysis.has_text:
        parts.append(figure(charts.trend(tables.theme_shares_over_time(analysis), language, "themes", labels, meetings), language=language))
    means = tables.rating_means_over_time(analysis)
    if len(means.columns):
        parts.append(figure(charts.trend(means, language, "ratings", meetings=meetings), language=language))
        shown = means.reset_index()
        shown["meeting"] = shown["meeting"].map(meetings)
        parts.append(table(shown.rename(columns={"meeting": "date"}), t("trend_caption", language), language))
    return section("entwicklung", heading_text, *parts)


def action_list_frame(analysis: Any) -> pd.DataFrame:
    """tables.action_list for reading: theme labels, short question names, the named municipalities joined."""
    language = analysis.language
    raw = tables.action_list(analysis)
    who = [
        ", ".join(names) + ((" " if names else "") + t("and_others", language) if others else "")
        for names, others in zip(raw["municipalities"], raw["others"])
    ]
    return pd.DataFrame({
        "theme": [analysis.theme_label(x) for x in raw["theme"]],
        "request": [tables.question_short(analysis, q) for q in raw["question_id"]],
        "respondents": raw["respondents"].to_numpy(dtype=int),
        "municipalities": who,
    })


def action_list_table(analysis: Any) -> pd.DataFrame:
    """The action list as its CSV/XLSX holds it: headings in the report's language."""
    frame = action_list_frame(analysis)
    return frame.rename(columns={c: column(c, analysis.language) for c in frame.columns})


def action_list(analysis: Any) -> HTML:
    """What municipalities want expanded and ask of the district office, by theme (each theme linked to its answers)."""
    language = analysis.language
    if not analysis.has_text:
        return EMPTY
    raw = tables.action_list(analysis)
    links = {"theme": [f"#{_theme_anchor(x)}" for x in raw["theme"]]}
    return section("handlungsliste", t("actions", language),
                   table(action_list_frame(analysis), t("actions_caption", language), language, links))


def _answer_rows(analysis: Any, question_id: str, redactor: Redactor, numbers: dict | None, who: bool) -> list[dict]:
    coded = coded_answers(analysis, question_id)
    if numbers is not None:
        coded = coded[[(int(r), question_id) in numbers for r in coded["response_id"]]]
    rows = []
    for r in coded.head(APPENDIX_LIMIT).itertuples():
        segments = marked_segments(r.text, r.evidence, redactor, analysis.codebook, APPENDIX_MAX_CHARS)
        key = (int(r.response_id), question_id)
        rows.append({
            "segments": [{"text": s.text, "mark": s.mark} for s in segments],
            "labels": [analysis.theme_label(x) for x in r.themes],
            "municipality": _who(analysis, r.municipality) if who else "",
            "id": _answer_anchor(*key) if numbers is not None else None,
            "number": t("answer_ref", analysis.language, n=numbers[key]) if numbers is not None else None,
        })
    return rows


def answers_by_question(analysis: Any, names: tuple[str, ...] = ()) -> HTML:
    """Every answer to each open question once, redacted, with its themes and numbered (the targets of the
    theme references); attributed only to municipalities the report may name."""
    language = analysis.language
    if not analysis.has_text:
        return EMPTY
    redactor = Redactor(names)
    numbers = answer_numbers(analysis)
    parts = []
    responses = analysis.responses
    for question_id in responses.text_questions():
        total = int((responses.answers["question_id"] == question_id).sum())
        parts.append(html.heading(responses.question_label(question_id), language, 3, translate=False))
        parts.append(quotes(_answer_rows(analysis, question_id, redactor, numbers, who=True), empty=t("no_answers", language)))
        if total > APPENDIX_LIMIT:
            parts.append(note(t("more_answers", language, n=total - APPENDIX_LIMIT)))
    return section("antworten", t("answers", language), *parts)


# --- the municipality report ----------------------------------------------------------------------
def _hidden_note(local: Any) -> HTML:
    """Why a municipality's own figures are not shown: it is too small, or shown it would uncover a smaller group."""
    n = len(local.respondents)
    key = "too_few" if is_small(n, local.min_group) else "not_shown_separately"
    return note(t(key, local.language, n=local.min_group))


def municipality_participation(local: Any, district: Any) -> HTML:
    """How many from this municipality answered, beside the district's total (no count that is not shown)."""
    language = district.language
    total = len(district.respondents)
    if _may_show_local(local):
        text = t("your_participation", language, n=len(local.respondents), total=total)
    elif is_small(len(local.respondents), district.min_group):
        text = t("your_participation", language, n=t("fewer_than", language, n=district.min_group), total=total)
    else:
        text = t("your_participation_hidden", language, total=total)
    return section("teilnahme", t("participation", language), paragraph(text))


def municipality_answers(local: Any, names: tuple[str, ...] = ()) -> HTML:
    """The municipality's answers grouped by question, each once with its themes as labels and the
    sentence that carries a theme highlighted (only the municipality's own answers)."""
    language = local.language
    heading_text = t("your_answers", language)
    if not local.has_text:
        return section("antworten", heading_text, _no_text(local))
    if not _may_show_local(local):
        return section("antworten", heading_text, _hidden_note(local))
    redactor = Redactor(names)
    parts = [note(t("your_answers_note", language))]
    for question_id in local.responses.text_questions():
        parts.append(html.heading(local.responses.question_label(question_id), language, 3, translate=False))
        parts.append(quotes(_answer_rows(local, question_id, redactor, None, who=False), empty=t("no_answers", language)))
    return section("antworten", heading_text, *parts)


def municipality_comparison(local: Any, district: Any) -> HTML:
    """The municipality's theme shares and ratings beside the district's (charts and tables)."""
    language = district.language
    heading_text = t("compare_title", language)
    if not _may_show_local(local):
        return section("vergleich", heading_text, _hidden_note(local))
    parts = []
    if district.has_text:
        themes = tables.municipality_vs_district(local, district)
        parts.append(figure(charts.comparison(themes, language, "themes"), language=language))
        parts.append(table(themes[["label", "local_pct", "district_pct"]], t("compare_caption_themes", language), language))
    rated = tables.ratings_vs_district(local, district)
    if len(rated):
        parts.append(figure(charts.comparison(rated, language, "ratings"), language=language))
        parts.append(table(rated, t("compare_caption_ratings", language), language))
    return section("vergleich", heading_text, *parts)


def municipality_actions(local: Any) -> HTML:
    """The municipality's own requests by theme and question."""
    language = local.language
    if not local.has_text:
        return EMPTY
    if not _may_show_local(local):
        return section("anliegen", t("your_actions", language), _hidden_note(local))
    own = action_list_frame(local).drop(columns="municipalities")  # all of them are this municipality's
    return section("anliegen", t("your_actions", language), table(own, t("actions_caption", language), language))


def district_top(district: Any, n: int = 5) -> HTML:
    """The district's most named themes."""
    language = district.language
    if not district.has_text:
        return EMPTY
    return section("landkreis", t("district_top", language),
                   figure(charts.theme_bars(tables.theme_counts(district).head(n), language), language=language))
