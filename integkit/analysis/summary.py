"""The short written summary at the top of a report, made from the figures (no free text)."""

from __future__ import annotations

from integkit.analysis import tables
from integkit.analysis.meeting import Analysis
from integkit.report.wording import number, t


def meeting_summary(analysis: Analysis) -> list[str]:
    """Sentences: participation, the top themes, and the biggest change since the previous meeting."""
    language = analysis.language
    sentences = [tables.summary_line(analysis.responses, language)]
    counts = tables.theme_counts(analysis)
    if len(counts):
        top = [f"{label} ({share:.0f} %)" for label, share in zip(counts.iloc[:3, 1], counts.iloc[:3, 4])]
        sentences.append(t("summary_top_themes", language, themes=", ".join(top)))
    change = biggest_change(analysis)
    if change:
        sentences.append(change)
    return sentences


def biggest_change(analysis: Analysis) -> str | None:
    """The largest shift since the previous meeting, in theme share or mean rating, as a sentence."""
    if not analysis.history:
        return None
    language = analysis.language
    shares = tables.theme_shares_over_time(analysis)
    means = tables.rating_means_over_time(analysis)
    before, now = shares.index[-2], shares.index[-1]
    theme_delta = (shares.iloc[-1] - shares.iloc[-2]).dropna()
    # one rating point on the 1–5 scale is weighed like 25 percentage points of theme share
    rating_delta = (means.iloc[-1] - means.iloc[-2]).dropna() if len(means) > 1 else theme_delta.iloc[:0]
    best_theme = theme_delta.abs().idxmax() if len(theme_delta) else None
    best_rating = rating_delta.abs().idxmax() if len(rating_delta) else None
    if best_rating is not None and (best_theme is None or abs(rating_delta[best_rating]) * 25 > abs(theme_delta[best_theme])):
        d = rating_delta[best_rating]
        return t(
            "summary_change_rating", language, item=best_rating, before=before, now=now,
            a=number(means.iloc[-2][best_rating], language), b=number(means.iloc[-1][best_rating], language), direction=t("up" if d > 0 else "down", language),
        )
    if best_theme is None:
        return None
    d = theme_delta[best_theme]
    return t(
        "summary_change_theme", language, theme=best_theme, before=before, now=now,
        a=number(shares.iloc[-2][best_theme], language, 0), b=number(shares.iloc[-1][best_theme], language, 0), direction=t("up" if d > 0 else "down", language),
    )
