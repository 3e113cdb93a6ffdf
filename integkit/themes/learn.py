"""Learning from coded answers: a supervised model combined with the codebook's rules.

Coded answers (the facilitator's corrections in every ``surveys/<meeting>/coding.csv`` of a
workspace, or a CSV/XLSX a user gives) teach one logistic regression per theme (scikit-learn)
over the same German features the rules use: lemmas and compound parts
(integkit.text.normalize.content_terms), plus whether the codebook's rules give the theme. The
model may add a theme the rules miss or drop one the coded answers contradict; its evidence
names the answer's own words that weigh most and the nearest coded answer with that theme.

A model lives in memory for one run: it is never written to disk, and coded answers never leave
the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from integkit.errors import InputError
from integkit.io import read_table, require_column
from integkit.text import normalize as T
from integkit.themes.assign import Assignment, assign, split_themes
from integkit.themes.codebook import Codebook

THEMES_COLUMN = "themes"
MIN_POSITIVES = 3  # a theme is learnt only from at least this many coded answers about it
RULE_WEIGHT = 3.0  # the rules' verdict as a feature, scaled against the word features
THRESHOLD = 0.5
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
        except Exception:  # a meeting without a usable snapshot teaches nothing; its report says why
            continue
        joined = corrections.drop(columns=["text"]).merge(answers, on=["response_id", "question_id"], how="inner")
        parts.append(joined[["text", "themes"]])
    if not parts:
        return pd.DataFrame(columns=["text", "themes"])
    return coded_examples(pd.concat(parts, ignore_index=True), "text", "coding.csv")


@dataclass
class ThemeModel:
    """Per-theme classifiers learnt from coded answers, applied on top of the codebook's rules."""

    codebook: Codebook
    vectorizer: TfidfVectorizer
    classifiers: dict[str, LogisticRegression]
    texts: list[str]
    labels: list[set[str]]
    matrix: csr_matrix
    known: dict[str, set[str]]  # folded coded text → its themes

    def refine(self, texts: Sequence[str], rules: Sequence[Assignment]) -> list[Assignment]:
        """The rules' assignments with what the coded answers teach: themes added or dropped."""
        strings = ["" if not isinstance(t, str) else t for t in texts]
        X = self.vectorizer.transform([_terms(t) for t in strings])
        out: list[Assignment] = []
        probabilities = {
            theme: clf.predict_proba(_with_rule(X, [theme in a.themes for a in rules]))[:, 1]
            for theme, clf in self.classifiers.items()
        }
        for i, (text, rule) in enumerate(zip(strings, rules)):
            exact = self.known.get(_key(text))
            if exact is not None:
                out.append(_coded(rule, exact, self.codebook, text))
                continue
            themes = set(rule.themes)
            evidence = list(rule.evidence)
            for theme, p in probabilities.items():
                if p[i] >= THRESHOLD and theme not in themes:
                    themes.add(theme)
                    evidence.append((theme, self._words(X[i], theme, text), self._nearest(X[i], theme)))
                elif p[i] < THRESHOLD and theme in themes:
                    themes.discard(theme)
                    evidence = [e for e in evidence if e[0] != theme]
            order = [t for t in self.codebook.ids if t in themes]
            evidence.sort(key=lambda e: order.index(e[0]))
            out.append(Assignment(tuple(order), tuple(evidence)) if order else Assignment(()))
        return out

    def _words(self, row, theme: str, text: str) -> str:
        """The answer's own words whose terms weigh most for ``theme``."""
        coef = self.classifiers[theme].coef_[0][: len(self.vectorizer.vocabulary_)]
        weights = {}
        for tok in T.tokens(text):
            score = max((coef[j] * row[0, j] for j in _columns(self.vectorizer, tok)), default=0.0)
            if score > 0:
                weights[tok] = max(weights.get(tok, 0.0), score)
        best = sorted(weights, key=lambda w: -weights[w])[:N_EVIDENCE_WORDS]
        return " ".join(best)

    def _nearest(self, row, theme: str) -> str:
        """'gelernt: wie „…“': the most similar coded answer that has ``theme``."""
        sims = (self.matrix @ row.T).toarray().ravel()
        candidates = [i for i, labels in enumerate(self.labels) if theme in labels]
        best = max(candidates, key=lambda i: sims[i])
        quote = self.texts[best].strip()
        return f"{LEARNT}: wie „{quote[:80]}{'…' if len(quote) > 80 else ''}“"


def _key(text: str) -> str:
    return " ".join(T.fold(t) for t in T.tokens(text))


def _terms(text: str) -> list[str]:
    return [T.fold(t) for t in T.content_terms(text)] if isinstance(text, str) else []


def _columns(vectorizer: TfidfVectorizer, token: str) -> list[int]:
    vocab = vectorizer.vocabulary_
    return [vocab[t] for t in _terms(token) if t in vocab]


def _with_rule(X, rule: Sequence[bool]):
    return hstack([X, csr_matrix(np.asarray(rule, dtype=float).reshape(-1, 1) * RULE_WEIGHT)]).tocsr()


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
    """A model from coded answers (columns text, themes), or None if they teach no theme.

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
    classifiers: dict[str, LogisticRegression] = {}
    for theme in codebook.ids:
        y = np.array([theme in labels_ for labels_ in labels])
        if y.sum() < MIN_POSITIVES or y.all():
            continue
        clf = LogisticRegression(C=4.0, max_iter=1000)
        clf.fit(_with_rule(X, [theme in a.themes for a in rules]), y)
        classifiers[theme] = clf
    known = {_key(t): labels_ for t, labels_ in zip(texts, labels)}
    return ThemeModel(codebook, vectorizer, classifiers, texts, labels, X, known)


def model_from_files(paths: Sequence[Path], text_column: str, codebook: Codebook) -> ThemeModel | None:
    """A model from coded files (``--learn-from``), or None without files."""
    if not paths:
        return None
    examples = pd.concat([read_coded(Path(p), text_column) for p in paths], ignore_index=True)
    model = train(examples, codebook)
    if model is None:
        raise InputError(f"{', '.join(map(str, paths))}: no coded answer to learn from")
    return model
