"""Read LimeSurvey response exports (CSV, JSON, XLSX) and paper-card sheets into one wide table.

Every reader returns the same thing: a DataFrame of strings with LimeSurvey's code headings
(`id`, `submitdate`, `GEMEINDE`, `BEREICHE[SQ001]`, …), `""` for a missing value, so the tidy
model is built the same way whatever the file was. `import_file` stores a file as a snapshot.
"""

from __future__ import annotations

import csv
import io
import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from integkit.errors import InputError

CSV_DELIMITERS = ";,\t"
# Headings LimeSurvey writes with "full question text" headings instead of question codes
FULL_HEADING_MARKERS = {"Antwort ID", "Response ID", "Datum Abgeschickt", "Date submitted"}
# cp1252 leaves these bytes undefined: a file holding them is not Windows text either
CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
# LimeSurvey exports long free-text answers in one field; csv's default limit is 128 KiB
CSV_FIELD_LIMIT = 256 * 1024 * 1024
# A text export may hold a stray NUL inside an answer; a file this full of NULs is binary
BINARY_NUL_SHARE = 0.05
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
    if not raw.strip():
        raise InputError(f"{name}: the file is empty")
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if raw[:4] == b"PK\x03\x04":
        frame, kind, encoding, notes = _read_xlsx(raw, name), "xlsx", "", ()
    elif head in (b"{", b"["):
        frame, kind, encoding, notes = _read_json(raw, name), "json", "utf-8", ()
    else:
        text, encoding, notes = _decode(raw, name)
        frame, kind = _read_csv(text, name), "csv"
    frame = _check_headings(frame, name)
    is_limesurvey = "submitdate" in frame.columns or kind == "json"
    if not is_limesurvey:
        frame = _paper_defaults(frame)
    _check_ids(frame, name)
    return Export(frame, f"limesurvey-{kind}" if is_limesurvey else f"paper-{kind}", encoding, notes)


def read_export(path: Path) -> tuple[bytes, Export]:
    """Read and parse an export file from disk, naming the file in every error."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror}") from None
    return raw, parse_export(raw, str(path))


# --- decoding and the three file types --------------------------------------------------
def _decode(raw: bytes, name: str) -> tuple[str, str, tuple[str, ...]]:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), "utf-16", ()
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not valid UTF-16 (byte offset {exc.start}); save the file as 'CSV UTF-8'") from None
    if raw[:4096].count(b"\x00") > BINARY_NUL_SHARE * len(raw[:4096]):
        raise InputError(f"{name}: not a text file (it holds NUL bytes); expected a CSV, JSON or XLSX export")
    try:
        return raw.decode("utf-8-sig"), "utf-8", ()
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        if any(b in CP1252_UNDEFINED for b in raw):
            raise InputError(
                f"{name}: line {line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}) and not Windows-1252 "
                "either; save the file as 'CSV UTF-8'"
            ) from None
        note = (
            f"{name} is not UTF-8 (first non-UTF-8 byte on line {line}); read it as Windows-1252 "
            "(as Excel saves CSV). Check umlauts in the report."
        )
        return raw.decode("cp1252"), "cp1252", (note,)


def _read_csv(text: str, name: str) -> pd.DataFrame:
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0:
        raise InputError(f"{name}: not a CSV export: the first line has no ';', ',' or tab separating columns")
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise InputError(f"{name}: malformed CSV: {exc}") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise InputError(f"{name}: the file holds no header and no responses")
    header, body = rows[0], rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise InputError(
                f"{name}: record {number} has {len(row)} fields, the header has {len(header)} "
                f"(delimiter {delimiter!r}); the file is damaged or not an export"
            )
    return pd.DataFrame(body, columns=[h.strip() for h in header], dtype=object)


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
    return pd.DataFrame([[_cell(item.get(c)) for c in columns] for item in flat], columns=columns, dtype=object)


def _read_xlsx(raw: bytes, name: str) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pd.read_excel(io.BytesIO(raw), dtype=object, keep_default_na=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError(f"{name}: not a readable XLSX file: {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.map(_cell).astype(object) if len(frame) else frame.astype(object)


def _cell(value: Any) -> str:
    """One cell as LimeSurvey writes it in CSV: a string, numbers without trailing zeros, '' for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


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
