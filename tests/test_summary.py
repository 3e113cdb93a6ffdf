"""The written summary: top themes and the biggest change since the previous meeting."""

from __future__ import annotations

import pytest

from integkit.analysis.meeting import load_analysis
from integkit.demo import import_demo
from integkit.report.wording import number
from integkit.analysis.summary import biggest_change, meeting_summary
from integkit.workspace import init_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("summary") / "ws")
    import_demo(ws)
    return ws


def test_summary_names_participation_top_themes_and_change(demo):
    analysis = load_analysis(demo, "demo-2026-11")
    first, top, change = meeting_summary(analysis)
    n = len(analysis.respondents)
    assert first.startswith(f"{n} Personen aus ")
    assert top.startswith("Am häufigsten genannt: ") and top.count("%") == 3
    # the demo's housing/language ratings moved most: language support rose by about 1 point
    assert change.startswith("Größte Veränderung seit 13.05.2026") and "Sprachförderung" in change and "stieg" in change


def test_first_meeting_of_a_series_has_no_change(demo):
    analysis = load_analysis(demo, "demo-2026-05")
    assert analysis.history == ()
    assert biggest_change(analysis) is None
    assert len(meeting_summary(analysis)) == 2


def test_numbers_follow_the_language():
    assert number(2.75, "de") == "2,8" and number(2.75, "en") == "2.8" and number(41.0, "de", 0) == "41"
    assert number(12345.5, "de") == "12.345,5" and number(12345.5, "en") == "12,345.5"
    assert number(float("nan"), "de") == "–"
