"""Multi-label theme assignment that explains itself (which words matched which theme).

Each distinct token is analysed once (text.analyze) and matched once against the codebook's
lemma and compound-part signals; phrases and regular expressions run on the folded text.
Counter-signals veto a theme for single words ("Handarbeiten" is not arbeit) or for text
spans ("in der Unterkunft" as a place is not wohnen).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import pandas as pd

from integkit import text as T
from integkit.themes.codebook import Codebook, load_codebook

THEME_SEP = ";"

# Whole answers that say nothing ("k. A.", "-", "weiß nicht", "siehe oben"), matched on folded text.
_NON_ANSWER_RE = re.compile(
    r"^\W*(k\W*a|keine angaben?|keine?|nichts?( hinzuzufugen| weiter\w*)?|nix|weiss (ich )?nicht|weiss nicht|"
    r"siehe oben|s\W*o|dito|entfallt|n\W*a|none|nothing|no|kann ich nicht (beurteilen|sagen))\W*$"
)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Themes of one answer (codebook order) and the evidence: (theme, word in the text, signal)."""

    themes: tuple[str, ...]
    evidence: tuple[tuple[str, str, str], ...] = ()

    def themes_text(self) -> str:
        """Theme ids joined with ';' (empty for none), as written to CSV."""
        return THEME_SEP.join(self.themes)

    def evidence_text(self) -> str:
        """E.g. ``wohnen: Wohnungsmarkt→wohnung; sprache: Sprachkurse→sprachkurs``."""
        by_theme: dict[str, list[str]] = {}
        seen: set[tuple[str, str]] = set()
        for theme, word, signal in self.evidence:
            items = by_theme.setdefault(theme, [])
            if (theme, word) not in seen:  # one signal per word is enough to explain it
                seen.add((theme, word))
                items.append(f"{word}→{signal}")
        return "; ".join(f"{t}: {', '.join(items)}" for t, items in by_theme.items())


NO_THEMES = Assignment(())


def is_non_answer(text: str) -> bool:
    """True for answers without content: empty, "k. A.", "-", "weiß nicht", "nichts", "siehe oben"."""
    folded = " ".join(T.fold(t) for t in T.tokens(text))
    return not folded or bool(_NON_ANSWER_RE.match(folded))


def _signal_keys(term: str) -> set[str]:
    """Matching keys of a codebook term: folded, its lemma, and the elided form (sprache → sprach)."""
    keys = {T.fold(term)}
    if " " not in term:
        keys.add(T.fold(T.lemma(term)))
    for k in list(keys):
        if k.endswith("e") and len(k) > 4:
            keys.add(k[:-1])
    return keys


_FUZZY_MIN = 6


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _phrase_regex(phrase: str) -> str:
    words = [re.escape(T.fold(w)) for w in T.tokens(phrase)]
    return r"\b" + " ".join(words) + r"\b"


def _is_word_level(pattern: str) -> bool:
    """A pattern that cannot span a space matches inside one word, so it is checked once per token."""
    return " " not in pattern and "\\s" not in pattern and "\\W" not in pattern and "." not in pattern.replace("\\.", "")


try:  # Python >= 3.11
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]


def _trigger(pattern: str) -> str:
    """The longest literal a match of ``pattern`` must contain ("" if none is found).

    Lets the matcher skip a multi-word regex unless its literal occurs in the text: a plain
    substring test is far cheaper than running every regex on every answer.
    """
    try:
        items = list(_sre_parse.parse(pattern))
    except Exception:  # pragma: no cover - patterns were validated on load
        return ""
    return max(_literal_runs(items), key=len, default="").strip() or ""


def _literal_runs(items) -> list[str]:
    """Runs of literal characters that every match contains, in a parsed regex sequence."""
    runs, run = [], ""
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(arg)
        elif name == "AT":  # \b, ^, $ take no characters
            continue
        else:
            runs.append(run)
            run = ""
            if name == "SUBPATTERN":  # a group that must match: its own runs count
                runs.extend(_literal_runs(list(arg[-1])))
    runs.append(run)
    return runs


class _Scan:
    """Multi-word regexes (pattern → [(theme index, label)]) with their literal triggers."""

    def __init__(self, entries: dict[str, list[tuple[int, str]]]):
        self.items = [(_trigger(p), re.compile(p), targets) for p, targets in entries.items()]

    def __bool__(self) -> bool:
        return bool(self.items)

    def matches(self, ftext: str):
        """Yield (match, targets) for every regex whose trigger occurs in ``ftext``."""
        for trigger, rx, targets in self.items:
            if trigger in ftext:
                for m in rx.finditer(ftext):
                    yield m, targets

    def any(self, ftext: str) -> bool:
        """True if any regex matches (regexes whose trigger is absent are not run)."""
        for trigger, rx, _ in self.items:
            if trigger in ftext and rx.search(ftext):
                return True
        return False


class Matcher:
    """A codebook compiled for fast matching; build once, reuse for many answers.

    Everything that depends on one word only (lemma/part signals, one-word patterns,
    counter words) is computed once per distinct token and cached; only multi-word
    phrases and patterns look at the whole text, and only after one combined regex says
    that one of them occurs.
    """

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.ids = codebook.ids
        self._whole: dict[str, list[tuple[int, str]]] = {}
        self._part: dict[str, list[tuple[int, str]]] = {}
        self._counter_words: list[tuple[str, ...]] = []
        self._word_regexes: list[tuple[int, re.Pattern]] = []
        self._word_counters: list[list[re.Pattern]] = []
        multi_signals: dict[str, list[tuple[int, str]]] = {}
        multi_counters: dict[str, list[tuple[int, str]]] = {}
        for ti, theme in enumerate(codebook.themes):
            s = theme.signals
            for term in s.lemmas:
                for key in _signal_keys(term):
                    self._whole.setdefault(key, []).append((ti, T.fold(term)))
            for term in s.parts:
                for key in _signal_keys(term):
                    self._whole.setdefault(key, []).append((ti, T.fold(term)))
                    self._part.setdefault(key, []).append((ti, T.fold(term)))
            for phrase in s.phrases:
                multi_signals.setdefault(_phrase_regex(phrase), []).append((ti, T.fold(phrase)))
            for pattern in s.patterns:
                if _is_word_level(pattern):
                    self._word_regexes.append((ti, re.compile(pattern)))
                else:
                    multi_signals.setdefault(pattern, []).append((ti, ""))
            c = theme.counter_signals
            self._counter_words.append(tuple(T.fold(w) for w in c.words))
            self._word_counters.append([])
            for phrase in c.phrases:
                multi_counters.setdefault(_phrase_regex(phrase), []).append((ti, ""))
            for pattern in c.patterns:
                if _is_word_level(pattern):
                    self._word_counters[ti].append(re.compile(pattern))
                else:
                    multi_counters.setdefault(pattern, []).append((ti, ""))
        self._signal_scan = _Scan(multi_signals)
        self._counter_scan = _Scan(multi_counters)
        # One C-level search for every trigger; a regex without a trigger makes every text a candidate.
        triggers = {t for t, _, _ in self._signal_scan.items + self._counter_scan.items}
        self._triggers = re.compile("|".join(sorted(map(re.escape, triggers)))) if triggers else None
        # One-typo tolerance ("Wohnugen", "Ehrenamtlihe"): index every signal key of at least
        # _FUZZY_MIN letters under itself and its one-letter deletions.
        self._fuzzy: dict[str, list[tuple[int, str]]] = {}
        for key, entries in self._whole.items():
            if len(key) >= _FUZZY_MIN:
                for variant in {key, *_deletions(key)}:
                    self._fuzzy.setdefault(variant, []).extend(entries)
        self._token_hits = lru_cache(maxsize=500_000)(self._compute_token_hits)

    def _blocked(self, ti: int, folded: str) -> bool:
        return any(w in folded for w in self._counter_words[ti]) or any(rx.search(folded) for rx in self._word_counters[ti])

    def _compute_token_hits(self, token: str) -> tuple[tuple[int, str], ...]:
        """(theme index, signal) pairs a single token matches, counter words applied."""
        info = T.analyze(token)
        if info.is_stopword:
            return ()
        hits: dict[int, str] = {}
        for key in info.keys:
            for ti, sig in self._whole.get(key, ()):
                if ti not in hits or len(sig) > len(hits[ti]):
                    hits[ti] = sig
        for key in info.part_keys:
            for ti, sig in self._part.get(key, ()):
                hits.setdefault(ti, sig)
        for ti, rx in self._word_regexes:
            if ti not in hits:
                m = rx.search(info.folded)
                if m:
                    hits[ti] = m.group(0)
        if not hits and len(info.folded) >= _FUZZY_MIN + 1:
            for key in info.keys:
                if len(key) < _FUZZY_MIN:
                    continue
                for variant in (key, *_deletions(key)):
                    for ti, sig in self._fuzzy.get(variant, ()):
                        hits.setdefault(ti, sig)
        return tuple((ti, sig) for ti, sig in sorted(hits.items()) if not self._blocked(ti, info.folded))

    def token_themes(self, token: str) -> tuple[str, ...]:
        """Theme ids a single word signals on its own (counter words applied, spans not)."""
        return tuple(self.ids[ti] for ti, _ in self._token_hits(token))

    def assign_one(self, text: str) -> Assignment:
        """Themes and evidence for one answer."""
        if not isinstance(text, str):
            return NO_THEMES
        toks = T.tokens(text)
        if not toks or (len(text) < 60 and is_non_answer(text)):
            return NO_THEMES
        token_hits = self._token_hits
        ftext = T.fold_text(" ".join(toks))
        if (
            self._triggers is None
            or not self._triggers.search(ftext)
            or not (self._signal_scan.any(ftext) or self._counter_scan.any(ftext))
        ):
            # Fast path: only word-level evidence.
            found: dict[int, list[tuple[str, str]]] = {}
            for tok in toks:
                for ti, sig in token_hits(tok):
                    found.setdefault(ti, []).append((tok, sig))
            return self._result(found)
        return self._assign_spans(toks, ftext)

    def _assign_spans(self, toks: list[str], ftext: str) -> Assignment:
        folded = ftext.split(" ")
        if len(folded) != len(toks):  # pragma: no cover - folding never splits a token
            folded = [T.fold(t) for t in toks]
            ftext = " ".join(folded)
        starts: list[int] = []
        pos = 0
        for f in folded:
            starts.append(pos)
            pos += len(f) + 1

        def span(m: re.Match) -> range:
            first = bisect_right(starts, m.start()) - 1
            last = bisect_right(starts, max(m.end() - 1, m.start())) - 1
            return range(first, last + 1)

        suppressed: set[tuple[int, int]] = set()  # (theme index, token index)
        for m, targets in self._counter_scan.matches(ftext):
            for ti, _ in targets:
                suppressed.update((ti, k) for k in span(m))
        found: dict[int, list[tuple[str, str]]] = {}
        for k, tok in enumerate(toks):
            for ti, sig in self._token_hits(tok):
                if (ti, k) not in suppressed:
                    found.setdefault(ti, []).append((tok, sig))
        for m, targets in self._signal_scan.matches(ftext):
            ks = span(m)
            for ti, label in targets:
                if all((ti, k) in suppressed or self._blocked(ti, folded[k]) for k in ks):
                    continue
                found.setdefault(ti, []).append((" ".join(toks[ks.start : ks.stop]), label or m.group(0)))
        return self._result(found)

    def _result(self, found: dict[int, list[tuple[str, str]]]) -> Assignment:
        if not found:
            return NO_THEMES
        order = sorted(found)
        evidence = tuple((self.ids[ti], w, s) for ti in order for w, s in found[ti])
        return Assignment(tuple(self.ids[ti] for ti in order), evidence)


@lru_cache(maxsize=8)
def _matcher_for(codebook: Codebook) -> Matcher:
    return Matcher(codebook)


def matcher(codebook: Codebook | None = None) -> Matcher:
    """The (cached) compiled matcher for ``codebook`` (default codebook if None)."""
    return _matcher_for(codebook if codebook is not None else load_codebook())


def assign(texts: Iterable[str], codebook: Codebook | None = None) -> list[Assignment]:
    """Assign themes to each text (multi-label); identical texts are matched once."""
    m = matcher(codebook)
    memo: dict[str, Assignment] = {}
    out: list[Assignment] = []
    for text in texts:
        if not isinstance(text, str):
            out.append(NO_THEMES)
            continue
        result = memo.get(text)
        if result is None:
            result = memo[text] = m.assign_one(text)
        out.append(result)
    return out


def assign_frame(df: pd.DataFrame, text_column: str = "text", codebook: Codebook | None = None) -> pd.DataFrame:
    """A copy of ``df`` with ``themes`` (ids joined by ';') and ``theme_evidence`` columns added."""
    texts = df[text_column].where(df[text_column].notna(), "").astype(str)
    results = assign(texts.tolist(), codebook)
    out = df.copy()
    out["themes"] = [r.themes_text() for r in results]
    out["theme_evidence"] = [r.evidence_text() for r in results]
    return out


def split_themes(value: object) -> list[str]:
    """Theme ids from a ';'-separated cell (empty/NaN → [])."""
    if not isinstance(value, str):
        return []
    return [t.strip() for t in value.split(THEME_SEP) if t.strip()]


def explode_themes(df: pd.DataFrame, themes_column: str = "themes", evidence_column: str = "theme_evidence") -> pd.DataFrame:
    """One row per (row, theme) of an assigned frame; rows without themes drop out.

    The long table reports want: keeps every other column (e.g. meeting_id, response_id,
    question_id), replaces ``themes`` by ``theme`` and the evidence by this theme's part.
    """
    rows = df.copy()
    rows["theme"] = rows[themes_column].map(split_themes)
    rows = rows.explode("theme").dropna(subset=["theme"])
    if evidence_column in rows.columns:
        rows["evidence"] = [_evidence_for(ev, th) for ev, th in zip(rows[evidence_column], rows["theme"])]
        rows = rows.drop(columns=[evidence_column])
    return rows.drop(columns=[themes_column]).reset_index(drop=True)


def _evidence_for(evidence: object, theme: str) -> str:
    if not isinstance(evidence, str):
        return ""
    for chunk in evidence.split("; "):
        name, _, items = chunk.partition(": ")
        if name == theme:
            return items
    return ""


def coverage(assignments: Sequence[Assignment]) -> float:
    """Share of answers with at least one theme."""
    return sum(bool(a.themes) for a in assignments) / len(assignments) if assignments else 0.0
