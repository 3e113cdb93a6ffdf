"""Hostile input, timed: what the test suite checks for correctness only, measured here.

Prints the seconds each step takes (fastest of three runs, with every run), so that a slow
step shows as a figure instead of failing the suite on a busy machine:

1. redaction of a megabyte without spaces ("aaa…", "111…", "-.-.…"): linear time, a few
   seconds at most;
2. theme assignment of one 3,000-letter word, models loaded first (it once took minutes);
3. `integkit import` and `load_responses` of 5,000 synthetic responses (benchmarks/import_large.py
   measures 100,000).

    python benchmarks/hostile.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

MEGABYTE = 1_000_000
RUNS = 3


def timed(label: str, step: Callable[[], object]) -> None:
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    print(f"{label:<55} {min(seconds):7.2f} s   (runs: {runs})")


def main() -> None:
    import pandas as pd

    from import_large import synthetic_export
    from integkit.analysis.redaction import redact
    from integkit.ingest.store import import_file
    from integkit.responses import load_responses
    from integkit.themes.assign import assign_frame, matcher
    from integkit.themes.codebook import load_codebook
    from integkit.workspace import init_workspace

    for name, text in (("a", "a" * MEGABYTE), ("1", "1" * MEGABYTE), ("-.", "-." * (MEGABYTE // 2))):
        timed(f"redact 1 MB of {name!r}", lambda text=text: redact(text))

    book = load_codebook()
    matcher(book).warm()
    word = pd.DataFrame({"text": ["xyzsprachq" * 300]})
    timed("assign themes to one 3,000-letter word", lambda: assign_frame(word, "text", book))

    raw = synthetic_export(5_000)
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.csv"
        export.write_bytes(raw)

        def import_and_load() -> None:
            ws = init_workspace(Path(tempfile.mkdtemp(dir=tmp)) / "ws")
            import_file(ws, "vt-bench", export)
            load_responses(ws, "vt-bench")

        timed("import and load 5,000 responses", import_and_load)


if __name__ == "__main__":
    main()
