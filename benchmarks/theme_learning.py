"""What 100 coded answers teach: cross-validation on the external set (prints figures).

Five times (seeds 0-4), 100 answers of tests/fixtures/themes/external are taken as coded and the
other 500 are assigned by the rules alone and by the rules plus the model learnt from the 100
(integkit.themes.learn). Printed: macro-F1 of both, the gain, and each theme's precision with the
model; also the same on the rest's test part (ids ending in 7-9) alone.

    .venv/bin/python benchmarks/theme_learning.py
Targets: mean gain >= 0.03 macro-F1; no theme's precision below 0.85.
Also printed: how many theme decisions the rules get wrong on the rest (the most any learning can
fix), and how many of them the model fixes and breaks; and the gain on the sets written blind to the
codebook (blind_hard, blind_third).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from theme_sets import external, labelled_sets  # noqa: E402

from integkit.themes.assign import assign, split_themes  # noqa: E402
from integkit.themes.codebook import load_codebook  # noqa: E402
from integkit.themes.evaluate import score  # noqa: E402
from integkit.themes.learn import train  # noqa: E402

N_CODED = 100


def cross_validate(frame, seed: int, book):
    """(rest, gold, rule theme sets, theme sets with the model) with N_CODED answers of ``frame`` coded."""
    coded = frame.sample(N_CODED, random_state=seed)
    rest = frame.drop(coded.index)
    model = train(coded[["text", "gold"]].rename(columns={"gold": "themes"}), book)
    texts = rest["text"].tolist()
    rule_sets = [set(a.themes) for a in assign(texts, book)]
    learnt_sets = [set(a.themes) for a in assign(texts, book, model=model)]
    return rest, [set(split_themes(g)) for g in rest["gold"]], rule_sets, learnt_sets


def main() -> None:
    book = load_codebook()
    ids = list(book.ids)
    data = external()
    gains, precisions = [], []
    for seed in range(5):
        rest, gold, rule_sets, learnt_sets = cross_validate(data, seed, book)
        rules, learnt = score(gold, rule_sets, ids), score(gold, learnt_sets, ids)
        test = (rest["split"] == "test").to_numpy()

        def keep(sets: list) -> list:  # the rows of the rest's test part
            return [x for x, t in zip(sets, test) if t]

        rules_t, learnt_t = score(keep(gold), keep(rule_sets), ids), score(keep(gold), keep(learnt_sets), ids)
        wrong = sum(len((r ^ g) & set(ids)) for r, g in zip(rule_sets, gold))
        fixed = sum(len(((r ^ g) - (m ^ g)) & set(ids)) for r, m, g in zip(rule_sets, learnt_sets, gold))
        broken = sum(len(((m ^ g) - (r ^ g)) & set(ids)) for r, m, g in zip(rule_sets, learnt_sets, gold))
        print(f"seed {seed}: the rules get {wrong} theme decisions wrong on the rest; the model fixes {fixed}, breaks {broken}")
        gains.append(learnt.macro_f1 - rules.macro_f1)
        precisions.append(learnt.table.set_index("theme")["precision"])
        print(f"seed {seed}: rest of {len(rest)}: rules {rules.macro_f1:.3f} -> with model {learnt.macro_f1:.3f} "
              f"({learnt.macro_f1 - rules.macro_f1:+.3f}); its test part ({sum(test)}): {rules_t.macro_f1:.3f} -> {learnt_t.macro_f1:.3f}; "
              f"lowest precision {learnt.table['precision'].min():.3f} ({learnt.table.loc[learnt.table['precision'].idxmin(), 'theme']})")
    print(f"mean gain {np.mean(gains):+.3f} (min {min(gains):+.3f})")
    mean_p = sum(precisions) / len(precisions)
    print("mean precision with the model per theme:", ", ".join(f"{t} {p:.2f}" for t, p in mean_p.items()))
    # the same on the sets written blind to the codebook, where the rules leave more to learn and the
    # coded answers hold many decoys (a learner that follows co-occurrence makes these worse)
    for name in ("own_blind_hard", "own_blind_third"):
        runs = [cross_validate(labelled_sets()[name], seed, book) for seed in range(5)]
        rules_f1 = [score(g, r, ids).macro_f1 for _, g, r, _ in runs]
        set_gains = [score(g, m, ids).macro_f1 - f for (_, g, _, m), f in zip(runs, rules_f1)]
        print(f"{name}: {N_CODED} coded, {len(runs[0][0])} left: rules {min(rules_f1):.3f}-{max(rules_f1):.3f}; "
              f"gain per seed {', '.join(f'{g:+.3f}' for g in set_gains)}; mean {np.mean(set_gains):+.3f}")


if __name__ == "__main__":
    main()
