"""Evaluation of theme assignment against gold labels: per-theme precision, recall, F1.

Gold labels may name themes the codebook lacks (a labelled set marks mobility or digital
access, which belong to discovery): those are not scored as themes, but their answers must
get no codebook theme they are not about, which shows as false positives and in
``Evaluation.outside``. With style tags per answer (e.g. "[typo] [long]"), the figures are
also given per tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import pandas as pd
from sklearn.metrics import precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from integkit.themes.assign import Assignment, assign, split_themes
from integkit.themes.codebook import Codebook, load_codebook

if TYPE_CHECKING:
    from integkit.themes.learn import ThemeModel

ERROR_COLUMNS = ["row", "text", "theme", "kind", "gold", "predicted", "evidence"]
TAG_COLUMNS = ["tag", "n", "macro_precision", "macro_recall", "macro_f1", "exact_share"]
OUTSIDE_COLUMNS = ["theme", "support", "with_other_theme", "clean_share"]
_TAG_RE = re.compile(r"\[(\w+)\]")
TEST_DIGITS = "789"


def split_by_id(ids: Sequence[str]) -> list[str]:
    """The fixed split of a labelled set: "test" for ids ending in 7, 8 or 9, else "dev".

    Fixed by the id alone, so that it never changes when rows are added or reordered, and
    the test part is never looked at while a codebook is tuned on the development part.
    """
    return ["test" if str(i).strip()[-1:] in TEST_DIGITS else "dev" for i in ids]


def tags_of(cells: Sequence[object]) -> list[list[str]]:
    """Style tags per answer. If any cell holds single words in square brackets ("[typo] [long]
    a note"), those are the tags (a cell without brackets has none); otherwise each non-empty
    cell is one tag (a column such as role or question)."""
    texts = [c.strip() if isinstance(c, str) else "" for c in cells]
    if any(_TAG_RE.search(t) for t in texts):
        return [_TAG_RE.findall(t) for t in texts]
    return [[t] if t else [] for t in texts]


@dataclass(frozen=True)
class Scores:
    """Per-theme scores (theme, precision, recall, f1, support, predicted) and their macro averages."""

    table: pd.DataFrame
    macro_precision: float
    macro_recall: float
    macro_f1: float


def score(gold_sets: Sequence[set[str]], pred_sets: Sequence[set[str]], theme_ids: Sequence[str]) -> Scores:
    """Precision, recall and F1 per theme of ``theme_ids`` that occurs in gold or predictions
    (macro averages are NaN when none does: nothing to score)."""
    labels = [t for t in theme_ids if any(t in g for g in gold_sets) or any(t in p for p in pred_sets)]
    if not labels:
        nan = float("nan")
        return Scores(pd.DataFrame(columns=["theme", "precision", "recall", "f1", "support", "predicted"]), nan, nan, nan)
    mlb = MultiLabelBinarizer(classes=labels)
    y_true = mlb.fit_transform([g & set(labels) for g in gold_sets])
    y_pred = mlb.transform([p & set(labels) for p in pred_sets])
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=range(len(labels)), zero_division=0)
    table = pd.DataFrame({"theme": labels, "precision": p, "recall": r, "f1": f, "support": s, "predicted": y_pred.sum(axis=0)})
    return Scores(table, float(p.mean()), float(r.mean()), float(f.mean()))


@dataclass(frozen=True)
class Evaluation:
    """Per-theme scores (``scores``: theme, precision, recall, f1, support, predicted), macro
    averages over the codebook themes that occur in gold or predictions, the errors (``errors``:
    row, text, theme, kind = false_positive/false_negative, gold, predicted, evidence), gold themes
    outside the codebook (``outside``: theme, support, with_other_theme, clean_share) and, with
    tags, the figures per tag (``by_tag``: tag, n, macro_precision, macro_recall, macro_f1, and
    exact_share: answers whose codebook themes are exactly the gold ones)."""

    scores: pd.DataFrame
    macro_precision: float
    macro_recall: float
    macro_f1: float
    errors: pd.DataFrame
    n: int
    outside: pd.DataFrame
    by_tag: pd.DataFrame


def evaluate(
    texts: Sequence[str],
    gold: Sequence[str | Sequence[str]],
    codebook: Codebook | None = None,
    tags: Sequence[object] | None = None,
    model: ThemeModel | None = None,
) -> Evaluation:
    """Compare the assignment of ``texts`` (rules, plus ``model`` if given) with ``gold`` (';'-separated
    ids or lists of ids); ``tags`` (one cell per text, see :func:`tags_of`) adds figures per tag."""
    codebook = codebook or load_codebook()
    if len(texts) != len(gold) or (tags is not None and len(tags) != len(texts)):
        raise ValueError("texts, gold and tags differ in length")
    gold_sets = [set(split_themes(g)) if isinstance(g, str) or g is None else set(g) for g in gold]
    predicted: list[Assignment] = assign(list(texts), codebook, model=model)
    pred_sets = [set(a.themes) for a in predicted]
    ids = list(codebook.ids)
    overall = score(gold_sets, pred_sets, ids)
    errors = [
        {"row": i, "text": texts[i - 1], "theme": t, "kind": kind, "gold": ";".join(sorted(g)),
         "predicted": a.themes_text(), "evidence": a.evidence_text()}
        for i, (g, a, ps) in enumerate(zip(gold_sets, predicted, pred_sets), 1)
        for kind, missed in (("false_positive", ps - g), ("false_negative", (g - ps) & set(ids)))
        for t in sorted(missed, key=ids.index)
    ]
    return Evaluation(
        scores=overall.table,
        macro_precision=overall.macro_precision,
        macro_recall=overall.macro_recall,
        macro_f1=overall.macro_f1,
        errors=pd.DataFrame(errors, columns=ERROR_COLUMNS),
        n=len(texts),
        outside=_outside(gold_sets, pred_sets, ids),
        by_tag=_by_tag(gold_sets, pred_sets, ids, tags) if tags is not None else pd.DataFrame(columns=TAG_COLUMNS),
    )


def _outside(gold_sets: Sequence[set[str]], pred_sets: Sequence[set[str]], ids: list[str]) -> pd.DataFrame:
    """Per gold theme the codebook lacks: its answers, and how many got a codebook theme they are not about."""
    rows = []
    for theme in sorted(set().union(*gold_sets) - set(ids)) if gold_sets else []:
        members = [(g, p) for g, p in zip(gold_sets, pred_sets) if theme in g]
        other = sum(bool(p - g) for g, p in members)
        rows.append({"theme": theme, "support": len(members), "with_other_theme": other, "clean_share": 1 - other / len(members)})
    return pd.DataFrame(rows, columns=OUTSIDE_COLUMNS)


def _by_tag(gold_sets, pred_sets, ids: list[str], tags: Sequence[object]) -> pd.DataFrame:
    """Macro figures over the answers carrying each tag (tags in order of first appearance)."""
    rows_of: dict[str, list[int]] = {}
    for i, cell_tags in enumerate(tags_of(tags)):
        for tag in cell_tags:
            rows_of.setdefault(tag, []).append(i)
    rows = []
    for tag, members in rows_of.items():
        s = score([gold_sets[i] for i in members], [pred_sets[i] for i in members], ids)
        exact = sum((gold_sets[i] & set(ids)) == pred_sets[i] for i in members) / len(members)
        rows.append({"tag": tag, "n": len(members), "macro_precision": s.macro_precision, "macro_recall": s.macro_recall,
                     "macro_f1": s.macro_f1, "exact_share": exact})
    return pd.DataFrame(rows, columns=TAG_COLUMNS)


def discovery_share(
    clusters: Sequence[int | None], gold_sets: Sequence[set[str]], theme: str, among: Sequence[bool] | None = None
) -> float:
    """Share of the answers whose gold labels include ``theme`` that discovery put in a cluster
    whose plurality gold theme is ``theme`` (each member counts each of its gold themes; a tie
    for the most is no plurality). With ``among``, only those answers are counted (the test part
    of one run on a whole set); pluralities still come from every member. NaN when none has ``theme``.

    This is how discovery is judged on a labelled set: a theme the codebook lacks (mobility,
    digital access) should come out as clusters of its own, not spread over other topics.
    """
    from collections import Counter

    counts: dict[int, Counter] = {}
    for cluster, gold in zip(clusters, gold_sets):
        if cluster is not None:
            counts.setdefault(cluster, Counter()).update(gold)
    plurality = {}
    for cluster, counter in counts.items():
        top = counter.most_common(2)
        plurality[cluster] = top[0][0] if top and (len(top) == 1 or top[0][1] > top[1][1]) else None
    among = [True] * len(gold_sets) if among is None else among
    members = [c for c, gold, keep in zip(clusters, gold_sets, among) if keep and theme in gold]
    if not members:
        return float("nan")
    return sum(c is not None and plurality.get(c) == theme for c in members) / len(members)
