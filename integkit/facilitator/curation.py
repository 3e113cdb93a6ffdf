"""Changing the workspace codebook from the review notebook: accept, rename and merge themes.

Each change writes `surveys/codebook.yaml` (created from the default on first change) with a
minor version bump and a change-log entry; renames and merges also rewrite the theme ids in
every meeting's coding.csv, so the facilitator's corrections keep pointing at existing themes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from integkit.analysis.meeting import Analysis
from integkit.themes.coding import rename_themes_in_corrections
from integkit.io import write_csv
from integkit.themes.codebook import WORKSPACE_CODEBOOK, Codebook, load_codebook, merge_themes, rename_theme, save_codebook
from integkit.themes.discover import accept_cluster, discover
from integkit.workspace import Workspace

DISCOVERY_FILE = "discovery.csv"


def _ws(workspace: Workspace | str) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace(workspace)


def workspace_codebook(workspace: Workspace | str) -> Codebook:
    """The codebook the workspace's reports use (its own, else the default)."""
    return load_codebook(workspace=_ws(workspace).root)


def discovery(analysis: Analysis, n_clusters: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Candidate themes from the meeting's answers: cluster, size, top terms, overlap ("neu" = new), quotes."""
    return discover(analysis.coded["text"].tolist(), analysis.codebook, n_clusters=n_clusters, seed=seed).summary


def save_discovery(workspace: Workspace | str, meeting_id: str, summary: pd.DataFrame) -> Path:
    """Keep the discovery summary beside the meeting (surveys/<meeting>/discovery.csv), so an accepted
    theme names the file it came from."""
    return write_csv(summary, _ws(workspace).meeting_dir(meeting_id) / DISCOVERY_FILE)


def accept(
    workspace: Workspace | str, meeting_id: str, summary: pd.DataFrame, cluster: int, theme_id: str, label_de: str, label_en: str = ""
) -> Codebook:
    """Add a discovered cluster as a new theme of the workspace codebook (discover.accept_cluster)."""
    ws = _ws(workspace)
    path = save_discovery(ws, meeting_id, summary)
    book, _ = accept_cluster(int(cluster), path, theme_id.strip(), label_de.strip(), label_en.strip(), workspace=ws.root)
    return book


def _remap_all(ws: Workspace, mapping: dict[str, str]) -> list[str]:
    return [m for m in ws.meetings() if rename_themes_in_corrections(ws, m, mapping)]


def rename(
    workspace: Workspace | str, theme_id: str, new_id: str = "", label_de: str = "", label_en: str | None = None
) -> Codebook:
    """Rename a theme (id and/or labels) in the workspace codebook and in every meeting's corrections."""
    ws = _ws(workspace)
    book = rename_theme(workspace_codebook(ws), theme_id, new_id or None, label_de or None, label_en)
    save_codebook(book, ws.root / WORKSPACE_CODEBOOK)
    if new_id and new_id != theme_id:
        _remap_all(ws, {theme_id: new_id})
    return book


def merge(workspace: Workspace | str, sources: list[str] | tuple[str, ...], into: str) -> Codebook:
    """Merge themes into one in the workspace codebook and in every meeting's corrections."""
    ws = _ws(workspace)
    book = merge_themes(workspace_codebook(ws), list(sources), into)
    save_codebook(book, ws.root / WORKSPACE_CODEBOOK)
    _remap_all(ws, {s: into for s in sources})
    return book


def changelog(codebook: Codebook) -> pd.DataFrame:
    """The codebook's change log, newest first."""
    rows = [{"version": c.get("version", ""), "date": str(c.get("date", "")), "change": c.get("change", "")} for c in codebook.changelog]
    return pd.DataFrame(rows, columns=["version", "date", "change"]).iloc[::-1].reset_index(drop=True)
