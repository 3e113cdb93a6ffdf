"""Raw pulls and imports kept as immutable, checksummed snapshot folders.

A snapshot is a folder `<snapshots>/<id>/` holding the raw files exactly as received, a
`structure.json`, and `manifest.json`: source, time, row count, integkit version, the sha256 of
every file (`files`), the content hash over all of them (`sha256`) and the snapshot it follows
(`previous`). The folder's name, the snapshot id, is the sha256 of the manifest itself, so no
field of it (`created_at`, `row_count` …) and no file can change unnoticed: `verify` checks both.

A snapshot is written to a temporary folder and renamed into place, then never changed. The
same content as the latest snapshot is stored once; the content of an older snapshot arriving
again (a `pull --full` after a response was deleted) becomes a new, latest snapshot. A damaged
folder (a file that fails its checksum, a missing or edited manifest) is repaired when the same
content is stored again, and otherwise never hides the other snapshots: `scan_snapshots` lists
it apart. Writes happen under the caller's workspace lock (see integkit.ingest.store).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from integkit import __version__
from integkit.errors import SnapshotError
from integkit.io import storage_errors, write_durably

MANIFEST = "manifest.json"
ID_LENGTH = 16
SCHEME = 2  # 2: the id is the manifest's own hash; without "scheme": the id is the content hash (integkit 0.1)
READ_ONLY = 0o444
REPAIR_HINT = "import the file again to repair it, or restore the folder from a backup"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_id(checksums: dict[str, str]) -> str:
    """The snapshot's full content hash: sha256 over its files' names and hashes."""
    listing = "".join(f"{name}\0{checksums[name]}\n" for name in sorted(checksums))
    return sha256_bytes(listing.encode("utf-8"))


def manifest_id(manifest: dict[str, Any]) -> str:
    """The snapshot id of a manifest: the sha256 of every field of it but the id itself."""
    body = {key: value for key, value in manifest.items() if key != "snapshot_id"}
    return sha256_bytes(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))[:ID_LENGTH]


@dataclass(frozen=True)
class Snapshot:
    """A stored snapshot: its folder and its (checked) manifest."""

    path: Path
    manifest: dict[str, Any]

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def sha256(self) -> str:
        return self.manifest["sha256"]

    @property
    def created_at(self) -> str:
        return self.manifest["created_at"]

    @property
    def files(self) -> dict[str, str]:
        return self.manifest["files"]

    @property
    def previous(self) -> str | None:
        return self.manifest.get("previous")

    def damage(self) -> str | None:
        """What is wrong with the stored files (a missing or changed file), or None if all match."""
        for name, expected in self.files.items():
            target = self.path / name
            if not target.is_file():
                return f"file {name} is missing"
            if sha256_file(target) != expected:
                return f"{name} does not match its sha256 in the manifest (the file was changed or corrupted)"
        return None

    def verify(self) -> None:
        """Raise SnapshotError if any file is missing or differs from its recorded sha256."""
        problem = self.damage()
        if problem:
            raise SnapshotError(f"snapshot {self.path}: {problem}; {REPAIR_HINT}")

    def read(self, name: str) -> bytes:
        """The bytes of one stored file, checked against the manifest."""
        if name not in self.files:
            raise SnapshotError(f"snapshot {self.path}: has no file {name}")
        try:
            data = (self.path / name).read_bytes()
        except OSError as exc:
            raise SnapshotError(f"snapshot {self.path}: cannot read {name} ({exc.strerror}); {REPAIR_HINT}") from None
        if sha256_bytes(data) != self.files[name]:
            raise SnapshotError(
                f"snapshot {self.path}: {name} does not match its sha256 in the manifest "
                f"(the file was changed or corrupted); {REPAIR_HINT}"
            )
        return data

    def raw_name(self) -> str:
        """Name of the raw responses file (the one that is not the structure)."""
        return self.manifest["raw_file"]


@dataclass(frozen=True)
class DamagedFolder:
    """A folder among the snapshots whose manifest is missing, unreadable or was changed."""

    path: Path
    reason: str

    @property
    def message(self) -> str:
        return f"snapshot folder {self.path}: {self.reason}; {REPAIR_HINT}"


@dataclass(frozen=True)
class Stored:
    """What `write_snapshot` did: the snapshot holding the content, whether it is new, what it repaired."""

    snapshot: Snapshot
    created: bool
    notes: tuple[str, ...] = field(default=())


def _checked_manifest(folder: Path) -> tuple[dict[str, Any] | None, str]:
    """The folder's manifest if it is intact, else None and what is wrong with it."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"{MANIFEST} is missing"
    except (OSError, ValueError) as exc:
        return None, f"unreadable {MANIFEST} ({exc})"
    required = ("sha256", "created_at", "files", "raw_file")
    if not isinstance(manifest, dict) or any(key not in manifest for key in required) or not isinstance(manifest["files"], dict):
        return None, f"{MANIFEST} lacks one of {', '.join(required)}"
    if manifest.get("scheme") == SCHEME:
        intact = manifest_id(manifest) == folder.name == manifest.get("snapshot_id")
    else:  # integkit 0.1: the id was the content hash; its other fields carry no checksum
        intact = content_id(manifest["files"]) == manifest["sha256"] and manifest["sha256"][:ID_LENGTH] == folder.name
    if not intact:
        return None, f"{MANIFEST} was changed after it was written (it no longer matches the folder's name)"
    return manifest, ""


def load_snapshot(folder: Path) -> Snapshot:
    """The snapshot in `folder`, its manifest checked against the folder's name (SnapshotError if damaged)."""
    manifest, reason = _checked_manifest(folder)
    if manifest is None:
        raise SnapshotError(DamagedFolder(folder, reason).message)
    return Snapshot(folder, manifest)


def scan_snapshots(directory: Path) -> tuple[list[Snapshot], list[DamagedFolder]]:
    """The snapshots in a folder, oldest first, and the damaged folders beside them (hidden folders are skipped)."""
    if not directory.is_dir():
        return [], []
    found, damaged = [], []
    for folder in sorted(directory.iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        manifest, reason = _checked_manifest(folder)
        if manifest is None:
            damaged.append(DamagedFolder(folder, reason))
        else:
            found.append(Snapshot(folder, manifest))
    return sorted(found, key=lambda s: (s.created_at, s.id)), damaged


def _may_be_latest(damaged: DamagedFolder, snapshots: list[Snapshot]) -> bool:
    """Whether a damaged folder might be newer than every readable snapshot.

    A snapshot names the one it follows (`previous`), so one that is followed is older; else its
    files' modification time (they are written once) is compared with the latest's creation.
    """
    if not snapshots:
        return True
    if damaged.path.name in {s.previous for s in snapshots}:
        return False
    try:
        written = min(p.stat().st_mtime for p in damaged.path.iterdir() if p.is_file())
    except (OSError, ValueError):
        return True
    return written >= datetime.fromisoformat(snapshots[-1].created_at).timestamp()


def list_snapshots(directory: Path) -> list[Snapshot]:
    """All readable snapshots in a folder, oldest first (damaged folders are left out; see scan_snapshots)."""
    return scan_snapshots(directory)[0]


def find_snapshot(directory: Path, ref: str | None = None) -> Snapshot:
    """The latest snapshot, or the one whose id (else content sha256) starts with `ref`; verified before use.

    A damaged folder is refused by name when it is asked for, or when it may be the latest (no
    readable snapshot follows it); otherwise it does not stand in the way of the others.
    """
    snapshots, damaged = scan_snapshots(directory)
    if ref in (None, "", "latest"):
        newest = [d for d in damaged if _may_be_latest(d, snapshots)]
        if newest:
            raise SnapshotError(f"{newest[0].message} (it may be the latest; name another one with --snapshot)")
        if not snapshots:
            raise SnapshotError(f"no snapshot in {directory}: import or pull the meeting's responses first")
        chosen = snapshots[-1]
    else:
        broken = [d for d in damaged if d.path.name.startswith(ref)]
        if broken:
            raise SnapshotError(broken[0].message)
        matches = [s for s in snapshots if s.id.startswith(ref)] or [s for s in snapshots if s.sha256.startswith(ref)][-1:]
        if len(matches) != 1:
            known = ", ".join(s.id for s in snapshots) or "none"
            what = "no" if not matches else "more than one"
            raise SnapshotError(f"{what} snapshot matches {ref!r} in {directory} (known: {known})")
        chosen = matches[0]
    chosen.verify()
    return chosen


def write_snapshot(directory: Path, files: dict[str, bytes], raw_file: str, meta: dict[str, Any]) -> Stored:
    """Store `files` as the meeting's latest snapshot unless the latest holds this content already.

    Damaged snapshots holding the same content are repaired first. Writing goes to a temporary
    folder next to the target and is renamed into place, so a crash never leaves a partial
    snapshot; a full or read-only disk is one StorageError line. Call it under the workspace lock.
    """
    if raw_file not in files:
        raise ValueError(f"raw_file {raw_file!r} not among the files")
    checksums = {name: sha256_bytes(data) for name, data in files.items()}
    with storage_errors(directory):
        directory.mkdir(parents=True, exist_ok=True)
        snapshots, damaged = scan_snapshots(directory)
        notes = [_repair(s, files) for s in snapshots if s.files == checksums and s.damage()]
        notes += [_set_aside(d) for d in damaged if _holds(d.path, checksums)]
        latest = snapshots[-1] if snapshots else None
        if latest is not None and latest.files == checksums:
            return Stored(latest, False, tuple(notes))
        stored = _write_new(directory, files, raw_file, meta, checksums, latest)
    return Stored(stored, True, tuple(notes))


def _write_new(
    directory: Path, files: dict[str, bytes], raw_file: str, meta: dict[str, Any], checksums: dict[str, str], latest: Snapshot | None
) -> Snapshot:
    now = datetime.now(timezone.utc)
    if latest is not None:  # the newest snapshot is the latest, also when the clock went back
        now = max(now, datetime.fromisoformat(latest.created_at) + timedelta(microseconds=1))
    manifest: dict[str, Any] = {
        "scheme": SCHEME,
        "sha256": content_id(checksums),
        "created_at": now.isoformat(timespec="microseconds"),
        "integkit_version": __version__,
        "previous": latest.id if latest else None,
        "raw_file": raw_file,
        **meta,
        "files": checksums,
    }
    manifest = {"snapshot_id": manifest_id(manifest), **manifest}
    target = directory / manifest["snapshot_id"]
    _remove_stale_temporaries(directory)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory))
    try:
        os.chmod(tmp, 0o755)
        for name, data in {**files, MANIFEST: json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8")}.items():
            write_durably(tmp / name, data, READ_ONLY)
        os.rename(tmp, target)
        _fsync_dir(directory)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return load_snapshot(target)


def _repair(snapshot: Snapshot, files: dict[str, bytes]) -> str:
    """Put back the files of a snapshot that fail their checksum (the new bytes match the recorded sha256)."""
    restored = []
    for name, expected in snapshot.files.items():
        target = snapshot.path / name
        if target.is_file() and sha256_file(target) == expected:
            continue
        tmp = snapshot.path / f".{name}.repair"
        tmp.unlink(missing_ok=True)
        write_durably(tmp, files[name], READ_ONLY)
        os.replace(tmp, target)
        restored.append(name)
    _fsync_dir(snapshot.path)
    return f"repaired snapshot {snapshot.id}: restored {', '.join(restored)} from the file given"


def _holds(folder: Path, checksums: dict[str, str]) -> bool:
    """Whether a damaged folder holds exactly these files (its manifest aside)."""
    try:
        present = {p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST}
        return present == set(checksums) and all(sha256_file(folder / name) == checksums[name] for name in checksums)
    except OSError:
        return False


def _set_aside(damaged: DamagedFolder) -> str:
    """Move a damaged folder holding the content being stored out of the way (kept, hidden, never listed)."""
    aside = damaged.path.with_name(f".damaged-{damaged.path.name}-{time.strftime('%Y%m%dT%H%M%S')}")
    os.rename(damaged.path, aside)
    return f"replaced the damaged snapshot folder {damaged.path.name} ({damaged.reason}); it is kept as {aside.name}"


STALE_AFTER = 3600  # seconds: a temporary folder this old belongs to a run that was killed


def _remove_stale_temporaries(directory: Path) -> None:
    """Remove temporary folders that a killed run left behind (never a snapshot: they have no id)."""
    now = time.time()
    for leftover in directory.glob(".tmp-*"):
        try:
            if leftover.is_dir() and now - leftover.stat().st_mtime > STALE_AFTER:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
