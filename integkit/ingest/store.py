"""Store what a source delivered as a snapshot of a meeting, and register the meeting.

Both ways in, `integkit import` (files) and `integkit pull` (LimeSurvey), end here, so a pull
and an import of the same responses give the same snapshot layout and the same Responses.
The snapshot and the registry entry are written under the workspace lock, one after the other;
if the registry cannot be written, the new snapshot is taken back, so nothing half-done is left.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integkit.errors import InputError
from integkit.ingest.files import Export, read_export
from integkit.ingest.municipalities import read_aliases
from integkit.ingest.snapshot import Snapshot, write_snapshot
from integkit.ingest.structure import SurveyStructure, read_lss
from integkit.responses import STRUCTURE_FILE, Responses, build_responses, uses_standard_codes
from integkit.workspace import STANDARD_SERIES, Meeting, Workspace, check_meeting_id


@dataclass(frozen=True)
class IngestResult:
    """What an import or pull did: the snapshot, whether it is new, the responses in it, notes for the user."""

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

    Nothing is written when the responses cannot be read, and nothing when the latest snapshot
    holds the same content already (a damaged snapshot with this content is repaired). A new
    meeting joins the standard series only when its file has the standard questionnaire's codes.
    `label` names the input in error messages (default: raw_name).
    """
    check_meeting_id(meeting_id)
    meeting = workspace.meetings().get(meeting_id)
    aliases = read_aliases(workspace.municipalities_path)
    responses = build_responses(
        export, structure, meeting_id, meeting.mapping if meeting else None, source=label or raw_name, aliases=aliases
    )
    files = {raw_name: raw, STRUCTURE_FILE: structure.to_json()}
    meta = {
        "meeting_id": meeting_id,
        "source": source,
        "format": export.format,
        "encoding": export.encoding,
        "row_count": int(len(export.frame)),
        "survey_id": structure.survey_id,
    }
    first_date = _first_date(responses)
    defaults = meeting_defaults or {}

    def register(current: Meeting | None) -> Meeting | None:
        if current is None:
            return Meeting(
                id=meeting_id,
                title=defaults.get("title") or structure.title or meeting_id,
                date=defaults.get("date") or first_date,
                place=defaults.get("place", ""),
                series=STANDARD_SERIES if uses_standard_codes(list(export.frame.columns)) else None,
                source={k: v for k, v in source.items() if k in ("kind", "path", "survey_id", "url")},
            )
        if current.date is None and first_date is not None:  # a first pull was empty: date it now
            current.date = first_date
            return current
        return None

    with workspace.lock():
        stored = write_snapshot(workspace.snapshots_dir(meeting_id), files, raw_name, meta)
        try:
            workspace.update_meeting(meeting_id, register)
        except BaseException:
            if stored.created:  # the registry could not be written: take the new snapshot back
                shutil.rmtree(stored.snapshot.path, ignore_errors=True)
            raise
    snapshot = stored.snapshot
    provenance = {"snapshot_id": snapshot.id, "snapshot_sha256": snapshot.sha256}
    notes = (*export.notes, *stored.notes, *(check.message for check in responses.municipality_checks))
    return IngestResult(snapshot, stored.created, Responses(**{**responses.__dict__, "provenance": provenance}), notes)


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
