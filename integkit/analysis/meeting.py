"""Everything a report knows about one meeting: responses, theme codings, codebook, history.

`load_analysis` is the one call a report template makes before it shows anything; the tables,
charts and summary functions take the `Analysis` it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd

from integkit.themes.coding import code_answers, load_corrections, theme_mentions
from integkit.analysis.suppression import DEFAULT_MIN_GROUP, Breakdown, breakdown
from integkit.responses import Responses, load_responses
from integkit.ingest.snapshot import list_snapshots
from integkit.themes.codebook import Codebook, load_codebook
from integkit.workspace import Meeting, Workspace


@dataclass(frozen=True)
class Analysis:
    """One meeting's responses with their theme codings (and, for trends, earlier meetings)."""

    meeting: Meeting
    responses: Responses
    coded: pd.DataFrame  # one row per answer: themes, theme_evidence, coded_by
    mentions: pd.DataFrame  # one row per (answer, theme)
    codebook: Codebook
    language: str = "de"
    min_group: int = DEFAULT_MIN_GROUP
    history: tuple[Analysis, ...] = field(default_factory=tuple)  # earlier meetings, oldest first
    scope: Breakdown | None = None  # for one municipality's view: the whole meeting's municipalities

    @property
    def respondents(self) -> pd.DataFrame:
        return self.responses.respondents

    @cached_property
    def municipalities(self) -> Breakdown:
        """The municipalities the meeting's shared reports may break out (always the whole meeting's)."""
        return self.scope if self.scope is not None else breakdown(self.respondents, "municipality", self.min_group)

    @property
    def has_text(self) -> bool:
        """True if the survey has free-text questions (a ratings-only survey has none)."""
        return bool(self.responses.text_questions())

    def theme_label(self, theme_id: str) -> str:
        try:
            return self.codebook.theme(theme_id).label(self.language)
        except KeyError:
            return theme_id

    def theme_order(self) -> list[str]:
        return list(self.codebook.ids)


def analyse(
    workspace: Workspace,
    meeting_id: str,
    snapshot: str | None = None,
    codebook: Codebook | None = None,
    language: str = "de",
    min_group: int = DEFAULT_MIN_GROUP,
    model=None,
) -> Analysis:
    """Responses of one meeting coded with the workspace codebook and the facilitator's corrections,
    and what every correction of the workspace teaches (``model``: learnt here if not given)."""
    from integkit.themes.learn import train, workspace_examples

    codebook = codebook or load_codebook(workspace=workspace.root)
    responses = load_responses(workspace, meeting_id, snapshot)
    if model is None:
        model = train(workspace_examples(workspace), codebook)
    coded = code_answers(responses, codebook, load_corrections(workspace, meeting_id), model=model)
    return Analysis(workspace.meeting(meeting_id), responses, coded, theme_mentions(coded), codebook, language, min_group)


def load_analysis(
    workspace: Workspace | str,
    meeting_id: str,
    snapshot: str | None = None,
    language: str = "de",
    min_group: int = DEFAULT_MIN_GROUP,
    with_history: bool = True,
) -> Analysis:
    """The meeting's analysis plus those of the earlier meetings of its series that have data."""
    from integkit.themes.learn import train, workspace_examples

    workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    codebook = load_codebook(workspace=workspace.root)
    model = train(workspace_examples(workspace), codebook)
    current = analyse(workspace, meeting_id, None if snapshot in (None, "latest") else snapshot, codebook, language, min_group, model)
    if not with_history:
        return current
    history = tuple(
        analyse(workspace, m.id, None, codebook, language, min_group, model)
        for m in workspace.earlier_meetings(meeting_id)
        if list_snapshots(workspace.snapshots_dir(m.id))
    )
    return replace(current, history=history)


def for_municipality(analysis: Analysis, municipality: str) -> Analysis:
    """The same analysis restricted to one municipality's respondents (history restricted too)."""
    def restrict(a: Analysis) -> Analysis:
        people = a.respondents[a.respondents["municipality"] == municipality]
        ids = set(people["response_id"])
        r = a.responses
        responses = Responses(
            r.meeting_id,
            people.reset_index(drop=True),
            r.answers[r.answers["response_id"].isin(ids)].reset_index(drop=True),
            r.ratings[r.ratings["response_id"].isin(ids)].reset_index(drop=True),
            r.choices[r.choices["response_id"].isin(ids)].reset_index(drop=True),
            r.questions,
            r.provenance,
        )
        return Analysis(
            a.meeting, responses,
            a.coded[a.coded["response_id"].isin(ids)].reset_index(drop=True),
            a.mentions[a.mentions["response_id"].isin(ids)].reset_index(drop=True),
            a.codebook, a.language, a.min_group, scope=a.municipalities,
        )

    return replace(restrict(analysis), history=tuple(restrict(h) for h in analysis.history))
