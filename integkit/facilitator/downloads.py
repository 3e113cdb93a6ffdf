"""Files the facilitator takes from a notebook: the table on screen as Excel, a chart as PNG or SVG.

Each is a `data:` link with a file name, so a click saves it through the browser (nothing is
written into the workspace). Spreadsheets are written by integkit.io (formula-masked cells).
"""

from __future__ import annotations

import base64
import datetime as dt
import tempfile
from html import escape
from pathlib import Path

import pandas as pd

from integkit.io import write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_name(name: str, suffix: str) -> str:
    """A safe file name with today's date: "antworten-freising_2026-11-20.xlsx"."""
    from integkit.report.batch import slug  # the report files' rule for names (imported when first needed)

    return f"{slug(name)}_{dt.date.today().isoformat()}.{suffix}"


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Tabelle") -> bytes:
    """The table as an XLSX workbook (German headings and numbers as they are)."""
    with tempfile.TemporaryDirectory(prefix="integkit-") as folder:
        path = write_xlsx(frame, Path(folder) / "table.xlsx", sheet_name=sheet[:31])
        return path.read_bytes()


def link(data: bytes, filename: str, mime: str, text: str) -> str:
    """An HTML link that saves ``data`` as ``filename`` when clicked."""
    encoded = base64.b64encode(data).decode("ascii")
    return (f"<a class='ik-download' download='{escape(filename, quote=True)}' "
            f"href='data:{mime};base64,{encoded}'>{escape(text)}</a>")


def excel_link(frame: pd.DataFrame, name: str, text: str = "Tabelle als Excel-Datei") -> str:
    """A link that saves the table as an Excel file."""
    return link(xlsx_bytes(frame), file_name(name, "xlsx"), XLSX, text)


def chart_links(png: bytes, svg: bytes, name: str) -> str:
    """Links that save a chart as PNG and as SVG."""
    return (link(png, file_name(name, "png"), "image/png", "Grafik als PNG") + " "
            + link(svg, file_name(name, "svg"), "image/svg+xml", "Grafik als SVG"))
