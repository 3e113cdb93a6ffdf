"""`reports/<meeting>/` shared by several processes: who may write, and what a killed run left behind.

Every process that writes into a meeting's report folder (a report's worker, the index) holds
a shared `flock` on the folder while it writes, in a temporary folder or file whose name starts
with a dot. A process killed with SIGKILL loses its lock with its life but leaves its
temporaries. The next batch takes the lock exclusively without waiting: if it gets it, nobody
is writing, so every temporary left there is stale and removed; if not, another batch is
running and its temporaries stay (a later run removes them).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

RENDER_SUFFIX = ".rendering"
# what integkit's writers leave while they write: a report's folder (.NAME-XXXXXXXX.rendering,
# and .NAME-XXXXXXXX from before that suffix), a file of io.atomic_paths (.NAME.XXXXXXXX.tmp)
TEMPORARY = re.compile(r"^\..+(?:\.rendering|-[a-z0-9_]{8}|\.tmp)$")


@contextmanager
def writing(out_dir: Path, exclusive: bool = False, wait: bool = True) -> Iterator[bool]:
    """Hold the folder's lock (shared, or exclusive) while the block writes into it; yields whether it was got.

    The folder is created if needed (an OSError then says why it cannot be).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def remove_stale_temporaries(out_dir: Path) -> list[Path]:
    """Remove what killed runs left in a report folder, unless a run is writing there now; returns what went."""
    if not out_dir.is_dir():
        return []
    removed = []
    try:
        with writing(out_dir, exclusive=True, wait=False) as alone:
            if not alone:
                return []
            for path in out_dir.iterdir():
                if not TEMPORARY.match(path.name):
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                if not path.exists():
                    removed.append(path)
    except OSError:  # a read-only or vanished folder: nothing to clean that could be cleaned
        return removed
    return removed
