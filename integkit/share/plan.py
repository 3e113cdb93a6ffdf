"""Which report files go to which recipient group, each file checked against its recipient.

The reports a meeting has are listed in `reports/<meeting>/reports.json` (written by the
renderer). A municipality report goes to that municipality's addresses, the meeting report to
the `meeting_report` addresses. Before anything is written or sent, every attachment's own
provenance (`integkit.share.provenance`) must name this meeting, the right kind of report and
the recipient's municipality; one mismatch stops the whole run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path
from typing import Any, Iterable

from integkit.errors import AttachmentMismatchError, InputError
from integkit.share.provenance import read_provenance
from integkit.share.recipients import MEETING_GROUP, Recipients
from integkit.workspace import Workspace

# The renderer's record of a meeting's reports (integkit.report.index.INDEX_DATA; named here so
# that sharing does not import the rendering stack, a test keeps the two equal).
INDEX_DATA = "reports.json"
ATTACHED = (".html", ".pdf")
PREFERRED_LANGUAGE = "de"


@dataclass(frozen=True)
class Delivery:
    """One recipient group of a meeting and the report files it gets."""

    group: str  # "meeting_report" or the municipality's name
    kind: str  # "meeting" or "municipality"
    recipients: tuple[Address, ...]
    report: str = ""  # the report's name in reports.json ("" if the group has no report)
    attachments: tuple[Path, ...] = ()

    @property
    def municipality(self) -> str:
        return "" if self.kind == "meeting" else self.group


def read_index(workspace: Workspace, meeting_id: str) -> dict[str, dict[str, Any]]:
    """The meeting's rendered reports by name (title, kind, files), as reports.json lists them."""
    path = workspace.report_dir(meeting_id) / INDEX_DATA
    if not path.is_file():
        raise InputError(
            f"{path}: no reports rendered for {meeting_id} yet; run `integkit report {meeting_id} --all --format html,pdf` first"
        )
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(entries, dict):
        raise InputError(f"{path}: expected an object of report names")
    return entries


def _claimed_municipality(entry: dict[str, Any]) -> str:
    """The municipality the index names for a municipality report (its title ends in ': <name>')."""
    return str(entry.get("title", "")).rpartition(": ")[2]


def _files(out_dir: Path, name: str, entry: dict[str, Any]) -> tuple[Path, ...]:
    files = tuple(out_dir / f for f in entry.get("files", []) if Path(f).suffix.lower() in ATTACHED)
    missing = [p for p in files if not p.is_file()]
    if missing:
        raise InputError(f"{missing[0]}: listed for report {name} in {INDEX_DATA} but missing; render the reports again")
    return files


def _pick(out_dir: Path, candidates: list[tuple[str, dict[str, Any]]]) -> tuple[str, tuple[Path, ...]]:
    """Of several renderings of one report (German and English), the German one."""
    rendered = [(name, _files(out_dir, name, entry)) for name, entry in candidates]
    rendered = [(name, files) for name, files in rendered if files]
    if not rendered:
        return "", ()
    for name, files in rendered:
        if read_provenance(files[0]).get("language") == PREFERRED_LANGUAGE:
            return name, files
    return rendered[0]


def mismatch(path: Path, meeting_id: str, kind: str, municipality: str) -> str | None:
    """Why `path` must not go to this recipient, or None if its provenance matches."""
    found = read_provenance(path)
    if not found.get("kind") or not found.get("meeting"):
        return f"{path} carries no integkit provenance (integkit-* meta data); render the reports again"
    if found["meeting"] != meeting_id:
        return f"{path} is a report of meeting {found['meeting']!r} (by its provenance), not of {meeting_id!r}"
    if found["kind"] != kind:
        return f"{path} is a {found['kind']} report (by its provenance), not the {kind} report"
    if found.get("municipality", "") != municipality:
        owner = found.get("municipality") or "the whole meeting"
        return f"{path} is the report of {owner} (by its provenance), not of {municipality or 'the whole meeting'}"
    return None


def check_attachments(deliveries: Iterable[Delivery], meeting_id: str) -> None:
    """Refuse the whole run if any attachment's provenance does not match its recipient group."""
    problems = []
    for d in deliveries:
        problems += [p for p in (mismatch(path, meeting_id, d.kind, d.municipality) for path in d.attachments) if p]
        snapshots = {read_provenance(path).get("snapshot") for path in d.attachments}
        if len(snapshots) > 1:
            problems.append(f"the files for {d.group} come from different snapshots ({', '.join(sorted(map(str, snapshots)))}); render them again")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise AttachmentMismatchError(f"{problems[0]}{more}; nothing was written or sent")


def plan_deliveries(
    workspace: Workspace, meeting_id: str, recipients: Recipients, only: Iterable[str] | None = None
) -> list[Delivery]:
    """Every selected recipient group with its report files, all checked; `only` names groups to restrict to."""
    workspace.meeting(meeting_id)
    out_dir = workspace.report_dir(meeting_id)
    entries = read_index(workspace, meeting_id)
    meeting_reports = [(n, e) for n, e in entries.items() if e.get("kind") == "meeting"]
    by_municipality: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, entry in entries.items():
        if entry.get("kind") == "municipality":
            by_municipality.setdefault(_claimed_municipality(entry), []).append((name, entry))
    groups = recipients.groups()
    chosen = list(dict.fromkeys(only or ()))
    unknown = [g for g in chosen if g not in groups]
    if unknown:
        raise InputError(
            f"--only {unknown[0]}: not a recipient group in {recipients.path} (groups: {', '.join(groups) or 'none'})"
        )
    if not chosen:
        unlisted = sorted(set(by_municipality) - set(recipients.municipalities), key=str.lower)
        if unlisted:
            raise InputError(
                f"{recipients.path}: no recipient for {', '.join(unlisted)}, which {'has a report' if len(unlisted) == 1 else 'have reports'} "
                f"in {out_dir}; add {'it' if len(unlisted) == 1 else 'them'} under municipalities"
            )
        if meeting_reports and not recipients.meeting_report:
            raise InputError(f"{recipients.path}: {MEETING_GROUP}: no address for the meeting report of {meeting_id}")
        chosen = list(groups)
    deliveries = []
    for group in chosen:
        kind = "meeting" if group == MEETING_GROUP else "municipality"
        report, files = _pick(out_dir, meeting_reports if kind == "meeting" else by_municipality.get(group, []))
        deliveries.append(Delivery(group, kind, groups[group], report, files))
    check_current(workspace, meeting_id, entries, deliveries)
    check_attachments(deliveries, meeting_id)
    return deliveries


def check_current(workspace: Workspace, meeting_id: str, entries: dict[str, dict[str, Any]], deliveries: list[Delivery]) -> None:
    """Refuse reports made from another state (snapshot, codebook, codings) than the workspace's now:
    a municipality would get figures the office has since corrected."""
    from integkit.report.state import resolve_state

    current = resolve_state(workspace, meeting_id).digest
    stale = [d.report for d in deliveries if d.report and entries[d.report].get("state") != current]
    if stale:
        shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
        raise InputError(
            f"{workspace.report_dir(meeting_id) / INDEX_DATA}: {shown} rest on an older state of the data, codings or "
            f"codebook; render them again (integkit report {meeting_id} --all) before sharing"
        )
