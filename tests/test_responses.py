"""The tidy model built from recorded LimeSurvey exports, with labels from the structure."""

from __future__ import annotations


import re

import pandas as pd
import pytest

from conftest import CSV_SHORT, JSON_SHORT, LIMESURVEY, LSS_482931, RPC
from integkit.errors import InputError
from integkit.responses import (
    ANSWER_COLUMNS,
    CHOICE_COLUMNS,
    RATING_COLUMNS,
    RESPONDENT_COLUMNS,
    build_responses,
    infer_mapping,
)
from integkit.ingest.files import parse_export, read_export
from integkit.ingest.structure import read_lss

STRUCTURE = read_lss(LSS_482931)


def tidy(path, mapping=None):
    return build_responses(read_export(path)[1], STRUCTURE, "vt", mapping)


@pytest.fixture(scope="module")
def responses():
    return tidy(CSV_SHORT)


def assert_same(a, b):
    for table in ("respondents", "answers", "ratings", "choices", "questions"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), obj=table)


def test_columns_are_the_documented_ones(responses):
    assert list(responses.respondents.columns) == RESPONDENT_COLUMNS
    assert list(responses.answers.columns) == ANSWER_COLUMNS
    assert list(responses.ratings.columns) == RATING_COLUMNS
    assert list(responses.choices.columns) == CHOICE_COLUMNS


def test_csv_and_json_exports_give_identical_responses(responses):
    assert_same(responses, tidy(JSON_SHORT))


@pytest.mark.parametrize("name", ["export_responses__csv_code_long.decoded.csv", "export_responses__json_code_long.decoded.json"])
def test_long_answer_exports_give_the_same_labels(responses, name):
    long = tidy(RPC / name)
    pd.testing.assert_frame_equal(long.respondents, responses.respondents)
    pd.testing.assert_frame_equal(long.answers, responses.answers)
    pd.testing.assert_frame_equal(long.ratings, responses.ratings)
    pd.testing.assert_frame_equal(long.choices, responses.choices)


def test_respondents_labels_other_municipality_and_incomplete(responses):
    people = responses.respondents.set_index("response_id")
    assert len(people) == 31 and people["complete"].sum() == 27
    assert set(people.index[~people["complete"]]) == {16, 17, 18, 30}
    assert people["submitted_at"][~people["complete"]].isna().all()
    assert people.loc[1, "municipality"] == "Freising" and people.loc[1, "role"] == "Verwaltung"
    assert people.loc[12, "municipality"] == "Langenbach" and people.loc[23, "municipality"] == "Marzling"
    assert people.loc[28, "volunteers"] == 0 and pd.isna(people.loc[8, "volunteers"])


def test_answers_keep_text_as_written(responses):
    answers = responses.answers.set_index(["response_id", "question_id"])["text"]
    assert answers[(28, "q_gut")] == "k. A."  # kept: an answer without content, not a missing one
    assert "<Kontaktliste>" in " ".join(answers.loc[29])  # HTML-like text stays text
    assert "👍" in answers.loc[3].str.cat() and "📚" in answers.loc[3].str.cat()
    assert len(answers[(14, "q_gut")]) == 2578
    # empty free texts give no row
    assert not responses.answers["text"].eq("").any()
    assert set(responses.answers["question_id"]) == {"q_gut", "q_ausbau", "q_unterstuetzung"}


def test_ratings_are_long_with_nan_for_no_answer(responses):
    ratings = responses.ratings
    assert set(ratings["item"]) == {"Wohnraum", "Sprachförderung", "Ehrenamt", "Arbeit und Ausbildung", "Kita/Schule"}
    assert ratings["value"].dropna().between(1, 5).all()
    # respondents who stopped on page 1 have no rating rows at all
    assert not ratings["response_id"].isin([16, 30]).any()
    first = ratings[ratings["response_id"] == 1].set_index("item")["value"]
    assert first["Wohnraum"] == 4


def test_choices_include_other_text(responses):
    choices = responses.choices
    assert (choices["question_id"] == "q_themen").all()
    assert "Mobilität/ÖPNV" in set(choices.loc[choices["response_id"] == 11, "option"])
    assert "Wohnraum und Unterbringung" in set(choices["option"])


def test_missing_mapped_columns_are_named():
    export = parse_export(b'"id";"submitdate";"FOO"\n"1";"";"x"\n', "other.csv")
    with pytest.raises(InputError, match=r"other.csv: missing the mapped column\(s\)"):
        build_responses(export, STRUCTURE, "vt", None, source="other.csv")


def test_meeting_mapping_overrides_the_default(responses):
    mapping = {"texts": {"q_gut": "GELINGT"}}
    custom = tidy(CSV_SHORT, mapping)
    assert set(custom.answers["question_id"]) == {"q_gut"}
    with pytest.raises(InputError, match="unknown key"):
        tidy(CSV_SHORT, {"textz": {}})


def test_mapping_is_inferred_for_a_survey_integkit_did_not_write():
    structure = read_lss(LIMESURVEY / "survey_structure" / "limesurvey_survey_482933.lss")
    mapping = infer_mapping(structure)
    assert mapping["municipality"] == "GEMEINDE"
    assert mapping["texts"] == {"q_bemerkung": "BEMERKUNG"}
    export = parse_export(
        '"id";"submitdate";"GEMEINDE";"BEDARF";"BEMERKUNG"\n"7";"2026-11-02 10:00:00";"G03";"12";"Kurse am Abend"\n'.encode(),
        "bedarf.csv",
    )
    r = build_responses(export, structure, "bedarf", None)
    assert r.respondents.loc[0, "municipality"] == "Neufahrn b. Freising"
    assert r.answers.loc[0, "text"] == "Kurse am Abend"


# --- LimeSurvey 6.14 exports (issue 13 points 1, 4, 5) ------------------------------------------
from conftest import LSS_614, RPC_614  # noqa: E402

STRUCTURE_614 = read_lss(LSS_614)


def tidy_614(path, mapping=None):
    return build_responses(read_export(path)[1], STRUCTURE_614, "vt", mapping)


def long_xlsx(tmp_path):
    """The recorded long CSV export saved as an XLSX, as LimeSurvey's Excel export with full answer texts would be."""
    import openpyxl

    frame = read_export(RPC_614 / "export_responses__csv_code_long.decoded.csv")[1].frame
    book = openpyxl.Workbook()
    book.active.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        book.active.append([int(v) if i == 0 else (v or None) for i, v in enumerate(row)])
    path = tmp_path / "results-long.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("kind", ["csv", "json", "xlsx"])
def test_a_long_export_keeps_the_other_municipality(kind, tmp_path):
    """6.14 writes GEMEINDE = "Sonstiges" beside GEMEINDE[other] in full-text exports; the other text wins."""
    path = long_xlsx(tmp_path) if kind == "xlsx" else RPC_614 / f"export_responses__{kind}_code_long.decoded.{kind}"
    long = tidy_614(path)
    short = tidy_614(RPC_614 / "export_responses__csv_code_short.decoded.csv")
    people = long.respondents.set_index("response_id")
    assert people.loc[17, "municipality"] == "Langenbach" and people.loc[28, "municipality"] == "Marzling"
    assert "Sonstiges" not in set(long.respondents["municipality"])
    for table in ("respondents", "answers", "ratings", "choices", "questions"):
        pd.testing.assert_frame_equal(getattr(long, table), getattr(short, table), obj=table)


@pytest.mark.parametrize("name", ["export_responses__json_code_short.decoded.json", "export_responses__xls_code_short.decoded.xlsx"])
def test_6_14_exports_with_null_cells_give_the_same_tables_as_its_csv(name):
    csv = tidy_614(RPC_614 / "export_responses__csv_code_short.decoded.csv")
    other = tidy_614(RPC_614 / name)
    for table in ("respondents", "answers", "ratings", "choices", "questions"):
        pd.testing.assert_frame_equal(getattr(other, table), getattr(csv, table), obj=table)
    assert len(csv.respondents) == 35 and int(csv.respondents["complete"].sum()) == 32


def test_a_blank_other_text_is_no_municipality():
    rows = '"id";"submitdate";"GEMEINDE";"GEMEINDE[other]";"GELINGT"\n"1";"2026-11-02 10:00:00";"-oth-";"  ";"Gut"\n"2";"";"other";"";"Auch"\n'
    people = build_responses(parse_export(rows.encode(), "x.csv"), STRUCTURE_614, "vt", {"texts": {"q_gut": "GELINGT"}}).respondents
    assert people["municipality"].tolist() == ["ohne Angabe", "ohne Angabe"]


def test_a_survey_without_free_text_imports_and_loads(workspace):
    """Issue 13.4: 551235 has FUNKTION and LAGE only; imported with its .lss it needs no mapping at all."""
    from integkit.ingest.store import import_file
    from integkit.responses import load_responses

    export = RPC_614 / "export_responses__notext_json_code_short.decoded.json"
    result = import_file(workspace, "lage-2027", export, LSS_614.with_name("limesurvey_survey_551235.lss"))
    responses = load_responses(workspace, "lage-2027")
    assert result.created and len(responses.respondents) == 4 and responses.answers.empty
    assert responses.text_questions() == [] and len(responses.ratings) == 20
    assert set(responses.respondents["municipality"]) == {"ohne Angabe"}


def test_a_mapping_may_say_no_texts(workspace):
    """A meeting's mapping with `texts: {}` (ratings only) works on a standard export too."""
    from integkit.ingest.store import import_file
    from integkit.responses import load_responses

    workspace.registry_path.write_text("meetings:\n  vt:\n    mapping:\n      texts: {}\n      choices: {}\n", encoding="utf-8")
    import_file(workspace, "vt", CSV_SHORT, LSS_482931)
    responses = load_responses(workspace, "vt")
    assert responses.answers.empty and set(responses.questions["kind"]) == {"rating"}
    assert "Freising" in set(responses.respondents["municipality"])


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"texts": ["GELINGT"]}, "texts must map question ids to codes"),
        ({"ratings": "BEREICHE"}, "ratings must be a list of question codes"),
        ({"municipality": 5}, "municipality must be a question code or null"),
        ({"texts": {}, "ratings": [], "choices": {}}, "missing the mapped column(s) free-text, rating or choice questions"),
    ],
)
def test_a_bad_mapping_names_the_field(mapping, message):
    with pytest.raises(InputError, match=re.escape(message)):
        tidy(CSV_SHORT, mapping)


# --- control and invisible characters in labels (issue 14 point 10) -----------------------------
NASTY = "\x00\x1b\x07\u202e\u2066\u200b\ufeff"


def test_control_and_bidi_characters_leave_headings_and_labels():
    from dataclasses import replace

    question = STRUCTURE.question("BEREICHE")
    gemeinde = STRUCTURE.question("GEMEINDE")
    nasty = replace(
        STRUCTURE,
        questions={
            **STRUCTURE.questions,
            "GELINGT": replace(STRUCTURE.question("GELINGT"), text=f"Was{NASTY} gelingt?"),
            "BEREICHE": replace(question, subquestions={k: f"{NASTY}{v}" for k, v in question.subquestions.items()}),
            "GEMEINDE": replace(gemeinde, answers={k: f"{v}\u202e{NASTY}" for k, v in gemeinde.answers.items()}),
        },
    )
    raw = CSV_SHORT.read_bytes().replace(b'"GELINGT"', '"GELINGT\u202e\x00"'.encode()).replace(b'"BEREICHE[SQ001]"', '"\ufeffBEREICHE[SQ001]\x1b"'.encode())
    r = build_responses(parse_export(raw, "x.csv"), nasty, "vt")
    shown = " ".join([*r.questions["label"], *r.ratings["item"], *r.respondents["municipality"], *r.choices["option"]])
    assert not re.search("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]", shown)
    assert "Was gelingt?" in set(r.questions["label"])  # the rest of the text stays
    assert "Wohnraum" in set(r.ratings["item"]) and "Freising" in set(r.respondents["municipality"])
    assert set(r.answers["question_id"]) == {"q_gut", "q_ausbau", "q_unterstuetzung"}  # the cleaned heading is mapped


def test_answer_texts_keep_bidi_but_lose_control_characters():
    raw = CSV_SHORT.read_bytes().replace("Die Zusammenarbeit".encode(), "\u202eDie\x00 Zusammenarbeit".encode(), 1)
    text = " ".join(build_responses(parse_export(raw, "x.csv"), STRUCTURE, "vt").answers["text"])
    assert "\u202eDie Zusammenarbeit" in text and "\x00" not in text
