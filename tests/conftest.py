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
