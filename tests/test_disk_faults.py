"""A full disk and a read-only workspace during `integkit import`: one line naming the file, exit code 4,
and the workspace as it was (issue 14 point 9, import and registry part).

Where the machine allows it (root with mount namespaces, as on CI), the workspace lives on a real
tmpfs: a small one that fills up, or one remounted read-only, in a private mount namespace
(`unshare -m`) so that nothing is mounted outside the test. Otherwise those tests are skipped; the
tests that inject the failing write at the OS call (`os.write` raising ENOSPC, `os.open` EROFS) run
everywhere.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CSV_SHORT, JSON_SHORT, LSS_482931
from integkit.cli import app
from integkit.ingest.store import import_file

runner = CliRunner()

# Runs inside a private mount namespace: mount a tmpfs, copy the workspace onto it, fill or remount it,
# run `integkit import` there, and report its exit code, its output and the files before and after.
INSIDE = textwrap.dedent(
    """
    import hashlib, json, os, shutil, subprocess, sys
    mount_point, workspace, export, mode = sys.argv[1:5]
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount_point], check=True)
    root = os.path.join(mount_point, "ws")
    shutil.copytree(workspace, root)
    if mode == "full":
        with open(os.path.join(mount_point, "filler"), "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\\0" * 4096)
            except OSError:
                pass
        os.truncate(os.path.join(mount_point, "filler"), os.path.getsize(os.path.join(mount_point, "filler")) - 8192)
    else:
        subprocess.run(["mount", "-o", "remount,ro", mount_point], check=True)

    def state():
        out = {}
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                out[os.path.relpath(path, root)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
        return out

    before = state()
    done = subprocess.run([sys.executable, "-m", "integkit", "import", "vt-neu", export, "-w", root], capture_output=True, text=True)
    print(json.dumps({"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr, "before": before, "after": state(), "root": root}))
    """
)


@functools.lru_cache(maxsize=1)
def private_mounts() -> str:
    """'' if a tmpfs can be mounted in a private mount namespace here, else why not."""
    if not shutil.which("unshare") or not shutil.which("mount"):
        return "unshare or mount is not installed"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True, text=True)
    return "" if probe.returncode == 0 else f"no private tmpfs mount here ({probe.stderr.strip() or probe.returncode})"


def import_on_tmpfs(workspace, tmp_path: Path, mode: str) -> dict:
    if private_mounts():
        pytest.skip(private_mounts())
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    script = tmp_path / "inside.py"
    script.write_text(INSIDE, encoding="utf-8")
    done = subprocess.run(
        ["unshare", "-m", sys.executable, str(script), str(mount_point), str(workspace.root), str(CSV_SHORT), mode],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_full_disk_during_import_is_one_line_and_leaves_the_workspace_as_it_was(workspace, tmp_path):
    run = import_on_tmpfs(workspace, tmp_path, "full")
    lines = run["stderr"].strip().splitlines()
    assert run["code"] == 4, run
    assert len(lines) == 1 and lines[0].startswith(f"integkit: error: {run['root']}/surveys/vt-neu/snapshots"), lines
    assert "No space left on device" in lines[0] and "the disk is full; free some space and run the command again" in lines[0]
    assert without_lock(run["after"]) == run["before"]  # no snapshot, no temporary folder, the registry unchanged


def test_a_read_only_workspace_is_one_line_and_nothing_changes(workspace, tmp_path):
    run = import_on_tmpfs(workspace, tmp_path, "read-only")
    lines = run["stderr"].strip().splitlines()
    assert run["code"] == 4, run
    assert len(lines) == 1 and lines[0].startswith(f"integkit: error: {run['root']}/surveys/"), lines
    assert "Read-only file system" in lines[0] and "the file system is read-only" in lines[0]
    assert without_lock(run["after"]) == run["before"]


def without_lock(files: dict[str, str]) -> dict[str, str]:
    """The workspace's files but its lock file (empty; made by the first command that writes)."""
    return {name: digest for name, digest in files.items() if name != "surveys/.lock"}


# --- the failing write injected at the OS call ---------------------------------------------------------
def files_under(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def fail_writes(monkeypatch, *, after: int = 0, where: str = "", error: int = errno.ENOSPC) -> None:
    """Make os.write fail with `error` once `after` bytes went to files whose path contains `where`."""
    real_write = os.write
    written = {"bytes": 0}

    def write(fd: int, data) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if where in target and not target.startswith(("pipe:", "socket:", "/dev/")):
            if written["bytes"] + len(data) > after:
                raise OSError(error, os.strerror(error))
            written["bytes"] += len(data)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


def test_a_snapshot_write_failing_with_enospc_leaves_nothing(workspace, monkeypatch):
    import_file(workspace, "vt", CSV_SHORT, LSS_482931)
    before = files_under(workspace.root)
    fail_writes(monkeypatch, after=4096, where="/snapshots/")
    result = runner.invoke(app, ["import", "vt", str(JSON_SHORT), "--structure", str(LSS_482931), "-w", str(workspace.root)])
    monkeypatch.undo()
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 4 and len(lines) == 1, result.output
    assert lines[0].startswith(f"integkit: error: {workspace.snapshots_dir('vt')}: cannot write (No space left on device)")
    assert files_under(workspace.root) == before


def test_a_registry_write_failing_with_enospc_takes_the_new_snapshot_back(workspace, monkeypatch):
    before = files_under(workspace.root)
    fail_writes(monkeypatch, where=".meetings.yaml.")
    result = runner.invoke(app, ["import", "vt", str(CSV_SHORT), "--structure", str(LSS_482931), "-w", str(workspace.root)])
    monkeypatch.undo()
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 4 and len(lines) == 1, result.output
    assert lines[0].startswith(f"integkit: error: {workspace.registry_path}: cannot write (No space left on device); the disk is full")
    after = files_under(workspace.root)
    assert without_lock(after) == before  # no snapshot of an unregistered meeting
    assert not workspace.snapshots_dir("vt").exists() or not any(workspace.snapshots_dir("vt").iterdir())
    assert import_file(workspace, "vt", CSV_SHORT, LSS_482931).created  # and once there is space, it imports


def test_a_read_only_file_system_injected_at_open_is_one_line(workspace, monkeypatch):
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    before = files_under(workspace.root)
    monkeypatch.setattr(os, "open", read_only)
    result = runner.invoke(app, ["import", "vt", str(CSV_SHORT), "-w", str(workspace.root)])
    monkeypatch.undo()
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 4 and len(lines) == 1, result.output
    assert "cannot write (Read-only file system); the file system is read-only" in lines[0]
    assert without_lock(files_under(workspace.root)) == before
