"""The meetings registry (surveys/meetings.yaml): strict reading, meeting ids, series, concurrent writes.

Issue 14 points 2, 9 (registry part) and 11; issue 13 point 2 (series).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import CSV_SHORT, LIMESURVEY, LSS_482931
from integkit.cli import app
from integkit.errors import WorkspaceError
from integkit.ingest.snapshot import list_snapshots
from integkit.ingest.store import import_file
from integkit.workspace import STANDARD_SERIES, Meeting, Workspace, check_meeting_id

runner = CliRunner()


def write_registry(ws: Workspace, text: str) -> None:
    ws.registry_path.write_text(text, encoding="utf-8")


# --- meeting ids (14.11) -----------------------------------------------------------------------
@pytest.mark.parametrize("meeting_id", ["vt-2026\n", "vt-2026\r", "\nvt", "con", "aux.txt", "nul", "com1", "lpt9.log", "prn.tar.gz", "vt.", "VT-2026", "../x", ""])
def test_meeting_ids_that_cannot_name_a_folder_everywhere_are_refused(meeting_id):
    with pytest.raises(WorkspaceError, match="is not valid") as err:
        check_meeting_id(meeting_id)
    assert "\n" not in str(err.value).replace(repr(meeting_id), "")


@pytest.mark.parametrize("meeting_id", ["vt-2026-11", "console", "auxiliar", "com10", "nul0", "a.b_c-d"])
def test_ordinary_meeting_ids_are_kept(meeting_id):
    assert check_meeting_id(meeting_id) == meeting_id


def test_a_meeting_id_with_a_trailing_newline_writes_nothing(workspace):
    before = sorted(p.name for p in workspace.surveys_dir.iterdir())
    result = runner.invoke(app, ["import", "vt-2026\n", str(CSV_SHORT), "-w", str(workspace.root)])
    assert result.exit_code == 2 and "is not valid" in result.output
    assert sorted(p.name for p in workspace.surveys_dir.iterdir()) == before


# --- strict reading (14.9) ------------------------------------------------------------------------
BAD_REGISTRIES = [
    ("meetings:\n  vt:\n    date: 2026-11-10T10:00:00\n", "meeting vt: date '2026-11-10T10:00:00' has a time; write the date only"),
    ("meetings:\n  vt:\n    date: 2026-11-10 10:00:00\n", "meeting vt: date '2026-11-10 10:00:00' has a time"),
    ("meetings:\n  vt:\n    date: 2026\n", "meeting vt: date 2026 is not a date; write it as YYYY-MM-DD"),
    ("meetings:\n  vt:\n    date: 2026-02-30\n", "meeting vt: date '2026-02-30' is not a date in the calendar"),
    ("meetings:\n  vt:\n    date: 10.11.2026\n", "meeting vt: date '10.11.2026' is not a date"),
    ("meetings:\n  vt:\n    title: 12345\n", "meeting vt: title 12345 must be text; put it in quotes"),
    ("meetings:\n  vt:\n    series: [a, b]\n", "meeting vt: series ['a', 'b'] must be text"),
    ("meetings:\n  vt:\n    mapping: GELINGT\n", "meeting vt: mapping must be a mapping"),
    ("- vt\n- vt-2\n", "must be a mapping with the key 'meetings'"),
    ("meetings:\n  - vt\n", "'meetings' must be a mapping of meeting id to entry, not a list"),
    ("meetings:\n  vt: Vernetzungstreffen\n", "meeting vt: the entry must be a mapping (title:, date:, …), not 'Vernetzungstreffen'"),
    ("meetings:\n  vt:\n    datum: 2026-11-10\n", "meeting vt: unknown key(s) datum"),
    ("meetings:\n  con:\n    title: x\n", "meeting id 'con' is not valid"),
    ("meetings: {vt: [\n", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_REGISTRIES, ids=[m.split(":")[-1][:30] for _, m in BAD_REGISTRIES])
def test_a_bad_registry_is_one_line_naming_file_and_field_and_nothing_is_lost(workspace, text, message):
    write_registry(workspace, text)
    for args in (["meetings"], ["import", "vt-neu", str(CSV_SHORT)], ["snapshots", "vt"], ["report", "vt"]):
        result = runner.invoke(app, [*args, "-w", str(workspace.root)])
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 2, (args, result.output)
        assert len(lines) == 1 and lines[0].startswith(f"integkit: error: {workspace.registry_path}: "), lines
        assert message in lines[0], lines[0]
    assert workspace.registry_path.read_text(encoding="utf-8") == text  # never rewritten
    assert not workspace.meeting_dir("vt-neu").exists()


def test_dates_written_as_text_or_as_dates_are_read_alike(workspace):
    write_registry(workspace, "meetings:\n  a:\n    date: 2026-11-10\n  b:\n    date: '2026-11-10'\n  c: {}\n")
    meetings = workspace.meetings()
    assert str(meetings["a"].date) == str(meetings["b"].date) == "2026-11-10" and meetings["c"].date is None


def test_saving_keeps_every_entry_and_reads_back(workspace):
    write_registry(workspace, "meetings:\n  vt-a:\n    title: 'Frühjahr'\n    date: 2026-05-13\n    series: vernetzungstreffen\n")
    workspace.save_meeting(Meeting("vt-b", title="Herbst", series="sprachkurse"))
    meetings = workspace.meetings()
    assert meetings["vt-a"].title == "Frühjahr" and str(meetings["vt-a"].date) == "2026-05-13"
    assert meetings["vt-b"].series == "sprachkurse" and meetings["vt-b"].date is None


# --- series (13.2) -------------------------------------------------------------------------------
BEDARF_LSS = LIMESURVEY / "survey_structure" / "limesurvey_survey_482933.lss"


def test_a_new_meeting_joins_the_series_only_with_the_standard_codes(workspace, tmp_path):
    import_file(workspace, "vt-2026-10", CSV_SHORT, LSS_482931)
    assert workspace.meeting("vt-2026-10").series == STANDARD_SERIES
    other = tmp_path / "bedarf.csv"  # the language-course needs survey: GEMEINDE, BEDARF, BEMERKUNG
    other.write_text('"id";"submitdate";"GEMEINDE";"BEDARF";"BEMERKUNG"\n"7";"2026-11-02 10:00:00";"G03";"12";"Kurse am Abend"\n', encoding="utf-8")
    import_file(workspace, "bedarf-2027", other, BEDARF_LSS)
    assert workspace.meeting("bedarf-2027").series is None
    assert "series" not in yaml.safe_load(workspace.registry_path.read_text(encoding="utf-8"))["meetings"]["bedarf-2027"]
    assert workspace.earlier_meetings("bedarf-2027") == []


def test_the_registry_decides_the_series_of_a_registered_meeting(workspace):
    write_registry(workspace, "meetings:\n  vt-sonder:\n    title: Sondertreffen\n    date: 2026-12-01\n")
    import_file(workspace, "vt-sonder", CSV_SHORT, LSS_482931)
    assert workspace.meeting("vt-sonder").series is None  # written without a series: it stays on its own


def test_earlier_meetings_are_the_series_before_this_date_even_in_the_same_month(workspace):
    write_registry(workspace, """meetings:
  vt-2026-11-03: {date: 2026-11-03, series: vernetzungstreffen}
  vt-2026-11-17: {date: 2026-11-17, series: vernetzungstreffen}
  vt-2026-11-24: {date: 2026-11-24, series: vernetzungstreffen}
  vt-2026-11-10: {date: 2026-11-10, series: vernetzungstreffen}
  vt-2026-11-24b: {date: 2026-11-24, series: vernetzungstreffen}
  sprache-2026-11-01: {date: 2026-11-01, series: sprachkurse}
  ohne-reihe: {date: 2026-10-01}
  ohne-datum: {series: vernetzungstreffen}
""")
    earlier = [m.id for m in workspace.earlier_meetings("vt-2026-11-24")]
    assert earlier == ["vt-2026-11-03", "vt-2026-11-10", "vt-2026-11-17"]  # by day; the same day is not earlier
    assert workspace.earlier_meetings("vt-2026-11-03") == []
    assert workspace.earlier_meetings("ohne-reihe") == [] and workspace.earlier_meetings("ohne-datum") == []
    assert [m.id for m in workspace.earlier_meetings("sprache-2026-11-01")] == []


# --- concurrent registrations (14.2) ----------------------------------------------------------------
IMPORTS_AT_ONCE = 40


def _import_when_all_are_ready(root: str, meeting_id: str, barrier) -> None:
    barrier.wait()
    import_file(Workspace(root), meeting_id, CSV_SHORT, LSS_482931)


def run_at_once(target, argument_lists) -> list[int]:
    """Run `target` in real, forked processes that start together; their exit codes."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(argument_lists))
    processes = [context.Process(target=target, args=(*args, barrier)) for args in argument_lists]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    return [process.exitcode for process in processes]


def test_concurrent_imports_of_different_meetings_all_register(workspace):
    ids = [f"vt-{i:02d}" for i in range(IMPORTS_AT_ONCE)]
    codes = run_at_once(_import_when_all_are_ready, [(str(workspace.root), meeting_id) for meeting_id in ids])
    assert codes == [0] * IMPORTS_AT_ONCE
    registered = workspace.meetings()
    assert sorted(registered) == ids  # none lost
    for meeting_id in ids:
        (snapshot,) = list_snapshots(workspace.snapshots_dir(meeting_id))
        snapshot.verify()
    assert not [p for p in workspace.surveys_dir.iterdir() if p.name.startswith(".meetings.yaml.")]  # no temporary left


def test_concurrent_imports_of_one_file_store_it_once(workspace):
    codes = run_at_once(_import_when_all_are_ready, [(str(workspace.root), "vt")] * 8)
    assert codes == [0] * 8
    assert len(list_snapshots(workspace.snapshots_dir("vt"))) == 1 and list(workspace.meetings()) == ["vt"]


def test_a_registry_copied_in_by_hand_is_read_by_later_commands(workspace, tmp_path):
    """The lock file beside the registry does not get in the way of a registry replaced from a backup."""
    import_file(workspace, "vt", CSV_SHORT, LSS_482931)
    backup = tmp_path / "meetings.yaml"
    shutil.copyfile(workspace.registry_path, backup)
    os.replace(backup, workspace.registry_path)
    import_file(workspace, "vt-2", CSV_SHORT, LSS_482931)
    assert sorted(workspace.meetings()) == ["vt", "vt-2"]


def test_the_demo_registry_reads(tmp_path):
    from integkit import data
    from integkit.workspace import parse_registry

    meetings = parse_registry(data.demo_registry_path().read_text(encoding="utf-8"), Path("demo/meetings.yaml"))
    assert all(m.series == STANDARD_SERIES and m.date for m in meetings.values())
