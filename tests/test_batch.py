"""`integkit report --all`: meeting and municipality reports, PDF, index, action list, privacy."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from integkit.cli import app
from integkit.demo import import_demo
from integkit.report.batch import plan_reports, render_batch
from integkit.report.render import ReportJob
from integkit.responses import load_responses
from integkit.workspace import init_workspace

runner = CliRunner()
MEETING = "demo-2026-11"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("batch") / "ws")
    import_demo(ws)
    result = runner.invoke(app, ["report", MEETING, "--all", "--format", "html,pdf", "--jobs", "2", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return ws, ws.report_dir(MEETING)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_all_renders_meeting_and_one_report_per_municipality_with_pdf(batch):
    ws, out = batch
    people = load_responses(ws, MEETING).respondents
    municipalities = set(people["municipality"]) - {"ohne Angabe"}
    municipal_html = sorted(out.glob(f"{MEETING}_gemeinde_*.html"))
    assert len(municipal_html) == len(municipalities)
    for html in [out / f"{MEETING}_bericht.html", *municipal_html]:
        pdf = html.with_suffix(".pdf")
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folders left


def test_meeting_report_has_every_section(batch):
    _, out = batch
    headings = [h.get_text(strip=True) for h in soup(out / f"{MEETING}_bericht.html").find_all(["h2"])]
    for section in ("Zusammenfassung", "Teilnahme", "Themen insgesamt", "Themen nach Gemeinde", "Themen nach Frage",
                    "Einschätzung der Lage", "Wortwolken", "Stimmen zu den Themen", "Neu entdeckte Themen",
                    "Entwicklung seit früheren Treffen", "Handlungsliste", "Antworten auf die offenen Fragen", "Datengrundlage"):
        assert section in headings, section
    page = soup(out / f"{MEETING}_bericht.html")
    summary = page.find("p", class_="summary").get_text()
    assert "Am häufigsten genannt" in summary and "Größte Veränderung seit 13.05.2026" in summary
    for img in page.find_all("img"):
        assert len(img["alt"]) > 30


def test_shared_meeting_report_shows_no_group_smaller_than_three(batch):
    ws, out = batch
    people = load_responses(ws, MEETING).respondents
    sizes = people["municipality"].value_counts()
    small = [m for m, n in sizes.items() if n < 3]
    assert small  # the demo has small municipalities on purpose
    page = soup(out / f"{MEETING}_bericht.html")
    cells = [td.get_text(strip=True) for td in page.find_all(["td", "th"])]
    for name in small:
        assert name not in cells
        assert f"{name} (n=" not in " ".join(img["alt"] for img in page.find_all("img"))
    assert any(c.startswith("weitere (") for c in cells)
    assert not any(re.search(rf"·\s*{re.escape(n)}\b", w.get_text()) for w in page.find_all(class_="who") for n in small)
    assert all(w.get_text() not in small for w in page.find_all(class_="who"))


def test_municipality_report_holds_only_its_own_quotes(batch):
    ws, out = batch
    responses = load_responses(ws, MEETING)
    people = responses.respondents.set_index("response_id")["municipality"]
    page = soup(out / f"{MEETING}_gemeinde_freising.html")
    assert "Ihre Gemeinde im Vergleich zum Landkreis" in page.get_text()
    quotes = [b.get_text(" ", strip=True) for b in page.find_all("blockquote")]
    assert quotes
    others = responses.answers[responses.answers["response_id"].map(people) != "Freising"]["text"]
    for quote in quotes:
        core = quote.replace(" …", "")[:60]
        assert not any(core in " ".join(text.split()) for text in others), quote
    assert not page.find_all(class_="who")  # all of them are Freising's: no attribution needed


def test_small_municipality_report_says_so_instead_of_showing(batch):
    ws, out = batch
    page = soup(out / f"{MEETING}_gemeinde_wolfersdorf.html")
    text = page.get_text(" ")
    assert "Weniger als 3 Teilnehmende" in text
    assert not page.find_all("blockquote")
    wolfersdorf = load_responses(ws, MEETING)
    ids = wolfersdorf.respondents.loc[wolfersdorf.respondents["municipality"] == "Wolfersdorf", "response_id"]
    for answer in wolfersdorf.answers.loc[wolfersdorf.answers["response_id"].isin(ids), "text"]:
        assert answer[:40] not in text


def test_index_links_every_report(batch):
    _, out = batch
    page = soup(out / "index.html")
    links = {a["href"] for a in page.find_all("a")}
    produced = {p.name for p in out.iterdir() if p.suffix in (".html", ".pdf", ".csv", ".xlsx") and p.name != "index.html"}
    assert links == produced


def test_action_list_is_written_as_csv_and_xlsx(batch):
    _, out = batch
    csv = pd.read_csv(out / f"{MEETING}_handlungsliste.csv", sep=";", encoding="utf-8-sig")
    xlsx = pd.read_excel(out / f"{MEETING}_handlungsliste.xlsx")
    assert list(csv.columns) == ["Thema", "Anliegen", "Teilnehmende", "Gemeinden"] == list(xlsx.columns)
    assert {"Ausbauen", "Unterstützung Landratsamt"} == set(csv["Anliegen"])
    assert csv["Teilnehmende"].is_monotonic_decreasing and len(csv) == len(xlsx)


def test_action_list_csv_and_xlsx_are_replaced_together_or_not_at_all(batch, tmp_path, monkeypatch):
    import integkit.io
    from integkit.report.render import run_job

    ws, _ = batch
    import dataclasses

    planned = next(j for j in plan_reports(ws, MEETING, []) if j.kind == "actions")
    job = dataclasses.replace(planned, out_dir=tmp_path)
    csv_path, xlsx_path = tmp_path / f"{job.name}.csv", tmp_path / f"{job.name}.xlsx"
    csv_path.write_text("old", encoding="utf-8")
    xlsx_path.write_bytes(b"old")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(integkit.io, "write_xlsx", broken)
    with pytest.raises(OSError, match="disk full"):
        run_job(job)
    assert csv_path.read_text(encoding="utf-8") == "old" and xlsx_path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([csv_path.name, xlsx_path.name])  # no temporaries left
    monkeypatch.undo()
    run_job(job)
    assert pd.read_csv(csv_path, sep=";", encoding="utf-8-sig").shape[0] == pd.read_excel(xlsx_path).shape[0] > 0


def test_a_failing_report_is_listed_while_the_others_finish(batch, tmp_path):
    ws, _ = batch
    good = [j for j in plan_reports(ws, MEETING, ["Freising"], include_meeting=False) if j.kind == "municipality"]
    broken = ReportJob("kaputt", "kaputt", "municipality", tmp_path / "missing.ipynb", tmp_path / "out", good[0].parameters)
    result = render_batch([broken, *good], workers=2)
    assert [r.name for r in result.rendered] == [good[0].name]
    assert [name for name, _ in result.failed] == ["kaputt"]
    assert "missing.ipynb" in result.failed[0][1]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unknown_municipality_and_format_are_refused(batch):
    ws, _ = batch
    result = runner.invoke(app, ["report", MEETING, "--municipality", "Atlantis", "-w", str(ws.root)])
    assert result.exit_code == 2 and "no respondents from Atlantis" in result.output
    result = runner.invoke(app, ["report", MEETING, "--format", "docx", "-w", str(ws.root)])
    assert result.exit_code == 2 and "docx: choose from html, pdf" in result.output
    result = runner.invoke(app, ["report", MEETING, "--language", "fr", "-w", str(ws.root)])
    assert result.exit_code == 2 and "'fr' is not one of 'de', 'en'" in result.output


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium not installed (CI installs it)")
def test_reports_open_in_headless_chromium(batch, tmp_path):
    import subprocess

    from PIL import Image

    _, out = batch
    for name in (f"{MEETING}_bericht.html", f"{MEETING}_gemeinde_freising.html", "index.html"):
        shot = tmp_path / f"{name}.png"
        proc = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1200", f"--screenshot={shot}",
             (out / name).as_uri()],
            capture_output=True, text=True, timeout=120,
        )
        assert shot.is_file(), proc.stderr[-1500:]
        assert "Uncaught" not in proc.stderr and "Refused to" not in proc.stderr
        assert Image.open(shot).convert("L").getextrema()[0] < 100
