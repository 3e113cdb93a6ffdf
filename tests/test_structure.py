"""Reading LimeSurvey structure exports (.lss): the recorded survey and the standard questionnaire."""

from __future__ import annotations

import pytest

from conftest import LIMESURVEY, LSS_482931
from integkit.errors import InputError
from integkit.data import questionnaire_path
from integkit.ingest.structure import SurveyStructure, parse_lss, read_lss

FREISING_24 = {
    "Allershausen", "Attenkirchen", "Au i.d. Hallertau", "Eching", "Fahrenzhausen", "Freising", "Gammelsdorf",
    "Haag a.d. Amper", "Hallbergmoos", "Hohenkammer", "Hörgertshausen", "Kirchdorf a.d. Amper", "Kranzberg",
    "Langenbach", "Marzling", "Mauern", "Moosburg a.d. Isar", "Nandlstadt", "Neufahrn b. Freising", "Paunzhausen",
    "Rudelzhausen", "Wang", "Wolfersdorf", "Zolling",
}


def test_recorded_survey_questions_and_labels():
    s = read_lss(LSS_482931)
    assert s.survey_id == 482931 and s.language == "de"
    assert list(s.questions) == [
        "GEMEINDE", "ROLLE", "EHRENAMT", "BEREICHE", "THEMEN", "GELINGT", "AUSBAU", "UNTERSTUETZUNG", "KONTAKT"
    ]
    gemeinde = s.questions["GEMEINDE"]
    assert gemeinde.answers["G02"] == "Moosburg a.d. Isar" and gemeinde.other
    assert gemeinde.other_label == "Andere Gemeinde im Landkreis"
    assert s.questions["BEREICHE"].subquestions["SQ005"] == "Kita/Schule"
    assert s.questions["BEREICHE"].answers["4"] == "eher gut"
    # question texts are stored as HTML (<p>…</p>) and come out as plain text
    assert s.questions["GELINGT"].text == "Was gelingt in Ihrer Gemeinde gut?"


def test_standard_questionnaire_keeps_recorded_codes_and_has_all_24_municipalities():
    standard = read_lss(questionnaire_path())
    recorded = read_lss(LSS_482931)
    answers = standard.questions["GEMEINDE"].answers
    assert set(answers.values()) == FREISING_24 and len(answers) == 24
    for code, label in recorded.questions["GEMEINDE"].answers.items():
        assert answers[code] == label
    for code in ("ROLLE", "BEREICHE", "THEMEN", "GELINGT", "AUSBAU", "UNTERSTUETZUNG", "KONTAKT"):
        assert standard.questions[code] == recorded.questions[code]


def test_structure_json_round_trip():
    s = read_lss(LSS_482931)
    assert SurveyStructure.from_json(s.to_json()) == s


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"<document><broken>", "not a readable LimeSurvey structure file"),
        (b"<?xml version='1.0'?><html><body/></html>", "not a LimeSurvey survey structure file"),
        (b"<!DOCTYPE x [<!ENTITY a 'b'>]><document/>", "not a readable LimeSurvey structure file"),
    ],
)
def test_bad_structure_files_are_refused_with_the_file_named(raw, message):
    with pytest.raises(InputError, match=message) as info:
        parse_lss(raw, "survey.lss")
    assert str(info.value).startswith("survey.lss:")


def test_other_recorded_surveys_parse():
    s = read_lss(LIMESURVEY / "survey_structure" / "limesurvey_survey_482932.lss")
    assert s.questions["ZUFRIEDEN"].type == "5" and s.questions["ANREGUNG"].type == "T"
