"""Tables in and out: the one reader for every table a user hands in, and safe, atomic writers.

Reading: CSV (``;``, ``,`` or tab; UTF-8 with or without BOM, UTF-16 or Excel's
Windows-1252) and XLSX become a DataFrame of strings (``""`` for a missing value) plus what
was found out on the way (delimiter, encoding, notes for the user). `integkit import`, the
theme commands and the facilitator's codings all read through here, so a file one command
accepts, every command accepts. The caps on what a table may hold are defined here once
(`MAX_TABLE_BYTES`, `MAX_CELL_CHARS`) and hold for every format: an XLSX is checked against
them (its uncompressed size, its longest cell) before it is parsed.

Writing: a file is written to a temporary sibling and renamed into place, so a reader never
sees half of one. A write that fails (full disk, read-only file system) is one `StorageError`
naming the file. Answer text is untrusted: a spreadsheet cell starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return is masked with a leading single quote (as LimeSurvey's
``csvMaskEquations`` does); numbers stay numbers.
"""

from __future__ import annotations

import csv
import errno
import io
import math
import os
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import pandas as pd

from integkit.errors import InputError, StorageError

# --- reading ---------------------------------------------------------------------------------
CSV_DELIMITERS = ";,\t"
# cp1252 leaves these bytes undefined: a file holding them is not Windows text either
CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
# The caps on any table a user hands in (CSV, JSON export, XLSX): its size (for an XLSX, of its
# uncompressed parts) and the length of one cell. LimeSurvey exports long free-text answers in
# one field (csv's default limit is 128 KiB); anything near these caps is no survey export.
MAX_TABLE_BYTES = 512 * 1024 * 1024
MAX_CELL_CHARS = 256 * 1024 * 1024
CSV_FIELD_LIMIT = MAX_CELL_CHARS  # the name the csv module's limit had here before
MAX_XLSX_PARTS = 10_000  # files inside an XLSX; a workbook of survey answers has a dozen
# A text file may hold a stray NUL inside an answer; a file this full of NULs is binary
BINARY_NUL_SHARE = 0.05
XLSX_MAGIC = b"PK\x03\x04"
# Files people pick by mistake, recognised by their first bytes, so the message says what they are
NOT_A_TABLE = {
    b"%PDF-": "a PDF document",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an Excel 97–2003 workbook (.xls; save it as .xlsx or CSV UTF-8)",
    b"\x1f\x8b": "a gzip archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"{\\rtf": "an RTF document",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
EXPORT_ADVICE = "export the responses from LimeSurvey as CSV, Excel (.xlsx) or JSON with question codes as headings"


@dataclass(frozen=True)
class Table:
    """A table as read from a file: its cells as strings, and how the file was written."""

    frame: pd.DataFrame
    kind: str  # "csv" or "xlsx"
    delimiter: str = ";"
    encoding: str = "utf-8"
    notes: tuple[str, ...] = ()


def read_bytes(path: Path | str) -> bytes:
    """The bytes of a file the user named, or one line saying why it cannot be read (or is too large)."""
    try:
        check_table_size(Path(path).stat().st_size, str(path))
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror}") from None


def read_table(path: Path | str) -> Table:
    """Read a CSV or XLSX file from disk; every error names the file."""
    return parse_table(read_bytes(path), str(path))


def parse_table(raw: bytes, name: str) -> Table:
    """Parse the bytes of a CSV or XLSX file; `name` is used in messages."""
    check_table_bytes(raw, name)
    if raw[:4] == XLSX_MAGIC:
        return Table(parse_xlsx(raw, name), "xlsx")
    text, encoding, notes = decode_text(raw, name)
    frame, delimiter = parse_csv(text, name)
    return Table(frame, "csv", delimiter, encoding, notes)


def check_table_bytes(raw: bytes, name: str) -> None:
    """Refuse, with one line, what cannot be a table: nothing, too much, or a known non-table file."""
    if not raw or raw.isspace():
        raise InputError(f"{name}: the file is empty")
    check_table_size(len(raw), name)
    for magic, what in NOT_A_TABLE.items():
        if raw.startswith(magic):
            raise InputError(f"{name}: this is {what}, not a table of responses; {EXPORT_ADVICE}")


def check_table_size(size: int, name: str) -> None:
    if size > MAX_TABLE_BYTES:
        raise InputError(f"{name}: the file has {size:,} bytes; integkit reads tables of at most {MAX_TABLE_BYTES:,} bytes")


def decode_text(raw: bytes, name: str) -> tuple[str, str, tuple[str, ...]]:
    """The text of a file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a note."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), "utf-16", ()
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not valid UTF-16 (byte offset {exc.start}); save the file as 'CSV UTF-8'") from None
    if raw[:4096].count(b"\x00") > BINARY_NUL_SHARE * len(raw[:4096]):
        raise InputError(f"{name}: not a text file (it holds NUL bytes); expected a CSV, JSON or XLSX file")
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
            "(as Excel saves CSV). Check umlauts in the result."
        )
        return raw.decode("cp1252"), "cp1252", (note,)


def parse_csv(text: str, name: str) -> tuple[pd.DataFrame, str]:
    """A CSV text as a table of strings, and its delimiter (the one its first line uses most)."""
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise InputError(f"{name}: a field holds more than {MAX_CELL_CHARS:,} characters; no survey answer is that long") from None
        raise InputError(f"{name}: malformed CSV: {exc}") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise InputError(f"{name}: the file holds no header and no rows")
    header, body = rows[0], rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise InputError(
                f"{name}: record {number} has {len(row)} fields, the header has {len(header)} "
                f"(delimiter {delimiter!r}); the file is damaged or not a table"
            )
    return pd.DataFrame(body, columns=[h.strip() for h in header], dtype=object), delimiter


def parse_xlsx(raw: bytes, name: str) -> pd.DataFrame:
    """The first sheet of an XLSX workbook as a table of strings, checked against the caps before parsing."""
    large = check_xlsx(raw, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pd.read_excel(io.BytesIO(raw), dtype=object, keep_default_na=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError(f"{name}: not a readable XLSX file: {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.map(cell_text).astype(object) if len(frame) else frame.astype(object)
    if large:  # a cell written in several runs of rich text is only measured whole here
        check_cells(frame, name)
    return frame


def check_cells(frame: pd.DataFrame, name: str) -> None:
    """Refuse a table with a cell longer than MAX_CELL_CHARS (the cap the CSV reader applies while reading)."""
    for column in frame.columns:
        if len(frame) and frame[column].map(len).max() > MAX_CELL_CHARS:
            raise InputError(f"{name}: a cell of column {column!r} holds more than {MAX_CELL_CHARS:,} characters; no survey answer is that long")


def check_xlsx(raw: bytes, name: str) -> bool:
    """Refuse an XLSX that would unpack to more than the caps allow, before any XML is parsed.

    The sizes come from the ZIP's directory (zipfile never unpacks more than an entry declares,
    so a lying directory only truncates); the longest cell is measured by streaming the XML
    parts and counting the characters between two tags, an upper bound of any cell's text.
    Returns whether a part was large enough to hold a cell above the cap (then the parsed
    cells are measured too).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_XLSX_PARTS:
                raise InputError(f"{name}: the XLSX holds {len(parts):,} files; a workbook of responses holds a few dozen")
            total = sum(part.file_size for part in parts)
            if total > MAX_TABLE_BYTES:
                raise InputError(
                    f"{name}: the XLSX unpacks to {total:,} bytes; integkit reads tables of at most "
                    f"{MAX_TABLE_BYTES:,} bytes (a ZIP bomb or no survey export)"
                )
            large = [part for part in parts if part.filename.endswith(".xml") and part.file_size > MAX_CELL_CHARS]
            for part in large:
                with archive.open(part) as stream:
                    longest = longest_text_run(stream)
                if longest > MAX_CELL_CHARS:
                    raise InputError(
                        f"{name}: a cell of the XLSX ({part.filename}) holds more than {MAX_CELL_CHARS:,} characters; "
                        "no survey answer is that long"
                    )
            return bool(large)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise InputError(f"{name}: not a readable XLSX file: {exc}") from None


def longest_text_run(stream: io.BufferedIOBase, chunk: int = 4 * 1024 * 1024) -> int:
    """The most characters of UTF-8 XML between two '<' (the text of one element at most), read in chunks."""
    import numpy as np

    longest = run = 0
    while block := stream.read(chunk):
        data = np.frombuffer(block, dtype=np.uint8)
        starts = ((data & 0xC0) != 0x80).astype(np.uint8)  # bytes that begin a character
        tags = np.flatnonzero(data == ord("<"))
        if not len(tags):
            run += int(starts.sum(dtype=np.int64))
        else:
            longest = max(longest, run + int(starts[: tags[0]].sum(dtype=np.int64)))
            between = np.add.reduceat(starts, tags, dtype=np.int64) - 1  # from each '<' to the next, without it
            longest = max(longest, int(between[:-1].max(initial=0)))
            run = int(between[-1])
        longest = max(longest, run)
    return longest


def cell_text(value: Any) -> str:
    """One cell as a CSV would hold it: a string, whole numbers without ".0", '' for none."""
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


def read_record(path: Path, columns: Sequence[str], numbers: Sequence[str] = ()) -> pd.DataFrame:
    """A table integkit keeps and a person may edit (a log, coding.csv), read back: the ``columns``
    must exist and the ``numbers`` columns hold whole numbers (InputError naming the file, the row
    and the value otherwise); those come back as int."""
    frame = read_table(path).frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    for column in numbers:
        bad = frame[~frame[column].str.fullmatch(r"\d+")]
        if len(bad):
            raise InputError(f"{path}: row {bad.index[0] + 2}: {column} {bad[column].iloc[0]!r} is not a number")
        frame[column] = frame[column].astype(int)
    return frame


def require_column(df: pd.DataFrame, column: str, path: Path | str) -> None:
    """Raise InputError naming ``column`` and the columns that exist if it is missing."""
    if column not in df.columns:
        existing = ", ".join(map(str, df.columns)) or "(none)"
        raise InputError(f"{path}: no column {column!r}; columns are: {existing}")


# --- writing atomically --------------------------------------------------------------------
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what a plain open() would give (mkstemp alone gives 0600)
WHY_NOT_WRITTEN = {
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EROFS: "the file system is read-only; use a workspace on a writable disk",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
}


def storage_message(path: Path | str, exc: OSError) -> str:
    """One line naming the file that could not be written and what to do about it."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    hint = WHY_NOT_WRITTEN.get(exc.errno or 0, "")
    return f"{path}: cannot write ({reason})" + (f"; {hint}" if hint else "")


@contextmanager
def storage_errors(path: Path | str) -> Iterator[None]:
    """Turn an OSError of the block into one StorageError line naming `path` (exit code 4)."""
    try:
        yield
    except StorageError:
        raise
    except OSError as exc:
        error = StorageError(storage_message(path, exc))
        error.errno = exc.errno
        raise error from None


def write_durably(path: Path | str, data: bytes, mode: int = FILE_MODE) -> None:
    """Write `path` with `data`, flushed to disk (os.write/os.fsync: a full disk shows at these calls)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` only if the block succeeds."""
    with atomic_paths(path) as (tmp,):
        yield tmp


@contextmanager
def atomic_paths(*paths: Path | str) -> Iterator[tuple[Path, ...]]:
    """Temporary paths beside several files that belong together (a table as CSV and XLSX).

    They replace their targets only if the whole block succeeds, one rename after another, so
    a failure while writing any of them leaves every target as it was.
    """
    targets = [Path(p) for p in paths]
    temps: list[Path] = []
    try:
        with storage_errors(targets[0] if len(targets) == 1 else ", ".join(map(str, targets))):
            for path in targets:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
                os.close(fd)
                temps.append(Path(tmp))
            yield tuple(temps)
            for tmp, path in zip(temps, targets):
                os.chmod(tmp, FILE_MODE)
                os.replace(tmp, path)
    except BaseException:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write bytes to `path` atomically, flushed to disk before the rename."""
    with atomic_path(path) as tmp:
        write_durably(tmp, data)


# --- spreadsheets ---------------------------------------------------------------------------
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


def write_table(df: pd.DataFrame, path: Path | str, like: Table | None = None) -> Path:
    """Write ``df`` as CSV or XLSX by the file's ending; a CSV keeps the delimiter of ``like``."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return write_xlsx(df, path)
    return write_csv(df, path, sep=like.delimiter if like is not None and like.kind == "csv" else ";")
