"""The theme codebook: loading, validating, saving and extending the YAML file.

A codebook lists themes with German/English labels, a description, the signals that mark
an answer as being about the theme (lemmas, compound parts, phrases, regular expressions),
counter-signals for words used in another sense, and example answers. The package ships a
default; a workspace's ``surveys/codebook.yaml`` overrides it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import regex
import yaml

from integkit.io import atomic_write
from integkit.errors import InputError

DEFAULT_CODEBOOK = "default_codebook.yaml"
WORKSPACE_CODEBOOK = Path("surveys") / "codebook.yaml"

_TOP_KEYS = {"version", "name", "description", "changelog", "themes", "incidental"}
_THEME_KEYS = {"id", "label_de", "label_en", "description", "signals", "counter_signals", "examples"}
_SIGNAL_KEYS = {"lemmas", "parts", "phrases", "patterns"}
_COUNTER_KEYS = {"words", "phrases", "patterns", "places"}
_INCIDENTAL_KEYS = {"patterns", "list_frames", "other_topics"}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SEMVER_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True)
class Signals:
    """What marks an answer as being about a theme.

    ``lemmas`` match whole words (any inflection), ``parts`` match whole words and parts of
    compounds, ``phrases`` match word sequences, ``patterns`` are regular expressions run on
    the folded text (lowercase, umlauts folded, ß→ss, words separated by single spaces).
    """

    lemmas: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.lemmas or self.parts or self.phrases or self.patterns)


@dataclass(frozen=True)
class CounterSignals:
    """Uses of a signal in another sense: ``words`` are folded substrings of a token
    ("handarbeit" stops Handarbeiten counting for arbeit); ``phrases``/``patterns`` mark text
    spans whose words do not count for the theme ("in der unterkunft"); ``places`` name buildings
    of the theme, which after a locative preposition ("in der Schule") are only the setting when
    their clause is about another theme ("Das Sprachcafé findet in der Schule statt")."""

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class Incidental:
    """Words that count for no theme, whatever theme they would signal (THEMES.md's cases 5 and 6).

    ``patterns`` mark text spans whose words count for no theme (the destination of a trip:
    "Fahrten zum Zahnarzt"); ``list_frames`` are words of a structure or a listing (Netzwerk,
    Runder Tisch, Wegweiser): the items of an enumeration that follows one in its sentence, or that
    one closes as the verb at the end, name members or topics only ("Im Netzwerk sitzen Kita, Schule
    und Jobcenter"), and "…" joins the parts of a separable verb ("sitzen … zusammen");
    ``other_topics`` are
    words of topics the codebook lacks (THEMES.md: mobility, digital access), which signal no theme
    but make a place word in their clause the setting ("WLAN in der Unterkunft").
    """

    patterns: tuple[str, ...] = ()
    list_frames: tuple[str, ...] = ()
    other_topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Theme:
    """One theme of the codebook."""

    id: str
    label_de: str
    label_en: str = ""
    description: str = ""
    signals: Signals = field(default_factory=Signals)
    counter_signals: CounterSignals = field(default_factory=CounterSignals)
    examples: tuple[str, ...] = ()

    def label(self, lang: str = "de") -> str:
        """The theme's label in ``lang`` ("de" or "en"), falling back to German."""
        return (self.label_en if lang == "en" else self.label_de) or self.label_de


@dataclass(frozen=True, eq=False)
class Codebook:
    """A versioned list of themes, as read from one YAML file (hashed by identity, for caching)."""

    version: str
    themes: tuple[Theme, ...]
    name: str = ""
    description: str = ""
    changelog: tuple[dict, ...] = ()
    source: str = ""
    incidental: Incidental = field(default_factory=Incidental)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def theme(self, theme_id: str) -> Theme:
        """The theme with ``theme_id`` (KeyError if absent)."""
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict in the YAML file's layout."""

        def signals(s: Signals | CounterSignals | Incidental) -> dict[str, list[str]]:
            return {k: list(v) for k, v in vars(s).items() if v}

        incidental = {"incidental": signals(self.incidental)} if signals(self.incidental) else {}
        return {
            "version": self.version,
            "name": self.name,
            "description": self.description,
            "changelog": [dict(c) for c in self.changelog],
            **incidental,
            "themes": [
                {
                    "id": t.id,
                    "label_de": t.label_de,
                    "label_en": t.label_en,
                    "description": t.description,
                    "signals": signals(t.signals),
                    "counter_signals": signals(t.counter_signals),
                    "examples": list(t.examples),
                }
                for t in self.themes
            ],
        }


# --- loading and validation ------------------------------------------------------------------


def default_codebook_path() -> Path:
    """Path of the codebook that ships with integkit."""
    return Path(str(resources.files("integkit.themes").joinpath(DEFAULT_CODEBOOK)))


def resolve_codebook_path(path: Path | None = None, workspace: Path | None = None) -> Path:
    """The codebook file to use: ``path`` if given, else the workspace's, else the default."""
    if path is not None:
        return Path(path)
    if workspace is not None:
        candidate = Path(workspace) / WORKSPACE_CODEBOOK
        if candidate.is_file():
            return candidate
    return default_codebook_path()


def load_codebook(path: Path | None = None, workspace: Path | None = None) -> Codebook:
    """Load and validate a codebook (explicit path > workspace ``surveys/codebook.yaml`` > default).

    Raises InputError naming the file and the theme/key for any problem.

    The result is cached by (resolved path, modification time, size): loading an unchanged
    file again returns the same (frozen) Codebook object, so that matchers compiled for it
    (cached by object identity) are reused; an edited file is read again.
    """
    file = resolve_codebook_path(path, workspace)
    if not file.is_file():
        raise InputError(f"{file}: codebook file not found")
    try:
        st = file.stat()
        key = (str(file.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:  # pragma: no cover - vanished between the checks: load (and fail) below
        key = None
    cached = _LOADED.get(key) if key is not None else None
    if cached is not None:
        return cached
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{file}: not UTF-8 text ({exc.reason})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{file}: not valid YAML: {exc}") from None
    book = parse_codebook(data, source=str(file))
    if key is not None:
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = book
    return book


# Loaded codebooks by (resolved path, mtime_ns, size); a few entries (default, workspace, tests).
_LOADED: dict[tuple[str, int, int], Codebook] = {}
_LOADED_MAX = 16


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: expected a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _check_keys(obj: Any, allowed: set[str], where: str) -> dict:
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a mapping")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
    return obj


def _check_patterns(patterns: tuple[str, ...], where: str) -> None:
    for p in patterns:
        try:
            regex.compile(p)
        except regex.error as exc:
            raise InputError(f"{where}: bad regular expression {p!r}: {exc}") from None


def parse_codebook(data: Any, source: str = "<codebook>") -> Codebook:
    """Validate the parsed YAML ``data`` and build a Codebook; errors name ``source``."""
    top = _check_keys(data, _TOP_KEYS, source)
    if not top:
        raise InputError(f"{source}: empty codebook")
    version = str(top.get("version", "")).strip()
    if not _SEMVER_RE.match(version):
        raise InputError(f"{source}: 'version' must look like 1.2.0, got {version!r}")
    raw_themes = top.get("themes")
    if not isinstance(raw_themes, list) or not raw_themes:
        raise InputError(f"{source}: 'themes' must be a non-empty list")
    changelog = top.get("changelog") or []
    if not isinstance(changelog, list) or not all(isinstance(c, dict) for c in changelog):
        raise InputError(f"{source}: 'changelog' must be a list of mappings")
    themes: list[Theme] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_themes, 1):
        where = f"{source}: theme #{i}"
        raw = _check_keys(raw, _THEME_KEYS, where)
        tid = raw.get("id")
        if not isinstance(tid, str) or not _ID_RE.match(tid):
            raise InputError(f"{where}: 'id' must be a lowercase identifier, got {tid!r}")
        where = f"{source}: theme {tid!r}"
        if tid in seen:
            raise InputError(f"{where}: duplicate id")
        seen.add(tid)
        label_de = raw.get("label_de")
        if not isinstance(label_de, str) or not label_de.strip():
            raise InputError(f"{where}: 'label_de' is required")
        sig = _check_keys(raw.get("signals"), _SIGNAL_KEYS, f"{where}: signals")
        signals = Signals(**{k: _str_list(sig.get(k), f"{where}: signals.{k}") for k in _SIGNAL_KEYS})
        if signals.is_empty():
            raise InputError(f"{where}: empty theme (no signals)")
        _check_patterns(signals.patterns, f"{where}: signals.patterns")
        cs = _check_keys(raw.get("counter_signals"), _COUNTER_KEYS, f"{where}: counter_signals")
        counters = CounterSignals(**{k: _str_list(cs.get(k), f"{where}: counter_signals.{k}") for k in _COUNTER_KEYS})
        _check_patterns(counters.patterns, f"{where}: counter_signals.patterns")
        themes.append(
            Theme(
                id=tid,
                label_de=label_de.strip(),
                label_en=str(raw.get("label_en") or "").strip(),
                description=str(raw.get("description") or "").strip(),
                signals=signals,
                counter_signals=counters,
                examples=_str_list(raw.get("examples"), f"{where}: examples"),
            )
        )
    inc = _check_keys(top.get("incidental"), _INCIDENTAL_KEYS, f"{source}: incidental")
    incidental = Incidental(**{k: _str_list(inc.get(k), f"{source}: incidental.{k}") for k in _INCIDENTAL_KEYS})
    _check_patterns(incidental.patterns, f"{source}: incidental.patterns")
    return Codebook(
        version=version,
        themes=tuple(themes),
        name=str(top.get("name") or ""),
        description=str(top.get("description") or ""),
        changelog=tuple(changelog),
        source=source,
        incidental=incidental,
    )


# --- saving and extending ---------------------------------------------------------------------


def bump_minor(version: str) -> str:
    """Semver minor bump: 1.4.2 → 1.5.0."""
    m = _SEMVER_RE.match(version)
    if not m:
        raise InputError(f"cannot bump version {version!r}: not semver")
    return f"{m.group(1)}.{int(m.group(2)) + 1}.0"


def add_theme(codebook: Codebook, theme: Theme, change: str, today: dt.date | None = None) -> Codebook:
    """A new codebook with ``theme`` appended, the minor version bumped and a change-log entry."""
    if theme.id in codebook.ids:
        raise InputError(f"{codebook.source}: theme {theme.id!r} already exists")
    if not _ID_RE.match(theme.id):
        raise InputError(f"theme id must be a lowercase identifier, got {theme.id!r}")
    version = bump_minor(codebook.version)
    entry = {"version": version, "date": (today or dt.date.today()).isoformat(), "change": change}
    return replace(codebook, version=version, themes=codebook.themes + (theme,), changelog=codebook.changelog + (entry,))


def save_codebook(codebook: Codebook, path: Path) -> Path:
    """Write ``codebook`` as YAML atomically, after checking it would load again."""
    path = Path(path)
    data = codebook.to_dict()
    parse_codebook(data, source=str(path))  # never write a file we could not read back
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    atomic_write(path, text.encode("utf-8"))
    return path


def _changed(codebook: Codebook, themes: tuple[Theme, ...], change: str, today: dt.date | None) -> Codebook:
    """``codebook`` with new ``themes``, the minor version bumped and ``change`` in the change log."""
    version = bump_minor(codebook.version)
    entry = {"version": version, "date": (today or dt.date.today()).isoformat(), "change": change}
    return replace(codebook, version=version, themes=themes, changelog=codebook.changelog + (entry,))


def rename_theme(
    codebook: Codebook,
    theme_id: str,
    new_id: str | None = None,
    label_de: str | None = None,
    label_en: str | None = None,
    today: dt.date | None = None,
) -> Codebook:
    """A new codebook with a theme's id and/or labels changed, the version bumped and the change logged.

    Codings that name the old id must be renamed too (coding.rename_themes_in_corrections).
    """
    old = codebook.theme(theme_id) if theme_id in codebook.ids else None
    if old is None:
        raise InputError(f"{codebook.source}: no theme {theme_id!r}; the codebook has {', '.join(codebook.ids)}")
    new_id = (new_id or theme_id).strip()
    if not _ID_RE.match(new_id):
        raise InputError(f"theme id must be a lowercase identifier, got {new_id!r}")
    if new_id != theme_id and new_id in codebook.ids:
        raise InputError(f"{codebook.source}: theme {new_id!r} already exists")
    new = replace(
        old,
        id=new_id,
        label_de=(label_de or "").strip() or old.label_de,
        label_en=old.label_en if label_en is None else label_en.strip(),
    )
    if new == old:
        raise InputError(f"theme {theme_id!r}: nothing to rename (same id and labels)")
    what = [f"id {theme_id!r} → {new_id!r}"] if new_id != theme_id else []
    what += [f"label {old.label_de!r} → {new.label_de!r}"] if new.label_de != old.label_de else []
    what += [f"English label {old.label_en!r} → {new.label_en!r}"] if new.label_en != old.label_en else []
    themes = tuple(new if t.id == theme_id else t for t in codebook.themes)
    return _changed(codebook, themes, f"Renamed theme {theme_id!r}: {', '.join(what)}.", today)


def merge_themes(
    codebook: Codebook, sources: list[str] | tuple[str, ...], into: str, today: dt.date | None = None
) -> Codebook:
    """A new codebook where the ``sources`` themes are folded into theme ``into`` (signals,
    counter-signals and examples joined), the sources removed, the version bumped and the change logged."""
    sources = [s for s in dict.fromkeys(sources) if s != into]
    missing = [s for s in (*sources, into) if s not in codebook.ids]
    if missing:
        raise InputError(f"{codebook.source}: no theme {missing[0]!r}; the codebook has {', '.join(codebook.ids)}")
    if not sources:
        raise InputError(f"merging into {into!r} needs at least one other theme")
    parts = [codebook.theme(into), *(codebook.theme(s) for s in sources)]

    def joined(kind: str, cls: type) -> Any:
        return cls(**{k: tuple(dict.fromkeys(v for t in parts for v in getattr(getattr(t, kind), k))) for k in vars(cls())})

    target = replace(
        parts[0],
        signals=joined("signals", Signals),
        counter_signals=joined("counter_signals", CounterSignals),
        examples=tuple(dict.fromkeys(e for t in parts for e in t.examples)),
    )
    themes = tuple(target if t.id == into else t for t in codebook.themes if t.id not in sources)
    return _changed(codebook, themes, f"Merged theme(s) {', '.join(map(repr, sources))} into {into!r}.", today)
