"""Versions of the workspace codebook: each change from the notebooks keeps the file it replaces.

Before a change (accept, rename, merge) the codebook in force is copied to
`surveys/codebook_versions/NNNN.yaml`, and afterwards `changes.csv` there gets one row: who,
when, what (in German, as the facilitator reads it), the versions before and after, and the
sha256 of the file written. Taking the last change back writes the themes of that copy as a new
version (versions only go up, so a report's codebook version always names one set of themes), as
long as the file is still the one that change wrote; the rows that change added to the meetings'
correction logs are taken back too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import pandas as pd
from filelock import FileLock

from integkit.errors import InputError
from integkit.io import read_record, write_csv
from integkit.themes import corrections
from integkit.themes.codebook import WORKSPACE_CODEBOOK, bump_minor, load_codebook, resolve_codebook_path, save_codebook
from integkit.workspace import Workspace

VERSIONS_DIR = Path("surveys") / "codebook_versions"
CHANGES_FILE = "changes.csv"
LOCK_FILE = Path("surveys") / ".codebook.lock"
CHANGE_COLUMNS = ["change", "logged_at", "coder", "action", "description", "version_before", "version_after",
                  "copy", "sha256_after", "undoes"]
ACCEPT, RENAME, MERGE, UNDO = "accept", "rename", "merge", "undo"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def read_changes(workspace: Workspace) -> pd.DataFrame:
    """Every codebook change made from the notebooks, oldest first (CHANGE_COLUMNS; change as a number)."""
    path = workspace.root / VERSIONS_DIR / CHANGES_FILE
    if not path.is_file():
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    return read_record(path, CHANGE_COLUMNS, numbers=("change",))[CHANGE_COLUMNS].reset_index(drop=True)


def undone(changes: pd.DataFrame) -> set[int]:
    """The changes a later undo took back."""
    return {int(u) for u in changes.loc[changes["action"] == UNDO, "undoes"]}


def last_change(changes: pd.DataFrame) -> dict | None:
    """The newest change still in force (what `undo_last` takes back)."""
    gone = undone(changes)
    for row in reversed(changes.to_dict("records")):
        if row["action"] != UNDO and row["change"] not in gone:
            return row
    return None


@dataclass
class Change:
    """A codebook change in progress: its number (the `ref` of the correction-log rows it writes)."""

    number: int
    workspace: Workspace


@contextmanager
def _locked(workspace: Workspace) -> Iterator[pd.DataFrame]:
    (workspace.root / LOCK_FILE).parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(workspace.root / LOCK_FILE), timeout=60):
        yield read_changes(workspace)


def _record(workspace: Workspace, changes: pd.DataFrame, row: dict) -> None:
    write_csv(pd.concat([changes, pd.DataFrame([row], columns=CHANGE_COLUMNS)], ignore_index=True),
              workspace.root / VERSIONS_DIR / CHANGES_FILE)


def _keep_current(workspace: Workspace, number: int) -> tuple[str, str]:
    """Copy the codebook in force to NNNN.yaml; returns the copy's name and the version in force."""
    source = resolve_codebook_path(workspace=workspace.root)
    name = f"{number:04d}.yaml"
    target = workspace.root / VERSIONS_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return name, load_codebook(source).version


@contextmanager
def change(workspace: Workspace, action: str, description: str, coder: str = "") -> Iterator[Change]:
    """Keep the codebook in force, let the block change it, then log the change (nothing logged if the block fails)."""
    with _locked(workspace) as changes:
        number = int(changes["change"].max()) + 1 if len(changes) else 1
        copy, before = _keep_current(workspace, number)
        try:
            yield Change(number, workspace)
        except BaseException:
            (workspace.root / VERSIONS_DIR / copy).unlink(missing_ok=True)
            raise
        own = workspace.root / WORKSPACE_CODEBOOK
        _record(workspace, changes, {
            "change": number, "logged_at": corrections.now(), "coder": coder, "action": action, "description": description,
            "version_before": before, "version_after": load_codebook(workspace=workspace.root).version, "copy": copy,
            "sha256_after": _sha256(own), "undoes": "",
        })


def undo_last(workspace: Workspace, coder: str = "") -> dict | None:
    """Take back the newest codebook change still in force; returns its row (None if there is none).

    Refused, with nothing changed, when the codebook was edited since by other means, or when an
    answer whose themes the change rewrote was corrected since.
    """
    own = workspace.root / WORKSPACE_CODEBOOK
    with _locked(workspace) as changes:
        target = last_change(changes)
        if target is None:
            return None
        if _sha256(own) != target["sha256_after"]:
            raise InputError(
                f"„{target['description']}“ lässt sich nicht zurücknehmen: das Codebook ({own}) wurde danach "
                "auf anderem Weg geändert."
            )
        meetings = list(workspace.meetings())
        blocked = sum(corrections.codebook_rows_blocked(workspace, m, str(target["change"])) for m in meetings)
        if blocked:
            raise InputError(
                f"„{target['description']}“ lässt sich nicht zurücknehmen: {blocked} der dabei umgeschriebenen "
                "Antworten wurden danach korrigiert; nehmen Sie zuerst diese Korrekturen zurück."
            )
        number = int(changes["change"].max()) + 1
        copy, before = _keep_current(workspace, number)
        for meeting in meetings:
            corrections.undo_codebook_rows(workspace, meeting, str(target["change"]), coder)
        current = load_codebook(own)
        version = bump_minor(current.version)
        entry = {"version": version, "date": dt.date.today().isoformat(),
                 "change": f"Reverted change {target['change']} from the notebook: the themes of version {target['version_before']} again."}
        kept = load_codebook(workspace.root / VERSIONS_DIR / target["copy"])
        save_codebook(replace(kept, version=version, changelog=current.changelog + (entry,)), own)
        description = f"Zurückgenommen: {target['description']}"
        _record(workspace, changes, {
            "change": number, "logged_at": corrections.now(), "coder": coder, "action": UNDO, "description": description,
            "version_before": before, "version_after": version, "copy": copy, "sha256_after": _sha256(own),
            "undoes": str(target["change"]),
        })
        return target
