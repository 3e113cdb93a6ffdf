"""Raw pulls and imports kept as immutable, checksummed, content-addressed folders.

A snapshot is a folder `<snapshots>/<id>/` holding the raw files exactly as received, a
`structure.json`, and `manifest.json` (source, time, row count, integkit version, sha256 of
every file). The id is derived from the files' content, so the same content is stored once;
a snapshot is written to a temporary folder and renamed into place, then never changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from integkit import __version__
from integkit.errors import SnapshotError

MANIFEST = "manifest.json"
ID_LENGTH = 16


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


@dataclass(frozen=True)
class Snapshot:
    """A stored snapshot: its folder and its manifest."""

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

    def verify(self) -> None:
        """Raise SnapshotError if any file is missing or differs from its recorded sha256."""
        for name, expected in self.files.items():
            target = self.path / name
            if not target.is_file():
                raise SnapshotError(f"snapshot {self.path}: file {name} is missing")
            if sha256_file(target) != expected:
                raise SnapshotError(
                    f"snapshot {self.path}: {name} does not match its sha256 in the manifest "
                    "(the file was changed or corrupted); restore it from a backup or import again"
                )

    def read(self, name: str) -> bytes:
        """The bytes of one stored file, checked against the manifest."""
        if name not in self.files:
            raise SnapshotError(f"snapshot {self.path}: has no file {name}")
        data = (self.path / name).read_bytes()
        if sha256_bytes(data) != self.files[name]:
            raise SnapshotError(
                f"snapshot {self.path}: {name} does not match its sha256 in the manifest "
                "(the file was changed or corrupted); restore it from a backup or import again"
            )
        return data

    def raw_name(self) -> str:
        """Name of the raw responses file (the one that is not the structure)."""
        return self.manifest["raw_file"]


def _load(folder: Path) -> Snapshot:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"snapshot {folder}: unreadable manifest ({exc})") from None
    return Snapshot(folder, manifest)


def list_snapshots(directory: Path) -> list[Snapshot]:
    """All snapshots in a folder, oldest first."""
    if not directory.is_dir():
        return []
    found = [_load(p) for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted(found, key=lambda s: (s.created_at, s.id))


def find_snapshot(directory: Path, ref: str | None = None) -> Snapshot:
    """The latest snapshot, or the one whose id starts with `ref`; verified before use."""
    snapshots = list_snapshots(directory)
    if not snapshots:
        raise SnapshotError(f"no snapshot in {directory}: import or pull the meeting's responses first")
    if ref in (None, "", "latest"):
        chosen = snapshots[-1]
    else:
        matches = [s for s in snapshots if s.id.startswith(ref) or s.sha256.startswith(ref)]
        if len(matches) != 1:
            known = ", ".join(s.id for s in snapshots)
            what = "no" if not matches else "more than one"
            raise SnapshotError(f"{what} snapshot matches {ref!r} in {directory} (known: {known})")
        chosen = matches[0]
    chosen.verify()
    return chosen


def write_snapshot(
    directory: Path, files: dict[str, bytes], raw_file: str, meta: dict[str, Any]
) -> tuple[Snapshot, bool]:
    """Store `files` as a new snapshot unless the same content is stored already.

    Returns the snapshot and whether it was newly written. Writing goes to a temporary folder
    next to the target and is renamed into place, so a crash never leaves a partial snapshot.
    """
    if raw_file not in files:
        raise ValueError(f"raw_file {raw_file!r} not among the files")
    checksums = {name: sha256_bytes(data) for name, data in files.items()}
    full = content_id(checksums)
    target = directory / full[:ID_LENGTH]
    if (target / MANIFEST).is_file():
        return _load(target), False

    manifest = {
        "snapshot_id": target.name,
        "sha256": full,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
        "integkit_version": __version__,
        "raw_file": raw_file,
        **meta,
        "files": checksums,
    }
    directory.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(directory)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory))
    try:
        os.chmod(tmp, 0o755)
        for name, data in {**files, MANIFEST: json.dumps(manifest, indent=1, ensure_ascii=False).encode()}.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp / name, 0o444)
        try:
            os.rename(tmp, target)
        except OSError:
            if (target / MANIFEST).is_file():  # written by a concurrent run with the same content
                return _load(target), False
            raise
        _fsync_dir(directory)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return _load(target), True


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
