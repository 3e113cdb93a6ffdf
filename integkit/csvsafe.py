"""Spreadsheet-safe, atomic CSV/XLSX writing for every table integkit exports.

Answer text is untrusted: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return would be run as a formula by Excel or LibreOffice. We mask such strings the way
LimeSurvey's ``csvMaskEquations`` does (prefix a single quote); numbers stay numbers.
Files are written to a temporary file in the target folder and moved into place with
``os.replace``, so a reader never sees a half-written file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pandas as pd

from integkit.atomic import atomic_path

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def mask_cell(value: Any) -> Any:
    """Return ``value`` with a leading single quote if it is a string a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _map_text(df: pd.DataFrame, func: Callable[[Any], Any]) -> pd.DataFrame:
    """A copy of ``df`` with ``func`` applied to every text cell and to the column names."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(func)
    out.columns = [func(c) for c in out.columns]
    return out


def mask_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every string cell (and column name) masked."""
    return _map_text(df, mask_cell)


def write_csv(df: pd.DataFrame, path: Path | str, *, sep: str = ";", encoding: str = "utf-8-sig") -> Path:
    """Write ``df`` as a formula-masked CSV atomically (``;`` and a BOM by default, as German Excel expects)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        mask_frame(df).to_csv(tmp, sep=sep, index=False, encoding=encoding)
    return path


def xlsx_text(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` without the control characters an XLSX cell cannot hold (openpyxl refuses them).

    Removed before masking, so that "\\x01=cmd" cannot turn into an unmasked "=cmd".
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def clean(value: Any) -> Any:
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    return _map_text(df, clean)


def write_xlsx(df: pd.DataFrame, path: Path | str, *, sheet_name: str = "data") -> Path:
    """Write ``df`` as a formula-masked XLSX workbook atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            mask_frame(xlsx_text(df)).to_excel(writer, sheet_name=sheet_name, index=False)
    return path
