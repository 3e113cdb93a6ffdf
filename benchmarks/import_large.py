"""Import a synthetic LimeSurvey CSV export of many responses and load its tidy model.

Prints the wall time and peak memory (max RSS of this process) of `integkit import`'s work
(parse, validate, snapshot) and of `load_responses` (verify, parse, build the tables).

    python benchmarks/import_large.py [--responses 100000]
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADER = (
    ["id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate", "datestamp", "GEMEINDE", "GEMEINDE[other]", "ROLLE", "EHRENAMT"]
    + [f"BEREICHE[SQ00{i}]" for i in range(1, 6)]
    + [f"THEMEN[T0{i}]" for i in range(1, 8)]
    + ["THEMEN[other]", "GELINGT", "AUSBAU", "UNTERSTUETZUNG", "KONTAKT"]
)
SENTENCES = [
    "Der Helferkreis ist sehr engagiert, aber die Ehrenamtlichen sind erschöpft.",
    "Wohnungen fehlen; der Wohnungsmarkt ist leer und die Mieten steigen.",
    "Sprachkurse am Abend und Kinderbetreuung während der Kurse wären wichtig.",
    "Mehr Personal in der Ausländerbehörde, die Wartezeiten sind zu lang.",
    "Das Elterncafé in der Kita bringt Familien zusammen.",
    'Ein "Patenprogramm" für Ausbildung und Arbeit; =SUMME(A1) ist kein Befehl.',
]


def synthetic_export(n: int) -> bytes:
    """n responses as LimeSurvey writes a CSV export (BOM, ';', all quoted, CRLF); every 7th skips AUSBAU."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(1, n + 1):
        s = SENTENCES
        writer.writerow(
            [str(i), f"2026-11-10 {8 + i % 10:02d}:{i % 60:02d}:00", "3", "de", "", "", "2026-11-10 07:00:00", "2026-11-10 08:00:00",
             f"G{1 + i % 24:02d}", "", f"R{1 + i % 5}", str(i % 40)]
            + [str(1 + (i + k) % 5) for k in range(5)]
            + ["Y" if (i + k) % 3 == 0 else "" for k in range(7)]
            + ["", s[i % 6] + f" ({i})", "" if i % 7 == 0 else s[(i + 1) % 6] + "\nZweite Zeile.", s[(i + 2) % 6], "N"]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()

    from integkit.ingest.store import import_file
    from integkit.responses import load_responses
    from integkit.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        raw = synthetic_export(args.responses)
        path = Path(tmp) / "export.csv"
        path.write_bytes(raw)
        made = time.perf_counter() - started
        base = peak_mb()
        ws = init_workspace(Path(tmp) / "ws")

        started = time.perf_counter()
        result = import_file(ws, "vt-large", path)
        imported = time.perf_counter() - started
        after_import = peak_mb()

        started = time.perf_counter()
        responses = load_responses(ws, "vt-large")
        loaded = time.perf_counter() - started

        print(f"synthetic export: {args.responses:,} responses, {len(raw) / 1e6:.1f} MB (made in {made:.1f} s; process at {base:.0f} MB)")
        print(f"import (parse, validate, snapshot): {imported:.1f} s, peak RSS {after_import:.0f} MB; snapshot {result.snapshot.id}")
        print(f"load_responses (verify, parse, tidy tables): {loaded:.1f} s, peak RSS {peak_mb():.0f} MB")
        print(f"tables: {len(responses.respondents):,} respondents, {len(responses.answers):,} answers, "
              f"{len(responses.ratings):,} ratings, {len(responses.choices):,} choices")


if __name__ == "__main__":
    main()
