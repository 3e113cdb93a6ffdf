"""The labelled answer sets the theme engine is measured on, with their fixed splits.

Shared by the theme tests and benchmarks/theme_quality.py so that every figure uses the same
rows: the project's own dev.csv and test.csv; blind.csv, blind_hard.csv, blind_third.csv,
blind_fourth.csv, blind_fifth.csv, blind_sixth.csv and blind_seventh.csv (written from THEMES.md
alone; blind_fourth is held out); and the external set
written by another hand (tests/fixtures/themes/external/, labelled by THEMES.md), split by id with
integkit.themes.evaluate.split_by_id (ids ending in 7-9 are its test part).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from integkit.io import read_table
from integkit.themes.evaluate import split_by_id

THEMES = Path(__file__).parent / "fixtures" / "themes"
EXTERNAL = THEMES / "external" / "external_dev.csv"


def _coded(path: Path) -> pd.DataFrame:
    """A set in the external set's columns, with its `themes` column named `gold`."""
    return read_table(path).frame.rename(columns={"themes": "gold"})


def external() -> pd.DataFrame:
    """The external set with columns id, text, gold (';'-separated ids), notes (style tags), split."""
    frame = _coded(EXTERNAL)
    return frame.assign(split=split_by_id(frame["id"]))


def labelled_sets() -> dict[str, pd.DataFrame]:
    """Every split by name: own_dev, own_test, own_blind, own_blind_hard,
    own_blind_third, own_blind_fourth (held out), own_blind_fifth, own_blind_sixth, own_blind_seventh,
    external_dev, external_test
    (columns text, gold[, notes])."""
    ext = external()
    return {
        "own_dev": read_table(THEMES / "dev.csv").frame,
        "own_test": read_table(THEMES / "test.csv").frame,
        "own_blind": _coded(THEMES / "blind.csv"),
        "own_blind_hard": _coded(THEMES / "blind_hard.csv"),
        "own_blind_third": _coded(THEMES / "blind_third.csv"),
        "own_blind_fourth": _coded(THEMES / "blind_fourth.csv"),
        "own_blind_fifth": _coded(THEMES / "blind_fifth.csv"),
        "own_blind_sixth": _coded(THEMES / "blind_sixth.csv"),
        "own_blind_seventh": _coded(THEMES / "blind_seventh.csv"),
        "external_dev": ext[ext["split"] == "dev"].reset_index(drop=True),
        "external_test": ext[ext["split"] == "test"].reset_index(drop=True),
    }
