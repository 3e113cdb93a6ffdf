"""German normalisation of free-text answers: tokens, folding, lemmas, compounds, stop words.

Survey answers are short, informal and often typed without umlauts ("Behoerde",
"Sprachforderung") or with gender forms ("Helfer*innen"). Everything that compares words
(theme assignment, discovery, search, word clouds) goes through this module so that all of
them agree on what counts as "the same word".

The expensive steps (simplemma lemmas, HanTa compound analysis) are cached per unique
token, so large inputs cost little more than their vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import simplemma
from stop_words import get_stop_words

__all__ = [
    "STOPWORDS",
    "TokenInfo",
    "WordInfo",
    "analyze",
    "compound_parts",
    "content_terms",
    "content_words",
    "is_content_word",
    "fold",
    "fold_text",
    "lemma",
    "load_models",
    "normalize_gender",
    "noun_form",
    "tokens",
    "tokens_and_gaps",
    "variants",
    "word_info",
]

# Words the generic stop list drops but that carry meaning in feedback ("leider fehlt mehr ...").
KEEP_WORDS = frozenset({"gut", "gute", "guten", "schlecht", "mehr", "weniger", "wenig", "fehlt", "fehlen", "leider", "viel", "viele"})

# Bavarian and colloquial function words and fillers ("des is hoid scho so", "mia san ned ...")
# that the standard list lacks; they say nothing about a topic and would fill word clouds.
COLLOQUIAL_STOPWORDS = frozenset(
    """
    a aa ah do eh etz fia gell gibt gibts gö gwen gwesn halt ham hob hod hoid hoit hom i is
    jetzad jo koa koan koane ma mi mia mid na ned net nia nimma ois oiwei oba owa san scho
    vo wia woi wos zua des dann
    """.split()
)

# Inflection endings stripped (once) to build match variants; "er" is left alone (Lehrer/Lehre).
_SUFFIXES = ("innen", "en", "es", "e", "n", "s", "a")  # "a": Bavarian plurals (Wohnunga, Kinda)
_MIN_STEM = 3
MIN_COMPOUND_LEN = 7  # shorter words are not worth a HanTa analysis
# HanTa's analysis grows much faster than a word's length; no German compound is this long, and
# an answer may hold a megabyte without a space, so longer tokens are taken whole
_MAX_COMPOUND_LEN = 64

# Helfer*innen, Helfer:innen, Helfer_innen, Helfer/innen, Helfer/-innen, HelferInnen (also inside
# compounds: Helfer*innenkreis), Helfer*in, and a bare *r ending (Ehrenamtliche*r).
_GENDER_RE = re.compile(r"(?<=[a-zäöüß])(?:(?:[*:_·/]-?i|I)nnen|(?:[*:_·/]-?i|I)n\b|[*:_]r\b)")
_GENDER_MARKS = frozenset("*:_·/")
# Every match of _GENDER_RE follows a lowercase letter and starts with a mark, "-i" after a
# mark, or "I": plain substring tests, then this search, spare most texts the substitution.
_GENDER_HINT = re.compile(r"[a-zäöüß](?:[*:_·/]-?i|I|[*:_]r)")
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN_SPLIT_RE = re.compile(r"([^\W_]+)", re.UNICODE)
_DIGRAPH_RE = re.compile(r"([aou])e")
_RESTORE = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("Ae", "Ä"), ("Oe", "Ö"), ("Ue", "Ü"))


def normalize_gender(text: str) -> str:
    """Reduce gender forms (Helfer*innen, Helfer:innen, HelferInnen, Helfer/-innen) to the base word."""
    if ("In" in text or ":" in text or "*" in text or "/" in text or "_" in text or "·" in text) and _GENDER_HINT.search(text):
        return _GENDER_RE.sub("", text)
    return text


def tokens(text: str) -> list[str]:
    """Split ``text`` into word tokens (letters and digits; hyphens and punctuation separate words)."""
    if not text:
        return []
    return _TOKEN_RE.findall(normalize_gender(text))


def tokens_and_gaps(text: str) -> tuple[list[str], list[str]]:
    """:func:`tokens` of ``text`` and, per token, the characters between it and the token before
    (spaces, punctuation), so that a caller can tell where clauses, sentences and lists end."""
    if not text:
        return [], []
    parts = _TOKEN_SPLIT_RE.split(normalize_gender(text))  # gap, token, gap, token, ..., gap
    return parts[1::2], parts[0:-1:2]


_UMLAUTS = (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss"))


def fold_text(s: str) -> str:
    """Uncached :func:`fold` for whole texts (character-wise, so it keeps word boundaries)."""
    s = s.lower()
    if not s.isascii():
        for umlaut, plain in _UMLAUTS:
            s = s.replace(umlaut, plain)
        if not s.isascii():
            # NFKD can give capitals ("𝚨" → "Α"): lowercase again so that folding is idempotent
            s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch)).lower()
    return _fold_digraphs(s)


def _fold_digraphs(s: str) -> str:
    """ae/oe/ue → a/o/u until none is left, so that folding is idempotent ("oee" → "o")."""
    while _DIGRAPH_RE.search(s):
        s = _DIGRAPH_RE.sub(r"\1", s)
    return s


# The parts of a regular expression that are syntax, not text: escapes (\\b, \\w, \\p{L}), character
# classes, group openers ((?:, (?<=, (?P<name>, (?i)) and repeats (?, *, +, {0,3}).
_PATTERN_SYNTAX_RE = re.compile(
    r"\\[pPN]\{[^}]*\}|\\.|\[\^?\]?(?:\\.|[^\]\\])*\]"
    r"|\(\?(?:P?<[A-Za-z_]\w*>|P=\w+\)|<[=!]|[=!:>|]|#[^)]*\)|[a-zA-Z-]+[:)])|\{\d*,?\d*\}|[?*+]",
    re.S,
)


def fold_pattern(pattern: str) -> str:
    """A codebook pattern folded like the text it runs on, so that "dauert", "Frauen" or "für" in
    it match the folded "daurt", "fraun", "fur": its literal letters are folded; escapes,
    character classes and group syntax stay as written.

    A letter followed by a repeat (``ue?``) is folded on its own: joined into a digraph, the
    repeat would move onto the letter before.
    """
    out, pos = [], 0
    for m in (*_PATTERN_SYNTAX_RE.finditer(pattern), None):
        run = pattern[pos:m.start() if m else len(pattern)]
        if run and m and m.group(0)[0] in "?*+{":
            out.append(fold_text(run[:-1]) + fold_text(run[-1]))
        elif run:
            out.append(fold_text(run))
        if m:
            out.append(m.group(0))
            pos = m.end()
    return "".join(out)


@lru_cache(maxsize=500_000)
def fold(s: str) -> str:
    """Case- and umlaut-fold ``s`` so that "Behörde", "Behoerde" and "Behorde" compare equal.

    Lowercases, turns ß into ss, strips diacritics (ä→a, é→e) and maps the ASCII digraphs
    ae/oe/ue to a/o/u. The result is a matching key, not a spelling to show anyone.
    """
    return fold_text(s)


def variants(key: str) -> frozenset[str]:
    """A folded key plus its forms with one inflection ending removed (kurse→kurs, behorden→behorde)."""
    out = {key}
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= _MIN_STEM:
            out.add(key[: -len(suffix)])
    return frozenset(out)


@lru_cache(maxsize=500_000)
def lemma(token: str) -> str:
    """Lemma of ``token`` via simplemma; ASCII umlaut spellings ("Behoerden") are restored first."""
    if simplemma.is_known(token, lang="de"):
        return simplemma.lemmatize(token, lang="de")
    restored = token
    for digraph, umlaut in _RESTORE:
        restored = restored.replace(digraph, umlaut)
    if restored != token and simplemma.is_known(restored, lang="de"):
        return simplemma.lemmatize(restored, lang="de")
    return simplemma.lemmatize(token, lang="de")


@lru_cache(maxsize=1)
def _hanta():
    """The HanTa morphological analyser with its German model (shipped in the HanTa package)."""
    from HanTa import HanoverTagger

    return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")


@lru_cache(maxsize=500_000)
def _morphology(token: str, casesensitive: bool = True) -> tuple[str, list[tuple[str, str]], str]:
    """HanTa's analysis of one word: (lemma, morphemes with their tags, part-of-speech tag)."""
    return _hanta().analyze(token, taglevel=3, casesensitive=casesensitive)


@lru_cache(maxsize=500_000)
def compound_parts(token: str) -> list[str]:
    """Lowercase parts of a compound ("Wohnungsmarktsituation" → wohnung, markt, situation).

    Uses HanTa's morphological analysis, dropping linking elements (Fugen) and suffixes.
    Non-compounds, and words shorter than 7 letters, give ``[token.lower()]``.
    """
    low = token.lower()
    if not MIN_COMPOUND_LEN <= len(token) <= _MAX_COMPOUND_LEN:
        return [low]
    _, morphemes, _ = _morphology(token)
    parts = [m for m, tag in morphemes if not tag.startswith(("SUF", "FUGE", "PRE")) and len(m) >= 2]
    return parts if len(parts) > 1 else [low]


@lru_cache(maxsize=500_000)
def compound_spans(token: str) -> list[str]:
    """Runs of two or more adjacent parts of a compound, with their linking elements
    ("Ehrenamtsbüro" → ehrenamt: HanTa splits Ehrenamt itself into ehre, n, amt).

    A signal that is a compound of its own is then found inside longer compounds too.
    """
    if not MIN_COMPOUND_LEN <= len(token) <= _MAX_COMPOUND_LEN:
        return []
    _, morphemes, _ = _morphology(token)
    content = [i for i, (m, tag) in enumerate(morphemes) if not tag.startswith(("SUF", "FUGE", "PRE")) and len(m) >= 2]
    return [
        "".join(m for m, _ in morphemes[i:j + 1]).lower()
        for a, i in enumerate(content) for j in content[a + 1:]
    ]


@dataclass(frozen=True, slots=True)
class WordInfo:
    """The cheap part of a token's analysis (no compound split): enough for whole-word matching."""

    folded: str
    lemma: str
    keys: frozenset[str]  # folded forms, lemma and their variants (whole word)
    is_stopword: bool


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """Everything the matchers need to know about one token, computed once per unique token."""

    surface: str
    folded: str
    lemma: str
    parts: tuple[str, ...]
    keys: frozenset[str]  # folded forms, lemma and their variants (whole word)
    part_keys: frozenset[str]  # folded compound parts and their variants
    is_stopword: bool


@lru_cache(maxsize=500_000)
def word_info(token: str) -> WordInfo:
    """Fold and lemmatise ``token`` without the (expensive) HanTa compound analysis (cached).

    Callers that need compound parts only sometimes (theme matching asks for them only when
    a part signal occurs inside the word) start here and call :func:`analyze` when needed.
    """
    folded = fold(token)
    if folded in STOPWORDS:
        return WordInfo(folded, token.lower(), variants(folded), True)
    lem = lemma(token)
    return WordInfo(folded, lem, frozenset(variants(folded) | variants(fold(lem))), False)


@lru_cache(maxsize=500_000)
def analyze(token: str) -> TokenInfo:
    """Fold, lemmatise and split ``token`` (cached: each distinct token is analysed once)."""
    w = word_info(token)
    if w.is_stopword:
        return TokenInfo(token, w.folded, w.lemma, (w.lemma,), w.keys, frozenset(), True)
    parts = tuple(compound_parts(token))
    part_keys: set[str] = set()
    if len(parts) > 1:
        for part in (*parts, *compound_spans(token)):
            part_keys |= variants(fold(part))
    return TokenInfo(token, w.folded, w.lemma, parts, w.keys, frozenset(part_keys), False)


def load_models() -> None:
    """Load the simplemma dictionary and the HanTa model now rather than on first use."""
    simplemma.is_known("Haus", lang="de")
    _hanta()


# Part-of-speech tags (STTS, as HanTa gives them) of the words that carry meaning: common nouns,
# names and nominalised adjectives ("Ehrenamtliche"). Verbs, adjectives, adverbs, numbers and
# function words say how or how much, not what about.
NOUN_TAGS = frozenset({"NN", "NE", "NNA"})
_COMMON_NOUN_TAGS = frozenset({"NN", "NNA"})
# Tags of words a noun follows in a noun phrase: articles, prepositions, attributive adjectives,
# possessive and indefinite determiners, numbers.
_NOUN_PHRASE_TAGS = frozenset({"ART", "APPR", "APPRART", "ADJ(A)", "PPOSAT", "PIAT", "PDAT", "CARD"})

# Words HanTa takes for nouns in lowercase text, but that only rate or fill ("top", "ok"), and
# Bavarian or colloquial words it cannot know ("oa" = one).
FILLER_WORDS = frozenset(
    fold(w)
    for w in """
    gut ok okay top super prima klasse toll spitze danke dank bitte hallo gruss gruß ahnung wahnsinn
    oa oan oane oans bissl bisserl gscheid gscheit halt eh sowieso garnicht nichtmal tel nr str usw bzw evtl ca
    """.split()
)

# Two short pieces joined by a hyphen are one word: "Wi-Fi", "Hi-Fi" (a hyphen elsewhere separates words).
_SHORT_PAIR_RE = re.compile(r"(?<![^\W_])([^\W\d_]{1,2})-([^\W\d_]{1,2})(?![^\W_])")
# Placeholders that redaction writes ("[E-Mail]", "[Telefon]", "[Adresse]", "[Name]"): a bracketed
# word is a mark, never a word of the answer, so it is taken out before the text is split.
_PLACEHOLDER_RE = re.compile(r"\[[^\W\d_][\w-]{0,30}\]")
# Marks after which a new sentence (or list item) starts: its first word is capitalised anyway.
_SENTENCE_MARKS = frozenset(".!?:;…•·\n\r")
# Answers in English are rare but real; their function words are no content either.
_ENGLISH_STOPWORDS = frozenset(fold(w) for w in get_stop_words("en"))
_ACRONYM_MAX = 5  # "WLAN", "ÖPNV", "ABH": all capitals, short: an abbreviation, i.e. a noun


def _is_noun(token: str, mid_sentence: bool, cased: bool, previous: str = "") -> bool:
    """Whether ``token`` is a noun. German capitalises nouns: a capitalised word inside a sentence
    of ordinarily cased text is one. Otherwise HanTa decides from the word (case-insensitively where
    the text has no case to go by, as in answers typed all in lowercase)."""
    if len(token) > _MAX_COMPOUND_LEN:
        return False
    if token.isupper() and len(token) > 1:
        if len(token) <= _ACRONYM_MAX:
            return True
        return _morphology(token.lower(), False)[2] in NOUN_TAGS
    if token[0].isupper():
        return (mid_sentence and cased) or _morphology(token)[2] in NOUN_TAGS
    if cased:  # a lowercase word in cased text: a noun only if HanTa knows it as a common noun
        return _morphology(token)[2] in _COMMON_NOUN_TAGS
    # text typed all in lowercase: a noun if HanTa takes the word as typed for one; a word it takes
    # for something else is a noun after an article, preposition or adjective, when read without
    # case or capitalised it is one ("die bushaltestelle"; "wir treffen uns" stays a verb)
    if _morphology(token)[2] in NOUN_TAGS:
        return True
    if not previous or _morphology(previous, False)[2] not in _NOUN_PHRASE_TAGS:
        return False
    return _morphology(token, False)[2] in NOUN_TAGS or _morphology(token[0].upper() + token[1:])[2] in _COMMON_NOUN_TAGS


def _sentence_starts(text: str, found: list[tuple[str, int]]) -> list[bool]:
    """Per token: whether it opens a sentence or list item (text start, after . ! ? : ; a line
    break or a bullet, or after "1)")."""
    starts, end, previous = [], 0, ""
    for tok, pos in found:
        gap = text[end:pos]
        starts.append(not end or not _SENTENCE_MARKS.isdisjoint(gap) or (previous.isdigit() and ")" in gap))
        end, previous = pos + len(tok), tok
    return starts


def is_content_word(word: str) -> bool:
    """Whether one word on its own (no sentence to go by, as a signal word a facilitator types) is a
    content word: no stop word or filler, and a noun to HanTa as typed, read without case, or
    capitalised ("wlan", "Bus", "bushaltestelle", "Treffen"; not "gerade", "jung", "treffen", "zwei")."""
    if not word or not _TOKEN_RE.fullmatch(word) or word.isdigit() or len(word) > _MAX_COMPOUND_LEN:
        return False
    folded = fold(word)
    english = folded in _ENGLISH_STOPWORDS and not word.isupper()  # "GU" is no English "gu"
    if word_info(word).is_stopword or folded in FILLER_WORDS or english or len(folded) < 2:
        return False
    if word.isupper() and len(word) <= _ACRONYM_MAX:
        return True
    typed = _morphology(word)[2]
    if word[0].islower() and typed.startswith("V"):  # "treffen", "fahren": a verb as typed
        return False
    return (
        typed in NOUN_TAGS
        or _morphology(word, False)[2] in NOUN_TAGS
        or _morphology(word[0].upper() + word[1:].lower())[2] in _COMMON_NOUN_TAGS
    )


def content_words(text: str) -> list[str]:
    """The tokens of ``text`` that carry meaning: nouns and names, without stop words, fillers,
    numbers and redaction placeholders ("[E-Mail]").

    "Seit zwei Jahren treffen wir uns im Sprachcafé" → Jahren, Sprachcafé. Words are told apart
    by German capitalisation where the text has it and by HanTa's part-of-speech analysis
    (cached per word) where it does not: at the start of a sentence, in lowercase answers.
    """
    if not isinstance(text, str) or not text:
        return []
    if "[" in text:
        text = _PLACEHOLDER_RE.sub(" ", text)
    text = normalize_gender(text)
    if "-" in text:
        text = _SHORT_PAIR_RE.sub(r"\1\2", text)
    found = [(m.group(), m.start()) for m in _TOKEN_RE.finditer(text)]
    starts = _sentence_starts(text, found)
    # ordinarily cased: some word starts lowercase and some capitalised word stands inside a sentence
    cased = any(t[0].islower() for t, _ in found) and any(
        t[0].isupper() and not t.isupper() and not start for (t, _), start in zip(found, starts)
    )
    out: list[str] = []
    previous = ""
    for (tok, _), start in zip(found, starts):
        before, previous = ("" if start else previous), tok
        if tok.isdigit() or len(tok) < 2:
            continue
        info = word_info(tok)
        if info.is_stopword or info.folded in FILLER_WORDS or (info.folded in _ENGLISH_STOPWORDS and not tok.isupper()):
            continue
        if _is_noun(tok, not start, cased, before):
            out.append(tok)
    return out


def noun_form(word: str) -> str:
    """``word`` capitalised as a German noun ("vor ort": the noun Ort, not the verb orten)."""
    return word[:1].upper() + word[1:]


_MIN_NOUN_SPLIT = 5  # nouns of 5-6 letters can be compounds too (Rufbus, Radweg), of parts of 3+ letters


def noun_parts(noun: str) -> list[str]:
    """Lowercase compound parts of a (capitalised) noun, ``[noun.lower()]`` for a simple word.

    Like :func:`compound_parts`, but short compounds split too ("Rufbus" → ruf, bus), as long as
    each part has three letters or more."""
    if len(noun) >= MIN_COMPOUND_LEN:
        return compound_parts(noun)
    if len(noun) < _MIN_NOUN_SPLIT:
        return [noun.lower()]
    parts = [m for m, tag in _morphology(noun)[1] if not tag.startswith(("SUF", "FUGE", "PRE")) and len(m) >= 3]
    return parts if len(parts) > 1 else [noun.lower()]


_UMLAUT_STEM = str.maketrans("äöü", "aou")


def part_as_word(part: str) -> str:
    """A compound part as a reader knows the word: HanTa gives plural stems ("kräft" of
    Pflegekräfte, "abschlüss" of Berufsabschlüsse) where the word is "kraft", "abschluss"."""
    if simplemma.is_known(part[:1].upper() + part[1:], lang="de"):
        return part
    plain = part.translate(_UMLAUT_STEM)
    return plain if plain != part and simplemma.is_known(plain[:1].upper() + plain[1:], lang="de") else part


def content_terms(text: str) -> list[str]:
    """Lowercase lemmas plus compound parts of the content words (:func:`content_words`) of ``text``.

    "Die Wohnungsmarktsituation ist angespannt" → wohnungsmarktsituation, wohnung, markt,
    situation. Used for discovery, word clouds and learning from coded answers.
    """
    out: list[str] = []
    for tok in content_words(text):
        noun = noun_form(tok)
        out.append(word_info(noun).lemma.lower())
        parts = noun_parts(noun)
        if len(parts) > 1:
            out.extend(p for p in parts if fold(p) not in STOPWORDS and fold(p) not in FILLER_WORDS)
    return out


STOPWORDS: frozenset[str] = frozenset(fold(w) for w in (*get_stop_words("de"), *COLLOQUIAL_STOPWORDS)) - frozenset(
    fold(w) for w in KEEP_WORDS
)
"""German stop words (stop-words package) plus Bavarian/colloquial function words, folded,
minus words that carry meaning in feedback."""
