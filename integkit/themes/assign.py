"""Multi-label theme assignment that explains itself (which words matched which theme).

An answer is split into tokens; each distinct token is analysed once (integkit.text.normalize)
and matched against the codebook's lemma and compound-part signals. Phrases are matched as word
sequences and regular expressions on the folded text (tokens folded and joined by single spaces).
Counter-signals veto a theme for single words ("Handarbeiten" is not arbeit) or for text spans
("in der Unterkunft" as a place is not wohnen).

A keyword alone is not enough (THEMES.md), so the words are then read in their context, which the
punctuation between the tokens tells:

- a place word of a theme after a locative preposition ("in der Turnhalle der Grundschule") is
  only the setting when its clause is about another theme ("Das Sprachcafé findet ... statt");
- in a sentence with a structure or listing word (Netzwerk, Runder Tisch, Wegweiser), the items of
  an enumeration that follows it name members or topics only ("Im Netzwerk sitzen Kita, Schule,
  Helferkreis und Jobcenter" is strukturen alone);
- the codebook's incidental patterns (the destination of a trip: "Fahrten zum Zahnarzt") count for
  no theme.

Codebook patterns run with the ``regex`` module and a time limit per answer, so that a
catastrophic pattern ("(a+)+$") ends with one clear error instead of hanging a report. A pattern
that spans words and starts with a word or a choice of words (``\\b(info|newsletter) ...``) runs
only on the answers that hold one of those words and, if it needs more words further on
(``... (fehlt|fehlen)``), one word of the rarest such choice.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

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

# What the punctuation between two tokens says: a sentence ends, a clause ends, a list item ends.
_SENTENCE_GAP = re.compile(r"[.!?;\n]")
_CLAUSE_GAP = re.compile(r"[.!?;\n,:()\u2013\u2014]|\s-\s")
_LIST_GAP = re.compile(r"[,:/\u2013\u2014]|\s-\s")
_COORDINATORS = frozenset({"und", "oder", "sowie", "bzw", "and", "or", "bis"})
_RELATIVE = frozenset({"der", "die", "das", "welche", "welcher", "wo", "who", "that", "which"})  # opens a relative clause after a comma
# "zwischen A und B", "von A bis B": two items are a list too.
_PAIR_OPENERS = {"und": ("zwischen",), "and": ("between",), "bis": ("von", "vom")}
_FRAME_REACH = 6  # tokens from a list frame to the first item of a list it governs
_GAP = "…"  # in a list frame: the words of a separable verb stand apart ("sitzen … zusammen")
_SEPARABLE_REACH = 14  # tokens from the first part of a separable frame to its last word
_LIST_REACH = 8  # tokens from the end of a governed list to the next list it governs too ("..., von A bis B")
# Prepositions of place (a building: "in der Schule"; "an der Schule" is where a service belongs,
# as in "Sozialarbeit an der Mittelschule"), the ones that hold an article, the articles of place
# that follow the others (dative: "in der Schule", not "in die Schule" or "über die Anmeldung"),
# and the words that may stand between a noun and its preposition. Without an article ("in
# Kitas") the word names the institution, not a building.
_LOCATIVE = frozenset({"in", "auf", "neben", "uber", "vor", "hinter", "gegenuber", "inside"})
_LOCATIVE_WITH_ARTICLE = frozenset({"im"})
_PLACE_ARTICLES = frozenset("der den dem einer einem unserer unserem unseren ihrer ihrem ihren dieser diesem diesen allen the our their".split())
_ARTICLES = frozenset(
    "der die das den dem des ein eine einer einem eines unser unsere unserer unserem unseren ihrer ihrem ihren "
    "dieser diesem diesen allen alle the a an our their of".split()
)

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
    return not _content_tokens(text)[0]


_Tokens = tuple[str, ...]
_NOTHING: tuple[_Tokens, _Tokens, _Tokens] = ((), (), ())


def _content_tokens(text: object) -> tuple[_Tokens, _Tokens, _Tokens]:
    """The tokens of an answer without its contact details, the characters before each one (see
    integkit.text.normalize.tokens_and_gaps) and the folded tokens; all empty for an answer
    without content. Tuples, which the garbage collector stops tracking, as answers are many."""
    if not isinstance(text, str):
        return _NOTHING
    stripped = _PHONE_RE.sub(" ", text)
    if "@" in stripped or "://" in stripped or "www." in stripped:  # the address pattern is slow: only when needed
        stripped = _ADDRESS_RE.sub(" ", stripped)
    toks, gaps = T.tokens_and_gaps(stripped)
    folded = list(map(T.fold, toks))
    text_folded = " ".join(folded)
    if not text_folded or _NON_ANSWER_RE.match(text_folded):
        return _NOTHING
    if stripped != text and len(toks) <= _CONTACT_MAX_TOKENS:
        return _NOTHING
    if _THANKS_RE.match(text_folded) and len(toks) <= _THANKS_MAX_TOKENS and not _BUT & set(folded):
        return _NOTHING
    return tuple(toks), tuple(gaps), tuple(folded)


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
# keys of at least _FUZZY_MIN letters and tokens of word size, and never the first letter, which
# typists rarely miss but which turns words into others ("erfahren" is not "verfahren").
_FUZZY_MIN = 6
_FUZZY_MAX = 40


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(1, len(word))]


# A pattern without any of these cannot reach past its word, so it is run once per distinct
# word instead of on every answer's text (patterns like \bsprach\w* are most of a codebook).
_SPANNING = (" ", "\\s", "\\S", "\\W", "\\D", "[^", "^", "$", "\\A", "\\Z", "(?=", "(?!", "(?<")


def _is_word_level(pattern: str) -> bool:
    """True if ``pattern`` only ever matches inside one word (no space, \\s, \\W, ., anchor or look-around)."""
    return not any(s in pattern for s in _SPANNING) and "." not in pattern.replace("\\.", "")


def _span_regex(pattern: str) -> regex.Pattern:
    """A pattern compiled to run on answers' folded texts joined by newlines
    (MULTILINE only where it matters: ^ and $ then mean the answer's start and end)."""
    return regex.compile(pattern, regex.MULTILINE if "^" in pattern or "$" in pattern else 0)


_LETTERS_RE = re.compile(r"[a-z]+")


def _leading_words(pattern: str) -> tuple[bool, tuple[str, ...]] | None:
    """The words one of which every match of ``pattern`` (or of its leading look-behind) starts
    with, and whether they start a word (the pattern begins with ``\\b``) or may sit inside one
    (no ``\\b``, or ``\\w*`` before them): ``\\b(info|newsletter)\\w* ...`` → (True, ("info",
    "newsletter")). None if the pattern does not begin with a plain word or a group of choices that
    each begin with letters."""
    if _top_level_choice(pattern):
        return None
    if pattern.startswith("(?<="):
        # what follows the look-behind starts the match itself: more telling than its first words
        _, end = _split_group(pattern[4:])
        after = _leading_words(pattern[4 + end + 1 :]) if end is not None else None
        if after is not None:
            return after
    rest = pattern[4:] if pattern.startswith("(?<=") else pattern
    bounded = rest.startswith("\\b")
    rest = rest[2:] if bounded else rest
    if rest.startswith(("\\w*", "\\w+")):  # "\w*(?:arzt|therapeut)": the words sit inside a longer one
        bounded, rest = False, rest[3:]
    if rest.startswith("(?:") or (rest.startswith("(") and not rest.startswith("(?")):
        body = rest[3:] if rest.startswith("(?:") else rest[1:]
        choices, end = _split_group(body)
        if end is None or body[end + 1 : end + 2] in ("?", "*", "{"):
            return None  # an optional group proves nothing
    else:
        choices = [rest]
    words = [_leading_letters(choice) for choice in choices]
    return (bounded, tuple(words)) if all(words) else None


_QUANTIFIER_RE = re.compile(r"\{\d*,?\d*\}")
_PLAIN_ESCAPES = frozenset("bBwWsSdDK")  # escapes without an argument (\p{..}, \N{..} have one)


def _required_words(pattern: str) -> list[tuple[str, ...]] | None:
    """Groups of words such that every match of ``pattern`` (with its look-arounds) holds one word
    of each group: its plain words and its groups of choices that are not optional, each choice
    by its leading letters. ``\\bbewohner\\w* (der|des) gu\\b`` → [("bewohner",), ("der", "des"),
    ("gu",)]. Only letters count, so each word sits inside one token of the folded text. None for
    what is not read here (inline flags, named groups, escapes with arguments)."""
    if _top_level_choice(pattern):
        return []
    needs: list[tuple[str, ...]] = []
    run, i = "", 0
    while i < len(pattern):
        ch = pattern[i]
        if "a" <= ch <= "z" and pattern[i + 1 : i + 2] not in ("?", "*", "{"):  # not an optional letter
            run += ch
            i += 1
            continue
        if run:
            needs.append((run,))
            run = ""
        if ch == "\\":
            if pattern[i + 1 : i + 2].isalpha() and pattern[i + 1] not in _PLAIN_ESCAPES:
                return None
            i += 2
        elif ch == "[":
            i = pattern.find("]", i + 2) + 1 or len(pattern)
        elif ch == "{":
            m = _QUANTIFIER_RE.match(pattern, i)
            if m is None:
                return None  # fuzzy matching ({e<=1}) or a literal brace
            i = m.end()
        elif ch == "(":
            head = next((h for h in ("(?:", "(?=", "(?<=", "(?!", "(?<!") if pattern.startswith(h, i)), "(")
            if head == "(" and pattern.startswith("(?", i):
                return None
            choices, end = _split_group(pattern[i + len(head) :])
            if end is None:
                return None
            i += len(head) + end + 1
            if head in ("(?!", "(?<!") or pattern[i : i + 1] in ("?", "*", "{"):
                continue  # a negative look-around or an optional group requires nothing
            if len(choices) == 1:
                inner = _required_words(choices[0])
                if inner is None:
                    return None
                needs += inner
            else:
                words = [_leading_letters(choice) for choice in choices]
                if all(words):
                    needs.append(tuple(words))
        else:
            i += 1
    if run:
        needs.append((run,))
    return needs


def _leading_letters(choice: str) -> str:
    """The letters a choice of a group starts with, less an optional last one ("permits?" → "permit")."""
    m = _LETTERS_RE.match(choice)
    word = m.group(0) if m else ""
    return word[:-1] if word and choice[len(word) : len(word) + 1] in ("?", "*", "{") else word


def _rare_words(pattern: str, lead: tuple[bool, tuple[str, ...]] | None) -> tuple[str, ...]:
    """The group of ``pattern``'s required words other than its leading words whose shortest word is
    longest (short words sit inside many others), () if there is none."""
    groups = [g for g in _required_words(pattern) or () if lead is None or g != lead[1]]
    return max(groups, key=lambda g: min(map(len, g)), default=())


def _split_group(body: str) -> tuple[list[str], int | None]:
    """The top-level choices of a group whose text starts after its "(" and the index of its ")"."""
    depth, start, choices, i = 0, 0, [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":  # a character class may hold ( | ) as plain characters
            i = body.find("]", i + 2) + 1 or len(body)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                choices.append(body[start:i])
                return choices, i
            depth -= 1
        elif ch == "|" and depth == 0:
            choices.append(body[start:i])
            start = i + 1
        i += 1
    return choices, None


def _top_level_choice(pattern: str) -> bool:
    """True if ``pattern`` is a choice at its top level (``a b|c d``)."""
    choices, end = _split_group(pattern + ")")
    return end is None or len(choices) > 1


def _span_rule(pattern: str, theme: int, where: str, counter: bool) -> _Rule:
    folded = T.fold_pattern(pattern)
    lead = _leading_words(folded)
    return _Rule(_span_regex(folded), theme, pattern, where, counter, lead, _rare_words(folded, lead))


def _word_rule(pattern: str, theme: int, where: str, counter: bool) -> _Rule:
    folded = T.fold_pattern(pattern)
    return _Rule(regex.compile(folded), theme, pattern, where, counter, _leading_words(folded))


@dataclass(frozen=True, slots=True)
class _Rule:
    """A pattern of one theme (or, with theme -1, an incidental one), run on a folded word or on the
    folded texts of answers."""

    rx: regex.Pattern
    theme: int  # index in the codebook; -1: the words of a match count for no theme
    source: str  # the pattern as written in the codebook, for error messages
    where: str  # "<codebook file>: theme '<id>'"
    counter: bool = False
    lead: tuple[bool, tuple[str, ...]] | None = None  # see _leading_words
    rare: tuple[str, ...] = ()  # words one of which an answer must hold besides the leading ones: see _rare_words

    def may_match(self, word: str) -> bool:
        """False if a folded word cannot hold a match: it lacks the pattern's leading words."""
        if self.lead is None:
            return True
        bounded, words = self.lead
        return any(word.startswith(w) for w in words) if bounded else any(w in word for w in words)

    def matches(self, folded: str) -> list[regex.Match]:
        """Every match in one folded word or answer; PatternTimeoutError past the time limit."""
        try:
            return list(self.rx.finditer(folded, timeout=PATTERN_TIMEOUT))
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
            limit = PATTERN_TIMEOUT * max(1.0, len(batch.joined) / _BATCH_CHARS)
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


class _PerWord(dict):
    """``compute(word)`` cached by word, computed on the first lookup (``cache[word]``): lookups
    by ``map(cache.__getitem__, words)`` spare a Python call per word of every answer."""

    def __init__(self, compute: Callable[[str], Any]):
        super().__init__()
        self.compute = compute

    def __missing__(self, word: str) -> Any:
        value = self[word] = self.compute(word)
        return value


@dataclass(slots=True)  # not frozen: a frozen dataclass takes three times as long to build, and hits are many
class _Hit:
    """One piece of evidence and the tokens (first to last) it rests on."""

    theme: int
    first: int
    last: int
    words: str
    signal: str


class Matcher:
    """A codebook compiled for matching; build once (``matcher()`` caches it), reuse for many answers.

    What depends on one token only (its lemma and compound-part hits, counter words, which span
    patterns it may start) is worked out once per distinct token; phrases, span patterns and the
    context run on each answer.
    """

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.ids = codebook.ids
        self._whole: dict[str, list[tuple[int, str]]] = {}  # key → (theme, signal): whole words
        self._part: dict[str, list[tuple[int, str]]] = {}  # key → (theme, signal): compound parts
        self._counter_words: list[tuple[str, ...]] = []
        self._places: list[tuple[str, ...]] = []
        self._word_signals: list[_Rule] = []  # patterns within one word: run per distinct token
        self._word_counters: list[list[_Rule]] = []
        self._phrases: dict[str, list[tuple[tuple[str, ...], int, bool]]] = {}  # first word → (words, theme, counter)
        self._spans: list[_Rule] = []  # patterns across words: run on the answers that may hold a match
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
            for phrases, counter in ((s.phrases, False), (c.phrases, True)):
                for phrase in phrases:
                    words = tuple(T.fold(w) for w in T.tokens(phrase))
                    if words:
                        self._phrases.setdefault(words[0], []).append((words, ti, counter))
            self._word_counters.append([])
            for patterns, counter in ((s.patterns, False), (c.patterns, True)):
                for pattern in patterns:
                    if not _is_word_level(pattern):
                        self._spans.append(_span_rule(pattern, ti, where, counter))
                    elif counter:
                        self._word_counters[ti].append(_word_rule(pattern, ti, where, True))
                    else:
                        self._word_signals.append(_word_rule(pattern, ti, where, False))
            self._counter_words.append(tuple(T.fold(w) for w in c.words))
            self._places.append(tuple(T.fold(w) for w in c.places))
        for pattern in codebook.incidental.patterns:
            self._spans.append(_span_rule(pattern, -1, f"{source}: incidental", True))
        self._frames = tuple(words for f in codebook.incidental.list_frames if (words := _frame_words(f)))
        self._frame_lasts = tuple(sorted({words[-1] for words in self._frames}))
        self._other_topics = tuple(T.fold(w) for w in codebook.incidental.other_topics)
        # Span patterns by their leading words (those without run on every answer) and by their
        # rare words (see _rare_words): a pattern runs on the answers that hold both.
        self._always = frozenset(i for i, r in enumerate(self._spans) if r.lead is None)
        self._unrare = frozenset(i for i, r in enumerate(self._spans) if not r.rare)
        self._rare_infix: dict[str, list[int]] = {}
        for i, rule in enumerate(self._spans):
            for word in rule.rare:
                self._rare_infix.setdefault(word, []).append(i)
        self._lead_prefix: dict[str, list[int]] = {}
        self._lead_infix: list[tuple[str, int]] = []
        for i, rule in enumerate(self._spans):
            if rule.lead is not None:
                bounded, words = rule.lead
                for word in words:
                    if bounded:
                        self._lead_prefix.setdefault(word, []).append(i)
                    else:
                        self._lead_infix.append((word, i))
        self._lead_lengths = sorted({len(w) for w in self._lead_prefix})
        self._leads_in = _PerWord(self._lead_ids)
        self._rares_in = _PerWord(self._rare_ids)
        self._blocks: dict[tuple[int, str], bool] = {}
        self._place_cache: dict[tuple[int, str], bool] = {}
        self._frame_cache: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._holds_frame_word = _PerWord(lambda word: any(last in word for last in self._frame_lasts))
        self._topic_cache: dict[str, bool] = {}
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
        self._hits = _PerWord(self._compute_token_hits)

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
        return self._hits[token]

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
            if rule.theme not in hits and rule.may_match(info.folded):
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
        """True if a counter word or one-word counter pattern of theme ``ti`` occurs in the folded token (cached)."""
        key = (ti, folded)
        found = self._blocks.get(key)
        if found is None:
            found = self._blocks[key] = any(w in folded for w in self._counter_words[ti]) or any(
                r.may_match(folded) and r.matches(folded) for r in self._word_counters[ti]
            )
        return found

    def _lead_ids(self, folded: str) -> frozenset[int]:
        """The span patterns (indices) whose leading words a folded token holds."""
        ids = {i for n in self._lead_lengths for i in self._lead_prefix.get(folded[:n], ())}
        ids.update(i for word, i in self._lead_infix if word in folded)
        return frozenset(ids)

    def _rare_ids(self, folded: str) -> frozenset[int]:
        """The span patterns (indices) whose rare words a folded token holds."""
        return frozenset(i for word, ids in self._rare_infix.items() if word in folded for i in ids)

    def assign_one(self, text: str) -> Assignment:
        """Themes and evidence for one answer."""
        return self.assign_many([text])[0]

    def assign_many(self, texts: list[str]) -> list[Assignment]:
        """Themes and evidence for each answer; span patterns run once per batch of answers.

        Each batch's tokens are prepared just before it is matched and dropped after it, so that
        the garbage collector does not walk the token lists of every answer again and again.
        """
        out: list[Assignment] = []
        start = 0
        while start < len(texts):  # batches of about _BATCH_CHARS characters (at least one answer)
            prepared: list[tuple[_Tokens, _Tokens, _Tokens]] = []
            size = 0
            while start + len(prepared) < len(texts) and (not prepared or size < _BATCH_CHARS):
                prepared.append(_content_tokens(texts[start + len(prepared)]))
                folded = prepared[-1][2]
                size += sum(map(len, folded)) + len(folded)
            spans = self._span_matches([words for _, _, words in prepared])
            for (toks, gaps, words), found in zip(prepared, spans):
                out.append(self._combine(toks, gaps, words, found))
            start += len(prepared)
        return out

    def _span_matches(self, folded: Sequence[Sequence[str]]) -> list[list[tuple[_Rule, list[tuple[int, int, str]]]]]:
        """Per answer, (rule, matches) of every span pattern that matches it, in codebook order."""
        by_rule: dict[int, list[int]] = {}
        leads_in, rares_in = self._leads_in.__getitem__, self._rares_in.__getitem__
        for i, words in enumerate(folded):
            if words:
                leads = self._always.union(*map(leads_in, words))
                for r in leads.intersection(self._unrare.union(*map(rares_in, words))):
                    by_rule.setdefault(r, []).append(i)
        texts = [" ".join(words) for words in folded]
        out: list[list[tuple[_Rule, list[tuple[int, int, str]]]]] = [[] for _ in folded]
        for r in sorted(by_rule):
            answers = by_rule[r]
            rule = self._spans[r]
            for j, found in rule.matches_each(_Batch([texts[i] for i in answers])).items():
                out[answers[j]].append((rule, found))
        return out

    def _phrase_matches(self, folded: Sequence[str]) -> Iterator[tuple[int, int, int, bool, str]]:
        """(first token, last token, theme, counter, phrase) of every codebook phrase in an answer."""
        for k, starting in enumerate(map(self._phrases.get, folded)):  # the phrases each word starts, or None
            for words, ti, counter in starting or ():
                if tuple(folded[k : k + len(words)]) == words:
                    yield k, k + len(words) - 1, ti, counter, " ".join(words)

    def _combine(self, toks: Sequence[str], gaps: Sequence[str], folded: Sequence[str], spans) -> Assignment:
        """One answer's word hits, phrases, span matches and context as an Assignment."""
        if not toks:
            return NO_THEMES
        where = _Spans(folded)
        phrases = list(self._phrase_matches(folded)) if self._phrases else []
        suppressed: set[tuple[int, int]] = set()  # (theme index, token index)
        incidental: set[int] = set()  # token indices that count for no theme
        for first, last, ti, counter, _ in phrases:
            if counter:
                suppressed.update((ti, k) for k in range(first, last + 1))
        for rule, found in spans:
            if rule.counter:
                for m in found:
                    ks = where.covered(m)
                    if rule.theme < 0:
                        incidental.update(ks)
                    else:
                        suppressed.update((rule.theme, k) for k in ks)
        hits: list[_Hit] = []
        for k, found in enumerate(map(self._hits.__getitem__, toks)):  # token_hits() of each token
            if found and k not in incidental:
                for ti, sig in found:
                    if not suppressed or (ti, k) not in suppressed:
                        hits.append(_Hit(ti, k, k, toks[k], sig))

        def free(ti: int, ks: range) -> bool:  # some token of the span still counts for theme ti
            return any((ti, k) not in suppressed and k not in incidental and not self._blocked(ti, folded[k]) for k in ks)

        for first, last, ti, counter, phrase in phrases:
            if not counter and free(ti, range(first, last + 1)):
                hits.append(_Hit(ti, first, last, " ".join(toks[first : last + 1]), phrase))
        for rule, found in spans:
            if not rule.counter:
                for m in found:
                    ks = where.covered(m)
                    if free(rule.theme, ks):
                        hits.append(_Hit(rule.theme, ks.start, ks.stop - 1, " ".join(toks[ks.start : ks.stop]), m[2]))
        if hits:
            hits = self._in_context(hits, toks, gaps, folded)
        if not hits:
            return NO_THEMES
        order = sorted({h.theme for h in hits})
        evidence = tuple((self.ids[ti], h.words, h.signal) for ti in order for h in hits if h.theme == ti)
        return Assignment(tuple(self.ids[ti] for ti in order), evidence)

    def _in_context(self, hits: list[_Hit], toks: Sequence[str], gaps: Sequence[str], folded: Sequence[str]) -> list[_Hit]:
        """``hits`` without the words their context makes incidental: listed members or topics of a
        structure (THEMES.md case 6) and places that are only the setting (case 1)."""
        layout: _Layout | None = None
        # a cheap test first: most answers hold no frame word at all
        if self._frames and any(map(self._holds_frame_word.__getitem__, folded)):
            frames = {k for k, word in enumerate(folded) if self._frames_ending(word) and self._is_frame(folded, k)}
        else:
            frames = set()
        if frames:
            layout = _Layout(toks, gaps, folded)
            listed = layout.listed(frames)
            if listed:
                hits = [h for h in hits if not all(k in listed for k in range(h.first, h.last + 1))]
        places = self._places
        if not any(places[h.theme] for h in hits):
            return hits
        candidates = [h.first == h.last and self._is_place(h.theme, folded[h.first]) for h in hits]
        if not any(candidates):
            return hits
        layout = layout or _Layout(toks, gaps, folded)
        place = [c and layout.locative(h.first) for h, c in zip(hits, candidates)]
        if not any(place):
            return hits
        about: dict[int, set[int]] = {}  # clause → themes with evidence there that is not a place (-1: another topic)
        for h, p in zip(hits, place):
            if not p:
                for k in range(h.first, h.last + 1):
                    about.setdefault(layout.clause[k], set()).add(h.theme)
        for k, word in enumerate(folded):
            if self._is_other_topic(word):
                about.setdefault(layout.clause[k], set()).add(-1)
        kept = []
        for h, p in zip(hits, place):
            themes = about.get(layout.clause[h.first], set())
            if not p or h.theme in themes or not themes:
                kept.append(h)
        return kept

    def _is_place(self, ti: int, folded: str) -> bool:
        """True if a folded token is one of theme ``ti``'s place words or a compound ending in one
        (Grundschule, Gemeinschaftsunterkunft), in the singular: one building ("in der Kita"), not
        the institutions ("Sprachförderung in den Kitas")."""
        places = self._places[ti]
        if not places:
            return False
        key = (ti, folded)
        found = self._place_cache.get(key)
        if found is None:
            found = self._place_cache[key] = any(folded == p or (len(p) >= 3 and folded.endswith(p)) for p in places)
        return found

    def _is_other_topic(self, folded: str) -> bool:
        """True if a folded token starts or ends with a word of a topic the codebook lacks (cached)."""
        found = self._topic_cache.get(folded)
        if found is None:
            variants = T.variants(folded)
            found = self._topic_cache[folded] = any(v.startswith(w) or v.endswith(w) for v in variants for w in self._other_topics)
        return found

    def _is_frame(self, folded: Sequence[str], k: int) -> bool:
        """True if a list frame ends at token ``k``: its last word starts or ends the token
        (Netzwerkarbeit, Helfernetzwerk) and its other words precede it ("runder Tisch"). A separable
        frame ("sitzen … zusammen") ends at its last word itself, and its first part comes a few
        words before ("da sitzen Schule, Pfarrei und Rathaus zusammen")."""
        for words in self._frames_ending(folded[k]):
            if _GAP not in words:
                if len(words) == 1 or tuple(folded[max(0, k - len(words) + 1) : k]) == words[:-1]:
                    return True
                continue
            cut = words.index(_GAP)
            head, tail = words[:cut], words[cut + 1 :]
            end = k - len(tail) + 1  # where the tail starts
            if folded[k] != tail[-1] or tuple(folded[max(0, end) : k]) != tail[:-1]:
                continue
            starts = range(max(0, end - _SEPARABLE_REACH), end - len(head))
            if any(tuple(folded[j : j + len(head)]) == head for j in starts):
                return True
        return False

    def _frames_ending(self, folded: str) -> tuple[tuple[str, ...], ...]:
        """The list frames whose last word starts or ends a folded token (cached)."""
        found = self._frame_cache.get(folded)
        if found is None:
            variants = T.variants(folded)
            found = self._frame_cache[folded] = tuple(
                words for words in self._frames if any(v.startswith(words[-1]) or v.endswith(words[-1]) for v in variants)
            )
        return found


class _Spans:
    """Maps a match on the folded text (tokens joined by single spaces) to the tokens it touches."""

    def __init__(self, folded: Sequence[str]):
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


class _Layout:
    """An answer's clauses, sentences and enumerations, read from the punctuation between its tokens."""

    def __init__(self, toks: Sequence[str], gaps: Sequence[str], folded: Sequence[str]):
        self.toks, self.gaps, self.folded = toks, gaps, folded
        self.clause: list[int] = []
        self.sentence: list[int] = []
        clause = sentence = 0
        for k, gap in enumerate(gaps):
            # an item of a numbered list ("2) Formulare ...") is a sentence of its own
            numbered = toks[k].isdigit() and k + 1 < len(gaps) and gaps[k + 1].lstrip().startswith(")")
            plain = gap == " "  # most gaps: no sentence or clause ends there
            if k and ((not plain and _SENTENCE_GAP.search(gap)) or numbered):
                sentence += 1
                clause += 1
            elif k and not plain and _CLAUSE_GAP.search(gap):
                clause += 1
            self.clause.append(clause)
            self.sentence.append(sentence)

    def locative(self, k: int) -> bool:
        """True if token ``k`` ends a phrase of place in its clause: "in der (neuen) Turnhalle der
        Schule", "im Kindergarten", "in the accommodation"."""
        others = 0
        for j in range(k - 1, max(-1, k - 6), -1):
            word = self.folded[j]
            if self.clause[j] != self.clause[k]:
                return False
            if word in _LOCATIVE_WITH_ARTICLE:
                return True
            if word in _LOCATIVE:  # "in der Schule"; "in die Räume der Beratungsstelle" (the rooms of a place)
                return j + 1 < k and (self.folded[j + 1] in _PLACE_ARTICLES or (j + 2 < k and self.folded[k - 1] in ("der", "des")))
            if word not in _ARTICLES:
                others += 1
                if others > 2:
                    return False
        return False

    def listed(self, frames: set[int]) -> set[int]:
        """Token indices of the enumerations that follow a list frame (token indices ``frames``) in
        their sentence."""
        out: set[int] = set()
        sentences: dict[int, list[int]] = {}
        for k, s in enumerate(self.sentence):
            sentences.setdefault(s, []).append(k)
        for ks in sentences.values():
            here = frames.intersection(ks)
            if here:
                reach: int | None = None  # a list counts if it starts soon after a frame or a list that counts
                for items in sorted(self._enumerations(ks, here)):
                    start = min(items)
                    if any(0 < start - k <= _FRAME_REACH for k in here) or (reach is not None and 0 <= start - reach <= _LIST_REACH):
                        out.update(items)
                        reach = max(items) if reach is None else max(reach, max(items))
                    elif any(self._governs_before(max(items), k) for k in here):
                        # "eine Beauftragte, die Schule, Kita und Verein zusammenbringt": the items of the
                        # relative clause only; the Beauftragte before it is what the answer asks for
                        opener = max((j for j in range(start + 1, max(items)) if self.folded[j] in _RELATIVE and "," in self.gaps[j]), default=-1)
                        out.update(k for k in items if k > opener)
        return out

    def _governs_before(self, end: int, frame: int) -> bool:
        """True if the frame at ``frame`` closes the clause of a list ending at ``end``, as a German
        verb at the end does ("dass Schule, Pfarrei und Verein sich an einen Tisch setzen"). The word after
        the list is not a noun (capitalised), which would make the frame an item ("Wohnraum, Sprachkurse,
        bessere Vernetzung"); in an answer without capitals that cannot be told, and no list counts."""
        if not 0 < frame - end <= _FRAME_REACH or any(_CLAUSE_GAP.search(self.gaps[j]) for j in range(end + 1, frame + 1)):
            return False
        return self.toks[end + 1][:1].islower() and any(t[:1].isupper() for t in self.toks)

    def _content(self, k: int) -> bool:
        return not self.toks[k].isdigit() and not T.word_info(self.toks[k]).is_stopword

    def _enumerations(self, ks: list[int], frames: set[int]) -> list[list[int]]:
        """The items (one content word each) of every list in one sentence: three or more items
        split by commas, slashes, dashes or und/oder/sowie/bis, or "zwischen A und B", "von A bis B"."""
        segments: list[list[int]] = [[]]
        for k in ks:
            if self.folded[k] in _COORDINATORS:
                if segments[-1]:
                    segments.append([])
                continue
            if segments[-1] and _LIST_GAP.search(self.gaps[k]):
                segments.append([])
            segments[-1].append(k)
        content = [[k for k in seg if k not in frames and self._content(k)] for seg in segments]
        short = [len(c) == 1 and not frames.intersection(seg) for seg, c in zip(segments, content)]
        lists: list[list[int]] = []
        i = 0
        while i < len(segments):
            if not short[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(segments) and short[j + 1]:
                j += 1
            items = [c[0] for c in content[i : j + 1]]
            if i > 0 and content[i - 1]:
                items.insert(0, content[i - 1][-1])
            if j + 1 < len(segments) and content[j + 1]:
                items.append(content[j + 1][0])
            if len(items) >= 3:
                lists.append(items)
            i = j + 1
        for n, k in enumerate(ks):
            openers = _PAIR_OPENERS.get(self.folded[k])
            if not openers:
                continue
            before = [j for j in ks[max(0, n - 5) : n] if self.folded[j] in openers]
            after = [j for j in ks[n + 1 : n + 4] if self._content(j)]
            if before and after:
                items = [j for j in ks if before[-1] < j < k and self._content(j)] + after[:1]
                if len(items) >= 2:
                    lists.append(items)
        return lists


def _frame_words(frame: str) -> tuple[str, ...]:
    """A list frame's folded words, with ``_GAP`` where its parts stand apart."""
    parts = [tuple(map(T.fold, T.tokens(part))) for part in frame.split(_GAP)]
    if not all(parts):
        return ()
    return sum(((*p, _GAP) for p in parts[:-1]), ()) + parts[-1]


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
