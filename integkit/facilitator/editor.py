"""The review notebook's codebook editor: accept a discovered theme, rename, merge, take the last change back.

Themes are picked by their German names (ids stay in the files; a new theme's id is made from its
name). Every change first shows what it will do (how many answers carry, move to or gain a theme)
and waits for „Ja“; afterwards the fields are emptied, so a second click cannot repeat it on
another theme. Each change is kept as a codebook version (facilitator.versions) and can be taken
back with „Letzte Änderung zurücknehmen“.
"""

from __future__ import annotations

import ipywidgets as W
import pandas as pd

from integkit.errors import IntegkitError
from integkit.facilitator import curation, explore
from integkit.facilitator.controls import Confirm, TableView, View, html, note, style
from integkit.facilitator.present import label_of
from integkit.facilitator.session import CODEBOOK, PRIVACY, Session


def readable_clusters(clusters: pd.DataFrame, codebook, show_personal_data: bool = False) -> pd.DataFrame:
    """The discovery summary as the facilitator reads it: size, frequent words, overlap by name, example answers."""
    from integkit.themes.discover import NEW

    quotes = {f"Beispiel {i}": explore.visible_texts(clusters[f"quote_{i}"].tolist(), show_personal_data)
              for i in (1, 2, 3) if f"quote_{i}" in clusters.columns}
    return pd.DataFrame({
        "Cluster": clusters["cluster"], "Antworten": clusters["size"], "häufige Begriffe": clusters["top_terms"],
        "passt zu": ["neues Thema?" if o == NEW else label_of(codebook, o) for o in clusters["overlap"]],
        **quotes,
    })


class CodebookEditor(View):
    """Accept, rename, merge, undo: each with a preview and a confirmation, each a new codebook version."""

    def __init__(self, session: Session, n_clusters: int | None = None):
        self.session, self.n_clusters = session, n_clusters
        self.clusters = pd.DataFrame()
        self.cluster_table = TableView(name="themenfindung", empty="Keine Cluster gefunden.")
        wide = {"description_width": "9em"}
        self.cluster = W.Dropdown(description="Cluster", layout=W.Layout(width="30em"), style=wide)
        self.new_label = W.Text(description="Name", placeholder="z. B. Mobilität", layout=W.Layout(width="30em"), style=wide)
        self.signals = W.Text(description="Signalwörter", placeholder="durch Komma getrennt", layout=W.Layout(width="60em"), style=wide)
        self.accept_button = W.Button(description="Als Thema übernehmen …", layout=W.Layout(width="auto"))
        self.theme = W.Dropdown(description="Thema", layout=W.Layout(width="30em"), style=wide)
        self.rename_label = W.Text(description="neuer Name", layout=W.Layout(width="30em"), style=wide)
        self.rename_button = W.Button(description="Umbenennen …", layout=W.Layout(width="auto"))
        self.merge_checks: dict[str, W.Checkbox] = {}
        self.merge_box = W.GridBox(layout=W.Layout(grid_template_columns="repeat(3, 20em)"))
        self.into = W.Dropdown(description="aufgehen in", layout=W.Layout(width="30em"), style=wide)
        self.merge_button = W.Button(description="Zusammenführen …", layout=W.Layout(width="auto"))
        self.undo_button = W.Button(description="Letzte Änderung am Codebook zurücknehmen …", icon="undo", layout=W.Layout(width="auto"))
        self.confirm = Confirm()
        self.status = html()
        self.history = TableView(name="codebook-aenderungen", empty="Noch keine Änderung am Codebook.", page_size=10, noun="change")
        self.accept_button.on_click(lambda _b: self.ask_accept())
        self.rename_button.on_click(lambda _b: self.ask_rename())
        self.merge_button.on_click(lambda _b: self.ask_merge())
        self.undo_button.on_click(lambda _b: self.ask_undo())
        self.cluster.observe(lambda _c: self._propose(), names="value")
        for field in (self.cluster, self.new_label, self.signals, self.theme, self.rename_label, self.into):
            field.observe(lambda _c: self.confirm.answer(False) if self.confirm.open else None, names="value")
        session.subscribe(self._changed)
        self.load()
        self.widget = W.VBox([
            style(), W.HTML("<h4>Neue Themen aus den Antworten</h4><p>Cluster von Antworten, die das Codebook nicht gut "
                            "erklärt. Name und Signalwörter prüfen, dann übernehmen.</p>"),
            self.cluster_table.widget, self.cluster, self.new_label, self.signals, self.accept_button,
            W.HTML("<h4>Thema umbenennen</h4>"), self.theme, self.rename_label, self.rename_button,
            W.HTML("<h4>Themen zusammenführen</h4><p>Themen anhaken, die in einem anderen aufgehen sollen:</p>"),
            self.merge_box, self.into, self.merge_button,
            W.HTML("<h4>Rückgängig</h4>"), self.undo_button, self.confirm.widget, self.status,
            W.HTML("<h4>Änderungen am Codebook</h4>"), self.history.widget,
        ])

    # --- filling the fields -----------------------------------------------------------------
    def _changed(self, reason: str) -> None:
        if reason == PRIVACY:
            self._show_clusters()
        else:
            self.load()

    def load(self) -> None:
        """Cluster the meeting's answers and fill the theme lists with the codebook's names."""
        analysis = self.session.analysis
        if analysis is None:
            return
        self.clusters = curation.discovery(analysis, self.n_clusters)
        self._show_clusters()
        self.cluster.options = [(f"Cluster {r.cluster}: {r.top_terms} ({r.size} Antworten)", int(r.cluster))
                                for r in self.clusters.itertuples()]
        self._propose()
        options = [(t.label_de, t.id) for t in analysis.codebook.themes]
        chosen = self.theme.value
        self.theme.options = options
        self.theme.value = chosen if chosen in analysis.codebook.ids else None
        into = self.into.value
        self.into.options = options
        self.into.value = into if into in analysis.codebook.ids else None
        self.merge_checks = {t.id: W.Checkbox(value=False, description=t.label_de, indent=False) for t in analysis.codebook.themes}
        self.merge_box.children = list(self.merge_checks.values())
        last = curation.last_change(self.session.workspace)
        self.undo_button.disabled = not last
        self.undo_button.tooltip = last
        self.history.set(curation.history(self.session.workspace))

    def _show_clusters(self) -> None:
        analysis = self.session.analysis
        self.cluster_table.set(readable_clusters(self.clusters, analysis.codebook, self.session.show_personal_data))

    def _propose(self) -> None:
        if self.cluster.value is None:
            return
        self.new_label.value = curation.proposed_label(self.clusters, self.cluster.value)
        self.signals.value = ", ".join(curation.proposed_signals(self.clusters, self.cluster.value))

    def _needs_coder(self) -> bool:
        if self.session.coder_name:
            return False
        self.status.value = note("Bitte oben unter „Ihr Kürzel“ Ihre Initialen eintragen: jede Änderung wird mit ihnen gespeichert.", "error")
        return True

    def _done(self) -> None:
        self.session.changed(CODEBOOK)
        version = curation.workspace_codebook(self.session.workspace).version
        self.status.value = note(f"Gespeichert: {curation.last_change(self.session.workspace)}. Codebook-Version {version}.", "ok")

    def _refused(self, exc: IntegkitError) -> None:
        self.status.value = note(str(exc), "error")

    # --- accept -------------------------------------------------------------------------------
    def ask_accept(self) -> None:
        if self._needs_coder() or self.cluster.value is None:
            return
        label, words = self.new_label.value.strip(), [w.strip() for w in self.signals.value.split(",") if w.strip()]
        try:
            curation.check_label(self.session.analysis.codebook, label)
        except IntegkitError as exc:
            return self._refused(exc)
        preview = curation.claim_preview(self.session.analysis, label, words)
        cluster = self.cluster.value
        self.confirm.ask(f"{preview.text} Übernehmen?", "Ja, übernehmen", lambda: self.accept(cluster, label, words))

    def accept(self, cluster: int, label: str, signals: list[str]) -> bool:
        try:
            curation.accept(self.session.workspace, self.session.meeting_id, self.clusters, cluster, label_de=label,
                            signals=signals, coder=self.session.coder_name)
        except IntegkitError as exc:
            self._refused(exc)
            return False
        self.new_label.value = self.signals.value = ""
        self._done()
        return True

    # --- rename ------------------------------------------------------------------------------
    def ask_rename(self) -> None:
        if self._needs_coder():
            return
        theme, label = self.theme.value or "", self.rename_label.value
        try:
            preview = curation.preview_rename(self.session.analysis, theme, label)
        except IntegkitError as exc:
            return self._refused(exc)
        self.confirm.ask(f"{preview.text} Umbenennen?", "Ja, umbenennen", lambda: self.rename(theme, label))

    def rename(self, theme_id: str, label: str) -> bool:
        try:
            curation.rename(self.session.workspace, theme_id, label_de=label, coder=self.session.coder_name)
        except IntegkitError as exc:
            self._refused(exc)
            return False
        self.rename_label.value = ""
        self._done()
        return True

    # --- merge -------------------------------------------------------------------------------
    def ask_merge(self) -> None:
        if self._needs_coder():
            return
        sources = [t for t, box in self.merge_checks.items() if box.value]
        into = self.into.value or ""
        try:
            preview = curation.preview_merge(self.session.workspace, self.session.analysis, sources, into)
        except IntegkitError as exc:
            return self._refused(exc)
        self.confirm.ask(f"{preview.text} Zusammenführen?", "Ja, zusammenführen", lambda: self.merge(sources, into))

    def merge(self, sources: list[str], into: str) -> bool:
        try:
            curation.merge(self.session.workspace, sources, into, coder=self.session.coder_name)
        except IntegkitError as exc:
            self._refused(exc)
            return False
        self._done()
        return True

    # --- undo --------------------------------------------------------------------------------
    def ask_undo(self) -> None:
        if self._needs_coder():
            return
        last = curation.last_change(self.session.workspace)
        if not last:
            self.status.value = note("Es gibt keine Änderung am Codebook, die sich zurücknehmen ließe.")
            return
        self.confirm.ask(f"Zurücknehmen: {last}?", "Ja, zurücknehmen", self.undo)

    def undo(self) -> bool:
        try:
            message = curation.undo_last_change(self.session.workspace, self.session.coder_name)
        except IntegkitError as exc:
            self._refused(exc)
            return False
        self.session.changed(CODEBOOK)
        self.status.value = note(message, "ok")
        return True

    def html(self) -> str:
        return ("<h4>Neue Themen aus den Antworten</h4>" + self.cluster_table.html() + "<h4>Änderungen am Codebook</h4>"
                + self.history.html())
