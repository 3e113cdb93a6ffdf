"""Store what a source delivered as a snapshot of a meeting, and register the meeting.

Both ways in, `integkit import` (files) and `integkit pull` (LimeSurvey), end here, so a pull
and an import of the same responses give the same snapshot layout and the same Responses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integkit.errors import InputError
from integkit.responses import STRUCTURE_FILE, Responses, build_responses
from integkit.ingest.snapshot import Snapshot, write_snapshot
from integkit.ingest.files import Export, read_export
from integkit.ingest.structure import SurveyStructure, read_lss
from integkit.workspace import Meeting, Workspace, check_meeting_id


@dataclass(frozen=True)
class IngestResult:
    """What an import or pull did: the snapshot, whether it is new, and the responses in it."""

    snapshot: Snapshot
    created: bool
    responses: Responses
    notes: tuple[str, ...] = ()


def store(
    workspace: Workspace,
    meeting_id: str,
    raw_name: str,
    raw: bytes,
    export: Export,
    structure: SurveyStructure,
    source: dict[str, Any],
    meeting_defaults: dict[str, Any] | None = None,
    label: str | None = None,
) -> IngestResult:
    """Validate by building the tidy model first, then write the snapshot and register the meeting.

    Nothing is written when the responses cannot be read, and nothing when the same content
    is stored already. `label` names the input in error messages (default: raw_name).
    """
    check_meeting_id(meeting_id)
    meetings = workspace.meetings()
    meeting = meetings.get(meeting_id)
    mapping = meeting.mapping if meeting else None
    responses = build_responses(export, structure, meeting_id, mapping, source=label or raw_name)
    files = {raw_name: raw, STRUCTURE_FILE: structure.to_json()}
    meta = {
        "meeting_id": meeting_id,
        "source": source,
        "format": export.format,
        "encoding": export.encoding,
        "row_count": int(len(export.frame)),
        "survey_id": structure.survey_id,
    }
    snapshot, created = write_snapshot(workspace.snapshots_dir(meeting_id), files, raw_name, meta)
    if meeting is None:
        defaults = meeting_defaults or {}
        workspace.save_meeting(
            Meeting(
                id=meeting_id,
                title=defaults.get("title") or structure.title or meeting_id,
                date=defaults.get("date") or _first_date(responses),
                place=defaults.get("place", ""),
                source={k: v for k, v in source.items() if k in ("kind", "path", "survey_id", "url")},
            )
        )
    provenance = {"snapshot_id": snapshot.id, "snapshot_sha256": snapshot.sha256}
    return IngestResult(snapshot, created, Responses(**{**responses.__dict__, "provenance": provenance}), export.notes)


def _first_date(responses: Responses) -> dt.date | None:
    stamps = responses.respondents["submitted_at"].dropna()
    return stamps.min().date() if len(stamps) else None


def import_file(
    workspace: Workspace, meeting_id: str, path: Path, structure_path: Path | None = None
) -> IngestResult:
    """Import a LimeSurvey export or paper-card sheet as a snapshot of `meeting_id`.

    Labels come from `structure_path` (.lss exported next to the responses), else from the
    workspace's standard questionnaire.
    """
    path = Path(path)
    raw, export = read_export(path)
    if export.frame.empty:
        raise InputError(f"{path}: the file holds no responses (only a header)")
    structure = read_lss(structure_path or workspace.questionnaire_path)
    suffix = path.suffix.lower() if path.suffix.lower() in (".csv", ".json", ".xlsx", ".txt") else ""
    raw_name = "responses" + (suffix or {"json": ".json", "xlsx": ".xlsx"}.get(export.format.split("-")[-1], ".csv"))
    try:
        shown = str(path.resolve().relative_to(workspace.root))
    except ValueError:
        shown = str(path.resolve())
    source = {"kind": "file", "path": shown, "name": path.name, "structure": str(structure_path or workspace.questionnaire_path.name)}
    return store(workspace, meeting_id, raw_name, raw, export, structure, source, label=str(path))
