"""Every figure of the reports, each one function returning the figure and its alt text.

Colours come from a colour-blind-safe palette; labels are German unless language="en".
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from integkit import tables  # noqa: E402
from integkit.i18n import t  # noqa: E402
from integkit.responses import Responses  # noqa: E402

# Okabe–Ito, distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# diverging blue–orange for Likert scales (colour-blind safe), 1 = very poor … 5 = very good
LIKERT_COLOURS = ["#B35806", "#F1A340", "#D9D9D9", "#998EC3", "#542788"]
WIDTH = 7.5  # inches: fits an A4 page with margins


@dataclass(frozen=True)
class Chart:
    """A figure plus the alt text that says what it shows."""

    figure: Figure
    alt: str


def _style() -> None:
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE, font_scale=0.9)


def participation(responses: Responses, language: str = "de") -> Chart:
    """Horizontal bars: respondents per municipality, complete and incomplete stacked."""
    _style()
    table = tables.participation_by(responses, "municipality", language)
    names, done, open_ = table.iloc[:, 0], table.iloc[:, 1], table.iloc[:, 2]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.32 * len(table) + 1.2))
    y = np.arange(len(table))
    ax.barh(y, done, color=PALETTE[0], label=t("complete", language))
    ax.barh(y, open_, left=done, color=PALETTE[1], label=t("incomplete", language))
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel(t("respondents", language))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    detail = "; ".join(f"{n}: {int(v)}" for n, v in zip(names, table.iloc[:, 3]))
    return Chart(fig, t("alt_participation", language, detail=detail))


def roles(responses: Responses, language: str = "de") -> Chart:
    """Horizontal bars: respondents per role."""
    _style()
    table = tables.participation_by(responses, "role", language)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.35 * len(table) + 1.0))
    sns.barplot(x=table.iloc[:, 3], y=table.iloc[:, 0], color=PALETTE[0], ax=ax, orient="h")
    ax.set_xlabel(t("respondents", language))
    ax.set_ylabel("")
    fig.tight_layout()
    detail = "; ".join(f"{n}: {int(v)}" for n, v in zip(table.iloc[:, 0], table.iloc[:, 3]))
    return Chart(fig, t("alt_roles", language, detail=detail))


def likert(responses: Responses, language: str = "de") -> Chart:
    """Diverging stacked bars per rated item, centred on "teils/teils", with n and valid share."""
    _style()
    dist = tables.rating_distribution(responses)
    counts = dist[list(tables.LIKERT_VALUES)].to_numpy(dtype=float)
    valid = counts.sum(axis=1, keepdims=True)
    shares = np.divide(100 * counts, valid, out=np.zeros_like(counts), where=valid > 0)
    left = -(shares[:, 0] + shares[:, 1] + shares[:, 2] / 2)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(dist) + 1.4))
    y = np.arange(len(dist))
    for k in range(5):
        ax.barh(y, shares[:, k], left=left, color=LIKERT_COLOURS[k], label=t(f"likert_{k + 1}", language))
        left = left + shares[:, k]
    labels = [f"{item} (n={int(n)}, {t('valid_pct', language)} {100 * v / n:.0f})" if n else item
              for item, n, v in zip(dist.index, dist["n"], dist["valid"])]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
    ax.set_xlabel(t("percent_of_valid", language))
    ax.legend(ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.18 if len(dist) > 2 else -0.4), frameon=False, fontsize=8)
    fig.tight_layout()
    detail = "; ".join(
        f"{item}: {shares[i, 3] + shares[i, 4]:.0f} % gut, {shares[i, 0] + shares[i, 1]:.0f} % schlecht"
        if language == "de"
        else f"{item}: {shares[i, 3] + shares[i, 4]:.0f} % good, {shares[i, 0] + shares[i, 1]:.0f} % poor"
        for i, item in enumerate(dist.index)
    )
    return Chart(fig, t("alt_likert", language, detail=detail))
