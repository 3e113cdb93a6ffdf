"""Every figure of the reports, each one function returning the figure and its alt text.

A function returns None when there is nothing to draw; `show.figure` then shows a note.

Colours come from a colour-blind-safe palette; labels are German unless language="en".
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from integkit.analysis import tables  # noqa: E402

# A label with a character the font lacks (emoji in an answer) is drawn as a box; the warning
# would otherwise land in the report as stderr output.
warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
from integkit.report.wording import t  # noqa: E402
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
    # labels hold answer text (municipality names typed as "other"): "$...$" is text, not mathtext
    plt.rcParams["text.parse_math"] = False


def participation(responses: Responses, language: str = "de", min_group: int = 1) -> Chart | None:
    """Horizontal bars: respondents per municipality, complete and incomplete stacked."""
    _style()
    table = tables.participation_by(responses, "municipality", language, min_group)
    if table.empty:
        return None
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


# --- themes --------------------------------------------------------------------------------
def theme_bars(counts: pd.DataFrame, language: str = "de") -> Chart | None:
    """Horizontal bars: share of respondents naming each theme (from tables.theme_counts)."""
    _style()
    if counts.empty:
        return None
    labels, shares = counts.iloc[:, 1], counts[t("share_pct", language)]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.35 * max(len(counts), 1) + 1.0))
    ax.barh(np.arange(len(counts)), shares, color=PALETTE[0])
    ax.set_yticks(np.arange(len(counts)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(t("share_pct", language))
    for y, value in enumerate(shares):
        ax.text(value + 0.5, y, f"{value:.0f} %", va="center", fontsize=8)
    fig.tight_layout()
    detail = "; ".join(f"{label}: {value:.0f} %" for label, value in zip(labels, shares))
    return Chart(fig, t("alt_themes", language, detail=detail))


def heatmap(matrix: pd.DataFrame, language: str = "de", kind: str = "municipality", fmt: str = ".0f") -> Chart | None:
    """A heat map of a rows × themes table (shares per municipality, or counts per question)."""
    if matrix.empty or matrix.shape[1] == 0:
        return None
    _style()
    fig, ax = plt.subplots(figsize=(WIDTH, 0.38 * max(len(matrix), 1) + 2.6))
    sns.heatmap(matrix, annot=True, fmt=fmt, cmap="Blues", cbar=False, linewidths=0.5, ax=ax, annot_kws={"fontsize": 7})
    ax.set_xticklabels(ax.get_xticklabels(), rotation=35, ha="right")
    ax.set_xlabel("")
    ax.set_ylabel("")
    fig.tight_layout()
    peaks = []
    for row, values in matrix.iterrows():
        if len(values) and values.max() > 0:
            peaks.append(f"{row}: {values.idxmax()} ({values.max():{fmt}})")
    return Chart(fig, t(f"alt_heatmap_{kind}", language, detail="; ".join(peaks)))


def cloud_words(texts: list[str]) -> dict[str, int]:
    """Word frequencies for a cloud: content words of the redacted texts counted by lemma, in their most common spelling."""
    from collections import Counter

    from integkit.text.normalize import analyze, tokens

    from integkit.analysis.redaction import PLACEHOLDERS, redact

    placeholder_words = {w.strip("[]") for w in PLACEHOLDERS.values()}
    by_lemma: dict[str, Counter] = {}
    for text in texts:
        for token in tokens(redact(text)):  # a cloud is shared too: no names, e-mails, phone numbers
            if token in placeholder_words:
                continue
            info = analyze(token)
            if info.is_stopword or len(token) < 3 or token.isdigit():
                continue
            by_lemma.setdefault(info.lemma.lower(), Counter())[token] += 1
    return {forms.most_common(1)[0][0]: sum(forms.values()) for forms in by_lemma.values()}


def word_cloud(texts: list[str], language: str = "de", seed: int = 0) -> Chart | None:
    """A word cloud of the content words of some answers (German stop words removed), or None if too few."""
    from wordcloud import WordCloud

    frequencies = cloud_words(texts)
    if len(frequencies) < 3:
        return None
    cloud = WordCloud(
        width=1200, height=520, background_color="white", colormap="cividis", random_state=seed,
        collocations=False, normalize_plurals=False, max_words=80, prefer_horizontal=0.95,
    ).generate_from_frequencies(frequencies)
    fig, ax = plt.subplots(figsize=(WIDTH, WIDTH * 520 / 1200))
    ax.imshow(cloud, interpolation="bilinear")
    ax.axis("off")
    fig.tight_layout(pad=0)
    top = ", ".join(w for w, _ in sorted(frequencies.items(), key=lambda kv: -kv[1])[:10])
    return Chart(fig, t("alt_cloud", language, detail=top))


def trend(frame: pd.DataFrame, language: str = "de", kind: str = "themes") -> Chart | None:
    """Lines across meetings (oldest to newest): theme shares or rating means."""
    if frame.empty or len(frame) < 2:
        return None
    _style()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.8))
    markers = "osD^vP*X<>"
    for i, column in enumerate(frame.columns):
        ax.plot(frame.index, frame[column], marker=markers[i % len(markers)], color=PALETTE[i % len(PALETTE)], label=column)
    ax.set_ylabel(t("share_pct", language) if kind == "themes" else t("mean", language))
    if kind == "ratings":
        ax.set_ylim(1, 5)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    fig.tight_layout()
    first, last = frame.index[0], frame.index[-1]
    detail = "; ".join(f"{c}: {frame[c].iloc[0]:.1f} → {frame[c].iloc[-1]:.1f}" for c in frame.columns)
    return Chart(fig, t(f"alt_trend_{kind}", language, first=first, last=last, detail=detail))


def comparison(frame: pd.DataFrame, language: str = "de", kind: str = "themes") -> Chart | None:
    """Paired bars: your municipality beside the district (theme shares or rating means)."""
    if frame.empty:
        return None
    _style()
    labels = frame.iloc[:, 0]
    mine, district = frame.iloc[:, 1].astype(float), frame.iloc[:, 2].astype(float)
    y = np.arange(len(frame))
    fig, ax = plt.subplots(figsize=(WIDTH, 0.5 * max(len(frame), 1) + 1.2))
    ax.barh(y - 0.2, mine, height=0.4, color=PALETTE[1], label=frame.columns[1])
    ax.barh(y + 0.2, district, height=0.4, color=PALETTE[0], label=frame.columns[2])
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(t("share_pct", language) if kind == "themes" else t("mean", language))
    if kind == "ratings":
        ax.set_xlim(0, 5)
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    detail = "; ".join(f"{l}: {a:.1f} / {b:.1f}" for l, a, b in zip(labels, mine.fillna(0), district))
    return Chart(fig, t(f"alt_compare_{kind}", language, detail=detail))
