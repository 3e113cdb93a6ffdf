"""The words of a word cloud: content words distinctive for one question, from redacted answers.

A cloud shows what the answers to one question say that the meeting's other answers do not:
content words (integkit.text.normalize.content_terms: lemmas without stop words), counted by
lemma, kept where their weighted log-odds against the other questions' answers is positive
(Monroe, Colaresi & Quinn 2008, "Fightin' words", with the meeting's own counts as the prior).
Answers are redacted first and the placeholders dropped, so no name, address or "[Name]"
becomes a word.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from integkit.analysis.redaction import PLACEHOLDERS, Redactor

MIN_LETTERS = 3
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_SENTENCE_START = re.compile(r"(?<=[.!?:;…])\s+|\n+|(?:^|\s)[-–•*]\s+")


@dataclass
class _Counts:
    words: Counter = field(default_factory=Counter)  # lemma → occurrences
    inside: Counter = field(default_factory=Counter)  # lemma → occurrences not first in a sentence
    capitals: Counter = field(default_factory=Counter)  # … of those, written with a capital letter
    forms: dict[str, Counter] = field(default_factory=dict)  # lemma → surface forms


def _count(texts: Iterable[str], redactor: Redactor) -> _Counts:
    """Content words of redacted texts, by lemma, with how the answers write them."""
    from integkit.text.normalize import content_terms, tokens

    out = _Counts()
    for text in texts:
        clean = _PLACEHOLDER.sub(" ", redactor.redact(text))
        for sentence in _SENTENCE_START.split(clean):
            for i, token in enumerate(tokens(sentence)):
                if len(token) < MIN_LETTERS or not any(c.isalpha() for c in token):
                    continue
                terms = content_terms(token)
                if not terms:
                    continue
                lemma = terms[0]
                out.words[lemma] += 1
                if i > 0:
                    out.inside[lemma] += 1
                    out.capitals[lemma] += token[:1].isupper()
                out.forms.setdefault(lemma, Counter())[token] += 1
    return out


def is_noun(lemma: str, *counts: _Counts) -> bool:
    """True if the answers write ``lemma`` like a German noun (or name, or acronym): with a capital letter
    at least half the times it stands inside a sentence; one only ever seen first in a sentence counts
    as a noun when it is capitalised there. Keeps "Wohnraum", "VHS"; drops "gut", "kommen", "viel"."""
    inside = sum(c.inside[lemma] for c in counts)
    if inside:
        return 2 * sum(c.capitals[lemma] for c in counts) >= inside
    return any(f[:1].isupper() for c in counts for f in c.forms.get(lemma, ()))


def display_form(lemma: str, forms: Counter) -> str:
    """How a cloud writes a lemma: its own spelling if the answers use it ("VHS"), else capitalised like them."""
    same = [(n, f) for f, n in forms.items() if f.lower() == lemma]
    if same:
        return max(same)[1]
    common = forms.most_common(1)[0][0]
    return lemma[:1].upper() + lemma[1:] if common[:1].isupper() else lemma


def log_odds(mine: Counter, others: Counter) -> dict[str, float]:
    """z-scores of the weighted log-odds ratio of each word in ``mine`` against ``others`` (prior: both)."""
    prior = mine + others
    a0 = sum(prior.values())
    n1, n2 = sum(mine.values()), sum(others.values())
    out = {}
    for word, y1 in mine.items():
        a = prior[word]
        y2 = others.get(word, 0)
        d = math.log((y1 + a) / (n1 + a0 - y1 - a)) - math.log((y2 + a) / (n2 + a0 - y2 - a))
        out[word] = d / math.sqrt(1 / (y1 + a) + 1 / (y2 + a))
    return out


def cloud_words(texts: list[str], others: list[str] = (), names: tuple[str, ...] = (), limit: int = 60) -> dict[str, int]:
    """Word → weight for a cloud of ``texts``: content nouns, kept where distinctive against ``others``."""
    redactor = Redactor(names)
    mine = _count(texts, redactor)
    rest = _count(others, redactor)
    z = log_odds(mine.words, rest.words) if others else {w: 1.0 for w in mine.words}
    kept = {w: n for w, n in mine.words.items() if z[w] > 0 and is_noun(w, mine, rest)}
    top = sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return {display_form(w, mine.forms[w]): n for w, n in top}
