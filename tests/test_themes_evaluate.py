"""Evaluation metrics and the quality targets on the labelled splits."""

from __future__ import annotations

from pathlib import Path

import pytest

from integkit.themes.evaluate import evaluate
from integkit.io import read_table

FIXTURES = Path(__file__).parent / "fixtures" / "themes"


def test_metrics_on_a_small_example() -> None:
    ev = evaluate(["Mehr Wohnungen", "Helferkreis super", "Bus fährt selten"], ["wohnen", "ehrenamt", "wohnen"])
    scores = ev.scores.set_index("theme")
    assert scores.loc["wohnen", "precision"] == 1.0 and scores.loc["wohnen", "recall"] == 0.5
    assert scores.loc["wohnen", "support"] == 2
    assert ev.errors[["row", "theme", "kind"]].values.tolist() == [[3, "wohnen", "false_negative"]]
    assert ev.macro_f1 == pytest.approx((2 / 3 + 1) / 2)


def test_false_positive_reported() -> None:
    ev = evaluate(["Mehr Wohnungen"], [""])
    assert ev.errors["kind"].tolist() == ["false_positive"]


def test_fixture_sizes_and_labels() -> None:
    dev, test = read_table(FIXTURES / "dev.csv").frame, read_table(FIXTURES / "test.csv").frame
    assert len(dev) >= 300 and len(test) >= 120
    # the held-out split is not copied from dev (only stock non-answers like "keine Angabe" recur)
    shared = set(dev["text"]) & set(test["text"])
    assert all(len(t.split()) <= 2 for t in shared), shared


# Issue 12's targets as a floor on every split but the external test part (which is only measured,
# by benchmarks/theme_quality.py); the sets aimed at the hard cases (incidental school and authority
# words, strukturen without its keywords) have lower floors: they guard against regressions, they
# are no target. (split, macro-F1, each theme's precision, each theme's recall)
FLOORS = [
    ("own_dev", 0.92, 0.85, 0.75),
    ("own_test", 0.92, 0.85, 0.75),
    ("own_blind", 0.92, 0.85, 0.75),
    ("external_dev", 0.92, 0.85, 0.75),
    ("own_blind_hard", 0.85, 0.70, 0.0),
    ("own_blind_third", 0.85, 0.65, 0.75),
    ("own_blind_fourth", 0.90, 0.75, 0.75),  # held out, like the external test part: a guard only
    ("own_blind_fifth", 0.85, 0.70, 0.75),
    ("own_blind_sixth", 0.85, 0.70, 0.70),  # bildung decoys
    ("own_blind_seventh", 0.80, 0.50, 0.60),  # strukturen in many paraphrases, and its decoys
]


@pytest.mark.parametrize(("split", "macro_f1", "precision", "recall"), FLOORS)
def test_quality_targets(split: str, macro_f1: float, precision: float, recall: float) -> None:
    from theme_sets import labelled_sets

    df = labelled_sets()[split]
    ev = evaluate(df["text"].tolist(), df["gold"].tolist())
    assert ev.macro_f1 >= macro_f1
    assert (ev.scores["precision"] >= precision).all(), ev.scores
    assert (ev.scores["recall"] >= recall).all(), ev.scores
