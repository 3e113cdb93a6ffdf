"""Quotes from the evidence: the sentence of an answer that carries a theme, redacted.

An answer is split into sentences (SoMaJo, a tokenizer and sentence splitter made for German
web text); the sentence holding the words the theme engine matched (`Assignment.evidence`, the
`evidence` column of the mentions, "Wohnungsmarkt→wohnung, …") carries the theme. Where a
coding has no words (a facilitator's correction), the theme engine is asked sentence by
sentence. Quotes are chosen so that within one section an answer stands for one theme only,
and only a municipality the report may name (integkit.analysis.suppression) is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from integkit.analysis.redaction import Redactor, shorten

if TYPE_CHECKING:
    from integkit.analysis.meeting import Analysis

QUOTE_MAX_CHARS = 280  # a quote under a theme: one sentence, at most this long
_CLAUSE = re.compile(r"(?<=[;:–—])\s+|(?<=,)\s+(?=(?:aber|doch|sondern|weil|da|denn|dass|wenn|und|oder)\b)")


@dataclass(frozen=True)
class Segment:
    """A piece of an answer as shown: its (redacted) text and whether it carries a theme."""

    text: str
    mark: bool = False


@lru_cache(maxsize=1)
def _splitter():
    from somajo import SoMaJo

    return SoMaJo("de_CMC", split_camel_case=False, split_sentences=True, character_offsets=True)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, covering it without gaps (whitespace goes with the sentence before)."""
    if not text.strip():
        return [(0, len(text))] if text else []
    starts = [s[0].character_offset[0] for s in _splitter().tokenize_text([text]) if s]
    starts = sorted(set([0, *starts[1:]]))
    return [(a, b) for a, b in zip(starts, [*starts[1:], len(text)])]


def evidence_words(evidence: object) -> list[str]:
    """The answer's own words in one theme's evidence ("Wohnungsmarkt→wohnung, Kita→kita" → Wohnungsmarkt, Kita)."""
    if not isinstance(evidence, str) or "→" not in evidence:
        return []
    return [item.split("→", 1)[0].strip() for item in evidence.split(", ") if "→" in item and item.split("→", 1)[0].strip()]


def _hits(piece: str, words: Iterable[str]) -> int:
    low = piece.lower()
    return sum(1 for w in words if w.lower() in low)


def carrying_spans(text: str, themes: dict[str, list[str]], codebook=None) -> dict[str, tuple[int, int]]:
    """For each theme (→ its evidence words) the span of the sentence of ``text`` that carries it."""
    spans = sentence_spans(text)
    if not spans:
        return {}
    out = {}
    for theme, words in themes.items():
        scores = [_hits(text[a:b], words) for a, b in spans]
        if not any(scores) and codebook is not None:
            scores = [int(theme in _themes_of(text[a:b], codebook)) for a, b in spans]
        best = max(range(len(spans)), key=lambda i: (scores[i], -i))
        out[theme] = spans[best] if scores[best] else spans[0]
    return out


def _themes_of(sentence: str, codebook) -> tuple[str, ...]:
    from integkit.themes.assign import assign

    return assign([sentence], codebook)[0].themes


def _clause(sentence: str, words: list[str], max_chars: int) -> str:
    """The clause of a long sentence that holds the evidence words (the sentence itself if it is short)."""
    if len(sentence) <= max_chars:
        return sentence
    cuts = [0, *(m.end() for m in _CLAUSE.finditer(sentence)), len(sentence)]
    pieces = [sentence[a:b] for a, b in zip(cuts, cuts[1:]) if sentence[a:b].strip()]
    best = max(pieces, key=lambda p: (_hits(p, words), -len(p))) if pieces else sentence
    return best if _hits(best, words) else sentence


def theme_sentence(text: str, evidence: object, theme: str = "", codebook=None, max_chars: int = QUOTE_MAX_CHARS) -> str:
    """The sentence (or, in a long sentence, the clause) of ``text`` that carries a theme, unredacted."""
    words = evidence_words(evidence)
    a, b = carrying_spans(text, {theme: words}, codebook)[theme] if text else (0, 0)
    return _clause(text[a:b].strip(), words, max_chars)


def marked_segments(text: str, evidence: dict[str, object], redactor: Redactor, codebook=None, max_chars: int | None = None) -> list[Segment]:
    """An answer as redacted segments, the sentences that carry one of its themes marked.

    Each sentence is redacted on its own; with ``max_chars`` the answer is cut after that many
    characters (a cut sentence ends in " …").
    """
    carrying = set(carrying_spans(text, {th: evidence_words(ev) for th, ev in evidence.items()}, codebook).values())
    out, used = [], 0
    for a, b in sentence_spans(text):
        piece = redactor.redact(text[a:b])
        if max_chars is not None and used + len(piece) > max_chars:
            rest = max_chars - used
            if rest >= 20:
                out.append(Segment(shorten(piece, rest), (a, b) in carrying))
            elif out:
                out[-1] = Segment(out[-1].text.rstrip() + " …", out[-1].mark)
            break
        out.append(Segment(piece, (a, b) in carrying))
        used += len(piece)
    return out


def theme_quotes(analysis: "Analysis", n: int = 3, names: tuple[str, ...] = (), max_chars: int = QUOTE_MAX_CHARS) -> pd.DataFrame:
    """A few quotes per theme (most named theme first), each answer standing for one theme only.

    Columns: theme, response_id, question_id, municipality (None where the report may not name
    it) and quote (the redacted sentence that carries the theme). Clear evidence (more matched
    words) and a readable length come first; one quote per person and theme.
    """
    from integkit.analysis.tables import attribution, theme_counts

    mentions = analysis.mentions.copy()
    columns = ["theme", "response_id", "question_id", "municipality", "quote"]
    if mentions.empty:
        return pd.DataFrame(columns=columns)
    mentions["strength"] = mentions["evidence"].map(lambda e: len(evidence_words(e)))
    mentions["length_penalty"] = (mentions["text"].str.len() - 140).abs()
    mentions = mentions.sort_values(["strength", "length_penalty", "response_id"], ascending=[False, True, True], kind="stable")
    people = analysis.respondents.set_index("response_id")["municipality"]
    redactor = Redactor(names)
    used: set[tuple[int, str]] = set()
    rows = []
    for theme in theme_counts(analysis)["theme"]:
        chosen = mentions[mentions["theme"] == theme]
        taken: set[int] = set()
        for row in chosen.itertuples():
            key = (row.response_id, row.question_id)
            if key in used or row.response_id in taken:
                continue
            sentence = theme_sentence(row.text, row.evidence, theme, analysis.codebook, max_chars)
            rows.append({"theme": theme, "response_id": row.response_id, "question_id": row.question_id,
                         "municipality": attribution(analysis, people.get(row.response_id, "")),
                         "quote": redactor.redact(sentence, max_chars=max_chars)})
            used.add(key)
            taken.add(row.response_id)
            if len(taken) >= n:
                break
    return pd.DataFrame(rows, columns=columns)


def coded_answers(analysis: "Analysis", question_id: str) -> pd.DataFrame:
    """Each answer to one question once, with its themes (ids, codebook order) and their evidence, in answer order.

    Columns: response_id, question_id, municipality, text, themes (tuple), evidence (dict theme → evidence).
    """
    answers = analysis.coded[analysis.coded["question_id"] == question_id]
    mentions = analysis.mentions[analysis.mentions["question_id"] == question_id]
    evidence = {(r.response_id, r.theme): r.evidence for r in mentions.itertuples()}
    order = analysis.theme_order()
    people = analysis.respondents.set_index("response_id")["municipality"]
    rows = []
    for row in answers.itertuples():
        themes = tuple(th for th in order if (row.response_id, th) in evidence)
        rows.append({"response_id": row.response_id, "question_id": question_id,
                     "municipality": people.get(row.response_id, ""), "text": row.text, "themes": themes,
                     "evidence": {th: evidence[(row.response_id, th)] for th in themes}})
    return pd.DataFrame(rows, columns=["response_id", "question_id", "municipality", "text", "themes", "evidence"])
