"""The short written summary at the top of a report, made from the figures (no free text)."""

from __future__ import annotations

from integkit.analysis import tables
from integkit.analysis.meeting import Analysis
from integkit.report.wording import number, t


def meeting_summary(analysis: Analysis) -> list[str]:
    """Sentences: participation, the top themes, and the biggest change since the previous meeting."""
    language = analysis.language
    sentences = [t("summary_line", language, **_counts(analysis))]
    counts = tables.theme_counts(analysis)
    if len(counts):
        top = [f"{row.label} ({number(row.share_pct, language, 0)} %)" for row in counts.head(3).itertuples()]
        sentences.append(t("summary_top_themes", language, themes=", ".join(top)))
    change = biggest_change(analysis)
    if change:
        sentences.append(change)
    return sentences


def _counts(analysis: Analysis) -> dict[str, str]:
    c = tables.participation_counts(analysis.responses)
    return {"n": number(c["respondents"], analysis.language, 0), "m": number(c["municipalities"], analysis.language, 0),
            "c": number(c["complete"], analysis.language, 0), "i": number(c["incomplete"], analysis.language, 0)}


def biggest_change(analysis: Analysis) -> str | None:
    """The largest shift since the previous meeting (by date), in theme share or mean rating, as a sentence."""
    if not analysis.history:
        return None
    language = analysis.language
    shares = tables.theme_shares_over_time(analysis)
    means = tables.rating_means_over_time(analysis)
    before_id, now_id = analysis.history[-1].meeting.id, analysis.meeting.id
    before = tables.meeting_labels(analysis)[before_id]
    theme_delta = (shares.loc[now_id] - shares.loc[before_id]).dropna()
    # one rating point on the 1–5 scale is weighed like 25 percentage points of theme share
    rating_delta = (means.loc[now_id] - means.loc[before_id]).dropna() if len(means.columns) else theme_delta.iloc[:0]
    best_theme = theme_delta.abs().idxmax() if len(theme_delta) else None
    best_rating = rating_delta.abs().idxmax() if len(rating_delta) else None
    if best_rating is not None and (best_theme is None or abs(rating_delta[best_rating]) * 25 > abs(theme_delta[best_theme])):
        d = rating_delta[best_rating]
        return t(
            "summary_change_rating", language, item=best_rating, before=before,
            a=number(means.at[before_id, best_rating], language), b=number(means.at[now_id, best_rating], language),
            direction=t("up" if d > 0 else "down", language),
        )
    if best_theme is None or theme_delta[best_theme] == 0:
        return None
    d = theme_delta[best_theme]
    return t(
        "summary_change_theme", language, theme=analysis.theme_label(best_theme), before=before,
        a=number(shares.at[before_id, best_theme], language, 0), b=number(shares.at[now_id, best_theme], language, 0),
        direction=t("up" if d > 0 else "down", language),
    )
