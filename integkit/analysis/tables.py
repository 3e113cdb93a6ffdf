"""Every table a report shows, computed from the tidy model with stable column ids.

Columns are English snake_case ids (`respondents`, `share_pct`, …); headings, labels and number
formats are applied where a table is shown (integkit.report.wording, integkit.report.sections).
Every breakdown by municipality or role takes its groups from integkit.analysis.suppression.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from integkit.analysis.suppression import breakdown
from integkit.responses import UNKNOWN_MUNICIPALITY, Responses

if TYPE_CHECKING:  # analysis imports the theme engine; tables stays importable without it
    from integkit.analysis.meeting import Analysis

LIKERT_VALUES = (1, 2, 3, 4, 5)
PARTICIPATION_COLUMNS = ["group", "complete", "incomplete", "total", "combined", "all_small"]


def participation_by(responses: Responses, column: str, min_group: int = 1) -> pd.DataFrame:
    """Respondents per municipality or role, complete and incomplete, largest first.

    Columns: group (None for the row of combined groups), complete, incomplete, total,
    combined (how many groups the row combines; 0 for a single group) and all_small (every
    combined group is below min_group). The groups come from suppression.breakdown.
    """
    people = responses.respondents
    split = breakdown(people, column, min_group)
    counts = people.groupby(column)["complete"].agg(complete="sum", total="size")
    rows = [
        {"group": g, "complete": int(counts.at[g, "complete"]), "total": int(counts.at[g, "total"]), "combined": 0, "all_small": False}
        for g in split.shown
    ]
    if split.rest:
        rest = counts.loc[list(split.rest)]
        rows.append({"group": None, "complete": int(rest["complete"].sum()), "total": int(rest["total"].sum()),
                     "combined": len(split.rest), "all_small": split.rest_all_small})
    table = pd.DataFrame(rows, columns=["group", "complete", "total", "combined", "all_small"])
    table["incomplete"] = table["total"] - table["complete"]
    return table[PARTICIPATION_COLUMNS]


def rating_distribution(responses: Responses) -> pd.DataFrame:
    """Per item: count of each value 1–5, n (everyone asked), valid n and mean; items in survey order."""
    ratings = responses.ratings
    items = list(dict.fromkeys(ratings["item"]))
    counts = (
        ratings.dropna(subset=["value"])
        .assign(value=lambda d: d["value"].round().astype(int))
        .pivot_table(index="item", columns="value", values="response_id", aggfunc="count", fill_value=0)
        .reindex(index=items, columns=list(LIKERT_VALUES), fill_value=0)
    )
    counts["n"] = ratings.groupby("item").size().reindex(items).fillna(0).astype(int)
    counts["valid"] = counts[list(LIKERT_VALUES)].sum(axis=1)
    counts["mean"] = ratings.groupby("item")["value"].mean().reindex(items)
    counts.columns.name = None
    return counts


def rating_summary(responses: Responses) -> pd.DataFrame:
    """Per item: item, n, valid_pct (share of valid answers) and mean, as shown beside the Likert chart."""
    dist = rating_distribution(responses)
    return pd.DataFrame(
        {
            "item": dist.index,
            "n": dist["n"].to_numpy(),
            "valid_pct": (100 * dist["valid"] / dist["n"].where(dist["n"] > 0)).round(0).to_numpy(),
            "mean": dist["mean"].round(2).to_numpy(),
        }
    )


def answers_for(responses: Responses, question_id: str) -> pd.DataFrame:
    """Answers to one open question with the respondent's municipality and role."""
    answers = responses.answers[responses.answers["question_id"] == question_id]
    people = responses.respondents[["response_id", "municipality", "role"]]
    return answers.merge(people, on="response_id", how="left")[["response_id", "question_id", "municipality", "role", "text"]]


def participation_counts(responses: Responses) -> dict[str, int]:
    """The figures of the summary's first sentence: respondents, municipalities, complete, incomplete."""
    people = responses.respondents
    named = set(people["municipality"]) - {UNKNOWN_MUNICIPALITY}
    return {
        "respondents": len(people),
        "municipalities": len(named),
        "complete": int(people["complete"].sum()),
        "incomplete": int((~people["complete"].astype(bool)).sum()),
    }


# --- themes ------------------------------------------------------------------------------
def _share(part: pd.Series | float, whole: pd.Series | float) -> pd.Series | float:
    return (100 * part / whole).round(0)


def theme_counts(analysis: "Analysis") -> pd.DataFrame:
    """Per theme named at all: theme, label, answers naming it, respondents naming it, share_pct of all respondents."""
    mentions = analysis.mentions
    n = len(analysis.respondents)
    by_theme = mentions.groupby("theme").agg(answers=("text", "size"), respondents=("response_id", "nunique"))
    by_theme = by_theme.reindex(analysis.theme_order()).fillna(0).astype(int)
    by_theme = by_theme[by_theme["answers"] > 0].sort_values(["respondents", "answers"], ascending=False, kind="stable")
    return pd.DataFrame(
        {
            "theme": by_theme.index,
            "label": [analysis.theme_label(x) for x in by_theme.index],
            "answers": by_theme["answers"].to_numpy(),
            "respondents": by_theme["respondents"].to_numpy(),
            "share_pct": _share(by_theme["respondents"], n).to_numpy() if n else 0.0,
        }
    )


def shown_municipalities(analysis: "Analysis") -> tuple[str, ...]:
    """Municipalities a shared report may name, largest first (never "ohne Angabe")."""
    return analysis.municipalities.named(UNKNOWN_MUNICIPALITY)


def theme_by_municipality(analysis: "Analysis") -> pd.DataFrame:
    """Long table: municipality, n, theme, respondents naming it, share_pct; only municipalities a report may name."""
    people = analysis.respondents
    names = sorted(shown_municipalities(analysis), key=str.lower)
    sizes = analysis.municipalities.sizes
    mentions = analysis.mentions.merge(people[["response_id", "municipality"]], on="response_id")
    counts = mentions.groupby(["municipality", "theme"])["response_id"].nunique()
    rows = [
        {"municipality": m, "n": int(sizes[m]), "theme": theme, "respondents": int(counts.get((m, theme), 0)),
         "share_pct": float(_share(counts.get((m, theme), 0), sizes[m]))}
        for m in names for theme in analysis.theme_order()
    ]
    return pd.DataFrame(rows, columns=["municipality", "n", "theme", "respondents", "share_pct"])


def theme_by_question(analysis: "Analysis") -> pd.DataFrame:
    """Long table: theme, question_id, respondents naming the theme in answers to that question."""
    counts = analysis.mentions.groupby(["theme", "question_id"])["response_id"].nunique()
    named = set(analysis.mentions["theme"])
    rows = [
        {"theme": theme, "question_id": q, "respondents": int(counts.get((theme, q), 0))}
        for theme in analysis.theme_order() if theme in named for q in analysis.responses.text_questions()
    ]
    return pd.DataFrame(rows, columns=["theme", "question_id", "respondents"])


def question_short(analysis: "Analysis", question_id: str) -> str:
    """A short name of an open question for column headings."""
    from integkit.report.wording import TEXTS, t

    key = f"short_{question_id}"
    return t(key, analysis.language) if key in TEXTS else analysis.responses.question_label(question_id)


def attribution(analysis: "Analysis", municipality: str) -> str | None:
    """Who said a quote in a shared report: the municipality if the report may name it, else None."""
    return municipality if municipality in shown_municipalities(analysis) else None


def action_list(analysis: "Analysis") -> pd.DataFrame:
    """What municipalities want expanded and ask of the district office, per theme and question.

    Columns: theme, question_id, respondents, municipalities (the named ones, a tuple) and
    others (respondents from municipalities the report does not name took part too).
    """
    wanted = [q for q in ("q_ausbau", "q_unterstuetzung") if q in analysis.responses.text_questions()]
    mentions = analysis.mentions[analysis.mentions["question_id"].isin(wanted)]
    mentions = mentions.merge(analysis.respondents[["response_id", "municipality"]], on="response_id")
    allowed = set(shown_municipalities(analysis))
    rows = []
    for (theme, question), group in mentions.groupby(["theme", "question_id"]):
        named = tuple(sorted(set(group["municipality"]) & allowed, key=str.lower))
        rows.append({
            "theme": theme, "question_id": question, "respondents": group["response_id"].nunique(),
            "municipalities": named, "others": bool((~group["municipality"].isin(named)).any()),
        })
    table = pd.DataFrame(rows, columns=["theme", "question_id", "respondents", "municipalities", "others"])
    return table.sort_values("respondents", ascending=False, kind="stable").reset_index(drop=True)


# --- the series of meetings ----------------------------------------------------------------
def series_meetings(analysis: "Analysis") -> list["Analysis"]:
    """The meetings of the series with data, oldest first (by date), ending with this one."""
    return [*analysis.history, analysis]


def meeting_labels(analysis: "Analysis") -> dict[str, str]:
    """Meeting id → its label for a reader: the date (dd.mm.yyyy); meetings sharing a date add their id."""
    dates = {a.meeting.id: a.meeting.date for a in series_meetings(analysis)}
    labels = {}
    for meeting_id, date in dates.items():
        label = date.strftime("%d.%m.%Y") if date else meeting_id
        if date and sum(d == date for d in dates.values()) > 1:
            label = f"{label} ({meeting_id})"
        labels[meeting_id] = label
    return labels


def meeting_label(analysis: "Analysis") -> str:
    """The label of one meeting as its own reports show it (see meeting_labels)."""
    return meeting_labels(analysis)[analysis.meeting.id]


def theme_shares_over_time(analysis: "Analysis") -> pd.DataFrame:
    """Share (%) of respondents naming each theme (columns: theme ids) per meeting (index: meeting ids, oldest first)."""
    rows = {}
    for a in series_meetings(analysis):
        n = len(a.respondents)
        counts = a.mentions.groupby("theme")["response_id"].nunique().reindex(analysis.theme_order(), fill_value=0)
        rows[a.meeting.id] = _share(counts, n) if n else counts * float("nan")
    frame = pd.DataFrame(rows).T.astype("float64")
    frame.index.name = "meeting"
    return frame


def rating_means_over_time(analysis: "Analysis") -> pd.DataFrame:
    """Mean rating per item (columns) per meeting (index: meeting ids, oldest first)."""
    rows = {a.meeting.id: a.responses.ratings.groupby("item", sort=False)["value"].mean() for a in series_meetings(analysis)}
    frame = pd.DataFrame(rows).T.astype("float64").round(2)
    frame.columns.name = None
    frame.index.name = "meeting"
    return frame


# --- one municipality beside the district ---------------------------------------------------
def municipality_vs_district(local: "Analysis", district: "Analysis") -> pd.DataFrame:
    """Theme shares (%) of one municipality's respondents beside the whole district's: theme, label, local_pct, district_pct."""
    mine = theme_counts(local).set_index("theme")["share_pct"]
    all_ = theme_counts(district).set_index("theme")["share_pct"]
    themes = [x for x in district.theme_order() if x in all_.index or x in mine.index]
    return pd.DataFrame(
        {
            "theme": themes,
            "label": [district.theme_label(x) for x in themes],
            "local_pct": mine.reindex(themes).fillna(0).to_numpy(dtype=float),
            "district_pct": all_.reindex(themes).fillna(0).to_numpy(dtype=float),
        }
    )


def ratings_vs_district(local: "Analysis", district: "Analysis") -> pd.DataFrame:
    """Mean rating per item for one municipality beside the district: item, local_mean, district_mean."""
    mine = local.responses.ratings.groupby("item", sort=False)["value"].mean()
    all_ = district.responses.ratings.groupby("item", sort=False)["value"].mean()
    return pd.DataFrame(
        {
            "item": all_.index,
            "local_mean": mine.reindex(all_.index).round(2).to_numpy(dtype=float),
            "district_mean": all_.round(2).to_numpy(dtype=float),
        }
    )
