"""The corrections log: append-only, coding.csv derived from it, undo, codebook rewrites, hand edits, concurrency."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from integkit.analysis.meeting import load_analysis
from integkit.errors import InputError
from integkit.io import write_csv
from integkit.themes import corrections as C
from integkit.themes.coding import load_corrections, save_corrections
from integkit.workspace import Workspace

MEETING = "demo-2026-11"


@pytest.fixture
def ws(demo_ws: Workspace) -> Workspace:
    return demo_ws


@pytest.fixture
def clock(monkeypatch):
    """Log time stamps from a list, so a test can tell which save wrote a row."""
    times = iter(f"2026-11-20T10:{m:02d}:00+01:00" for m in range(60))
    monkeypatch.setattr(C, "now", lambda: next(times))


def _fix(rid: int, question: str, themes: str, before: str | None = None) -> pd.DataFrame:
    row = {"response_id": rid, "question_id": question, "themes": themes, "text": f"Antwort {rid}"}
    if before is not None:
        row["before"] = before
    return pd.DataFrame([row])


def test_log_records_who_when_before_after_and_rows_keep_their_time(ws: Workspace, clock) -> None:
    save_corrections(ws, MEETING, _fix(1, "q_gut", "arbeit;sprache", before="arbeit"), coder="AB")
    save_corrections(ws, MEETING, _fix(2, "q_gut", "wohnen", before="wohnen"), coder="CD")
    log = C.read_log(ws, MEETING)
    assert log[["entry", "coder", "action", "response_id", "before", "after"]].values.tolist() == [
        [1, "AB", C.CORRECT, 1, "arbeit", "arbeit;sprache"],
        [2, "CD", C.CONFIRM, 2, "wohnen", "wohnen"],
    ]
    coding = load_corrections(ws, MEETING).set_index("response_id")
    assert coding.loc[1, "coder"] == "AB" and coding.loc[1, "updated_at"] == "2026-11-20T10:00:00+01:00"
    assert coding.loc[2, "coder"] == "CD" and coding.loc[2, "updated_at"] == "2026-11-20T10:01:00+01:00"


def test_undo_goes_back_one_correction_at_a_time_and_only_appends(ws: Workspace) -> None:
    save_corrections(ws, MEETING, _fix(1, "q_gut", "sprache", before="arbeit"), coder="AB")
    save_corrections(ws, MEETING, _fix(1, "q_gut", "ehrenamt"), coder="AB")
    written = C.log_path(ws, MEETING).read_bytes()

    first = C.undo_last_correction(ws, MEETING, coder="AB")
    assert first.entry["after"] == "ehrenamt" and first.now == "sprache"
    assert C.log_path(ws, MEETING).read_bytes().startswith(written)  # nothing rewritten, one row added
    assert load_corrections(ws, MEETING)["themes"].tolist() == ["sprache"]

    second = C.undo_last_correction(ws, MEETING, coder="AB")
    assert second.now is None  # the machine's coding again
    assert load_corrections(ws, MEETING).empty
    coded = load_analysis(ws, MEETING, with_history=False).coded
    answer = coded[(coded["response_id"] == 1) & (coded["question_id"] == "q_gut")].iloc[0]
    assert answer["themes"] == "arbeit" and answer["coded_by"] == "machine"
    assert C.undo_last_correction(ws, MEETING) is None
    assert C.read_log(ws, MEETING)["action"].tolist() == [C.CORRECT, C.CORRECT, C.UNDO, C.UNDO]
    assert C.history(ws, MEETING)["undone"].tolist() == [False, False, True, True]


def test_codebook_rewrite_is_logged_and_blocks_undo_until_taken_back(ws: Workspace) -> None:
    save_corrections(ws, MEETING, _fix(1, "q_gut", "finanzierung;wohnen"), coder="AB")
    assert C.rename_themes_in_corrections(ws, MEETING, {"finanzierung": "strukturen"}, ref="3") is not None
    assert load_corrections(ws, MEETING)["themes"].tolist() == ["strukturen;wohnen"]
    assert C.rename_themes_in_corrections(ws, MEETING, {"nope": "x"}, ref="4") is None
    with pytest.raises(InputError, match="Codebook"):
        C.undo_last_correction(ws, MEETING)
    assert C.codebook_rows_blocked(ws, MEETING, "3") == 0
    assert C.undo_codebook_rows(ws, MEETING, "3") == 1
    assert load_corrections(ws, MEETING)["themes"].tolist() == ["finanzierung;wohnen"]
    assert C.undo_last_correction(ws, MEETING).now is None


def test_correction_after_a_codebook_rewrite_blocks_taking_the_rewrite_back(ws: Workspace) -> None:
    save_corrections(ws, MEETING, _fix(1, "q_gut", "finanzierung"), coder="AB")
    C.rename_themes_in_corrections(ws, MEETING, {"finanzierung": "strukturen"}, ref="1")
    save_corrections(ws, MEETING, _fix(1, "q_gut", "strukturen;sprache"), coder="AB")
    assert C.codebook_rows_blocked(ws, MEETING, "1") == 1
    with pytest.raises(InputError, match="korrigiert"):
        C.undo_codebook_rows(ws, MEETING, "1")


def test_hand_edited_coding_csv_is_taken_into_the_log(ws: Workspace) -> None:
    save_corrections(ws, MEETING, _fix(1, "q_gut", "sprache"), coder="AB")
    save_corrections(ws, MEETING, _fix(2, "q_gut", "wohnen"), coder="AB")
    edited = load_corrections(ws, MEETING)
    edited = edited[edited["response_id"] == 2].assign(themes="wohnen;ehrenamt")  # row 1 deleted, row 2 changed
    write_csv(pd.concat([edited, _fix(3, "q_gut", "bildung").assign(coder="XY", updated_at="")]), C.corrections_path(ws, MEETING))
    save_corrections(ws, MEETING, _fix(4, "q_gut", "arbeit"), coder="AB")
    log = C.read_log(ws, MEETING)
    assert sorted(log["action"].tolist()[2:5]) == [C.IMPORT, C.IMPORT, C.RESET]
    coding = load_corrections(ws, MEETING).set_index("response_id")["themes"].to_dict()
    assert coding == {2: "wohnen;ehrenamt", 3: "bildung", 4: "arbeit"}


def test_older_coding_csv_without_a_log_is_kept(ws: Workspace) -> None:
    old = pd.DataFrame({"response_id": ["5"], "question_id": ["q_ausbau"], "themes": ["sprache"], "text": ["x"], "coder": ["AB"], "updated_at": ["2026-01-01T00:00:00+01:00"]})
    write_csv(old, C.corrections_path(ws, MEETING))
    save_corrections(ws, MEETING, _fix(1, "q_gut", "arbeit"), coder="CD")
    coding = load_corrections(ws, MEETING).set_index("response_id")
    assert coding.loc[5, "themes"] == "sprache" and coding.loc[5, "coder"] == "AB"
    assert C.read_log(ws, MEETING)["action"].tolist() == [C.IMPORT, C.CORRECT]


def test_two_writers_at_once_lose_nothing(ws: Workspace) -> None:
    def writer(start: int) -> None:
        for rid in range(start, start + 8):
            save_corrections(ws, MEETING, _fix(rid, "q_gut", "sprache"), coder=str(start))

    threads = [threading.Thread(target=writer, args=(s,)) for s in (1, 21)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log = C.read_log(ws, MEETING)
    assert sorted(log["entry"]) == list(range(1, 17))
    assert sorted(load_corrections(ws, MEETING)["response_id"]) == [*range(1, 9), *range(21, 29)]


def test_a_damaged_log_is_named(ws: Workspace) -> None:
    save_corrections(ws, MEETING, _fix(1, "q_gut", "sprache"), coder="AB")
    path = C.log_path(ws, MEETING)
    path.write_text(path.read_text(encoding="utf-8-sig").replace(";correct;", ";deleted;"), encoding="utf-8")
    with pytest.raises(InputError, match=r"coding_log\.csv: row 2: unknown action 'deleted'"):
        save_corrections(ws, MEETING, _fix(2, "q_gut", "sprache"))
    with pytest.raises(InputError, match="response_id 'x' is not a number"):
        save_corrections(ws, MEETING, _fix(2, "q_gut", "sprache").assign(response_id="x"))
