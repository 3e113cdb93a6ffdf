"""Bad files and property-based tests of the readers and the text normaliser (GitHub issue 7, point 7).

- `parse_export` on arbitrary bytes raises nothing but InputError;
- any table of strings written as LimeSurvey writes a CSV export (BOM, ';', every field quoted,
  CRLF, line breaks inside fields) reads back identically;
- `integkit.text.normalize`: fold is idempotent, tokens never raise (NUL, RTL, emoji, any non-surrogate text);
- cp1252/latin-1 exports, missing mapped columns, duplicate ids, empty and header-only files
  get one clear message naming the file; a 5,000-response export imports correctly.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from integkit.cli import app
from integkit.errors import InputError
from integkit.ingest.files import parse_export
from integkit.text.normalize import fold, fold_text, tokens

runner = CliRunner()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)  # any Unicode but surrogates
CODE = st.from_regex(r"[A-Z][A-Z0-9]{0,7}(\[SQ00[1-9]\])?", fullmatch=True)


# --- parse_export: nothing but InputError ---------------------------------------------------------
@SETTINGS
@given(st.binary(max_size=600))
def test_arbitrary_bytes_raise_nothing_but_input_error(raw):
    try:
        parse_export(raw, "x.csv")
    except InputError:
        pass


@SETTINGS
@given(st.lists(st.sampled_from([b"{", b"[", b"]", b"}", b'"id"', b":", b",", b"1", b"null", b'"responses"', b"\xef\xbb\xbf", b"PK\x03\x04", b";", b"\n", b'"', b"\x00", b"\xff\xfe"]), max_size=40))
def test_structured_garbage_raises_nothing_but_input_error(parts):
    try:
        parse_export(b"".join(parts), "x.json")
    except InputError:
        pass


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[" * 100_000, "nested too deeply"),
        (b";\r\n;\r\n", "no header and no rows"),
        (b"\xff\xfei\x00d\x00;", "not valid UTF-16"),
        (b"id;GEMEINDE\n123456789012345678901234;G01\n", "is not a whole number"),
        (b"id;GEMEINDE\n\xd9\xa1;G01\n", "is not a whole number"),  # an Arabic-Indic digit is no id
        (b"PK\x03\x04garbage", "not a readable XLSX file"),
        (b"\x00\x01\x02\x03" * 100, "not a text file"),
    ],
)
def test_hostile_shapes_get_a_clear_message(raw, message):
    with pytest.raises(InputError, match=message):
        parse_export(raw, "x.csv")


# --- round trip ---------------------------------------------------------------------------------------
def limesurvey_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30) | st.sampled_from(
    ["", "a\nb", "a\r\nb", 'sagt "Hallo"', "x;y", "=1+1", " führend", "\u202e", "👨\u200d👩\u200d👧"]
)


@SETTINGS
@given(st.lists(CODE, min_size=1, max_size=6, unique=True).flatmap(
    lambda codes: st.tuples(st.just(codes), st.lists(st.lists(CELL, min_size=len(codes), max_size=len(codes)), max_size=8))
))
def test_a_limesurvey_csv_reads_back_identically(table):
    codes, cells = table
    header = ["id", "submitdate", *codes]
    rows = [[str(i + 1), "2026-11-10 10:00:00", *row] for i, row in enumerate(cells)]
    export = parse_export(limesurvey_csv(header, rows), "x.csv")
    assert export.format == "limesurvey-csv"
    assert list(export.frame.columns) == header
    assert export.frame.values.tolist() == rows


# --- the text normaliser --------------------------------------------------------------------------------
HOSTILE_TEXT = TEXT | st.sampled_from(["\x00Wohnung\x00", "\u202eKita\u202c", "Helfer*innen\x00", "ＷＯＨＮＵＮＧ", "ǅ", "ß" * 5, "İstanbul"])


@SETTINGS
@given(HOSTILE_TEXT)
def test_tokens_never_raise_and_hold_only_word_characters(text):
    for token in tokens(text):
        assert token and all(c.isalnum() for c in token)


ANSWER_ALPHABET = (  # what answers are written in: Latin (with German and other diacritics), Greek, Cyrillic, Arabic, emoji
    st.characters(min_codepoint=0x20, max_codepoint=0x24F)
    | st.characters(min_codepoint=0x370, max_codepoint=0x4FF)
    | st.characters(min_codepoint=0x600, max_codepoint=0x6FF)
    | st.sampled_from(["\u202e", "\u200d", "👨", "🇩", "\x00"])
)


@SETTINGS
@given(st.text(ANSWER_ALPHABET, max_size=30))
def test_fold_is_idempotent_on_the_scripts_answers_use(text):
    assert fold(fold(text)) == fold(text)
    assert fold_text(text) == fold(text)


@SETTINGS
@given(HOSTILE_TEXT)
def test_fold_is_idempotent_on_any_text(text):
    assert fold(fold(text)) == fold(text)


# --- bad files through `integkit import` ------------------------------------------------------------------
HEADER = ["id", "submitdate", "GEMEINDE", "ROLLE", "GELINGT", "AUSBAU", "UNTERSTUETZUNG"]


def import_bytes(tmp_path, raw: bytes, name: str = "export.csv"):
    from integkit.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    path = tmp_path / name
    path.write_bytes(raw)
    result = runner.invoke(app, ["import", "vt-bad", str(path), "-w", str(ws.root)])
    return ws, path, result


def test_a_cp1252_export_is_read_with_its_umlauts(tmp_path):
    text = ";".join(HEADER) + "\r\n1;2026-11-10 10:00:00;G01;R1;Sprachförderung für Kinder;Wohnraum schaffen € ;Zuschüsse\r\n"
    ws, _, result = import_bytes(tmp_path, text.encode("cp1252"))
    assert result.exit_code == 0, result.output
    from integkit.responses import load_responses

    answers = load_responses(ws, "vt-bad").answers["text"].tolist()
    assert "Sprachförderung für Kinder" in answers and "Wohnraum schaffen €" in answers


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "the file is empty"),
        (("\ufeff" + ";".join(HEADER) + "\r\n").encode(), "holds no responses (only a header)"),
        (b"id;submitdate;ORT;TEXT\r\n1;2026-11-10;G01;x\r\n", "missing the mapped column(s)"),
        ((";".join(HEADER) + "\r\n1;;G01;R1;a;b;c\r\n1;;G02;R1;d;e;f\r\n").encode(), "response id(s) 1 occur more than once"),
        (b"id;submitdate;GEMEINDE\r\n\x81\x8d;x;y\r\n", "not valid UTF-8"),
        ((";".join(HEADER) + "\r\n1;;G01\r\n").encode(), "record 2 has 3 fields"),
    ],
    ids=["empty", "header-only", "missing-columns", "duplicate-ids", "undefined-cp1252", "short-row"],
)
def test_bad_files_are_refused_with_one_line_naming_the_file_and_nothing_written(tmp_path, raw, message):
    ws, path, result = import_bytes(tmp_path, raw)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0]
    assert not ws.snapshots_dir("vt-bad").exists() and "vt-bad" not in ws.meetings()


def test_a_large_export_imports_correctly(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from import_large import synthetic_export

    from integkit.responses import load_responses

    raw = synthetic_export(5_000)
    ws, _, result = import_bytes(tmp_path, raw)
    assert result.exit_code == 0, result.output
    responses = load_responses(ws, "vt-bad")
    assert len(responses.respondents) == 5_000 and responses.respondents["response_id"].is_unique
    assert len(responses.answers) == 3 * 5_000 - responses.respondents["response_id"].mod(7).eq(0).sum()
    assert not responses.answers["text"].str.contains("\x00").any()
