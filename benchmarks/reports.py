"""Report rendering speed: `integkit report --all` against the plain papermill + nbconvert loop.

1. A meeting of about 140 respondents from 12 municipalities (rows drawn from the demo
   meetings): the meeting report plus one report per municipality, HTML, rendered
   a) the plain way, one after the other: papermill's CLI, then `jupyter nbconvert --to html --no-input`;
   b) by `integkit report MEETING --all --format html` (process pool, one warm kernel per worker).
   Target: b <= 0.25 x a on 2 cores.
2. A synthetic meeting of 100,000 responses: its meeting report alone. Target: < 60 s.

Run: .venv/bin/python benchmarks/reports.py [--skip-large] [--respondents 140]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from integkit.data import demo_export_path  # noqa: E402
from integkit.report.batch import known_municipalities, plan_reports  # noqa: E402
from integkit.workspace import Workspace, init_workspace  # noqa: E402

DEMOS = [demo_export_path("demo-2026-11"), demo_export_path("demo-2026-05")]


def demo_rows() -> tuple[list[str], list[list[str]]]:
    header, rows = None, []
    for path in DEMOS:
        reader = csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";")
        records = [r for r in reader if r]
        header, rows = records[0], rows + records[1:]
    return header, rows


def write_export(path: Path, n: int, municipalities: int, seed: int = 0) -> None:
    """A LimeSurvey-style CSV export with n responses spread over the first `municipalities` codes."""
    header, rows = demo_rows()
    rng = random.Random(seed)
    gemeinde, other = header.index("GEMEINDE"), header.index("GEMEINDE[other]")
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for i in range(1, n + 1):
        row = list(rng.choice(rows))
        row[0] = str(i)
        row[gemeinde], row[other] = f"G{(i - 1) % municipalities + 1:02d}", ""
        writer.writerow(row)
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8") + b"\r\n")


def run(cmd: list[str], **kwargs) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)


def plain_loop(ws: Workspace, meeting: str, out: Path) -> float:
    """The reference: papermill's CLI then nbconvert's CLI, one report after the other."""
    jobs = [j for j in plan_reports(ws, meeting, known_municipalities(ws, meeting)) if j.kind != "actions"]
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for job in jobs:
        executed = out / f"{job.name}.ipynb"
        params = [arg for k, v in job.parameters.items() for arg in ("-p", k, str(v))]
        run([str(BIN / "papermill"), str(job.template), str(executed), "-k", "python3", "--no-progress-bar", *params])
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return time.perf_counter() - start


def integkit_all(ws: Workspace, meeting: str, jobs: int) -> float:
    start = time.perf_counter()
    run([str(BIN / "integkit"), "report", meeting, "--all", "--format", "html", "--jobs", str(jobs), "-w", str(ws.root)])
    return time.perf_counter() - start


def large_report(tmp: Path, n: int) -> tuple[float, float]:
    ws = init_workspace(tmp / "large")
    export = tmp / "large.csv"
    write_export(export, n, 24, seed=1)
    start = time.perf_counter()
    run([str(BIN / "integkit"), "import", "gross", str(export), "-w", str(ws.root)])
    imported = time.perf_counter() - start
    start = time.perf_counter()
    run([str(BIN / "integkit"), "report", "gross", "-w", str(ws.root)])
    return imported, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=140)
    parser.add_argument("--municipalities", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ws = init_workspace(tmp / "ws")
        export = tmp / "meeting.csv"
        write_export(export, args.respondents, args.municipalities)
        run([str(BIN / "integkit"), "import", "bench", str(export), "-w", str(ws.root)])
        n_reports = 1 + len(known_municipalities(ws, "bench"))
        print(f"meeting: {args.respondents} respondents, {n_reports} reports (1 meeting + {n_reports - 1} municipalities), "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        ours = integkit_all(ws, "bench", args.jobs)
        print(f"integkit report --all --jobs {args.jobs}: {ours:6.1f} s")
        plain = plain_loop(ws, "bench", tmp / "plain")
        print(f"plain loop (papermill CLI + nbconvert CLI): {plain:6.1f} s")
        print(f"ratio: {ours / plain:.2f} x the plain loop (target <= 0.25)")
        if not args.skip_large:
            imported, rendered = large_report(tmp, args.large)
            print(f"{args.large:,} responses: import {imported:.1f} s, meeting report {rendered:.1f} s (target < 60 s)")


if __name__ == "__main__":
    main()
