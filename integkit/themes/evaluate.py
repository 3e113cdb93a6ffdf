"""Evaluation of theme assignment against gold labels: per-theme precision, recall, F1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd
from sklearn.metrics import precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from integkit.errors import InputError
from integkit.themes.assign import Assignment, assign, split_themes
from integkit.themes.codebook import Codebook, load_codebook


@dataclass(frozen=True)
class Evaluation:
    """Per-theme scores (``scores``: theme, precision, recall, f1, support, predicted),
    macro averages over the themes that occur in gold or predictions, and the errors
    (``errors``: row, text, theme, kind = false_positive/false_negative, evidence)."""

    scores: pd.DataFrame
    macro_precision: float
    macro_recall: float
    macro_f1: float
    errors: pd.DataFrame
    n: int


def evaluate(texts: Sequence[str], gold: Sequence[str | Sequence[str]], codebook: Codebook | None = None) -> Evaluation:
    """Compare ``assign(texts)`` with ``gold`` (';'-separated ids or lists of ids)."""
    codebook = codebook or load_codebook()
    if len(texts) != len(gold):
        raise ValueError("texts and gold differ in length")
    gold_sets = [set(split_themes(g)) if isinstance(g, str) or g is None else set(g) for g in gold]
    unknown = sorted(set().union(*gold_sets) - set(codebook.ids)) if gold_sets else []
    if unknown:
        row = next(i for i, g in enumerate(gold_sets, 1) if g & set(unknown))
        raise InputError(f"gold labels name unknown theme(s) {', '.join(unknown)} (first in row {row}); codebook has {', '.join(codebook.ids)}")
    predicted: list[Assignment] = assign(list(texts), codebook)
    pred_sets = [set(a.themes) for a in predicted]
    labels = [t for t in codebook.ids if any(t in g for g in gold_sets) or any(t in p for p in pred_sets)]
    mlb = MultiLabelBinarizer(classes=labels)
    y_true = mlb.fit_transform(gold_sets)
    y_pred = mlb.transform(pred_sets)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=range(len(labels)), zero_division=0)
    scores = pd.DataFrame(
        {"theme": labels, "precision": p, "recall": r, "f1": f, "support": s, "predicted": y_pred.sum(axis=0)}
    )
    errors = [
        {"row": i, "text": texts[i - 1], "theme": t, "kind": kind, "gold": ";".join(sorted(g)),
         "predicted": a.themes_text(), "evidence": a.evidence_text()}
        for i, (g, a, ps) in enumerate(zip(gold_sets, predicted, pred_sets), 1)
        for kind, missed in (("false_positive", ps - g), ("false_negative", g - ps))
        for t in sorted(missed, key=codebook.ids.index)
    ]
    error_cols = ["row", "text", "theme", "kind", "gold", "predicted", "evidence"]
    return Evaluation(
        scores=scores,
        macro_precision=float(p.mean()) if len(p) else 0.0,
        macro_recall=float(r.mean()) if len(r) else 0.0,
        macro_f1=float(f.mean()) if len(f) else 0.0,
        errors=pd.DataFrame(errors, columns=error_cols),
        n=len(texts),
    )
