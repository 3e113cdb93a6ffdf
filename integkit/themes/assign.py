"""Multi-label theme assignment that explains itself (which words matched which theme).

Each distinct token is analysed once (text.analyze) and matched once against the codebook's
lemma and compound-part signals; phrases and regular expressions run on the folded text.
Counter-signals veto a theme for single words ("Handarbeiten" is not arbeit) or for text
spans ("in der Unterkunft" as a place is not wohnen).
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from dataclasses import dataclass
from contextlib import contextmanager
from functools import lru_cache
from itertools import accumulate, chain
from typing import Iterable, Iterator, Sequence

import pandas as pd

from integkit.text import normalize as T
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


def _piece_ok(folded: str, piece: str, kind: int, start: int) -> bool:
    """Whether ``piece``, found in ``folded`` at ``start``, is where ``kind`` wants it."""
    if kind == _IN:
        return True
    at_start, at_end = start == 0, start + len(piece) == len(folded)
    if kind == _END:
        return at_end
    if kind == _START:
        return at_start
    return at_start and at_end


class _SubstringIndex:
    """Every occurrence of a set of keys in a string, overlaps included, with one regex scan.

    At each position the alternation (longest keys first) finds the longest key there; the
    other keys there are exactly its prefixes among the keys.
    """

    def __init__(self, keys: Iterable[str]):
        ordered = sorted({k for k in keys if k}, key=lambda k: (-len(k), k))
        self._rx = re.compile("(?=(" + "|".join(map(re.escape, ordered)) + "))") if ordered else None
        self._at = {k: tuple(p for p in ordered if k.startswith(p)) for k in ordered}

    def find(self, s: str) -> list[tuple[int, str]]:
        """(start, key) for every occurrence of a key in ``s``."""
        if self._rx is None:
            return []
        at = self._at
        return [(m.start(), key) for m in self._rx.finditer(s) for key in at[m.group(1)]]


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


@dataclass(frozen=True, slots=True)
class _SpanRule:
    """A multi-word phrase or regex (signal or counter-signal) and what its match needs."""

    rx: re.Pattern
    targets: tuple[tuple[int, str], ...]  # (theme index, label)
    need: int  # clause bits some token of a matching answer must each satisfy
    is_signal: bool
    mask: int  # bit mask of the target themes


_Plan = tuple[tuple[_SpanRule, ...], tuple[_SpanRule, ...], int]  # signals, counters, counter theme mask

_findall = T._TOKEN_RE.findall
_normalize_gender = T.normalize_gender
# Per-piece caches are cleared when they reach this size (hostile or huge inputs).
_PIECE_CACHE = 1_000_000


class _Table(dict):
    """A cache that computes a missing value with ``compute`` (so lookups can run in C via map)."""

    __slots__ = ("compute",)

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        value = self.compute(key)
        if len(self) >= _PIECE_CACHE:
            self.clear()
        self[key] = value
        return value


def _piece_tokens(piece: str) -> tuple[str, ...]:
    # Tokens of a whitespace-separated piece. Gender forms and tokens never span whitespace,
    # so an answer's tokens are its pieces' tokens in order (a property test checks this).
    return tuple(_findall(_normalize_gender(piece)))


class Matcher:
    """A codebook compiled for fast matching; build once, reuse for many answers.

    Everything that depends on one word only (lemma/part signals, one-word patterns,
    counter words) is computed once per distinct token and cached, and summed up once per
    distinct whitespace-separated piece of text ("Wohnungen," → its hits). An answer then
    costs a split, a few dictionary lookups and, only when its words make a multi-word
    phrase or pattern possible, a run of just those regexes over the folded text.
    """

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.ids = codebook.ids
        self._index = {theme_id: ti for ti, theme_id in enumerate(self.ids)}
        self._blocked_memo: dict[tuple[int, str], bool] = {}
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
        self._part_probe: dict[str, set[int]] = {}
        for key, entries in self._part.items():
            self._part_probe.setdefault(key.lstrip("e"), set()).update(ti for ti, _ in entries)
        self._part_index = _SubstringIndex(self._part_probe)
        # Multi-word signals and counter-signals (phrases, patterns) need the whole folded text,
        # but each requires some literals (its trigger, the words of a phrase), and each
        # space-free piece of a literal lies inside one folded token. Every such condition gets a
        # bit; each token records the bits it satisfies. Only the rules whose bits an answer's
        # tokens all satisfy are run, and counter rules only if the answer hits their themes.
        self._rules: list[_SpanRule] = []
        self._clause_bits: list[tuple[frozenset[tuple[str, int]], int]] = []
        bit_of: dict[frozenset[tuple[str, int]], int] = {}
        for entries, is_signal in ((multi_signals, True), (multi_counters, False)):
            for pattern, targets in entries.items():
                rx = re.compile(pattern)
                need = 0
                for clause in _token_clauses(_trigger(pattern), rx):
                    if clause not in bit_of:
                        bit_of[clause] = 1 << len(bit_of)
                        self._clause_bits.append((clause, bit_of[clause]))
                    need |= bit_of[clause]
                mask = 0
                for ti, _ in targets:
                    mask |= 1 << ti
                self._rules.append(_SpanRule(rx, tuple(targets), need, is_signal, mask))
        self._clause_index = _SubstringIndex(piece for clause, _ in self._clause_bits for piece, _ in clause)
        self._piece_clauses: dict[str, list[tuple[int, int]]] = {}  # piece → [(kind, bit)]
        for clause, bit in self._clause_bits:
            for piece, kind in clause:
                self._piece_clauses.setdefault(piece, []).append((kind, bit))
        # A rule without any condition must be tried on every answer.
        self._always_scan = any(not rule.need for rule in self._rules)
        self._plans: dict[int, _Plan] = {}  # clause bits → plan
        self._distinct_plans: dict[_Plan, _Plan] = {}  # many bit sets share a few plans
        # Per distinct token: its (theme, signal) hits, and the clause bits it satisfies.
        self._hits: dict[str, tuple[tuple[int, str], ...]] = {}
        self._hit_tokens: set[str] = set()  # tokens with at least one hit
        # Their evidence items, built once and shared by every Assignment (fewer objects to keep).
        self._evidence: dict[str, tuple[tuple[int, Evidence], ...]] = {}
        self._themes: dict[tuple[int, ...], tuple[str, ...]] = {}  # theme indices → ids, shared
        self._theme_masks: dict[tuple[str, ...], int] = {(): 0}  # theme ids → bit mask
        self._span_bits: dict[str, int] = {}  # non-zero only
        # Per distinct piece of text: its tokens, and (hit tokens, clause bits) or None if neither.
        self._piece_tokens = _Table(_piece_tokens)
        self._piece_folded = _Table(lambda piece: " ".join(map(T.fold, self._piece_tokens[piece])))
        self._pieces = _Table(self._learn_piece)
        self._piece_info = self._pieces.__getitem__
        # Word-level results keyed by the answer's hit tokens (same hits → same Assignment).
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
                self._evidence[tok] = tuple((ti, (self.ids[ti], tok, sig)) for ti, sig in h)
            folded = T.fold(tok)
            bits = 0
            for start, piece in self._clause_index.find(folded):
                for kind, bit in self._piece_clauses[piece]:
                    if _piece_ok(folded, piece, kind, start):
                        bits |= bit
            if bits:
                self._span_bits[tok] = bits

    def _learn_piece(self, piece: str) -> tuple[tuple[str, ...], int] | None:
        """(hit tokens, clause bits) of a piece of text, or None if it has neither."""
        toks = self._piece_tokens[piece]
        self._learn(toks)
        hit_tokens, span_bits = self._hit_tokens, self._span_bits
        bits = 0
        for tok in toks:
            bits |= span_bits.get(tok, 0)
        hit = tuple(t for t in toks if t in hit_tokens)
        return (hit, bits) if hit or bits else None

    def _token_hits(self, token: str) -> tuple[tuple[int, str], ...]:
        hits = self._hits.get(token)
        if hits is None:
            self._learn((token,))
            hits = self._hits[token]
        return hits

    def _blocked(self, ti: int, folded: str) -> bool:
        """True if a counter word or one-word counter pattern of theme ``ti`` occurs in ``folded``."""
        key = (ti, folded)
        result = self._blocked_memo.get(key)
        if result is None:
            result = any(w in folded for w in self._counter_words[ti]) or any(rx.search(folded) for rx in self._word_counters[ti])
            if len(self._blocked_memo) >= _PIECE_CACHE:
                self._blocked_memo.clear()
            self._blocked_memo[key] = result
        return result

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
        probe = self._part_probe
        return any(not probe[key].issubset(hits) for _, key in self._part_index.find(folded))

    def token_themes(self, token: str) -> tuple[str, ...]:
        """Theme ids a single word signals on its own (counter words applied, spans not)."""
        return tuple(self.ids[ti] for ti, _ in self._token_hits(token))

    def assign_one(self, text: str) -> Assignment:
        """Themes and evidence for one answer."""
        if not isinstance(text, str) or not text:
            return NO_THEMES
        pieces = text.split()
        found = list(filter(None, map(self._piece_info, pieces)))
        if len(found) == 1:
            hit_key, bits = found[0]
        elif found:
            hit_key, bits = (), 0
            for h, b in found:
                hit_key += h
                bits |= b
        elif self._always_scan:
            hit_key, bits = (), 0
        else:
            return NO_THEMES
        result = self._fast_memo.get(hit_key)
        if result is None:
            result = self._word_result(hit_key)
        if bits or self._always_scan:
            plan = self._plans.get(bits)
            if plan is None:
                plan = self._plan(bits)
            signals, counters, counter_mask = plan
            if signals or counter_mask & self._theme_masks[result.themes]:
                result = self._assign_spans(pieces, signals, counters, result)
        if result.themes and len(text) < 60:
            toks = self._tokens(pieces)
            if len(toks) <= _NON_ANSWER_MAX_TOKENS and _NON_ANSWER_RE.match(" ".join([T.fold(t) for t in toks])):
                return NO_THEMES
        return result

    def _tokens(self, pieces: list[str]) -> list[str]:
        """The tokens of a text split into ``pieces`` (= text.tokens of the text)."""
        return list(chain.from_iterable(map(self._piece_tokens.__getitem__, pieces)))

    def _word_result(self, hit_key: tuple[str, ...]) -> Assignment:
        """The Assignment from word-level hits alone (memoised)."""
        found: dict[int, list[Evidence]] = {}
        evidence = self._evidence
        for tok in hit_key:
            for ti, item in evidence[tok]:
                found.setdefault(ti, []).append(item)
        result = self._result(found)
        if len(self._fast_memo) >= 200_000:
            self._fast_memo.clear()
        self._fast_memo[hit_key] = result
        return result

    def _plan(self, bits: int) -> _Plan:
        """The span rules an answer whose tokens satisfy clause ``bits`` may match (memoised)."""
        signals = tuple(r for r in self._rules if r.is_signal and bits & r.need == r.need)
        counters = tuple(r for r in self._rules if not r.is_signal and bits & r.need == r.need)
        mask = 0
        for rule in counters:
            mask |= rule.mask
        plan = self._plans[bits] = self._distinct_plans.setdefault((signals, counters, mask), (signals, counters, mask))
        return plan

    def _assign_spans(
        self,
        pieces: list[str],
        signals: Sequence[_SpanRule],
        counters: Sequence[_SpanRule],
        word_result: Assignment,
        toks: list[str] | None = None,
    ) -> Assignment:
        """Word hits combined with phrase and pattern matches on the folded text.

        The text is given as whitespace-separated ``pieces`` or, bypassing the piece caches,
        as its tokens ``toks``. Counter matches suppress their themes on the words they cover;
        signal matches add their theme unless every word they cover is suppressed or blocked
        for it. Without any match the result is ``word_result``.
        """
        if toks is None:
            ftext = " ".join(filter(None, map(self._piece_folded.__getitem__, pieces)))
        else:
            ftext = " ".join(map(T.fold, toks))
        if not ftext:
            return word_result
        counter_matches = [(m, rule) for rule in counters for m in rule.rx.finditer(ftext)]
        signal_matches = [(m, rule) for rule in signals for m in rule.rx.finditer(ftext)]
        if not counter_matches and not signal_matches:
            return word_result
        if toks is None:
            toks = self._tokens(pieces)
        if ftext.count(" ") == len(toks) - 1:  # no folded token holds a space: count them
            folded = ftext.split(" ")

            def span(m: re.Match) -> range:
                start = m.start()
                return range(ftext.count(" ", 0, start), ftext.count(" ", 0, max(m.end() - 1, start)) + 1)

        else:  # pragma: no cover - NFKD turned a letter into words (e.g. U+FDFA)
            folded = list(map(T.fold, toks))
            starts = list(accumulate((len(f) + 1 for f in folded[:-1]), initial=0))

            def span(m: re.Match) -> range:
                first = bisect_right(starts, m.start()) - 1
                last = bisect_right(starts, max(m.end() - 1, m.start())) - 1
                return range(first, last + 1)

        suppressed: set[tuple[int, int]] = set()  # (theme index, token index)
        for m, rule in counter_matches:
            ks = span(m)
            for ti, _ in rule.targets:
                suppressed.update((ti, k) for k in ks)
        found: dict[int, list[Evidence]] = {}
        if suppressed:
            evidence, hit_tokens = self._evidence, self._hit_tokens
            for k, tok in enumerate(toks):
                if tok in hit_tokens:
                    for ti, item in evidence[tok]:
                        if (ti, k) not in suppressed:
                            found.setdefault(ti, []).append(item)
        else:  # the word-level evidence stands as it is
            index = self._index
            for item in word_result.evidence:
                found.setdefault(index[item[0]], []).append(item)
        blocked = self._blocked
        for m, rule in signal_matches:
            ks = span(m)
            for ti, label in rule.targets:
                if all((ti, k) in suppressed or blocked(ti, folded[k]) for k in ks):
                    continue
                found.setdefault(ti, []).append((self.ids[ti], " ".join(toks[ks.start : ks.stop]), label or m.group(0)))
        return self._result(found)

    def assign_reference(self, text: str) -> Assignment:
        """:meth:`assign_one` without any shortcut: every rule runs on every answer (for tests)."""
        if not isinstance(text, str):
            return NO_THEMES
        toks = T.tokens(text)
        if not toks or is_non_answer(text):
            return NO_THEMES
        self._learn(toks)
        signals = tuple(r for r in self._rules if r.is_signal)
        counters = tuple(r for r in self._rules if not r.is_signal)
        found: dict[int, list[Evidence]] = {}
        for tok in toks:
            for ti, item in self._evidence.get(tok, ()):
                found.setdefault(ti, []).append(item)
        return self._assign_spans([], signals, counters, self._result(found), toks=toks)

    def _result(self, found: dict[int, list[Evidence]]) -> Assignment:
        """The Assignment of evidence items grouped by theme index (items in text order)."""
        if not found:
            return NO_THEMES
        order = tuple(sorted(found))
        themes = self._themes.get(order)
        if themes is None:
            themes = self._themes[order] = tuple(self.ids[ti] for ti in order)
            self._theme_masks[themes] = sum(1 << ti for ti in order)
        if len(order) == 1:
            return Assignment(themes, tuple(found[order[0]]))
        return Assignment(themes, tuple(chain.from_iterable(map(found.__getitem__, order))))


@lru_cache(maxsize=8)
def _matcher_for(codebook: Codebook) -> Matcher:
    return Matcher(codebook)


def matcher(codebook: Codebook | None = None) -> Matcher:
    """The (cached) compiled matcher for ``codebook`` (default codebook if None)."""
    return _matcher_for(codebook if codebook is not None else load_codebook())


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a batch, restoring its previous state.

    A batch creates many long-lived objects (results, caches) and no reference cycles; with
    the collector on, its full passes walk all of them again and again (15% of a cold run).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def assign(texts: Iterable[str], codebook: Codebook | None = None) -> list[Assignment]:
    """Assign themes to each text (multi-label); identical texts are matched once."""
    m = matcher(codebook)
    memo: dict[str, Assignment] = {}
    out: list[Assignment] = []
    with _gc_paused():
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
