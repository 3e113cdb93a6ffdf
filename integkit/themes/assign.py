"""Multi-label theme assignment that explains itself (which words matched which theme).

An answer is split into tokens; each distinct token is analysed once (integkit.text.normalize)
and matched against the codebook's lemma and compound-part signals. Phrases and regular
expressions run on the folded text (tokens folded and joined by single spaces). Counter-signals
veto a theme for single words ("Handarbeiten" is not arbeit) or for text spans ("in der
Unterkunft" as a place is not wohnen).

Codebook patterns run with the ``regex`` module and a time limit per answer, so that a
catastrophic pattern ("(a+)+$") ends with one clear error instead of hanging a report.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

import pandas as pd
import regex

from integkit.errors import PatternTimeoutError
from integkit.text import normalize as T
from integkit.themes.codebook import Codebook, load_codebook

if TYPE_CHECKING:
    from integkit.themes.learn import ThemeModel

THEME_SEP = ";"

# Seconds one codebook pattern may run on one answer; ordinary patterns take microseconds.
PATTERN_TIMEOUT = 0.5

# Whole answers that say nothing ("k. A.", "-", "weiß nicht", "siehe oben"), matched on folded text.
_NON_ANSWER_RE = re.compile(
    r"^\W*(k\W*a|keine angaben?|keine?|nichts?( hinzuzufugen| weiter\w*)?|nix|weiss (ich )?nicht|weiss nicht|"
    r"siehe oben|s\W*o|dito|entfallt|n\W*a|none|nothing|no|kann ich nicht (beurteilen|sagen))\W*$"
)

# E-mail addresses, web addresses and phone numbers are no statement about a theme (an address
# like helferkreis@example.org is not about volunteers); an answer that is little more than
# them is bare contact details.
_ADDRESS_RE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_PHONE_RE = re.compile(r"\+?\d[\d /()-]{5,}\d")
_CONTACT_MAX_TOKENS = 6
# Thanks alone ("Danke an Frau Huber vom Landratsamt für die Organisation!") is no statement either.
_THANKS_RE = re.compile(r"^(danke|vielen dank|herzlichen dank|besten dank|dankeschon|thanks|thank you)\b")
_THANKS_MAX_TOKENS = 12
_BUT = frozenset({"aber", "but", "bitte", "please", "mehr", "more", "wunsche", "brauchen"})

Evidence = tuple[str, str, str]  # (theme id, word(s) in the text, signal)


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
    """True for answers without content: empty, "k. A.", "-", "weiß nicht", "siehe oben", thanks
    alone, bare contact details."""
    return not _content_tokens(text)


def _content_tokens(text: object) -> list[str]:
    """The tokens of an answer without its contact details; [] for an answer without content."""
    if not isinstance(text, str):
        return []
    stripped = _PHONE_RE.sub(" ", text)
    if "@" in stripped or "://" in stripped or "www." in stripped:  # the address pattern is slow: only when needed
        stripped = _ADDRESS_RE.sub(" ", stripped)
    toks = T.tokens(stripped)
    folded = " ".join(T.fold(t) for t in toks)
    if not folded or _NON_ANSWER_RE.match(folded):
        return []
    if stripped != text and len(toks) <= _CONTACT_MAX_TOKENS:
        return []
    if _THANKS_RE.match(folded) and len(toks) <= _THANKS_MAX_TOKENS and not _BUT & set(folded.split()):
        return []
    return toks


def _signal_keys(term: str) -> set[str]:
    """Matching keys of a codebook term: folded, its lemma, and the elided form (sprache → sprach)."""
    keys = {T.fold(term)}
    if " " not in term:
        keys.add(T.fold(T.lemma(term)))
    for k in list(keys):
        if k.endswith("e") and len(k) > 4:
            keys.add(k[:-1])
    return keys


# Typo tolerance ("Wohnugen") indexes signal keys under their one-letter deletions: only for
# keys of at least _FUZZY_MIN letters and tokens of word size.
_FUZZY_MIN = 6
_FUZZY_MAX = 40


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


# A pattern without any of these cannot reach past its word, so it is run once per distinct
# word instead of on every answer's text (patterns like \bsprach\w* are most of a codebook).
_SPANNING = (" ", "\\s", "\\S", "\\W", "\\D", "[^", "^", "$", "\\A", "\\Z", "(?=", "(?!", "(?<")


def _is_word_level(pattern: str) -> bool:
    """True if ``pattern`` only ever matches inside one word (no space, \\s, \\W, ., anchor or look-around)."""
    return not any(s in pattern for s in _SPANNING) and "." not in pattern.replace("\\.", "")


def _span_regex(pattern: str) -> regex.Pattern:
    """A phrase or pattern compiled to run on answers' folded texts joined by newlines
    (MULTILINE only where it matters: ^ and $ then mean the answer's start and end)."""
    return regex.compile(pattern, regex.MULTILINE if "^" in pattern or "$" in pattern else 0)


def _phrase_regex(phrase: str) -> str:
    return r"\b" + " ".join(regex.escape(T.fold(w)) for w in T.tokens(phrase)) + r"\b"


@dataclass(frozen=True, slots=True)
class _Rule:
    """A phrase or pattern of one theme, run on a folded word or on the folded texts of answers."""

    rx: regex.Pattern
    theme: int  # index in the codebook
    source: str  # the pattern as written in the codebook, for error messages
    where: str  # "<codebook file>: theme '<id>'"
    timeout: float | None = PATTERN_TIMEOUT  # None for phrases: literal words cannot backtrack

    def matches(self, folded: str) -> list[regex.Match]:
        """Every match in one folded word or answer; PatternTimeoutError past the time limit."""
        try:
            return list(self.rx.finditer(folded, timeout=self.timeout))
        except TimeoutError:
            raise PatternTimeoutError(
                f"{self.where}: pattern {self.source!r} ran longer than {PATTERN_TIMEOUT} s on one answer "
                "(catastrophic backtracking); simplify it, e.g. no nested repeats like (a+)+"
            ) from None

    def matches_each(self, batch: _Batch) -> dict[int, list[tuple[int, int, str]]]:
        """(start, end, matched text) by answer of ``batch`` (answers without a match left out),
        offsets within each answer's folded text.

        One run over the batch's texts joined by newlines (which no folded text contains, so ^ and $
        in MULTILINE mode mean the answer's start and end) costs the time limit's set-up once, not
        once per answer. A match that reaches over a newline, or a run past the batch's time limit,
        makes the answers concerned run one by one, as if alone.
        """
        found: dict[int, list[tuple[int, int, str]]] = {}
        alone: set[int] = set()
        try:
            limit = None if self.timeout is None else self.timeout * max(1.0, len(batch.joined) / _BATCH_CHARS)
            for m in self.rx.finditer(batch.joined, timeout=limit):
                i = bisect_right(batch.starts, m.start()) - 1
                j = bisect_right(batch.starts, max(m.end() - 1, m.start())) - 1
                if i != j:
                    alone.update(range(i, j + 1))
                else:
                    found.setdefault(i, []).append((m.start() - batch.starts[i], m.end() - batch.starts[i], m.group(0)))
        except TimeoutError:
            alone = set(range(len(batch.texts)))
        for i in sorted(alone):
            found[i] = [(m.start(), m.end(), m.group(0)) for m in self.matches(batch.texts[i])]
        return {i: f for i, f in found.items() if f}


# Answers are matched in batches of about this many characters of folded text.
_BATCH_CHARS = 100_000


@dataclass
class _Batch:
    """The folded texts of some answers, joined by newlines, and where each one starts."""

    texts: list[str]
    joined: str = ""
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.joined = "\n".join(self.texts)
        pos = 0
        for text in self.texts:
            self.starts.append(pos)
            pos += len(text) + 1


class Matcher:
    """A codebook compiled for matching; build once (``matcher()`` caches it), reuse for many answers.

    What depends on one token only (its lemma and compound-part hits, counter words) is worked
    out once per distinct token; phrases and patterns run on each answer's folded text.
    """

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.ids = codebook.ids
        self._whole: dict[str, list[tuple[int, str]]] = {}  # key → (theme, signal): whole words
        self._part: dict[str, list[tuple[int, str]]] = {}  # key → (theme, signal): compound parts
        self._counter_words: list[tuple[str, ...]] = []
        self._word_signals: list[_Rule] = []  # patterns within one word: run per distinct token
        self._word_counters: list[list[_Rule]] = []
        self._signals: list[_Rule] = []  # phrases and patterns: run on each answer's folded text
        self._counters: list[_Rule] = []
        source = codebook.source or "codebook"
        for ti, theme in enumerate(codebook.themes):
            s, c = theme.signals, theme.counter_signals
            where = f"{source}: theme {theme.id!r}"
            for term in s.lemmas:
                for key in _signal_keys(term):
                    self._whole.setdefault(key, []).append((ti, T.fold(term)))
            for term in s.parts:
                for key in _signal_keys(term):
                    self._whole.setdefault(key, []).append((ti, T.fold(term)))
                    self._part.setdefault(key, []).append((ti, T.fold(term)))
            # a theme's phrases are literals: one alternation runs them all (the match is the phrase)
            if s.phrases:
                self._signals.append(_Rule(_span_regex("|".join(map(_phrase_regex, s.phrases))), ti, "phrases", where, None))
            if c.phrases:
                self._counters.append(_Rule(_span_regex("|".join(map(_phrase_regex, c.phrases))), ti, "phrases", where, None))
            for pattern in s.patterns:
                if _is_word_level(pattern):
                    self._word_signals.append(_Rule(regex.compile(pattern), ti, pattern, where))
                else:
                    self._signals.append(_Rule(_span_regex(pattern), ti, pattern, where))
            self._word_counters.append([])
            for pattern in c.patterns:
                if _is_word_level(pattern):
                    self._word_counters[ti].append(_Rule(regex.compile(pattern), ti, pattern, where))
                else:
                    self._counters.append(_Rule(_span_regex(pattern), ti, pattern, where))
            self._counter_words.append(tuple(T.fold(w) for w in c.words))
        self._missing_letter: dict[str, list[tuple[int, str]]] = {}  # signal key less one letter → signal
        for key, entries in self._whole.items():
            if len(key) >= _FUZZY_MIN:
                for variant in set(_deletions(key)):
                    self._missing_letter.setdefault(variant, []).extend(entries)
        # HanTa's compound analysis costs about a millisecond a word, so it runs only when a part
        # signal occurs inside the word whose theme its whole-word hits lack: parts are
        # substrings of the folded word, less a leading "e" that digraph folding may have eaten
        # ("Kitaeltern" → "kitaltern").
        self._probes: dict[str, set[int]] = {}
        for key, entries in self._part.items():
            self._probes.setdefault(key.lstrip("e"), set()).update(ti for ti, _ in entries)
        self._hits: dict[str, tuple[tuple[int, str], ...]] = {}

    def warm(self, extra: Iterable[str] = ()) -> None:
        """Load the language models and analyse the codebook's own words (and ``extra`` texts) now."""
        T.load_models()
        words: set[str] = set()
        for theme in self.codebook.themes:
            s, c = theme.signals, theme.counter_signals
            for term in (*s.lemmas, *s.parts, *s.phrases, *c.words, *c.phrases):
                words.update(T.tokens(term))
        for text in extra:
            words.update(T.tokens(text))
        for word in words:
            self.token_hits(word)

    def token_hits(self, token: str) -> tuple[tuple[int, str], ...]:
        """(theme index, signal) pairs one token matches on its own, counter words applied (cached)."""
        hits = self._hits.get(token)
        if hits is None:
            hits = self._hits[token] = self._compute_token_hits(token)
        return hits

    def token_themes(self, token: str) -> tuple[str, ...]:
        """Theme ids a single word signals on its own (counter words applied, spans not)."""
        return tuple(self.ids[ti] for ti, _ in self.token_hits(token))

    def _compute_token_hits(self, token: str) -> tuple[tuple[int, str], ...]:
        info = T.word_info(token)
        if info.is_stopword:
            return ()
        keys = sorted(info.keys)  # sorted: ties between two signals resolve the same in every process
        hits: dict[int, str] = {}
        for key in keys:
            for ti, sig in self._whole.get(key, ()):
                if ti not in hits or len(sig) > len(hits[ti]):
                    hits[ti] = sig
        if len(token) >= T.MIN_COMPOUND_LEN and not self._part_themes(info.folded) <= hits.keys():
            for key in sorted(T.analyze(token).part_keys):
                for ti, sig in self._part.get(key, ()):
                    hits.setdefault(ti, sig)
        for rule in self._word_signals:
            if rule.theme not in hits:
                found = rule.matches(info.folded)
                if found:
                    hits[rule.theme] = found[0].group(0)
        if not hits and _FUZZY_MIN <= len(info.folded) <= _FUZZY_MAX:
            # one typo: a letter missing ("Wohnugen") or one too many ("Ehrenamtlichhe"); a
            # changed letter is not taken, it turns too many words into others (Konzert, Konzept)
            for key in keys:
                if len(key) >= _FUZZY_MIN:
                    for ti, sig in self._missing_letter.get(key, ()):
                        hits.setdefault(ti, sig)
                    for variant in _deletions(key):
                        for ti, sig in self._whole.get(variant, ()) if len(variant) >= _FUZZY_MIN else ():
                            hits.setdefault(ti, sig)
        return tuple((ti, sig) for ti, sig in sorted(hits.items()) if not self._blocked(ti, info.folded))

    def _part_themes(self, folded: str) -> set[int]:
        """Themes whose part signals may occur in a folded word (a cheap necessary condition)."""
        return {ti for probe, themes in self._probes.items() if probe in folded for ti in themes}

    def _blocked(self, ti: int, folded: str) -> bool:
        """True if a counter word or one-word counter pattern of theme ``ti`` occurs in the folded token."""
        return any(w in folded for w in self._counter_words[ti]) or any(r.matches(folded) for r in self._word_counters[ti])

    def assign_one(self, text: str) -> Assignment:
        """Themes and evidence for one answer."""
        return self.assign_many([text])[0]

    def assign_many(self, texts: list[str]) -> list[Assignment]:
        """Themes and evidence for each answer; phrases and patterns run once per batch of answers."""
        toks = [_content_tokens(t) for t in texts]
        folded = [[T.fold(t) for t in ts] for ts in toks]
        out: list[Assignment] = []
        start = 0
        while start < len(texts):  # batches of about _BATCH_CHARS characters (at least one answer)
            end, size = start, 0
            while end < len(texts) and (end == start or size < _BATCH_CHARS):
                size += sum(map(len, folded[end])) + len(folded[end])
                end += 1
            batch = _Batch([" ".join(f) for f in folded[start:end]])
            counters = [(rule, rule.matches_each(batch)) for rule in self._counters]
            signals = [(rule, rule.matches_each(batch)) for rule in self._signals]
            for k in range(end - start):
                i = start + k
                out.append(self._combine(
                    toks[i], folded[i], [(r, f[k]) for r, f in counters if k in f], [(r, f[k]) for r, f in signals if k in f]
                ))
            start = end
        return out

    def _combine(self, toks: list[str], folded: list[str], counters, signals) -> Assignment:
        """One answer's word hits, counter spans and phrase/pattern matches as an Assignment."""
        if not toks:
            return NO_THEMES
        spans = _Spans(folded)
        suppressed: set[tuple[int, int]] = set()  # (theme index, token index)
        for rule, found in counters:
            for m in found:
                suppressed.update((rule.theme, k) for k in spans.covered(m))
        hits: dict[int, list[Evidence]] = {}
        for k, tok in enumerate(toks):
            for ti, sig in self.token_hits(tok):
                if (ti, k) not in suppressed:
                    hits.setdefault(ti, []).append((self.ids[ti], tok, sig))
        for rule, found in signals:
            ti = rule.theme
            for m in found:
                ks = spans.covered(m)
                if all((ti, k) in suppressed or self._blocked(ti, folded[k]) for k in ks):
                    continue
                hits.setdefault(ti, []).append((self.ids[ti], " ".join(toks[ks.start : ks.stop]), m[2]))
        if not hits:
            return NO_THEMES
        order = sorted(hits)
        return Assignment(tuple(self.ids[ti] for ti in order), tuple(e for ti in order for e in hits[ti]))


class _Spans:
    """Maps a match on the folded text (tokens joined by single spaces) to the tokens it touches."""

    def __init__(self, folded: list[str]):
        self.folded = folded
        self._starts: list[int] | None = None

    def covered(self, match: tuple[int, int, str]) -> range:
        """Indices of the tokens a match (start, end, text) touches."""
        if self._starts is None:  # built on the first match only: most answers have none
            self._starts = [0]
            for f in self.folded[:-1]:
                self._starts.append(self._starts[-1] + len(f) + 1)
        start, end, _ = match
        first = bisect_right(self._starts, start) - 1
        last = bisect_right(self._starts, max(end - 1, start)) - 1
        return range(first, last + 1)


@lru_cache(maxsize=8)
def _matcher_for(codebook: Codebook) -> Matcher:
    return Matcher(codebook)


def matcher(codebook: Codebook | None = None) -> Matcher:
    """The (cached) compiled matcher for ``codebook`` (default codebook if None)."""
    return _matcher_for(codebook if codebook is not None else load_codebook())


def assign(texts: Iterable[str], codebook: Codebook | None = None, model: ThemeModel | None = None) -> list[Assignment]:
    """Assign themes to each text (multi-label); identical texts are matched once.

    With ``model`` (learnt from coded answers, integkit.themes.learn), the codebook's rules are
    combined with what the coded answers teach.
    """
    texts = list(texts)
    distinct = list(dict.fromkeys(t for t in texts if isinstance(t, str)))
    results = dict(zip(distinct, matcher(codebook).assign_many(distinct)))
    out = [results[t] if isinstance(t, str) else NO_THEMES for t in texts]
    return model.refine(texts, out) if model is not None else out


def assign_frame(
    df: pd.DataFrame, text_column: str = "text", codebook: Codebook | None = None, model: ThemeModel | None = None
) -> pd.DataFrame:
    """A copy of ``df`` with ``themes`` (ids joined by ';') and ``theme_evidence`` columns added."""
    texts = df[text_column].where(df[text_column].notna(), "").astype(str)
    results = assign(texts.tolist(), codebook, model=model)
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
