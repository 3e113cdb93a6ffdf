"""Whether a meeting's reports show the current codings, and rendering them all again from a notebook.

The reports are out of date when one listed in `reports/<meeting>/reports.json` was made from
another state (integkit.report.state: snapshot, codebook, the facilitator's corrections of this
or any meeting, earlier meetings) than the workspace holds now. Re-rendering goes through the
same two calls as `integkit report MEETING --all`: `plan_reports` and `render_reports`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from integkit.errors import IntegkitError
from integkit.facilitator.present import count, when
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
    """The oldest report of a meeting (None: none yet), whether any report rests on another state
    than the workspace's now, and the newest change to what reports show (to say what changed)."""

    made_at: dt.datetime | None
    outdated: bool
    changed_at: dt.datetime | None
    changed: str  # what changed last, in German
    reports: int

    def note(self) -> str:
        """One German sentence for the top of a notebook."""
        if self.made_at is None:
            return "Für dieses Treffen gibt es noch keine Berichte. „Berichte neu erstellen“ erstellt sie."
        if self.outdated and self.changed_at is not None and self.changed_at > self.made_at:
            return (f"Die Berichte sind veraltet: sie stammen vom {when(self.made_at)}, {self.changed} wurden am "
                    f"{when(self.changed_at)} geändert. „Berichte neu erstellen“ bringt sie auf den neuen Stand.")
        if self.outdated:
            return (f"Die Berichte sind veraltet: sie stammen vom {when(self.made_at)} und zeigen nicht den jetzigen Stand "
                    "der Antworten, Korrekturen und des Codebooks. „Berichte neu erstellen“ bringt sie auf den neuen Stand.")
        return f"Die Berichte sind aktuell ({count(self.reports, 'report')}, erstellt am {when(self.made_at)})."


def reports_state(workspace: Workspace, meeting_id: str) -> ReportsState:
    """Compare the state each listed report was made from with the workspace's now (the rule the
    index page and `integkit share` apply too); file times only say what changed and when."""
    from integkit.report.index import listed_reports
    from integkit.report.state import resolve_state

    listed = listed_reports(workspace, meeting_id)
    out = workspace.report_dir(meeting_id)
    made = [t for t in (_mtime(out / name) for entry in listed.values() for name in entry["files"]) if t is not None]
    if not made:
        return ReportsState(None, True, None, "", 0)
    try:
        current = resolve_state(workspace, meeting_id).digest
    except IntegkitError:  # a damaged snapshot: the reports cannot be current; rendering says why
        current = ""
    outdated = any(entry.get("state") != current for entry in listed.values())
    others = [m for m in workspace.meetings() if m != meeting_id]
    sources = [
        ("die Korrekturen", _mtime(log_path(workspace, meeting_id))),
        ("die Korrekturen", _mtime(corrections_path(workspace, meeting_id))),
        ("das Codebook", _mtime(workspace.root / WORKSPACE_CODEBOOK)),
        ("die Antworten (neuer Import)",
         max(filter(None, map(_mtime, workspace.snapshots_dir(meeting_id).glob("*/manifest.json"))), default=None)),
        ("die Korrekturen eines anderen Treffens",
         max(filter(None, (_mtime(corrections_path(workspace, m)) for m in others)), default=None)),
    ]
    changed = max(((t, what) for what, t in sources if t is not None), default=(None, ""))
    return ReportsState(min(made), outdated, changed[0], changed[1], len(listed))


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
