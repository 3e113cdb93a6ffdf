"""Reading the answer tables the theme commands work on (CSV or XLSX), with clear errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from integkit.errors import InputError

_DELIMITERS = ";,\t"


def read_table(path: Path | str) -> pd.DataFrame:
    """Read a CSV (``;`` or ``,``, UTF-8 with or without BOM) or XLSX file as strings.

    Raises InputError naming the file if it is missing, empty, not UTF-8 or not a table.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many kinds
            raise InputError(f"{path}: cannot read as XLSX: {exc}") from None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}); "
            "save it as 'CSV UTF-8' and try again"
        ) from None
    if not text.strip():
        raise InputError(f"{path}: empty file")
    sample = "\n".join(text.splitlines()[:20])
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        header = text.splitlines()[0]
        sep = max(_DELIMITERS, key=header.count)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: cannot read as CSV: {exc}") from None


def require_column(df: pd.DataFrame, column: str, path: Path | str) -> None:
    """Raise InputError naming ``column`` and the columns that exist if it is missing."""
    if column not in df.columns:
        existing = ", ".join(map(str, df.columns)) or "(none)"
        raise InputError(f"{path}: no column {column!r}; columns are: {existing}")
