"""Codebook loading, validation errors, workspace override, version bump."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from integkit.errors import InputError
from integkit.themes.codebook import Theme, Signals, add_theme, bump_minor, load_codebook, save_codebook

DEFAULT_IDS = ("wohnen", "sprache", "ehrenamt", "arbeit", "bildung", "beratung", "begegnung", "strukturen", "verwaltung", "gesundheit", "finanzierung")


def test_default_codebook_has_exactly_the_agreed_themes() -> None:
    book = load_codebook()
    assert book.ids == DEFAULT_IDS
    assert book.version.count(".") == 2
    for theme in book.themes:
        assert theme.label_de and theme.label_en and theme.description and theme.examples


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _minimal(**theme_overrides) -> dict:
    theme = {"id": "wohnen", "label_de": "Wohnen", "signals": {"parts": ["wohnung"]}}
    theme.update(theme_overrides)
    return {"version": "1.0.0", "themes": [theme]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_minimal(colour="red"), "unknown key 'colour'"),
        (_minimal(signals={}), "empty theme"),
        (_minimal(signals={"parts": ["x"], "stems": ["y"]}), "unknown key 'stems'"),
        (_minimal(signals={"patterns": ["(unclosed"]}), "bad regular expression"),
        (_minimal(counter_signals={"patterns": ["[z-a]"]}), "bad regular expression"),
        ({"version": "1.0.0", "themes": [_minimal()["themes"][0], _minimal()["themes"][0]]}, "duplicate id"),
        ({"version": "one", "themes": _minimal()["themes"]}, "'version'"),
        ({"version": "1.0.0", "themes": []}, "non-empty list"),
        (_minimal(id="Wohnen!"), "lowercase identifier"),
    ],
)
def test_validation_errors_name_file_and_theme(tmp_path: Path, data: dict, message: str) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as err:
        load_codebook(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_error_names_theme(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="theme 'wohnen'"):
        load_codebook(_write(tmp_path, _minimal(signals={})))


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes: [unclosed", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_codebook(bad)
    with pytest.raises(InputError, match="not found"):
        load_codebook(tmp_path / "missing.yaml")


def test_workspace_codebook_wins_over_default(tmp_path: Path) -> None:
    assert load_codebook(workspace=tmp_path).ids == DEFAULT_IDS  # no workspace file: default
    (tmp_path / "surveys").mkdir()
    _write(tmp_path / "surveys", _minimal())
    assert load_codebook(workspace=tmp_path).ids == ("wohnen",)


def test_add_theme_bumps_minor_and_logs(tmp_path: Path) -> None:
    book = load_codebook()
    new = add_theme(book, Theme(id="mobilitaet", label_de="Mobilität", signals=Signals(parts=("bus",))), "added")
    assert new.version == bump_minor(book.version) and new.ids[-1] == "mobilitaet"
    assert new.changelog[-1]["version"] == new.version
    path = save_codebook(new, tmp_path / "cb.yaml")
    again = load_codebook(path)
    assert again.ids == new.ids and again.version == new.version
    with pytest.raises(InputError, match="already exists"):
        add_theme(new, Theme(id="mobilitaet", label_de="x", signals=Signals(parts=("y",))), "again")


def test_bump_minor() -> None:
    assert bump_minor("1.4.2") == "1.5.0"


def test_load_codebook_is_cached_until_the_file_changes(tmp_path: Path) -> None:
    from integkit.themes.assign import matcher

    assert load_codebook() is load_codebook()  # same object: one compiled matcher
    assert matcher(None) is matcher(None) is matcher(load_codebook())
    path = _write(tmp_path, _minimal())
    first = load_codebook(path)
    assert load_codebook(path) is first
    assert load_codebook(workspace=None, path=tmp_path / "." / path.name) is first  # same resolved file
    text = path.read_text(encoding="utf-8").replace("wohnen", "wohnraum", 1)
    path.write_text(text + "\n", encoding="utf-8")  # different size: read again
    second = load_codebook(path)
    assert second is not first and second.ids == ("wohnraum",)


def test_context_entries_survive_saving_and_bad_ones_name_the_key(tmp_path: Path) -> None:
    book = load_codebook()
    assert book.incidental.patterns and book.incidental.list_frames and book.incidental.other_topics
    assert book.theme("bildung").counter_signals.places
    again = load_codebook(save_codebook(book, tmp_path / "codebook.yaml"))
    assert again.incidental == book.incidental
    assert [t.counter_signals for t in again.themes] == [t.counter_signals for t in book.themes]
    data = _minimal()
    data["incidental"] = {"patterns": ["(unclosed"]}
    with pytest.raises(InputError, match="incidental.patterns: bad regular expression"):
        load_codebook(_write(tmp_path, data))
    data["incidental"] = {"frames": ["netzwerk"]}
    with pytest.raises(InputError, match="incidental: unknown key 'frames'"):
        load_codebook(_write(tmp_path, data))
