"""Learning from coded answers: what the facilitator coded corrects the codebook's rules.

Coded answers (the facilitator's corrections in every ``surveys/<meeting>/coding.csv`` of a
workspace, or a CSV/XLSX a user gives) are compared with what the rules give them, and only
where they disagree with the rules systematically do they overrule them in new answers:

- a learned counter-signal: a rule signal that gave a theme the coded answers deny, at least
  three times and twice as often as it was right ("Bescheid" in answers about housing), drops that
  theme when it is all the theme's evidence and the answer has another theme (the word was
  incidental there; "Bescheide verständlicher" stays verwaltung);
- a learned signal: a whole word (the lemma of a noun) the codebook lacks, found in at least two
  coded answers with a theme the rules missed and with that theme in nearly all coded answers that
  hold it ("Hopfenzupfen" → arbeit), adds the theme. A word that signals another theme already
  ("Helferkreis"), a generic noun ("Landkreis", integkit.themes.discover.GENERIC) or a compound
  part ("kreis" of Teufelskreis) only co-occurs with a theme in the coded answers and teaches none;
- the nearest coded answer (cosine similarity of tf-idf vectors, scikit-learn's NearestNeighbors)
  that is close, to which the rules gave the same themes, and that shares words with the answer
  the rules did not already take as evidence: its coded themes are followed ("Bearbeitungszeiten!"
  learns no arbeit from a coded answer about losing one's job over slow permits).

Evidence names what fired: the answer's own words that carry the learned signal, or those it
shares with the nearest coded answer, and that answer ("gelernt: wie „…“"). A coded answer seen
again gets its coded themes. A model lives in memory for one run: nothing is written to disk,
and coded answers never leave the workspace.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

from integkit.errors import InputError, IntegkitError
from integkit.io import read_table, require_column
from integkit.text import normalize as T
from integkit.themes.assign import Assignment, assign, matcher, split_themes
from integkit.themes.codebook import Codebook
from integkit.themes.discover import GENERIC

THEMES_COLUMN = "themes"
MIN_EVIDENCE = 2  # coded answers that must show the rules wrong the same way before they are overruled
MIN_COUNTER_EVIDENCE = 3  # a rule signal is unlearnt on firmer ground: the coded answers of one meeting may be full of decoys
SIGNAL_SHARE = 0.8  # a learned signal: share of the coded answers holding the word that have the theme
NEAREST_SIMILARITY = 0.6  # cosine similarity from which the nearest coded answer is followed
N_EVIDENCE_WORDS = 2
LEARNT = "gelernt"


def coded_examples(frame: pd.DataFrame, text_column: str, source: str) -> pd.DataFrame:
    """A coded table as examples (columns text, themes): ``text_column`` and ``themes`` are required."""
    require_column(frame, text_column, source)
    require_column(frame, THEMES_COLUMN, source)
    texts = frame[text_column].where(frame[text_column].notna(), "").astype(str)
    themes = frame[THEMES_COLUMN].where(frame[THEMES_COLUMN].notna(), "").astype(str)
    examples = pd.DataFrame({"text": texts, "themes": themes})
    return examples[examples["text"].str.strip() != ""].reset_index(drop=True)


def read_coded(path: Path, text_column: str) -> pd.DataFrame:
    """Examples from a coded CSV/XLSX (read with integkit.io.read_table)."""
    return coded_examples(read_table(path).frame, text_column, str(path))


def workspace_examples(workspace) -> pd.DataFrame:
    """Every correction of the workspace's meetings, with the answer's text, as examples."""
    from integkit.responses import load_responses
    from integkit.themes.coding import load_corrections

    parts = []
    for meeting in workspace.meetings():
        corrections = load_corrections(workspace, meeting)
        if corrections.empty:
            continue
        try:
            answers = load_responses(workspace, meeting).answers[["response_id", "question_id", "text"]]
        except IntegkitError:  # a meeting without a usable snapshot teaches nothing; its report says why
            continue
        joined = corrections.drop(columns=["text"]).merge(answers, on=["response_id", "question_id"], how="inner")
        parts.append(joined[["text", "themes"]])
    if not parts:
        return pd.DataFrame(columns=["text", "themes"])
    return coded_examples(pd.concat(parts, ignore_index=True), "text", "coding.csv")


@dataclass
class ThemeModel:
    """What coded answers teach against the codebook's rules (see the module docstring)."""

    codebook: Codebook
    vectorizer: TfidfVectorizer
    neighbours: NearestNeighbors
    texts: list[str]
    labels: list[set[str]]
    rule_themes: list[set[str]]  # per coded answer: the themes the rules give it
    mistakes: list[tuple[set[str], set[str]]]  # per coded answer: themes the rules missed, themes they gave wrongly
    counters: set[tuple[str, str]]  # (theme, rule signal) the coded answers deny
    signals: dict[str, set[str]]  # term → themes it teaches
    known: dict[str, set[str]]  # folded coded text → its themes

    def refine(self, texts: Sequence[str], rules: Sequence[Assignment]) -> list[Assignment]:
        """The rules' assignments with what the coded answers teach: themes added or dropped."""
        strings = ["" if not isinstance(t, str) else t for t in texts]
        terms = [_terms(t) for t in strings]
        X = self.vectorizer.transform(terms)
        distance, nearest = self.neighbours.kneighbors(X, n_neighbors=1)
        out: list[Assignment] = []
        for i, (text, rule) in enumerate(zip(strings, rules)):
            exact = self.known.get(_key(text))
            if exact is not None:
                out.append(_coded(rule, exact, self.codebook, text))
                continue
            themes = set(rule.themes)
            evidence = list(rule.evidence)
            for theme in rule.themes:  # learned counter-signals, where the answer is about something else too
                signals = {sig for th, _, sig in rule.evidence if th == theme}
                if signals and all((theme, sig) in self.counters for sig in signals) and len(themes) > 1:
                    themes.discard(theme)
            for term in sorted(_lemmas(text) & self.signals.keys()) if self.signals else ():  # learned signals
                for theme in sorted(self.signals[term]):
                    if theme not in themes:
                        themes.add(theme)
                        evidence.append((theme, self._words_of(text, {term}), self._quote(X[i], theme, term)))
            j, similarity = int(nearest[i, 0]), 1.0 - float(distance[i, 0])
            missed, wrong = self.mistakes[j]
            if similarity >= NEAREST_SIMILARITY and terms[i] and self.rule_themes[j] == set(rule.themes):
                # the nearest coded answer, given the same themes by the rules: its mistake is this
                # one's too, where the two share words the rules did not take as evidence already
                explained = {t for _, words, _ in rule.evidence for t in _terms(words)}
                shared = set(terms[i]) & set(_terms(self.texts[j])) - explained
                if shared:
                    for theme in missed - themes:
                        themes.add(theme)
                        evidence.append((theme, self._words_of(text, shared), _like(self.texts[j])))
                    themes -= wrong
            order = [t for t in self.codebook.ids if t in themes]
            evidence = sorted((e for e in evidence if e[0] in themes), key=lambda e: order.index(e[0]))
            out.append(Assignment(tuple(order), tuple(evidence)) if order else Assignment(()))
        return out

    def _words_of(self, text: str, terms: set[str]) -> str:
        """The answer's own words whose lemma or compound parts are among ``terms`` (heaviest first)."""
        weights: dict[str, float] = {}
        idf = dict(zip(self.vectorizer.get_feature_names_out(), self.vectorizer.idf_))
        for tok in T.tokens(text):
            hit = [idf.get(t, 0.0) for t in _terms(tok) if t in terms]
            if hit:
                weights[tok] = max(weights.get(tok, 0.0), max(hit))
        return " ".join(sorted(weights, key=lambda w: -weights[w])[:N_EVIDENCE_WORDS])

    def _quote(self, row: csr_matrix, theme: str, term: str) -> str:
        """The most similar coded answer that has ``theme`` and holds ``term``, as evidence."""
        candidates = [k for k, labels in enumerate(self.labels) if theme in labels and term in _terms(self.texts[k])]
        sims = (self.vectorizer.transform([_terms(self.texts[k]) for k in candidates]) @ row.T).toarray().ravel()
        return _like(self.texts[candidates[int(sims.argmax())]])


def _like(text: str) -> str:
    quote = text.strip()
    return f"{LEARNT}: wie „{quote[:80]}{'…' if len(quote) > 80 else ''}“"


def _key(text: str) -> str:
    return " ".join(T.fold(t) for t in T.tokens(text))


def _terms(text: str) -> list[str]:
    return [T.fold(t) for t in T.content_terms(text)] if isinstance(text, str) else []


def _lemmas(text: str) -> set[str]:
    """Folded lemmas of the nouns of ``text``: the whole words a learned signal may be."""
    if not isinstance(text, str):
        return set()
    return {T.fold(T.word_info(T.noun_form(w)).lemma) for w in T.content_words(text)}


def _coded(rule: Assignment, themes: set[str], codebook: Codebook, text: str) -> Assignment:
    """An answer that was coded itself: its coded themes, evidence kept where the rules agree."""
    order = [t for t in codebook.ids if t in themes]
    evidence = [e for e in rule.evidence if e[0] in themes]
    for theme in order:
        if not any(e[0] == theme for e in evidence):
            evidence.append((theme, "", f"{LEARNT}: kodiert"))
    evidence.sort(key=lambda e: order.index(e[0]))
    return Assignment(tuple(order), tuple(evidence))


def train(examples: pd.DataFrame, codebook: Codebook) -> ThemeModel | None:
    """What coded answers (columns text, themes) teach against the rules, or None without any.

    Themes outside the codebook are ignored (their answers still teach the codebook's themes
    that they are not about).
    """
    if examples is None or examples.empty:
        return None
    texts = examples["text"].tolist()
    labels = [set(split_themes(t)) & set(codebook.ids) for t in examples["themes"]]
    docs = [_terms(t) for t in texts]
    if not any(docs):
        return None
    vectorizer = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True)
    X = vectorizer.fit_transform(docs)
    rules = assign(texts, codebook)
    mistakes = [(gold - set(r.themes), set(r.themes) - gold) for gold, r in zip(labels, rules)]
    verdicts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (theme, signal) → [right, wrong]
    for gold, rule in zip(labels, rules):
        for theme, signal in {(th, sig) for th, _, sig in rule.evidence}:
            verdicts[(theme, signal)][theme not in gold] += 1
    counters = {k for k, (right, wrong) in verdicts.items() if wrong >= MIN_COUNTER_EVIDENCE and wrong >= 2 * right}
    rules_of = matcher(codebook)
    holding, with_theme, missed = Counter(), Counter(), Counter()
    for text, gold, (miss, _) in zip(texts, labels, mistakes):
        for term in _lemmas(text):
            holding[term] += 1
            with_theme.update((term, th) for th in gold)
            missed.update((term, th) for th in miss)
    signals: dict[str, set[str]] = defaultdict(set)
    for (term, theme), n in missed.items():
        if term in GENERIC or rules_of.token_themes(term):
            continue
        if n >= MIN_EVIDENCE and with_theme[(term, theme)] >= SIGNAL_SHARE * holding[term]:
            signals[term].add(theme)
    neighbours = NearestNeighbors(n_neighbors=1, metric="cosine").fit(X)
    known = {_key(t): labels_ for t, labels_ in zip(texts, labels)}
    rule_themes = [set(r.themes) for r in rules]
    return ThemeModel(codebook, vectorizer, neighbours, texts, labels, rule_themes, mistakes, counters, dict(signals), known)


def model_from_files(paths: Sequence[Path], text_column: str, codebook: Codebook) -> ThemeModel | None:
    """A model from coded files (``--learn-from``), or None without files."""
    if not paths:
        return None
    examples = pd.concat([read_coded(Path(p), text_column) for p in paths], ignore_index=True)
    model = train(examples, codebook)
    if model is None:
        raise InputError(f"{', '.join(map(str, paths))}: no coded answer to learn from")
    return model
