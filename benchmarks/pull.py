"""Benchmark `integkit pull`: 10,000 synthetic responses from a local fake LimeSurvey, pages of 500.

The fake server (tests/limesurvey_server.py) runs in a child process so that the figures are
the client's own: wall time of the pull (RemoteControl calls through citric, merging, the tidy
model, the snapshot write), then peak Python memory (tracemalloc, in a second run) and the
process's peak RSS.

    .venv/bin/python benchmarks/pull.py [--responses 10000] [--page-size 500]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from integkit.ingest.credentials import Connection  # noqa: E402
from integkit.ingest.limesurvey import Transport, pull  # noqa: E402
from integkit.workspace import init_workspace  # noqa: E402
from limesurvey_server import FakeLimeSurvey, recorded_responses  # noqa: E402

PASSWORD = "benchmark-password"


def synthetic(count: int) -> list[dict]:
    """`count` responses made by cycling through the 31 recorded ones and varying ids, dates and texts."""
    recorded = recorded_responses()
    rows = []
    for i in range(1, count + 1):
        row = dict(recorded[(i - 1) % len(recorded)])
        row["id"], row["token"] = i, ""
        day = 1 + (i % 28)
        if row["submitdate"]:
            row["submitdate"] = row["datestamp"] = f"2026-11-{day:02d} {i % 24:02d}:{i % 60:02d}:00"
        for code in ("GELINGT", "AUSBAU", "UNTERSTUETZUNG"):
            if row[code]:
                row[code] = f"{row[code]} (Rückmeldung {i})"
        rows.append(row)
    return rows


def serve(count: int, ready: mp.Queue, stop: mp.Event) -> None:
    server = FakeLimeSurvey(password=PASSWORD)
    server.responses = synthetic(count)
    server.start()
    ready.put(server.url)
    stop.wait()
    server.stop()


def timed_pull(url: str, page_size: int, trace: bool) -> tuple[float, int, int, int]:
    workspace = init_workspace(Path(tempfile.mkdtemp(prefix="integkit-bench-")) / "ws")
    connection = Connection(url, "admin", PASSWORD)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = pull(workspace, "bench", connection, survey_id=482931, page_size=page_size, transport=Transport(timeout=120))
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    size = (result.snapshot.path / "responses.json").stat().st_size
    return elapsed, peak, size, len(result.ingest.responses.respondents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=500)
    args = parser.parse_args()

    ready, stop = mp.Queue(), mp.Event()
    child = mp.Process(target=serve, args=(args.responses, ready, stop), daemon=True)
    child.start()
    url = ready.get(timeout=60)
    try:
        elapsed, _, size, rows = timed_pull(url, args.page_size, trace=False)
        traced_elapsed, peak, _, _ = timed_pull(url, args.page_size, trace=True)
    finally:
        stop.set()
        child.join(timeout=10)
    pages = -(-args.responses // args.page_size)
    print(f"pulled {rows} responses in {pages} pages of {args.page_size} (+1 id-list call, structure calls)")
    print(f"wall time:          {elapsed:.2f} s  ({rows / elapsed:,.0f} responses/s)")
    print(f"responses.json:     {size / 1e6:.1f} MB")
    print(f"peak Python memory: {peak / 1e6:.1f} MB  (tracemalloc; that run took {traced_elapsed:.2f} s)")
    print(f"peak RSS:           {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB  (whole client process)")


if __name__ == "__main__":
    main()
