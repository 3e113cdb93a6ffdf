"""What a meeting's reports are made from, resolved once per batch: one batch, one state.

A report reads the meeting's snapshot, the codebook (`surveys/codebook.yaml` or the built-in
one), the facilitator's codings (`surveys/<meeting>/coding.csv`), for the trend the latest
snapshot and codings of each earlier meeting of the series, and what every other meeting's
codings teach the theme engine (integkit.themes.learn). `resolve_state` pins all of them
when a batch is planned (the snapshot by id, the files by sha256); each report checks after it
ran that nothing changed meanwhile, and the index compares each listed report's state with the
newest, so that reports made from different states never stand side by side unmarked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from integkit.workspace import Workspace


def file_sha256(path: Path) -> str:
    """sha256 of a file, or "" if there is none."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


@dataclass(frozen=True)
class ReportState:
    """The inputs of a meeting's reports: snapshot id, codebook, codings, earlier meetings, integkit version."""

    meeting_id: str
    snapshot: str
    snapshot_sha256: str
    codebook_version: str
    codebook_sha256: str
    codings_sha256: str
    history: tuple[tuple[str, str, str], ...]  # (meeting id, snapshot id, codings sha256), oldest first
    teaching: tuple[tuple[str, str, str], ...]  # the same for every other meeting with codings (what is learnt)
    integkit_version: str

    @property
    def digest(self) -> str:
        """A short fingerprint of the whole state (equal states, equal digests)."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode("utf-8")).hexdigest()[:16]

    def changes_from(self, other: "ReportState") -> list[str]:
        """What differs from `other`, in a user's words (empty if nothing does)."""
        changes = []
        if (self.snapshot, self.snapshot_sha256) != (other.snapshot, other.snapshot_sha256):
            changes.append(f"the snapshot ({other.snapshot} → {self.snapshot})")
        if (self.codebook_version, self.codebook_sha256) != (other.codebook_version, other.codebook_sha256):
            changes.append(f"the codebook (version {other.codebook_version} → {self.codebook_version})")
        if self.codings_sha256 != other.codings_sha256:
            changes.append(f"the codings (surveys/{self.meeting_id}/coding.csv)")
        if self.history != other.history:
            changes.append("an earlier meeting's data or codings")
        if self.teaching != other.teaching:
            changes.append("another meeting's codings (what the theme engine learns from)")
        if self.integkit_version != other.integkit_version:
            changes.append(f"integkit ({other.integkit_version} → {self.integkit_version})")
        return changes


def resolve_state(workspace: Workspace, meeting_id: str, snapshot: str | None = None) -> ReportState:
    """The state a report of `meeting_id` made now would show (snapshot: an id prefix, or the latest).

    The meeting's snapshot is verified against its checksums (SnapshotError, exit code 3).
    """
    from integkit import __version__
    from integkit.ingest.snapshot import find_snapshot, list_snapshots
    from integkit.themes.codebook import load_codebook, resolve_codebook_path
    from integkit.themes.coding import corrections_path

    snap = find_snapshot(workspace.snapshots_dir(meeting_id), snapshot)
    codebook_file = resolve_codebook_path(workspace=workspace.root)
    def latest(other: str) -> tuple[str, str, str] | None:
        snapshots = list_snapshots(workspace.snapshots_dir(other))
        return (other, snapshots[-1].id, file_sha256(corrections_path(workspace, other))) if snapshots else None

    history = [entry for earlier in workspace.earlier_meetings(meeting_id) if (entry := latest(earlier.id))]
    teaching = [
        entry for other in workspace.meetings()
        if other != meeting_id and corrections_path(workspace, other).is_file() and (entry := latest(other))
    ]
    return ReportState(
        meeting_id=meeting_id,
        snapshot=snap.id,
        snapshot_sha256=snap.sha256,
        codebook_version=load_codebook(workspace=workspace.root).version,
        codebook_sha256=file_sha256(codebook_file),
        codings_sha256=file_sha256(corrections_path(workspace, meeting_id)),
        history=tuple(history),
        teaching=tuple(teaching),
        integkit_version=__version__,
    )
