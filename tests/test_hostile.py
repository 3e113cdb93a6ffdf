"""Hostile answers (GitHub issue 7): reports show them as text only, spreadsheets mask them,
quotes carry no personal data, and no breakdown rests on fewer than three respondents.

One LimeSurvey CSV export with the standard questionnaire's code headings is imported with
`integkit import`, and its meeting report and two municipality reports are rendered once for
the module (HTML and PDF), together with a benign twin of the same meeting whose answers
hold no markup: the hostile reports must have the same element structure as the benign ones.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from integkit.cli import app
from integkit.report.batch import plan_reports, render_batch, slug
from integkit.workspace import init_workspace

runner = CliRunner()
FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "hostile" / "answers.json").read_text(encoding="utf-8"))
HOSTILE: list[str] = FIXTURE["hostile"]
PERSONAL: list[str] = FIXTURE["personal"]
FORBIDDEN: list[str] = FIXTURE["personal_forbidden"]
SCRIPT_TOWN: str = FIXTURE["municipalities"]["script"]
FORMULA_TOWN: str = FIXTURE["municipalities"]["formula"]
MEETING = "vt-hostile"
MEGABYTE = 1_000_000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    ["id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate", "datestamp", "GEMEINDE", "GEMEINDE[other]", "ROLLE", "EHRENAMT"]
    + [f"BEREICHE[SQ00{i}]" for i in range(1, 6)]
    + [f"THEMEN[T0{i}]" for i in range(1, 8)]
    + ["THEMEN[other]", "GELINGT", "AUSBAU", "UNTERSTUETZUNG", "KONTAKT"]
)
# id: (GEMEINDE code or "-oth-" name, role); 7 is incomplete. Municipalities: Freising 7, Moosburg 4,
# the two hostile names 3 each, Zolling 2, Wolfersdorf 1, none 1. Roles: R1 (Bürgermeister/in) once.
PEOPLE = {
    1: ("G01", "R3"), 2: ("G01", "R4"), 3: ("G01", "R4"), 4: ("G01", "R3"), 5: ("G01", "R2"), 6: ("G01", "R2"), 7: ("G01", "R4"),
    8: ("G02", "R4"), 9: ("G02", "R2"), 10: ("G02", "R3"), 11: ("G02", "R4"),
    12: ("script", "R4"), 13: ("script", "R3"), 14: ("script", "R5"),
    15: ("formula", "R4"), 16: ("formula", "R3"), 17: ("formula", "R5"),
    18: ("G09", "R4"), 19: ("G09", "R1"), 20: ("G24", "R5"), 21: ("", "R3"),
}
SMALL_TOWNS = ("Zolling", "Wolfersdorf")
GENERIC = [
    "Der Helferkreis ist sehr engagiert und die Ehrenamtlichen helfen viel.",
    "Sprachkurse am Abend wären gut, die Deutschkurse sind voll.",
    "Wohnungen fehlen, der Wohnungsmarkt ist sehr angespannt.",
    "Mehr Geld und Zuschüsse für Personal in der Integrationsarbeit.",
    "Die Beratung im Landratsamt ist schnell und freundlich.",
]
SMALL_SECRET = "Zollinger Sonderwunsch Wohnungen"  # only Zolling (2 respondents) says this


def benign(text: str) -> str:
    """A harmless twin of a hostile answer: the same theme words, no markup or control characters."""
    return re.sub(r"[^\w\s.,äöüÄÖÜß]", " ", CONTROL.sub("", text)).strip() or "Sprache."


def megabyte_answer(hostile: bool) -> str:
    unit = (
        "<script>alert(1)</script> Wohnungen $x$ {{x}} \u202e 👨\u200d👩\u200d👧 Sprache im Helferkreis. "
        if hostile else "Wohnungen und Sprache im Helferkreis sind wichtig. "
    )
    return (unit * (MEGABYTE // len(unit) + 1))[:MEGABYTE]


def town(code: str, hostile: bool) -> tuple[str, str]:
    if code == "script":
        return "-oth-", SCRIPT_TOWN if hostile else "Musterdorf"
    if code == "formula":
        return "-oth-", FORMULA_TOWN if hostile else "Beispielstadt"
    return code, ""


def answers(hostile: bool) -> dict[tuple[int, str], str]:
    """(id, code) -> answer: hostile and personal answers from the large municipalities, etc."""
    texts = [t if hostile else benign(t) for t in HOSTILE] + PERSONAL
    slots = [(i, q) for i in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11) for q in ("GELINGT", "AUSBAU", "UNTERSTUETZUNG")]
    out = {slot: texts[k] if k < len(texts) else GENERIC[k % len(GENERIC)] for k, slot in enumerate(slots)}
    for k, i in enumerate((12, 13, 14)):  # the municipality with a script for a name quotes hostile text too
        out[(i, "GELINGT")] = (HOSTILE[k] if hostile else benign(HOSTILE[k])) + " Der Helferkreis hilft."
        out[(i, "AUSBAU")] = GENERIC[k]
    for i in (15, 16, 17):  # only the "=cmd" municipality wants doctors: its name leads an action-list cell
        out[(i, "AUSBAU")] = "Mehr Hausärzte und Gesundheit vor Ort, ein Arzt fehlt."
        out[(i, "GELINGT")] = GENERIC[i % len(GENERIC)]
    for i in (18, 19):
        out[(i, "AUSBAU")] = f"{SMALL_SECRET} {i}."
    out[(20, "GELINGT")] = "Wolfersdorfer Eigenheit: Sprachkurse im Pfarrheim."
    out[(21, "UNTERSTUETZUNG")] = GENERIC[4]
    out[(7, "AUSBAU")] = megabyte_answer(hostile)  # from the incomplete response
    return out


def export_rows(hostile: bool) -> list[list[str]]:
    text = answers(hostile)
    rows = []
    for i, (code, role) in PEOPLE.items():
        gemeinde, other = town(code, hostile)
        done = "" if i == 7 else f"2026-11-10 {8 + i % 10:02d}:{i:02d}:00"
        row = {
            "id": str(i), "submitdate": done, "lastpage": "3", "startlanguage": "de", "seed": "", "token": "",
            "startdate": f"2026-11-10 07:{i:02d}:00", "datestamp": f"2026-11-10 08:{i:02d}:00",
            "GEMEINDE": gemeinde, "GEMEINDE[other]": other, "ROLLE": role, "EHRENAMT": str(i),
            **{f"BEREICHE[SQ00{k}]": str((i + k) % 5 + 1) for k in range(1, 6)},
            **{f"THEMEN[T0{k}]": "Y" if (i + k) % 3 == 0 else "" for k in range(1, 8)},
            "THEMEN[other]": "<b onmouseover=alert(5)>anderes</b>" if hostile and i % 4 == 0 else "",
            "KONTAKT": "N",
        }
        for q in ("GELINGT", "AUSBAU", "UNTERSTUETZUNG"):
            row[q] = text.get((i, q), "")
        rows.append([row[h] for h in HEADER])
    return rows


def limesurvey_csv(rows: list[list[str]]) -> bytes:
    """As LimeSurvey writes a CSV export: BOM, ';', every field quoted, CRLF."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def shared_once(tmp_path_factory, name: str, build) -> Path:
    """A folder built once per test run, even when pytest-xdist runs this module in several workers."""
    import fcntl
    import os

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by all workers of this run
    root = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done").is_file():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            build(root)
            (root / "done").write_text("ok")
    return root


def build_hostile(root: Path) -> None:
    """Import the hostile and the benign export and render their reports (HTML and PDF)."""
    spaces = {}
    for kind in ("hostile", "benign"):
        ws = init_workspace(root / kind)
        export = root / f"{kind}.csv"
        export.write_bytes(limesurvey_csv(export_rows(kind == "hostile")))
        result = runner.invoke(app, ["import", MEETING, str(export), "-w", str(ws.root)])
        assert result.exit_code == 0, result.output
        spaces[kind] = ws
    jobs = plan_reports(spaces["hostile"], MEETING, [SCRIPT_TOWN, "Zolling"], formats=("html", "pdf"))
    jobs += [j for j in plan_reports(spaces["benign"], MEETING, ["Musterdorf"]) if j.kind != "actions"]
    result = render_batch(jobs, workers=2)
    assert not result.failed, result.failed


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from integkit.workspace import Workspace

    root = shared_once(tmp_path_factory, "hostile-reports", build_hostile)
    ws, twin = Workspace(root / "hostile"), Workspace(root / "benign")
    out = ws.report_dir(MEETING)
    reports = {
        "meeting": out / f"{MEETING}_bericht.html",
        "town": out / f"{MEETING}_gemeinde_{slug(SCRIPT_TOWN)}.html",
        "small": out / f"{MEETING}_gemeinde_zolling.html",
    }
    twins = {
        "meeting": twin.report_dir(MEETING) / f"{MEETING}_bericht.html",
        "town": twin.report_dir(MEETING) / f"{MEETING}_gemeinde_musterdorf.html",
    }
    return {"ws": ws, "out": out, "reports": reports, "twins": twins}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def shown_text(text: str) -> str:
    """An answer as a report shows it: control characters removed (see SECURITY.md)."""
    return CONTROL.sub("", text)


def pdf_text(path: Path) -> str:
    """The text of a PDF (pdftotext if installed, else the FlateDecode streams inflated)."""
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
        return " ".join(done.stdout.decode("utf-8", "replace").split())
    from test_security import pdf_streams  # pragma: no cover - fallback without poppler

    return pdf_streams(path.read_bytes()).decode("latin-1")


# --- 1. untrusted text in HTML and PDF ------------------------------------------------------------
FOREIGN_TAGS = {"script", "svg", "iframe", "object", "embed", "form", "input", "base", "link", "b", "circle", "math"}


@pytest.mark.parametrize("report", ["meeting", "town", "small"])
def test_no_element_attribute_or_script_comes_from_an_answer(hostile, report):
    path = hostile["reports"][report]
    raw = path.read_text(encoding="utf-8")
    page = soup(path)
    assert not FOREIGN_TAGS & {tag.name for tag in page.find_all(True)}
    assert len(page.find_all("style")) == 1 and page.find("style").parent.name == "head"
    metas = page.find_all("meta")
    assert all(m.parent.name == "head" for m in metas)
    own = [m for m in metas if not str(m.get("name", "")).startswith("integkit-")]
    assert len(own) == 3  # charset, viewport, Content-Security-Policy; the rest is integkit's provenance
    provenance = {m["name"]: m["content"] for m in metas if str(m.get("name", "")).startswith("integkit-")}
    assert set(provenance) <= {f"integkit-{k}" for k in ("kind", "meeting", "municipality", "snapshot", "language", "version", "codebook", "state")}
    assert "default-src 'none'" in page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    for tag in page.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), (tag.name, name)
            assert "javascript:" not in str(value).lower(), (tag.name, name)
    assert all(a["href"].startswith("#") for a in page.find_all("a"))  # the report's own cross-references only
    for img in page.find_all("img"):
        assert img["src"].startswith(("data:image/png;base64,", "data:image/svg+xml;base64,")), img["src"][:60]
        if img["src"].startswith("data:image/svg"):  # chart text is drawn as paths: no answer text in the SVG
            svg = base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8")
            assert "<text" not in svg and "<script" not in svg and "onload" not in svg
    for needle in ("<script", "<svg", "<iframe", "<img src=x", "<h1>Übernommen", "<base", "<b onmouseover"):
        assert needle not in raw
    assert not CONTROL.search(raw)
    assert "Traceback" not in raw and "stderr" not in raw  # no warnings or errors leaked into the report


@pytest.mark.parametrize("report", ["meeting", "town"])
def test_hostile_report_has_the_element_structure_of_a_benign_one(hostile, report):
    def structure(path: Path) -> set[tuple[str, tuple[str, ...]]]:
        return {(tag.name, tuple(sorted(tag.attrs))) for tag in soup(path).find_all(True)}

    assert structure(hostile["reports"][report]) == structure(hostile["twins"][report])


def test_hostile_answers_appear_as_text_in_the_meeting_report(hostile):
    text = soup(hostile["reports"]["meeting"]).get_text()
    for answer in HOSTILE:
        assert shown_text(answer) in text, answer
    assert "Steuerzeichen:[31m Ende." in text  # NUL, BEL, ESC, DEL and C1 removed, the rest kept
    assert "\u202eKita ist toll\u202c" in text and "👨\u200d👩\u200d👧\u200d👦" in text and "🇩🇪🇺🇦🇸🇾" in text


def test_the_megabyte_answer_is_shortened_in_the_appendix(hostile):
    page = soup(hostile["reports"]["meeting"])
    longest = max((b.get_text() for b in page.find_all("blockquote")), key=len)
    assert longest.startswith("<script>alert(1)</script> Wohnungen $x$ {{x}}")
    assert longest.endswith("…") and len(longest) <= 3000
    assert len(page.get_text()) < MEGABYTE / 10


def test_municipality_named_with_markup_gets_its_report_as_text(hostile):
    page = soup(hostile["reports"]["town"])
    assert SCRIPT_TOWN in page.find("p", class_="subtitle").get_text()
    assert SCRIPT_TOWN in page.find("title").get_text()
    assert any("<" in b.get_text() for b in page.find_all("blockquote"))  # its own answers, as text
    assert not list(hostile["ws"].root.rglob("PWNED")) and not Path("PWNED").exists()


def test_the_meeting_report_names_the_hostile_municipalities_as_text(hostile):
    page = soup(hostile["reports"]["meeting"])
    cells = [td.get_text() for td in page.find_all(["td", "th"])]
    assert SCRIPT_TOWN in cells and FORMULA_TOWN in cells
    alts = " ".join(img["alt"] for img in page.find_all("img"))
    assert SCRIPT_TOWN in alts


@pytest.mark.parametrize("report", ["meeting", "town", "small"])
def test_pdfs_render_and_hold_the_text(hostile, report):
    pdf = hostile["reports"][report].with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    if report == "meeting":
        text = pdf_text(pdf)
        assert "alert('xss')" in text and "{{ 7*7 }}" in text


def test_nul_and_control_characters_are_kept_in_the_snapshot_and_removed_in_the_tidy_model(hostile):
    from integkit.responses import load_responses
    from integkit.ingest.snapshot import find_snapshot

    ws = hostile["ws"]
    raw = find_snapshot(ws.snapshots_dir(MEETING)).read("responses.csv")
    assert b"Steuerzeichen:\x00\x01\x07\x1b[31m\x7f\xc2\x9b Ende." in raw  # the raw file as received
    texts = load_responses(ws, MEETING).answers["text"]
    assert not texts.str.contains(CONTROL).any()
    assert texts.str.contains("Steuerzeichen:[31m Ende.", regex=False).any()


# --- 2. spreadsheets ----------------------------------------------------------------------------------
def csv_cells(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row]


def assert_masked_csv(path: Path) -> list[str]:
    cells = csv_cells(path)
    assert cells
    for cell in cells:
        assert not cell.startswith(FORMULA_START), f"{path.name}: unmasked cell {cell[:60]!r}"
    return cells


def test_action_list_masks_a_formula_municipality_and_keeps_numbers(hostile):
    out = hostile["out"]
    cells = assert_masked_csv(out / f"{MEETING}_handlungsliste.csv")
    assert "'" + FORMULA_TOWN in cells  # the cell starts with the name: masked, not evaluated
    book = openpyxl.load_workbook(out / f"{MEETING}_handlungsliste.xlsx")
    values = []
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_START), cell.value
            values.append(cell.value)
    assert "'" + FORMULA_TOWN in values
    counts = [v for v in values if isinstance(v, int)]
    assert counts and all(n >= 1 for n in counts)  # respondent counts stay numbers


def test_themes_cli_outputs_and_coding_csv_are_masked(hostile, tmp_path):
    from integkit.themes.coding import corrections_path, save_corrections
    from integkit.responses import load_responses

    ws = hostile["ws"]
    answers = load_responses(ws, MEETING).answers
    table = answers.loc[answers["text"].str.len() < 2000, ["response_id", "text"]].copy()
    table["gold"] = "sprache"
    source = tmp_path / "antworten.csv"
    table.to_csv(source, sep=";", index=False, encoding="utf-8")
    assert table["text"].str.startswith("=HYPERLINK").any()

    outputs = {name: tmp_path / f"{name}.csv" for name in ("assign", "discover", "summary", "errors")}
    for args in (
        ["themes", "assign", str(source), "--text-column", "text", "--out", str(outputs["assign"])],
        ["themes", "discover", str(source), "--text-column", "text", "--out", str(outputs["discover"]), "--summary", str(outputs["summary"])],
        ["themes", "evaluate", str(source), "--text-column", "text", "--gold-column", "gold", "--errors", str(outputs["errors"])],
    ):
        result = runner.invoke(app, [*args, "-w", str(ws.root)])
        assert result.exit_code == 0, result.output
    for name, path in outputs.items():
        cells = assert_masked_csv(path)
        if name in ("assign", "discover", "errors"):
            assert any(c.startswith("'=HYPERLINK(") for c in cells), name

    save_corrections(ws, MEETING, pd.DataFrame({"response_id": [1], "question_id": ["q_gut"], "themes": ["sprache"], "text": ['=HYPERLINK("http://x","klick")']}), coder="@evil")
    cells = assert_masked_csv(corrections_path(ws, MEETING))
    assert "'=HYPERLINK(\"http://x\",\"klick\")" in cells and "'@evil" in cells


# --- 4. personal data ------------------------------------------------------------------------------------
@pytest.mark.parametrize("report", ["meeting", "town", "small"])
def test_no_personal_data_in_shared_reports(hostile, report):
    html = hostile["reports"][report]
    page = soup(html)
    visible = page.get_text(" ") + " ".join(img.get("alt", "") for img in page.find_all("img"))
    pdf = pdf_text(html.with_suffix(".pdf"))
    for secret in FORBIDDEN:
        assert secret not in visible, f"{html.name}: {secret}"
        assert secret not in " ".join(pdf.split()), f"{html.with_suffix('.pdf').name}: {secret}"
        assert secret not in html.with_suffix(".ipynb").read_text(encoding="utf-8")


def test_personal_answers_are_shown_redacted(hostile):
    text = soup(hostile["reports"]["meeting"]).get_text()
    assert "Frau [Name] vom Helferkreis" in text and "[E-Mail]" in text and "[Telefon]" in text and "[Adresse]" in text


def test_redaction_of_a_megabyte_without_spaces_keeps_it():
    """Such text holds no personal data; how fast it is redacted is measured by benchmarks/hostile.py."""
    from integkit.analysis.redaction import redact

    for text in ("a" * MEGABYTE, "1" * MEGABYTE, "-." * (MEGABYTE // 2)):
        assert redact(text) == text, text[:5]


# --- 5. small groups --------------------------------------------------------------------------------------
def tables(page: BeautifulSoup) -> list[pd.DataFrame]:
    """The report's data tables (integkit-table), numbers as numbers."""
    found = []
    for table in page.find_all("table", class_="integkit-table"):
        head = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
        rows = [[td.get_text(strip=True) for td in tr.find_all(["td", "th"])] for tr in table.find("tbody").find_all("tr")]
        frame = pd.DataFrame(rows, columns=head)
        for column in frame.columns:
            numbers = pd.to_numeric(frame[column], errors="coerce")
            if numbers.notna().all() and len(frame):
                frame[column] = numbers
        found.append(frame)
    return found


def test_participation_and_role_tables_combine_small_groups(hostile):
    page = soup(hostile["reports"]["meeting"])
    found = {tuple(t.columns): t for t in tables(page)}
    by_town = next(t for cols, t in found.items() if cols[0] == "Gemeinde" and "gesamt" in cols)
    by_role = next(t for cols, t in found.items() if cols[0] == "Funktion")
    for table in (by_town, by_role):
        assert (table["gesamt"] >= 3).all(), table
    assert not set(SMALL_TOWNS) & set(by_town["Gemeinde"]) and "ohne Angabe" not in set(by_town["Gemeinde"])
    assert by_town["Gemeinde"].iloc[-1] == "weitere (3 Gruppen mit je weniger als 3)"
    # one role (Bürgermeister/in) has one respondent: combined with the next smallest, not shown alone
    assert "Bürgermeister/in" not in set(by_role["Funktion"])
    assert by_role["Funktion"].iloc[-1].startswith("weitere (2 Gruppen") and by_role["gesamt"].iloc[-1] == 4


def test_charts_name_no_small_group(hostile):
    page = soup(hostile["reports"]["meeting"])
    for img in page.find_all("img"):
        alt = img["alt"]
        for name in SMALL_TOWNS:
            assert name not in alt, alt[:120]
        if alt.startswith(("Balkendiagramm: Teilnehmende je Gemeinde", "Balkendiagramm: Teilnehmende je Funktion")):
            assert all(int(n) >= 3 for n in re.findall(r": (\d+)(?:;|$)", alt)), alt
        if alt.startswith("Heatmap: Anteil der Teilnehmenden je Gemeinde"):
            assert "Freising" in alt and SCRIPT_TOWN in alt


def test_heat_map_table_has_only_large_municipalities(hostile):
    from integkit.analysis.meeting import load_analysis
    from integkit.analysis.tables import theme_by_municipality

    analysis = load_analysis(hostile["ws"], MEETING, with_history=False)
    table = theme_by_municipality(analysis)
    assert len(table) and (table["n"] >= 3).all()
    assert not set(table["municipality"]) & {*SMALL_TOWNS, "ohne Angabe"}


def test_quotes_and_action_list_never_name_a_small_municipality(hostile):
    page = soup(hostile["reports"]["meeting"])
    # quotes name the municipality; the heat map's answer lists put the answer's number first ("A17 · …")
    who = {re.sub(r"^A\d+ · ", "", w.get_text()) for w in page.find_all(class_="who")}
    assert who and not who & {*SMALL_TOWNS, "ohne Angabe"}
    assert "eine weitere Gemeinde" in who
    for path in (hostile["out"] / f"{MEETING}_handlungsliste.csv",):
        assert not any(name in cell for cell in csv_cells(path) for name in SMALL_TOWNS)
    actions = next(t for t in tables(page) if "Anliegen" in t.columns)
    assert not actions["Gemeinden"].fillna("").str.contains("|".join(SMALL_TOWNS)).any()


def test_small_municipality_report_shows_no_count_quote_or_chart(hostile):
    page = soup(hostile["reports"]["small"])
    text = page.get_text(" ")
    assert "Weniger als 3 Teilnehmende" in text
    assert "Aus Ihrer Gemeinde haben weniger als 3 Personen teilgenommen" in text
    assert not re.search(r"haben \d+ Personen", text)
    assert not page.find_all("blockquote") and SMALL_SECRET not in text
    assert len(page.find_all("img")) == 1  # only the district's top themes
    assert not tables(page)


def test_word_clouds_only_for_questions_enough_people_answered(hostile):
    from integkit.analysis.meeting import for_municipality, load_analysis
    from integkit.report import sections

    analysis = load_analysis(hostile["ws"], MEETING, with_history=False)
    small = BeautifulSoup(sections.word_clouds(for_municipality(analysis, "Zolling")).data, "html.parser")
    assert not small.find_all("img") and "Keine Daten" in small.get_text()
    large = BeautifulSoup(sections.word_clouds(for_municipality(analysis, "Moosburg a.d. Isar")).data, "html.parser")
    assert large.find_all("img")
    for img in large.find_all("img"):
        assert not any(secret in img["alt"] for secret in FORBIDDEN)


# --- a very long word -------------------------------------------------------------------------------------
def test_a_long_word_gets_no_theme():
    """One 3,000-letter word (which once stalled assignment for minutes); its speed: benchmarks/hostile.py."""
    from integkit.themes.assign import assign_frame
    from integkit.themes.codebook import load_codebook

    coded = assign_frame(pd.DataFrame({"text": ["xyzsprachq" * 300]}), "text", load_codebook())
    assert coded["themes"].tolist() == [""]
