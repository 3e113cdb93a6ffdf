"""Discovery: cluster what the codebook does not explain, to propose new themes.

Each answer is reduced to its *residual* terms: lemmas and compound parts of the words
that matched no codebook signal (so "Beratungsbus", explained by beratung, contributes no
"bus"). Answers with residual terms are clustered with TF-IDF + NMF (scikit-learn,
deterministic for a seed). A cluster whose members mostly carry one codebook theme is
reported as overlapping it; otherwise it is "neu" — a candidate theme such as mobility
(ÖPNV, Bus, Führerschein) or digital access (WLAN, Laptops), which the default lacks.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from stop_words import get_stop_words

from integkit.text import normalize as T
from integkit.themes.assign import Assignment, Matcher, assign, is_non_answer, matcher as get_matcher
from integkit.errors import InputError
from integkit.themes.codebook import (
    WORKSPACE_CODEBOOK,
    Codebook,
    Signals,
    Theme,
    add_theme,
    default_codebook_path,
    load_codebook,
    save_codebook,
)
from integkit.io import read_table, require_column

NEW = "neu"
N_QUOTES = 3
N_TOP_TERMS = 8
OVERLAP_SHARE = 0.7
MIN_FIT = 0.25
NMF_SAMPLE = 20_000  # above this many answers, NMF is fitted on a sample of this size  # cosine between an answer and its NMF reconstruction needed to join a cluster

# Words that are everywhere in this survey and say nothing about a topic of their own.
GENERIC = frozenset(
    T.fold(w)
    for w in """
    gut gute schlecht mehr weniger wenig fehlt fehlen leider viel viele sehr groß klein wichtig dringend
    gemeinde gemeinden kommune kommunen landkreis ort orte integration geflüchtete geflüchteter flüchtling
    asylbewerber migrant migrantin menschen mensch leute person personen familie familien frau frauen mann
    kind kinder problem probleme thema themen bereich möglichkeit unterstützung hilfe helfen brauchen
    sollen können müssen geben gibt machen gehen kommen sein haben werden bleiben finden sehen wäre würde
    schon immer noch oft einfach ganz eigentlich endlich dringend nötig neu neue besser schwer schwierig
    lang lange zeit jahr jahre tag heute bisher weiterhin aktuell allgemein beispiel uns wir
    ausbauen verbessern nehmen laufen klappen funktionieren fördern stärken schaffen bieten anbieten
    organisieren sorgen fragen info infos angebot angebote land kreis stadt dorf region kurs kurse
    arbeit integrationsarbeit statt stattfinden projekt überfordern überfordert überlasten überlastet""".split()
) | frozenset(T.fold(w) for w in get_stop_words("en"))


@dataclass(frozen=True)
class DiscoveryResult:
    """``clusters``: one cluster id per input text (None: in no cluster); ``summary``: one row
    per cluster with size, top terms, representative quotes and the overlapping theme or "neu"."""

    clusters: list[int | None]
    summary: pd.DataFrame
    assignments: list[Assignment]


SUMMARY_COLUMNS = ["cluster", "size", "top_terms", "overlap", "overlap_share", "quote_1", "quote_2", "quote_3"]


class _Residuals:
    """Residual terms per answer, with each distinct token's candidate terms worked out once."""

    def __init__(self, matcher: Matcher | None):
        self.matcher = matcher
        self.terms: dict[str, tuple[str, ...]] = {}

    def of(self, toks: list[str], assignment: Assignment) -> list[str]:
        if is_non_answer(" ".join(toks)):
            return []
        explained = {T.fold(w) for _, words, _ in assignment.evidence for w in words.split()}
        cache, out = self.terms, []
        for tok in toks:
            terms = cache.get(tok)
            if terms is None:
                terms = cache[tok] = self._token_terms(tok)
            if terms and not (explained and T.fold(tok) in explained):
                out.extend(terms)
        return out

    def _token_terms(self, tok: str) -> tuple[str, ...]:
        info = T.word_info(tok)
        if info.is_stopword or tok.isdigit() or len(info.folded) < 3:
            return ()
        if T.fold(info.lemma) in GENERIC or (self.matcher is not None and self.matcher.token_themes(tok)):
            return ()
        terms = [T.fold(info.lemma)]
        # parts of nouns only (verb parts are noise); words under 7 letters are never split
        if tok[:1].isupper() and len(tok) >= T.MIN_COMPOUND_LEN:
            parts = T.analyze(tok).parts
            if len(parts) > 1:
                terms.extend(T.fold(p) for p in parts)
        return tuple(t for t in terms if len(t) >= 3 and t not in GENERIC and t not in T.STOPWORDS)


def _display_names(token_lists: Iterable[list[str]], wanted: set[str] | None = None) -> dict[str, str]:
    """Map folded terms back to their most common readable form (lemma or part, lowercase).

    Counts each distinct token once (times its frequency), in order of first occurrence, so
    ties resolve as if every occurrence were counted in turn. With ``wanted``, only those
    folded terms are named, and words are split (HanTa) only if a wanted term can be a part.
    """
    counts: Counter = Counter()
    for toks in token_lists:
        counts.update(toks)
    probes = sorted(wanted) if wanted is not None else None
    seen: dict[str, Counter] = {}
    for tok, n in counts.items():
        info = T.word_info(tok)
        forms = [info.lemma.lower()]
        if info.is_stopword:
            forms.append(info.lemma)
        elif len(tok) < T.MIN_COMPOUND_LEN:  # never split: its one part is the lowercase word
            forms.append(tok.lower())
        elif probes is None or not info.folded.isascii() or any(k.lstrip("e") in info.folded for k in probes):
            forms.extend(T.analyze(tok).parts)
        # else: no wanted term can be a part of it (parts are substrings of the word)
        for form in forms:
            key = T.fold(form)
            if wanted is None or key in wanted:
                seen.setdefault(key, Counter())[form] += n
    return {k: c.most_common(1)[0][0] for k, c in seen.items()}


def auto_n_clusters(n_docs: int) -> int:
    """Default number of clusters: grows with the square root of the documents, 2..15."""
    return max(2, min(15, round(math.sqrt(n_docs) / 2)))


def discover(
    texts: Iterable[str], codebook: Codebook | None = None, n_clusters: int | None = None, seed: int = 0
) -> DiscoveryResult:
    """Cluster the answers' residual terms (TF-IDF + NMF) and summarise each cluster."""
    texts = ["" if not isinstance(t, str) else t for t in texts]
    codebook = codebook or load_codebook()
    assignments = assign(texts, codebook)
    residuals = _Residuals(get_matcher(codebook))
    memo: dict[str, tuple[list[str], list[str]]] = {}  # text → (tokens, residual terms)
    toks_of: list[list[str]] = []
    docs: list[list[str]] = []
    for text, a in zip(texts, assignments):
        entry = memo.get(text)
        if entry is None:
            toks = T.tokens(text)
            entry = memo[text] = (toks, residuals.of(toks, a))
        toks_of.append(entry[0])
        docs.append(entry[1])
    idx = [i for i, d in enumerate(docs) if d]
    clusters: list[int | None] = [None] * len(texts)
    empty = pd.DataFrame(columns=SUMMARY_COLUMNS)
    if len(idx) < 4:
        return DiscoveryResult(clusters, empty, assignments)
    min_df = 2 if len(idx) < 5000 else 3
    vectorizer = TfidfVectorizer(analyzer=lambda d: d, min_df=min_df, max_df=0.5, sublinear_tf=True)
    try:
        X = vectorizer.fit_transform([docs[i] for i in idx])
    except ValueError:  # no term survives min_df/max_df
        return DiscoveryResult(clusters, empty, assignments)
    k = n_clusters or auto_n_clusters(len(idx))
    k = max(1, min(k, X.shape[0] - 1, X.shape[1]))
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    if X.shape[0] > NMF_SAMPLE:
        # Large inputs: learn the topics on a deterministic sample (seeded), then express every
        # answer in them; clusters of a few hundred thousand answers need no more rows than this.
        rows = np.sort(np.random.default_rng(seed).choice(X.shape[0], NMF_SAMPLE, replace=False))
        nmf.fit(X[rows])
        W = nmf.transform(X)
    else:
        W = nmf.fit_transform(X)
    H = nmf.components_
    best = W.argmax(axis=1)
    # How well the NMF model explains each answer (cosine of its TF-IDF row and W·H, computed
    # without materialising W·H): poorly explained answers stay out of every cluster.
    fit = np.asarray((X @ H.T).multiply(W).sum(axis=1) if hasattr(X @ H.T, "multiply") else ((X @ H.T) * W).sum(axis=1)).ravel()
    recon_norm = np.sqrt(np.einsum("ij,jk,ik->i", W, H @ H.T, W))
    strength = np.where(recon_norm > 0, fit / np.maximum(recon_norm, 1e-12), 0.0)
    vocab = vectorizer.get_feature_names_out()

    # Order clusters by size (1 = largest); answers with no weight stay unclustered.
    raw_members: dict[int, list[int]] = {}
    for row, (c, s) in enumerate(zip(best, strength)):
        if s >= MIN_FIT:
            raw_members.setdefault(int(c), []).append(row)
    order = sorted(raw_members, key=lambda c: (-len(raw_members[c]), c))
    top_cols = {c: [j for j in np.argsort(-H[c])[:N_TOP_TERMS] if H[c, j] > 0] for c in order}
    wanted = {vocab[j] for cols in top_cols.values() for j in cols}
    names = _display_names((toks_of[i] for i in idx), wanted) if order else {}
    rows = []
    for new_id, c in enumerate(order, 1):
        members = raw_members[c]
        for row in members:
            clusters[idx[row]] = new_id
        top = [names.get(vocab[j], vocab[j]) for j in top_cols[c]]
        quotes: list[str] = []
        for row in sorted(members, key=lambda r: -W[r, c]):
            q = texts[idx[row]].strip()
            if q not in quotes:
                quotes.append(q)
            if len(quotes) == N_QUOTES:
                break
        theme_counts = Counter(t for row in members for t in assignments[idx[row]].themes)
        overlap, share = NEW, 0.0
        if theme_counts:
            theme, count = theme_counts.most_common(1)[0]
            share = count / len(members)
            if share >= OVERLAP_SHARE:
                overlap = theme
        rows.append(
            {"cluster": new_id, "size": len(members), "top_terms": ", ".join(top), "overlap": overlap,
             "overlap_share": round(share, 2), **{f"quote_{i + 1}": (quotes[i] if i < len(quotes) else "") for i in range(N_QUOTES)}}
        )
    return DiscoveryResult(clusters, pd.DataFrame(rows, columns=SUMMARY_COLUMNS), assignments)


def discover_frame(
    df: pd.DataFrame, text_column: str = "text", codebook: Codebook | None = None, n_clusters: int | None = None, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``df`` with a ``cluster`` column (nullable int) added, and the cluster summary."""
    result = discover(df[text_column].tolist(), codebook, n_clusters=n_clusters, seed=seed)
    out = df.copy()
    out["cluster"] = pd.array(result.clusters, dtype="Int64")
    return out, result.summary


def accept_cluster(
    cluster: int, summary: Path, theme_id: str, label_de: str, label_en: str = "", workspace: Path = Path(".")
) -> tuple[Codebook, Path]:
    """Add discovery cluster ``cluster`` from ``summary`` as a theme to the workspace codebook.

    Signals are the cluster's top terms (as compound parts), examples its quotes. The
    workspace's ``surveys/codebook.yaml`` is created from the default if absent; the
    version gets a minor bump and the change log an entry. Returns the new codebook and path.
    """
    table = read_table(summary).frame
    for column in ("cluster", "top_terms"):
        require_column(table, column, summary)
    rows = table[table["cluster"].astype(str).str.strip() == str(cluster)]
    if rows.empty:
        available = ", ".join(table["cluster"].astype(str)) or "(none)"
        raise InputError(f"{summary}: no cluster {cluster}; clusters are: {available}")
    row = rows.iloc[0]
    terms = [t.strip() for t in str(row["top_terms"]).split(",") if len(t.strip()) >= 3]
    if not terms:
        raise InputError(f"{summary}: cluster {cluster} has no top terms to use as signals")
    quotes = tuple(str(row[c]).strip() for c in ("quote_1", "quote_2", "quote_3") if c in row and str(row[c]).strip())
    path = Path(workspace) / WORKSPACE_CODEBOOK
    book = load_codebook(path if path.is_file() else default_codebook_path())
    theme = Theme(
        id=theme_id,
        label_de=label_de,
        label_en=label_en,
        description=f"Aus der Themenfindung übernommen (Cluster {cluster}, {Path(summary).name}).",
        signals=Signals(parts=tuple(dict.fromkeys(terms))),
        examples=quotes,
    )
    new = add_theme(book, theme, change=f"Added theme {theme_id!r} from discovery cluster {cluster} ({Path(summary).name}).")
    return new, save_codebook(new, path)
