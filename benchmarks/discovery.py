"""Quality of discovery on the external set, before and after (prints figures).

Discovery is judged on the answers labelled `mobilitaet` and `digitales` (themes the default
codebook lacks, tests/fixtures/themes/external/, labelled by THEMES.md): the share of them that
land in a cluster whose plurality gold theme is theirs (integkit.themes.evaluate.discovery_share).
Target: at least 0.70 for both. Discovery runs on the development part alone (the part tuned on),
on the test part alone (ids ending in 7-9, never tuned on), and on the whole set (figures for the
dev and test answers of that one run). "Before" is discovery at a git revision (default: the
commit this work started from), run from a `git archive` of it; "after" is the checkout. Also
shown: how many cluster terms are not content words (the fillers of issue 12: "seit, zwei,
inzwischen, gerade, jung ..."), and each cluster's label, terms and proposed signal words.

    .venv/bin/python benchmarks/discovery.py [--before REV]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from at_revision import run_at  # noqa: E402
from theme_sets import external  # noqa: E402

from integkit.text.normalize import is_content_word  # noqa: E402
from integkit.themes.assign import split_themes  # noqa: E402
from integkit.themes.discover import discover  # noqa: E402
from integkit.themes.evaluate import discovery_share  # noqa: E402

BEFORE = "162b0c9"  # the discovery branch before this work
THEMES = ("mobilitaet", "digitales")
_DISCOVER = (
    "import json, sys\n"
    "from integkit.themes.discover import discover\n"
    "r = discover(json.load(sys.stdin), seed=0)\n"
    "print(json.dumps({'clusters': r.clusters, 'terms': r.summary['top_terms'].tolist()}))\n"
)


def discovery_at(rev: str, texts: list[str]) -> dict:
    """Clusters and cluster terms that discovery at git revision ``rev`` gives ``texts``."""
    return run_at(rev, _DISCOVER, texts)


def fillers(terms: list[str]) -> tuple[int, int]:
    """(cluster terms that are not content words, all cluster terms)."""
    words = [w.strip() for cell in terms for w in str(cell).split(",") if w.strip()]
    return sum(not is_content_word(w) for w in words), len(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help=f"git revision to compare with (default {BEFORE})")
    args = parser.parse_args()
    ext = external()
    runs = {"dev part alone": ext[ext["split"] == "dev"], "test part alone": ext[ext["split"] == "test"], "whole set": ext}
    for name, frame in runs.items():
        texts = frame["text"].tolist()
        gold = [set(split_themes(g)) for g in frame["gold"]]
        before = discovery_at(args.before, texts)
        t0 = time.perf_counter()
        result = discover(texts, seed=0)
        seconds = time.perf_counter() - t0
        after = {"clusters": result.clusters, "terms": result.summary["top_terms"].tolist()}
        print(f"== {name} ({len(texts)} answers; after: {len(result.summary)} clusters in {seconds:.1f} s) ==")
        parts = {"all answers": None} if name != "whole set" else {
            "dev answers": (frame["split"] == "dev").tolist(), "test answers": (frame["split"] == "test").tolist()}
        for part, among in parts.items():
            for theme in THEMES:
                b = discovery_share(before["clusters"], gold, theme, among)
                a = discovery_share(after["clusters"], gold, theme, among)
                n = sum(theme in g for g, keep in zip(gold, among or [True] * len(gold)) if keep)
                print(f"  {part:13} {theme:11} before {b:.2f}  after {a:.2f}  (n={n})")
        fb, nb = fillers(before["terms"])
        fa, na = fillers(after["terms"])
        print(f"  cluster terms that are not content words: before {fb} of {nb}, after {fa} of {na}")
        for row in result.summary.itertuples():
            print(f"    {row.cluster:2} n={row.size:3} {row.overlap:12} {row.label:30} | {row.top_terms} | signals: {row.signals}")


if __name__ == "__main__":
    main()
