"""The bundled demo meetings: import them into a workspace and render their reports."""

from __future__ import annotations

import shutil
from pathlib import Path

from integkit import resources
from integkit.ingest import IngestResult, import_file
from integkit.reports import ReportError, known_municipalities, plan_reports, render_batch, write_index
from integkit.workspace import Workspace, init_workspace

DEMO_EXPORT = "export.csv"


def import_demo(workspace: Workspace) -> list[IngestResult]:
    """Register and import the demo meetings (copying their exports if the workspace is elsewhere)."""
    home = Workspace(resources.demo_workspace())
    if workspace.root != home.root:
        init_workspace(workspace.root)
    registered = workspace.meetings()
    results = []
    for meeting_id in resources.DEMO_MEETINGS:
        export = workspace.meeting_dir(meeting_id) / DEMO_EXPORT
        if not export.exists():
            export.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(home.meeting_dir(meeting_id) / DEMO_EXPORT, export)
        if meeting_id not in registered:
            workspace.save_meeting(home.meeting(meeting_id))
        results.append(import_file(workspace, meeting_id, Path(export)))
    return results


def run_demo(workspace: Workspace, language: str = "de", formats: tuple[str, ...] = ("html",), jobs: int | None = None) -> list[Path]:
    """Import the demo meetings and render all their reports; returns each meeting's index.html."""
    import_demo(workspace)
    jobs_of = {
        m: plan_reports(workspace, m, known_municipalities(workspace, m), True, None, language, formats)
        for m in resources.DEMO_MEETINGS
    }
    result = render_batch([job for jobs in jobs_of.values() for job in jobs], jobs)
    if result.failed:
        name, error = result.failed[0]
        raise ReportError(f"{len(result.failed)} demo report(s) failed, first {name}: {error}")
    return [
        write_index(workspace, m, [r for r in result.rendered if r.files[0].parent == workspace.report_dir(m)], language)
        for m in resources.DEMO_MEETINGS
    ]
