"""Theme codings of a meeting's answers: the machine's assignment, overlaid by the facilitator's.

The facilitator's corrections live in `surveys/<meeting>/coding.csv` (one row per corrected
answer: response_id, question_id, themes, text, coder, updated_at), derived from the append-only
log `coding_log.csv` (integkit.themes.corrections); wherever a correction exists, reports use it.
"""

from __future__ import annotations

import pandas as pd

from integkit.responses import Responses
from integkit.themes.assign import assign_frame, explode_themes
from integkit.themes.codebook import Codebook
from integkit.themes.corrections import (  # noqa: F401 - the corrections' API, as before
    CODING_FILE,
    CORRECTION_COLUMNS,
    corrections_path,
    load_corrections,
    rename_themes_in_corrections,
    save_corrections,
)

CODING_COLUMNS = ["meeting_id", "response_id", "question_id", "text", "themes", "theme_evidence", "coded_by"]
MACHINE, FACILITATOR = "machine", "facilitator"


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
