"""The facilitator's widgets driven as the notebook's callbacks drive them: session, explorer, review, editor, downloads."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import os
import re

import openpyxl
import pandas as pd
import pytest

from integkit.facilitator import figures, refresh, widgets
from integkit.facilitator.controls import resolve_theme
from integkit.facilitator.session import CODINGS
from integkit.analysis import series as compare
from integkit.analysis.meeting import load_analysis
from integkit.report.charts import SERIES_COLOURS
from integkit.report.index import INDEX_DATA
from integkit.report.state import resolve_state
from integkit.themes import corrections as C
from integkit.themes.codebook import load_codebook
from integkit.themes.coding import load_corrections
from integkit.workspace import Workspace

MEETING = "demo-2026-11"


@pytest.fixture
def ws(demo_ws: Workspace) -> Workspace:
    return demo_ws


def _workbook(html: str, text: str) -> list[tuple]:
    """The rows of the Excel file behind the download link with ``text``."""
    found = re.search(r"href='data:[^;]+;base64,([^']+)'>" + re.escape(text) + "<", html)
    assert found, f"no download link {text!r}"
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(found.group(1))))
    return list(book.active.iter_rows(values_only=True))


# --- session -----------------------------------------------------------------------------------
def test_session_picks_meetings_and_tells_the_views(ws: Workspace) -> None:
    session = widgets.Session(ws.root / "surveys", "vt-unbekannt")  # any folder inside the workspace
    assert session.meeting_id == MEETING  # the newest meeting instead, with a note
    assert "„vt-unbekannt“ gibt es in diesem Arbeitsordner nicht" in session.message.value
    assert [label for label, _ in session.meeting.options][0].startswith("Vernetzungstreffen") and "(18.11.2026)" in session.meeting.options[0][0]
    explorer = widgets.Explorer(session)
    session.meeting.value = "demo-2026-05"  # as if picked
    assert set(explorer.table["response_id"]) == set(load_analysis(ws, "demo-2026-05", with_history=False).coded["response_id"])
    assert "Fresing" in [v for _, v in explorer.filters["municipality"].options]


# --- explorer ----------------------------------------------------------------------------------
def test_every_count_opens_the_people_it_counts(ws: Workspace) -> None:
    explorer = widgets.Explorer(widgets.Session(ws, MEETING))
    buttons = [b for b in explorer.grid.children if getattr(b, "description", "").isdigit() and not b.disabled]
    assert len(buttons) > 50
    for button in buttons:
        button.click()  # the callback a browser click runs
        people, answers = re.search(r": (\d+) Person(?:en)?, (\d+) Antwort(?:en)?$", explorer.cell.title).groups()
        assert people == button.description, (button.tooltip, explorer.cell.title)
        assert int(answers) == len(explorer.cell.rows) >= int(people)
        assert button.tooltip.endswith(f"{explorer.cell.title.rsplit(': ', 1)[1]}")
    wohnen_eching = explorer.open_cell("wohnen", "Eching")
    assert explorer.counts.loc["wohnen", "Eching"] == wohnen_eching["response_id"].nunique()


def test_filters_paging_and_excel_export_of_the_table_on_screen(ws: Workspace) -> None:
    explorer = widgets.Explorer(widgets.Session(ws, MEETING))
    total = len(explorer.filtered)
    assert explorer.answers.pager.text() == f"Antworten 1–20 von {total}"
    first_page = explorer.answers.body.value
    explorer.answers.pager.next.click()
    assert explorer.answers.pager.text() == f"Antworten 21–40 von {total}" and explorer.answers.body.value != first_page
    rows = _workbook(explorer.answers.body.value, "Diese Antworten als Excel-Datei")
    assert rows[0] == ("Nr.", "Gemeinde", "Rolle", "Frage", "Antwort", "Themen", "kodiert von") and len(rows) == total + 1
    assert "Wohnen" in {theme for row in rows[1:] for theme in (row[5] or "").split(", ")}

    explorer.query.value = "Wohnung"  # as if typed and Enter pressed
    explorer.filters["municipality"].value = "Freising"
    assert set(explorer.filtered["municipality"]) == {"Freising"} and 0 < len(explorer.filtered) < total
    assert all("Wohnung" in m or "wohnung" in m.lower() for m in explorer.filtered["matched"])
    assert re.search(r"<b>\d+ Antworten? von \d+ Personen?</b>", explorer.summary.value)
    grid = _workbook(explorer.grid_link.value, "Zahlen als Excel-Datei")
    assert grid[0] == ("Thema", "Freising")


def test_quotes_are_redacted_until_the_switch_is_on(ws: Workspace) -> None:
    session = widgets.Session(ws, MEETING)
    explorer = widgets.Explorer(session, query="Integrationsbeauftragte")
    assert "huber@example.org" not in explorer.answers.body.value and "Integrationsbeauftragte" in explorer.answers.body.value
    session.personal.value = True  # the switch
    assert "huber@example.org" in explorer.answers.body.value


def test_grid_has_upright_headers_and_a_sticky_first_column(ws: Workspace) -> None:
    explorer = widgets.Explorer(widgets.Session(ws, MEETING))
    n = len(explorer.counts.columns)
    heads = [c for c in explorer.grid.children if "ik-head" in c._dom_classes]
    sticky = [c for c in explorer.grid.children if "ik-sticky" in c._dom_classes]
    assert len(heads) == n and len(sticky) == len(explorer.counts) + 1
    assert "ik-grid" in explorer.grid._dom_classes and f"repeat({n}, 3.4em)" in explorer.grid.layout.grid_template_columns


# --- review --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "theme"),
    [("Ehrenamt", "ehrenamt"), ("arbeit", "arbeit"), ("Arbeit und Ausbildung", "arbeit"), ("Schule", "bildung"),
     ("foerderung", "finanzierung"), ("gesundheit", "gesundheit"), ("  wohnen ", "wohnen")],
)
def test_theme_names_are_understood(typed: str, theme: str) -> None:
    assert resolve_theme(typed, load_codebook()) == theme


@pytest.mark.parametrize(("typed", "message"), [("Mobilität", "„Mobilität“ ist kein Thema des Codebooks"),
                                                 ("Be", r"„Be“ passt zu mehreren Themen \(")])
def test_theme_names_refused_with_a_message(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_theme(typed, load_codebook())


def test_review_corrects_by_name_needs_initials_and_undoes(ws: Workspace) -> None:
    session = widgets.Session(ws, MEETING, ask_coder=True)
    table = widgets.ReviewTable(session, page_size=5)
    first, second = table.rows[0], table.rows[1]
    first.tags.entry.value = "Ehrenamt"  # picked from the list: added at once
    assert "ehrenamt" in first.tags.themes and first.tags.entry.value == ""
    second.tags.entry.value = "Arbeit"  # typed, then Enter (the value arrives when it is committed)
    assert "arbeit" in second.tags.themes
    second.tags.entry.value = "Mobilität"
    assert "kein Thema des Codebooks" in second.tags.message.value
    assert "2 Änderungen noch nicht gespeichert" in table.pending.value

    assert table.save() == 0 and "Ihr Kürzel" in table.status.value  # who: required
    assert not C.log_path(ws, MEETING).exists()
    session.coder.value = "AB"
    keys = [first.key, second.key]
    assert table.save() == 2 and "Gespeichert: 2 Antworten, kodiert von AB" in table.status.value
    log = C.read_log(ws, MEETING)
    assert log["coder"].tolist() == ["AB", "AB"] and log["before"].tolist() == ["", ""]
    assert [(r, q) for r, q in zip(log["response_id"], log["question_id"])] == keys

    undone = table.undo()
    assert (undone.entry["response_id"], undone.entry["question_id"]) == keys[1]
    assert "ist wieder automatisch zugeordnet" in table.status.value
    assert [(r, q) for r, q in load_corrections(ws, MEETING)[["response_id", "question_id"]].itertuples(index=False)] == [keys[0]]
    history = widgets.CorrectionHistory(session)
    assert history.table.frame["Was"].tolist() == ["Rücknahme (von Nr. 2)", "korrigiert", "korrigiert"]
    assert history.table.frame["Stand"].tolist() == ["", "zurückgenommen", ""]
    session.changed(CODINGS)
    assert table.queue.set_index(["response_id", "question_id"]).loc[keys[0], "status"] == "geprüft"


def test_review_pages_keep_edits_and_rows(ws: Workspace) -> None:
    session = widgets.Session(ws, MEETING, coder="AB")
    table = widgets.ReviewTable(session, page_size=5)
    row_widgets = [r.widget for r in table.rows]
    key = table.rows[0].key
    table.rows[0].tags.add("Verwaltung")
    table.pager.next.click()
    assert [r.widget for r in table.rows] == row_widgets  # refilled, not rebuilt
    assert table.rows[0].key != key and table.pager.text().startswith("Antworten 6–10 von")
    table.pager.back.click()
    assert "verwaltung" in table.rows[0].tags.themes
    assert table.save() == 1


def test_agreement_view_is_german(ws: Workspace) -> None:
    session = widgets.Session(ws, MEETING, coder="AB")
    widgets.save_from_parameters(session, [{"response_id": 1, "question_id": "q_gut", "themes": "wohnen"}])
    view = widgets.AgreementView(session)
    assert list(view.scores.frame.columns) == ["Thema", "verglichene Antworten", "Maschine", "Moderation", "beide",
                                              "Übereinstimmung %", "Cohen's κ"]
    assert "Verglichen: 1 Antwort, die die Moderation kodiert hat" in view.summary.value
    assert view.disagreements.frame["Maschine"].tolist() == ["Arbeit und Ausbildung"] * 2
    assert "wohnen" not in view.html() and "machine" not in view.html()


# --- codebook editor ------------------------------------------------------------------------------
def test_editor_asks_first_then_renames_once_and_undoes(ws: Workspace) -> None:
    session = widgets.Session(ws, MEETING, coder="AB")
    editor = widgets.CodebookEditor(session)
    editor.theme.value = "wohnen"
    editor.rename_label.value = "Wohnraum"
    editor.rename_button.click()
    assert editor.confirm.open and "Antworten" in editor.confirm.text.value and "„Wohnraum“" in editor.confirm.text.value
    assert load_codebook(workspace=ws.root).theme("wohnen").label_de == "Wohnen"  # nothing yet
    editor.confirm.yes.click()
    assert load_codebook(workspace=ws.root).theme("wohnen").label_de == "Wohnraum"
    assert editor.rename_label.value == "" and editor.theme.value == "wohnen"
    assert ("Wohnraum", "wohnen") in editor.theme.options
    editor.rename_button.click()  # a second click: refused, nothing renamed
    assert "Bitte einen Namen" in editor.status.value and not editor.confirm.open

    for theme in ("finanzierung", "verwaltung"):
        editor.merge_checks[theme].value = True
    editor.into.value = "strukturen"
    editor.merge_button.click()
    assert "wechseln zu „Strukturen und Vernetzung“" in editor.confirm.text.value
    editor.confirm.no.click()
    assert "finanzierung" in load_codebook(workspace=ws.root).ids

    editor.undo_button.click()
    assert "Zurücknehmen: Thema „Wohnen“ umbenannt in „Wohnraum“" in editor.confirm.text.value
    editor.confirm.yes.click()
    assert load_codebook(workspace=ws.root).theme("wohnen").label_de == "Wohnen"
    assert editor.history.frame["Stand"].tolist() == ["", "zurückgenommen"]


# --- reports note ---------------------------------------------------------------------------------
def test_reports_note_compares_the_state_the_reports_were_made_from(ws: Workspace) -> None:
    out = ws.report_dir(MEETING)
    out.mkdir(parents=True, exist_ok=True)
    assert not refresh.reports_state(ws, MEETING).made_at

    def listed(state: str) -> None:
        (out / "r.html").write_text("<html></html>")
        (out / INDEX_DATA).write_text(json.dumps({"r": {"title": "T", "kind": "meeting", "files": ["r.html"], "state": state}}))

    listed("0" * 16)  # made from another state
    state = refresh.reports_state(ws, MEETING)
    assert state.outdated and "Die Berichte sind veraltet" in state.note()
    listed(resolve_state(ws, MEETING).digest)
    session = widgets.Session(ws, MEETING, coder="AB")
    assert "Die Berichte sind aktuell (1 Bericht" in session.reports.status.value
    # touching a file changes nothing; a correction does
    os.utime(ws.root / "surveys" / "meetings.yaml", None)
    assert not refresh.reports_state(ws, MEETING).outdated
    widgets.save_from_parameters(session, [{"response_id": 1, "question_id": "q_gut", "themes": "wohnen"}])
    assert "Die Berichte sind veraltet" in session.reports.status.value and "die Korrekturen wurden am" in session.reports.status.value


def test_a_correction_in_another_meeting_makes_the_reports_old(ws: Workspace) -> None:
    """The engine learns from every meeting's corrections, so those of another meeting change this one's themes."""
    out = ws.report_dir(MEETING)
    out.mkdir(parents=True, exist_ok=True)
    (out / "r.html").write_text("<html></html>")
    (out / INDEX_DATA).write_text(json.dumps({"r": {"title": "T", "kind": "meeting", "files": ["r.html"], "state": resolve_state(ws, MEETING).digest}}))
    assert not refresh.reports_state(ws, MEETING).outdated
    other = next(m for m in ws.meetings() if m != MEETING)
    C.save_corrections(ws, other, pd.DataFrame([{"response_id": 1, "question_id": "q_gut", "themes": "wohnen"}]),
                       coder="AB", codebook=load_codebook(workspace=ws.root))
    state = refresh.reports_state(ws, MEETING)
    assert state.outdated and state.changed == "die Korrekturen eines anderen Treffens"
    now = resolve_state(ws, MEETING)
    assert now.changes_from(dataclasses.replace(now, teaching=())) == ["another meeting's codings (what the theme engine learns from)"]


# --- charts ---------------------------------------------------------------------------------------
def _lab(hex_colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* of an sRGB colour (D65)."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def test_compare_chart_gives_every_theme_its_own_colour(ws: Workspace) -> None:
    analysis = load_analysis(ws, MEETING)
    shares = compare.theme_shares(analysis)
    picture = figures.trend(shares, "themes", analysis)
    assert set(picture.colours) == {analysis.theme_label(t) for t in shares.columns} and len(shares.columns) == 11
    colours = list(picture.colours.values())
    assert len(set(colours)) == 11
    labs = [_lab(c) for c in SERIES_COLOURS]
    closest = min(sum((a - b) ** 2 for a, b in zip(p, q)) ** 0.5 for i, p in enumerate(labs) for q in labs[i + 1:])
    assert closest > 20  # ΔE*76: clearly different to the eye
    assert picture.png.startswith(b"\x89PNG") and b"<svg" in picture.svg[:400]
    assert "Wohnen" in picture.svg.decode() or b"<path" in picture.svg


def test_tables_export_masked_spreadsheets(ws: Workspace) -> None:
    from integkit.facilitator.controls import TableView

    view = TableView(pd.DataFrame({"Antwort": ["=HYPERLINK(\"http://x\")", "<b>fett</b>"], "Anteil": [0.5, 1.25]}), "test")
    assert "&lt;b&gt;fett&lt;/b&gt;" in view.html() and "0,50" in view.html() and "1,25" in view.html()
    rows = _workbook(view.html(), "Tabelle als Excel-Datei")
    assert rows[1] == ("'=HYPERLINK(\"http://x\")", 0.5)


def test_rerender_that_cannot_start_says_why(ws: Workspace) -> None:
    from integkit.workspace import Meeting

    ws.save_meeting(Meeting(id="vt-leer", title="Noch ohne Antworten"))
    session = widgets.Session(ws, "vt-leer")
    assert "noch keine Berichte" in session.reports.status.value
    session.reports.button.click()
    session.reports.wait(120)
    assert "Die Berichte lassen sich nicht erstellen" in session.reports.progress_text.value
    assert not session.reports.button.disabled and session.reports.result is None


def test_a_workspace_without_meetings_says_so(workspace: Workspace) -> None:
    session = widgets.Session(workspace, "demo-2026-11", ask_coder=True)
    assert "noch kein Treffen importiert" in session.message.value
    views = [widgets.Explorer(session), widgets.ReviewTable(session), widgets.StatusOverview(session),
             widgets.CorrectionHistory(session), widgets.AgreementView(session), widgets.CodebookEditor(session)]
    assert all(isinstance(v.html(), str) for v in views)
