"""The ipywidgets of the facilitator's notebooks: the answer explorer, the series views, and (re-exported) the rest.

Each class builds its widgets in Python and does its work in plain methods (`refresh`,
`open_cell`, `save`, ...) that the widgets' callbacks call, so a test drives them without a
browser, and a browser test clicks the same buttons. Every view follows its notebook's
`Session`: another meeting, the personal-data switch or a saved change refreshes it. All answer
text shown is HTML-escaped and redacted unless the session's personal-data switch is on.
"""

from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as W
import pandas as pd

from integkit.analysis import series as compare
from integkit.facilitator import downloads, explore, figures
from integkit.facilitator.controls import ChartView, QuoteList, TableView, View, html, note, style
from integkit.facilitator.editor import CodebookEditor  # noqa: F401 - the notebooks find every widget here
from integkit.facilitator.present import count, html_table, label_of
from integkit.facilitator.review_widgets import (  # noqa: F401
    AgreementView, CorrectionHistory, ReviewTable, StatusOverview, save_from_parameters,
)
from integkit.facilitator.session import MEETING, PRIVACY, ReportsPanel, Session  # noqa: F401
from integkit.report import wording
from integkit.report.wording import t

PAGE = 20  # answers per page


class Explorer(View):
    """Filters (municipality, role, question, theme, word search) over one meeting's answers, a
    theme × municipality grid of people whose buttons open the answers behind them, and the answers."""

    def __init__(self, session: Session, query: str = "", theme: str = "", municipality: str = "", page_size: int = PAGE):
        self.session = session
        labels = {"municipality": "Gemeinde", "role": "Rolle", "question": "Frage", "theme": "Thema"}
        self.filters = {key: W.Dropdown(description=label, layout=W.Layout(width="24em")) for key, label in labels.items()}
        self.query = W.Text(value=query, description="Suche", placeholder="Wort eingeben, Enter drücken",
                            continuous_update=False, layout=W.Layout(width="24em"))
        self.summary = html()
        self.grid = W.GridBox(layout=W.Layout(grid_gap="2px", overflow="auto", width="100%"))
        self.grid.add_class("ik-grid")
        self.grid_link = html()
        self.cell = QuoteList(page_size, "antworten-zelle")
        self.answers = QuoteList(page_size, "antworten")
        self.table = pd.DataFrame(columns=explore.ANSWER_COLUMNS)
        self.filtered = self.table
        self.counts = pd.DataFrame()
        self.opened: tuple[str, str] | None = None
        self._cells: dict[tuple, W.Widget] = {}
        self._loading = False
        for widget in (*self.filters.values(), self.query):
            widget.observe(lambda _change: self._refresh_unless_loading(), names="value")
        session.subscribe(self._changed)
        self.load()
        if theme and municipality:
            self.open_cell(theme, municipality)
        self.widget = W.VBox([
            style(), W.HBox([self.filters["municipality"], self.filters["role"]]),
            W.HBox([self.filters["question"], self.filters["theme"]]), self.query, self.summary,
            W.HTML("<h4>Personen je Thema und Gemeinde</h4><p>Jede Zahl zählt Personen, die das Thema nennen; ein Klick "
                   "zeigt ihre Antworten (eine Person kann mehrere Antworten geben).</p>"),
            self.grid, self.grid_link, self.cell.widget, W.HTML("<h4>Alle Antworten der Auswahl</h4>"), self.answers.widget,
        ])

    def _changed(self, reason: str) -> None:
        if reason == PRIVACY:
            self.refresh()
        else:
            self.load(keep_filters=reason != MEETING)

    def load(self, keep_filters: bool = False) -> None:
        """Read the session's meeting and fill the filters with its municipalities, roles, questions and themes."""
        analysis = self.session.analysis
        if analysis is None:
            return
        self.table = explore.answer_table(analysis)
        if not keep_filters:  # another meeting: other municipalities, no count opened
            self._cells, self.opened = {}, None
            self.cell.set(pd.DataFrame(columns=["municipality", "role", "text"]), pd.DataFrame())
        options = explore.filter_options(analysis)
        self._loading = True
        try:
            for key, widget in self.filters.items():
                before = widget.value
                widget.options = options[key]
                values = [v for _, v in options[key]]
                widget.value = before if keep_filters and before in values else explore.ALL
        finally:
            self._loading = False
        self.refresh()

    def _refresh_unless_loading(self) -> None:
        if not self._loading:
            self.refresh()

    def refresh(self) -> None:
        """Apply the filters and the search; rebuild the grid and the answer list."""
        analysis = self.session.analysis
        if analysis is None:
            return
        f = {key: widget.value for key, widget in self.filters.items()}
        self.filtered = explore.filter_answers(self.table, f["municipality"], f["role"], f["question"], f["theme"], self.query.value)
        self.counts = explore.theme_municipality_counts(self.filtered, analysis.theme_order())
        self.summary.value = (f"<p><b>{count(len(self.filtered), 'answer')} von "
                              f"{count(self.filtered['response_id'].nunique(), 'person')}</b> in der Auswahl.</p>")
        self.grid.children = self._grid_cells()
        self.grid.layout.grid_template_columns = f"minmax(14em, max-content) repeat({len(self.counts.columns)}, 3.4em)"
        grid_table = explore.labelled_counts(self.counts, analysis)
        self.grid_link.value = f"<p>{downloads.excel_link(grid_table, 'personen-je-thema-und-gemeinde', 'Zahlen als Excel-Datei')}</p>"
        self.answers.set(self._quotes(self.filtered), explore.readable(self.filtered, analysis, self.session.show_personal_data))
        if self.opened:
            self.open_cell(*self.opened)

    def _quotes(self, rows: pd.DataFrame) -> pd.DataFrame:
        return explore.quotes(rows, self.session.show_personal_data)

    def _cell(self, key: tuple, make: Callable[[], W.Widget]) -> W.Widget:
        """A grid widget made once and reused: rebuilding some hundred buttons per filter would be slow."""
        if key not in self._cells:
            self._cells[key] = make()
        return self._cells[key]

    def _sticky(self, value: str = "") -> W.HTML:
        cell = W.HTML(value)
        cell.add_class("ik-sticky")
        return cell

    def _head(self, municipality: str) -> W.HTML:
        head = W.HTML(f"<span>{escape(municipality)}</span>")
        head.add_class("ik-head")
        return head

    def _button(self, theme: str, municipality: str) -> W.Button:
        button = W.Button(layout=W.Layout(width="3.2em"))
        button.on_click(self._opener(theme, municipality))
        return button

    def _grid_cells(self) -> list[W.Widget]:
        analysis = self.session.analysis
        cells: list[W.Widget] = [self._cell(("corner",), lambda: self._sticky("<b>Thema</b>"))]
        cells += [self._cell(("head", m), lambda m=m: self._head(m)) for m in self.counts.columns]
        answers = self.filtered.assign(theme=self.filtered["themes"].map(explore.split_themes)).explode("theme")
        per_cell = answers.groupby(["theme", "municipality"]).size()
        for theme in self.counts.index:
            label = analysis.theme_label(theme)
            name = self._cell(("theme", theme), self._sticky)
            name.value = escape(label)
            cells.append(name)
            for municipality in self.counts.columns:
                people = int(self.counts.loc[theme, municipality])
                n_answers = int(per_cell.get((theme, municipality), 0))
                button = self._cell(("count", theme, municipality), lambda t=theme, m=municipality: self._button(t, m))
                button.description, button.disabled = str(people), people == 0
                button.tooltip = f"{label} · {municipality}: {count(people, 'person')}, {count(n_answers, 'answer')}"
                cells.append(button)
        return cells

    def _opener(self, theme: str, municipality: str) -> Callable[[W.Button], None]:
        return lambda _button: self.open_cell(theme, municipality)

    def open_cell(self, theme: str, municipality: str) -> pd.DataFrame:
        """Show (and return) the answers behind one count of the grid: the same people the button counts."""
        analysis = self.session.analysis
        rows = explore.filter_answers(self.filtered, municipality=municipality, theme=theme)
        self.opened = (theme, municipality)
        title = (f"{analysis.theme_label(theme)} · {municipality}: {count(rows['response_id'].nunique(), 'person')}, "
                 f"{count(len(rows), 'answer')}")
        name = f"antworten-{label_of(analysis.codebook, theme)}-{municipality}"
        self.cell.set(self._quotes(rows), explore.readable(rows, analysis, self.session.show_personal_data), title, name)
        return rows

    def html(self) -> str:
        analysis = self.session.analysis
        if analysis is None:
            return ""
        grid = html_table(explore.labelled_counts(self.counts, analysis), "Keine Antworten.")
        return (self.summary.value + "<h4>Personen je Thema und Gemeinde</h4>" + grid + self.cell.html()
                + "<h4>Alle Antworten der Auswahl</h4>" + self.answers.html())


# --- the meetings of a series ---------------------------------------------------------------
RATING_NOTE = (f"Mittelwerte der Bewertungen von 1 = {t('likert_1')} bis 5 = {t('likert_5')} "
               f"(3 = {t('likert_3')}); „keine Angabe“ zählt nicht mit.")


class Panel(View):
    """Tables and charts of the session's meeting, made again whenever the session changes."""

    def __init__(self, session: Session, build: Callable[[Session], list[View | str]]):
        self.session, self.build = session, build
        self.box = W.VBox()
        self.parts: list[View | str] = []
        self.widget = W.VBox([style(), self.box])
        session.subscribe(lambda _reason: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        self.parts = self.build(self.session) if self.session.analysis is not None else []
        self.box.children = [p.widget if isinstance(p, View) else html(p) for p in self.parts]

    def html(self) -> str:
        return "".join(p.html() if isinstance(p, View) else p for p in self.parts)


def participation(session: Session) -> Panel:
    """People who answered, per municipality and meeting of the series."""
    return Panel(session, lambda s: ["<p>Zahl der Personen, die geantwortet haben.</p>",
                                     TableView(compare.participation_table(s.analysis).rename(columns=wording.column), "teilnahme")])


def district_themes(session: Session) -> Panel:
    """Share of people naming each theme across the meetings: a chart (one colour per theme) and the table."""
    def build(s: Session) -> list[View | str]:
        shares = compare.theme_shares(s.analysis)
        chart = ChartView("themen-im-landkreis")
        chart.set(figures.trend(shares, "themes", s.analysis))
        return ["<p>Anteil der Teilnehmenden (%), die ein Thema nennen.</p>", chart,
                TableView(compare.readable(shares, "Thema", s.analysis), "themen-im-landkreis")]

    return Panel(session, build)


def district_ratings(session: Session) -> Panel:
    """Mean ratings across the meetings, with what 1 and 5 mean."""
    return Panel(session, lambda s: [f"<p>{escape(RATING_NOTE)}</p>",
                                     TableView(compare.readable(compare.rating_means(s.analysis), "Bewertung", s.analysis), "bewertungen")])


def share_changes(session: Session, min_group: int | None = None) -> Panel:
    """Change of each theme's share since the previous meeting, per municipality (percentage points)."""
    def build(s: Session) -> list[View | str]:
        table = compare.theme_share_changes(s.analysis, min_group)
        if table.empty:
            return [note(t("no_history"))]
        return ["<p>Änderung des Anteils je Thema in Prozentpunkten; leer bei weniger Teilnehmenden als der "
                "Mindestgruppe.</p>", TableView(table, "veraenderung")]

    return Panel(session, build)


class SeriesView(View):
    """Pick a municipality (or the district) and see its theme shares and ratings across the series."""

    def __init__(self, session: Session, municipality: str = "", min_group: int | None = None):
        self.session, self.min_group = session, min_group
        self.municipality = W.Dropdown(description="Gemeinde", layout=W.Layout(width="24em"))
        self.municipality.observe(lambda _change: self.refresh(), names="value")
        self.themes, self.ratings = TableView(name="themen-gemeinde"), TableView(name="bewertungen-gemeinde")
        self.heading_themes, self.heading_ratings = html(), html()
        session.subscribe(lambda _reason: self.load())
        self.widget = W.VBox([style(), self.municipality, self.heading_themes, self.themes.widget, self.heading_ratings,
                              self.ratings.widget])
        self.load(municipality)

    def load(self, municipality: str = "") -> None:
        analysis = self.session.analysis
        if analysis is None:
            return
        choices = [compare.DISTRICT, *compare.series_municipalities(analysis)]
        wanted = municipality or self.municipality.value
        self.municipality.options = choices
        self.municipality.value = wanted if wanted in choices else compare.DISTRICT
        self.refresh()

    def refresh(self) -> None:
        """Show the chosen municipality's tables."""
        analysis, name = self.session.analysis, self.municipality.value
        if analysis is None or name is None:
            return
        chosen = None if name == compare.DISTRICT else name
        self.heading_themes.value = f"<h4>{escape(name)}: Anteil der Teilnehmenden je Thema (%)</h4>"
        self.themes.set(compare.readable(compare.theme_shares(analysis, chosen, self.min_group), "Thema", analysis), f"themen-{name}")
        self.heading_ratings.value = f"<h4>{escape(name)}: mittlere Bewertung</h4><p>{escape(RATING_NOTE)}</p>"
        self.ratings.set(compare.readable(compare.rating_means(analysis, chosen, self.min_group), "Bewertung", analysis), f"bewertungen-{name}")

    def html(self) -> str:
        return self.heading_themes.value + self.themes.html() + self.heading_ratings.value + self.ratings.html()
