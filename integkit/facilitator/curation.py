"""Changing the workspace codebook from the review notebook: accept, rename and merge themes, and take a change back.

Each change keeps the codebook it replaces (facilitator.versions), writes `surveys/codebook.yaml`
(created from the default on first change) with a minor version bump and a change-log entry,
and, for merges, rewrites the theme ids in every meeting's corrections (as logged rows that the
undo takes back too). Before a change the facilitator sees what it will do: `preview_*` say in
German how many answers of the meeting carry, change or gain a theme. Inputs are German theme
names; the messages are German, for the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from integkit.analysis.meeting import Analysis
from integkit.errors import InputError
from integkit.facilitator import versions
from integkit.facilitator.present import count, quoted, theme_names
from integkit.io import write_csv
from integkit.themes.assign import split_themes
from integkit.themes.codebook import (
    WORKSPACE_CODEBOOK, Codebook, Theme, load_codebook, merge_themes, rename_theme, save_codebook,
)
from integkit.themes.coding import code_answers, load_corrections, rename_themes_in_corrections
from integkit.workspace import Workspace

DISCOVERY_FILE = "discovery.csv"


def _ws(workspace: Workspace | str) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace(workspace)


def workspace_codebook(workspace: Workspace | str) -> Codebook:
    """The codebook the workspace's reports use (its own, else the default)."""
    return load_codebook(workspace=_ws(workspace).root)


@dataclass(frozen=True)
class Preview:
    """What a codebook change will do, for the confirmation: a German text and its figures."""

    text: str
    answers: int = 0  # answers of the meeting whose themes change
    corrections: int = 0  # saved corrections (all meetings) whose theme ids are rewritten


# --- checks in the facilitator's words ---------------------------------------------------------
def check_label(book: Codebook, label: str, theme_id: str = "") -> str:
    """The German name a theme may take: not empty, not another theme's (German message otherwise)."""
    label = " ".join((label or "").split())
    if not label:
        raise InputError("Bitte einen Namen für das Thema eingeben.")
    for theme in book.themes:
        if theme.id != theme_id and theme.label_de.casefold() == label.casefold():
            raise InputError(f"Den Namen {quoted(label)} trägt schon ein Thema.")
    return label


def _theme(book: Codebook, theme_id: str) -> Theme:
    if not theme_id or theme_id not in book.ids:
        raise InputError("Bitte ein Thema aus der Liste wählen.")
    return book.theme(theme_id)


def new_theme_id(book: Codebook, label: str) -> str:
    """An id for a new theme, made from its German name ("Mobilität" → "mobilitaet"), unused in ``book``."""
    from integkit.report.batch import slug

    base = slug(label).replace("-", "_")
    base = base if base[:1].isalpha() else f"thema_{base}"
    candidate, n = base, 2
    while candidate in book.ids:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


# --- discovery and accepting a cluster ---------------------------------------------------------
def discovery(analysis: Analysis, n_clusters: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Candidate themes from the meeting's answers: cluster, size, top terms, overlap ("neu" = new), quotes."""
    from integkit.themes.discover import discover  # scikit-learn: imported when discovery runs

    return discover(analysis.coded["text"].tolist(), analysis.codebook, n_clusters=n_clusters, seed=seed).summary


def save_discovery(workspace: Workspace | str, meeting_id: str, summary: pd.DataFrame) -> Path:
    """Keep the discovery summary beside the meeting (surveys/<meeting>/discovery.csv), so an accepted
    theme names the file it came from."""
    return write_csv(summary, _ws(workspace).meeting_dir(meeting_id) / DISCOVERY_FILE)


def proposed_signals(summary: pd.DataFrame, cluster: int) -> list[str]:
    """The words a cluster would add as signals (content words specific to it), for the facilitator to edit."""
    from integkit.themes import proposal

    return proposal.proposed_signals(summary, cluster)


def proposed_label(summary: pd.DataFrame, cluster: int) -> str:
    """A German name discovery proposes for a cluster, if it gives one."""
    row = summary[summary["cluster"].astype(int) == int(cluster)]
    for column in ("label_de", "label"):
        if column in summary.columns and len(row) and str(row[column].iloc[0]).strip():
            return str(row[column].iloc[0]).strip()
    return ""


def claim_preview(analysis: Analysis, label_de: str, signals: list[str]) -> Preview:
    """How many answers of the meeting a new theme with these signal words would claim."""
    from integkit.themes import proposal

    words = [w.strip() for w in signals if w.strip()]
    if not words:
        return Preview("Ohne Signalwörter würde das Thema keiner Antwort zugeordnet.")
    coded = analysis.coded.reset_index(drop=True)
    found = proposal.preview_signals(coded["text"].tolist(), words, analysis.codebook)
    claimed = coded.iloc[found.claimed["row"].tolist()]
    bare = int((claimed["themes"].map(split_themes).map(len) == 0).sum())
    text = (f"Das neue Thema {quoted(label_de or 'neu')} würde {count(len(claimed), 'answer')} "
            f"({count(claimed['response_id'].nunique(), 'person')}) dieses Treffens zugeordnet"
            f"{f', {bare} davon hatten bisher kein Thema' if len(claimed) else ''} "
            f"({round(100 * found.share)} % aller Antworten).")
    return Preview(text, answers=len(claimed))


def accept(
    workspace: Workspace | str, meeting_id: str, summary: pd.DataFrame, cluster: int, theme_id: str = "",
    label_de: str = "", label_en: str = "", signals: list[str] | None = None, coder: str = "",
) -> Codebook:
    """Add a discovered cluster as a new theme (discover.accept_cluster); ``signals`` replace its proposed ones."""
    from integkit.themes.discover import accept_cluster

    ws = _ws(workspace)
    book = workspace_codebook(ws)
    label = check_label(book, label_de)
    theme_id = theme_id.strip() or new_theme_id(book, label)
    if int(cluster) not in set(summary["cluster"].astype(int)):
        raise InputError(f"Die Themenfindung hat keinen Cluster {cluster}.")
    words = None
    if signals is not None:
        words = [w.strip() for w in signals if w.strip()]
        if not words:
            raise InputError("Bitte mindestens ein Signalwort angeben.")
    path = save_discovery(ws, meeting_id, summary)
    description = f"Neues Thema {quoted(label)} aus der Themenfindung übernommen (Cluster {cluster})"
    with versions.change(ws, versions.ACCEPT, description, coder):
        new, _ = accept_cluster(int(cluster), path, theme_id, label, label_en.strip(), workspace=ws.root, signals=words)
    return new


# --- rename and merge --------------------------------------------------------------------------
def _carrying(analysis: Analysis, theme_ids: set[str]) -> pd.DataFrame:
    return analysis.coded[analysis.coded["themes"].map(lambda v: bool(theme_ids & set(split_themes(v))))]


def _corrections_naming(ws: Workspace, theme_ids: set[str]) -> int:
    return sum(
        int(load_corrections(ws, m)["themes"].map(lambda v: bool(theme_ids & set(split_themes(v)))).sum()) for m in ws.meetings()
    )


def preview_rename(analysis: Analysis, theme_id: str, label_de: str) -> Preview:
    """What renaming a theme does: its answers keep it under the new name."""
    theme = _theme(analysis.codebook, theme_id)
    label = check_label(analysis.codebook, label_de, theme_id)
    if label == theme.label_de:
        raise InputError(f"Das Thema heißt schon {quoted(label)}.")
    rows = _carrying(analysis, {theme_id})
    text = (f"Das Thema {quoted(theme.label_de)} heißt danach {quoted(label)}. {count(len(rows), 'answer')} "
            f"({count(rows['response_id'].nunique(), 'person')}) dieses Treffens tragen es; sie behalten es unter dem "
            "neuen Namen, keine Antwort wechselt das Thema.")
    return Preview(text, answers=0)


def rename(
    workspace: Workspace | str, theme_id: str, new_id: str = "", label_de: str = "", label_en: str | None = None, coder: str = ""
) -> Codebook:
    """Rename a theme (its German name; the id too if ``new_id``) in the workspace codebook and in every meeting's corrections."""
    ws = _ws(workspace)
    book = workspace_codebook(ws)
    old = _theme(book, theme_id)
    label = check_label(book, label_de or old.label_de, theme_id)
    if label == old.label_de and (not new_id or new_id == theme_id) and label_en is None:
        raise InputError(f"Das Thema heißt schon {quoted(label)}.")
    new = rename_theme(book, theme_id, new_id or None, label, label_en)
    description = f"Thema {quoted(old.label_de)} umbenannt in {quoted(label)}"
    with versions.change(ws, versions.RENAME, description, coder) as change:
        save_codebook(new, ws.root / WORKSPACE_CODEBOOK)
        if new_id and new_id != theme_id:
            for meeting in ws.meetings():
                rename_themes_in_corrections(ws, meeting, {theme_id: new_id}, ref=str(change.number), coder=coder)
    return new


def _merge_sources(book: Codebook, sources: list[str] | tuple[str, ...], into: str) -> list[str]:
    _theme(book, into)
    chosen = [s for s in dict.fromkeys(sources) if s != into]
    if not chosen:
        raise InputError(f"Bitte mindestens ein Thema wählen, das in {quoted(book.theme(into).label_de)} aufgehen soll.")
    for s in chosen:
        _theme(book, s)
    return chosen


def preview_merge(workspace: Workspace | str, analysis: Analysis, sources: list[str] | tuple[str, ...], into: str) -> Preview:
    """What merging themes does: which answers move to the target theme, how many carry it afterwards."""
    ws, book = _ws(workspace), analysis.codebook
    chosen = _merge_sources(book, sources, into)
    merged = merge_themes(book, chosen, into)
    mapping = {s: into for s in chosen}
    fixes = load_corrections(ws, analysis.meeting.id)
    fixes = fixes.assign(themes=fixes["themes"].map(lambda v: ";".join(dict.fromkeys(mapping.get(t, t) for t in split_themes(v)))))
    after = code_answers(analysis.responses, merged, fixes)
    moving = _carrying(analysis, set(chosen))
    before_n = len(_carrying(analysis, {into}))
    after_n = int(after["themes"].map(lambda v: into in split_themes(v)).sum())
    n_fix = _corrections_naming(ws, set(chosen))
    target = quoted(book.theme(into).label_de)
    text = (f"{theme_names(';'.join(chosen), book, quote=True)} {'geht' if len(chosen) == 1 else 'gehen'} in {target} auf. "
            f"{count(len(moving), 'answer')} ({count(moving['response_id'].nunique(), 'person')}) dieses Treffens "
            f"{'wechselt' if len(moving) == 1 else 'wechseln'} zu {target}; danach tragen {count(after_n, 'answer')} "
            f"{target} (bisher {before_n}). {count(n_fix, 'correction')} in den Treffen werden angepasst.")
    return Preview(text, answers=len(moving), corrections=n_fix)


def merge(workspace: Workspace | str, sources: list[str] | tuple[str, ...], into: str, coder: str = "") -> Codebook:
    """Merge themes into one in the workspace codebook and in every meeting's corrections."""
    ws = _ws(workspace)
    book = workspace_codebook(ws)
    chosen = _merge_sources(book, sources, into)
    new = merge_themes(book, chosen, into)
    description = f"{theme_names(';'.join(chosen), book, quote=True)} in {quoted(book.theme(into).label_de)} zusammengeführt"
    with versions.change(ws, versions.MERGE, description, coder) as change:
        save_codebook(new, ws.root / WORKSPACE_CODEBOOK)
        for meeting in ws.meetings():
            rename_themes_in_corrections(ws, meeting, {s: into for s in chosen}, ref=str(change.number), coder=coder)
    return new


# --- taking a change back, and the history -----------------------------------------------------
def last_change(workspace: Workspace | str) -> str:
    """The newest codebook change that `undo_last_change` would take back, in German ("" if none)."""
    row = versions.last_change(versions.read_changes(_ws(workspace)))
    return row["description"] if row else ""


def undo_last_change(workspace: Workspace | str, coder: str = "") -> str:
    """Take back the newest codebook change made from the notebooks; a German sentence saying what happened."""
    ws = _ws(workspace)
    row = versions.undo_last(ws, coder)
    if row is None:
        return "Es gibt keine Änderung am Codebook, die sich zurücknehmen ließe."
    return f"Zurückgenommen: {row['description']}. Das Codebook hat jetzt Version {workspace_codebook(ws).version}."


def history(workspace: Workspace | str) -> pd.DataFrame:
    """The codebook changes made from the notebooks, newest first, with German headings."""
    changes = versions.read_changes(_ws(workspace))
    gone = versions.undone(changes)
    table = pd.DataFrame({
        "Nr.": changes["change"],
        "Wann": changes["logged_at"],
        "Wer": changes["coder"],
        "Änderung": changes["description"],
        "Version": [f"{a} → {b}" for a, b in zip(changes["version_before"], changes["version_after"])],
        "Stand": ["zurückgenommen" if c in gone else "" for c in changes["change"]],
    })
    return table.iloc[::-1].reset_index(drop=True)
