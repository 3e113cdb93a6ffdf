"""The bar at the top of each facilitator notebook: which meeting, who is coding, personal data on or off, the reports.

A `Session` holds the chosen meeting's analysis and tells every view below it when something
changed (another meeting, the personal-data switch, saved corrections, a codebook change), so a
facilitator never types code to switch meetings and never sees a table of the previous one. Its
`ReportsPanel` says whether the meeting's reports are older than the codings and renders them
all again in the background, with progress.
"""

from __future__ import annotations

import threading
from html import escape
from pathlib import Path
from typing import Callable

import ipywidgets as W

from integkit.analysis.meeting import Analysis, load_analysis
from integkit.errors import IntegkitError
from integkit.facilitator import refresh
from integkit.facilitator.controls import View, html, note, style
from integkit.facilitator.explore import locate_workspace
from integkit.facilitator.present import count, quoted
from integkit.workspace import Meeting, Workspace

MEETING, PRIVACY, CODINGS, CODEBOOK = "meeting", "privacy", "codings", "codebook"


def meeting_label(meeting: Meeting) -> str:
    """How the picker names a meeting: its title and date."""
    date = f" ({meeting.date:%d.%m.%Y})" if meeting.date else ""
    return f"{meeting.title or meeting.id}{date}"


class ReportsPanel(View):
    """A note saying whether the meeting's reports are up to date, and „Berichte neu erstellen“."""

    def __init__(self, session: Session):
        self.session = session
        self.status = html()
        self.button = W.Button(description="Berichte neu erstellen", icon="refresh", button_style="primary",
                               layout=W.Layout(width="auto"))
        self.button.on_click(lambda _b: self.start())
        self.progress = W.IntProgress(value=0, min=0, max=1, layout=W.Layout(display="none", width="20em"))
        self.progress_text = html()
        self.thread: threading.Thread | None = None
        self.result = None  # the last re-render's BatchResult
        self.widget = W.VBox([self.status, W.HBox([self.button, self.progress]), self.progress_text])

    def refresh(self) -> None:
        """Compare the reports' time with the codings' and say so."""
        if not self.session.meeting_id:
            self.status.value = ""
            return
        state = refresh.reports_state(self.session.workspace, self.session.meeting_id)
        self.status.value = note(state.note(), "note" if state.outdated else "ok")

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
        """Plan and render all reports of the meeting in a background thread (the notebook stays usable)."""
        if self.running or not self.session.meeting_id:
            return
        self.result = None
        self.button.disabled = True
        self.progress.value, self.progress.max = 0, 1
        self.progress.layout.display = "flex"
        self.progress_text.value = note("Die Berichte werden vorbereitet …")
        meeting_id = self.session.meeting_id
        self.thread = threading.Thread(target=self._run, args=(meeting_id,), daemon=True, name="integkit-reports")
        self.thread.start()

    def _run(self, meeting_id: str) -> None:
        try:
            jobs = refresh.planned_reports(self.session.workspace, meeting_id)
            self.progress.max = len(jobs)
            self.progress_text.value = note(f"Erstelle {count(len(jobs), 'report')} …")
            self.result = refresh.rerender(self.session.workspace, jobs, on_done=self._done)
            self._finished(meeting_id)
        except IntegkitError as exc:
            self.progress_text.value = note(f"Die Berichte lassen sich nicht erstellen: {exc}", "error")
        except Exception as exc:  # noqa: BLE001 - shown to the facilitator, the notebook goes on
            self.progress_text.value = note(f"Die Berichte ließen sich nicht erstellen: {type(exc).__name__}: {exc}", "error")
        finally:
            self.button.disabled = False

    def _done(self, _name: str, _error: str | None) -> None:
        self.progress.value += 1
        self.progress_text.value = note(f"{self.progress.value} von {count(self.progress.max, 'report')} fertig …")

    def _finished(self, meeting_id: str) -> None:
        result = self.result
        done = result.rendered
        index = result.indexes.get(meeting_id)
        where = f" Übersicht: {index.relative_to(self.session.workspace.root)}" if index else ""
        text = f"Fertig: {count(len(done), 'report')} neu erstellt.{where}"
        if result.failed:
            failed = "; ".join(f"{name}: {error}" for name, error in result.failed)
            self.progress_text.value = note(f"{text} Nicht erstellt: {failed}", "error")
        else:
            self.progress_text.value = note(text, "ok")
        self.refresh()

    def wait(self, timeout: float | None = None) -> None:
        """Block until a running re-render has finished (for scripts and tests)."""
        if self.thread is not None:
            self.thread.join(timeout)

    def html(self) -> str:
        return self.status.value


class Session(View):
    """Meeting picker, coder field and personal-data switch; loads the chosen meeting and tells the views."""

    def __init__(
        self, workspace: Workspace | Path | str = ".", meeting_id: str = "", show_personal_data: bool = False, coder: str = "",
        *, ask_coder: bool = False, privacy: bool = True, with_history: bool = False, min_group: int | None = None,
    ):
        self.workspace = workspace if isinstance(workspace, Workspace) else locate_workspace(workspace)
        self.with_history, self.min_group = with_history, min_group
        meetings = sorted(self.workspace.meetings().values(), key=lambda m: (m.date is not None, m.date), reverse=True)
        options = [(meeting_label(m), m.id) for m in meetings]
        known = [m.id for m in meetings]
        self.message = html()
        chosen = meeting_id if meeting_id in known else (known[0] if known else None)
        if not known:
            self.message.value = note("In diesem Arbeitsordner ist noch kein Treffen importiert (integkit import).", "error")
        elif meeting_id and meeting_id not in known:
            shown = quoted(meeting_label(meetings[0]))
            self.message.value = note(f"Das Treffen {quoted(meeting_id)} gibt es in diesem Arbeitsordner nicht; gezeigt wird {shown}.")
        self.meeting = W.Dropdown(options=options, value=chosen, description="Treffen", layout=W.Layout(width="36em"),
                                  style={"description_width": "8em"})
        self.coder = W.Text(value=coder, description="Ihr Kürzel", placeholder="z. B. AB", layout=W.Layout(width="20em"),
                            style={"description_width": "8em"})
        self.personal = W.Checkbox(value=bool(show_personal_data), indent=False,
                                   description="Personenbezogene Daten zeigen (nur im Landratsamt)", layout=W.Layout(width="auto"))
        self.reports = ReportsPanel(self)
        self._analysis: Analysis | None = None
        self._listeners: list[Callable[[str], None]] = []
        self.meeting.observe(lambda _c: self.changed(MEETING), names="value")
        self.personal.observe(lambda _c: self.changed(PRIVACY), names="value")
        parts = [style(), self.message, self.meeting]
        parts += [self.coder] if ask_coder else []
        parts += [self.personal] if privacy else []
        self.widget = W.VBox([*parts, self.reports.widget])
        self.reports.refresh()

    @property
    def meeting_id(self) -> str:
        return self.meeting.value or ""

    @property
    def show_personal_data(self) -> bool:
        return bool(self.personal.value)

    @property
    def coder_name(self) -> str:
        return self.coder.value.strip()

    @property
    def analysis(self) -> Analysis | None:
        """The chosen meeting with its codings (and earlier meetings, if asked), loaded once per change."""
        if self._analysis is None and self.meeting_id:
            self._analysis = load_analysis(self.workspace, self.meeting_id, with_history=self.with_history,
                                           **({"min_group": self.min_group} if self.min_group is not None else {}))
        return self._analysis

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(reason)`` after every change (MEETING, PRIVACY, CODINGS or CODEBOOK)."""
        self._listeners.append(listener)

    def changed(self, reason: str) -> None:
        """Something changed: reload the meeting if its data did, then refresh every view and the reports note."""
        if reason != PRIVACY:
            self._analysis = None
        if reason == MEETING:
            self.message.value = ""
        for listener in self._listeners:
            listener(reason)
        self.reports.refresh()

    def html(self) -> str:
        meeting = escape(dict((v, k) for k, v in self.meeting.options).get(self.meeting_id, ""))
        return f"{self.message.value}<p><b>Treffen:</b> {meeting}</p>{self.reports.html()}"
