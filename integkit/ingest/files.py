"""Read LimeSurvey response exports (CSV, JSON, XLSX) and paper-card sheets into one wide table.

Every reader returns the same thing: a DataFrame of strings with LimeSurvey's code headings
(`id`, `submitdate`, `GEMEINDE`, `BEREICHE[SQ001]`, …), `""` for a missing value, so the tidy
model is built the same way whatever the file was. CSV and XLSX are read by `integkit.io`, JSON here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from integkit.errors import InputError
from integkit.io import XLSX_MAGIC, cell_text, check_cells, check_table_bytes, parse_table, read_bytes

# Headings LimeSurvey writes with "full question text" headings instead of question codes
FULL_HEADING_MARKERS = {"Antwort ID", "Response ID", "Datum Abgeschickt", "Date submitted"}
# Response ids are whole numbers LimeSurvey counts up; more digits than this is not an id
MAX_ID_DIGITS = 18


@dataclass(frozen=True)
class Export:
    """A parsed response file: its wide table, its format, and notes for the user."""

    frame: pd.DataFrame
    format: str
    encoding: str = "utf-8"
    notes: tuple[str, ...] = ()

    @property
    def is_paper(self) -> bool:
        return self.format.startswith("paper")


def parse_export(raw: bytes, name: str) -> Export:
    """Parse the bytes of a response export; `name` (file name) is used in messages and for the type."""
    check_table_bytes(raw, name)
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"[") and raw[:4] != XLSX_MAGIC:
        frame, kind, encoding, notes = _read_json(raw, name), "json", "utf-8", ()
    else:
        table = parse_table(raw, name)
        if table.kind == "csv" and len(table.frame.columns) < 2:
            raise InputError(f"{name}: not a CSV export: the first line has no ';', ',' or tab separating columns")
        frame, kind, encoding, notes = table.frame, table.kind, table.encoding, table.notes
    frame = _check_headings(frame, name)
    is_limesurvey = "submitdate" in frame.columns or kind == "json"
    if not is_limesurvey:
        frame = _paper_defaults(frame)
    _check_ids(frame, name)
    return Export(frame, f"limesurvey-{kind}" if is_limesurvey else f"paper-{kind}", encoding, notes)


def read_export(path: Path) -> tuple[bytes, Export]:
    """Read and parse an export file from disk, naming the file in every error."""
    raw = read_bytes(path)
    return raw, parse_export(raw, str(path))


# --- JSON ----------------------------------------------------------------------------------
def _read_json(raw: bytes, name: str) -> pd.DataFrame:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not valid UTF-8 JSON (byte offset {exc.start})") from None
    except ValueError as exc:
        raise InputError(f"{name}: not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{name}: not a LimeSurvey JSON export: nested too deeply") from None
    records = data.get("responses") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InputError(f"{name}: not a LimeSurvey JSON export: expected {{\"responses\": [...]}}")
    flat: list[dict[str, Any]] = []
    for index, item in enumerate(records):
        if not isinstance(item, dict):
            raise InputError(f"{name}: response {index + 1} is not an object")
        # LimeSurvey 3.x/5.x nest each response under its id: {"responses": [{"1": {...}}, ...]}
        if len(item) == 1 and isinstance(next(iter(item.values())), dict):
            item = next(iter(item.values()))
        flat.append(item)
    columns: list[str] = [] if flat else ["id"]  # an empty survey still has an id column
    for item in flat:
        columns.extend(k for k in item if k not in columns)
    frame = pd.DataFrame([[cell_text(item.get(c)) for c in columns] for item in flat], columns=columns, dtype=object)
    check_cells(frame, name)
    return frame


# --- checks ------------------------------------------------------------------------------
def _check_headings(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    columns = list(frame.columns)
    if FULL_HEADING_MARKERS & set(columns):
        raise InputError(
            f"{name}: the export has full question texts as headings; export again with "
            "'Question code' headings (LimeSurvey: Export results → Headings → Question code)"
        )
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise InputError(f"{name}: duplicate column(s) {', '.join(duplicates)}")
    if any(c == "" or c.startswith("Unnamed:") for c in columns):
        raise InputError(f"{name}: a column has no heading")
    return frame


def _paper_defaults(frame: pd.DataFrame) -> pd.DataFrame:
    """Paper cards typed into a sheet: number them if they have no id; they count as complete."""
    frame = frame.copy()
    if "id" not in frame.columns:
        frame.insert(0, "id", [str(i) for i in range(1, len(frame) + 1)])
    return frame


def _check_ids(frame: pd.DataFrame, name: str) -> None:
    if "id" not in frame.columns:
        raise InputError(f"{name}: no 'id' column; is this a LimeSurvey response export?")
    ids = frame["id"].astype(str).str.strip()
    bad = ids[~ids.str.fullmatch(rf"[0-9]{{1,{MAX_ID_DIGITS}}}")]
    if len(bad):
        row = int(bad.index[0]) + 2
        raise InputError(f"{name}: row {row}: response id {bad.iloc[0]!r} is not a whole number")
    repeated = sorted(set(ids[ids.duplicated()]), key=int)
    if repeated:
        raise InputError(f"{name}: response id(s) {', '.join(repeated[:10])} occur more than once")
