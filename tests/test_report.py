"""Reports rendered with papermill on a real kernel, converted to self-contained HTML."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import nbformat
import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from conftest import CSV_SHORT, LIMESURVEY, LSS_482931
from integkit.cli import app
from integkit.ingest.store import import_file
from conftest import render_meeting
from integkit.workspace import init_workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("report") / "ws")
    import_file(ws, "vt-2026-10", CSV_SHORT, LSS_482931)
    report = render_meeting(ws, "vt-2026-10")
    return ws, report, BeautifulSoup(report.html.read_text(encoding="utf-8"), "html.parser")


def test_report_has_the_sections_in_german(rendered):
    _, _, soup = rendered
    headings = [h.get_text(strip=True) for h in soup.find_all(["h1", "h2", "h3"])]
    assert headings[0].startswith("Auswertung: Vernetzungstreffen der Gemeinden")
    for section in ("Teilnahme", "Nach Funktion", "Einschätzung der Lage", "Antworten auf die offenen Fragen",
                    "Was gelingt in Ihrer Gemeinde gut?", "Was sollte ausgebaut werden?",
                    "Wie kann das Landratsamt Sie unterstützen?", "Datengrundlage"):
        assert section in headings
    text = soup.get_text(" ")
    assert "31 Personen aus 12 Gemeinden haben geantwortet (27 vollständig, 4 unvollständig)" in text


def test_report_is_self_contained_with_alt_text_and_hidden_code(rendered):
    _, report, soup = rendered
    html = report.html.read_text(encoding="utf-8")
    images = soup.find_all("img")
    assert len(images) >= 2
    for img in images:
        assert img["src"].startswith(("data:image/svg+xml;base64,", "data:image/png;base64,")) and len(img["alt"]) > 30
    assert not soup.find_all("script") and not soup.find_all("link")
    assert "http://" not in html and "https://" not in html
    assert "load_responses" not in html and "import " not in soup.get_text()  # code cells are hidden


def test_answer_text_is_shown_as_text_not_markup(rendered):
    _, _, soup = rendered
    assert soup.find("kontaktliste") is None
    assert "<Kontaktliste>" in soup.get_text()
    assert "👍" in soup.get_text()


def test_report_names_its_snapshot_and_version(rendered):
    ws, report, soup = rendered
    footer = soup.find("footer").get_text(" ")
    snapshot_dir = next(ws.snapshots_dir("vt-2026-10").iterdir())
    manifest = json.loads((snapshot_dir / "manifest.json").read_text())
    assert manifest["sha256"] in footer and "integkit-Version" in footer


def test_executed_notebook_holds_only_declared_parameters(rendered):
    _, report, _ = rendered
    nb = nbformat.read(report.notebook, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    names = {line.split("=")[0].strip() for line in injected[0].source.splitlines() if "=" in line}
    assert names == {"meeting_id", "workspace", "snapshot", "language", "min_group"}


def test_english_report(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    import_file(ws, "vt", CSV_SHORT, LSS_482931)
    report = render_meeting(ws, "vt", language="en")
    text = BeautifulSoup(report.html.read_text(), "html.parser").get_text(" ")
    assert "Participation" in text and "Answers to the open questions" in text


def test_survey_integkit_did_not_write_imports_and_reports(tmp_path):
    """A different survey: its export plus its .lss, no mapping given."""
    ws = init_workspace(tmp_path / "ws")
    export = tmp_path / "zufriedenheit.csv"
    rows = [
        ("1", "2026-11-20 10:00:00", "5", "Mehr Zeit für Austausch zwischen den Gemeinden."),
        ("2", "2026-11-20 11:00:00", "4", "Gerne wieder im Landratsamt."),
        ("3", "", "", ""),
    ]
    lines = ['"id";"submitdate";"lastpage";"startlanguage";"seed";"startdate";"datestamp";"ZUFRIEDEN";"ANREGUNG"']
    lines += [f'"{i}";"{d}";"1";"de";"";"{d}";"{d}";"{z}";"{a}"' for i, d, z, a in rows]
    export.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
    structure = LIMESURVEY / "survey_structure" / "limesurvey_survey_482932.lss"
    result = runner.invoke(app, ["import", "nachbefragung", str(export), "--structure", str(structure), "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["report", "nachbefragung", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    html = (ws.report_dir("nachbefragung") / "nachbefragung_bericht.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    assert "Haben Sie Anregungen für künftige Treffen?" in [h.get_text() for h in soup.find_all("h3")]
    assert "Mehr Zeit für Austausch zwischen den Gemeinden." in soup.get_text()
    assert "Wie zufrieden waren Sie insgesamt" in " ".join(img["alt"] for img in soup.find_all("img"))


def test_unknown_meeting_fails_cleanly(workspace):
    result = runner.invoke(app, ["report", "nope", "-w", str(workspace.root)])
    assert result.exit_code == 2 and "not registered" in result.output


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not chromium() and not os.environ.get("CI"), reason="chromium not installed (CI installs it)")
def test_demo_renders_and_opens_offline_in_a_browser(tmp_path):
    ws_root = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "-w", str(ws_root)])
    assert result.exit_code == 0, result.output
    assert result.output.count("index.html") == 2
    reports = sorted((ws_root / "reports").glob("*/*_bericht.html"))
    assert [p.parent.name for p in reports] == ["demo-2026-05", "demo-2026-11"]
    assert len(list((ws_root / "reports" / "demo-2026-11").glob("*_gemeinde_*.html"))) >= 12
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400", f"--screenshot={shot}",
         reports[1].as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert shot.is_file(), proc.stderr[-2000:]
    from PIL import Image

    image = Image.open(shot).convert("L")
    assert image.getextrema()[0] < 100  # something dark (text, bars) is drawn: not a blank page
