"""Snapshots: every field of the manifest is checksummed, a re-import repairs a damaged snapshot, and a
damaged folder never hides the other snapshots (issue 14 point 7).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CSV_SHORT, JSON_SHORT, LSS_482931
from integkit.cli import app
from integkit.errors import SnapshotError
from integkit.ingest.snapshot import MANIFEST, find_snapshot, list_snapshots, scan_snapshots
from integkit.ingest.store import import_file
from integkit.responses import load_responses

runner = CliRunner()
MEETING = "vt"


def cli(workspace, *args):
    result = runner.invoke(app, [*args, "-w", str(workspace.root)])
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()]


def writable(path: Path) -> Path:
    os.chmod(path, 0o644)
    return path


def edit_manifest(snapshot, **changes) -> None:
    path = writable(snapshot.path / MANIFEST)
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def imported(workspace):
    import_file(workspace, MEETING, CSV_SHORT, LSS_482931)
    return workspace


@pytest.mark.parametrize(
    "changes",
    [{"created_at": "2099-01-01T00:00:00.000000+00:00"}, {"row_count": 3}, {"source": {"kind": "file", "path": "anderes.csv"}}, {"integkit_version": "9.9"}],
    ids=["created_at", "row_count", "source", "version"],
)
def test_editing_any_field_of_the_manifest_is_detected(imported, changes):
    (snapshot,) = list_snapshots(imported.snapshots_dir(MEETING))
    edit_manifest(snapshot, **changes)
    with pytest.raises(SnapshotError, match=f"{snapshot.id}: manifest.json was changed after it was written") as err:
        load_responses(imported, MEETING)
    assert err.value.exit_code == 3 and "import the file again to repair it" in str(err.value)
    assert list_snapshots(imported.snapshots_dir(MEETING)) == []  # an edited manifest no longer decides what is latest


def test_an_edited_created_at_does_not_change_which_snapshot_is_latest(imported):
    older = list_snapshots(imported.snapshots_dir(MEETING))[0]
    newer = import_file(imported, MEETING, JSON_SHORT, LSS_482931).snapshot
    edit_manifest(older, created_at="2099-01-01T00:00:00.000000+00:00")
    assert find_snapshot(imported.snapshots_dir(MEETING)).id == newer.id  # the edited one is followed by the newer


def test_a_reimport_repairs_a_flipped_byte(imported):
    (snapshot,) = list_snapshots(imported.snapshots_dir(MEETING))
    target = writable(snapshot.path / "responses.csv")
    target.write_bytes(target.read_bytes().replace(b"Freising", b"Fr3ising", 1))
    code, lines = cli(imported, "report", MEETING)
    assert code == 3 and "does not match its sha256" in lines[-1] and "import the file again to repair it" in lines[-1]

    code, lines = cli(imported, "import", MEETING, str(CSV_SHORT), "--structure", str(LSS_482931))

    assert code == 0, lines
    assert f"note: repaired snapshot {snapshot.id}: restored responses.csv from the file given" in "\n".join(lines)
    (repaired,) = list_snapshots(imported.snapshots_dir(MEETING))
    assert repaired.id == snapshot.id and repaired.damage() is None
    assert not os.stat(target).st_mode & 0o222  # read-only again
    assert len(load_responses(imported, MEETING).respondents) == 31


def test_a_reimport_repairs_a_snapshot_without_manifest(imported):
    (snapshot,) = list_snapshots(imported.snapshots_dir(MEETING))
    (snapshot.path / MANIFEST).unlink()
    for command in (["snapshots", MEETING], ["meetings"]):
        code, lines = cli(imported, *command)
        assert code == 0, lines
        assert [line for line in lines if line.startswith("integkit: warning:")] == [
            f"integkit: warning: snapshot folder {snapshot.path}: manifest.json is missing; import the file again to repair it, "
            "or restore the folder from a backup"
        ]
    assert "vt\t2026-10-12\t0 snapshot(s)" in cli(imported, "meetings")[1][-1]
    with pytest.raises(SnapshotError, match="manifest.json is missing.*it may be the latest"):
        load_responses(imported, MEETING)

    code, lines = cli(imported, "import", MEETING, str(CSV_SHORT), "--structure", str(LSS_482931))

    assert code == 0, lines
    assert f"replaced the damaged snapshot folder {snapshot.id} (manifest.json is missing)" in "\n".join(lines)
    found, damaged = scan_snapshots(imported.snapshots_dir(MEETING))
    assert len(found) == 1 and damaged == []
    kept = [p for p in imported.snapshots_dir(MEETING).iterdir() if p.name.startswith(f".damaged-{snapshot.id}")]
    assert len(kept) == 1 and (kept[0] / "responses.csv").read_bytes() == CSV_SHORT.read_bytes()  # nothing lost
    assert len(load_responses(imported, MEETING).respondents) == 31


def test_a_damaged_older_snapshot_does_not_block_the_others(imported):
    older = list_snapshots(imported.snapshots_dir(MEETING))[0]
    newer = import_file(imported, MEETING, JSON_SHORT, LSS_482931).snapshot
    (older.path / MANIFEST).unlink()

    assert find_snapshot(imported.snapshots_dir(MEETING)).id == newer.id
    assert load_responses(imported, MEETING).provenance["snapshot_id"] == newer.id
    with pytest.raises(SnapshotError, match=f"snapshot folder {older.path}: manifest.json is missing"):
        find_snapshot(imported.snapshots_dir(MEETING), older.id[:6])
    code, lines = cli(imported, "snapshots", MEETING)
    assert code == 0 and lines[-1].startswith(f"{newer.id}\t") and "warning" in lines[0]

    from integkit.report.batch import plan_reports

    assert {job.parameters["snapshot"] for job in plan_reports(imported, MEETING)} == {newer.id}  # a report is planned


def test_a_damaged_folder_that_may_be_the_latest_is_named_and_another_can_be_chosen(imported):
    older = list_snapshots(imported.snapshots_dir(MEETING))[0]
    newer = import_file(imported, MEETING, JSON_SHORT, LSS_482931).snapshot
    (newer.path / MANIFEST).unlink()
    with pytest.raises(SnapshotError, match=f"snapshot folder {newer.path}: manifest.json is missing.*it may be the latest; name another one with --snapshot"):
        load_responses(imported, MEETING)
    assert load_responses(imported, MEETING, older.id[:8]).provenance["snapshot_id"] == older.id


def test_the_same_content_as_an_older_snapshot_becomes_the_latest_again(imported):
    first = list_snapshots(imported.snapshots_dir(MEETING))[0]
    second = import_file(imported, MEETING, JSON_SHORT, LSS_482931)
    third = import_file(imported, MEETING, CSV_SHORT, LSS_482931)
    assert third.created and third.snapshot.sha256 == first.sha256 and third.snapshot.previous == second.snapshot.id
    assert find_snapshot(imported.snapshots_dir(MEETING)).id == third.snapshot.id
    assert not import_file(imported, MEETING, CSV_SHORT, LSS_482931).created  # the latest already holds it
    assert find_snapshot(imported.snapshots_dir(MEETING), first.sha256[:12]).id == third.snapshot.id  # by content: the latest


def test_snapshots_written_by_integkit_0_1_are_still_read(imported, tmp_path):
    """Before the manifest was checksummed the id was the content hash; such folders stay readable."""
    from integkit.ingest.snapshot import content_id

    (snapshot,) = list_snapshots(imported.snapshots_dir(MEETING))
    manifest = {k: v for k, v in snapshot.manifest.items() if k not in ("scheme", "previous")}
    legacy = imported.snapshots_dir(MEETING) / content_id(manifest["files"])[:16]
    legacy.mkdir()
    for name in manifest["files"]:
        (legacy / name).write_bytes((snapshot.path / name).read_bytes())
    manifest["snapshot_id"] = legacy.name
    (legacy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    found, damaged = scan_snapshots(imported.snapshots_dir(MEETING))
    assert legacy.name in {s.id for s in found} and damaged == []
