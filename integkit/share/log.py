"""The send log `reports/<meeting>/share/sent.jsonl`: one line per delivered recipient.

Each line holds the time, the recipient group and address, the attached files with their
sha256, and the message id. A line is added only after the server accepted the message for
that address, and the file is replaced atomically with every message, so a killed run leaves a
whole log: the next `--send` sends exactly what it does not list. One `--send` per meeting runs
at a time (a lock file beside the log).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from integkit.errors import InputError, MailError
from integkit.io import atomic_write
from integkit.workspace import Workspace

SHARE_DIR = "share"
LOG_FILE = "sent.jsonl"
LOCK_FILE = ".send.lock"


def share_dir(workspace: Workspace, meeting_id: str) -> Path:
    """`reports/<meeting>/share/`: the drafts (by default) and the send log."""
    return workspace.report_dir(meeting_id) / SHARE_DIR


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_log(path: Path) -> list[dict[str, Any]]:
    """The entries of a send log (none if there is no log yet); a damaged line is named."""
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict) or not {"group", "recipient"} <= set(entry):
            raise InputError(f"{path}: line {number} is not a send-log entry; fix or remove the line")
        entries.append(entry)
    return entries


def entry(group: str, recipient: str, files: Iterable[Path], message_id: str) -> dict[str, Any]:
    """One log line: time, group, recipient address, files and their sha256, message id."""
    files = list(files)
    return {
        "time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "group": group,
        "recipient": recipient,
        "files": [p.name for p in files],
        "sha256": [sha256(p) for p in files],
        "message_id": message_id,
    }


def append_entries(path: Path, entries: list[dict[str, Any]]) -> None:
    """Add lines to the log: the whole file is written anew and renamed into place."""
    old = path.read_bytes() if path.is_file() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    new = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode("utf-8")
    atomic_write(path, old + new)


def delivered(entries: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest log entry per (group, address in lower case)."""
    return {(e["group"], str(e["recipient"]).lower()): e for e in entries}


@contextmanager
def send_lock(directory: Path, meeting_id: str) -> Iterator[None]:
    """Hold the meeting's send lock, or fail at once if another `--send` holds it."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MailError(f"another `integkit share {meeting_id} --send` is running; wait for it to finish") from None
        yield
    finally:
        os.close(fd)
