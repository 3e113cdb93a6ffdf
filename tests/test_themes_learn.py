"""Learning from coded answers: the model adds what the rules miss, with evidence from the answer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from integkit.cli import app
from integkit.themes.assign import assign
from integkit.themes.codebook import load_codebook
from integkit.themes.learn import LEARNT, train

CODED = pd.DataFrame({
    "text": [
        "Hopfenzupfen im Sommer klappt gut", "Beim Hopfenzupfen helfen viele mit", "Hopfenzupfen bringt den Männern Geld und Struktur",
        "Das Hopfenzupfen auf den Höfen läuft", "Hopfenzupfen wieder organisieren", "Hopfenzupfen ist beliebt",
        "Mehr Wohnungen bitte", "Der Helferkreis ist super", "Kita-Plätze fehlen", "Deutschkurse am Abend", "Bus fährt selten",
        "Danke für alles",
    ],
    "themes": ["arbeit"] * 6 + ["wohnen", "ehrenamt", "bildung", "sprache", "", ""],
})


def test_coded_answers_teach_a_theme_the_rules_miss() -> None:
    book = load_codebook()
    answer = "Beim Hopfenzupfen fehlen dieses Jahr Leute"
    assert "arbeit" not in assign([answer], book)[0].themes  # the rules alone do not know the word
    model = train(CODED, book)
    result = assign([answer, "Mehr Wohnungen in der Stadt"], book, model=model)
    assert "arbeit" in result[0].themes
    theme, words, signal = next(e for e in result[0].evidence if e[0] == "arbeit")
    assert words.split()[0] == "Hopfenzupfen" and all(w in answer for w in words.split())  # its own words, weightiest first
    assert signal.startswith(f"{LEARNT}: wie „") and "Hopfenzupfen" in signal  # the nearest coded answer
    assert result[1].themes == ("wohnen",)  # what the rules know stays


def test_cli_assign_learns_from_a_coded_file(tmp_path: Path) -> None:
    coded = tmp_path / "coded.csv"
    CODED.rename(columns={"text": "antwort"}).to_csv(coded, sep=";", index=False)
    answers = tmp_path / "a.csv"
    answers.write_text("antwort\nBeim Hopfenzupfen fehlen Leute\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    runner = CliRunner()
    plain = runner.invoke(app, ["themes", "assign", str(answers), "--text-column", "antwort", "--out", str(out)])
    assert plain.exit_code == 0 and pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)["themes"].tolist() == [""]
    result = runner.invoke(app, ["themes", "assign", str(answers), "--text-column", "antwort", "--out", str(out), "--learn-from", str(coded)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out, sep=";", dtype=str)["themes"].tolist() == ["arbeit"]
    bad = tmp_path / "bad.csv"
    bad.write_text("antwort\nx\n", encoding="utf-8")
    result = runner.invoke(app, ["themes", "assign", str(answers), "--text-column", "antwort", "--out", str(out), "--learn-from", str(bad)])
    assert result.exit_code == 2 and "bad.csv" in result.output and "themes" in result.output
