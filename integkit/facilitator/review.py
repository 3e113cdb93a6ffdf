"""The facilitator's review queue: which answers to check first, and their edits as corrections.

An answer is *uncovered* when no theme matched it, and *doubtful* when the machine's themes
rest on little: many themes at once (MANY_THEMES or more), or a theme whose only evidence is
a single word that is not a noun ("arbeiten", "finanziell") or that matched its signal only
through typo tolerance ("mehrere"→"lehrer"). Those come first; answers the facilitator
already coded, and non-answers ("k. A."), come last.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

import pandas as pd

from integkit.text import normalize as T
from integkit.analysis.meeting import Analysis
from integkit.analysis.tables import question_short
from integkit.facilitator.explore import visible_texts
from integkit.facilitator.present import theme_names, when
from integkit.themes import corrections
from integkit.themes.coding import FACILITATOR, save_corrections
from integkit.themes.assign import Assignment, assign, is_non_answer, split_themes
from integkit.themes.codebook import Codebook
from integkit.workspace import Workspace

MANY_THEMES = 3
UNCOVERED, DOUBTFUL, OK, REVIEWED, EMPTY = "ohne Thema", "zweifelhaft", "sicher", "geprüft", "keine Antwort"
STATUS_ORDER = (UNCOVERED, DOUBTFUL, OK, REVIEWED, EMPTY)
QUEUE_COLUMNS = ["response_id", "question_id", "municipality", "role", "text", "themes", "evidence", "status", "reason"]


def inexact(word: str, signal: str) -> bool:
    """True if ``signal`` is neither a form of ``word`` nor its first or last compound part (a typo-tolerant hit)."""
    info = T.analyze(word)
    signals = T.variants(T.fold(signal))
    forms = info.keys | {info.folded}
    return not any(f == s or f.startswith(s) or f.endswith(s) for f in forms for s in signals)


def weak_themes(assignment: Assignment) -> list[tuple[str, str]]:
    """(theme, word) for each theme resting on a single word that is not a noun or matched inexactly."""
    words: dict[str, dict[str, str]] = {}
    for theme, word, signal in assignment.evidence:
        words.setdefault(theme, {})[word] = signal
    weak = []
    for theme, found in words.items():
        if len(found) == 1:
            word, signal = next(iter(found.items()))
            if " " not in word and (not word[:1].isupper() or inexact(word, signal)):
                weak.append((theme, word))
    return weak


def judge(text: str, assignment: Assignment, label: Callable[[str], str] = str) -> tuple[str, str]:
    """Status and reason of one answer as the machine coded it (see module docstring); ``label`` names a theme."""
    if not isinstance(text, str) or is_non_answer(text):
        return EMPTY, ""
    if not assignment.themes:
        return UNCOVERED, "kein Thema erkannt"
    reasons = []
    if len(assignment.themes) >= MANY_THEMES:
        reasons.append(f"{len(assignment.themes)} Themen")
    reasons += [f"{label(theme)} nur über „{word}“" for theme, word in weak_themes(assignment)]
    return (DOUBTFUL, "; ".join(reasons)) if reasons else (OK, "")


def review_queue(analysis: Analysis) -> pd.DataFrame:
    """Every answer with its current themes, status and reason, the ones to check first on top."""
    coded = analysis.coded.merge(analysis.respondents[["response_id", "municipality", "role"]], on="response_id", how="left")
    assignments = assign(coded["text"].tolist(), analysis.codebook)
    judged = [judge(text, a, analysis.theme_label) for text, a in zip(coded["text"], assignments)]
    queue = coded.assign(
        evidence=coded["theme_evidence"],
        status=[s for s, _ in judged],
        reason=[r for _, r in judged],
    )
    reviewed = (queue["coded_by"] == FACILITATOR) & (queue["status"] != EMPTY)
    queue.loc[reviewed, "status"] = REVIEWED
    queue.loc[reviewed, "reason"] = "von der Moderation kodiert"
    queue["_order"] = queue["status"].map(STATUS_ORDER.index)
    queue = queue.sort_values(["_order", "response_id", "question_id"], kind="stable")
    return queue[QUEUE_COLUMNS].reset_index(drop=True)


def status_counts(queue: pd.DataFrame) -> pd.DataFrame:
    """Answers per status, in queue order (for the notebook's overview): columns Status, Antworten."""
    counts = queue["status"].value_counts().reindex(STATUS_ORDER, fill_value=0)
    return counts.rename_axis("Status").reset_index(name="Antworten")


def edits_to_corrections(
    queue: pd.DataFrame, chosen: Mapping[tuple[int, str], Iterable[str]], confirmed: Iterable[tuple[int, str]] = ()
) -> pd.DataFrame:
    """Corrections for coding.csv from a review table: answers whose themes were changed, or
    confirmed as they are. ``chosen`` maps (response_id, question_id) to the theme ids now picked;
    ``before`` is what the queue showed."""
    confirmed = set(confirmed)
    rows = []
    for row in queue.itertuples(index=False):
        key = (int(row.response_id), row.question_id)
        before = split_themes(row.themes)
        after = list(dict.fromkeys(chosen.get(key, before)))
        if set(after) != set(before) or key in confirmed:
            rows.append({"response_id": key[0], "question_id": key[1], "themes": ";".join(after), "text": row.text,
                         "before": ";".join(before)})
    return pd.DataFrame(rows, columns=["response_id", "question_id", "themes", "text", "before"])


def save_review(
    workspace: Workspace | str, meeting_id: str, corrections: pd.DataFrame | list[dict], coder: str = "", codebook: Codebook | None = None
) -> int:
    """Save corrections (DataFrame or list of dicts with response_id, question_id, themes) to
    the meeting's coding.csv; returns how many were saved (0 writes nothing)."""
    frame = pd.DataFrame(corrections)
    if frame.empty:
        return 0
    workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    frame["themes"] = frame["themes"].map(lambda v: ";".join(v) if isinstance(v, (list, tuple)) else v)
    save_corrections(workspace, meeting_id, frame, coder=coder, codebook=codebook)
    return len(frame)


def to_check(queue: pd.DataFrame) -> pd.DataFrame:
    """The uncovered and doubtful answers of the queue (what the facilitator should read first)."""
    return queue[queue["status"].isin([UNCOVERED, DOUBTFUL])].reset_index(drop=True)


ACTION_NAMES = {
    corrections.CORRECT: "korrigiert", corrections.CONFIRM: "bestätigt", corrections.UNDO: "Rücknahme",
    corrections.CODEBOOK: "Codebook-Änderung", corrections.IMPORT: "aus coding.csv übernommen",
    corrections.RESET: "aus coding.csv entfernt",
}


def correction_history(workspace: Workspace | str, analysis: Analysis, show_personal_data: bool = False) -> pd.DataFrame:
    """What was changed in the meeting's codings, newest first, as the facilitator reads it."""
    workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    log = corrections.history(workspace, analysis.meeting.id)
    book = analysis.codebook

    def themes(value: str) -> str:
        return theme_names(value, book) or "kein Thema"

    return pd.DataFrame({
        "Nr.": log["entry"].to_numpy(),
        "Wann": [when(v) for v in log["logged_at"]],
        "Wer": log["coder"].to_numpy(),
        "Was": [ACTION_NAMES[a] + (f" (von Nr. {u})" if a == corrections.UNDO else "") for a, u in zip(log["action"], log["undoes"])],
        "Antwort": [f"Nr. {r} · {question_short(analysis, q)}" for r, q in zip(log["response_id"], log["question_id"])],
        "vorher": [themes(v) for v in log["before"]],
        "nachher": [themes(v) for v in log["after"]],
        "Stand": ["zurückgenommen" if u else "" for u in log["undone"]],
        "Text": visible_texts(log["text"].tolist(), show_personal_data),
    })
