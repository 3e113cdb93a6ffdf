"""Every figure of the reports, each one function returning the figure and its alt text.

A function returns None when there is nothing to draw; `html.figure` then shows a note.
Charts read the computed tables by their stable column ids. They are drawn narrow (WIDTH) with
no text smaller than MIN_FONT_PT, so that on a 390 px phone, where a figure is shown at the
width of the screen, no label is smaller than 10 px; legends stand outside the plotting area,
so they never cover data. Colours come from colour-blind-safe palettes; labels are German
unless language="en".
"""

from __future__ import annotations

import math
import textwrap
import warnings
from dataclasses import dataclass
from typing import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from integkit.analysis import tables  # noqa: E402
from integkit.report.wording import group_label, number, t  # noqa: E402
from integkit.responses import Responses  # noqa: E402

# A label with a character the font lacks (emoji in an answer) is drawn as a box; the warning
# would otherwise land in the report as stderr output.
warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)

# Okabe–Ito, distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# one colour per series of a line chart, up to twelve: Okabe–Ito without its yellow, then Paul Tol's
# colours that stay apart from them (ΔE*76 > 20 between any two; a test checks it)
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#882255",
                  "#999933", "#332288", "#888888", "#661100"]
# diverging orange–purple for Likert scales (colour-blind safe), 1 = very poor … 5 = very good
LIKERT_COLOURS = ["#B35806", "#F1A340", "#D9D9D9", "#998EC3", "#542788"]
# word-cloud colours: each at least 4.5:1 against the white background (WCAG AA for text)
CLOUD_COLOURS = ["#0B4F8A", "#8A3B00", "#1E5E2F", "#5B2A86", "#333333", "#7A1F4B"]
CLOUD_BACKGROUND = "#FFFFFF"
WIDTH = 4.8  # inches: the width a figure is drawn at (shown at most at the width of the text)
CLOUD_WIDTH, CLOUD_HEIGHT, CLOUD_SCALE = 480, 300, 2  # word-cloud layout in px, drawn at twice that
CLOUD_MIN_FONT_PX = 14  # smallest word of a cloud, in layout px (≥ 10 px on a 390 px phone)
MIN_FONT_PT = 10  # no text in a chart is smaller
LABEL_CHARS = 24  # longer axis labels are wrapped


@dataclass(frozen=True)
class Chart:
    """A figure plus the alt text that says what it shows, and the format it is embedded in."""

    figure: Figure
    alt: str
    format: str = "svg"


def _style() -> None:
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    plt.rcParams.update({
        "font.size": MIN_FONT_PT, "axes.labelsize": MIN_FONT_PT, "xtick.labelsize": MIN_FONT_PT,
        "ytick.labelsize": MIN_FONT_PT, "legend.fontsize": MIN_FONT_PT, "axes.titlesize": MIN_FONT_PT + 1,
        # labels hold answer text (municipality names typed as "other"): "$...$" is text, not mathtext
        "text.parse_math": False, "svg.fonttype": "path",
    })


def _wrap(label: object) -> str:
    return textwrap.fill(str(label), LABEL_CHARS)


def _legend_above(fig: Figure, ax, ncol: int) -> None:
    """The legend in a band of its own above the plotting area (then the layout): it never covers a bar or a line."""
    handles, labels = ax.get_legend_handles_labels()
    rows = math.ceil(len(handles) / ncol)
    band = (rows * 0.26 + 0.12) / fig.get_figheight()
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.01, 0.995), ncol=ncol, frameon=False,
               handlelength=1.2, columnspacing=1.0, borderaxespad=0.1)
    fig.tight_layout(rect=(0, 0, 1, 1 - band))


def participation(responses: Responses, language: str = "de", min_group: int = 1) -> Chart | None:
    """Horizontal bars: respondents per municipality, complete and incomplete stacked."""
    _style()
    table = tables.participation_by(responses, "municipality", min_group)
    if table.empty:
        return None
    names = [group_label(r.group, language, r.combined, r.all_small, min_group) for r in table.itertuples()]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.34 * len(table) + 1.3))
    y = np.arange(len(table))
    ax.barh(y, table["complete"], color=PALETTE[0], label=t("complete", language))
    ax.barh(y, table["incomplete"], left=table["complete"], color=PALETTE[1], label=t("incomplete", language))
    ax.set_yticks(y, [_wrap(n) for n in names])
    ax.invert_yaxis()
    ax.set_xlabel(t("respondents", language))
    ax.xaxis.get_major_locator().set_params(integer=True)
    _legend_above(fig, ax, 2)
    detail = "; ".join(f"{n}: {int(v)}" for n, v in zip(names, table["total"]))
    return Chart(fig, t("alt_participation", language, detail=detail))


def likert(responses: Responses, language: str = "de") -> Chart | None:
    """Diverging stacked bars per rated item, centred on "teils/teils", with n and valid share."""
    _style()
    dist = tables.rating_distribution(responses)
    if dist.empty:
        return None
    counts = dist[list(tables.LIKERT_VALUES)].to_numpy(dtype=float)
    valid = counts.sum(axis=1, keepdims=True)
    shares = np.divide(100 * counts, valid, out=np.zeros_like(counts), where=valid > 0)
    left = -(shares[:, 0] + shares[:, 1] + shares[:, 2] / 2)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.55 * len(dist) + 2.2))
    y = np.arange(len(dist))
    for k in range(5):
        ax.barh(y, shares[:, k], left=left, color=LIKERT_COLOURS[k], label=t(f"likert_{k + 1}", language))
        left = left + shares[:, k]
    labels = [
        f"{_wrap(item)}\n(n={int(n)}, {t('valid_pct', language)} {number(100 * v / n, language, 0)})" if n else _wrap(item)
        for item, n, v in zip(dist.index, dist["n"], dist["valid"])
    ]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
    ax.set_xlabel(t("percent_of_valid", language))
    _legend_above(fig, ax, 3)
    good, poor = t("good", language), t("poor", language)
    detail = "; ".join(
        f"{item}: {number(shares[i, 3] + shares[i, 4], language, 0)} % {good}, {number(shares[i, 0] + shares[i, 1], language, 0)} % {poor}"
        for i, item in enumerate(dist.index)
    )
    return Chart(fig, t("alt_likert", language, detail=detail))


# --- themes --------------------------------------------------------------------------------
def theme_bars(counts: pd.DataFrame, language: str = "de") -> Chart | None:
    """Horizontal bars: share of respondents naming each theme (from tables.theme_counts)."""
    _style()
    if counts.empty:
        return None
    labels, shares = counts["label"], counts["share_pct"]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.36 * max(len(counts), 1) + 1.0))
    ax.barh(np.arange(len(counts)), shares, color=PALETTE[0])
    ax.set_yticks(np.arange(len(counts)), [_wrap(x) for x in labels])
    ax.invert_yaxis()
    ax.set_xlabel(t("share_pct", language))
    ax.set_xlim(0, max(float(shares.max()) * 1.2, 10))
    for y, value in enumerate(shares):
        ax.text(value + 0.5, y, f"{number(value, language, 0)} %", va="center", fontsize=MIN_FONT_PT)
    fig.tight_layout()
    detail = "; ".join(f"{label}: {number(value, language, 0)} %" for label, value in zip(labels, shares))
    return Chart(fig, t("alt_themes", language, detail=detail))


def word_cloud(frequencies: Mapping[str, float], language: str = "de", seed: int = 0) -> Chart | None:
    """A word cloud of words and their weights (analysis.clouds.cloud_words), or None if there are too few."""
    from wordcloud import WordCloud

    if len(frequencies) < 3:
        return None

    def colour(word: str, **_: object) -> str:
        return CLOUD_COLOURS[sum(map(ord, word)) % len(CLOUD_COLOURS)]

    cloud = WordCloud(
        width=CLOUD_WIDTH, height=CLOUD_HEIGHT, scale=CLOUD_SCALE, background_color=CLOUD_BACKGROUND, color_func=colour,
        random_state=seed, collocations=False, normalize_plurals=False, max_words=60, prefer_horizontal=1.0,
        min_font_size=CLOUD_MIN_FONT_PX, relative_scaling=0.6, margin=3,
    ).generate_from_frequencies(dict(frequencies))
    fig, ax = plt.subplots(figsize=(WIDTH, WIDTH * CLOUD_HEIGHT / CLOUD_WIDTH))
    ax.imshow(cloud, interpolation="bilinear")
    ax.axis("off")
    fig.tight_layout(pad=0)
    top = ", ".join(f"{w} ({number(n, language, 0)})" for w, n in sorted(frequencies.items(), key=lambda kv: -kv[1])[:10])
    return Chart(fig, t("alt_cloud", language, detail=top), "png")


def trend(
    frame: pd.DataFrame, language: str = "de", kind: str = "themes",
    labels: Mapping[str, str] | None = None, meetings: Mapping[str, str] | None = None,
) -> Chart | None:
    """Lines across meetings (rows, oldest to newest): theme shares or rating means (columns).

    ``labels`` names the columns (theme id → label), ``meetings`` the rows (meeting id → date).
    """
    if frame.empty or len(frame) < 2:
        return None
    _style()
    labels = labels or {}
    meetings = meetings or {}
    x = [meetings.get(i, str(i)) for i in frame.index]
    fig, ax = plt.subplots(figsize=(WIDTH, 3.2 + 0.26 * math.ceil(len(frame.columns) / 2)))
    markers = "osD^vP*X<>"
    for i, col in enumerate(frame.columns):
        ax.plot(x, frame[col], marker=markers[i % len(markers)], color=SERIES_COLOURS[i % len(SERIES_COLOURS)], label=_wrap(labels.get(col, col)))
    ax.set_ylabel(t("share_pct", language) if kind == "themes" else t("mean", language))
    if kind == "ratings":
        ax.set_ylim(1, 5)
    _legend_above(fig, ax, 2)
    detail = "; ".join(
        f"{labels.get(c, c)}: {number(frame[c].iloc[0], language)} → {number(frame[c].iloc[-1], language)}" for c in frame.columns
    )
    return Chart(fig, t(f"alt_trend_{kind}", language, first=x[0], last=x[-1], detail=detail))


def comparison(frame: pd.DataFrame, language: str = "de", kind: str = "themes") -> Chart | None:
    """Paired bars: your municipality beside the district (tables.municipality_vs_district or ratings_vs_district)."""
    if frame.empty:
        return None
    _style()
    local, district = ("local_pct", "district_pct") if kind == "themes" else ("local_mean", "district_mean")
    labels = frame["label"] if kind == "themes" else frame["item"]
    mine, all_ = frame[local].astype(float), frame[district].astype(float)
    y = np.arange(len(frame))
    fig, ax = plt.subplots(figsize=(WIDTH, 0.55 * max(len(frame), 1) + 1.4))
    ax.barh(y - 0.2, mine, height=0.4, color=PALETTE[1], label=t("your_municipality", language))
    ax.barh(y + 0.2, all_, height=0.4, color=PALETTE[0], label=t("district", language))
    ax.set_yticks(y, [_wrap(x) for x in labels])
    ax.invert_yaxis()
    ax.set_xlabel(t("share_pct", language) if kind == "themes" else t("mean", language))
    if kind == "ratings":
        ax.set_xlim(0, 5)
    _legend_above(fig, ax, 2)
    digits = 0 if kind == "themes" else 1
    detail = "; ".join(f"{l}: {number(a, language, digits)} / {number(b, language, digits)}" for l, a, b in zip(labels, mine, all_))
    return Chart(fig, t(f"alt_compare_{kind}", language, detail=detail))
