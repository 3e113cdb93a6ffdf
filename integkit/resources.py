"""Where the files integkit ships live: the standard questionnaire, report templates, demo data.

They live at the top of the source tree (surveys/, notebooks/) where users find them; this
module is the one place that knows the way there.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE_NAME = "vernetzungstreffen.lss"
DEMO_MEETINGS = ("demo-2026-05", "demo-2026-11")


def questionnaire_path() -> Path:
    """The standard questionnaire shipped with integkit (importable into LimeSurvey 6)."""
    return PROJECT_ROOT / "surveys" / QUESTIONNAIRE_NAME


def notebook_path(name: str) -> Path:
    """A report template or facilitator notebook, e.g. `meeting_report.ipynb`."""
    return PROJECT_ROOT / "notebooks" / name


def demo_workspace() -> Path:
    """The repository root, which is itself a workspace holding the demo meetings."""
    return PROJECT_ROOT
