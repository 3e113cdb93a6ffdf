"""`integkit export`: a meeting's coded answers for other analysis tools, in the format asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from integkit.errors import InputError
from integkit.share.codings import CodedMeeting, coded_meeting
from integkit.share.qdpx import write_qdpx
from integkit.share.spreadsheet import write_theme_xlsx
from integkit.workspace import Workspace

WRITERS: dict[str, Callable[[CodedMeeting, Path], Path]] = {"qdpx": write_qdpx, "xlsx": write_theme_xlsx}


def export_meeting(
    workspace: Workspace,
    meeting_id: str,
    format_: str,
    out: Path,
    show_personal_data: bool = False,
    snapshot: str | None = None,
) -> CodedMeeting:
    """Write MEETING's answers with their themes to `out` as `format_` (qdpx or xlsx); what was written."""
    if format_ not in WRITERS:
        raise InputError(f"unknown export format {format_!r}; use {' or '.join(WRITERS)}")
    if Path(out).suffix.lower() != f".{format_}":
        raise InputError(f"{out}: a {format_} export needs a file name ending in .{format_}")
    coded = coded_meeting(workspace, meeting_id, snapshot, show_personal_data)
    WRITERS[format_](coded, Path(out))
    return coded
