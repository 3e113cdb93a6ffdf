"""Shared fixtures: paths to the recorded LimeSurvey files and fresh workspaces."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from integkit.workspace import Workspace, init_workspace

FIXTURES = Path(__file__).parent / "fixtures"
LIMESURVEY = FIXTURES / "limesurvey"
RPC = LIMESURVEY / "rpc"
LSS_482931 = LIMESURVEY / "survey_structure" / "limesurvey_survey_482931.lss"
CSV_SHORT = RPC / "export_responses__csv_code_short.decoded.csv"
JSON_SHORT = RPC / "export_responses__json_code_short.decoded.json"
LIMESURVEY_614 = FIXTURES / "limesurvey-6.14"
RPC_614 = LIMESURVEY_614 / "rpc"
LSS_614 = LIMESURVEY_614 / "survey_structure" / "limesurvey_survey_482931.lss"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A new, empty workspace made by `integkit init`."""
    return init_workspace(tmp_path / "ws")


@pytest.fixture
def copy_to(tmp_path: Path):
    """Copy a fixture file into tmp_path (so a test may change it) and return the copy."""

    def copy(source: Path, name: str | None = None) -> Path:
        target = tmp_path / (name or source.name)
        shutil.copyfile(source, target)
        return target

    return copy


def render_meeting(ws: Workspace, meeting_id: str, **options):
    """Render just the meeting report (and its action list) the way `integkit report MEETING` does."""
    from integkit.report.batch import plan_reports, render_reports

    result = render_reports(ws, plan_reports(ws, meeting_id, **options), workers=1)
    assert not result.failed, result.failed
    return next(r for r in result.rendered if r.kind == "meeting")


def recorded_export(target: Path, towns: list[str]) -> Path:
    """The recorded LimeSurvey 6 CSV export (CSV_SHORT) cut to len(towns) respondents, row i from towns[i].

    A town is a questionnaire code (``G03``) or a name typed as "other"; everything else in each
    row (ids, answers, ratings) stays as the server exported it.
    """
    import csv
    import io

    rows = list(csv.reader(io.StringIO(CSV_SHORT.read_text(encoding="utf-8-sig"), newline=""), delimiter=";"))
    header, body = rows[0], [r for r in rows[1:] if r]
    code, other = header.index("GEMEINDE"), header.index("GEMEINDE[other]")
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for row, town in zip(body, towns, strict=False):
        row = list(row)
        row[code], row[other] = (town, "") if town[:1] == "G" and town[1:].isdigit() else ("other", town)
        writer.writerow(row)
    target.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return target


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """A workspace with the demo meetings, imported once per session: copy it (demo_ws) before writing."""
    from integkit.demo import import_demo

    root = tmp_path_factory.mktemp("demo-home") / "ws"
    import_demo(init_workspace(root))
    return root


@pytest.fixture
def demo_ws(demo_home: Path, tmp_path: Path) -> Workspace:
    """A private copy of the demo workspace (for tests that write corrections, codebooks, reports)."""
    return Workspace(shutil.copytree(demo_home, tmp_path / "demo-ws"))


def wait_until(ready, *, gave_up=lambda: False, why=lambda: "gave up waiting", limit: float = 300.0) -> None:
    """Poll ``ready()`` until it is true; fail the test when ``gave_up()`` or after ``limit`` seconds.

    The limit is a generous bound for a loaded machine, not a speed check.
    """
    import time

    deadline = time.monotonic() + limit
    while not ready():
        if gave_up() or time.monotonic() > deadline:
            pytest.fail(why())
        time.sleep(0.1)


def default_version(bumps: int = 0) -> str:
    """The default codebook's version after ``bumps`` minor bumps (a workspace's edits bump it)."""
    from integkit.themes.codebook import load_codebook

    major, minor, _ = load_codebook().version.split(".")
    return f"{major}.{int(minor) + bumps}.0"
