"""One name per municipality: names typed as "other" matched to the municipalities integkit knows.

Known are the municipalities of the survey's own list, the district's 24 (the standard
questionnaire's list of Landkreis Freising) and the names the office confirmed in the
workspace's `surveys/municipalities.yaml`::

    # Municipality names the office confirmed: a variant as typed, and the municipality it means
    aliases:
      Freisng: Freising
      VG Zolling: Zolling

A typed name becomes a known municipality when it is

1. a confirmed alias (compared case- and umlaut-blind);
2. the same name written differently: case, umlauts (ä/ae), dots, dashes and spaces, the
   abbreviations a.d./i.d./b./St., a prefix such as Stadt, Gemeinde, Markt or VG;
3. the name without its location part, if only one known name has it ("Moosburg" for
   "Moosburg a.d. Isar"), or with the location part shortened ("Au i.d.H.").

A name one typo away from a known one ("Freisng") is not merged: it stays as typed and is an
*unconfirmed variant* with that suggestion until the office confirms it as an alias. Import and
pull list every name not matched; `unconfirmed_municipalities` tells report planning which of a
meeting's municipality names are such names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from integkit.errors import WorkspaceError

if TYPE_CHECKING:
    from integkit.workspace import Workspace

DISTRICT_QUESTION = "GEMEINDE"  # the standard questionnaire's municipality question (all 24 of the district)
PREFIXES = (
    ("grosse", "kreisstadt"), ("kreisstadt",), ("stadt",), ("gemeinde",), ("gde",), ("markt",),
    ("vg",), ("verwaltungsgemeinschaft",),
)
ABBREVIATIONS = {("a", "d"): ("an", "der"), ("i", "d"): ("in", "der"), ("b",): ("bei",), ("st",): ("sankt",)}
CONNECTORS = {"an", "der", "in", "bei", "am", "im", "ob", "unter", "vor"}  # where a location part begins
MIN_TYPO_LENGTH = 5  # shorter names are too alike for a one-letter difference to mean a typo


def fold_name(name: str) -> str:
    """The matching key of a municipality name: folded, abbreviations written out, prefixes dropped."""
    from integkit.text.normalize import fold_text

    words = re.findall(r"[a-z0-9]+", fold_text(name))
    for prefix in PREFIXES:
        if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
            words = words[len(prefix):]
            break
    out: list[str] = []
    i = 0
    while i < len(words):
        for short, long in ABBREVIATIONS.items():
            if tuple(words[i : i + len(short)]) == short and len(words) > len(short):
                out.extend(long)
                i += len(short)
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def _split(key: str) -> tuple[str, tuple[str, ...]]:
    """A key's core (the name itself) and its location words ("moosburg", ("isar",))."""
    words = key.split()
    for i, word in enumerate(words[1:], start=1):
        if word in CONNECTORS:
            return " ".join(words[:i]), tuple(w for w in words[i:] if w not in CONNECTORS)
    return key, ()


@dataclass(frozen=True)
class NameCheck:
    """A municipality name as typed that is not a known one: how many gave it, and the known name it may mean."""

    name: str
    count: int
    suggestion: str | None = None

    @property
    def message(self) -> str:
        people = f"{self.count} response{'s' if self.count != 1 else ''}"
        maybe = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        return (
            f"municipality {self.name!r} ({people}) is not in the survey's or the district's list{maybe}; "
            "say what it means in surveys/municipalities.yaml under aliases:"
        )


class MunicipalityNames:
    """The municipalities known to a meeting, and how typed names map to them."""

    def __init__(self, known: Iterable[str], aliases: dict[str, str] | None = None) -> None:
        self.known = tuple(dict.fromkeys(known))
        self.aliases = {fold_name(variant): meant for variant, meant in (aliases or {}).items()}
        self._keys: dict[str, str] = {}  # matching key -> known name
        for name in self.known:
            self._keys.setdefault(fold_name(name), name)
        self._cores: dict[str, list[str]] = {}  # core -> matching keys with it
        for key in self._keys:
            self._cores.setdefault(_split(key)[0], []).append(key)
        self._cache: dict[str, str | None] = {}

    def match(self, name: str) -> str | None:
        """The known municipality a typed name stands for (rules 1–3 of the module docstring), else None."""
        if name not in self._cache:
            self._cache[name] = self._match(name)
        return self._cache[name]

    def _match(self, name: str) -> str | None:
        key = fold_name(name)
        if not key:
            return None
        if key in self.aliases:
            return self.aliases[key]
        if key in self._keys:
            return self._keys[key]
        core, place = _split(key)
        candidates = [k for k in self._cores.get(core, []) if _place_fits(place, _split(k)[1])]
        return self._keys[candidates[0]] if len(candidates) == 1 else None

    def suggest(self, name: str) -> str | None:
        """The one known municipality a typed name is a single typo away from (None if none or several)."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        key = fold_name(name)
        if len(key) < MIN_TYPO_LENGTH:
            return None
        choices = {k: v for k, v in self._keys.items() if len(k) >= MIN_TYPO_LENGTH}
        choices.update({core: self._keys[ks[0]] for core, ks in self._cores.items() if len(ks) == 1 and len(core) >= MIN_TYPO_LENGTH})
        near = {choices[k] for k, _, _ in process.extract(key, list(choices), scorer=OSA.distance, score_cutoff=1, limit=None)}
        return near.pop() if len(near) == 1 else None

    def canonical(self, name: str) -> str:
        """The known name for a typed one, else the typed name itself."""
        return self.match(name) or name

    def check(self, names: Iterable[str]) -> list[NameCheck]:
        """Every name that is not a known municipality, with its count and a suggestion, most frequent first."""
        counts: dict[str, int] = {}
        for name in names:
            if name and self.match(name) is None:
                counts[name] = counts.get(name, 0) + 1
        return [NameCheck(n, c, self.suggest(n)) for n, c in sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))]


def _place_fits(typed: tuple[str, ...], known: tuple[str, ...]) -> bool:
    """A typed location part fits a known one when it is missing or each word begins the known word."""
    return not typed or (len(typed) == len(known) and all(k.startswith(t) for t, k in zip(typed, known)))


@lru_cache(maxsize=1)
def district_municipalities() -> tuple[str, ...]:
    """The district's municipalities: the answer options of the standard questionnaire's municipality question."""
    from integkit import data
    from integkit.ingest.structure import read_lss

    question = read_lss(data.questionnaire_path()).question(DISTRICT_QUESTION)
    return tuple(question.answers.values()) if question else ()


def read_aliases(path: Path) -> dict[str, str]:
    """The confirmed aliases of a workspace (variant -> municipality); {} without the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path}: cannot read the file ({exc})") from None
    try:
        content = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise WorkspaceError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    aliases = content.get("aliases") if isinstance(content, dict) else None
    if not isinstance(content, dict) or set(content) - {"aliases"} or not isinstance(aliases, (dict, type(None))):
        raise WorkspaceError(f"{path}: must hold one mapping 'aliases:' of a name as typed to the municipality it means")
    out = {}
    for variant, meant in (aliases or {}).items():
        if not isinstance(variant, str) or not isinstance(meant, str) or not meant.strip():
            raise WorkspaceError(f"{path}: aliases: {variant!r}: {meant!r} must be a name and the municipality it means, both text")
        out[variant.strip()] = meant.strip()
    return out


def municipality_names(survey_names: Iterable[str] = (), aliases: dict[str, str] | None = None) -> MunicipalityNames:
    """The names known to a meeting: its survey's list first, then the district's, then the aliases' targets."""
    aliases = aliases or {}
    return MunicipalityNames([*survey_names, *district_municipalities(), *aliases.values()], aliases)


def unconfirmed_municipalities(workspace: Workspace, meeting_id: str, snapshot: str | None = None) -> dict[str, str | None]:
    """The municipality names of a meeting that are not known ones: name -> the known name it may mean (or None).

    For report planning: a report for such a name should say that the name is not confirmed.
    """
    from integkit.responses import UNKNOWN_MUNICIPALITY, load_responses

    responses = load_responses(workspace, meeting_id, snapshot)
    checks = responses.municipality_checks
    return {c.name: c.suggestion for c in checks if c.name != UNKNOWN_MUNICIPALITY}
