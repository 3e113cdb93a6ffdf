"""`integkit export`: the demo meeting's codings as a REFI-QDA project (.qdpx) and as a 0/1 theme sheet.

The project is validated against the REFI-QDA project schema (tests/fixtures/refi_qda/Project.xsd,
from the standard) and parsed back here, independently of the writer, into the codings that
`integkit.themes.coding.code_answers` gives, with one facilitator correction winning and what that
correction teaches (`integkit.themes.learn`) applied to the other answers, as in the reports.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
import xmlschema
from typer.testing import CliRunner

from integkit.analysis.redaction import redact
from integkit.cli import app
from integkit.demo import import_demo
from integkit.responses import load_responses
from integkit.themes.assign import split_themes
from integkit.themes.codebook import load_codebook
from integkit.themes.coding import code_answers, load_corrections, save_corrections, theme_mentions
from integkit.themes.learn import train, workspace_examples
from integkit.workspace import Workspace, init_workspace

runner = CliRunner()
MEETING = "demo-2026-11"
SCHEMA = Path(__file__).parent / "fixtures" / "refi_qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
PERSONAL = ("huber@example.org", "0811 600-123")  # in the demo's response 6 (Unterstützung)
CORRECTED = (2, "q_ausbau")  # the machine says wohnen; the facilitator says ehrenamt


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    """The demo workspace with one correction by the facilitator."""
    ws = init_workspace(tmp_path_factory.mktemp("export") / "ws")
    import_demo(ws)
    fix = pd.DataFrame([{"response_id": CORRECTED[0], "question_id": CORRECTED[1], "themes": "ehrenamt"}])
    save_corrections(ws, MEETING, fix, coder="Moderation", codebook=load_codebook(workspace=ws.root))
    return ws


def export(ws: Workspace, out: Path, *options: str):
    fmt = out.suffix[1:]
    return runner.invoke(app, ["export", MEETING, "--format", fmt, "--out", str(out), *options, "-w", str(ws.root)])


@pytest.fixture(scope="module")
def qdpx(ws, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("qdpx") / "demo.qdpx"
    result = export(ws, out)
    assert result.exit_code == 0, result.output
    assert "personal data redacted" in result.output
    return out


def expected_codings(ws: Workspace) -> pd.DataFrame:
    responses = load_responses(ws, MEETING)
    book = load_codebook(workspace=ws.root)
    model = train(workspace_examples(ws), book)
    return code_answers(responses, book, load_corrections(ws, MEETING), model=model)


def read_project(path: Path) -> dict:
    """Parse a .qdpx back: sources with text, variables and codings; cases; codes and users by GUID."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        root = ElementTree.fromstring(archive.read("project.qde"))
        texts = {n: archive.read(n).decode("utf-8") for n in names if n.startswith("Sources/")}
    codes = {c.get("guid"): c for c in root.iterfind(".//q:CodeBook/q:Codes/q:Code", NS)}
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    variables = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}

    def values(node) -> dict:
        found = {}
        for vv in node.iterfind("q:VariableValue", NS):
            name = variables[vv.find("q:VariableRef", NS).get("targetGUID")]
            value = next(c for c in vv if not c.tag.endswith("VariableRef"))
            found[name] = int(value.text) if value.tag.endswith("IntegerValue") else value.text or ""
        return found

    sources = {}
    for s in root.iterfind("q:Sources/q:TextSource", NS):
        path_in_zip = s.get("plainTextPath").replace("internal://", "Sources/")
        selections = [
            {
                "start": int(sel.get("startPosition")), "end": int(sel.get("endPosition")),
                "code": codes[sel.find("q:Coding/q:CodeRef", NS).get("targetGUID")].get("name"),
                "user": users[sel.find("q:Coding", NS).get("creatingUser")],
            }
            for sel in s.iterfind("q:PlainTextSelection", NS)
        ]
        sources[s.get("guid")] = {"name": s.get("name"), "text": texts[path_in_zip], "vars": values(s), "selections": selections}
    cases = {
        c.get("name"): {"vars": values(c), "sources": [r.get("targetGUID") for r in c.iterfind("q:SourceRef", NS)]}
        for c in root.iterfind("q:Cases/q:Case", NS)
    }
    return {"root": root, "names": names, "sources": sources, "cases": cases, "codes": codes, "users": users}


def test_qdpx_is_a_zip_of_project_qde_and_sources_valid_against_the_refi_qda_schema(ws, qdpx, tmp_path):
    with zipfile.ZipFile(qdpx) as archive:
        xml = archive.read("project.qde")
        names = archive.namelist()
    xmlschema.XMLSchema(SCHEMA).validate(xml.decode("utf-8"))
    project = read_project(qdpx)
    assert set(names) == {"project.qde"} | {s.get("plainTextPath").replace("internal://", "Sources/")
                                             for s in project["root"].iterfind("q:Sources/q:TextSource", NS)}
    assert len(project["sources"]) == int((expected_codings(ws)["text"].str.strip() != "").sum())
    again = tmp_path / "again.qdpx"
    assert export(ws, again).exit_code == 0
    with zipfile.ZipFile(again) as archive:
        second = archive.read("project.qde")
    stamp = re.compile(rb'creationDateTime="[^"]*"')
    assert stamp.sub(b"", second) == stamp.sub(b"", xml)  # the same GUIDs every time


def test_qdpx_round_trips_into_the_same_codings_with_the_facilitators_correction_winning(ws, qdpx):
    project = read_project(qdpx)
    book = load_codebook(workspace=ws.root)
    theme_by_label = {t.label_de: t.id for t in book.themes}
    responses = load_responses(ws, MEETING)
    question_by_label = {responses.question_label(q): q for q in responses.text_questions()}
    coded_by = {"integkit (automatische Zuordnung)": "machine", "Moderation (Korrektur)": "facilitator"}
    found = {
        (s["vars"]["Antwort-Nr."], question_by_label[s["vars"]["Frage"]], theme_by_label[sel["code"]], coded_by[sel["user"]])
        for s in project["sources"].values()
        for sel in s["selections"]
    }
    expected = expected_codings(ws)
    wanted = {(r.response_id, r.question_id, theme, r.coded_by) for r in expected.itertuples() for theme in split_themes(r.themes)}
    assert found == wanted
    assert (*CORRECTED, "ehrenamt", "facilitator") in found
    assert not any(f[:3] == (*CORRECTED, "wohnen") for f in found)
    # the codebook as codes: German labels, descriptions as memos
    assert [c.get("name") for c in project["codes"].values()] == [t.label_de for t in book.themes]
    assert all(c.findtext("q:Description", namespaces=NS) == t.description for c, t in zip(project["codes"].values(), book.themes))


def test_each_answer_is_a_source_with_its_respondent_and_the_evidence_as_the_coded_selection(ws, qdpx):
    project = read_project(qdpx)
    responses = load_responses(ws, MEETING)
    people = responses.respondents.set_index("response_id")
    expected = expected_codings(ws)
    original = {(r.response_id, r.question_id): r.text for r in expected.itertuples()}
    words = {(m.response_id, m.question_id, m.theme): [i.split("→")[0] for i in m.evidence.split(", ")]
             for m in theme_mentions(expected).itertuples()}
    labels = {t.label_de: t.id for t in load_codebook(workspace=ws.root).themes}
    question_by_label = {responses.question_label(q): q for q in responses.text_questions()}
    ratings = responses.ratings.dropna(subset=["value"])
    for source in project["sources"].values():
        rid, question = source["vars"]["Antwort-Nr."], source["vars"]["Frage"]
        qid = question_by_label[question]
        municipality = people.loc[rid, "municipality"]
        assert source["name"] == f"{municipality} · {question} · Antwort {rid}"
        assert source["text"] == redact(original[(rid, qid)])
        assert source["vars"]["Gemeinde"] == municipality and source["vars"]["Funktion"] == people.loc[rid, "role"]
        assert source["vars"]["Treffen"] == "Vernetzungstreffen Integration Herbst 2026 (Demo)"
        mine = ratings[ratings["response_id"] == rid]
        assert {k: v for k, v in source["vars"].items() if k.startswith("Bewertung: ")} == {
            f"Bewertung: {item}": int(value) for item, value in zip(mine["item"], mine["value"])
        }
        for sel in source["selections"]:
            chosen = source["text"][sel["start"]:sel["end"]]
            if sel["user"].startswith("Moderation"):
                assert chosen == source["text"]
            else:
                assert 0 <= sel["start"] < sel["end"] <= len(source["text"])
                assert any(w in chosen for w in words[(rid, qid, labels[sel["code"]])]) or chosen == source["text"]
    by_municipality = {}
    for sid, source in project["sources"].items():
        by_municipality.setdefault(source["vars"]["Gemeinde"], set()).add(sid)
    assert {name: set(case["sources"]) for name, case in project["cases"].items()} == by_municipality
    freising = project["cases"]["Freising"]["vars"]
    assert freising["Befragte"] == int((responses.respondents["municipality"] == "Freising").sum())
    assert freising["Treffen"] and freising["Gemeinde"] == "Freising"


def test_personal_data_is_redacted_unless_asked_for(ws, qdpx, tmp_path):
    def holds_personal_data(path: Path) -> bool:
        with zipfile.ZipFile(path) as archive:
            return any(p.encode() in archive.read(n) for n in archive.namelist() for p in PERSONAL)

    assert not holds_personal_data(qdpx)
    shown = tmp_path / "intern.qdpx"
    result = export(ws, shown, "--show-personal-data")
    assert result.exit_code == 0 and "personal data NOT redacted" in result.output
    assert holds_personal_data(shown)
    sheet = tmp_path / "antworten.xlsx"
    assert export(ws, sheet).exit_code == 0
    text = " ".join(pd.read_excel(sheet)["text"])
    assert not any(p in text for p in PERSONAL) and "[E-Mail]" in text


def test_xlsx_has_one_row_per_answer_and_a_0_1_column_per_theme(ws, tmp_path):
    out = tmp_path / "themen.xlsx"
    result = export(ws, out)
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["Antworten"]
    table = sheets["Antworten"]
    ids = list(load_codebook(workspace=ws.root).ids)
    assert list(table.columns) == ["meeting_id", "response_id", "municipality", "role", "question_id", "question", "text", "coded_by", *ids]
    assert set(pd.unique(table[ids].to_numpy().ravel())) <= {0, 1}
    expected = expected_codings(ws)
    assert len(table) == int((expected["text"].str.strip() != "").sum())
    for theme in ids:
        assert table[theme].sum() == sum(theme in split_themes(v) for v in expected["themes"]), theme
    row = table[(table["response_id"] == CORRECTED[0]) & (table["question_id"] == CORRECTED[1])].iloc[0]
    assert row["ehrenamt"] == 1 and row["wohnen"] == 0 and row["coded_by"] == "facilitator"


@pytest.mark.parametrize(
    "args, message, one_line",
    [
        (["--format", "qdpx", "--out", "x.xlsx"], "integkit: error: x.xlsx: a qdpx export needs a file name ending in .qdpx", True),
        (["--format", "docx", "--out", "x.docx"], "docx", False),  # typer's usage error for the option's choices
    ],
)
def test_bad_export_options_are_refused_and_write_nothing(ws, tmp_path, monkeypatch, args, message, one_line):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["export", MEETING, *args, "-w", str(ws.root)])
    assert result.exit_code == 2 and message in result.output
    assert not one_line or len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
    unknown = runner.invoke(app, ["export", "vt-1999-01", "--format", "xlsx", "--out", "x.xlsx", "-w", str(ws.root)])
    assert unknown.exit_code == 2 and "vt-1999-01" in unknown.output and list(tmp_path.iterdir()) == []


HOSTILE = json.loads((Path(__file__).parent / "fixtures" / "hostile" / "answers.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hostile_ws(tmp_path_factory) -> Workspace:
    """A meeting whose answers are the hostile and personal fixture texts, from municipalities named like attacks."""
    root = tmp_path_factory.mktemp("hostile")
    towns = [("G01", ""), ("-oth-", HOSTILE["municipalities"]["script"]), ("-oth-", HOSTILE["municipalities"]["formula"])]
    rows = []
    for number, text in enumerate(HOSTILE["hostile"] + HOSTILE["personal"], start=1):
        code, other = towns[number % len(towns)]
        rows.append({"id": number, "submitdate": "2026-11-10 08:00:00", "GEMEINDE": code, "GEMEINDE[other]": other,
                     "ROLLE": "R4", "GELINGT": text, "AUSBAU": "", "UNTERSTUETZUNG": ""})
    export_file = root / "export.csv"
    pd.DataFrame(rows).to_csv(export_file, sep=";", index=False, encoding="utf-8")
    ws = init_workspace(root / "ws")
    result = runner.invoke(app, ["import", "vt-hostile", str(export_file), "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return ws


def test_hostile_answers_export_as_valid_xml_with_their_text_intact_and_spreadsheet_cells_masked(hostile_ws, tmp_path):
    out = tmp_path / "hostile.qdpx"
    result = runner.invoke(app, ["export", "vt-hostile", "--format", "qdpx", "--out", str(out), "-w", str(hostile_ws.root)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        xmlschema.XMLSchema(SCHEMA).validate(archive.read("project.qde").decode("utf-8"))
    project = read_project(out)
    answers = load_responses(hostile_ws, "vt-hostile").answers
    assert sorted(s["text"] for s in project["sources"].values()) == sorted(redact(t) for t in answers["text"])
    assert set(project["cases"]) == {"Freising", HOSTILE["municipalities"]["script"], HOSTILE["municipalities"]["formula"]}
    everything = " ".join(s["text"] for s in project["sources"].values())
    assert not any(p in everything for p in HOSTILE["personal_forbidden"])
    sheet = tmp_path / "hostile.xlsx"
    result = runner.invoke(app, ["export", "vt-hostile", "--format", "xlsx", "--out", str(sheet), "-w", str(hostile_ws.root)])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(sheet).active.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'" + HOSTILE["municipalities"]["formula"] in cells
