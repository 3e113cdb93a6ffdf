"""A meeting's coded answers as one spreadsheet: a row per answer, a 0/1 column per theme.

The wide layout statistics tools take as it is (SPSS, R, Stata): stable column ids
(`meeting_id`, `response_id`, …, then one column per theme id in codebook order), written
through `integkit.io.write_xlsx`, so answer text that looks like a formula stays text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from integkit.io import write_xlsx
from integkit.share.codings import CodedMeeting

SHEET = "Antworten"
COLUMNS = ["meeting_id", "response_id", "municipality", "role", "question_id", "question", "text", "coded_by"]


def theme_table(coded: CodedMeeting) -> pd.DataFrame:
    """One row per answer with a 0/1 column per theme (1: the answer has the theme)."""
    answers = coded.answers
    table = answers[COLUMNS].copy()
    for theme_id in coded.theme_ids:
        table[theme_id] = answers["themes"].map(lambda themes, tid=theme_id: int(tid in themes)).astype("int64")
    return table


def write_theme_xlsx(coded: CodedMeeting, out: Path) -> Path:
    """Write the theme table as an XLSX workbook with one sheet."""
    return write_xlsx(theme_table(coded), out, sheet_name=SHEET)
