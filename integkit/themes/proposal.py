"""A theme proposed from a discovery cluster: its signal words, the codebook it would make, and
which answers it would claim, shown before anything is written.

Accepting a cluster copies words into the codebook, where they decide every later report. So
the words proposed are content words specific to the cluster (most answers that use them are in
it), the facilitator may replace them, and a preview lists the answers of a meeting that the new
theme would claim, so that an over-eager signal ("Familie", "Landratsamt") shows before it is
saved. Used by ``integkit themes accept`` and the review notebook's codebook editor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from integkit.errors import InputError
from integkit.io import read_table, require_column
from integkit.text import normalize as T
from integkit.themes.codebook import (
    WORKSPACE_CODEBOOK,
    Codebook,
    CounterSignals,
    Signals,
    Theme,
    add_theme,
    default_codebook_path,
    load_codebook,
)

SIGNAL_SEP = ";"
PREVIEW_ID = "vorschau"  # id of the theme a preview of bare signal words is made with
N_LABEL_TERMS = 2
CLAIM_WARNING = 0.2  # a new theme claiming more of a meeting's answers than this is worth a second look


def specific_terms(
    candidates: Sequence[str],
    in_cluster: Sequence[frozenset[str]],
    everywhere: Sequence[frozenset[str]],
    min_precision: float,
    min_support: int = 2,
) -> list[str]:
    """The candidate terms (in their order) that at least ``min_support`` answers of the cluster
    use and of whose answers overall at least ``min_precision`` are in the cluster."""
    out = []
    for term in candidates:
        inside = sum(term in terms for terms in in_cluster)
        if inside < min_support:
            continue
        total = sum(term in terms for terms in everywhere)
        if total and inside / total >= min_precision:
            out.append(term)
    return out


def cluster_label(terms: Sequence[str]) -> str:
    """A German label from a cluster's leading terms: "Bus und Führerschein" (nouns capitalised;
    a term contained in an earlier one or containing it, as "schein" after "führerschein" or
    "radweg" after "rad", is skipped)."""
    chosen: list[str] = []
    for term in terms:
        if any(T.fold(term) in T.fold(c) or T.fold(c) in T.fold(term) for c in chosen):
            continue
        chosen.append(term if term[:1].isupper() else term[:1].upper() + term[1:])
        if len(chosen) == N_LABEL_TERMS:
            break
    return " und ".join(chosen)


def signal_words(words: Iterable[str], names: Iterable[str] = ()) -> list[str]:
    """``words`` cleaned to what may be a signal: content words only (nouns; no stop words, fillers,
    words discovery treats as generic, or ``names`` of places), lowercase, each once, in order."""
    from integkit.themes.discover import GENERIC

    skip = GENERIC | {T.fold(n) for n in names}
    out: list[str] = []
    for word in words:
        word = word.strip()
        if not T.is_content_word(word) or T.fold(word) in skip or len(T.fold(word)) < 3:
            continue
        if word.lower() not in out:
            out.append(word.lower())
    return out


def _summary_row(summary: Path | pd.DataFrame, cluster: int) -> tuple[pd.Series, str]:
    table, name = (summary, "summary") if isinstance(summary, pd.DataFrame) else (read_table(summary).frame, str(summary))
    for column in ("cluster", "top_terms"):
        require_column(table, column, name)
    rows = table[table["cluster"].astype(str).str.strip() == str(cluster)]
    if rows.empty:
        available = ", ".join(table["cluster"].astype(str)) or "(none)"
        raise InputError(f"{name}: no cluster {cluster}; clusters are: {available}")
    return rows.iloc[0], name


def _cell(row: pd.Series, column: str) -> str:
    value = row.get(column, "")
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def proposed_signals(summary: Path | pd.DataFrame, cluster: int) -> list[str]:
    """The signal words proposed for ``cluster`` of a discovery summary (file or table): its
    ``signals`` column (content words specific to the cluster; empty when it has none), or for a
    summary written before that column existed, its top terms cleaned by :func:`signal_words`."""
    from integkit.themes.discover import place_names

    row, _ = _summary_row(summary, cluster)
    if "signals" in row.index:
        return signal_words(_cell(row, "signals").split(SIGNAL_SEP))
    return signal_words(_cell(row, "top_terms").split(","), names=place_names())


def parse_signals(text: str) -> list[str]:
    """Signal words as a facilitator types them: separated by commas or semicolons."""
    return [w.strip().lower() for w in text.replace(SIGNAL_SEP, ",").split(",") if w.strip()]


def counter_words(signals: Sequence[str], codebook: Codebook) -> list[str]:
    """Words another theme already claims as a whole that contain a signal as a part: the
    "beratungsbus" of beratung for the signal "bus", so that the Beratungsbus stays beratung."""
    keys = [T.fold(s) for s in signals]
    out: list[str] = []
    for theme in codebook.themes:
        for term in (*theme.signals.lemmas, *theme.signals.parts):
            folded = T.fold(term)
            if " " not in folded and any(k in folded and k != folded for k in keys) and folded not in out:
                out.append(folded)
    return out


@dataclass(frozen=True)
class Proposal:
    """A theme made from a discovery cluster and the codebook it would be added to (not saved)."""

    theme: Theme
    codebook: Codebook
    signals: tuple[str, ...]
    cluster: int
    source: str


def theme_with_signals(
    signals: Sequence[str], base: Codebook, theme_id: str, label_de: str, label_en: str = "",
    description: str = "", examples: Sequence[str] = (),
) -> Theme:
    """A theme that ``signals`` mark (as words and compound parts), with counter-words for the
    compounds other themes of ``base`` claim as a whole."""
    words = tuple(dict.fromkeys(s.strip().lower() for s in signals if s.strip()))
    if not words:
        raise InputError(f"theme {theme_id!r}: no signal words; give some with --signals")
    return Theme(
        id=theme_id,
        label_de=label_de,
        label_en=label_en,
        description=description,
        signals=Signals(parts=words),
        counter_signals=CounterSignals(words=tuple(counter_words(words, base))),
        examples=tuple(examples),
    )


def propose(
    cluster: int,
    summary: Path | pd.DataFrame,
    theme_id: str,
    label_de: str,
    label_en: str = "",
    *,
    workspace: Path | str = ".",
    signals: Sequence[str] | None = None,
) -> Proposal:
    """The theme ``cluster`` of a discovery summary would become, added to the workspace codebook
    (its own, else the default) with a minor version bump; nothing is written.

    ``signals`` replaces the proposed signal words (:func:`proposed_signals`).
    """
    row, name = _summary_row(summary, cluster)
    words = list(signals) if signals is not None else proposed_signals(summary, cluster)
    if not words:
        raise InputError(
            f"{name}: cluster {cluster} has no words specific to it to propose as signals; give them with --signals"
        )
    path = Path(workspace) / WORKSPACE_CODEBOOK
    book = load_codebook(path if path.is_file() else default_codebook_path())
    source = Path(name).name
    quotes = [q for q in (_cell(row, f"quote_{i}") for i in (1, 2, 3)) if q]
    theme = theme_with_signals(
        words, book, theme_id.strip(), label_de.strip(), label_en.strip(),
        description=f"Aus der Themenfindung übernommen (Cluster {cluster}, {source}).", examples=quotes,
    )
    new = add_theme(book, theme, change=f"Added theme {theme.id!r} from discovery cluster {cluster} ({source}).")
    return Proposal(theme, new, theme.signals.parts, int(cluster), name)


@dataclass(frozen=True)
class Claims:
    """The answers a theme would claim: ``claimed`` has columns row, text, words (what matched)."""

    theme_id: str
    n_answers: int
    claimed: pd.DataFrame

    @property
    def n_claimed(self) -> int:
        return len(self.claimed)

    @property
    def share(self) -> float:
        return self.n_claimed / self.n_answers if self.n_answers else 0.0


def claims(codebook: Codebook, theme_id: str, texts: Sequence[str]) -> Claims:
    """Which of ``texts`` theme ``theme_id`` of ``codebook`` claims, with the words that matched."""
    from integkit.themes.assign import assign

    texts = ["" if not isinstance(t, str) else t for t in texts]
    answered = [i for i, t in enumerate(texts) if t.strip()]
    assignments = assign([texts[i] for i in answered], codebook)
    rows = []
    for i, a in zip(answered, assignments):
        if theme_id in a.themes:
            words = ", ".join(dict.fromkeys(w for t, w, _ in a.evidence if t == theme_id and w))
            rows.append({"row": i, "text": texts[i], "words": words})
    return Claims(theme_id, len(answered), pd.DataFrame(rows, columns=["row", "text", "words"]))


def preview_signals(texts: Sequence[str], signals: Sequence[str], codebook: Codebook | None = None) -> Claims:
    """How many (and which) of ``texts`` a new theme marked by ``signals`` would claim, next to
    the themes of ``codebook`` (default: the built-in one): for the review notebook's editor."""
    base = codebook or load_codebook()
    theme = theme_with_signals(signals, base, PREVIEW_ID, "Vorschau")
    return claims(add_theme(base, theme, change="preview"), PREVIEW_ID, texts)


def workspace_texts(workspace: Path | str, meetings: Sequence[str] | None = None) -> dict[str, list[str]]:
    """The free-text answers of the named meetings of a workspace (default: all), by meeting id."""
    from integkit.responses import load_responses
    from integkit.workspace import Workspace

    ws = Workspace(workspace)
    names = list(meetings) if meetings else list(ws.meetings())
    return {m: load_responses(ws, m).answers["text"].tolist() for m in names}
