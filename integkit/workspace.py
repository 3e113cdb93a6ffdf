"""A workspace folder: the meetings registry, each meeting's snapshots, and the reports.

Layout::

    surveys/meetings.yaml              registry: id, date, title, place, series, source, mapping
    surveys/municipalities.yaml        optional: municipality names the office confirmed (aliases)
    surveys/vernetzungstreffen.lss     the standard questionnaire
    surveys/<meeting>/snapshots/       immutable raw pulls and imports
    reports/<meeting>/                 rendered output

The registry is read strictly (a wrong value is one line naming the file, the meeting and the
field) and changed only under the workspace lock (`Workspace.lock`), so that concurrent commands
never lose each other's registrations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from integkit import data
from integkit.errors import WorkspaceError
from integkit.io import atomic_write, storage_errors

MEETING_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# Names Windows refuses for a file or folder, also with an ending ("aux.txt"); a workspace may live on a share
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
REGISTRY_HEADER = "# integkit meetings registry: one entry per meeting (see README, 'Workspace').\n"
KNOWN_KEYS = {"title", "date", "place", "series", "source", "mapping"}
STANDARD_SERIES = "vernetzungstreffen"
"""The series of the networking meetings: a new meeting joins it when its survey has the standard questionnaire's codes."""
LOCK_NAME = ".lock"
LOCK_TIMEOUT = 120.0  # seconds: a registry or snapshot write takes well under a second


@dataclass
class Meeting:
    """One meeting, as registered in meetings.yaml; `series` None means it belongs to no series."""

    id: str
    title: str = ""
    date: dt.date | None = None
    place: str = ""
    series: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    mapping: dict[str, Any] | None = None

    def to_yaml(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"title": self.title, "date": self.date, "place": self.place}
        if self.series:
            entry["series"] = self.series
        entry["source"] = self.source
        if self.mapping is not None:
            entry["mapping"] = self.mapping
        return entry


def check_meeting_id(meeting_id: str) -> str:
    """Meeting ids name folders, so they are lower-case letters, digits, . _ - and usable on Windows too."""
    text = meeting_id if isinstance(meeting_id, str) else ""
    reason = ""
    if not MEETING_ID.fullmatch(text):
        reason = "use lower-case letters, digits, '.', '_' or '-' (for example vt-2026-11)"
    elif text.split(".")[0] in WINDOWS_RESERVED:
        reason = f"{text.split('.')[0]!r} is a name Windows reserves for a device; choose another id (for example vt-2026-11)"
    elif text.endswith("."):
        reason = "it must not end in '.' (Windows drops it from folder names)"
    if reason:
        raise WorkspaceError(f"meeting id {meeting_id!r} is not valid: {reason}")
    return text


class _RegistryLoader(yaml.SafeLoader):
    """YAML as written, except that dates stay text: they are checked here, with a message naming the field."""


_RegistryLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_date(value: Any, where: str) -> dt.date | None:
    """A registry date: a real date, or text YYYY-MM-DD; anything else is one line naming `where`."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise WorkspaceError(f"{where} {value} has a time; write the date only, YYYY-MM-DD ({value.date()})")
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].*", text):
        raise WorkspaceError(f"{where} {text!r} has a time; write the date only, YYYY-MM-DD ({text[:10]})")
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise WorkspaceError(f"{where} {value!r} is not a date; write it as YYYY-MM-DD (for example 2026-11-10)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise WorkspaceError(f"{where} {text!r} is not a date in the calendar ({exc})") from None


def _text(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise WorkspaceError(f"{where}: {key} {value!r} must be text; put it in quotes ({key}: '{value}')")
    return value


def _mapping(entry: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, dict):
        raise WorkspaceError(f"{where}: {key} must be a mapping (key: value lines), not {value!r}")
    return value


def parse_registry(text: str, path: Path) -> dict[str, Meeting]:
    """The meetings of a registry's text; every problem is one WorkspaceError naming `path` and the field."""
    try:
        registry = yaml.load(text, Loader=_RegistryLoader)  # noqa: S506 - a SafeLoader without timestamps
    except yaml.YAMLError as exc:
        raise WorkspaceError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    if registry is None:
        return {}
    if not isinstance(registry, dict):
        raise WorkspaceError(f"{path}: must be a mapping with the key 'meetings' (meetings: {{id: entry}}), not a {type(registry).__name__}")
    entries = registry.get("meetings") or {}
    if not isinstance(entries, dict):
        raise WorkspaceError(f"{path}: 'meetings' must be a mapping of meeting id to entry, not a {type(entries).__name__}")
    meetings = {}
    for key, entry in entries.items():
        try:
            meeting_id = check_meeting_id(str(key))
        except WorkspaceError as exc:
            raise WorkspaceError(f"{path}: {exc}") from None
        where = f"{path}: meeting {meeting_id}"
        entry = {} if entry is None else entry
        if not isinstance(entry, dict):
            raise WorkspaceError(f"{where}: the entry must be a mapping (title:, date:, …), not {entry!r}")
        unknown = set(entry) - KNOWN_KEYS
        if unknown:
            raise WorkspaceError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (known: {', '.join(sorted(KNOWN_KEYS))})")
        meetings[meeting_id] = Meeting(
            id=meeting_id,
            title=_text(entry, "title", where) or "",
            date=parse_date(entry.get("date"), f"{where}: date"),
            place=_text(entry, "place", where) or "",
            series=_text(entry, "series", where) or None,
            source=_mapping(entry, "source", where) or {},
            mapping=_mapping(entry, "mapping", where),
        )
    return meetings


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
    def municipalities_path(self) -> Path:
        """The municipality names the office confirmed (optional; see integkit.ingest.municipalities)."""
        return self.surveys_dir / "municipalities.yaml"

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

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the workspace lock (re-entrant in one process): registry and snapshot writes happen under it.

        Another process waiting for it gets it as soon as this one is done; a failure to create
        the lock file (read-only or full disk) is one StorageError line.
        """
        from filelock import FileLock, Timeout

        path = self.surveys_dir / LOCK_NAME
        with storage_errors(path):
            self.surveys_dir.mkdir(parents=True, exist_ok=True)
            lock = FileLock(path, timeout=LOCK_TIMEOUT, is_singleton=True)
            try:
                lock.acquire()
            except Timeout:
                raise WorkspaceError(
                    f"{path}: another integkit command has held the workspace lock for {LOCK_TIMEOUT:g} s; "
                    "wait for it to finish and try again"
                ) from None
        try:
            yield
        finally:
            lock.release()

    # --- registry ---------------------------------------------------------------------
    def meetings(self) -> dict[str, Meeting]:
        """All registered meetings by id (empty if the registry does not exist yet)."""
        try:
            text = self.registry_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except UnicodeDecodeError as exc:
            raise WorkspaceError(f"{self.registry_path}: not UTF-8 text (byte offset {exc.start})") from None
        except OSError as exc:
            raise WorkspaceError(f"{self.registry_path}: cannot read the registry: {exc.strerror}") from None
        return parse_registry(text, self.registry_path)

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

    def update_meeting(self, meeting_id: str, change: Callable[[Meeting | None], Meeting | None]) -> Meeting | None:
        """Read, change and write one registry entry as one step under the workspace lock.

        `change` gets the entry as registered now (None if there is none) and returns the entry
        to write, or None to leave the registry as it is. Returns the entry registered afterwards.
        """
        check_meeting_id(meeting_id)
        with self.lock():
            meetings = self.meetings()
            changed = change(meetings.get(meeting_id))
            if changed is None:
                return meetings.get(meeting_id)
            meetings[check_meeting_id(changed.id)] = changed
            body = {"meetings": {m.id: m.to_yaml() for m in meetings.values()}}
            text = REGISTRY_HEADER + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)
            atomic_write(self.registry_path, text.encode("utf-8"))
            return changed

    def save_meeting(self, meeting: Meeting) -> None:
        """Add or replace one meeting in the registry (under the lock, written atomically)."""
        self.update_meeting(meeting.id, lambda _registered: meeting)

    def earlier_meetings(self, meeting_id: str) -> list[Meeting]:
        """Meetings of the same series dated before this one (by day, not by month), oldest first."""
        this = self.meeting(meeting_id)
        if this.date is None or not this.series:
            return []
        return sorted(
            (m for m in self.meetings().values() if m.series == this.series and m.date and m.date < this.date),
            key=lambda m: (m.date, m.id),
        )


def init_workspace(root: Path | str) -> Workspace:
    """Create a workspace: standard questionnaire, empty registry, .gitignore for secrets and reports."""
    ws = Workspace(root)
    with storage_errors(ws.root):
        ws.surveys_dir.mkdir(parents=True, exist_ok=True)
        ws.reports_dir.mkdir(parents=True, exist_ok=True)
        questionnaire = ws.surveys_dir / data.QUESTIONNAIRE_NAME
        if not questionnaire.exists():
            atomic_write(questionnaire, data.questionnaire_path().read_bytes())
    if not ws.registry_path.exists():
        atomic_write(ws.registry_path, (REGISTRY_HEADER + "meetings: {}\n").encode("utf-8"))
    gitignore = ws.root / ".gitignore"
    if not gitignore.exists():
        atomic_write(gitignore, b".env\nreports/\n")
    return ws
