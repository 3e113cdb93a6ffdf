"""Theme codings of a meeting's answers: the machine's assignment, overlaid by the facilitator's.

The facilitator's corrections live in `surveys/<meeting>/coding.csv` (one row per corrected
answer: response_id, question_id, themes); wherever a correction exists, reports use it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from integkit.errors import InputError
from integkit.io import read_table, write_csv
from integkit.responses import Responses
from integkit.themes.assign import assign_frame, explode_themes, split_themes
from integkit.themes.codebook import Codebook
from integkit.workspace import Workspace

CODING_FILE = "coding.csv"
CORRECTION_COLUMNS = ["response_id", "question_id", "themes", "text", "coder", "updated_at"]
CODING_COLUMNS = ["meeting_id", "response_id", "question_id", "text", "themes", "theme_evidence", "coded_by"]
MACHINE, FACILITATOR = "machine", "facilitator"


def corrections_path(workspace: Workspace, meeting_id: str) -> Path:
    return workspace.meeting_dir(meeting_id) / CODING_FILE


def load_corrections(workspace: Workspace, meeting_id: str) -> pd.DataFrame:
    """The facilitator's corrections of a meeting (empty table if there are none)."""
    path = corrections_path(workspace, meeting_id)
    if not path.is_file():
        return pd.DataFrame(columns=CORRECTION_COLUMNS)
    frame = read_table(path).frame
    missing = [c for c in ("response_id", "question_id", "themes") if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    bad = frame[~frame["response_id"].str.fullmatch(r"\d+")]
    if len(bad):
        raise InputError(f"{path}: row {bad.index[0] + 2}: response_id {bad['response_id'].iloc[0]!r} is not a number")
    frame["response_id"] = frame["response_id"].astype(int)
    for column in CORRECTION_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame[CORRECTION_COLUMNS]


def save_corrections(
    workspace: Workspace, meeting_id: str, changes: pd.DataFrame, coder: str = "", codebook: Codebook | None = None
) -> Path:
    """Merge corrections (response_id, question_id, themes[, text]) into coding.csv, newest wins."""
    required = {"response_id", "question_id", "themes"}
    if not required <= set(changes.columns):
        raise InputError(f"corrections need the columns {', '.join(sorted(required))}")
    changes = changes.copy()
    if codebook is not None:
        unknown = {t for value in changes["themes"] for t in split_themes(value)} - set(codebook.ids)
        if unknown:
            raise InputError(f"unknown theme id(s) {', '.join(sorted(unknown))}; the codebook has {', '.join(codebook.ids)}")
    changes["response_id"] = changes["response_id"].astype(int)
    changes["coder"] = coder
    changes["updated_at"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    if "text" not in changes.columns:
        changes["text"] = ""
    merged = pd.concat([load_corrections(workspace, meeting_id), changes[CORRECTION_COLUMNS]], ignore_index=True)
    merged = merged.drop_duplicates(["response_id", "question_id"], keep="last").sort_values(["response_id", "question_id"])
    path = corrections_path(workspace, meeting_id)
    write_csv(merged, path)
    return path


def code_answers(
    responses: Responses, codebook: Codebook, corrections: pd.DataFrame | None = None, model=None
) -> pd.DataFrame:
    """Every answer with its themes (';'-joined ids), evidence and who coded it; ``model``
    (integkit.themes.learn.ThemeModel) adds what coded answers teach to the codebook's rules."""
    coded = assign_frame(responses.answers, "text", codebook, model=model)
    coded["coded_by"] = MACHINE
    if corrections is not None and len(corrections):
        fixes = corrections.set_index(["response_id", "question_id"])["themes"]
        keys = pd.MultiIndex.from_frame(coded[["response_id", "question_id"]])
        hit = keys.isin(fixes.index)
        coded.loc[hit, "themes"] = fixes.reindex(keys[hit]).to_numpy()
        coded.loc[hit, "theme_evidence"] = "korrigiert"
        coded.loc[hit, "coded_by"] = FACILITATOR
    return coded[CODING_COLUMNS]


def theme_mentions(coded: pd.DataFrame) -> pd.DataFrame:
    """One row per (answer, theme): meeting_id, response_id, question_id, text, theme, evidence."""
    long = explode_themes(coded)
    return long[["meeting_id", "response_id", "question_id", "text", "theme", "evidence"]]


def rename_themes_in_corrections(workspace: Workspace, meeting_id: str, mapping: dict[str, str]) -> Path | None:
    """Rewrite a meeting's coding.csv so that theme ids follow a codebook rename or merge (old → new).

    Without this, a correction would keep naming a theme the codebook no longer has.
    Returns the path if the file changed, else None.
    """
    corrections = load_corrections(workspace, meeting_id)
    if corrections.empty:
        return None

    def renamed(value: str) -> str:
        return ";".join(dict.fromkeys(mapping.get(t, t) for t in split_themes(value)))

    new = corrections["themes"].map(renamed)
    if new.tolist() == corrections["themes"].tolist():
        return None
    return write_csv(corrections.assign(themes=new), corrections_path(workspace, meeting_id))
