"""Evaluate redaction on the labelled set: recall and precision per label, per split.

A gold span counts as found if the redaction removed all of its characters; a redaction
counts as correct if it overlaps a gold span. The "heldout" split (written before the
rules were tuned, last ~30 % of the file) shows how well the rules generalise.

    python benchmarks/redaction.py [--errors] [--speed]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from integkit.analysis.redaction import Redactor  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "privacy"
LABELS = ("email", "phone", "address", "name")


def load_set(path: Path = FIXTURES / "redaction_set.jsonl") -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_names(path: Path = FIXTURES / "names.txt") -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def evaluate(records: list[dict], redactor: Redactor) -> tuple[dict, list[str]]:
    """Per-label and overall counts {label: {"tp_gold", "gold", "tp_pred", "pred"}}."""
    c: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors: list[str] = []
    for rec in records:
        text, gold = rec["text"], rec["spans"]
        found = redactor.find(text)
        removed = set()
        for f in found:
            removed.update(range(f.start, f.end))
        for g in gold:
            ok = all(i in removed for i in range(g["start"], g["end"]))
            for key in (g["label"], "overall"):
                c[key]["gold"] += 1
                c[key]["tp_gold"] += ok
            if not ok:
                errors.append(f"MISS {g['label']:7} {text[g['start']:g['end']]!r} in: {text}")
        for f in found:
            ok = any(f.start < g["end"] and g["start"] < f.end for g in gold)
            for key in (f.label, "overall"):
                c[key]["pred"] += 1
                c[key]["tp_pred"] += ok
            if not ok:
                errors.append(f"FALSE {f.label:7} {text[f.start:f.end]!r} in: {text}")
    return c, errors


def scores(counts: dict) -> dict[str, tuple[float, float, int, int]]:
    """{label: (recall, precision, n_gold, n_pred)}."""
    out = {}
    for key in (*LABELS, "overall"):
        k = counts.get(key, {})
        gold, pred = k.get("gold", 0), k.get("pred", 0)
        recall = k.get("tp_gold", 0) / gold if gold else 1.0
        precision = k.get("tp_pred", 0) / pred if pred else 1.0
        out[key] = (recall, precision, gold, pred)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list misses and false redactions")
    ap.add_argument("--speed", action="store_true", help="measure characters per second")
    args = ap.parse_args()
    records = load_set()
    redactor = Redactor(load_names())
    for split in ("tune", "heldout"):
        part = [r for r in records if r.get("split") == split]
        counts, errors = evaluate(part, redactor)
        print(f"\n{split}: {len(part)} answers, {sum(bool(r['spans']) for r in part)} with personal data")
        print(f"  {'label':8} {'recall':>7} {'precision':>9} {'gold':>5} {'redacted':>8}")
        for key, (r, p, g, n) in scores(counts).items():
            print(f"  {key:8} {r:7.3f} {p:9.3f} {g:5d} {n:8d}")
        if args.errors:
            for e in errors:
                print("   ", e)
    if args.speed:
        texts = [r["text"] for r in records] * 200
        chars = sum(map(len, texts))
        t0 = time.perf_counter()
        redactor.redact_many(texts)
        dt = time.perf_counter() - t0
        print(f"\nspeed: {chars / dt:,.0f} characters/s ({len(texts)} texts, {dt:.2f} s)")


if __name__ == "__main__":
    main()
