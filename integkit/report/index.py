"""The index page of a meeting's reports: `reports/<meeting>/index.html` and its record `reports.json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from integkit.io import atomic_write
from integkit.report.html import page, render_template
from integkit.report.render import RenderedReport
from integkit.workspace import Workspace

INDEX_DATA = "reports.json"
KINDS = ("meeting", "actions", "municipality")
HEADINGS = {
    "meeting": ("Bericht zum Treffen", "Meeting report"),
    "actions": ("Handlungsliste", "Action list"),
    "municipality": ("Gemeindeberichte", "Municipality reports"),
}


def write_index(workspace: Workspace, meeting_id: str, rendered: list[RenderedReport], language: str = "de") -> Path:
    """reports/<meeting>/index.html linking every report of the meeting rendered so far."""
    out_dir = workspace.report_dir(meeting_id)
    data_path = out_dir / INDEX_DATA
    known: dict[str, dict[str, Any]] = json.loads(data_path.read_text(encoding="utf-8")) if data_path.is_file() else {}
    for report in rendered:
        known[report.name] = {"title": report.title, "kind": report.kind, "files": [p.name for p in report.files]}
    known = {k: v for k, v in known.items() if all((out_dir / f).exists() for f in v["files"])}
    atomic_write(data_path, json.dumps(known, ensure_ascii=False, indent=1).encode("utf-8"))
    meeting = workspace.meeting(meeting_id)
    title = meeting.title or meeting_id
    sections = []
    for kind in KINDS:
        entries = sorted((v for v in known.values() if v["kind"] == kind), key=lambda v: v["title"].lower())
        if entries:
            sections.append({
                "heading": HEADINGS[kind][0 if language == "de" else 1],
                "entries": [
                    {
                        "label": entry["title"].removeprefix(f"{title}: "),  # the heading says the rest
                        "links": [{"href": f, "text": Path(f).suffix[1:].upper()} for f in entry["files"] if not f.endswith(".ipynb")],
                    }
                    for entry in entries
                ],
            })
    body = render_template("index.html.j2", title=title, sections=sections)
    index = out_dir / "index.html"
    atomic_write(index, page(body, title, language).encode("utf-8"))
    return index
