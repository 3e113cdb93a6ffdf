"""The ipywidgets of the facilitator's notebooks: the answer explorer, the review table, the codebook editor.

Each class builds its widgets in Python and does its work in plain methods (`refresh`,
`open_cell`, `save`, `accept`, ...) that the widgets' callbacks call, so a test drives them
without a browser. All answer text shown is HTML-escaped (show.quotes) and redacted unless the
notebook's `show_personal_data` switch is on.
"""

from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as W
import pandas as pd

from integkit.facilitator import curation, explore, review
from integkit.report import html as show
from integkit.analysis.meeting import Analysis
from integkit.errors import InputError
from integkit.themes.assign import split_themes
from integkit.themes.codebook import Codebook
from integkit.workspace import Workspace

MAX_LISTED = 50  # answers listed under the explorer's filters
PAGE = 20  # answers per page of the review table


def _html(value: str = "") -> W.HTML:
    return W.HTML(value=value, layout=W.Layout(width="100%"))


class Explorer:
    """Filters (municipality, role, question, theme, word search) over one meeting's answers, a
    theme × municipality grid of counts whose buttons open the quotes behind them, and the answer list."""

    def __init__(self, analysis: Analysis, show_personal_data: bool = False, names: tuple[str, ...] = ()):
        self.analysis = analysis
        self.show_personal_data = show_personal_data
        self.names = names
        self.table = explore.answer_table(analysis)
        options = explore.filter_options(analysis)
        self.filters = {key: W.Dropdown(options=choices, value=explore.ALL, description=label)
                        for (key, choices), label in zip(options.items(), ("Gemeinde", "Rolle", "Frage", "Thema"))}
        self.query = W.Text(value="", description="Suche", placeholder="z. B. Wohnung")
        self.summary = _html()
        self.grid = W.GridBox()
        self.cell = _html()
        self.answers = _html()
        for widget in (*self.filters.values(), self.query):
            widget.observe(lambda _change: self.refresh(), names="value")
        self.filtered = self.table
        self.counts = pd.DataFrame()
        self.refresh()

    def refresh(self) -> None:
        """Apply the filters and the search; rebuild the grid and the answer list."""
        f = {key: widget.value for key, widget in self.filters.items()}
        self.filtered = explore.filter_answers(self.table, f["municipality"], f["role"], f["question"], f["theme"], self.query.value)
        self.counts = explore.theme_municipality_counts(self.filtered, self.analysis.theme_order())
        people = self.filtered["response_id"].nunique()
        self.summary.value = f"<p>{len(self.filtered)} Antworten von {people} Personen</p>"
        self.grid.children = self._grid_cells()
        self.grid.layout = W.Layout(grid_template_columns=f"16em repeat({len(self.counts.columns)}, 5.5em)", grid_gap="2px")
        shown = explore.quotes(self.filtered.head(MAX_LISTED), self.show_personal_data, self.names)
        more = f"<p>… und {len(self.filtered) - MAX_LISTED} weitere</p>" if len(self.filtered) > MAX_LISTED else ""
        self.answers.value = show.quotes(shown, empty="Keine Antworten.").data + more
        self.cell.value = ""

    def _grid_cells(self) -> list[W.Widget]:
        cells: list[W.Widget] = [W.HTML("<b>Thema \\ Gemeinde</b>")]
        cells += [W.HTML(f"<small>{escape(m)}</small>") for m in self.counts.columns]
        for theme in self.counts.index:
            cells.append(W.HTML(escape(self.analysis.theme_label(theme))))
            for municipality in self.counts.columns:
                n = int(self.counts.loc[theme, municipality])
                button = W.Button(description=str(n), disabled=n == 0, layout=W.Layout(width="5em"),
                                  tooltip=f"{self.analysis.theme_label(theme)} · {municipality}")
                button.on_click(self._opener(theme, municipality))
                cells.append(button)
        return cells

    def _opener(self, theme: str, municipality: str) -> Callable[[W.Button], None]:
        return lambda _button: self.open_cell(theme, municipality)

    def open_cell(self, theme: str, municipality: str) -> pd.DataFrame:
        """Show (and return) the answers behind one count of the grid."""
        rows = explore.cell_quotes(self.filtered, theme, municipality, self.show_personal_data, self.names)
        title = f"<h4>{escape(self.analysis.theme_label(theme))} · {escape(municipality)}: {len(rows)} Antworten</h4>"
        self.cell.value = title + show.quotes(rows, empty="Keine Antworten.").data
        return rows

    @property
    def widget(self) -> W.Widget:
        return W.VBox([W.HBox(list(self.filters.values())[:2]), W.HBox(list(self.filters.values())[2:]), self.query,
                       self.summary, self.grid, self.cell, W.HTML("<h4>Antworten</h4>"), self.answers])


class ReviewTable:
    """One row per answer of the review queue (uncovered and doubtful first): the text, why it is
    listed, its themes as editable tags and a "bestätigt" box; saving writes coding.csv."""

    def __init__(self, queue: pd.DataFrame, codebook: Codebook, workspace: Workspace | str, meeting_id: str,
                 coder: str = "", show_personal_data: bool = False, page_size: int = PAGE):
        self.queue, self.codebook, self.workspace, self.meeting_id = queue, codebook, workspace, meeting_id
        self.coder, self.show_personal_data, self.page_size = coder, show_personal_data, page_size
        self.chosen: dict[tuple[int, str], list[str]] = {}
        self.confirmed: set[tuple[int, str]] = set()
        self.start = W.BoundedIntText(value=0, min=0, max=max(len(queue) - 1, 0), step=page_size, description="ab Nr.")
        self.start.observe(lambda _change: self.show_page(), names="value")
        self.rows = W.VBox()
        self.save_button = W.Button(description="Korrekturen speichern", button_style="primary", icon="save")
        self.save_button.on_click(lambda _button: self.save())
        self.status = _html()
        self.tags: dict[tuple[int, str], W.TagsInput] = {}
        self.checks: dict[tuple[int, str], W.Checkbox] = {}
        self.show_page()

    def show_page(self) -> None:
        """Build the rows of the current page (edits on other pages are kept)."""
        page = self.queue.iloc[self.start.value : self.start.value + self.page_size]
        texts = explore.visible_texts(page["text"].tolist(), self.show_personal_data)
        self.tags, self.checks, rows = {}, {}, []
        for row, text in zip(page.itertuples(index=False), texts):
            key = (int(row.response_id), row.question_id)
            tags = W.TagsInput(value=self.chosen.get(key, split_themes(row.themes)), allowed_tags=list(self.codebook.ids),
                               allow_duplicates=False, layout=W.Layout(width="40%"))
            tags.observe(self._tagger(key), names="value")
            check = W.Checkbox(value=key in self.confirmed, description="bestätigt", indent=False, layout=W.Layout(width="7em"))
            check.observe(self._checker(key), names="value")
            self.tags[key], self.checks[key] = tags, check
            info = (f"<b>{escape(row.status)}</b> {escape(row.reason)} · {escape(str(row.municipality))} · "
                    f"{escape(row.question_id)} #{key[0]}<br>{escape(text)}<br><small>{escape(str(row.evidence))}</small>")
            rows.append(W.HBox([W.HTML(info, layout=W.Layout(width="55%")), tags, check]))
        self.rows.children = rows

    def _tagger(self, key: tuple[int, str]) -> Callable[[dict], None]:
        return lambda change: self.set_themes(key, list(change["new"]))

    def _checker(self, key: tuple[int, str]) -> Callable[[dict], None]:
        return lambda change: self.confirm(key, bool(change["new"]))

    def set_themes(self, key: tuple[int, str], themes: list[str]) -> None:
        """Record the themes the facilitator picked for an answer."""
        self.chosen[key] = themes

    def confirm(self, key: tuple[int, str], yes: bool = True) -> None:
        """Mark an answer's themes as checked even if unchanged (it then counts for agreement)."""
        (self.confirmed.add if yes else self.confirmed.discard)(key)

    def corrections(self) -> pd.DataFrame:
        """The pending corrections: changed or confirmed answers."""
        return review.edits_to_corrections(self.queue, self.chosen, self.confirmed)

    def save(self) -> int:
        """Write the pending corrections to the meeting's coding.csv."""
        try:
            n = review.save_review(self.workspace, self.meeting_id, self.corrections(), self.coder, self.codebook)
        except InputError as exc:
            self.status.value = f"<p style='color:#B35806'>{escape(str(exc))}</p>"
            return 0
        self.status.value = f"<p>{n} Korrekturen gespeichert (surveys/{escape(self.meeting_id)}/coding.csv).</p>"
        return n

    @property
    def widget(self) -> W.Widget:
        return W.VBox([self.start, self.rows, self.save_button, self.status])


class CodebookEditor:
    """Accept a discovered cluster as a theme, rename a theme, merge themes: each a version bump
    and a change-log entry in the workspace codebook."""

    def __init__(self, workspace: Workspace | str, meeting_id: str, summary: pd.DataFrame):
        self.workspace, self.meeting_id, self.summary = workspace, meeting_id, summary
        clusters = [(f"{r.cluster}: {r.top_terms} ({r.size} Antworten, {r.overlap})", int(r.cluster)) for r in summary.itertuples()]
        self.cluster = W.Dropdown(options=clusters, description="Cluster")
        self.new_id = W.Text(description="neue ID", placeholder="mobilitaet")
        self.new_label = W.Text(description="Name", placeholder="Mobilität")
        self.accept_button = W.Button(description="Als Thema übernehmen")
        self.accept_button.on_click(lambda _b: self.accept(self.cluster.value, self.new_id.value, self.new_label.value))
        self.theme = W.Dropdown(description="Thema")
        self.rename_id = W.Text(description="neue ID")
        self.rename_label = W.Text(description="neuer Name")
        self.rename_button = W.Button(description="Umbenennen")
        self.rename_button.on_click(lambda _b: self.rename(self.theme.value, self.rename_id.value, self.rename_label.value))
        self.sources = W.SelectMultiple(description="Themen")
        self.into = W.Dropdown(description="in")
        self.merge_button = W.Button(description="Zusammenführen")
        self.merge_button.on_click(lambda _b: self.merge(list(self.sources.value), self.into.value))
        self.status = _html()
        self._reload(curation.workspace_codebook(workspace))

    def _reload(self, book: Codebook, message: str = "") -> None:
        options = [(f"{t.label_de} ({t.id})", t.id) for t in book.themes]
        self.theme.options, self.sources.options, self.into.options = options, options, options
        self.codebook = book
        self.status.value = (f"<p>{escape(message)}</p>" if message else "") + f"<p>Codebook-Version {escape(book.version)}</p>"

    def _run(self, action: Callable[[], Codebook]) -> Codebook | None:
        try:
            book = action()
        except (InputError, KeyError, ValueError) as exc:
            self.status.value = f"<p style='color:#B35806'>{escape(str(exc))}</p>"
            return None
        self._reload(book, book.changelog[-1]["change"])
        return book

    def accept(self, cluster: int, theme_id: str, label_de: str, label_en: str = "") -> Codebook | None:
        return self._run(lambda: curation.accept(self.workspace, self.meeting_id, self.summary, cluster, theme_id, label_de, label_en))

    def rename(self, theme_id: str, new_id: str = "", label_de: str = "") -> Codebook | None:
        return self._run(lambda: curation.rename(self.workspace, theme_id, new_id, label_de))

    def merge(self, sources: list[str], into: str) -> Codebook | None:
        return self._run(lambda: curation.merge(self.workspace, sources, into))

    @property
    def widget(self) -> W.Widget:
        return W.VBox([
            W.HTML("<h4>Cluster übernehmen</h4>"), W.HBox([self.cluster]), W.HBox([self.new_id, self.new_label, self.accept_button]),
            W.HTML("<h4>Thema umbenennen</h4>"), W.HBox([self.theme, self.rename_id, self.rename_label, self.rename_button]),
            W.HTML("<h4>Themen zusammenführen</h4>"), W.HBox([self.sources, self.into, self.merge_button]),
            self.status,
        ])


class SeriesView:
    """Pick a municipality (or the district) and see its participation, theme shares and ratings across the series."""

    def __init__(self, analysis: Analysis, min_group: int | None = None):
        from integkit.analysis import series as compare

        self.analysis, self.min_group, self._compare = analysis, min_group, compare
        choices = [compare.DISTRICT, *compare.series_municipalities(analysis)]
        self.municipality = W.Dropdown(options=choices, value=compare.DISTRICT, description="Gemeinde")
        self.municipality.observe(lambda _change: self.refresh(), names="value")
        self.output = _html()
        self.refresh()

    def refresh(self) -> None:
        """Show the chosen municipality's tables (HTML, escaped by show.table)."""
        c, name = self._compare, self.municipality.value
        chosen = None if name == c.DISTRICT else name
        parts = [
            f"<h4>{escape(name)}: Anteil der Teilnehmenden je Thema (%)</h4>",
            show.table(c.readable(c.theme_shares(self.analysis, chosen, self.min_group))).data,
            f"<h4>{escape(name)}: mittlere Bewertung</h4>",
            show.table(c.readable(c.rating_means(self.analysis, chosen, self.min_group), "Bewertung")).data,
        ]
        self.output.value = "".join(parts)

    @property
    def widget(self) -> W.Widget:
        return W.VBox([self.municipality, self.output])
