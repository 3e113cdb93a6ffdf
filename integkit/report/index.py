"""The index page of a meeting's reports: `reports/<meeting>/index.html` and its record `reports.json`.

`reports.json` holds one entry per report file name: title, kind, municipality, files, the
parameters it was rendered with and the state it was made from (snapshot, codebook version,
integkit version, state digest). The page lists every report with its date, snapshot, codebook
and integkit version, and marks as out of date each report whose state is not the newest.
A report that replaces another of the same municipality under a new file name (when a second
municipality with the same file name appeared) removes the old one's entry and files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from integkit.io import atomic_write, storage_errors
from integkit.report.html import page, render_template
from integkit.report.outdir import writing
from integkit.report.render import RenderedReport
from integkit.report.state import ReportState
from integkit.report.wording import t, timestamp
from integkit.workspace import Workspace

INDEX_DATA = "reports.json"
INDEX_PAGE = "index.html"
KINDS = ("meeting", "actions", "municipality")
HEADINGS = {"meeting": "index_meeting", "actions": "actions", "municipality": "index_municipalities"}
COLUMNS = ("index_report", "index_files", "index_rendered", "snapshot", "codebook", "integkit_version")


def listed_reports(workspace: Workspace, meeting_id: str) -> dict[str, dict[str, Any]]:
    """The reports the index lists, by name (those whose files all exist)."""
    out_dir = workspace.report_dir(meeting_id)
    data_path = out_dir / INDEX_DATA
    if not data_path.is_file():
        return {}
    try:
        known = json.loads(data_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged record is rebuilt from the reports rendered next
    if not isinstance(known, dict):
        return {}
    return {
        name: entry for name, entry in known.items()
        if isinstance(entry, dict) and entry.get("files") and all((out_dir / f).is_file() for f in entry["files"])
    }


def report_key(entry: dict[str, Any]) -> tuple[str, str, str]:
    """What a report is about: kind, municipality and language (one file name each)."""
    return entry.get("kind", ""), entry.get("municipality", ""), entry.get("language", "")


def entry_of(report: RenderedReport) -> dict[str, Any]:
    """The record of one rendered report."""
    entry: dict[str, Any] = {"title": report.title, "kind": report.kind, "files": [p.name for p in report.files]}
    job = report.job
    if job is not None:
        parameters = {k: v for k, v in job.parameters.items() if k != "workspace"}
        entry |= {
            "municipality": parameters.get("municipality", ""), "language": job.language,
            "formats": list(job.formats), "parameters": parameters, "rendered_at": report.rendered_at,
            "snapshot": parameters.get("snapshot", ""),
        }
        if job.state is not None:
            entry |= {
                "codebook": job.state.codebook_version, "integkit": job.state.integkit_version, "state": job.state.digest,
            }
    return entry


def write_index(
    workspace: Workspace,
    meeting_id: str,
    rendered: list[RenderedReport],
    language: str = "de",
    state: ReportState | None = None,
) -> Path:
    """reports/<meeting>/index.html listing every report of the meeting rendered so far.

    `state` is the newest state (the batch's); listed reports made from another are marked
    out of date. A failed write is a StorageError naming the file.
    """
    out_dir = workspace.report_dir(meeting_id)
    with storage_errors(out_dir), writing(out_dir):
        known = listed_reports(workspace, meeting_id)
        for report in rendered:
            entry = entry_of(report)
            for name, old in list(known.items()):
                if name != report.name and report_key(old) == report_key(entry) and entry.get("kind") == "municipality":
                    for file in set(old["files"]) - set(entry["files"]):  # superseded under a new file name
                        (out_dir / file).unlink(missing_ok=True)
                    del known[name]
            known[report.name] = entry
        atomic_write(out_dir / INDEX_DATA, json.dumps(known, ensure_ascii=False, indent=1).encode("utf-8"))
        index = out_dir / INDEX_PAGE
        atomic_write(index, index_page(workspace, meeting_id, known, language, state).encode("utf-8"))
    return index


def index_page(
    workspace: Workspace, meeting_id: str, known: dict[str, dict[str, Any]], language: str, state: ReportState | None
) -> str:
    """The index page's HTML: per kind of report a table of reports with their provenance."""
    title = workspace.meeting(meeting_id).title or meeting_id
    sections = []
    for kind in KINDS:
        entries = sorted((v for v in known.values() if v["kind"] == kind), key=lambda v: v["title"].lower())
        if not entries:
            continue
        rows = []
        for entry in entries:
            rows.append({
                "label": entry["title"].removeprefix(f"{title}: "),  # the heading says the rest
                "links": [{"href": f, "text": Path(f).suffix[1:].upper()} for f in entry["files"] if not f.endswith(".ipynb")],
                "rendered": timestamp(entry["rendered_at"], language) if entry.get("rendered_at") else "–",
                "snapshot": entry.get("snapshot") or "–",
                "codebook": entry.get("codebook") or "–",
                "version": entry.get("integkit") or "–",
                "outdated": state is not None and entry.get("state") != state.digest,
            })
        sections.append({"heading": t(HEADINGS[kind], language), "entries": rows})
    outdated = any(row["outdated"] for section in sections for row in section["entries"])
    body = render_template(
        "index.html.j2", title=title, sections=sections, columns=[t(c, language) for c in COLUMNS],
        outdated_label=t("index_outdated", language), outdated_note=t("index_outdated_note", language) if outdated else "",
    )
    return page(body, title, language)
