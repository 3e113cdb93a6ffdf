"""Files that ship inside the package: the standard questionnaire and the demo meetings.

Read through `importlib.resources`, so an installed wheel finds them as a checkout does.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

QUESTIONNAIRE_NAME = "vernetzungstreffen.lss"
DEMO_MEETINGS = ("demo-2026-05", "demo-2026-11")
DEMO_EXPORT = "export.csv"


def _path(*parts: str) -> Path:
    return Path(str(files(__name__).joinpath(*parts)))


def questionnaire_path() -> Path:
    """The standard questionnaire shipped with integkit (importable into LimeSurvey 6)."""
    return _path(QUESTIONNAIRE_NAME)


def demo_registry_path() -> Path:
    """The demo meetings' registry entries (a meetings.yaml)."""
    return _path("demo", "meetings.yaml")


def demo_export_path(meeting_id: str) -> Path:
    """The bundled response export of one demo meeting."""
    return _path("demo", meeting_id, DEMO_EXPORT)
