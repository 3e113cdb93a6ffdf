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
    "fold",
    "fold_text",
    "lemma",
    "load_models",
    "normalize_gender",
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
def compound_parts(token: str) -> list[str]:
    """Lowercase parts of a compound ("Wohnungsmarktsituation" → wohnung, markt, situation).

    Uses HanTa's morphological analysis, dropping linking elements (Fugen) and suffixes.
    Non-compounds, and words shorter than 7 letters, give ``[token.lower()]``.
    """
    low = token.lower()
    if not MIN_COMPOUND_LEN <= len(token) <= _MAX_COMPOUND_LEN:
        return [low]
    _, morphemes, _ = _hanta().analyze(token, taglevel=3)
    parts = [m for m, tag in morphemes if not tag.startswith(("SUF", "FUGE", "PRE")) and len(m) >= 2]
    return parts if len(parts) > 1 else [low]


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
        for part in parts:
            part_keys |= variants(fold(part))
    return TokenInfo(token, w.folded, w.lemma, parts, w.keys, frozenset(part_keys), False)


def load_models() -> None:
    """Load the simplemma dictionary and the HanTa model now rather than on first use."""
    simplemma.is_known("Haus", lang="de")
    _hanta()


def content_terms(text: str) -> list[str]:
    """Lowercase lemmas plus compound parts of the non-stop-word tokens of ``text``.

    "Die Wohnungsmarktsituation ist angespannt" → wohnungsmarktsituation, wohnung, markt,
    situation, angespannt. Used for discovery, word clouds and search.
    """
    out: list[str] = []
    for tok in tokens(text):
        info = analyze(tok)
        if info.is_stopword or len(info.folded) < 2 or tok.isdigit():
            continue
        out.append(info.lemma.lower())
        if len(info.parts) > 1:
            out.extend(p for p in info.parts if fold(p) not in STOPWORDS)
    return out


STOPWORDS: frozenset[str] = frozenset(fold(w) for w in (*get_stop_words("de"), *COLLOQUIAL_STOPWORDS)) - frozenset(
    fold(w) for w in KEEP_WORDS
)
"""German stop words (stop-words package) plus Bavarian/colloquial function words, folded,
minus words that carry meaning in feedback."""
