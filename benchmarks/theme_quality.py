"""Quality of theme assignment on every labelled split, before and after (prints tables).

"Before" is the engine and codebook at a git revision (default: the commit this work started
from), run from a `git archive` of it in a temporary folder; "after" is the checkout. Both are
scored the same way (integkit.themes.evaluate.score) on the project's own sets (dev, test, blind,
blind_hard, blind_third, blind_fourth: held out) and the external set's dev/test parts (tests/theme_sets.py), overall, per theme and per
style tag.

    .venv/bin/python benchmarks/theme_quality.py [--before REV]
Targets on external_test: macro-F1 >= 0.90, every theme precision >= 0.85 and recall >= 0.75.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from at_revision import run_at  # noqa: E402
from theme_sets import labelled_sets  # noqa: E402

from integkit.themes.assign import assign, split_themes  # noqa: E402
from integkit.themes.codebook import load_codebook  # noqa: E402
from integkit.themes.evaluate import score, tags_of  # noqa: E402

BEFORE = "354f92a"  # main before the work on issue 12
_PREDICT = (
    "import json, sys\n"
    "from integkit.themes.assign import assign\n"
    "texts = json.load(sys.stdin)\n"
    "print(json.dumps([list(a.themes) for a in assign(texts)]))\n"
)


def predictions_at(rev: str, texts: list[str]) -> list[set[str]]:
    """Themes the engine and default codebook of git revision ``rev`` give ``texts``."""
    return [set(p) for p in run_at(rev, _PREDICT, texts)]


def _row(label: str, before, after) -> str:
    return f"  {label:14} {before:6.3f} {after:6.3f}  {after - before:+.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help=f"git revision to compare with (default {BEFORE})")
    args = parser.parse_args()
    ids = list(load_codebook().ids)
    for name, frame in labelled_sets().items():
        texts = frame["text"].tolist()
        gold = [set(split_themes(g)) for g in frame["gold"]]
        before = predictions_at(args.before, texts)
        after = [set(a.themes) for a in assign(texts)]
        b, a = score(gold, before, ids), score(gold, after, ids)
        print(f"== {name} ({len(texts)} answers): macro-F1 before {b.macro_f1:.3f}, after {a.macro_f1:.3f} ==")
        print(f"  {'theme':14} {'P bef':>6} {'P aft':>6}  {'R bef':>6} {'R aft':>6}  {'F1 bef':>6} {'F1 aft':>6}  support")
        bt, at = b.table.set_index("theme"), a.table.set_index("theme")
        for theme in at.index:
            pb = bt.loc[theme] if theme in bt.index else None
            cells = [f"{(pb[k] if pb is not None else float('nan')):6.3f} {at.loc[theme, k]:6.3f}" for k in ("precision", "recall", "f1")]
            print(f"  {theme:14} {'  '.join(cells)}  {int(at.loc[theme, 'support'])}")
        outside = sorted({t for g in gold for t in g} - set(ids))
        for theme in outside:
            members = [i for i, g in enumerate(gold) if theme in g]
            clean_b = sum(not (before[i] - gold[i]) for i in members) / len(members)
            clean_a = sum(not (after[i] - gold[i]) for i in members) / len(members)
            print(f"  {theme:14} (not in the codebook) answers without a wrong theme: {clean_b:.2f} -> {clean_a:.2f} of {len(members)}")
        if "notes" in frame.columns:
            print(f"  per tag: {'tag':12} {'n':>4}  macro-F1 before/after, exact before/after")
            rows_of: dict[str, list[int]] = {}
            for i, cell_tags in enumerate(tags_of(frame["notes"].tolist())):
                for tag in cell_tags:
                    rows_of.setdefault(tag, []).append(i)
            for tag, rows in sorted(rows_of.items()):
                g = [gold[i] for i in rows]
                sb, sa = score(g, [before[i] for i in rows], ids), score(g, [after[i] for i in rows], ids)
                eb = sum((gold[i] & set(ids)) == before[i] for i in rows) / len(rows)
                ea = sum((gold[i] & set(ids)) == after[i] for i in rows) / len(rows)
                print(f"           {tag:12} {len(rows):4}  {sb.macro_f1:6.3f} {sa.macro_f1:6.3f}   {eb:5.2f} {ea:5.2f}")
        print()


if __name__ == "__main__":
    main()
