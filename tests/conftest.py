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
