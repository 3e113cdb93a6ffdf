"""The caps on a table a user hands in, defined once in integkit.io and the same for CSV, JSON and XLSX
(issue 14 point 5): an XLSX is checked for its uncompressed size and its longest cell before it is
parsed, so a ZIP bomb or a gigantic cell is one line and never fills the memory.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from typer.testing import CliRunner

import integkit.io as table_io
from conftest import CSV_SHORT
from integkit.cli import app
from integkit.errors import InputError
from integkit.ingest.files import parse_export
from integkit.io import MAX_CELL_CHARS, MAX_TABLE_BYTES, parse_table, read_table
from limesurvey_server import RECORDINGS

runner = CliRunner()
SHEET = "xl/worksheets/sheet1.xml"


def workbook(write_text) -> bytes:
    """A real workbook (made by openpyxl) whose cell C2 holds what `write_text(stream)` streams (XML of its text).

    The sheet's XML is written in pieces, so a sheet of hundreds of megabytes costs no memory.
    """
    book = openpyxl.Workbook()
    book.active.append(["id", "GEMEINDE", "GELINGT"])
    book.active.append([1, "G01", "PLATZHALTER"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    before, after = source.read(SHEET).split(b"<t>PLATZHALTER</t>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info, source.read(info))
                continue
            with target.open(SHEET, "w", force_zip64=True) as stream:
                stream.write(before)
                write_text(stream)
                stream.write(after)
    return out.getvalue()


def repeated(unit: bytes, total: int):
    """A cell's text: `unit` repeated to more than `total` bytes."""

    def write(stream) -> None:
        block = unit * (4 * 1024 * 1024 // len(unit))
        stream.write(b"<t>")
        for _ in range(total // len(block)):
            stream.write(block)
        stream.write(unit * ((total % len(block)) // len(unit) + 1))
        stream.write(b"</t>")

    return write


def test_a_zip_bomb_sheet_is_refused_from_its_directory_before_parsing():
    bomb = workbook(repeated(b"Wohnungen fehlen. " * 8, MAX_TABLE_BYTES + 1))
    assert len(bomb) < 5 * 1024 * 1024  # a few megabytes that unpack to more than the cap
    with pytest.raises(InputError, match=r"bombe.xlsx: the XLSX unpacks to [\d,]+ bytes; integkit reads tables of at most 536,870,912 bytes"):
        parse_export(bomb, "bombe.xlsx")


def test_a_sheet_with_one_gigantic_cell_is_refused_before_parsing(tmp_path):
    huge = workbook(repeated(b"a", MAX_CELL_CHARS + 1))
    path = tmp_path / "riesenzelle.xlsx"
    path.write_bytes(huge)
    message = rf"riesenzelle.xlsx: a cell of the XLSX \({SHEET}\) holds more than 268,435,456 characters"
    with pytest.raises(InputError, match=message):
        read_table(path)  # the one reader: import, the theme commands and the codings alike
    result = runner.invoke(app, ["import", "vt", str(path), "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "holds more than" in result.output


def test_one_cap_holds_for_csv_json_and_xlsx(monkeypatch):
    monkeypatch.setattr(table_io, "MAX_CELL_CHARS", 1000)
    long_text = "Sprachkurs " * 100  # 1,100 characters
    csv = f'"id";"submitdate";"GEMEINDE";"GELINGT"\n"1";"";"G01";"{long_text}"\n'.encode()
    json = ('{"responses": [{"id": 1, "submitdate": "", "GEMEINDE": "G01", "GELINGT": "%s"}]}' % long_text).encode()
    xlsx = workbook(lambda stream: stream.write(f"<t>{long_text}</t>".encode()))
    for raw, name in ((csv, "k.csv"), (json, "k.json"), (xlsx, "k.xlsx")):
        with pytest.raises(InputError, match=rf"^{name}: a (field|cell).* holds more than 1,000 characters"):
            parse_export(raw, name)
    shorter = long_text[:990]
    assert parse_table(csv.replace(long_text.encode(), shorter.encode()), "k.csv").frame.loc[0, "GELINGT"] == shorter


def test_a_cell_in_runs_of_rich_text_is_measured_whole(monkeypatch):
    monkeypatch.setattr(table_io, "MAX_CELL_CHARS", 1000)
    runs = b"".join(b"<r><t>" + b"x" * 400 + b"</t></r>" for _ in range(3))  # no run is long, the cell is
    rich = workbook(lambda stream: stream.write(runs))
    with pytest.raises(InputError, match="holds more than 1,000 characters"):
        parse_export(rich, "runs.xlsx")


def test_a_table_file_larger_than_the_cap_is_not_even_read(tmp_path, monkeypatch):
    monkeypatch.setattr(table_io, "MAX_TABLE_BYTES", 10_000)
    with pytest.raises(InputError, match=r"export_responses__csv_code_short.decoded.csv: the file has 13,859 bytes; integkit reads tables of at most 10,000 bytes"):
        read_table(CSV_SHORT)


def test_the_xlsx_limesurvey_6_14_exported_reads():
    export = parse_export((RECORDINGS["6.14"].rpc / "export_responses__xls_code_short.decoded.xlsx").read_bytes(), "export.xlsx")
    assert export.format == "limesurvey-xlsx" and len(export.frame) == 35 and export.frame["id"].tolist()[:2] == ["6", "7"]
