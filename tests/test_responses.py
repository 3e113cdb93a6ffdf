"""The tidy model built from recorded LimeSurvey exports, with labels from the structure."""

from __future__ import annotations


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
