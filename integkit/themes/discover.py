"""Discovery: cluster what the codebook does not explain, to propose new themes.

Each answer is reduced to its *residual* terms: the lemmas and compound parts of its content
words (nouns, integkit.text.normalize.content_words) that no codebook signal explains, so
"Beratungsbus", explained by beratung, contributes no "bus", while "Fahrtkosten" (finanzierung
through "kosten") still contributes "fahrt". Answers the codebook already covers well (most of
their content words explained) are left out. The rest are clustered with TF-IDF + NMF
(scikit-learn, deterministic for a seed) in two passes: the second clusters what the first left
unclustered, so that a topic of a handful of answers is not lost among large ones. A cluster whose
members mostly carry one codebook theme is reported as overlapping it; otherwise it is "neu": a
candidate theme such as mobility (ÖPNV, Bus, Führerschein) or digital access (WLAN, Laptops), which
the default lacks. Each cluster gets a proposed German label, its top terms and the signal words an
accepted theme would start from: content words that occur mostly in the cluster's answers
(integkit.themes.proposal).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from stop_words import get_stop_words

from integkit.text import normalize as T
from integkit.themes.assign import Assignment, Matcher, assign, is_non_answer, matcher as get_matcher
from integkit.themes.codebook import Codebook, load_codebook

NEW = "neu"
N_QUOTES = 3
N_TOP_TERMS = 8
N_SIGNALS = 6
OVERLAP_SHARE = 0.7
MIN_FIT = 0.1  # cosine between an answer and its NMF reconstruction needed to join a cluster
OPEN_SHARE = 2 / 3  # an answer with a theme shapes the topics only if this share of its content words is unexplained
SIGNAL_PRECISION = 0.5  # a signal word: at least this share of the answers using it are in the cluster,
SIGNAL_SUPPORT = 0.2  # and it is used by at least this share of the cluster's answers
MIN_SIZE = 3  # a cluster of fewer answers is no proposal: its answers stay unclustered
NMF_SAMPLE = 20_000  # above this many answers, NMF is fitted on a sample of this size

# Nouns that are everywhere in this survey, or only say when, and name no topic of their own:
# the people concerned and the countries they come from ("Leit" is Bavarian for Leute), places,
# the district office and town hall as addressees, times; the same in English answers.
GENERIC = frozenset(
    T.fold(w)
    for w in """
    gemeinde gemeinden kommune kommunen landkreis ort orte integration geflüchtete geflüchteter flüchtling
    asylbewerber migrant migrantin menschen mensch leute person personen familie familien frau frauen mann
    kind kinder problem probleme thema themen bereich möglichkeit unterstützung hilfe
    zeit jahr jahre tag beispiel info infos angebot angebote land kreis stadt dorf region kurs kurse
    arbeit integrationsarbeit projekt landratsamt lra amt rat rathaus gemeinderat markt teil stück ding
    sache art mal fall stelle raum bedarf wunsch dank haus gebäude
    bewohner erwachsene erwachsener jugendliche jugendlicher junge mutter vater eltern männer leit leiten
    gruppe platz frage grund stand programm leistung sicht lösung dauer erfahrung anfang ende teil rest
    woche monat stunde abend morgen vormittag nachmittag montag dienstag mittwoch donnerstag freitag
    samstag sonntag januar februar märz april mai juni juli august september oktober november dezember
    sommer winter frühjahr herbst ferien uhr minute
    syrien syrer syrerin ukraine ukrainer ukrainerin afghanistan afghane afghanen irak iraker iran iraner
    eritrea eritreer somalia nigeria türkei kosovo albanien russland georgien""".split()
) | frozenset(T.fold(w) for w in get_stop_words("en")) | frozenset(
    # English answers ("honestly", "really": fillers)
    """people person persons family families kid kids child children woman women man men problem problems
    issue issues help support office offices staff time times year years week weeks month months day days
    thing things lot lots way ways place places district municipality municipalities town village villages
    change changes honestly really actually just maybe""".split()
)


@dataclass(frozen=True)
class DiscoveryResult:
    """``clusters``: one cluster id per input text (None: in no cluster); ``summary``: one row
    per cluster with size, top terms, quotes, the overlapping theme or "neu", a proposed German
    label and the proposed signal words (';'-separated)."""

    clusters: list[int | None]
    summary: pd.DataFrame
    assignments: list[Assignment]


SUMMARY_COLUMNS = ["cluster", "size", "top_terms", "overlap", "overlap_share", "quote_1", "quote_2", "quote_3", "label", "signals"]


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """The municipalities of the standard questionnaire, folded word by word ("moosburg", "isar").
    A place says where, not what about: it helps to cluster ("nach Freising" goes with the bus),
    but is never a signal or a label."""
    from integkit.data import questionnaire_path
    from integkit.ingest.structure import read_lss

    question = read_lss(questionnaire_path()).question("GEMEINDE")
    labels = question.answers.values() if question is not None else ()
    return frozenset(T.fold(w) for label in labels for w in T.tokens(label) if len(w) >= 3)


class _Residuals:
    """Content words of answers split into what the codebook explains and what it leaves (per
    distinct token, worked out once), with the readable form of every residual term."""

    def __init__(self, matcher: Matcher, names: frozenset[str] = frozenset()):
        self.matcher = matcher
        self.names = names
        # the codebook's single-word signals of four letters or more, folded
        self.signal_terms = sorted({
            T.fold(term) for theme in matcher.codebook.themes for term in (*theme.signals.lemmas, *theme.signals.parts)
            if " " not in term and len(term) >= 4
        })
        self.terms: dict[str, tuple[str, ...]] = {}  # content word → folded residual terms
        self.forms: dict[str, Counter] = {}  # folded term → readable forms
        self.lemma: dict[str, str] = {}  # content word → folded lemma
        self.every: dict[str, frozenset[str]] = {}  # content word → folded lemma and parts

    def of(self, text: str) -> tuple[list[str], list[str], int]:
        """(content words, residual content words, number of explained content words) of ``text``."""
        if is_non_answer(text):
            return [], [], 0
        words = T.content_words(text)
        residual, explained = [], 0
        for w in words:
            if self._token_terms(w):
                residual.append(w)
            elif self.matcher.token_themes(w):
                explained += 1
        return words, residual, explained

    def all_terms(self, words: Sequence[str]) -> frozenset[str]:
        """Folded lemmas and compound parts of ``words``, explained or not (as content_terms gives them)."""
        out: set[str] = set()
        for w in words:
            terms = self.every.get(w)
            if terms is None:
                noun = T.noun_form(w)
                terms = self.every[w] = frozenset(T.fold(t) for t in (T.word_info(noun).lemma, *T.noun_parts(noun)))
            out |= terms
        return frozenset(out)

    def _token_terms(self, tok: str) -> tuple[str, ...]:
        terms = self.terms.get(tok)
        if terms is None:
            terms = self.terms[tok] = self._compute(tok)
        return terms

    def _compute(self, tok: str) -> tuple[str, ...]:
        noun = T.noun_form(tok)
        readable = T.word_info(noun).lemma
        lem = T.fold(readable)
        self.lemma[tok] = lem
        if lem in GENERIC or T.fold(tok) in GENERIC:
            return ()
        parts = T.noun_parts(noun)
        # a place name is one word: "Moosburg" has no parts "moos" and "burg"
        parts = [p for p in parts if T.fold(p) != lem] if len(parts) > 1 and lem not in self.names else []

        def keep(term: str) -> bool:
            return len(term) >= 3 and term not in GENERIC and term not in T.STOPWORDS and term not in T.FILLER_WORDS

        hits = self.matcher.token_hits(tok)
        if hits:
            # explained as a whole (its signal, or parts of it, as "ehre"+"amt" of "ehrenamt"), but
            # the parts no signal covers are left: "fahrt" of Fahrtkosten (finanzierung: kosten)
            signals = [signal for _, signal in hits]
            chosen = [p for p in parts if keep(T.fold(p)) and not any(T.fold(p) in s for s in signals)
                      and not self.matcher.token_themes(p)]
        else:
            # a word the codebook does not place may still hold a signal word, split by HanTa
            # ("Ehrenamtsbörse": ehre + amt of ehrenamt): those parts are the codebook's, not new
            folded = T.fold(tok)
            inside = [t for t in self.signal_terms if t in folded]
            parts = [p for p in parts if not any(T.fold(p) in t for t in inside)]
            chosen = [readable, *(p for p in parts if keep(T.fold(p)))] if keep(lem) else [p for p in parts if keep(T.fold(p))]
        out = []
        for form in chosen:
            key = T.fold(form)
            self.forms.setdefault(key, Counter())[form if form.isupper() else T.part_as_word(form.lower())] += 1
            out.append(key)
        return tuple(out)

    def docs(self, residual_words: Sequence[list[str]]) -> list[list[str]]:
        """Residual terms per answer. A compound part counts only where it links different words
        ("bus" of Rufbus and Bürgerbus); a part of a single word repeats that word and is dropped."""
        words_of: dict[str, set[str]] = {}
        for tok, terms in self.terms.items():
            for term in terms:
                words_of.setdefault(term, set()).add(self.lemma[tok])
        out = []
        for words in residual_words:
            doc = []
            for w in words:
                lem = self.lemma[w]
                doc.extend(t for t in self.terms[w] if t == lem or len(words_of[t]) >= 2)
            out.append(doc)
        return out

    def readable(self, key: str) -> str:
        forms = self.forms.get(key)
        return forms.most_common(1)[0][0] if forms else key


def auto_n_clusters(n_docs: int) -> int:
    """Default number of clusters: grows with the square root of the answers that shape them, 2..15."""
    return max(2, min(15, round(math.sqrt(n_docs))))


def _nmf_clusters(X, k: int, seed: int, fit_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(best topic per row, strength of that fit per row, topic-term matrix H) of an NMF with k
    topics learnt from the rows ``fit_rows`` of X and applied to every row."""
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    if len(fit_rows) > NMF_SAMPLE:
        # Large inputs: learn the topics on a deterministic sample (seeded), then express every
        # answer in them; clusters of a few hundred thousand answers need no more rows than this.
        fit_rows = np.sort(np.random.default_rng(seed).choice(fit_rows, NMF_SAMPLE, replace=False))
    with np.errstate(invalid="ignore", divide="ignore"):  # a start of too many topics: see _topics
        nmf.fit(X[fit_rows])
        W = nmf.transform(X)
    H = nmf.components_
    # How well the NMF model explains each answer (cosine of its TF-IDF row and W·H, computed
    # without materialising W·H): poorly explained answers stay out of every cluster.
    projected = X @ H.T
    fit = np.asarray(projected.multiply(W).sum(axis=1) if hasattr(projected, "multiply") else (projected * W).sum(axis=1)).ravel()
    recon_norm = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", W, H @ H.T, W), 0.0))  # ≥ 0 but for rounding
    strength = np.where(recon_norm > 0, fit / np.maximum(recon_norm, 1e-12), 0.0)
    # An answer's topic is the one contributing most to its reconstruction: W[:, t] times the size
    # of topic t's terms (NMF may scale a topic's W column up and its H row down; W alone would
    # favour topics whose terms happen to be scaled small).
    return (W * np.linalg.norm(H, axis=1)).argmax(axis=1), strength, H


def _bounded_k(k: int, n_rows: int, n_terms: int) -> int:
    """``k`` topics, at most one fewer than the rows that shape them and no more than the terms."""
    return max(1, min(k, n_rows - 1, n_terms))


def _topics(X, k: int, seed: int, fit_rows: np.ndarray) -> tuple[dict[int, list[int]], np.ndarray, np.ndarray]:
    """(rows per topic, fit strength per row, topic-term matrix H): the NMF topics of X, each with
    the rows that fit it well enough (MIN_FIT), kept if they are MIN_SIZE rows or more.

    Rows whose every term fell to min_df/max_df shape nothing; if no fitting row has a term left,
    there are no topics (scikit-learn refuses to factorise a matrix full of zeros).
    """
    if X[fit_rows].nnz == 0:
        return {}, np.zeros(X.shape[0]), np.zeros((0, X.shape[1]))
    best, strength, H = _nmf_clusters(X, k, seed, fit_rows)
    while np.isnan(H).any() and k > 1:
        # More topics than the fitting rows have independent directions (a small meeting whose
        # open answers share two or three words): NNDSVD's start divides zero by zero and every
        # topic comes out NaN, so fewer topics are tried.
        k -= 1
        best, strength, H = _nmf_clusters(X, k, seed, fit_rows)
    members: dict[int, list[int]] = {}
    for row, (c, s) in enumerate(zip(best, strength)):
        if s >= MIN_FIT:
            members.setdefault(int(c), []).append(row)
    return {c: rows for c, rows in members.items() if len(rows) >= MIN_SIZE}, strength, H


def discover(
    texts: Iterable[str],
    codebook: Codebook | None = None,
    n_clusters: int | None = None,
    seed: int = 0,
    *,
    names: Iterable[str] = (),
) -> DiscoveryResult:
    """Cluster the answers' residual content words (TF-IDF + NMF) and summarise each cluster.

    ``names`` are further words that name places or people (e.g. the municipalities of a
    meeting); with the standard questionnaire's municipalities they are never proposed as signal
    words or labels.
    """
    from integkit.themes.proposal import cluster_label, specific_terms

    texts = ["" if not isinstance(t, str) else t for t in texts]
    codebook = codebook or load_codebook()
    assignments = assign(texts, codebook)
    known = place_names() | frozenset(T.fold(w) for name in names for w in T.tokens(str(name)) if len(w) >= 3)
    residuals = _Residuals(get_matcher(codebook), known)
    memo: dict[str, tuple[list[str], list[str], int]] = {}
    residual_of: list[list[str]] = []
    shaping: list[bool] = []  # per answer: whether it is open enough to shape the topics
    for text, a in zip(texts, assignments):
        entry = memo.get(text)
        if entry is None:
            entry = memo[text] = residuals.of(text)
        _, residual, explained = entry
        residual_of.append(residual)
        shaping.append(not a.themes or len(residual) >= OPEN_SHARE * (explained + len(residual)))
    docs = residuals.docs(residual_of)
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
    # The topics are learnt from the answers the codebook leaves open; answers it covers well (a
    # theme, and most of their content words explained) join a topic only where they fit it.
    fit_rows = np.flatnonzero([shaping[i] for i in idx])
    if len(fit_rows) < 4:
        return DiscoveryResult(clusters, empty, assignments)
    k = n_clusters or auto_n_clusters(len(fit_rows))
    k = _bounded_k(k, len(fit_rows), X.shape[1])
    raw_members, strength, H = _topics(X, k, seed, fit_rows)
    # A second pass over what the first left unclustered finds the small topics that the large
    # ones crowded out (a handful of answers about laptops among hundreds of answers)
    placed = {row for rows in raw_members.values() for row in rows}
    left = np.setdiff1d(np.arange(X.shape[0]), list(placed))
    left_fit = np.flatnonzero(np.isin(left, fit_rows))
    if len(left_fit) >= 2 * MIN_SIZE:
        k2 = _bounded_k(auto_n_clusters(len(left_fit)), len(left_fit), X.shape[1])
        more, strength2, H2 = _topics(X[left], k2, seed, left_fit)
        strength[left] = strength2
        raw_members.update({len(H) + c: [int(left[r]) for r in rows] for c, rows in more.items()})
        H = np.vstack([H, H2])
    vocab = vectorizer.get_feature_names_out()

    # Order clusters by size (1 = largest); answers that fit no topic well stay unclustered.
    order = sorted(raw_members, key=lambda c: (-len(raw_members[c]), c))
    # every answer's content terms (explained or not), to tell which terms are specific to a cluster
    all_terms = [residuals.all_terms(memo[text][0]) for text in texts]
    rows = []
    for new_id, c in enumerate(order, 1):
        members = raw_members[c]
        for row in members:
            clusters[idx[row]] = new_id
        in_cluster = [all_terms[idx[row]] for row in members]
        # the topic's terms in order of weight, as far as its answers use them (the tail of a
        # topic also holds terms of answers that joined other clusters)
        used = Counter(t for row in members for t in set(docs[idx[row]]))
        ranked = [vocab[j] for j in np.argsort(-H[c], kind="stable") if H[c, j] > 0 and used[vocab[j]] >= 2]
        top = ranked[:N_TOP_TERMS]
        # signals are words people wrote (not only fragments of compounds) that pass as signal words
        # on their own (integkit.themes.proposal.signal_words), never places
        whole = {residuals.lemma[w] for row in members for w in residual_of[idx[row]]}
        candidates = [t for t in ranked[: 3 * N_TOP_TERMS]
                      if t not in known and t in whole and T.is_content_word(residuals.readable(t))]
        support = max(2, math.ceil(SIGNAL_SUPPORT * len(members)))
        signals = specific_terms(candidates, in_cluster, all_terms, SIGNAL_PRECISION, support)[:N_SIGNALS]
        quotes: list[str] = []
        for row in sorted(members, key=lambda r: -strength[r]):
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
        readable_signals = [T.noun_form(residuals.readable(t)) for t in signals]  # whole nouns: capitalised
        rows.append(
            {"cluster": new_id, "size": len(members), "top_terms": ", ".join(residuals.readable(t) for t in top),
             "overlap": overlap, "overlap_share": round(share, 2),
             **{f"quote_{i + 1}": (quotes[i] if i < len(quotes) else "") for i in range(N_QUOTES)},
             "label": cluster_label(readable_signals or [T.noun_form(residuals.readable(t)) for t in candidates]
                                    or [residuals.readable(t) for t in top if t not in known]),
             "signals": "; ".join(readable_signals)}
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
    cluster: int,
    summary: Path,
    theme_id: str,
    label_de: str,
    label_en: str = "",
    workspace: Path = Path("."),
    *,
    signals: Sequence[str] | None = None,
) -> tuple[Codebook, Path]:
    """Add discovery cluster ``cluster`` from ``summary`` as a theme to the workspace codebook.

    Signals are ``signals`` if given (the facilitator's edit), else the cluster's proposed ones
    (integkit.themes.proposal.proposed_signals); examples are its quotes. The workspace's
    ``surveys/codebook.yaml`` is created from the default if absent; the version gets a minor
    bump and the change log an entry. Returns the new codebook and path.
    """
    from integkit.themes.codebook import WORKSPACE_CODEBOOK, save_codebook
    from integkit.themes.proposal import propose

    path = Path(workspace) / WORKSPACE_CODEBOOK
    proposal = propose(cluster, summary, theme_id, label_de, label_en, workspace=workspace, signals=signals)
    return proposal.codebook, save_codebook(proposal.codebook, path)
