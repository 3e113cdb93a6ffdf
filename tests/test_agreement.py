"""Agreement of machine and facilitator: Cohen's kappa per theme and the disagreements."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from integkit.facilitator.agreement import agreement, kappa, meeting_agreement, summary_line
from integkit.themes.coding import save_corrections
from integkit.themes.codebook import load_codebook


def _machine(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"response_id": r, "question_id": q, "text": f"Antwort {r}", "themes": t, "theme_evidence": ""} for r, q, t in rows]
    )


def test_kappa_per_theme_matches_scikit_learn() -> None:
    machine = _machine([(1, "q_gut", "wohnen"), (2, "q_gut", "wohnen;sprache"), (3, "q_gut", ""), (4, "q_gut", "sprache")])
    facilitator = pd.DataFrame(
        {"response_id": [1, 2, 3, 4], "question_id": ["q_gut"] * 4, "themes": ["wohnen", "wohnen", "sprache", "sprache"]}
    )
    result = agreement(machine, facilitator, load_codebook())
    scores = result.scores.set_index("theme")
    expected = cohen_kappa_score([False, True, False, True], [False, False, True, True])
    assert scores.loc["sprache", "kappa"] == pytest.approx(round(expected, 2))
    assert math.isnan(scores.loc["wohnen", "kappa"]) is False and scores.loc["wohnen", "kappa"] == 1.0
    assert math.isnan(scores.loc["arbeit", "kappa"])  # neither rater ever chose it
    assert result.n == 4
    wrong = result.disagreements
    assert sorted(zip(wrong["response_id"], wrong["theme"])) == [(2, "sprache"), (3, "sprache")]


def test_only_answers_the_facilitator_coded_are_compared() -> None:
    machine = _machine([(1, "q_gut", "wohnen"), (2, "q_gut", "sprache")])
    facilitator = pd.DataFrame({"response_id": [2], "question_id": ["q_gut"], "themes": ["sprache"]})
    result = agreement(machine, facilitator, load_codebook())
    assert result.n == 1 and result.disagreements.empty


def test_kappa_edge_cases() -> None:
    assert math.isnan(kappa([], []))
    assert math.isnan(kappa([True, True], [True, True]))
    assert kappa([True, False], [False, True]) == pytest.approx(-1.0)


def test_meeting_agreement_reads_saved_corrections(demo_ws) -> None:
    ws = demo_ws
    assert "kein Vergleich" in summary_line(meeting_agreement(ws, "demo-2026-11"))
    save_corrections(ws, "demo-2026-11", pd.DataFrame({"response_id": [1], "question_id": ["q_gut"], "themes": ["wohnen"]}))
    result = meeting_agreement(ws, "demo-2026-11")
    assert result.n == 1
    assert set(result.disagreements["theme"]) == {"wohnen", "arbeit"}  # the machine said arbeit
    assert "kappa" in summary_line(result)
