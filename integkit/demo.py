"""The bundled demo meetings: import them into a workspace and render all their reports."""

from __future__ import annotations


import yaml

from integkit import data
from integkit.errors import ReportError
from integkit.ingest.store import IngestResult, import_file
from integkit.report.batch import BatchResult, plan_reports, render_reports
from integkit.workspace import Meeting, Workspace, init_workspace


def demo_meetings() -> list[Meeting]:
    """The demo meetings' registry entries, as shipped in the package."""
    entries = yaml.safe_load(data.demo_registry_path().read_text(encoding="utf-8"))["meetings"]
    return [
        Meeting(id=meeting_id, title=e["title"], date=e["date"], place=e.get("place", ""), series=e.get("series", "vernetzungstreffen"))
        for meeting_id, e in entries.items()
    ]


def import_demo(workspace: Workspace) -> list[IngestResult]:
    """Make `workspace` a workspace if needed, register the demo meetings and import their exports."""
    init_workspace(workspace.root)
    registered = workspace.meetings()
    results = []
    for meeting in demo_meetings():
        if meeting.id not in registered:
            meeting.source = {"kind": "file", "path": f"integkit demo data ({meeting.id})"}
            workspace.save_meeting(meeting)
        results.append(import_file(workspace, meeting.id, data.demo_export_path(meeting.id)))
    return results


def run_demo(workspace: Workspace, language: str = "de", formats: tuple[str, ...] = ("html",), jobs: int | None = None) -> BatchResult:
    """Import the demo meetings and render every report of both (meeting, action list, municipalities)."""
    import_demo(workspace)
    planned = [
        job
        for meeting in demo_meetings()
        for job in plan_reports(workspace, meeting.id, None, True, None, language, formats, all_municipalities=True)
    ]
    result = render_reports(workspace, planned, jobs)
    if result.failed:
        name, error = result.failed[0]
        raise ReportError(f"{len(result.failed)} demo report(s) failed, first {name}: {error}")
    return result
