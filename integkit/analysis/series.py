"""Meetings of a series side by side: participation, theme shares and ratings, per municipality and district.

All tables start from `load_analysis` (the meeting plus its earlier meetings as `history`,
oldest first by date). They carry stable ids: meetings by meeting id (labelled by date with
tables.meeting_labels), themes by theme id, municipalities by name; `readable` turns one for
reading. The per-municipality tables blank meetings where the municipality had fewer than
`min_group` respondents (suppression.mask_small).
"""

from __future__ import annotations

import pandas as pd

from integkit.analysis.meeting import Analysis, for_municipality
from integkit.analysis.suppression import mask_small
from integkit.analysis.tables import meeting_labels, rating_means_over_time, series_meetings, theme_shares_over_time
from integkit.responses import UNKNOWN_MUNICIPALITY

DISTRICT = "Landkreis gesamt"


def meetings(analysis: Analysis) -> list[Analysis]:
    """The series' meetings, oldest first, ending with ``analysis`` itself."""
    return series_meetings(analysis)


def series_municipalities(analysis: Analysis) -> list[str]:
    """Every municipality that answered at any meeting of the series (by name)."""
    names = {m for a in meetings(analysis) for m in a.respondents["municipality"]} - {UNKNOWN_MUNICIPALITY}
    return sorted(names, key=str.lower)


def participation_over_time(analysis: Analysis) -> pd.DataFrame:
    """Respondents per municipality (rows, district total last) and meeting (columns: meeting ids, oldest first)."""
    columns = {a.meeting.id: a.respondents.groupby("municipality")["response_id"].nunique() for a in meetings(analysis)}
    table = pd.DataFrame(columns).fillna(0).astype(int)
    table = table.reindex(sorted(table.index, key=str.lower))
    table.loc[DISTRICT] = [len(a.respondents) for a in meetings(analysis)]
    table.index.name = "municipality"
    return table


def participation_table(analysis: Analysis) -> pd.DataFrame:
    """participation_over_time with the municipality as a column and meetings labelled by date, for show.table."""
    return participation_over_time(analysis).rename(columns=meeting_labels(analysis)).reset_index()


def theme_shares_long(analysis: Analysis) -> pd.DataFrame:
    """Tidy: meeting (id), municipality (or DISTRICT), theme (id), respondents naming it, n respondents, share (%)."""
    rows = []
    for a in meetings(analysis):
        people = a.respondents[["response_id", "municipality"]]
        mentions = a.mentions.merge(people, on="response_id")
        groups = [(m, people[people["municipality"] == m], mentions[mentions["municipality"] == m])
                  for m in sorted(set(people["municipality"]), key=str.lower)]
        groups.append((DISTRICT, people, mentions))
        for name, who, said in groups:
            n = who["response_id"].nunique()
            named = said.groupby("theme")["response_id"].nunique()
            for theme in analysis.theme_order():
                k = int(named.get(theme, 0))
                rows.append({"meeting": a.meeting.id, "municipality": name, "theme": theme, "respondents": k, "n": n,
                             "share": round(100 * k / n) if n else float("nan")})
    return pd.DataFrame(rows, columns=["meeting", "municipality", "theme", "respondents", "n", "share"])


def theme_shares(analysis: Analysis, municipality: str | None = None, min_group: int | None = None) -> pd.DataFrame:
    """Share (%) of respondents naming each theme (columns: theme ids) per meeting (rows: meeting ids, oldest
    first) for one municipality or, with None, the district; meetings where the municipality had fewer than
    ``min_group`` respondents are blank. Shaped for charts.trend; `readable` turns it for reading."""
    if municipality is None or municipality == DISTRICT:
        return theme_shares_over_time(analysis)
    return _mask_meetings(theme_shares_over_time(for_municipality(analysis, municipality)), analysis, municipality, min_group)


def rating_means(analysis: Analysis, municipality: str | None = None, min_group: int | None = None) -> pd.DataFrame:
    """Mean rating per item (columns) per meeting (rows: meeting ids, oldest first) for one municipality or the district."""
    if municipality is None or municipality == DISTRICT:
        return rating_means_over_time(analysis)
    return _mask_meetings(rating_means_over_time(for_municipality(analysis, municipality)), analysis, municipality, min_group)


def _mask_meetings(table: pd.DataFrame, analysis: Analysis, municipality: str, min_group: int | None) -> pd.DataFrame:
    sizes = participation_over_time(analysis)
    n = sizes.loc[municipality] if municipality in sizes.index else pd.Series(0, index=sizes.columns)
    return mask_small(table, n, analysis.min_group if min_group is None else min_group)


def readable(frame: pd.DataFrame, first: str = "Thema", analysis: Analysis | None = None) -> pd.DataFrame:
    """A meetings × themes (or items) frame turned for reading: one row per theme, one column per meeting.

    With ``analysis``, theme ids become their labels and meeting ids their dates.
    """
    out = frame.T
    if analysis is not None:
        out = out.rename(index={x: analysis.theme_label(x) for x in analysis.theme_order()}, columns=meeting_labels(analysis))
    out.index.name = first
    out.columns.name = None
    return out.reset_index()


def theme_share_changes(analysis: Analysis, min_group: int | None = None) -> pd.DataFrame:
    """Per municipality (rows, district last) and theme (columns: theme ids): change in share (percentage points)
    from the previous meeting to this one; blank where either meeting had fewer than ``min_group`` respondents."""
    if not analysis.history:
        return pd.DataFrame()
    limit = analysis.min_group if min_group is None else min_group
    long = theme_shares_long(analysis)
    before, now = analysis.history[-1].meeting.id, analysis.meeting.id
    wide = long[long["meeting"].isin([before, now])].pivot_table(index=["municipality", "theme"], columns="meeting", values=["share", "n"])
    delta = wide[("share", now)] - wide[("share", before)]
    delta[(wide[("n", now)] < limit) | (wide[("n", before)] < limit)] = float("nan")
    table = delta.unstack("theme").reindex(columns=analysis.theme_order())
    table.columns.name = None
    order = sorted((m for m in table.index if m != DISTRICT), key=str.lower) + [DISTRICT]
    table = table.reindex(order).dropna(how="all")
    table.index.name = "municipality"
    return table.reset_index()
