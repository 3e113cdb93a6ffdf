"""`integkit import`: snapshots are immutable and content-addressed; bad files write nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import CSV_SHORT, JSON_SHORT, LSS_482931
from integkit.cli import app
from integkit.errors import SnapshotError
from integkit.ingest.store import import_file
from integkit.responses import load_responses
from integkit.ingest.snapshot import list_snapshots

runner = CliRunner()


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_import_writes_a_checksummed_readonly_snapshot_and_registers_the_meeting(workspace):
    result = runner.invoke(app, ["import", "vt-2026-10", str(CSV_SHORT), "--structure", str(LSS_482931), "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert "imported 31 responses (27 complete, 4 incomplete)" in result.output
    (snapshot,) = list_snapshots(workspace.snapshots_dir("vt-2026-10"))
    manifest = snapshot.manifest
    assert manifest["row_count"] == 31 and manifest["format"] == "limesurvey-csv"
    assert manifest["source"]["kind"] == "file" and manifest["integkit_version"]
    assert snapshot.read("responses.csv") == CSV_SHORT.read_bytes()
    for name in manifest["files"]:
        assert not os.stat(snapshot.path / name).st_mode & stat.S_IWUSR
    meeting = workspace.meeting("vt-2026-10")
    assert meeting.title == "Vernetzungstreffen der Gemeinden zum Thema Integration 2026"
    assert str(meeting.date) == "2026-10-12"


def test_same_file_again_writes_nothing_and_another_file_is_a_new_snapshot(workspace):
    import_file(workspace, "vt", CSV_SHORT, LSS_482931)
    before = files_under(workspace.root)
    again = runner.invoke(app, ["import", "vt", str(CSV_SHORT), "--structure", str(LSS_482931), "-w", str(workspace.root)])
    assert again.exit_code == 0 and "nothing written" in again.output
    assert files_under(workspace.root) == before
    second = import_file(workspace, "vt", JSON_SHORT, LSS_482931)
    assert second.created
    snapshots = list_snapshots(workspace.snapshots_dir("vt"))
    assert len(snapshots) == 2
    # the earlier snapshot is untouched and both give the same responses
    for name, data in before.items():
        assert (workspace.root / name).read_bytes() == data or name.endswith("meetings.yaml")
    first = load_responses(workspace, "vt", snapshots[0].id)
    latest = load_responses(workspace, "vt")
    assert latest.provenance["snapshot_id"] == second.snapshot.id
    pd.testing.assert_frame_equal(first.answers, latest.answers)


def test_labels_default_to_the_standard_questionnaire(workspace):
    import_file(workspace, "vt", CSV_SHORT)
    people = load_responses(workspace, "vt").respondents
    assert "Freising" in set(people["municipality"])


def test_a_corrupted_snapshot_is_refused(workspace):
    result = import_file(workspace, "vt", CSV_SHORT, LSS_482931)
    target = result.snapshot.path / "responses.csv"
    os.chmod(target, 0o644)
    target.write_bytes(target.read_bytes().replace(b"Freising", b"Fr3ising", 1))
    with pytest.raises(SnapshotError, match="does not match its sha256"):
        load_responses(workspace, "vt")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b'"id";"submitdate";"GEMEINDE";"GELINGT"\r\n', "holds no responses"),
        (b'"id";"submitdate";"FOO"\r\n"1";"";"x"\r\n', "missing the mapped column"),
        (b'"id";"submitdate";"GEMEINDE";"GELINGT"\r\n"1";"";"G01";"a"\r\n"1";"";"G02";"b"\r\n', "occur more than once"),
        ("id;GEMEINDE;GELINGT\n1;G01;Sprachförderung\n".encode("utf-16-le"), "not a text file"),
        (b"GEMEINDE;GELINGT\n\x81\x8d\n", "not valid UTF-8"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n", "this is a PDF document, not a table of responses"),
        (b"just some words\nwithout columns\n", "not a CSV export"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(workspace, tmp_path, content, message):
    bad = tmp_path / "upload.csv"
    bad.write_bytes(content)
    before = files_under(workspace.root)
    result = runner.invoke(app, ["import", "vt", str(bad), "-w", str(workspace.root)])
    assert result.exit_code == 2
    assert message in result.output and str(bad) in result.output
    assert "Traceback" not in result.output
    assert files_under(workspace.root) == before  # no snapshot, no registry entry
    assert not workspace.snapshots_dir("vt").exists()


def test_console_script_reports_errors_without_traceback(workspace, tmp_path):
    exe = Path(sys.executable).with_name("integkit")
    proc = subprocess.run(
        [str(exe), "import", "vt", str(tmp_path / "missing.csv"), "--workspace", str(workspace.root)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"integkit: error: {tmp_path / 'missing.csv'}: no such file"


def test_invalid_meeting_id_is_refused(workspace):
    result = runner.invoke(app, ["import", "../evil", str(CSV_SHORT), "-w", str(workspace.root)])
    assert result.exit_code == 2 and "is not valid" in result.output


def test_init_makes_a_workspace(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "neu")])
    assert result.exit_code == 0
    root = tmp_path / "neu"
    assert (root / "surveys" / "vernetzungstreffen.lss").is_file()
    assert (root / "surveys" / "meetings.yaml").read_text().strip().endswith("meetings: {}")
    assert set((root / ".gitignore").read_text().split()) == {".env", "reports/"}


def test_stale_temporary_folders_of_a_killed_run_are_removed(workspace):
    import time

    snapshots = workspace.snapshots_dir("vt")
    stale, fresh = snapshots / ".tmp-killed", snapshots / ".tmp-running"
    for folder in (stale, fresh):
        folder.mkdir(parents=True)
        (folder / "responses.csv").write_bytes(b"half")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    import_file(workspace, "vt", CSV_SHORT, LSS_482931)
    assert not stale.exists() and fresh.exists()
    assert [s.id for s in list_snapshots(snapshots)]  # the new snapshot is there, the temporaries are not listed
