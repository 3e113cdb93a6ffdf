"""One name per municipality (issue 15 point 1): names typed as "other" are matched to the survey's and
the district's municipalities; typos stay as typed until the office confirms them in
surveys/municipalities.yaml; import and pull list every name they could not match.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import JSON_SHORT, LSS_482931, LSS_614, RPC_614
from integkit.cli import app
from integkit.errors import WorkspaceError
from integkit.ingest.municipalities import district_municipalities, municipality_names, unconfirmed_municipalities
from integkit.ingest.store import import_file
from integkit.responses import load_responses

runner = CliRunner()


def test_the_district_has_its_24_municipalities():
    names = district_municipalities()
    assert len(names) == 24 and names[0] == "Freising" and "Hörgertshausen" in names and "Wolfersdorf" in names


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("freising", "Freising"), ("FREISING ", "Freising"), ("Stadt Freising", "Freising"), ("Große Kreisstadt Freising", "Freising"),
        ("Neufahrn b Freising", "Neufahrn b. Freising"), ("Neufahrn bei Freising", "Neufahrn b. Freising"), ("Neufahrn", "Neufahrn b. Freising"),
        ("Moosburg an der Isar", "Moosburg a.d. Isar"), ("moosburg a. d. isar", "Moosburg a.d. Isar"), ("Moosburg", "Moosburg a.d. Isar"),
        ("Au i.d.H.", "Au i.d. Hallertau"), ("Au in der Hallertau", "Au i.d. Hallertau"),
        ("Hoergertshausen", "Hörgertshausen"), ("Gemeinde Hörgertshausen", "Hörgertshausen"),
        ("VG Zolling", "Zolling"), ("Markt Nandlstadt", "Nandlstadt"), ("Haag a. d. Amper", "Haag a.d. Amper"),
    ],
)
def test_the_same_name_written_differently_is_the_known_one(typed, known):
    assert municipality_names().match(typed) == known


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [("Freisng", "Freising"), ("Fresing", "Freising"), ("Allershausn", "Allershausen"), ("Mosburg", "Moosburg a.d. Isar"),
     ("Musterdorf", None), ("Neufahrn in Niederbayern", None), ("Aub", None)],
)
def test_a_typo_is_not_merged_but_suggested(typed, suggestion):
    names = municipality_names()
    assert names.match(typed) is None and names.suggest(typed) == suggestion


def test_the_survey_list_comes_first_and_aliases_confirm():
    names = municipality_names(["Stadt Freising"], {"Freisng": "Stadt Freising", "Kreis-Jugendamt": "Landratsamt Freising"})
    assert names.match("Freising") == "Stadt Freising"  # the survey's own spelling of the name
    assert names.match("freisng") == "Stadt Freising" and names.match("Kreis Jugendamt") == "Landratsamt Freising"


# --- in the tidy model and on import -----------------------------------------------------------------
def export_with(tmp_path, typed: dict[int, str]):
    """The recorded JSON export (6.4.2) with some respondents' municipality typed as "other"."""
    data = json.loads(JSON_SHORT.read_bytes())
    for row in data["responses"]:
        if row["id"] in typed:
            row["GEMEINDE"], row["GEMEINDE[other]"] = "other", typed[row["id"]]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_recorded_other_names_on_the_district_list_are_known(workspace):
    """The 6.4.2 survey lists 10 municipalities; Langenbach and Marzling, typed as "other", are among the district's 24."""
    result = import_file(workspace, "vt", JSON_SHORT, LSS_482931)
    assert result.notes == () and result.responses.municipality_checks == ()
    result = import_file(workspace, "vt-614", RPC_614 / "export_responses__othercodes_json_code_short.decoded.json", LSS_614.with_name("limesurvey_survey_551234.lss"))
    assert result.responses.respondents.set_index("response_id").loc[4, "municipality"] == "Attenkirchen"


def test_import_lists_names_it_could_not_match_and_aliases_confirm_them(workspace, tmp_path):
    export = export_with(tmp_path, {1: "Neufahrn b Freising", 2: "FREISING", 3: "Freisng", 4: "Freisng", 5: "Musterdorf", 6: "\ufeffZolling"})
    result = runner.invoke(app, ["import", "vt", str(export), "--structure", str(LSS_482931), "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("integkit: note: municipality")]
    assert notes == [
        "integkit: note: municipality 'Freisng' (2 responses) is not in the survey's or the district's list (did you mean 'Freising'?); "
        "say what it means in surveys/municipalities.yaml under aliases:",
        "integkit: note: municipality 'Musterdorf' (1 response) is not in the survey's or the district's list; "
        "say what it means in surveys/municipalities.yaml under aliases:",
    ]
    people = load_responses(workspace, "vt").respondents.set_index("response_id")["municipality"]
    assert people[1] == "Neufahrn b. Freising" and people[2] == "Freising" and people[6] == "Zolling"
    assert people[3] == "Freisng"  # unconfirmed: kept as typed, and said so
    assert unconfirmed_municipalities(workspace, "vt") == {"Freisng": "Freising", "Musterdorf": None}

    workspace.municipalities_path.write_text("aliases:\n  Freisng: Freising\n", encoding="utf-8")
    people = load_responses(workspace, "vt").respondents.set_index("response_id")["municipality"]
    assert people[3] == people[4] == "Freising"  # confirmed: no new import needed
    assert unconfirmed_municipalities(workspace, "vt") == {"Musterdorf": None}


def test_two_spellings_of_one_listed_municipality_are_one_municipality(workspace, tmp_path):
    """Issue 14.1's collision: "Neufahrn b. Freising" from the list and "Neufahrn b Freising" typed are one name."""
    export = export_with(tmp_path, {1: "Neufahrn b Freising", 2: "neufahrn b. freising"})
    import_file(workspace, "vt", export, LSS_482931)
    names = set(load_responses(workspace, "vt").respondents["municipality"])
    assert {n for n in names if "neufahrn" in n.lower()} == {"Neufahrn b. Freising"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- Freisng\n", "must hold one mapping 'aliases:'"),
        ("aliases:\n  Freisng: 12\n", "aliases: 'Freisng': 12 must be a name and the municipality it means"),
        ("aliase:\n  Freisng: Freising\n", "must hold one mapping 'aliases:'"),
        ("aliases: [\n", "not valid YAML"),
    ],
)
def test_a_bad_municipalities_file_is_one_line(workspace, text, message):
    import_file(workspace, "vt", JSON_SHORT, LSS_482931)
    workspace.municipalities_path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkspaceError, match=message) as err:
        load_responses(workspace, "vt")
    assert str(err.value).startswith(f"{workspace.municipalities_path}: ")
