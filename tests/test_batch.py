"""`integkit report --all`: meeting and municipality reports, PDF, index, action list, privacy."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from conftest import wait_until
from integkit.cli import app
from integkit.demo import import_demo
from integkit.report.batch import plan_reports, render_batch
from integkit.report.render import ReportJob
from integkit.responses import load_responses
from integkit.workspace import Meeting, init_workspace

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
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folders or files left


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
    from integkit.errors import ReportError
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
    with pytest.raises(ReportError, match=rf"report {job.name}: .*{xlsx_path.name}: cannot write \(disk full\)"):
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
    result = runner.invoke(app, ["report", MEETING, "--timeout", "0", "-w", str(ws.root)])
    assert result.exit_code == 2 and "--timeout" in result.output


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


# --- one file per municipality, one snapshot per batch, one state per index (issues 14.1, 14.6, 15.5) ---------
STATE_MEETING = "vt-2026-11"
# a real export's rows, their municipalities set to names that share a file name: from the list (G03),
# typed as "other" with and without the abbreviation's dot, with a leading BOM, and names that are only dots or a dash
COLLIDING = ["G03", "G03", "G03", "Neufahrn b Freising", "\ufeffNeufahrn b. Freising", "..", ".", "-"]


def head_meta(path: Path) -> dict[str, str]:
    return {m["name"].removeprefix("integkit-"): m["content"] for m in soup(path).find_all("meta", attrs={"name": re.compile("^integkit-")})}


def reports_of(out: Path) -> dict[str, dict[str, str]]:
    """Each HTML report in a folder with its integkit-* provenance tags."""
    return {p.name: head_meta(p) for p in sorted(out.glob("*.html")) if p.name != "index.html"}


def run_batch_while_importing(ws, export: Path) -> tuple[int, str, bool]:
    """`integkit report --all` in a second process, and `integkit import` of `export` while it renders."""
    import os
    import subprocess
    import sys

    out = ws.report_dir(STATE_MEETING)
    batch = subprocess.Popen(
        [sys.executable, "-m", "integkit", "report", STATE_MEETING, "--all", "--jobs", "2", "-w", str(ws.root)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ,
    )
    wait_until(lambda: out.is_dir() and any(p.name.endswith(".rendering") for p in out.iterdir()),
               gave_up=lambda: batch.poll() is not None, why=lambda: batch.communicate()[0])
    imported = runner.invoke(app, ["import", STATE_MEETING, str(export), "-w", str(ws.root)])
    assert imported.exit_code == 0, imported.output
    overlapped = batch.poll() is None  # the import ended while reports were still rendering
    output, _ = batch.communicate(timeout=600)
    return batch.returncode, output, overlapped


@pytest.fixture(scope="module")
def renewal(tmp_path_factory):
    """Import, `report --all` with a concurrent import, then a coding change and `integkit report MEETING`."""
    from conftest import recorded_export

    from integkit.ingest.snapshot import find_snapshot
    from integkit.themes.coding import save_corrections

    root = tmp_path_factory.mktemp("renewal")
    ws = init_workspace(root / "ws")
    first = recorded_export(root / "first.csv", COLLIDING)
    result = runner.invoke(app, ["import", STATE_MEETING, str(first), "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    s1 = find_snapshot(ws.snapshots_dir(STATE_MEETING)).id
    # the second export: one more respondent from Neufahrn, and nobody typed "-" any more
    second = recorded_export(root / "second.csv", ["G03", "G03", "G03", "Neufahrn b Freising", "\ufeffNeufahrn b. Freising", "..", ".", "G03"])
    code, output, overlapped = run_batch_while_importing(ws, second)
    s2 = find_snapshot(ws.snapshots_dir(STATE_MEETING)).id
    out = ws.report_dir(STATE_MEETING)
    phase1 = {"code": code, "output": output, "overlapped": overlapped, "reports": reports_of(out),
              "index": (out / "index.html").read_text(encoding="utf-8"),
              "notebooks": {p.name: nbformat_parameters(p) for p in out.glob("*.ipynb")},
              "municipalities": set(load_responses(ws, STATE_MEETING, s1).respondents["municipality"])}
    before = json.loads((out / "reports.json").read_text(encoding="utf-8"))

    save_corrections(ws, STATE_MEETING, pd.DataFrame({"response_id": [1], "question_id": ["q_gut"], "themes": ["wohnen"]}), coder="Test")
    again = runner.invoke(app, ["report", STATE_MEETING, "--jobs", "2", "-w", str(ws.root)])
    phase2 = {"code": again.exit_code, "output": again.output, "reports": reports_of(out),
              "record": json.loads((out / "reports.json").read_text(encoding="utf-8")), "before": before,
              "index": soup(out / "index.html")}
    return {"ws": ws, "out": out, "s1": s1, "s2": s2, "phase1": phase1, "phase2": phase2}


def nbformat_parameters(path: Path) -> dict:
    import nbformat

    return dict(nbformat.read(path, as_version=4).metadata["papermill"]["parameters"])


def test_municipality_file_names_are_distinct_readable_and_deterministic():
    from integkit.report.batch import municipality_slugs

    names = ["Neufahrn b. Freising", "Neufahrn b Freising", "\ufeffNeufahrn b. Freising", "..", ".", "-", "Freising", "Hörgertshausen", "x" * 300]
    parts = municipality_slugs(names)
    assert len(set(parts.values())) == len(names)
    assert parts["Freising"] == "freising" and parts["Hörgertshausen"] == "hoergertshausen"  # unique slugs stay plain
    assert all(parts[n].startswith("neufahrn-b-freising-") for n in names[:3])
    assert all(parts[n].startswith("gemeinde-") for n in ("..", ".", "-"))
    assert all(re.fullmatch(r"[a-z0-9-]{1,80}", p) for p in parts.values())
    assert municipality_slugs(reversed(names)) == parts


def test_two_jobs_writing_one_file_are_refused_before_anything_runs(tmp_path):
    from integkit.errors import ReportError

    job = ReportJob("vt_gemeinde_neufahrn", "A", "municipality", tmp_path / "t.ipynb", tmp_path / "out", {"meeting_id": "vt"})
    twin = ReportJob("vt_gemeinde_neufahrn", "B", "municipality", tmp_path / "t.ipynb", tmp_path / "out", {"meeting_id": "vt"})
    with pytest.raises(ReportError, match="'A' and 'B' would both be written to .*vt_gemeinde_neufahrn"):
        render_batch([job, twin], workers=2)
    assert not (tmp_path / "out").exists()


def test_municipalities_sharing_a_file_name_each_get_their_own_report_and_index_entry(renewal):
    phase1 = renewal["phase1"]
    assert phase1["code"] == 0, phase1["output"]
    towns = phase1["municipalities"] - {"ohne Angabe"}
    municipal = {name: tags for name, tags in phase1["reports"].items() if tags["kind"] == "municipality"}
    assert sorted(tags["municipality"] for tags in municipal.values()) == sorted(towns)  # one file each
    from integkit.report.batch import slug

    assert len({slug(t) for t in towns}) < len(towns)  # the data really holds names that share a slug
    index = BeautifulSoup(phase1["index"], "html.parser")
    labels = [tr.find("td").get_text(" ", strip=True) for tr in index.find_all("tr") if tr.find("td")]
    for town in towns:
        assert labels.count(town) == 1, (town, labels)
    links = {a["href"] for a in index.find_all("a")}
    assert set(municipal) <= links


def test_a_concurrent_import_does_not_mix_snapshots_in_one_batch(renewal):
    phase1, s1, s2 = renewal["phase1"], renewal["s1"], renewal["s2"]
    assert s1 != s2 and phase1["overlapped"]  # a newer snapshot arrived while the batch ran
    assert {tags["snapshot"] for tags in phase1["reports"].values()} == {s1}
    assert {p["snapshot"] for p in phase1["notebooks"].values()} == {s1}  # no notebook was told "latest"
    assert len({tags["state"] for tags in phase1["reports"].values()}) == 1


def test_after_a_coding_change_report_renews_every_listed_report(renewal):
    phase2, s2 = renewal["phase2"], renewal["s2"]
    assert phase2["code"] == 0, phase2["output"]
    record, before = phase2["record"], phase2["before"]
    gone = [name for name, entry in record.items() if entry.get("municipality") == "-"]
    renewed = {name: entry for name, entry in record.items() if name not in gone}
    assert len(gone) == 1 and set(record) == set(before)
    assert len({entry["state"] for entry in renewed.values()}) == 1
    assert {entry["snapshot"] for entry in renewed.values()} == {s2}
    assert all(entry["state"] != before[name]["state"] for name, entry in renewed.items())
    for name, tags in phase2["reports"].items():
        assert (tags["snapshot"], tags["state"]) == ((s2, renewed[name[:-5]]["state"]) if name[:-5] in renewed else (renewal["s1"], record[gone[0]]["state"]))
    towns = [entry for entry in renewed.values() if entry["kind"] == "municipality"]
    for entry in towns:
        assert str(renewal["out"] / entry["files"][-1]) in phase2["output"]
    assert f"also rendering {len(towns)} report(s) the index lists" in phase2["output"]


def test_the_index_shows_date_snapshot_codebook_and_version_and_marks_what_is_out_of_date(renewal):
    from integkit import __version__

    page, record = renewal["phase2"]["index"], renewal["phase2"]["record"]
    assert [th.get_text() for th in page.find("thead").find_all("th")] == ["Bericht", "Dateien", "Stand", "Snapshot", "Codebook", "integkit-Version"]
    rows = {tr.find("a")["href"].rsplit(".", 1)[0]: tr for tr in page.find_all("tr") if tr.find("a")}
    assert set(rows) == set(record)
    for name, tr in rows.items():
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        entry = record[name]
        assert re.fullmatch(r"\d\d\.\d\d\.20\d\d, \d\d:\d\d", cells[2])
        assert cells[3:] == [entry["snapshot"], entry["codebook"], __version__]
        assert ("veraltet" in cells[0]) == (entry.get("municipality") == "-"), cells
    assert "veraltet" in page.find("p", class_="note").get_text()


def test_a_report_under_a_new_file_name_replaces_the_old_entry_and_its_files(tmp_path):
    """When a second name with the same slug appears, a municipality's file name gets a hash: the old file goes."""
    from integkit.report.index import listed_reports, write_index
    from integkit.report.render import RenderedReport

    ws = init_workspace(tmp_path / "ws")
    ws.save_meeting(Meeting(id="vt-1", title="Treffen"))
    out = ws.report_dir("vt-1")
    out.mkdir(parents=True)

    def rendered(name: str, language: str = "de") -> RenderedReport:
        files = tuple(out / f"{name}{suffix}" for suffix in (".ipynb", ".html"))
        for path in files:
            path.write_text(name, encoding="utf-8")
        job = ReportJob(name, "Treffen: Neufahrn b. Freising", "municipality", Path("t.ipynb"), out,
                        {"meeting_id": "vt-1", "snapshot": "s1", "municipality": "Neufahrn b. Freising"}, language=language)
        return RenderedReport(name, job.title, job.kind, files, job, "2026-11-10T10:00:00+01:00")

    write_index(ws, "vt-1", [rendered("vt-1_gemeinde_neufahrn-b-freising"), rendered("vt-1_municipality_neufahrn-b-freising", "en")])
    write_index(ws, "vt-1", [rendered("vt-1_gemeinde_neufahrn-b-freising-1a2b3c4d")])
    assert set(listed_reports(ws, "vt-1")) == {"vt-1_gemeinde_neufahrn-b-freising-1a2b3c4d", "vt-1_municipality_neufahrn-b-freising"}
    assert not list(out.glob("vt-1_gemeinde_neufahrn-b-freising.*"))  # the superseded files are gone
    assert len(list(out.glob("vt-1_municipality_neufahrn-b-freising.*"))) == 2  # the English one is another report


def test_a_report_for_a_name_no_one_confirmed_says_so(tmp_path):
    from conftest import recorded_export

    ws = init_workspace(tmp_path / "ws")
    export = recorded_export(tmp_path / "typo.csv", ["G01", "G01", "G01", "Freisng", "Freisng", "Freisng"])
    assert runner.invoke(app, ["import", "vt-typo", str(export), "-w", str(ws.root)]).exit_code == 0
    result = runner.invoke(app, ["report", "vt-typo", "--municipality", "Freisng", "--jobs", "1", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "'Freisng' is no municipality of the questionnaire or the district (maybe Freising)" in result.output
    (ws.surveys_dir / "municipalities.yaml").write_text("aliases:\n  Freisng: Freising\n", encoding="utf-8")
    result = runner.invoke(app, ["report", "vt-typo", "--all", "--jobs", "1", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "is no municipality" not in result.output and "gemeinde_freising" in result.output
