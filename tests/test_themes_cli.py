"""The `integkit themes` commands on real files in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from integkit.cli import app
from conftest import default_version

FIXTURES = Path(__file__).parent / "fixtures" / "themes"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["themes", *map(str, args)])


@pytest.fixture
def answers_csv(tmp_path: Path) -> Path:
    path = tmp_path / "answers.csv"
    path.write_text(
        "\ufeffresponse_id,antwort\n1,Der Wohnungsmarkt ist angespannt\n2,k. A.\n3,\"=Mehr Sprachkurse, bitte\"\n",
        encoding="utf-8",
    )
    return path


def test_assign_writes_input_columns_plus_themes(answers_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run("assign", answers_csv, "--text-column", "antwort", "--out", out, "--workspace", tmp_path)
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, sep=",", encoding="utf-8-sig", dtype=str, keep_default_na=False)  # the input's delimiter
    assert list(df.columns) == ["response_id", "antwort", "themes", "theme_evidence"]
    assert df["themes"].tolist() == ["wohnen", "", "sprache"]
    assert df.loc[0, "theme_evidence"] == "wohnen: Wohnungsmarkt→wohnungsmarkt"
    assert df.loc[2, "antwort"].startswith("'=")  # formula masked


def test_assign_reads_semicolon_csv_and_xlsx(tmp_path: Path) -> None:
    semi = tmp_path / "semi.csv"
    semi.write_text("id;text\n1;Helferkreis super\n", encoding="utf-8")
    xlsx = tmp_path / "a.xlsx"
    pd.DataFrame({"text": ["Mehr Kitaplätze"]}).to_excel(xlsx, index=False)
    for src, theme in ((semi, "ehrenamt"), (xlsx, "bildung")):
        out = tmp_path / f"{src.stem}.out.csv"
        assert run("assign", src, "--text-column", "text", "--out", out).exit_code == 0
        assert pd.read_csv(out, sep=";", encoding="utf-8-sig")["themes"].tolist() == [theme]


def test_missing_column_is_input_error(answers_csv: Path, tmp_path: Path) -> None:
    result = run("assign", answers_csv, "--text-column", "text", "--out", tmp_path / "o.csv")
    assert result.exit_code == 2
    assert "no column 'text'" in result.output and "response_id, antwort" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_a_windows_1252_file_is_read_as_import_reads_it(tmp_path: Path) -> None:
    excel = tmp_path / "excel.csv"
    excel.write_bytes("text\nBehörde überlastet\n".encode("cp1252"))
    result = run("assign", excel, "--text-column", "text", "--out", tmp_path / "o.csv")
    assert result.exit_code == 0 and "read it as Windows-1252" in result.output
    assert pd.read_csv(tmp_path / "o.csv", sep=";", encoding="utf-8-sig")["text"].tolist() == ["Behörde überlastet"]


def test_a_file_that_is_no_text_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"text\n\x81\x8d broken\n")
    result = run("assign", bad, "--text-column", "text", "--out", tmp_path / "o.csv")
    assert result.exit_code == 2 and "bad.csv" in result.output and "UTF-8" in result.output


def test_bad_codebook_is_input_error(answers_csv: Path, tmp_path: Path) -> None:
    cb = tmp_path / "cb.yaml"
    cb.write_text("version: 1.0.0\nthemes:\n  - id: x\n    label_de: X\n    signals: {}\n", encoding="utf-8")
    result = run("assign", answers_csv, "--text-column", "antwort", "--codebook", cb, "--out", tmp_path / "o.csv")
    assert result.exit_code == 2 and "cb.yaml" in result.output and "empty theme" in result.output


def test_evaluate_prints_table_and_writes_errors(tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_text("text;gold\nMehr Wohnungen;wohnen\nHelferkreis super;ehrenamt\nBus fährt selten;wohnen\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    result = run("evaluate", gold, "--text-column", "text", "--gold-column", "gold", "--errors", errors)
    assert result.exit_code == 0, result.output
    assert "macro" in result.output and "wohnen" in result.output and "0.667" in result.output  # wohnen: P=1, R=1/2, F1=2/3
    err = pd.read_csv(errors, sep=";", encoding="utf-8-sig")
    assert err[["text", "theme", "kind"]].values.tolist() == [["Bus fährt selten", "wohnen", "false_negative"]]


def test_evaluate_gold_theme_outside_the_codebook(tmp_path: Path) -> None:
    # a theme the codebook lacks is scored as "its answers get no codebook theme they are not about"
    gold = tmp_path / "gold.csv"
    gold.write_text("text;gold;notes\nBus fährt selten;mobilitaet;[mobility]\nKein Bus, die Leute sitzen in ihren Wohnungen fest;mobilitaet;[mobility]\n"
                    "Mehr Wohnungen;wohnen;[telegraphic]\n", encoding="utf-8")
    result = run("evaluate", gold, "--text-column", "text", "--gold-column", "gold", "--tag-column", "notes")
    assert result.exit_code == 0, result.output
    assert "mobilitaet (not in the codebook): 2 answers, 1 got a codebook theme" in result.output
    assert "wohnen" in result.output and "0.667" in result.output  # wohnen: P=1/2, R=1, F1=2/3
    assert "mobility" in result.output and "telegraphic" in result.output  # per-tag table


def test_discover_then_accept_bumps_workspace_codebook(tmp_path: Path) -> None:
    out, summary = tmp_path / "clusters.csv", tmp_path / "summary.csv"
    result = run("discover", FIXTURES / "dev.csv", "--text-column", "text", "--out", out, "--summary", summary, "--seed", "0")
    assert result.exit_code == 0, result.output
    clusters = pd.read_csv(out, sep=";", encoding="utf-8-sig")
    assert "cluster" in clusters.columns and clusters["cluster"].notna().any()
    table = pd.read_csv(summary, sep=";", encoding="utf-8-sig")
    assert {"cluster", "size", "top_terms", "overlap", "quote_1", "quote_2", "quote_3"} <= set(table.columns)
    assert "label" in table.columns and "signals" in table.columns
    bus = int(table[table["signals"].fillna("").str.contains("Bus")]["cluster"].iloc[0])

    # --dry-run shows the signal words and writes nothing (the workspace has no meetings to preview)
    result = run("accept", bus, "--summary", summary, "--id", "mobilitaet", "--label-de", "Mobilität", "--workspace", tmp_path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Signal words: bus" in result.output and "Dry run: nothing written." in result.output
    assert not (tmp_path / "surveys" / "codebook.yaml").exists()

    result = run("accept", bus, "--summary", summary, "--id", "mobilitaet", "--label-de", "Mobilität", "--label-en", "Mobility", "--workspace", tmp_path)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((tmp_path / "surveys" / "codebook.yaml").read_text(encoding="utf-8"))
    assert data["version"] == default_version(1)
    assert data["themes"][-1]["id"] == "mobilitaet" and "bus" in data["themes"][-1]["signals"]["parts"]
    assert data["changelog"][-1]["version"] == default_version(1) and "mobilitaet" in data["changelog"][-1]["change"]

    # The accepted theme is used by the next assignment in that workspace.
    answers = tmp_path / "a.csv"
    answers.write_text("text\nDer Bus fährt zu selten\n", encoding="utf-8")
    assert run("assign", answers, "--text-column", "text", "--out", tmp_path / "o.csv", "--workspace", tmp_path).exit_code == 0
    assert pd.read_csv(tmp_path / "o.csv", sep=";", encoding="utf-8-sig")["themes"].tolist() == ["mobilitaet"]

    # A second accept bumps again; an unknown cluster is an input error.
    assert run("accept", bus, "--summary", summary, "--id", "mobil2", "--label-de", "M2", "--workspace", tmp_path).exit_code == 0
    assert yaml.safe_load((tmp_path / "surveys" / "codebook.yaml").read_text(encoding="utf-8"))["version"] == default_version(2)
    result = run("accept", 999, "--summary", summary, "--id", "x", "--label-de", "X", "--workspace", tmp_path)
    assert result.exit_code == 2 and "no cluster 999" in result.output


def test_accept_previews_each_meeting_and_takes_edited_signals(tmp_path: Path) -> None:
    from integkit.demo import import_demo
    from integkit.workspace import Workspace

    import_demo(Workspace(tmp_path))
    summary = tmp_path / "summary.csv"
    summary.write_text('cluster,size,top_terms,signals,quote_1\n1,5,"bus, fahrdienst",Bus; Fahrdienst,Mehr Busse\n2,3,freising,,\n', encoding="utf-8")
    args = ("accept", 1, "--summary", summary, "--id", "mobilitaet", "--label-de", "Mobilität", "--workspace", tmp_path)
    result = run(*args, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Signal words: bus, fahrdienst  (replace them with --signals a,b,c)" in lines
    preview = [line for line in lines if line.startswith("demo-2026-11: would claim ")]
    assert preview and "of 166 answers" in preview[0]
    assert any("Fahrdienste zu Ärzten und Behörden" in line for line in lines)
    assert not (tmp_path / "surveys" / "codebook.yaml").exists()

    result = run(*args, "--signals", "WLAN, Smartphone", "--meeting", "demo-2026-11")
    assert result.exit_code == 0, result.output
    assert "Signal words: wlan, smartphone" in result.output and "demo-2026-05" not in result.output
    book = yaml.safe_load((tmp_path / "surveys" / "codebook.yaml").read_text(encoding="utf-8"))
    assert book["themes"][-1]["signals"]["parts"] == ["wlan", "smartphone"]

    result = run("accept", 2, "--summary", summary, "--id", "x", "--label-de", "X", "--workspace", tmp_path)
    assert result.exit_code == 2 and "--signals" in result.output and "\n" not in result.output.strip()
    result = run(*args, "--meeting", "vt-nope")
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    ("theme", "pattern", "answer"),
    [("hang_a", "(a+)+$", "a" * 5000 + "b"), ("hang_x", "(x+x+)+y", "x" * 5000)],
)
def test_a_catastrophic_pattern_ends_with_one_line_naming_it(tmp_path: Path, theme: str, pattern: str, answer: str) -> None:
    # With Python's re these patterns backtrack for hours on such answers; the time limit ends
    # the run with the codebook file, theme and pattern named, and nothing written.
    book = {"version": "1.0.0", "themes": [
        {"id": "wohnen", "label_de": "Wohnen", "signals": {"parts": ["wohnung"]}},
        {"id": theme, "label_de": "Hängt", "signals": {"patterns": [pattern]}},
    ]}
    cb = tmp_path / "hostile.yaml"
    cb.write_text(yaml.safe_dump(book), encoding="utf-8")
    answers = tmp_path / "a.csv"
    answers.write_text(f"text\nMehr Wohnungen\n{answer}\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    result = run("assign", answers, "--text-column", "text", "--codebook", cb, "--out", out)
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert "\n" not in line and line.startswith("integkit: error:")
    assert "hostile.yaml" in line and repr(theme) in line and repr(pattern) in line
    assert not out.exists()
