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


def test_a_rule_signal_the_coded_answers_deny_is_learnt_as_a_counter_signal() -> None:
    book = load_codebook()
    coded = pd.DataFrame({
        "text": ["Vermieter haben Vorurteile gegenüber Migranten.", "Vorurteile bei Arbeitgebern sind ein Problem.",
                 "Beim Jobcenter spüren die Leute Vorurteile.", "Der Helferkreis ist super", "Mehr Wohnungen bitte"],
        "themes": ["wohnen", "arbeit", "arbeit", "ehrenamt", "wohnen"],
    })
    new = ["Im Jobcenter gibt es Vorurteile.", "Vorurteile und Rassismus im Dorf, aber das Sommerfest hilft."]
    assert [a.themes for a in assign(new, book)] == [("arbeit", "begegnung"), ("begegnung",)]
    learnt = assign(new, book, model=train(coded, book))
    assert learnt[0].themes == ("arbeit",)  # "Vorurteile" alone no longer gives begegnung
    assert learnt[1].themes == ("begegnung",)  # other signals of the theme still count


def test_the_nearest_coded_answer_is_followed_where_the_rules_erred_alike() -> None:
    book = load_codebook()
    coded = pd.DataFrame({
        "text": ["Die Tafel versorgt jede Woche viele Familien", "Mehr Wohnungen bitte", "Der Helferkreis ist super"],
        "themes": ["begegnung", "wohnen", "ehrenamt"],
    })
    answer = "Die Tafel versorgt viele Familien"
    assert assign([answer], book)[0].themes == ()
    result = assign([answer, "Ein Fest im Sommer"], book, model=train(coded, book))[0]
    assert result.themes == ("begegnung",)
    theme, words, signal = result.evidence[0]
    assert theme == "begegnung" and set(words.split()) <= set(answer.split()) and words
    assert signal == f"{LEARNT}: wie „Die Tafel versorgt jede Woche viele Familien“"


def test_a_neighbour_sharing_only_the_rules_own_evidence_teaches_nothing() -> None:
    """Answers from the external set: a one-word answer close to a longer coded one gets no theme
    from it when all they share is the word the rules already placed."""
    book = load_codebook()
    coded = pd.DataFrame({
        "text": ["Kürzere Bearbeitungszeiten bei Aufenthaltserlaubnissen, die Leute verlieren sonst ihre Stelle.",
                 "Mehr Wohnungen bitte", "Der Helferkreis ist super"],
        "themes": ["verwaltung;arbeit", "wohnen", "ehrenamt"],
    })
    assert [a.themes for a in assign(["Bearbeitungszeiten!"], book, model=train(coded, book))] == [("verwaltung",)]


def test_two_denials_are_not_enough_to_unlearn_a_rule_signal() -> None:
    """The coded answers of one meeting may be full of decoys ("in der Unterkunft" as a place):
    a rule signal is unlearnt only after three denials, twice as many as it was right."""
    book = load_codebook()
    coded = pd.DataFrame({
        "text": ["Familien mit positivem Bescheid finden keine Wohnung.", "Trotz Bescheid bleiben sie in der Unterkunft, Wohnungen fehlen.",
                 "Der Helferkreis ist super"],
        "themes": ["wohnen", "wohnen", "ehrenamt"],
    })
    assert not train(coded, book).counters


def test_generic_words_and_words_of_other_themes_teach_no_theme() -> None:
    """Coded answers about contact persons that all name the Helferkreis or the Landkreis: those
    words only co-occur with strukturen (Helferkreis is ehrenamt's, Landkreis is everywhere)."""
    book = load_codebook()
    coded = pd.DataFrame({
        "text": ["Der Helferkreis weiß nie, wen er im Landkreis fragen soll.", "Im Landkreis sollte jemand dem Helferkreis sagen, wer hilft.",
                 "Der Helferkreis kennt im Landkreis keinen.", "Der Helferkreis ist super", "Mehr Wohnungen bitte"],
        "themes": ["strukturen;ehrenamt", "strukturen;ehrenamt", "strukturen;ehrenamt", "ehrenamt", "wohnen"],
    })
    model = train(coded, book)
    assert not {"helferkreis", "landkreis"} & model.signals.keys()
    assert "strukturen" not in assign(["Der Helferkreis im Landkreis feiert Geburtstag."], book, model=model)[0].themes


def test_a_counter_signal_never_takes_an_answers_only_theme() -> None:
    """"Bescheid" denied where it was incidental (the point was housing) still makes "Bescheide
    verständlicher" an answer about the administration."""
    book = load_codebook()
    coded = pd.DataFrame({
        "text": ["Familien mit positivem Bescheid finden keine Wohnung.", "Trotz Bescheid bleiben sie in der Unterkunft, Wohnungen fehlen.",
                 "Mit dem Bescheid beginnt die Wohnungssuche.", "Der Helferkreis ist super"],
        "themes": ["wohnen", "wohnen", "wohnen", "ehrenamt"],
    })
    model = train(coded, book)
    assert ("verwaltung", "bescheid") in model.counters
    new = ["Bescheide verständlicher", "Mit Bescheid, aber ohne Wohnung"]
    assert [a.themes for a in assign(new, book, model=model)] == [("verwaltung",), ("wohnen",)]


def test_coded_answers_do_not_make_unseen_answers_worse() -> None:
    """Cross-validation on the external set's test part, which the rules were not tuned on."""
    from theme_sets import external

    from integkit.themes.assign import split_themes
    from integkit.themes.evaluate import score

    book = load_codebook()
    test = external().query("split == 'test'")
    for seed in range(3):
        coded = test.sample(100, random_state=seed)
        rest = test.drop(coded.index)
        gold = [set(split_themes(g)) for g in rest["gold"]]
        rules = score(gold, [set(a.themes) for a in assign(rest["text"].tolist(), book)], book.ids).macro_f1
        model = train(coded[["text", "gold"]].rename(columns={"gold": "themes"}), book)
        learnt = score(gold, [set(a.themes) for a in assign(rest["text"].tolist(), book, model=model)], book.ids).macro_f1
        assert learnt >= rules - 0.002, (seed, rules, learnt)


def test_learning_writes_nothing_and_the_package_ships_no_model(tmp_path: Path, monkeypatch) -> None:
    import integkit

    package = Path(integkit.__file__).parent
    coded = tmp_path / "coded.csv"
    CODED.to_csv(coded, sep=";", index=False)
    answers = tmp_path / "a.csv"
    answers.write_text("text\nBeim Hopfenzupfen fehlen Leute\n", encoding="utf-8")

    def files(root: Path) -> dict[str, int]:
        return {str(p): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

    before_tmp, before_pkg = files(tmp_path), files(package)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["themes", "evaluate", str(answers), "--text-column", "text", "--gold-column", "text",
                                      "--learn-from", str(coded)])
    assert result.exit_code == 0, result.output
    assert files(tmp_path) == before_tmp and files(package) == before_pkg  # learning kept everything in memory
    model_like = {".pkl", ".pickle", ".joblib", ".npz", ".npy", ".onnx", ".pt", ".bin", ".safetensors", ".model"}
    assert not [p for p in before_pkg if Path(p).suffix in model_like]
