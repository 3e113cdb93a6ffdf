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


def main() -> None:
    book = load_codebook()
    ids = list(book.ids)
    data = external()
    gains, precisions = [], []
    for seed in range(5):
        coded = data.sample(N_CODED, random_state=seed)
        rest = data.drop(coded.index)
        model = train(coded[["text", "gold"]].rename(columns={"gold": "themes"}), book)
        gold = [set(split_themes(g)) for g in rest["gold"]]
        texts = rest["text"].tolist()
        rules = score(gold, [set(a.themes) for a in assign(texts, book)], ids)
        learnt = score(gold, [set(a.themes) for a in assign(texts, book, model=model)], ids)
        test = (rest["split"] == "test").to_numpy()
        g_t = [g for g, t in zip(gold, test) if t]
        texts_t = [x for x, t in zip(texts, test) if t]
        rules_t = score(g_t, [set(a.themes) for a in assign(texts_t, book)], ids)
        learnt_t = score(g_t, [set(a.themes) for a in assign(texts_t, book, model=model)], ids)
        rule_sets = [set(a.themes) for a in assign(texts, book)]
        learnt_sets = [set(a.themes) for a in assign(texts, book, model=model)]
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
        frame = labelled_sets()[name]
        set_gains = []
        for seed in range(5):
            coded = frame.sample(N_CODED, random_state=seed)
            rest = frame.drop(coded.index)
            model = train(coded[["text", "gold"]].rename(columns={"gold": "themes"}), book)
            gold = [set(split_themes(g)) for g in rest["gold"]]
            texts = rest["text"].tolist()
            rules = score(gold, [set(a.themes) for a in assign(texts, book)], ids)
            learnt = score(gold, [set(a.themes) for a in assign(texts, book, model=model)], ids)
            set_gains.append(learnt.macro_f1 - rules.macro_f1)
        print(f"{name}: {N_CODED} coded, {len(frame) - N_CODED} left: rules {rules.macro_f1:.3f} (last seed); "
              f"gain per seed {', '.join(f'{g:+.3f}' for g in set_gains)}; mean {np.mean(set_gains):+.3f}")


if __name__ == "__main__":
    main()
