"""The small widgets the facilitator's notebooks are built from: pages, tables, charts, theme tags, confirmations.

Every `View` is an ipywidget that also carries a plain-HTML form of what it shows, so an output
saved by papermill or opened without a running kernel still shows the tables. Everything that
comes from data is escaped. Row widgets are made once and refilled, never rebuilt while typing.
"""

from __future__ import annotations

import base64
from html import escape
from typing import TYPE_CHECKING, Any, Callable

import ipywidgets as W
import pandas as pd

from integkit.facilitator import downloads
from integkit.facilitator.present import NOUNS, html_table, quoted
from integkit.report.html import quotes as quote_list
from integkit.text.normalize import fold
from integkit.themes.codebook import Codebook

if TYPE_CHECKING:
    from integkit.facilitator.figures import Picture

CSS = """<style>
.ik-grid { overflow-x: auto; max-width: 100%; }
.ik-grid .ik-sticky { position: sticky; left: 0; z-index: 2; background: var(--jp-layout-color0, #fff); }
.ik-grid .ik-head { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; align-self: end;
  justify-self: center; line-height: 1.2; padding: 2px 0; }
.ik-table { border-collapse: collapse; margin: 4px 0; }
.ik-table th, .ik-table td { padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
.ik-note { background: #FFF4E0; border-left: 4px solid #E69F00; padding: 4px 8px; }
.ik-ok { background: #EAF6EE; border-left: 4px solid #009E73; padding: 4px 8px; }
.ik-error { color: #B35806; font-weight: bold; }
.ik-download { margin-right: 1em; }
.ik-chip button { text-transform: none; }
</style>"""


def style() -> W.HTML:
    """The notebooks' style sheet (sticky first column, upright headers, notes), as a widget."""
    return W.HTML(CSS, layout=W.Layout(height="0px", overflow="hidden"))


def html(value: str = "") -> W.HTML:
    return W.HTML(value=value, layout=W.Layout(width="100%"))


def note(text: str, kind: str = "note") -> str:
    """A German message as HTML: kind "note" (attention), "ok" or "error"."""
    return f"<p class='ik-{kind}'>{escape(text)}</p>"


class View:
    """A widget plus its HTML form: Jupyter shows the live widget, a saved notebook keeps the HTML."""

    widget: W.Widget

    def html(self) -> str:  # pragma: no cover - every view says what it shows
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/html"] = CSS + self.html()
        return bundle


class Pager:
    """Zurück / Weiter over a list: "Antworten 21–40 von 116"."""

    def __init__(self, page_size: int, on_change: Callable[[], None], noun: str = "answer"):
        self.page_size, self.noun, self.on_change = max(int(page_size), 1), noun, on_change
        self.start, self.total = 0, 0
        self.back = W.Button(description="Zurück", icon="chevron-left", layout=W.Layout(width="auto"))
        self.next = W.Button(description="Weiter", icon="chevron-right", layout=W.Layout(width="auto"))
        self.label = W.HTML()
        self.back.on_click(lambda _b: self.go(self.start - self.page_size))
        self.next.on_click(lambda _b: self.go(self.start + self.page_size))
        self.widget = W.HBox([self.back, self.label, self.next], layout=W.Layout(align_items="center"))
        self._show()

    def reset(self, total: int, keep: bool = False) -> None:
        """A new list of ``total`` items: back to the first page (or the same page if ``keep``)."""
        self.total = int(total)
        self.start = min(self.start, max(self.total - 1, 0)) // self.page_size * self.page_size if keep else 0
        self._show()

    def go(self, start: int) -> None:
        start = max(0, min(start, max(self.total - 1, 0)))
        start -= start % self.page_size
        if start != self.start:
            self.start = start
            self._show()
            self.on_change()

    @property
    def page(self) -> slice:
        return slice(self.start, self.start + self.page_size)

    def text(self) -> str:
        many = NOUNS[self.noun][1]
        if not self.total:
            return f"Keine {many}"
        end = min(self.start + self.page_size, self.total)
        return f"{many} {self.start + 1}–{end} von {self.total}"

    def _show(self) -> None:
        self.label.value = f"<span style='padding:0 1em'>{escape(self.text())}</span>"
        self.back.disabled = self.start == 0
        self.next.disabled = self.start + self.page_size >= self.total
        self.widget.layout.display = "none" if self.total <= self.page_size else "flex"


class TableView(View):
    """A table with German headings and number format, and a link that saves it as an Excel file."""

    def __init__(self, frame: pd.DataFrame | None = None, name: str = "tabelle", empty: str = "Keine Einträge.",
                 page_size: int | None = None, noun: str = "answer"):
        self.name, self.empty = name, empty
        self.frame = pd.DataFrame()
        self.body = html()
        self.pager = Pager(page_size or 10**9, self._show, noun)
        self.widget = W.VBox([self.body, self.pager.widget])
        self.set(frame if frame is not None else pd.DataFrame())

    def set(self, frame: pd.DataFrame, name: str | None = None) -> None:
        """Show another table (the Excel file holds all its rows, the page shows one page)."""
        self.frame, self.name = frame.reset_index(drop=True), name or self.name
        self.pager.reset(len(self.frame))
        self._show()

    def _show(self) -> None:
        self.body.value = self.html()

    def html(self) -> str:
        shown = self.frame.iloc[self.pager.page]
        link = downloads.excel_link(self.frame, self.name) if len(self.frame) else ""
        return html_table(shown, self.empty) + (f"<p>{link}</p>" if link else "")


class QuoteList(View):
    """Answers as quotes (municipality · role), a page at a time, with an Excel link for all of them."""

    def __init__(self, page_size: int = 20, name: str = "antworten"):
        self.rows, self.table, self.title, self.name = pd.DataFrame(), pd.DataFrame(), "", name
        self.body = html()
        self.pager = Pager(page_size, self._show)
        self.widget = W.VBox([self.body, self.pager.widget])

    def set(self, rows: pd.DataFrame, table: pd.DataFrame, title: str = "", name: str | None = None) -> None:
        """``rows`` to show (municipality, role, text), ``table`` the same answers for Excel."""
        self.rows, self.table, self.title, self.name = rows.reset_index(drop=True), table, title, name or self.name
        self.pager.reset(len(self.rows))
        self._show()

    def _show(self) -> None:
        self.body.value = self.html()

    def html(self) -> str:
        head = f"<h4>{escape(self.title)}</h4>" if self.title else ""
        page = quote_list(self.rows.iloc[self.pager.page], empty="Keine Antworten.").data
        link = f"<p>{downloads.excel_link(self.table, self.name, 'Diese Antworten als Excel-Datei')}</p>" if len(self.table) else ""
        more = f"<p>{escape(self.pager.text())}</p>" if len(self.rows) > self.pager.page_size else ""
        return head + more + page + link


class ChartView(View):
    """A chart with links that save it as PNG or SVG."""

    def __init__(self, name: str = "grafik"):
        self.name, self.picture = name, None
        self.body = html()
        self.widget = self.body

    def set(self, picture: "Picture | None", name: str | None = None) -> None:
        self.picture, self.name = picture, name or self.name
        self.body.value = self.html()

    def html(self) -> str:
        if self.picture is None:
            return "<p class='ik-empty'>Für diese Grafik gibt es (noch) zu wenige Treffen.</p>"
        data = base64.b64encode(self.picture.png).decode("ascii")
        image = f"<img src='data:image/png;base64,{data}' alt='{escape(self.picture.alt, quote=True)}' style='max-width:100%'>"
        return f"<figure>{image}</figure><p>{downloads.chart_links(self.picture.png, self.picture.svg, self.name)}</p>"


# --- theme tags --------------------------------------------------------------------------------
def resolve_theme(typed: str, codebook: Codebook) -> str:
    """The theme id for what the facilitator typed or picked: its German name (any case, umlauts
    or not), the start of it, a word of it, or the id. Raises ValueError with a German message."""
    text = " ".join(typed.split())
    key = fold(text)
    if not key:
        raise ValueError("Bitte ein Thema eingeben oder aus der Liste wählen.")
    labels = {t.id: fold(t.label_de) for t in codebook.themes}
    for test in (
        lambda tid, label: label == key or tid == key,
        lambda tid, label: label.startswith(key),
        lambda tid, label: any(word.startswith(key) for word in label.replace(",", " ").split()),
    ):
        hits = [tid for tid, label in labels.items() if test(tid, label)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = ", ".join(quoted(codebook.theme(h).label_de) for h in hits)
            raise ValueError(f"{quoted(text)} passt zu mehreren Themen ({names}); bitte genauer eingeben oder aus der Liste wählen.")
    raise ValueError(f"{quoted(text)} ist kein Thema des Codebooks. Bitte aus der Liste wählen.")


class ThemeTags:
    """An answer's themes as German names: each a button that removes it, and a field that adds one
    (pick from the list, or type a name and press Enter); anything refused gets a message."""

    def __init__(self, codebook: Codebook, on_change: Callable[[list[str]], None]):
        self.codebook, self.on_change, self.themes = codebook, on_change, []
        self.chips = W.HBox(layout=W.Layout(flex_flow="row wrap"))
        # The value reaches the kernel when it is committed (Enter, a pick from the list, leaving the
        # field), never keystroke by keystroke: an Enter handled before the last keystroke arrived
        # would add what was typed so far ("Mobilitä").
        self.entry = W.Combobox(placeholder="Thema hinzufügen …", ensure_option=False, continuous_update=False,
                                layout=W.Layout(width="16em"))
        self.message = W.HTML()
        self.entry.observe(self._committed, names="value")
        self.widget = W.VBox([self.chips, self.entry, self.message], layout=W.Layout(width="40%"))
        self.use_codebook(codebook)

    def use_codebook(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.entry.options = tuple(t.label_de for t in codebook.themes)

    def set(self, themes: list[str]) -> None:
        """Show these themes (ids), without calling back."""
        self.themes = list(dict.fromkeys(themes))
        self.message.value = ""
        self._chips()

    def _chips(self) -> None:
        chips = []
        for theme in self.themes:
            label = self.codebook.theme(theme).label_de if theme in self.codebook.ids else theme
            chip = W.Button(description=f"{label} ✕", tooltip=f"{quoted(label)} entfernen", layout=W.Layout(width="auto"))
            chip.add_class("ik-chip")
            chip.on_click(self._remover(theme))
            chips.append(chip)
        self.chips.children = chips or [W.HTML("<i>kein Thema</i>")]

    def _remover(self, theme: str) -> Callable[[W.Button], None]:
        return lambda _b: self.remove(theme)

    def _committed(self, change: dict) -> None:
        """A name picked from the list, or typed and confirmed with Enter, is added."""
        if str(change["new"]).strip():
            self.add(change["new"])

    def add(self, typed: str) -> bool:
        """Add the theme the facilitator typed or picked; False (and a message) if refused."""
        try:
            theme = resolve_theme(typed, self.codebook)
        except ValueError as exc:
            self.message.value = note(str(exc), "error")
            return False
        label = self.codebook.theme(theme).label_de
        self.entry.value = ""
        if theme in self.themes:
            self.message.value = note(f"{quoted(label)} ist schon zugeordnet.", "error")
            return False
        self.themes.append(theme)
        self.message.value = ""
        self._chips()
        self.on_change(list(self.themes))
        return True

    def remove(self, theme: str) -> None:
        if theme in self.themes:
            self.themes.remove(theme)
            self.message.value = ""
            self._chips()
            self.on_change(list(self.themes))


class Confirm:
    """A question with „Ja“ and „Abbrechen“ before a change that is hard to see afterwards."""

    def __init__(self) -> None:
        self.text = html()
        self.yes = W.Button(button_style="warning", layout=W.Layout(width="auto"))
        self.no = W.Button(description="Abbrechen", layout=W.Layout(width="auto"))
        self.action: Callable[[], None] | None = None
        self.yes.on_click(lambda _b: self.answer(True))
        self.no.on_click(lambda _b: self.answer(False))
        self.widget = W.VBox([self.text, W.HBox([self.yes, self.no])], layout=W.Layout(display="none"))

    def ask(self, question: str, yes: str, action: Callable[[], None]) -> None:
        self.text.value = note(question)
        self.yes.description, self.action = yes, action
        self.widget.layout.display = "flex"

    def answer(self, yes: bool) -> None:
        action, self.action = self.action, None
        self.widget.layout.display = "none"
        if yes and action is not None:
            action()

    @property
    def open(self) -> bool:
        return self.action is not None
