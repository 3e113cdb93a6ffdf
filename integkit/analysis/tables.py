"""Every table a report shows, computed from the tidy model (German or English headings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from integkit.report.wording import TEXTS, t
from integkit.responses import Responses

if TYPE_CHECKING:  # analysis imports the theme engine; tables stays importable without it
    from integkit.analysis.meeting import Analysis

LIKERT_VALUES = (1, 2, 3, 4, 5)


def participation_by(responses: Responses, column: str, language: str = "de", min_group: int = 1) -> pd.DataFrame:
    """Respondents per municipality or role, complete and incomplete, largest first.

    Groups smaller than `min_group` are combined into one row, so that a shared report shows
    no count of fewer than `min_group` people.
    """
    people = responses.respondents
    values = people[column].replace("", t("no_role", language))
    sizes = values.value_counts()
    small = list(sizes.index[sizes < min_group])
    label = None
    if small:
        # The combined row must not be a small group itself, nor stand for one single group (the
        # reader could tell which from the questionnaire's list): add the next smallest groups.
        for name in sizes.sort_values(kind="stable").index:
            if len(small) >= 2 and sizes[small].sum() >= min_group:
                break
            if name not in small:
                small.append(name)
        if (sizes[small] < min_group).all():
            label = t("other_groups", language, n=len(small), m=min_group)
        else:
            label = t("groups_combined", language, n=len(small))
        values = values.where(~values.isin(small), label)
    counts = people.assign(**{column: values}).groupby(column)["complete"].agg(complete="sum", total="size")
    counts["incomplete"] = counts["total"] - counts["complete"]
    counts["last"] = counts.index.isin([label])
    counts = counts.assign(key=counts.index.str.lower()).sort_values(["last", "total", "key"], ascending=[True, False, True])
    table = counts.reset_index()[[column, "complete", "incomplete", "total"]]
    return table.rename(
        columns={
            column: t(column, language),
            "complete": t("complete", language),
            "incomplete": t("incomplete", language),
            "total": t("total", language),
        }
    )


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
    return counts


def rating_summary(responses: Responses, language: str = "de") -> pd.DataFrame:
    """Per item: n, share of valid answers and mean, as shown beside the Likert chart."""
    dist = rating_distribution(responses)
    table = pd.DataFrame(
        {
            t("item", language): dist.index,
            t("n", language): dist["n"].to_numpy(),
            t("valid_pct", language): (100 * dist["valid"] / dist["n"].where(dist["n"] > 0)).round(0).to_numpy(),
            t("mean", language): dist["mean"].round(2).to_numpy(),
        }
    )
    return table


def answers_for(responses: Responses, question_id: str) -> pd.DataFrame:
    """Answers to one open question with the respondent's municipality and role."""
    answers = responses.answers[responses.answers["question_id"] == question_id]
    people = responses.respondents[["response_id", "municipality", "role"]]
    return answers.merge(people, on="response_id", how="left")[["response_id", "municipality", "role", "text"]]


def summary_line(responses: Responses, language: str = "de") -> str:
    """One sentence: how many answered, from how many municipalities, complete or not."""
    people = responses.respondents
    return t(
        "summary_line",
        language,
        n=len(people),
        m=people["municipality"].nunique(),
        c=int(people["complete"].sum()),
        i=int((~people["complete"]).sum()),
    )


# --- themes ------------------------------------------------------------------------------
def _share(part: pd.Series | float, whole: pd.Series | float) -> pd.Series | float:
    return (100 * part / whole).round(0)


def theme_counts(analysis: "Analysis") -> pd.DataFrame:
    """Per theme: answers naming it, respondents naming it, and their share of all respondents."""
    mentions = analysis.mentions
    n = len(analysis.respondents)
    by_theme = mentions.groupby("theme").agg(answers=("text", "size"), respondents=("response_id", "nunique"))
    by_theme = by_theme.reindex(analysis.theme_order()).fillna(0).astype(int)
    by_theme = by_theme[by_theme["answers"] > 0].sort_values(["respondents", "answers"], ascending=False)
    language = analysis.language
    return pd.DataFrame(
        {
            "theme": by_theme.index,
            t("theme", language): [analysis.theme_label(x) for x in by_theme.index],
            t("answers_n", language): by_theme["answers"].to_numpy(),
            t("respondents", language): by_theme["respondents"].to_numpy(),
            t("share_pct", language): _share(by_theme["respondents"], n).to_numpy() if n else 0,
        }
    )


def theme_by_municipality(analysis: "Analysis") -> pd.DataFrame:
    """Share (%) of each municipality's respondents naming each theme; small municipalities left out."""
    from integkit.analysis.suppression import allowed_groups

    people = analysis.respondents
    allowed = sorted(allowed_groups(people, "municipality", analysis.min_group) - {"ohne Angabe"}, key=str.lower)
    sizes = people.groupby("municipality")["response_id"].nunique()
    mentions = analysis.mentions.merge(people[["response_id", "municipality"]], on="response_id")
    counts = mentions.groupby(["municipality", "theme"])["response_id"].nunique().unstack(fill_value=0)
    counts = counts.reindex(index=allowed, columns=analysis.theme_order(), fill_value=0)
    shares = counts.div(sizes.reindex(allowed), axis=0).mul(100).round(0)
    shares.columns = [analysis.theme_label(c) for c in shares.columns]
    shares.index = [f"{m} (n={sizes[m]})" for m in allowed]
    return shares


def theme_by_question(analysis: "Analysis") -> pd.DataFrame:
    """Respondents naming each theme, per open question (what works / expand / district office)."""
    counts = analysis.mentions.groupby(["theme", "question_id"])["response_id"].nunique().unstack(fill_value=0)
    questions = analysis.responses.text_questions()
    counts = counts.reindex(index=[x for x in analysis.theme_order() if x in counts.index], columns=questions, fill_value=0)
    counts.index = [analysis.theme_label(x) for x in counts.index]
    counts.columns = [question_short(analysis, q) for q in questions]
    return counts


def question_short(analysis: "Analysis", question_id: str) -> str:
    """A short name of an open question for column headings."""
    key = f"short_{question_id}"
    return t(key, analysis.language) if key in TEXTS else analysis.responses.question_label(question_id)


def attribution(analysis: "Analysis", municipality: str) -> str:
    """Who said a quote in a shared report: the municipality if it is not a small group."""
    from integkit.analysis.suppression import allowed_groups

    allowed = allowed_groups(analysis.respondents, "municipality", analysis.min_group)
    return municipality if municipality in allowed and municipality != "ohne Angabe" else t("other_municipality", analysis.language)


def theme_quotes(
    analysis: "Analysis", theme: str, n: int = 3, max_chars: int = 280, names: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Representative, redacted and shortened quotes for a theme: clear evidence, readable length, one per person."""
    from integkit.analysis.redaction import redact

    rows = analysis.mentions[analysis.mentions["theme"] == theme].copy()
    if rows.empty:
        return pd.DataFrame(columns=["municipality", "text"])
    rows["strength"] = rows["evidence"].str.count(",") + 1
    rows["length_penalty"] = (rows["text"].str.len() - 140).abs()
    rows = rows.sort_values(["strength", "length_penalty", "response_id"], ascending=[False, True, True])
    rows = rows.drop_duplicates("response_id").head(n)
    people = analysis.respondents.set_index("response_id")["municipality"]
    return pd.DataFrame(
        {
            "municipality": [attribution(analysis, people.get(r, "")) for r in rows["response_id"]],
            "text": [redact(x, names, max_chars=max_chars) for x in rows["text"]],
        }
    )


def action_list(analysis: "Analysis") -> pd.DataFrame:
    """What municipalities want expanded and ask of the district office, grouped by theme."""
    from integkit.analysis.suppression import allowed_groups

    language = analysis.language
    wanted = [q for q in ("q_ausbau", "q_unterstuetzung") if q in analysis.responses.text_questions()]
    mentions = analysis.mentions[analysis.mentions["question_id"].isin(wanted)]
    mentions = mentions.merge(analysis.respondents[["response_id", "municipality"]], on="response_id")
    allowed = allowed_groups(analysis.respondents, "municipality", analysis.min_group) - {"ohne Angabe"}
    rows = []
    for (theme, question), group in mentions.groupby(["theme", "question_id"]):
        named = sorted(set(group["municipality"]) & allowed, key=str.lower)
        others = group.loc[~group["municipality"].isin(named), "municipality"].nunique()
        who = ", ".join(named) + (f" {t('and_more', language, n=others)}" if others else "")
        rows.append(
            {
                t("theme", language): analysis.theme_label(theme),
                t("request", language): question_short(analysis, question),
                t("respondents", language): group["response_id"].nunique(),
                t("municipalities", language): who.strip(),
            }
        )
    table = pd.DataFrame(rows, columns=[t(k, language) for k in ("theme", "request", "respondents", "municipalities")])
    return table.sort_values(t("respondents", language), ascending=False, kind="stable").reset_index(drop=True)


def theme_shares_over_time(analysis: "Analysis") -> pd.DataFrame:
    """Share (%) of respondents naming each theme, per meeting of the series (oldest first)."""
    rows = {}
    for a in (*analysis.history, analysis):
        n = len(a.respondents)
        counts = a.mentions.groupby("theme")["response_id"].nunique().reindex(analysis.theme_order(), fill_value=0)
        rows[meeting_label(a)] = _share(counts, n) if n else counts * 0
    frame = pd.DataFrame(rows).T
    frame.columns = [analysis.theme_label(c) for c in frame.columns]
    return frame


def rating_means_over_time(analysis: "Analysis") -> pd.DataFrame:
    """Mean rating per item, per meeting of the series (oldest first)."""
    rows = {meeting_label(a): a.responses.ratings.groupby("item", sort=False)["value"].mean() for a in (*analysis.history, analysis)}
    frame = pd.DataFrame(rows).T.round(2)
    frame.columns.name = None
    return frame


def meeting_label(analysis: "Analysis") -> str:
    date = analysis.meeting.date
    return date.strftime("%m/%Y") if date else analysis.meeting.id


def municipality_vs_district(local: "Analysis", district: "Analysis") -> pd.DataFrame:
    """Theme shares (%) of one municipality's respondents beside the whole district's."""
    language = district.language
    mine = theme_counts(local).set_index("theme")[t("share_pct", language)]
    all_ = theme_counts(district).set_index("theme")[t("share_pct", language)]
    themes = [x for x in district.theme_order() if x in all_.index or x in mine.index]
    return pd.DataFrame(
        {
            t("theme", language): [district.theme_label(x) for x in themes],
            t("your_municipality", language): mine.reindex(themes).fillna(0).to_numpy(),
            t("district", language): all_.reindex(themes).fillna(0).to_numpy(),
        }
    )


def ratings_vs_district(local: "Analysis", district: "Analysis") -> pd.DataFrame:
    """Mean rating per item for one municipality beside the district."""
    language = district.language
    mine = local.responses.ratings.groupby("item", sort=False)["value"].mean()
    all_ = district.responses.ratings.groupby("item", sort=False)["value"].mean()
    return pd.DataFrame(
        {
            t("item", language): all_.index,
            t("your_municipality", language): mine.reindex(all_.index).round(2).to_numpy(),
            t("district", language): all_.round(2).to_numpy(),
        }
    )
