"""A workspace folder: the meetings registry, each meeting's snapshots, and the reports.

Layout::

    surveys/meetings.yaml              registry: id, date, title, place, series, source, mapping
    surveys/vernetzungstreffen.lss     the standard questionnaire
    surveys/<meeting>/snapshots/       immutable raw pulls and imports
    reports/<meeting>/                 rendered output
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from integkit import data
from integkit.io import atomic_write
from integkit.errors import WorkspaceError

MEETING_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
REGISTRY_HEADER = "# integkit meetings registry: one entry per meeting (see README, 'Workspace').\n"
KNOWN_KEYS = {"title", "date", "place", "series", "source", "mapping"}


@dataclass
class Meeting:
    """One meeting of the series, as registered in meetings.yaml."""

    id: str
    title: str = ""
    date: dt.date | None = None
    place: str = ""
    series: str = "vernetzungstreffen"
    source: dict[str, Any] = field(default_factory=dict)
    mapping: dict[str, Any] | None = None

    def to_yaml(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"title": self.title, "date": self.date, "place": self.place, "series": self.series}
        entry["source"] = self.source
        if self.mapping:
            entry["mapping"] = self.mapping
        return entry


def check_meeting_id(meeting_id: str) -> str:
    """Meeting ids name folders, so they are restricted to lower-case letters, digits, . _ -."""
    if not MEETING_ID.match(meeting_id or ""):
        raise WorkspaceError(
            f"meeting id {meeting_id!r} is not valid: use lower-case letters, digits, '.', '_' or '-' "
            "(for example vt-2026-11)"
        )
    return meeting_id


class Workspace:
    """The folder a user works in; every command takes it with --workspace."""

    def __init__(self, root: Path | str = ".") -> None:
        self.root = Path(root).resolve()

    @property
    def surveys_dir(self) -> Path:
        return self.root / "surveys"

    @property
    def registry_path(self) -> Path:
        return self.surveys_dir / "meetings.yaml"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def questionnaire_path(self) -> Path:
        """The workspace's standard questionnaire, else the one shipped with integkit."""
        own = self.surveys_dir / data.QUESTIONNAIRE_NAME
        return own if own.is_file() else data.questionnaire_path()

    def meeting_dir(self, meeting_id: str) -> Path:
        return self.surveys_dir / check_meeting_id(meeting_id)

    def snapshots_dir(self, meeting_id: str) -> Path:
        return self.meeting_dir(meeting_id) / "snapshots"

    def report_dir(self, meeting_id: str) -> Path:
        return self.reports_dir / check_meeting_id(meeting_id)

    # --- registry ---------------------------------------------------------------------
    def meetings(self) -> dict[str, Meeting]:
        """All registered meetings by id (empty if the registry does not exist yet)."""
        if not self.registry_path.is_file():
            return {}
        try:
            registry = yaml.safe_load(self.registry_path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise WorkspaceError(f"{self.registry_path}: not valid YAML: {exc}") from None
        entries = registry.get("meetings") or {}
        if not isinstance(entries, dict):
            raise WorkspaceError(f"{self.registry_path}: 'meetings' must be a mapping of meeting id to entry")
        meetings = {}
        for meeting_id, entry in entries.items():
            entry = entry or {}
            unknown = set(entry) - KNOWN_KEYS
            if unknown:
                raise WorkspaceError(
                    f"{self.registry_path}: meeting {meeting_id}: unknown key(s) {', '.join(sorted(unknown))}"
                )
            date = entry.get("date")
            if isinstance(date, str):
                try:
                    date = dt.date.fromisoformat(date)
                except ValueError:
                    raise WorkspaceError(
                        f"{self.registry_path}: meeting {meeting_id}: date {date!r} is not YYYY-MM-DD"
                    ) from None
            meetings[str(meeting_id)] = Meeting(
                id=check_meeting_id(str(meeting_id)),
                title=entry.get("title") or "",
                date=date,
                place=entry.get("place") or "",
                series=entry.get("series") or "vernetzungstreffen",
                source=entry.get("source") or {},
                mapping=entry.get("mapping"),
            )
        return meetings

    def meeting(self, meeting_id: str) -> Meeting:
        """A registered meeting, or a clear error listing the known ones."""
        meetings = self.meetings()
        if meeting_id not in meetings:
            known = ", ".join(meetings) or "none yet"
            raise WorkspaceError(
                f"meeting {meeting_id!r} is not registered in {self.registry_path} (known: {known}); "
                "`integkit import` registers a new meeting"
            )
        return meetings[meeting_id]

    def save_meeting(self, meeting: Meeting) -> None:
        """Add or update one meeting in the registry, written atomically."""
        check_meeting_id(meeting.id)
        meetings = self.meetings()
        meetings[meeting.id] = meeting
        body = {"meetings": {m.id: m.to_yaml() for m in meetings.values()}}
        text = REGISTRY_HEADER + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)
        atomic_write(self.registry_path, text.encode("utf-8"))

    def earlier_meetings(self, meeting_id: str) -> list[Meeting]:
        """Meetings of the same series dated before this one, oldest first."""
        this = self.meeting(meeting_id)
        if this.date is None:
            return []
        return sorted(
            (m for m in self.meetings().values() if m.series == this.series and m.date and m.date < this.date),
            key=lambda m: m.date,
        )


def init_workspace(root: Path | str) -> Workspace:
    """Create a workspace: standard questionnaire, empty registry, .gitignore for secrets and reports."""
    ws = Workspace(root)
    ws.surveys_dir.mkdir(parents=True, exist_ok=True)
    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    questionnaire = ws.surveys_dir / data.QUESTIONNAIRE_NAME
    if not questionnaire.exists():
        shutil.copyfile(data.questionnaire_path(), questionnaire)
    if not ws.registry_path.exists():
        atomic_write(ws.registry_path, (REGISTRY_HEADER + "meetings: {}\n").encode("utf-8"))
    gitignore = ws.root / ".gitignore"
    if not gitignore.exists():
        atomic_write(gitignore, b".env\nreports/\n")
    return ws
