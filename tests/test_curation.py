"""Codebook changes from the review notebook: previews that say what moves, kept versions, undo, German messages."""

from __future__ import annotations

import pandas as pd
import pytest

from integkit.analysis.meeting import load_analysis
from integkit.errors import InputError
from integkit.facilitator import curation, versions
from integkit.themes import corrections as C
from integkit.themes.assign import split_themes
from integkit.themes.codebook import WORKSPACE_CODEBOOK, default_codebook_path, load_codebook, rename_theme, save_codebook
from integkit.themes.coding import load_corrections, save_corrections
from integkit.workspace import Workspace
from conftest import default_version

MEETING = "demo-2026-11"


@pytest.fixture
def ws(demo_ws: Workspace) -> Workspace:
    return demo_ws


def _carrying(ws: Workspace, theme: str) -> pd.DataFrame:
    coded = load_analysis(ws, MEETING, with_history=False).coded
    return coded[coded["themes"].map(lambda v: theme in split_themes(v))]


def test_rename_keeps_the_old_file_and_undo_brings_the_name_back(ws: Workspace) -> None:
    analysis = load_analysis(ws, MEETING, with_history=False)
    preview = curation.preview_rename(analysis, "wohnen", "Wohnraum")
    assert f"{len(_carrying(ws, 'wohnen'))} Antworten" in preview.text and "„Wohnen“ heißt danach „Wohnraum“" in preview.text
    assert preview.answers == 0
    book = curation.rename(ws, "wohnen", label_de="Wohnraum", coder="AB")
    assert book.theme("wohnen").label_de == "Wohnraum" and book.version == default_version(1)
    kept = ws.root / versions.VERSIONS_DIR / "0001.yaml"
    assert kept.read_bytes() == default_codebook_path().read_bytes()
    assert len(_carrying(ws, "wohnen")) > 0  # the id stays, so do the answers

    assert curation.last_change(ws) == "Thema „Wohnen“ umbenannt in „Wohnraum“"
    message = curation.undo_last_change(ws, coder="AB")
    assert message.startswith("Zurückgenommen: Thema „Wohnen“ umbenannt") and f"Version {default_version(2)}" in message
    restored = curation.workspace_codebook(ws)
    assert restored.theme("wohnen").label_de == "Wohnen" and restored.version == default_version(2)
    assert [t.id for t in restored.themes] == list(load_codebook().ids)
    table = curation.history(ws)
    assert list(table.columns) == ["Nr.", "Wann", "Wer", "Änderung", "Version", "Stand"]
    assert table["Stand"].tolist() == ["", "zurückgenommen"] and table["Wer"].tolist() == ["AB", "AB"]
    assert curation.undo_last_change(ws).startswith("Es gibt keine Änderung")


def test_merge_preview_counts_what_moves_and_undo_restores_corrections(ws: Workspace) -> None:
    save_corrections(ws, MEETING, pd.DataFrame({"response_id": [1], "question_id": ["q_gut"], "themes": ["finanzierung;wohnen"]}), coder="AB")
    moving = _carrying(ws, "finanzierung")
    analysis = load_analysis(ws, MEETING, with_history=False)
    preview = curation.preview_merge(ws, analysis, ["finanzierung"], "strukturen")
    assert preview.answers == len(moving) > 0 and preview.corrections == 1
    assert f"{len(moving)} Antworten" in preview.text and "„Finanzierung und Förderung“ geht in „Strukturen und Vernetzung“ auf" in preview.text

    curation.merge(ws, ["finanzierung"], "strukturen", coder="AB")
    assert "finanzierung" not in curation.workspace_codebook(ws).ids
    assert load_corrections(ws, MEETING)["themes"].tolist() == ["strukturen;wohnen"]
    after = int(preview.text.split("danach tragen ")[1].split(" Antworten")[0])
    assert len(_carrying(ws, "strukturen")) == after

    curation.undo_last_change(ws, coder="AB")
    assert "finanzierung" in curation.workspace_codebook(ws).ids
    assert load_corrections(ws, MEETING)["themes"].tolist() == ["finanzierung;wohnen"]
    assert len(_carrying(ws, "finanzierung")) == len(moving)


def test_undo_refuses_when_the_codebook_changed_otherwise_or_answers_were_corrected(ws: Workspace) -> None:
    save_corrections(ws, MEETING, pd.DataFrame({"response_id": [1], "question_id": ["q_gut"], "themes": ["finanzierung"]}))
    curation.merge(ws, ["finanzierung"], "strukturen")
    save_corrections(ws, MEETING, pd.DataFrame({"response_id": [1], "question_id": ["q_gut"], "themes": ["strukturen;sprache"]}))
    with pytest.raises(InputError, match="1 der dabei umgeschriebenen Antworten wurden danach korrigiert"):
        curation.undo_last_change(ws)
    C.undo_last_correction(ws, MEETING)
    path = ws.root / WORKSPACE_CODEBOOK
    save_codebook(rename_theme(load_codebook(path), "sprache", label_de="Sprachen"), path)  # an edit outside the notebook
    before = path.read_bytes()
    with pytest.raises(InputError, match="auf anderem Weg geändert"):
        curation.undo_last_change(ws)
    assert path.read_bytes() == before and len(versions.read_changes(ws)) == 1


def test_accept_with_edited_signal_words_claims_what_the_preview_said(ws: Workspace) -> None:
    analysis = load_analysis(ws, MEETING, with_history=False)
    clusters = curation.discovery(analysis)
    cluster = int(clusters["cluster"].iloc[0])
    assert curation.proposed_signals(clusters, cluster)
    words = ["Bus", "ÖPNV", "Verbindung"]
    preview = curation.claim_preview(analysis, "Mobilität", words)
    assert preview.answers > 0 and "Das neue Thema „Mobilität“ würde" in preview.text
    book = curation.accept(ws, MEETING, clusters, cluster, label_de="Mobilität", signals=words, coder="AB")
    assert "mobilitaet" in book.ids and list(book.theme("mobilitaet").signals.parts) == [w.lower() for w in words]
    assert len(_carrying(ws, "mobilitaet")) == preview.answers
    assert (ws.meeting_dir(MEETING) / curation.DISCOVERY_FILE).is_file()
    assert versions.read_changes(ws)["action"].tolist() == [versions.ACCEPT]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda ws: curation.rename(ws, "wohnen", label_de="Sprache"), "Den Namen „Sprache“ trägt schon ein Thema."),
        (lambda ws: curation.rename(ws, "wohnen", label_de=" Wohnen "), "Das Thema heißt schon „Wohnen“."),
        (lambda ws: curation.rename(ws, "wohnen", label_de="  "), "Bitte einen Namen für das Thema eingeben."),
        (lambda ws: curation.rename(ws, "", label_de="X"), "Bitte ein Thema aus der Liste wählen."),
        (lambda ws: curation.merge(ws, [], "strukturen"), "Bitte mindestens ein Thema wählen, das in „Strukturen und Vernetzung“ aufgehen soll."),
        (lambda ws: curation.merge(ws, ["strukturen"], "strukturen"), "Bitte mindestens ein Thema wählen"),
    ],
)
def test_refusals_are_german_and_change_nothing(ws: Workspace, call, message: str) -> None:
    with pytest.raises(InputError) as caught:
        call(ws)
    assert str(caught.value).startswith(message) and "None" not in str(caught.value) and "/" not in str(caught.value)
    assert not (ws.root / WORKSPACE_CODEBOOK).exists() and versions.read_changes(ws).empty


def test_new_theme_ids_come_from_the_name() -> None:
    book = load_codebook()
    assert curation.new_theme_id(book, "Mobilität & ÖPNV") == "mobilitaet_oepnv"
    assert curation.new_theme_id(book, "Wohnen") == "wohnen_2"
    assert curation.new_theme_id(book, "2. Chance") == "thema_2_chance"
