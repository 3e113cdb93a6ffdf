"""The three facilitator notebooks as a person uses them: JupyterLab on loopback, Debian's chromium, real clicks.

One JupyterLab server (a free port, a token, a temporary copy of the demo workspace with the
notebooks) serves the whole module; Playwright drives /usr/bin/chromium (no browser download).
Every step waits for what the page shows, never for a fixed time, and then checks the files the
step wrote. A small third meeting (two responses of a recorded LimeSurvey export) keeps
re-rendering all of a meeting's reports quick.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest

from integkit.facilitator import explore, review
from integkit.analysis.meeting import load_analysis
from integkit.facilitator.session import meeting_label
from integkit.ingest.store import import_file
from integkit.themes import corrections as C
from integkit.themes.codebook import load_codebook
from integkit.workspace import Meeting, Workspace

from conftest import LSS_482931, RPC

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():  # pragma: no cover - CI installs it (.ci/run)
    pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
MEETING, SMALL = "demo-2026-11", "vt-klein"
LONG = 240_000  # ms: the longest wait (running a notebook, rendering reports) on a loaded 2-core machine
expect.set_options(timeout=60_000)  # a page state may take long on a loaded machine; never a fixed sleep
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(demo_home: Path, tmp_path_factory):
    """JupyterLab on loopback over a copy of the demo workspace, plus a small recorded meeting."""
    base = tmp_path_factory.mktemp("lab")
    ws = Workspace(shutil.copytree(demo_home, base / "ws"))
    ws.save_meeting(Meeting(id=SMALL, title="Kleines Treffen (LimeSurvey-Aufzeichnung)", series="probe"))
    with open(RPC / "export_responses__csv_range_5_9.decoded.csv", encoding="utf-8-sig", newline="") as recorded:
        rows = list(csv.reader(recorded, delimiter=";"))
    small = base / "klein.csv"  # two recorded responses (two municipalities): four reports to render
    with open(small, "w", encoding="utf-8", newline="") as out:
        csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL).writerows(rows[:3])
    import_file(ws, SMALL, small, LSS_482931)
    shutil.copytree(NOTEBOOKS, ws.root / "notebooks")
    settings = base / "settings"
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTER_DATA_DIR": str(base / "data"), "JUPYTER_PLATFORM_DIRS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.terminals_enabled=False", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ws.root}",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={base / 'workspaces'}"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(base / "server.log", "wb"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # until the server answers (at most 2 minutes)
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab did not start: {(base / 'server.log').read_text(errors='replace')[-2000:]}")
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
            context = browser.new_context(accept_downloads=True, viewport={"width": 1500, "height": 1000})
            context.set_default_timeout(60_000)
            yield {"ws": ws, "url": url, "token": token, "context": context, "downloads": base / "downloads",
                   "log": base / "server.log"}
            context.close()
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            server.kill()


def _open_and_run(lab, name: str) -> Page:
    """Open a notebook, choose Run → Run All Cells as a person would, wait until every cell ran without error."""
    page = lab["context"].new_page()
    page.goto(f"{lab['url']}/lab/workspaces/{name}/tree/notebooks/{name}.ipynb?reset&token={lab['token']}")  # only this notebook open
    expect(page.locator(".jp-Notebook .jp-Cell").first).to_be_visible(timeout=LONG)
    expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle").first).to_be_visible(timeout=LONG)  # the kernel is ready
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
    try:
        page.wait_for_function(
            """() => { const p = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                       return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""",
            timeout=LONG,
        )
    except PlaywrightTimeout:
        prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
        log = (lab["log"].read_text(errors="replace")[-3000:]) if lab["log"].is_file() else ""
        pytest.fail(f"{name}: not every cell ran: prompts {prompts}; outputs {outputs[-3:]}; server log: {log}")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    for i in range(errors.count()):
        assert "Traceback" not in errors.nth(i).inner_text() and "Error" not in errors.nth(i).inner_text()
    expect(page.locator(".jp-OutputArea-output", has_text="Traceback")).to_have_count(0)
    return page


def _dropdown(page: Page, label: str, nth: int = 0):
    return page.locator(".widget-dropdown", has=page.locator("label", has_text=re.compile(f"^{label}$"))).nth(nth).locator("select")


def _text(page: Page, label: str):
    return page.locator(".widget-text", has=page.locator("label", has_text=re.compile(f"^{label}$"))).locator("input")


def _download(page: Page, link_text: str, target: Path, nth: int = 0) -> Path:
    """Click the nth link with this text (-1: the last) and keep the file the browser saves.

    It waits for the kernel to be idle first, as a person waits for a view to finish updating:
    a link clicked while the kernel is still redrawing its output is replaced under the pointer.
    """
    expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle").first).to_be_visible(timeout=LONG)
    link = page.get_by_text(link_text, exact=True).nth(nth)
    expect(link).to_have_attribute("download", re.compile(r"\S"))
    with page.expect_download() as info:
        link.click()
    target.parent.mkdir(parents=True, exist_ok=True)
    info.value.save_as(target)
    return target


def explore_filter_read_the_answers_behind_a_count_page_and_export(lab) -> None:
    """explore.ipynb: run all, grid layout, filter, open a count, page, Excel, another meeting."""
    ws = lab["ws"]
    page = _open_and_run(lab, "explore")
    analysis = load_analysis(ws, MEETING, with_history=False)
    table = explore.answer_table(analysis)
    people = table["response_id"].nunique()
    expect(page.get_by_text(f"{len(table)} Antworten von {people} Personen")).to_be_visible()

    # the municipality headers stand upright and apart, the theme names stay while scrolling right
    heads = page.locator(".ik-grid .ik-head")
    expect(heads).to_have_count(table["municipality"].nunique())  # the grid is drawn
    boxes = [heads.nth(i).bounding_box() for i in range(heads.count())]
    for left, right in zip(boxes, boxes[1:]):
        assert left["x"] + left["width"] <= right["x"] + 0.5, (left, right)
    grid = page.locator(".ik-grid").first
    first_name = page.locator(".ik-grid .ik-sticky", has_text="Wohnen").first
    x_name, x_head = first_name.bounding_box()["x"], heads.first.bounding_box()["x"]
    grid.evaluate("g => { g.scrollLeft = g.scrollWidth; }")
    page.wait_for_function("() => document.querySelector('.ik-grid').scrollLeft > 0")
    scrolled = grid.evaluate("g => g.scrollLeft")
    assert abs(first_name.bounding_box()["x"] - x_name) <= 4  # stuck at the left edge, not scrolled away
    assert abs(heads.first.bounding_box()["x"] - (x_head - scrolled)) <= 1  # the municipalities moved

    # filter by municipality, then the Wohnen × Eching count opens exactly the people it counts
    _dropdown(page, "Gemeinde").select_option(label="Eching")
    eching = explore.filter_answers(table, municipality="Eching")
    expect(page.get_by_text(f"{len(eching)} Antworten von {eching['response_id'].nunique()} Personen")).to_be_visible()
    behind = explore.filter_answers(table, municipality="Eching", theme="wohnen")
    n_people, n_answers = behind["response_id"].nunique(), len(behind)
    button = page.locator("button[title^='Wohnen · Eching']")
    expect(button).to_have_text(str(n_people))
    button.click()
    heading = f"Wohnen · Eching: {n_people} Personen, {n_answers} Antworten"
    expect(page.get_by_text(heading)).to_be_visible()
    cell = page.locator(".widget-html", has=page.get_by_text(heading))
    expect(cell.locator("blockquote")).to_have_count(n_answers)

    # back to everyone: the answers come a page at a time
    _dropdown(page, "Gemeinde").select_option(label="alle")
    expect(page.get_by_text(f"Antworten 1–20 von {len(table)}").first).to_be_visible()
    pager = page.locator(".widget-hbox", has=page.get_by_text(f"Antworten 1–20 von {len(table)}")).last
    pager.get_by_role("button", name="Weiter").click()
    expect(page.get_by_text(f"Antworten 21–40 von {len(table)}").first).to_be_visible()

    # the table on screen as an Excel file
    saved = _download(page, "Diese Antworten als Excel-Datei", lab["downloads"] / "antworten.xlsx", nth=-1)  # all answers
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[0] == ("Nr.", "Gemeinde", "Rolle", "Frage", "Antwort", "Themen", "kodiert von") and len(rows) == len(table) + 1
    assert not any("huber@example.org" in str(v) for row in rows for v in row)  # redacted while the switch is off

    # another meeting from the picker, without typing code
    _dropdown(page, "Treffen").select_option(label=meeting_label(ws.meeting("demo-2026-05")))
    may = explore.answer_table(load_analysis(ws, "demo-2026-05", with_history=False))
    expect(page.get_by_text(f"{len(may)} Antworten von {may['response_id'].nunique()} Personen")).to_be_visible()
    page.close()


def review_correct_two_by_name_undo_one_rename_and_rerender(lab) -> None:
    """codebook_review.ipynb: initials, two corrections by name, undo one, rename with confirmation, re-render."""
    ws = lab["ws"]
    page = _open_and_run(lab, "codebook_review")
    expect(page.get_by_text("Für dieses Treffen gibt es noch keine Berichte")).to_be_visible()
    _text(page, "Ihr Kürzel").fill("AB")

    queue = review.review_queue(load_analysis(ws, MEETING, with_history=False))
    assert "ehrenamt" not in queue["themes"].iloc[0] and "arbeit" not in queue["themes"].iloc[1]  # so both are changes
    rows = page.locator(".ik-review-row")
    first, second = rows.nth(0), rows.nth(1)
    first.locator("input[placeholder='Thema hinzufügen …']").press_sequentially("Ehrenamt")
    first.locator("input[placeholder='Thema hinzufügen …']").press("Enter")
    expect(first.get_by_role("button", name="Ehrenamt ✕")).to_be_visible()
    entry = second.locator("input[placeholder='Thema hinzufügen …']")
    entry.press_sequentially("Mobilität")
    entry.press("Enter")
    expect(second.get_by_text("„Mobilität“ ist kein Thema des Codebooks")).to_be_visible()
    entry.fill("")
    entry.press_sequentially("Arbeit")
    entry.press("Enter")
    expect(second.get_by_role("button", name="Arbeit und Ausbildung ✕")).to_be_visible()
    expect(page.get_by_text("2 Änderungen noch nicht gespeichert")).to_be_visible()

    page.get_by_role("button", name="Korrekturen speichern").click()
    expect(page.get_by_text("Gespeichert: 2 Antworten, kodiert von AB")).to_be_visible()
    log = C.read_log(ws, MEETING)
    assert log["coder"].tolist() == ["AB", "AB"] and log["action"].tolist() == [C.CORRECT, C.CORRECT]
    assert "ehrenamt" in log["after"].iloc[0].split(";") and "arbeit" in log["after"].iloc[1].split(";")
    assert len(C.load_corrections(ws, MEETING)) == 2
    expect(page.locator(".ik-table td", has_text=re.compile("^korrigiert$"))).to_have_count(2)

    page.get_by_role("button", name="Letzte Korrektur zurücknehmen").click()
    second_key = (int(log["response_id"].iloc[1]), log["question_id"].iloc[1])
    expect(page.get_by_text(f"Zurückgenommen: Antwort Nr. {second_key[0]}")).to_be_visible()
    after = C.read_log(ws, MEETING)
    assert after["action"].tolist() == [C.CORRECT, C.CORRECT, C.UNDO] and after["coder"].iloc[2] == "AB"
    kept = C.load_corrections(ws, MEETING)
    assert len(kept) == 1 and (int(kept["response_id"].iloc[0]), kept["question_id"].iloc[0]) != second_key
    expect(page.locator(".ik-table td", has_text=re.compile("^zurückgenommen$"))).to_have_count(1)

    # rename a theme: it asks first and says how many answers carry the theme
    carrying = int(load_analysis(ws, MEETING, with_history=False).coded["themes"].str.contains("gesundheit").sum())
    _dropdown(page, "Thema").select_option(label="Gesundheit")
    _text(page, "neuer Name").fill("Gesundheit und Pflege")
    page.get_by_role("button", name="Umbenennen …").click()
    expect(page.locator(".ik-note", has_text=f"{carrying} Antworten")).to_contain_text("„Gesundheit“ heißt danach „Gesundheit und Pflege“")
    assert load_codebook(workspace=ws.root).theme("gesundheit").label_de == "Gesundheit"
    page.get_by_role("button", name="Ja, umbenennen").click()
    expect(page.get_by_text("Gespeichert: Thema „Gesundheit“ umbenannt in „Gesundheit und Pflege“")).to_be_visible()
    assert load_codebook(workspace=ws.root).theme("gesundheit").label_de == "Gesundheit und Pflege"
    assert (ws.root / "surveys" / "codebook_versions" / "0001.yaml").is_file()
    expect(_text(page, "neuer Name")).to_have_value("")
    expect(page.get_by_text("Die Berichte sind veraltet").or_(page.get_by_text("noch keine Berichte"))).to_be_visible()

    # all reports of a meeting again, in the background, with progress; then a correction makes them old
    _dropdown(page, "Treffen").select_option(label=meeting_label(ws.meeting(SMALL)))
    expect(page.get_by_text("Für dieses Treffen gibt es noch keine Berichte")).to_be_visible()
    page.get_by_role("button", name="Berichte neu erstellen").click()
    expect(page.get_by_text(re.compile(r"Fertig: \d+ Berichte neu erstellt"))).to_be_visible(timeout=LONG)
    index = json.loads((ws.report_dir(SMALL) / "reports.json").read_text(encoding="utf-8"))
    kinds = sorted(entry["kind"] for entry in index.values())
    assert kinds == ["actions", "meeting", "municipality", "municipality"] and (ws.report_dir(SMALL) / "index.html").is_file()
    expect(page.get_by_text(f"Fertig: {len(index)} Berichte neu erstellt")).to_be_visible()
    expect(page.get_by_text("Die Berichte sind aktuell")).to_be_visible()
    small = review.review_queue(load_analysis(ws, SMALL, with_history=False))
    theme = next(t for t in load_codebook(workspace=ws.root).themes if t.id not in small["themes"].iloc[0].split(";"))
    first = page.locator(".ik-review-row").nth(0)
    first.locator("input[placeholder='Thema hinzufügen …']").press_sequentially(theme.label_de)
    first.locator("input[placeholder='Thema hinzufügen …']").press("Enter")
    expect(first.get_by_role("button", name=f"{theme.label_de} ✕")).to_be_visible()
    page.get_by_role("button", name="Korrekturen speichern").click()
    expect(page.get_by_text("Gespeichert: 1 Antwort, kodiert von AB")).to_be_visible()
    expect(page.get_by_text("Die Berichte sind veraltet")).to_be_visible()
    page.close()


def compare_pick_a_municipality_and_save_chart_and_table(lab) -> None:
    """compare_meetings.ipynb: the rating note, chart as PNG and SVG, a municipality, a table as Excel."""
    page = _open_and_run(lab, "compare_meetings")
    expect(page.get_by_text("1 = sehr schlecht bis 5 = sehr gut").first).to_be_visible()
    expect(page.locator("figure img").first).to_be_visible()
    png = _download(page, "Grafik als PNG", lab["downloads"] / "themen.png")
    svg = _download(page, "Grafik als SVG", lab["downloads"] / "themen.svg")
    assert png.read_bytes().startswith(b"\x89PNG") and b"<svg" in svg.read_bytes()[:500]
    _dropdown(page, "Gemeinde").select_option(label="Eching")
    expect(page.get_by_text("Eching: Anteil der Teilnehmenden je Thema (%)")).to_be_visible()
    table = _download(page, "Tabelle als Excel-Datei", lab["downloads"] / "teilnahme.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(table.read_bytes())).active.iter_rows(values_only=True))
    assert rows[0] == ("Gemeinde", "13.05.2026", "18.11.2026") and rows[-1][0] == "Landkreis gesamt"
    page.close()


def test_the_facilitator_notebooks_in_a_browser(lab) -> None:
    """One test, so that the test run's workers start one JupyterLab for the three notebooks, not one each."""
    explore_filter_read_the_answers_behind_a_count_page_and_export(lab)
    review_correct_two_by_name_undo_one_rename_and_rerender(lab)
    compare_pick_a_municipality_and_save_chart_and_table(lab)
