"""Readers for LimeSurvey exports and paper-card sheets, including what real exports contain."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import CSV_SHORT, JSON_SHORT, RPC
from integkit.errors import InputError
from integkit.ingest.files import parse_export, read_export


def frame(path):
    return read_export(path)[1].frame


def test_csv_is_read_exactly_as_limesurvey_writes_it():
    raw = CSV_SHORT.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # the conventions this test relies on
    export = parse_export(raw, "x.csv")
    df = export.frame
    assert export.format == "limesurvey-csv" and df.shape == (31, 29)
    by_id = df.set_index("id")
    assert "\n\n" in by_id.loc["14", "GELINGT"] and len(by_id.loc["14", "GELINGT"]) == 2578
    assert '"Tag des Ehrenamts"' in by_id.loc["11", "UNTERSTUETZUNG"]
    assert "👍" in " ".join(by_id.loc["3"])
    assert by_id.loc["12", "GEMEINDE[other]"] == "Langenbach"


def test_csv_and_json_exports_give_the_same_table():
    pd.testing.assert_frame_equal(frame(CSV_SHORT), frame(JSON_SHORT))


def test_nested_json_of_limesurvey_3_and_5_is_accepted():
    flat = json.loads(JSON_SHORT.read_bytes())
    nested = {"responses": [{str(r["id"]): r} for r in flat["responses"]]}
    export = parse_export(json.dumps(nested).encode(), "old.json")
    pd.testing.assert_frame_equal(export.frame, frame(JSON_SHORT))


def test_xlsx_export_gives_the_same_table(tmp_path):
    df = frame(CSV_SHORT)
    typed = df.copy()
    typed["id"] = typed["id"].astype(int)  # Excel holds numbers as numbers
    path = tmp_path / "export.xlsx"
    typed.to_excel(path, index=False)
    export = parse_export(path.read_bytes(), str(path))
    assert export.format == "limesurvey-xlsx"
    pd.testing.assert_frame_equal(export.frame, df)


def test_paper_cards_without_ids_are_numbered():
    text = "GEMEINDE;ROLLE;GELINGT\nFreising;Verwaltung;Sprachcafé läuft\nEching;R4;Helferkreis\n"
    export = parse_export(text.encode("utf-8"), "karten.csv")
    assert export.is_paper and export.frame["id"].tolist() == ["1", "2"]


def test_windows_1252_text_is_read_with_a_note():
    text = "GEMEINDE;GELINGT\nFreising;Sprachförderung für Mütter\n"
    export = parse_export(text.encode("cp1252"), "excel.csv")
    assert export.frame.loc[0, "GELINGT"] == "Sprachförderung für Mütter"
    assert export.encoding == "cp1252" and "Windows-1252" in export.notes[0]


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary", "not a text file"),
        (b"GEMEINDE;GELINGT\n\x81\x8d broken", "not valid UTF-8"),
        (b"just some words\nwithout columns\n", "not a CSV export"),
        (b'"id";"GELINGT"\n"1";"a";"b"\n', "record 2 has 3 fields"),
        (b'"id";"GELINGT"\n"1";"a"\n"1";"b"\n', r"response id\(s\) 1 occur more than once"),
        (b'"id";"GELINGT"\n"x1";"a"\n', "row 2: response id 'x1' is not a whole number"),
        (b'"Antwort ID";"Datum Abgeschickt"\n"1";""\n', "full question texts as headings"),
        (b'{"responses": 5}', "expected"),
        (b'{"responses": [1]', "not valid JSON"),
        (b"PK\x03\x04broken zip", "not a readable XLSX file"),
    ],
)
def test_bad_files_get_a_clear_message_naming_the_file(raw, message):
    with pytest.raises(InputError, match=message) as info:
        parse_export(raw, "upload.csv")
    assert str(info.value).startswith("upload.csv:")


def test_long_answer_type_export_reads():
    df = frame(RPC / "export_responses__csv_code_long.decoded.csv")
    assert df.set_index("id").loc["1", "GEMEINDE"] == "Freising"
