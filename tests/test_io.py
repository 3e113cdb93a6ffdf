"""Formula masking and atomic writes of CSV/XLSX exports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from integkit.io import mask_cell, write_csv, write_xlsx


@pytest.mark.parametrize("value", ["=1+1", "+49 123", "-", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_strings_are_masked(value: str) -> None:
    assert mask_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Wohnungen", "", 3, -2.5, None, "a=b"])
def test_other_values_unchanged(value) -> None:
    assert mask_cell(value) == value


def test_write_csv_masks_and_keeps_numbers(tmp_path: Path) -> None:
    df = pd.DataFrame({"text": ["=HYPERLINK(1)", "ok"], "n": [-1, 2]})
    path = write_csv(df, tmp_path / "out" / "a.csv")
    back = pd.read_csv(path, sep=";", encoding="utf-8-sig")
    assert back["text"].tolist() == ["'=HYPERLINK(1)", "ok"]
    assert back["n"].tolist() == [-1, 2]
    assert [p.name for p in path.parent.iterdir()] == ["a.csv"]  # no temp file left


def test_write_xlsx_masks(tmp_path: Path) -> None:
    path = write_xlsx(pd.DataFrame({"text": ["+1", "x"], "n": [1, 2]}), tmp_path / "a.xlsx")
    back = pd.read_excel(path)
    assert back["text"].tolist() == ["'+1", "x"] and back["n"].tolist() == [1, 2]


def test_failed_write_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.csv"
    path.write_text("old", encoding="utf-8")

    def half_write(self, target, *args, **kwargs):
        Path(target).write_text("half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_write)
    with pytest.raises(OSError):
        write_csv(pd.DataFrame({"x": [1]}), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]
