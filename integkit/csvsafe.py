"""Spreadsheet-safe, atomic CSV/XLSX writing for every table integkit exports.

Answer text is untrusted: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return would be run as a formula by Excel or LibreOffice. We mask such strings the way
LimeSurvey's ``csvMaskEquations`` does (prefix a single quote); numbers stay numbers.
Files are written to a temporary file in the target folder and moved into place with
``os.replace``, so a reader never sees a half-written file.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def mask_cell(value: Any) -> Any:
    """Return ``value`` with a leading single quote if it is a string a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def mask_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every string cell (and column name) masked."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(mask_cell)
    out.columns = [mask_cell(c) for c in out.columns]
    return out


@contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(df: pd.DataFrame, path: Path | str, *, sep: str = ";", encoding: str = "utf-8-sig") -> Path:
    """Write ``df`` as a formula-masked CSV atomically (``;`` and a BOM by default, as German Excel expects)."""
    path = Path(path)
    with _atomic_path(path) as tmp:
        mask_frame(df).to_csv(tmp, sep=sep, index=False, encoding=encoding)
    return path


def write_xlsx(df: pd.DataFrame, path: Path | str, *, sheet_name: str = "data") -> Path:
    """Write ``df`` as a formula-masked XLSX workbook atomically."""
    path = Path(path)
    with _atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            mask_frame(df).to_excel(writer, sheet_name=sheet_name, index=False)
    return path
