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


# No alternative of _NON_ANSWER_RE spans more than four words ("kann ich nicht beurteilen"), so
# longer answers skip the check. Keep in step with the regex (a test checks the examples).
_NON_ANSWER_MAX_TOKENS = 4


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
_FUZZY_MAX = 40  # typo tolerance builds every one-letter deletion: only for word-sized tokens


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


def _required_literals(items) -> list[frozenset[str]]:
    """Clauses of literals in a parsed regex sequence: every match contains one literal of each.

    Literal runs give one-literal clauses; a group with alternatives gives a clause with one
    literal from each alternative (none if an alternative has no literal); optional parts
    give nothing. A necessary condition only: cheap to test, never wrong when it says "no".
    """
    clauses: list[frozenset[str]] = []
    run = ""
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(arg)
            continue
        if name == "AT":  # \b, ^, $ take no characters
            continue
        if run.strip():
            clauses.append(frozenset({run}))
        run = ""
        if name == "SUBPATTERN":
            clauses.extend(_required_literals(list(arg[-1])))
        elif name == "BRANCH":
            picks: set[str] | None = set()
            for alt in arg[1]:
                singles = [next(iter(c)) for c in _required_literals(list(alt)) if len(c) == 1]
                if not singles:
                    picks = None
                    break
                picks.add(max(singles, key=len))
            if picks:
                clauses.append(frozenset(picks))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            clauses.extend(_required_literals(list(arg[2])))
    if run.strip():
        clauses.append(frozenset({run}))
    return clauses


# How a space-free piece of a literal must appear in a token: anywhere, at its end (a space
# follows the piece in the literal), at its start (a space precedes it), or as the whole token.
_IN, _END, _START, _WHOLE = 0, 1, 2, 3


def _piece_ok(folded: str, piece: str, kind: int) -> bool:
    if kind == _IN:
        return piece in folded
    if kind == _END:
        return folded.endswith(piece)
    if kind == _START:
        return folded.startswith(piece)
    return folded == piece


def _token_clauses(trigger: str, rx: re.Pattern) -> list[frozenset[tuple[str, int]]]:
    """What the tokens of a text must hold for ``rx`` to match it (and its trigger to occur).

    Each clause is a set of (piece, kind); some folded token must hold one of them. A literal
    that occurs in the folded text (tokens joined by single spaces) has every space-free
    piece inside one token: the first piece at a token's end if a space follows, the last at
    a token's start, middle ones as whole tokens. Alternatives keep their longest piece only.
    """
    literal_clauses = [frozenset({trigger})] if trigger else []
    if not rx.flags & re.IGNORECASE:
        try:
            literal_clauses += _required_literals(list(_sre_parse.parse(rx.pattern)))
        except Exception:  # pragma: no cover - patterns were validated on load
            pass
    out: list[frozenset[tuple[str, int]]] = []

    def add(clause: frozenset[tuple[str, int]]) -> None:
        if clause and clause not in out:
            out.append(clause)

    for clause in literal_clauses:
        if len(clause) == 1:
            pieces = next(iter(clause)).split(" ")
            for i, piece in enumerate(pieces):
                if piece:
                    kind = (_END if i < len(pieces) - 1 else _IN) | (_START if i > 0 else _IN)
                    add(frozenset({(piece, kind)}))
            continue
        alternatives = set()
        for literal in clause:
            pieces = [p for p in literal.split(" ") if p]
            if not pieces:  # a literal of spaces only: no condition on tokens
                alternatives = set()
                break
            alternatives.add((max(pieces, key=len), _IN))
        add(frozenset(alternatives))
    return out


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


_findall = T._TOKEN_RE.findall


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
        # Compound parts (HanTa, ~1 ms a word) can only match a part signal whose key, less
        # leading e's, occurs in the folded word (parts are substrings of the word; folding is
        # character-wise except that ae/oe/ue drop the e). Words without such a substring skip
        # the compound analysis.
        part_themes: dict[str, set[int]] = {}
        for key, entries in self._part.items():
            part_themes.setdefault(key.lstrip("e"), set()).update(ti for ti, _ in entries)
        self._part_probe = sorted(part_themes.items())
        # Per distinct token: its (theme, signal) hits; answers then cost set and dict lookups.
        self._hits: dict[str, tuple[tuple[int, str], ...]] = {}
        self._known: set[str] = set()  # = self._hits.keys(), as a set for fast subset tests
        self._hit_tokens: set[str] = set()  # tokens with at least one hit
        self._theme_mask: dict[str, int] = {}  # token → bit mask of the themes it hits
        # Multi-word signals and counter-signals (phrases, patterns) need the whole folded text,
        # but each requires some literals (its trigger, the words of a phrase), and each
        # space-free piece of a literal lies inside one folded token. Every such condition gets a
        # bit; each token records the bits it satisfies. An answer whose tokens do not satisfy
        # all bits of any item skips the text check; so does one where only counter-signals may
        # match and the answer hits none of their themes (a span then changes nothing).
        self._always_scan = False
        self._scan_items: list[tuple[int, bool, int]] = []  # (bits needed, is signal, theme mask)
        self._clause_bits: list[tuple[frozenset[tuple[str, int]], int]] = []
        bit_of: dict[frozenset[tuple[str, int]], int] = {}
        for scan, is_signal in ((self._signal_scan, True), (self._counter_scan, False)):
            for trig, rx, targets in scan.items:
                need = 0
                for clause in _token_clauses(trig, rx):
                    if clause not in bit_of:
                        bit_of[clause] = 1 << len(bit_of)
                        self._clause_bits.append((clause, bit_of[clause]))
                    need |= bit_of[clause]
                if not need:  # nothing to look for: every answer must be checked
                    self._always_scan = True
                mask = 0
                for ti, _ in targets:
                    mask |= 1 << ti
                self._scan_items.append((need, is_signal, mask))
        self._span_bits: dict[str, int] = {}  # token → clause bits it satisfies (non-zero only)
        # Fast-path results keyed by the answer's hit tokens (same hits → same Assignment).
        self._fast_memo: dict[tuple[str, ...], Assignment] = {}

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
        self._learn(words)

    def _learn(self, toks: Iterable[str]) -> None:
        """Analyse tokens not seen before: their hits and which multi-word checks they may trigger."""
        hits = self._hits
        for tok in toks:
            if tok in hits:
                continue
            h = hits[tok] = self._compute_token_hits(tok)
            if h:
                self._hit_tokens.add(tok)
                mask = 0
                for ti, _ in h:
                    mask |= 1 << ti
                self._theme_mask[tok] = mask
            self._known.add(tok)
            folded = T.fold(tok)
            bits = 0
            for clause, bit in self._clause_bits:
                for piece, kind in clause:
                    # every kind of piece is a substring of the token: test that first (no call)
                    if piece in folded and (kind == _IN or _piece_ok(folded, piece, kind)):
                        bits |= bit
                        break
            if bits:
                self._span_bits[tok] = bits

    def _token_hits(self, token: str) -> tuple[tuple[int, str], ...]:
        hits = self._hits.get(token)
        if hits is None:
            self._learn((token,))
            hits = self._hits[token]
        return hits

    def _blocked(self, ti: int, folded: str) -> bool:
        return any(w in folded for w in self._counter_words[ti]) or any(rx.search(folded) for rx in self._word_counters[ti])

    def _compute_token_hits(self, token: str) -> tuple[tuple[int, str], ...]:
        """(theme index, signal) pairs a single token matches, counter words applied."""
        info = T.word_info(token)
        if info.is_stopword:
            return ()
        # Keys are visited in sorted order: set order varies with the hash seed, and ties (two
        # signals of one theme) must resolve the same way in every process.
        keys = sorted(info.keys)
        hits: dict[int, str] = {}
        for key in keys:
            for ti, sig in self._whole.get(key, ()):
                if ti not in hits or len(sig) > len(hits[ti]):
                    hits[ti] = sig
        if self._needs_parts(token, info.folded, hits):
            for key in sorted(T.analyze(token).part_keys):
                for ti, sig in self._part.get(key, ()):
                    hits.setdefault(ti, sig)
        for ti, rx in self._word_regexes:
            if ti not in hits:
                m = rx.search(info.folded)
                if m:
                    hits[ti] = m.group(0)
        if not hits and _FUZZY_MIN + 1 <= len(info.folded) <= _FUZZY_MAX:
            for key in keys:
                if len(key) < _FUZZY_MIN:
                    continue
                for variant in (key, *_deletions(key)):
                    for ti, sig in self._fuzzy.get(variant, ()):
                        hits.setdefault(ti, sig)
        return tuple((ti, sig) for ti, sig in sorted(hits.items()) if not self._blocked(ti, info.folded))

    def _needs_parts(self, token: str, folded: str, hits: dict[int, str]) -> bool:
        """False when the compound parts of ``token`` cannot add a theme ``hits`` lacks."""
        if len(token) < T._MIN_COMPOUND_LEN or not self._part_probe:
            return False
        if not folded.isascii():  # the substring argument assumes plain character-wise folding
            return True
        for key, themes in self._part_probe:
            if key in folded and not themes.issubset(hits):
                return True
        return False

    def token_themes(self, token: str) -> tuple[str, ...]:
        """Theme ids a single word signals on its own (counter words applied, spans not)."""
        return tuple(self.ids[ti] for ti, _ in self._token_hits(token))

    def assign_one(self, text: str) -> Assignment:
        """Themes and evidence for one answer."""
        if not isinstance(text, str) or not text:
            return NO_THEMES
        toks = _findall(T.normalize_gender(text))  # = T.tokens(text), one call layer less
        if not toks:
            return NO_THEMES
        hits = self._hits
        if not self._known.issuperset(toks):
            self._learn(toks)
        if len(toks) <= _NON_ANSWER_MAX_TOKENS and len(text) < 60:
            fold = T.fold
            if _NON_ANSWER_RE.match(" ".join([fold(t) for t in toks])):
                return NO_THEMES
        hit_toks = [t for t in toks if t in self._hit_tokens] if not self._hit_tokens.isdisjoint(toks) else []
        span_bits = self._span_bits
        if self._always_scan or not span_bits.keys().isdisjoint(toks):
            bits = 0
            for b in [span_bits[t] for t in toks if t in span_bits]:
                bits |= b
            check, counter_mask = False, 0
            for need, is_signal, mask in self._scan_items:
                if bits & need == need:
                    if is_signal:
                        check = True
                        break
                    counter_mask |= mask
            if not check and counter_mask:
                theme_mask = self._theme_mask
                check = any(theme_mask[t] & counter_mask for t in hit_toks)
            if check:
                ftext = T.fold_text(" ".join(toks))
                if (
                    self._triggers is not None
                    and self._triggers.search(ftext)
                    and (self._signal_scan.any(ftext) or self._counter_scan.any(ftext))
                ):
                    return self._assign_spans(toks, ftext)
        # Fast path: only word-level evidence.
        if not hit_toks:
            return NO_THEMES
        key = tuple(hit_toks)
        result = self._fast_memo.get(key)
        if result is None:
            found: dict[int, list[tuple[str, str]]] = {}
            for tok in key:
                for ti, sig in hits[tok]:
                    found.setdefault(ti, []).append((tok, sig))
            result = self._result(found)
            if len(self._fast_memo) >= 200_000:
                self._fast_memo.clear()
            self._fast_memo[key] = result
        return result

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
        hits, hit_tokens = self._hits, self._hit_tokens
        for k, tok in enumerate(toks):
            if tok in hit_tokens:
                for ti, sig in hits[tok]:
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
