"""Whether a meeting's reports show the current codings, and rendering them all again from a notebook.

The reports are out of date when the facilitator's corrections, the workspace codebook or the
meeting's answers (a new snapshot) changed after the oldest report of the meeting listed in
`reports/<meeting>/reports.json` was written. Re-rendering goes through the same two calls as
`integkit report MEETING --all`: `plan_reports` and `render_reports`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from integkit.facilitator.present import count, when
from typing import TYPE_CHECKING
from integkit.themes.codebook import WORKSPACE_CODEBOOK
from integkit.themes.corrections import corrections_path, log_path
from integkit.workspace import Workspace

if TYPE_CHECKING:  # papermill and nbconvert are imported when reports are made, not with the notebook
    from integkit.report.batch import BatchResult
    from integkit.report.render import ReportJob


def _mtime(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except OSError:
        return None


@dataclass(frozen=True)
class ReportsState:
    """The oldest report of a meeting (None: none yet), and the newest change to what reports show."""

    made_at: dt.datetime | None
    changed_at: dt.datetime | None
    changed: str  # what changed last, in German
    reports: int

    @property
    def outdated(self) -> bool:
        return self.made_at is None or (self.changed_at is not None and self.changed_at > self.made_at)

    def note(self) -> str:
        """One German sentence for the top of a notebook."""
        if self.made_at is None:
            return "Für dieses Treffen gibt es noch keine Berichte. „Berichte neu erstellen“ erstellt sie."
        if self.outdated:
            return (f"Die Berichte sind veraltet: sie stammen vom {when(self.made_at)}, {self.changed} wurden am "
                    f"{when(self.changed_at)} geändert. „Berichte neu erstellen“ bringt sie auf den neuen Stand.")
        return f"Die Berichte sind aktuell ({count(self.reports, 'report')}, erstellt am {when(self.made_at)})."


def report_files(workspace: Workspace, meeting_id: str) -> list[Path]:
    """The files of the meeting's reports as its index lists them."""
    out = workspace.report_dir(meeting_id)
    if not out.is_dir():
        return []
    from integkit.report.index import INDEX_DATA

    data = out / INDEX_DATA
    if not data.is_file():
        return []
    known = json.loads(data.read_text(encoding="utf-8"))
    return [out / name for entry in known.values() for name in entry.get("files", [])]


def reports_state(workspace: Workspace, meeting_id: str) -> ReportsState:
    """Compare the modification times of the reports with those of codings, codebook and snapshots."""
    files = report_files(workspace, meeting_id)
    made = [t for t in map(_mtime, files) if t is not None]
    snapshots = workspace.snapshots_dir(meeting_id)
    sources = [
        ("die Korrekturen", _mtime(log_path(workspace, meeting_id))),
        ("die Korrekturen", _mtime(corrections_path(workspace, meeting_id))),
        ("das Codebook", _mtime(workspace.root / WORKSPACE_CODEBOOK)),
        ("die Antworten (neuer Import)", max(filter(None, map(_mtime, snapshots.glob("*/manifest.json"))), default=None)),
    ]
    changed = max(((t, what) for what, t in sources if t is not None), default=(None, ""))
    names = {p.stem for p in files if p.suffix != ".ipynb"}
    return ReportsState(min(made) if made else None, changed[0], changed[1], len(names))


def planned_reports(workspace: Workspace, meeting_id: str) -> list["ReportJob"]:
    """All reports of the meeting: the meeting report, its action list and one per municipality."""
    from integkit.report.batch import plan_reports

    return plan_reports(workspace, meeting_id, all_municipalities=True)


def rerender(
    workspace: Workspace, jobs: list["ReportJob"], on_done: Callable[[str, str | None], None] | None = None,
    workers: int | None = None,
) -> "BatchResult":
    """Render planned reports (as `integkit report --all` does); ``on_done(name, error)`` after each."""
    from integkit.report.batch import render_reports

    return render_reports(workspace, jobs, workers, on_done)
