"""The distribution list `surveys/recipients.yaml`: who gets the meeting report, who each municipality's.

::

    meeting_report:                 # addresses that get the report of the whole meeting
      - integration@lra-freising.example
    municipalities:                 # each municipality gets its own report only
      Freising:
        - rathaus@freising.example
        - "Integrationsbeauftragte <integration@freising.example>"
      Eching: buergerbuero@eching.example
    signature: |                    # optional: the end of every e-mail
      Mit freundlichen Grüßen
      Landratsamt Freising

Municipalities are named as the reports name them (the respondents' `municipality`). Loading
checks every entry and refuses the file with one line naming the entry: an unknown key or
municipality, an empty or malformed address. Whether every report has a recipient is checked
when a meeting is planned (`integkit.share.plan`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import getaddresses
from pathlib import Path
from typing import Any, Iterable

import yaml

from integkit.errors import InputError
from integkit.workspace import Workspace

RECIPIENTS_FILE = "recipients.yaml"
MEETING_GROUP = "meeting_report"
KEYS = {MEETING_GROUP, "municipalities", "signature"}


@dataclass(frozen=True)
class Recipients:
    """The validated distribution list: addresses per group (the meeting report, each municipality)."""

    path: Path
    meeting_report: tuple[Address, ...] = ()
    municipalities: dict[str, tuple[Address, ...]] = field(default_factory=dict)
    signature: str = ""

    def groups(self) -> dict[str, tuple[Address, ...]]:
        """Every recipient group by name: `meeting_report` (if it has addresses), then the municipalities."""
        groups = {MEETING_GROUP: self.meeting_report} if self.meeting_report else {}
        groups.update(self.municipalities)
        return groups


def recipients_path(workspace: Workspace) -> Path:
    return workspace.surveys_dir / RECIPIENTS_FILE


def parse_address(value: Any, where: str) -> Address:
    """One entry ("name@example.org" or "Name <name@example.org>") as an Address, or one line saying what is wrong."""
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: {value!r} is not an e-mail address")
    parsed = getaddresses([value.strip()])
    if len(parsed) != 1 or not parsed[0][1]:
        raise InputError(f"{where}: {value!r} is not one e-mail address (write one address per entry)")
    name, addr = parsed[0]
    try:
        checked = validate_email(addr, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InputError(f"{where}: {value!r} is not a valid e-mail address: {exc}") from None
    return Address(display_name=name, addr_spec=checked.normalized)


def _addresses(value: Any, where: str) -> tuple[Address, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise InputError(f"{where}: give one address or a list of addresses")
    found = tuple(parse_address(item, where) for item in items)
    return tuple({a.addr_spec.lower(): a for a in found}.values())  # an address twice gets one copy


def known_municipalities(workspace: Workspace) -> set[str]:
    """The municipality names the reports use: the questionnaire's list and every registered meeting's respondents."""
    from integkit.ingest.snapshot import list_snapshots
    from integkit.ingest.structure import read_lss
    from integkit.responses import DEFAULT_MAPPING, UNKNOWN_MUNICIPALITY, load_responses

    question = read_lss(workspace.questionnaire_path).question(DEFAULT_MAPPING["municipality"])
    names = set(question.answers.values()) if question else set()
    for meeting_id in workspace.meetings():
        if list_snapshots(workspace.snapshots_dir(meeting_id)):
            names.update(load_responses(workspace, meeting_id).respondents["municipality"])
    return names - {UNKNOWN_MUNICIPALITY}


def _check_known(names: Iterable[str], known: set[str], where: str) -> None:
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"{where}: {name!r} is not a municipality the reports know{hint}")


def load_recipients(workspace: Workspace, known: set[str] | None = None) -> Recipients:
    """Read and validate the workspace's `surveys/recipients.yaml` (see the module docstring)."""
    path = recipients_path(workspace)
    if not path.is_file():
        raise InputError(f"{path}: no such file; list who gets which report there (see README, 'Sharing the reports')")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte offset {exc.start}); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise InputError(f"{path}: not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected the keys {', '.join(sorted(KEYS))}")
    unknown = set(map(str, data)) - KEYS
    if unknown:
        raise InputError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; expected {', '.join(sorted(KEYS))}")
    meeting = _addresses(data[MEETING_GROUP], f"{path}: {MEETING_GROUP}") if data.get(MEETING_GROUP) is not None else ()
    entries = data.get("municipalities") or {}
    if not isinstance(entries, dict):
        raise InputError(f"{path}: municipalities: expected a mapping of municipality name to addresses")
    municipalities = {str(name): _addresses(value, f"{path}: municipalities: {name}") for name, value in entries.items()}
    _check_known(municipalities, known_municipalities(workspace) if known is None else known, f"{path}: municipalities")
    signature = data.get("signature") or ""
    if not isinstance(signature, str):
        raise InputError(f"{path}: signature: expected text")
    return Recipients(path, meeting, municipalities, signature.strip())
