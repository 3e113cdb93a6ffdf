"""The review notebook's widgets: the queue with editable themes, what was changed (and undo), agreement.

The review table shows one page of the queue (uncovered and doubtful answers first). Its rows
are made once and refilled when the page changes, so a field keeps working while one types.
Themes are German names: picked from the list or typed and confirmed with Enter. Saving needs
the facilitator's initials (the session's coder field) and goes into the meeting's correction
log; „Letzte Korrektur zurücknehmen“ takes the newest one back.
"""

from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as W
import pandas as pd

from integkit.errors import IntegkitError
from integkit.facilitator import agreement, explore, review
from integkit.facilitator.controls import Pager, TableView, ThemeTags, View, html, note, style
from integkit.facilitator.present import count, evidence_text, quoted, theme_names
from integkit.facilitator.session import CODINGS, MEETING, Session
from integkit.analysis.tables import question_short
from integkit.themes import corrections
from integkit.themes.assign import split_themes
from integkit.themes.codebook import Codebook, load_codebook

Key = tuple[int, str]
PAGE = 20


class ReviewRow:
    """One answer of the review table: why it is listed, its text, its themes, „bestätigt“."""

    def __init__(self, codebook: Codebook, on_themes: Callable[[Key, list[str]], None], on_confirm: Callable[[Key, bool], None]):
        self.key: Key | None = None
        self.info = W.HTML(layout=W.Layout(width="50%"))
        self.tags = ThemeTags(codebook, lambda themes: self.key and on_themes(self.key, themes))
        self.check = W.Checkbox(description="bestätigt", indent=False, layout=W.Layout(width="8em"))
        self._filling = False
        self.check.observe(lambda change: None if self._filling or not self.key else on_confirm(self.key, bool(change["new"])), names="value")
        self.widget = W.HBox([self.info, self.tags.widget, self.check],
                             layout=W.Layout(border_bottom="1px solid #ddd", padding="4px 0"))
        self.widget.add_class("ik-review-row")

    def fill(self, key: Key | None, info: str = "", themes: list[str] | None = None, confirmed: bool = False) -> None:
        """Show another answer in this row (None hides the row)."""
        self.key = key
        self.widget.layout.display = "none" if key is None else "flex"
        self._filling = True
        try:
            self.info.value = info
            self.tags.set(themes or [])
            self.tags.entry.value = ""
            self.check.value = confirmed
        finally:
            self._filling = False


class ReviewTable(View):
    """The review queue a page at a time, with the themes as German names, save and undo."""

    def __init__(self, session: Session, page_size: int = PAGE):
        self.session = session
        self.chosen: dict[Key, list[str]] = {}
        self.confirmed: set[Key] = set()
        self.queue = pd.DataFrame(columns=review.QUEUE_COLUMNS)
        self.shown = self.queue
        statuses = [("alle", "")] + [(s, s) for s in review.STATUS_ORDER]
        self.status_filter = W.Dropdown(options=statuses, value="", description="Status", layout=W.Layout(width="20em"))
        self.status_filter.observe(lambda _c: self._filter(), names="value")
        self.pager = Pager(page_size, self.show_page)
        self.rows = [ReviewRow(self._codebook(), self.set_themes, self.confirm) for _ in range(max(int(page_size), 1))]
        self.pending = html()
        self.save_button = W.Button(description="Korrekturen speichern", button_style="primary", icon="save", layout=W.Layout(width="auto"))
        self.save_button.on_click(lambda _b: self.save())
        self.undo_button = W.Button(description="Letzte Korrektur zurücknehmen", icon="undo", layout=W.Layout(width="auto"))
        self.undo_button.on_click(lambda _b: self.undo())
        self.status = html()
        session.subscribe(self._changed)
        self.load()
        self.widget = W.VBox([style(), self.status_filter, self.pager.widget, *[r.widget for r in self.rows], self.pending,
                              W.HBox([self.save_button, self.undo_button]), self.status])

    def _codebook(self) -> Codebook:
        analysis = self.session.analysis
        return analysis.codebook if analysis is not None else load_codebook(workspace=self.session.workspace.root)

    def _changed(self, reason: str) -> None:
        if reason == MEETING and (self.chosen or self.confirmed):
            self.status.value = note(f"{count(len(self.corrections()), 'change')} am vorigen Treffen wurden nicht gespeichert und verworfen.")
        self.load(keep_page=reason != MEETING, keep_edits=reason not in (MEETING, CODINGS))

    def load(self, keep_page: bool = False, keep_edits: bool = False) -> None:
        """Read the session's meeting into the queue (edits are kept only when asked)."""
        analysis = self.session.analysis
        if analysis is None:
            return
        if not keep_edits:
            self.chosen, self.confirmed = {}, set()
        self.queue = review.review_queue(analysis)
        for row in self.rows:
            row.tags.use_codebook(analysis.codebook)
        self._filter(keep_page)

    def _filter(self, keep_page: bool = False) -> None:
        status = self.status_filter.value
        self.shown = self.queue[self.queue["status"] == status].reset_index(drop=True) if status else self.queue
        self.pager.reset(len(self.shown), keep=keep_page)
        self.show_page()

    def _info(self, row, text: str) -> str:
        analysis = self.session.analysis
        evidence = evidence_text(row.evidence, analysis.codebook)
        return (f"<b>{escape(row.status)}</b> {escape(row.reason)} · {escape(str(row.municipality))} · "
                f"{escape(question_short(analysis, row.question_id))} · Nr. {int(row.response_id)}<br>{escape(text)}"
                + (f"<br><small>erkannt über: {escape(evidence)}</small>" if evidence else ""))

    def show_page(self) -> None:
        """Fill the rows with the current page (edits on other pages are kept)."""
        page = self.shown.iloc[self.pager.page]
        texts = explore.visible_texts(page["text"].tolist(), self.session.show_personal_data)
        items = list(zip(page.itertuples(index=False), texts))
        for i, row_widget in enumerate(self.rows):
            if i >= len(items):
                row_widget.fill(None)
                continue
            row, text = items[i]
            key = (int(row.response_id), row.question_id)
            row_widget.fill(key, self._info(row, text), self.chosen.get(key, split_themes(row.themes)), key in self.confirmed)
        self._show_pending()

    def row_for(self, response_id: int, question_id: str) -> ReviewRow | None:
        """The row showing an answer on the current page."""
        return next((r for r in self.rows if r.key == (int(response_id), question_id)), None)

    def set_themes(self, key: Key, themes: list[str]) -> None:
        """Record the themes the facilitator picked for an answer."""
        self.chosen[key] = themes
        self._show_pending()

    def confirm(self, key: Key, yes: bool = True) -> None:
        """Mark an answer's themes as checked even if unchanged (it then counts for agreement)."""
        (self.confirmed.add if yes else self.confirmed.discard)(key)
        self._show_pending()

    def corrections(self) -> pd.DataFrame:
        """The pending corrections: changed or confirmed answers."""
        return review.edits_to_corrections(self.queue, self.chosen, self.confirmed)

    def _show_pending(self) -> None:
        n = len(self.corrections())
        self.pending.value = note(f"{count(n, 'change')} noch nicht gespeichert.") if n else ""

    def save(self) -> int:
        """Log the pending corrections with the coder's initials; the views and the reports note follow."""
        pending = self.corrections()
        if pending.empty:
            self.status.value = note("Nichts zu speichern: keine Änderung an den Themen.")
            return 0
        coder = self.session.coder_name
        if not coder:
            self.status.value = note("Bitte oben unter „Ihr Kürzel“ Ihre Initialen eintragen: jede Korrektur wird mit ihnen gespeichert.", "error")
            return 0
        analysis = self.session.analysis
        try:
            n = review.save_review(self.session.workspace, analysis.meeting.id, pending, coder, analysis.codebook)
        except IntegkitError as exc:
            self.status.value = note(f"Nicht gespeichert: {exc}", "error")
            return 0
        self.session.changed(CODINGS)
        self.status.value = note(f"Gespeichert: {count(n, 'answer')}, kodiert von {coder}.", "ok")
        return n

    def undo(self) -> corrections.Undone | None:
        """Take back the newest saved correction of the meeting."""
        analysis = self.session.analysis
        try:
            undone = corrections.undo_last_correction(self.session.workspace, analysis.meeting.id, self.session.coder_name)
        except IntegkitError as exc:
            self.status.value = note(str(exc), "error")
            return None
        if undone is None:
            self.status.value = note("Es gibt keine gespeicherte Korrektur, die sich zurücknehmen ließe.")
            return None
        self.session.changed(CODINGS)
        e = undone.entry
        now = (f"hat wieder {quoted(theme_names(undone.now, analysis.codebook) or 'kein Thema')}" if undone.now is not None
               else "ist wieder automatisch zugeordnet")
        self.status.value = note(
            f"Zurückgenommen: Antwort Nr. {e['response_id']} ({question_short(analysis, e['question_id'])}) {now}.", "ok")
        return undone

    def html(self) -> str:
        analysis = self.session.analysis
        if analysis is None:
            return ""
        page = self.shown.iloc[self.pager.page]
        table = pd.DataFrame({
            "Status": page["status"], "Grund": page["reason"], "Nr.": page["response_id"],
            "Frage": [question_short(analysis, q) for q in page["question_id"]],
            "Antwort": explore.visible_texts(page["text"].tolist(), self.session.show_personal_data),
            "Themen": [theme_names(v, analysis.codebook) for v in page["themes"]],
        })
        return f"<p>{escape(self.pager.text())}</p>" + TableView(table, "pruefen").html()


class StatusOverview(View):
    """How many answers are uncovered, doubtful, safe, reviewed or empty."""

    def __init__(self, session: Session):
        self.session = session
        self.table = TableView(name="zuordnung-im-ueberblick")
        self.widget = W.VBox([style(), self.table.widget])
        session.subscribe(lambda _r: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        if self.session.analysis is not None:
            self.table.set(review.status_counts(review.review_queue(self.session.analysis)))

    def html(self) -> str:
        return self.table.html()


class CorrectionHistory(View):
    """Who changed which answer's themes when, from what to what; newest first, with undo."""

    def __init__(self, session: Session, page_size: int = 10):
        self.session = session
        self.table = TableView(name="korrekturen", empty="Noch keine Korrekturen gespeichert.", page_size=page_size, noun="change")
        self.widget = W.VBox([style(), self.table.widget])
        session.subscribe(lambda _r: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        if self.session.analysis is not None:
            self.table.set(review.correction_history(self.session.workspace, self.session.analysis, self.session.show_personal_data))

    def html(self) -> str:
        return self.table.html()


class AgreementView(View):
    """Cohen's kappa per theme between machine and facilitator, and the answers they code differently."""

    def __init__(self, session: Session, page_size: int = 20):
        self.session = session
        self.summary = html()
        self.scores = TableView(name="uebereinstimmung")
        self.disagreements = TableView(name="abweichungen", empty="Keine abweichenden Zuordnungen.", page_size=page_size)
        self.widget = W.VBox([style(), self.summary, self.scores.widget, W.HTML("<h4>Abweichende Zuordnungen</h4>"),
                              self.disagreements.widget])
        session.subscribe(lambda _r: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        analysis = self.session.analysis
        if analysis is None:
            return
        result = agreement.meeting_agreement(self.session.workspace, analysis.meeting.id, analysis.codebook)
        self.summary.value = f"<p>{escape(agreement.summary_line(result))}</p>"
        self.scores.set(agreement.readable_scores(result))
        self.disagreements.set(agreement.readable_disagreements(result, analysis, self.session.show_personal_data))

    def html(self) -> str:
        return self.summary.value + self.scores.html() + "<h4>Abweichende Zuordnungen</h4>" + self.disagreements.html()


def save_from_parameters(session: Session, rows: list[dict] | pd.DataFrame) -> int:
    """Save corrections given as a notebook parameter (papermill runs), with the session's coder."""
    analysis = session.analysis
    if analysis is None or not len(rows):
        return 0
    n = review.save_review(session.workspace, analysis.meeting.id, rows, session.coder_name, analysis.codebook)
    session.message.value = note(f"Aus den Parametern gespeichert: {count(n, 'answer')}.", "ok")
    session.changed(CODINGS)
    return n
