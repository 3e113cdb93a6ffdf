"""A meeting's coded answers as the exports hand them on: who answered, the text, its themes.

Themes are the machine's assignment overlaid by the facilitator's corrections
(`integkit.themes.coding`, through `integkit.analysis.meeting.analyse`). Answer text passes the
reports' redaction of personal data unless the caller asks for it as it is; evidence spans are
found in the text as exported, so they stay right after redaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from integkit.analysis.meeting import Analysis, analyse
from integkit.themes.assign import split_themes
from integkit.workspace import Workspace

ANSWER_COLUMNS = ["meeting_id", "response_id", "municipality", "role", "question_id", "question", "text", "themes", "coded_by"]
EVIDENCE_ARROW = "→"  # "Wohnungsmarkt→wohnung": the word in the text, then the signal it matched


@dataclass(frozen=True)
class CodedMeeting:
    """One meeting's answers with their themes and evidence, ready for an export."""

    analysis: Analysis
    answers: pd.DataFrame  # ANSWER_COLUMNS; themes is a list of theme ids
    evidence: dict[tuple[int, str, str], str]  # (response_id, question_id, theme) -> "word→signal, …"
    redacted: bool

    @property
    def theme_ids(self) -> list[str]:
        """The codebook's themes in its order, then any theme a correction names that the codebook lacks."""
        ids = list(self.analysis.codebook.ids)
        extra = {t for themes in self.answers["themes"] for t in themes} - set(ids)
        return ids + sorted(extra)

    def theme_label(self, theme_id: str) -> str:
        return self.analysis.theme_label(theme_id)

    def theme_description(self, theme_id: str) -> str:
        try:
            return self.analysis.codebook.theme(theme_id).description
        except KeyError:
            return ""


def coded_meeting(
    workspace: Workspace, meeting_id: str, snapshot: str | None = None, show_personal_data: bool = False
) -> CodedMeeting:
    """The meeting's answers (latest or named snapshot) with themes; personal data redacted unless asked for."""
    from integkit.analysis.redaction import Redactor

    analysis = analyse(workspace, meeting_id, None if snapshot in (None, "latest") else snapshot)
    responses = analysis.responses
    coded = analysis.coded[analysis.coded["text"].fillna("").str.strip() != ""]
    people = responses.respondents[["response_id", "municipality", "role"]]
    answers = coded.merge(people, on="response_id", how="left")
    answers["question"] = answers["question_id"].map(responses.question_label)
    if not show_personal_data:
        answers["text"] = Redactor().redact_many(answers["text"].tolist())
    answers["themes"] = answers["themes"].map(split_themes)
    evidence = {
        (int(m.response_id), m.question_id, m.theme): m.evidence
        for m in analysis.mentions.itertuples()
        if m.evidence
    }
    return CodedMeeting(analysis, answers[ANSWER_COLUMNS].reset_index(drop=True), evidence, not show_personal_data)


def evidence_span(text: str, evidence: str) -> tuple[int, int] | None:
    """The stretch of `text` from the first to the last word the evidence names, or None if none is found.

    A word is looked for as a whole word first, then anywhere (case as in the text); one that
    redaction replaced is not found.
    """
    starts, ends = [], []
    for item in evidence.split(", "):
        word = item.partition(EVIDENCE_ARROW)[0].strip() if EVIDENCE_ARROW in item else ""
        if not word:
            continue
        found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) or re.search(re.escape(word), text, re.IGNORECASE)
        if found:
            starts.append(found.start())
            ends.append(found.end())
    return (min(starts), max(ends)) if starts else None
