"""Run a snippet of Python against integkit as it was at a git revision: the "before" of a benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_at(rev: str, code: str, payload: object) -> object:
    """``code`` run in a fresh interpreter over a `git archive` of ``rev``'s integkit, reading
    ``payload`` as JSON from stdin; what it prints as JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "integkit"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        proc = subprocess.run(
            [sys.executable, "-c", code], input=json.dumps(payload), capture_output=True, text=True, check=True,
            env={"PYTHONPATH": tmp, "PATH": "/usr/bin:/bin"}, cwd=tmp,
        )
    return json.loads(proc.stdout)
