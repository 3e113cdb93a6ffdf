"""Review queue, corrections end to end, codebook rename and merge."""

from __future__ import annotations


import pandas as pd
import pytest

from integkit.facilitator import curation, review
from integkit.analysis.meeting import load_analysis
from integkit.themes.coding import load_corrections, rename_themes_in_corrections, save_corrections
from integkit.errors import InputError
from integkit.themes.assign import assign
from integkit.themes.codebook import load_codebook, merge_themes, rename_theme
from integkit.workspace import Workspace
from conftest import default_version

MEETING = "demo-2026-11"


@pytest.fixture
def ws(demo_ws: Workspace) -> Workspace:
    return demo_ws


# --- doubtful and uncovered ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Wohnungen fehlen, der Wohnungsmarkt ist leer.", review.OK),
        ("Mit dem MVV reden.", review.UNCOVERED),
        ("k. A.", review.EMPTY),
        ("Viele arbeiten schon, der Helferkreis hilft.", review.DOUBTFUL),  # arbeit only via a verb
        ("Mehr Sprachkurse, bezahlbare Wohnungen und Jobs für Geflüchtete.", review.DOUBTFUL),  # three themes
    ],
)
def test_judge(text: str, status: str) -> None:
    assert review.judge(text, assign([text])[0])[0] == status


def test_queue_puts_uncovered_then_doubtful_first(ws: Workspace) -> None:
    queue = review.review_queue(load_analysis(ws, MEETING, with_history=False))
    order = [review.STATUS_ORDER.index(s) for s in queue["status"]]
    assert order == sorted(order)
    assert queue["status"].iloc[0] == review.UNCOVERED
    assert (queue["status"] == review.DOUBTFUL).any()
    assert set(review.to_check(queue)["status"]) == {review.UNCOVERED, review.DOUBTFUL}
    assert review.status_counts(queue)["Antworten"].sum() == len(queue)


def test_edits_to_corrections_keeps_changed_and_confirmed() -> None:
    queue = pd.DataFrame({"response_id": [1, 2, 3], "question_id": ["q_gut"] * 3, "text": ["a", "b", "c"],
                          "themes": ["wohnen", "sprache", ""]})
    out = review.edits_to_corrections(queue, {(1, "q_gut"): ["wohnen"], (3, "q_gut"): ["arbeit"]}, confirmed=[(2, "q_gut")])
    assert out[["response_id", "themes"]].values.tolist() == [[2, "sprache"], [3, "arbeit"]]


# --- corrections reach the next report ----------------------------------------------------------
def test_saved_correction_changes_the_next_analysis(ws: Workspace) -> None:
    before = load_analysis(ws, MEETING, with_history=False).mentions
    answer = before[(before["response_id"] == 1) & (before["question_id"] == "q_gut")]
    assert set(answer["theme"]) == {"arbeit"}
    assert review.save_review(ws, MEETING, [{"response_id": 1, "question_id": "q_gut", "themes": ["arbeit", "sprache"]}], "AB") == 1
    after = load_analysis(ws, MEETING).mentions
    answer = after[(after["response_id"] == 1) & (after["question_id"] == "q_gut")]
    assert set(answer["theme"]) == {"arbeit", "sprache"}
    assert load_corrections(ws, MEETING)["coder"].tolist() == ["AB"]


def test_unknown_theme_is_refused(ws: Workspace) -> None:
    with pytest.raises(InputError, match="unknown theme"):
        review.save_review(ws, MEETING, [{"response_id": 1, "question_id": "q_gut", "themes": "nope"}], codebook=load_codebook())
    assert review.save_review(ws, MEETING, []) == 0


# --- codebook changes ---------------------------------------------------------------------------
def test_rename_theme_bumps_version_and_logs() -> None:
    book = load_codebook()
    new = rename_theme(book, "wohnen", "wohnraum", label_de="Wohnraum")
    assert new.version == default_version(1) and "wohnraum" in new.ids and "wohnen" not in new.ids
    assert new.theme("wohnraum").signals == book.theme("wohnen").signals
    assert "Renamed theme 'wohnen'" in new.changelog[-1]["change"]
    with pytest.raises(InputError, match="already exists"):
        rename_theme(book, "wohnen", "sprache")
    with pytest.raises(InputError, match="no theme"):
        rename_theme(book, "nope", "x")


def test_merge_themes_joins_signals_and_examples() -> None:
    book = load_codebook()
    new = merge_themes(book, ["finanzierung"], "strukturen")
    assert "finanzierung" not in new.ids and new.version == default_version(1)
    merged = new.theme("strukturen")
    assert set(book.theme("finanzierung").signals.parts) <= set(merged.signals.parts)
    assert set(book.theme("finanzierung").examples) <= set(merged.examples)
    assert assign(["Mehr Fördermittel bitte"], new)[0].themes == ("strukturen",)
    with pytest.raises(InputError):
        merge_themes(book, ["strukturen"], "strukturen")


def test_rename_and_merge_in_workspace_keep_corrections_consistent(ws: Workspace) -> None:
    save_corrections(ws, MEETING, pd.DataFrame({"response_id": [1], "question_id": ["q_gut"], "themes": ["finanzierung;wohnen"]}))
    curation.rename(ws, "wohnen", "wohnraum", "Wohnraum")
    curation.merge(ws, ["finanzierung"], "strukturen")
    book = curation.workspace_codebook(ws)
    assert book.version == default_version(2) and (ws.root / "surveys" / "codebook.yaml").is_file()
    assert load_corrections(ws, MEETING)["themes"].tolist() == ["strukturen;wohnraum"]
    assert curation.history(ws)["Version"].iloc[0] == f"{default_version(1)} → {default_version(2)}"
    assert rename_themes_in_corrections(ws, MEETING, {"x": "y"}) is None
