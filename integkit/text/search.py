"""Word search over answers that knows German: inflections, compounds, umlaut spellings.

"Wohnung" finds "Wohnungen" (lemma), "Wohnungsmarkt" (compound part) and "wohnungen"
(case); "Behörde" finds "Behoerden" (folding). Every comparison goes through integkit.text.normalize,
so search agrees with theme assignment on what counts as the same word.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from integkit.text import normalize as T

MIN_PREFIX = 4  # a query word this long also finds words that start with it ("Wohn" → Wohnraum)


@lru_cache(maxsize=10_000)
def query_keys(word: str) -> frozenset[str]:
    """Matching keys of one query word: its folded form, its lemma and their inflection variants."""
    folded = T.fold(word)
    return T.variants(folded) | T.variants(T.fold(T.lemma(word)))


def word_matches(token: str, word: str) -> bool:
    """True if text token ``token`` is a form of query ``word``, a compound containing it, or starts with it."""
    info = T.analyze(token)
    keys = query_keys(word)
    if keys & (info.keys | info.part_keys):
        return True
    folded = T.fold(word)
    return len(folded) >= MIN_PREFIX and info.folded.startswith(folded)


def query_words(query: str) -> list[str]:
    """The words of a query (gender forms normalised; stop words dropped unless nothing else is left)."""
    words = T.tokens(query or "")
    content = [w for w in words if not T.analyze(w).is_stopword]
    return content or words


def matched_words(text: str, query: str) -> list[str]:
    """The words of ``text`` that match the query, if every query word matches one of them, else []."""
    words = query_words(query)
    if not words or not isinstance(text, str):
        return []
    toks = T.tokens(text)
    found: list[str] = []
    for word in words:
        hits = [tok for tok in toks if word_matches(tok, word)]
        if not hits:
            return []
        found.extend(h for h in hits if h not in found)
    return found


def search_answers(answers: pd.DataFrame, query: str, column: str = "text") -> pd.DataFrame:
    """Rows of ``answers`` whose ``column`` matches every word of ``query``, with a ``matched`` column.

    An empty query returns no rows (not all of them), so a search box starts empty.
    """
    texts = answers[column].tolist()
    memo: dict[str, list[str]] = {}
    hits = []
    for text in texts:
        key = text if isinstance(text, str) else ""
        if key not in memo:
            memo[key] = matched_words(key, query)
        hits.append(memo[key])
    out = answers.assign(matched=[", ".join(h) for h in hits])
    return out[[bool(h) for h in hits]].reset_index(drop=True)
