"""The explorer's library: filters, theme × municipality counts, the quotes behind a count, redaction; series tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from integkit.analysis import series as compare
from integkit.facilitator import explore
from integkit.analysis.meeting import Analysis, load_analysis
from integkit.errors import WorkspaceError
from integkit.workspace import init_workspace


@pytest.fixture(scope="module")
def analysis(demo_home: Path) -> Analysis:
    return load_analysis(demo_home, "demo-2026-11")


def test_locate_workspace_walks_up(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    (ws.root / "notebooks").mkdir()
    assert explore.locate_workspace(ws.root / "notebooks").root == ws.root
    with pytest.raises(WorkspaceError, match="kein integkit-Arbeitsordner"):
        explore.locate_workspace(tmp_path)


def test_filters_combine(analysis: Analysis) -> None:
    table = explore.answer_table(analysis)
    rows = explore.filter_answers(table, municipality="Freising", question="q_ausbau", theme="wohnen")
    assert len(rows) and set(rows["municipality"]) == {"Freising"} and set(rows["question_id"]) == {"q_ausbau"}
    assert all("wohnen" in t.split(";") for t in rows["themes"])
    found = explore.filter_answers(table, query="Wohnung")
    assert {"Wohnungen", "Wohnungsbau"} <= {w for m in found["matched"] for w in m.split(", ")}
    options = explore.filter_options(analysis)
    assert options["theme"][0] == ("alle", explore.ALL) and ("Wohnen", "wohnen") in options["theme"]


def test_counts_match_the_quotes_behind_them(analysis: Analysis) -> None:
    table = explore.answer_table(analysis)
    counts = explore.theme_municipality_counts(table, analysis.theme_order())
    n = counts.loc["wohnen", "Freising"]
    quotes = explore.cell_quotes(table, "wohnen", "Freising")
    behind = explore.filter_answers(table, municipality="Freising", theme="wohnen")
    assert n == behind["response_id"].nunique() and len(quotes) == len(behind)


def test_quotes_are_redacted_unless_switched_on() -> None:
    rows = pd.DataFrame({"municipality": ["Eching"], "role": ["Verwaltung"], "question": ["Ausbau"],
                         "text": ["Bitte Frau Huber anrufen: 08161 123456"]})
    assert "Huber" not in explore.quotes(rows)["text"].iloc[0]
    assert "123456" not in explore.quotes(rows)["text"].iloc[0]
    assert "Huber" in explore.quotes(rows, show_personal_data=True)["text"].iloc[0]
    assert "Huber" not in explore.visible(rows)["text"].iloc[0]


def test_series_tables(analysis: Analysis) -> None:
    part = compare.participation_over_time(analysis)
    assert list(part.columns) == ["demo-2026-05", "demo-2026-11"]  # meetings by id, labelled by date when shown
    assert part.loc[compare.DISTRICT].tolist() == [len(h.respondents) for h in (*analysis.history, analysis)]
    district = compare.theme_shares(analysis)
    assert list(district.index) == ["demo-2026-05", "demo-2026-11"] and "wohnen" in district.columns
    local = compare.theme_shares(analysis, "Marzling", min_group=3)  # no one from Marzling in May
    assert local.loc["demo-2026-05"].isna().all() and local.loc["demo-2026-11"].notna().all()
    assert compare.readable(compare.rating_means(analysis, "Eching"), "Bewertung").columns[0] == "Bewertung"
    changes = compare.theme_share_changes(analysis)
    assert changes["municipality"].iloc[-1] == compare.DISTRICT
    long = compare.theme_shares_long(analysis)
    assert set(long["meeting"]) == {"demo-2026-05", "demo-2026-11"}
    assert list(compare.readable(district, "Thema", analysis).columns) == ["Thema", "13.05.2026", "18.11.2026"]
