"""Every table a report shows, computed from the tidy model (German or English headings)."""

from __future__ import annotations

import pandas as pd

from integkit.i18n import t
from integkit.responses import Responses

LIKERT_VALUES = (1, 2, 3, 4, 5)


def participation_by(responses: Responses, column: str, language: str = "de") -> pd.DataFrame:
    """Respondents per municipality or role, complete and incomplete, largest first."""
    people = responses.respondents.assign(**{column: responses.respondents[column].replace("", t("no_role", language))})
    counts = people.groupby(column)["complete"].agg(complete="sum", total="size")
    counts["incomplete"] = counts["total"] - counts["complete"]
    counts = counts.sort_values(["total", column], ascending=[False, True], key=lambda s: s if s.name == "total" else s.str.lower())
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
