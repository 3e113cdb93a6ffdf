"""How far the machine's theme assignment agrees with the facilitator's coding.

The facilitator's coding is the set of answers in `surveys/<meeting>/coding.csv` (corrected
or confirmed); on those answers each theme is a yes/no judgement by two raters, so Cohen's
kappa per theme says where the codebook can be trusted and where it needs work.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from integkit.analysis.meeting import Analysis
from integkit.analysis.tables import question_short
from integkit.facilitator.explore import visible_texts
from integkit.facilitator.present import count, decimal, evidence_text, theme_names
from integkit.themes.coding import code_answers, load_corrections
from integkit.responses import load_responses
from integkit.themes.assign import split_themes
from integkit.themes.codebook import Codebook, load_codebook
from integkit.workspace import Workspace

SCORE_COLUMNS = ["theme", "label", "n", "machine", "facilitator", "both", "agree_pct", "kappa"]
DISAGREEMENT_COLUMNS = ["response_id", "question_id", "text", "theme", "label", "machine", "facilitator", "machine_evidence"]
ONLY_MACHINE, ONLY_FACILITATOR = "nur Maschine", "nur Moderation"


@dataclass(frozen=True)
class Agreement:
    """Per-theme scores (SCORE_COLUMNS; kappa NaN where both raters never or always chose the
    theme), the answers they disagree on (DISAGREEMENT_COLUMNS), and how many answers were compared."""

    scores: pd.DataFrame
    disagreements: pd.DataFrame
    n: int


def paired_codings(machine: pd.DataFrame, corrections: pd.DataFrame) -> pd.DataFrame:
    """The answers both coded: text, machine themes and evidence, facilitator themes (lists of ids)."""
    left = machine[["response_id", "question_id", "text", "themes", "theme_evidence"]]
    right = corrections[["response_id", "question_id", "themes"]].astype({"response_id": int})
    pairs = left.merge(right, on=["response_id", "question_id"], suffixes=("_machine", "_facilitator"))
    pairs["machine"] = pairs["themes_machine"].map(split_themes)
    pairs["facilitator"] = pairs["themes_facilitator"].map(split_themes)
    return pairs.drop(columns=["themes_machine", "themes_facilitator"]).reset_index(drop=True)


def kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two yes/no raters; NaN when it is undefined (both constant and equal)."""
    if not a:
        return float("nan")
    if len(set(a) | set(b)) == 1:
        return float("nan")
    from sklearn.metrics import cohen_kappa_score  # here: scikit-learn takes seconds to import

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(cohen_kappa_score(a, b, labels=[False, True]))


def agreement(machine: pd.DataFrame, corrections: pd.DataFrame, codebook: Codebook) -> Agreement:
    """Cohen's kappa per codebook theme (plus themes the facilitator used) and the disagreements."""
    pairs = paired_codings(machine, corrections)
    used = {t for ts in pairs["facilitator"] for t in ts} | {t for ts in pairs["machine"] for t in ts}
    themes = list(codebook.ids) + sorted(used - set(codebook.ids))
    label = {t.id: t.label_de for t in codebook.themes}
    rows, wrong = [], []
    for theme in themes:
        m = [theme in ts for ts in pairs["machine"]]
        f = [theme in ts for ts in pairs["facilitator"]]
        rows.append(
            {
                "theme": theme, "label": label.get(theme, theme), "n": len(m),
                "machine": sum(m), "facilitator": sum(f), "both": sum(x and y for x, y in zip(m, f)),
                "agree_pct": round(100 * sum(x == y for x, y in zip(m, f)) / len(m)) if m else float("nan"),
                "kappa": kappa(m, f),
            }
        )
        for i in (i for i, (x, y) in enumerate(zip(m, f)) if x != y):
            row = pairs.iloc[i]
            wrong.append(
                {
                    "response_id": row["response_id"], "question_id": row["question_id"], "text": row["text"],
                    "theme": theme, "label": label.get(theme, theme),
                    "machine": ";".join(row["machine"]), "facilitator": ";".join(row["facilitator"]),
                    "machine_evidence": row["theme_evidence"],
                }
            )
    scores = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    scores["kappa"] = scores["kappa"].round(2)
    disagreements = pd.DataFrame(wrong, columns=DISAGREEMENT_COLUMNS).sort_values(["response_id", "question_id"], kind="stable")
    return Agreement(scores, disagreements.reset_index(drop=True), len(pairs))


def meeting_agreement(workspace: Workspace | str, meeting_id: str, codebook: Codebook | None = None) -> Agreement:
    """Agreement of the machine with the facilitator's saved coding of one meeting."""
    workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    codebook = codebook or load_codebook(workspace=workspace.root)
    machine = code_answers(load_responses(workspace, meeting_id), codebook)
    return agreement(machine, load_corrections(workspace, meeting_id), codebook)


def summary_line(result: Agreement) -> str:
    """One sentence for the notebook: how many answers were compared and the mean kappa."""
    if not result.n:
        return "Noch keine Kodierung durch die Moderation gespeichert: kein Vergleich (Cohen's kappa) möglich."
    mean = result.scores["kappa"].mean()
    mean_text = "nicht bestimmbar" if pd.isna(mean) else decimal(mean, 2)
    return (
        f"Verglichen: {count(result.n, 'answer')}, die die Moderation kodiert hat; mittleres Cohen's kappa über die "
        f"Themen: {mean_text}; {count(len(result.disagreements), 'mismatch')}."
    )


def readable_scores(result: Agreement) -> pd.DataFrame:
    """The per-theme scores with German headings (numbers stay numbers; the table shows them German)."""
    s = result.scores
    return pd.DataFrame({
        "Thema": s["label"], "verglichene Antworten": s["n"], "Maschine": s["machine"], "Moderation": s["facilitator"],
        "beide": s["both"], "Übereinstimmung %": s["agree_pct"], "Cohen's κ": s["kappa"],
    })


def readable_disagreements(result: Agreement, analysis: Analysis, show_personal_data: bool = False) -> pd.DataFrame:
    """The answers machine and facilitator code differently: number, question, (redacted) text, themes by name."""
    d, book = result.disagreements, analysis.codebook
    return pd.DataFrame({
        "Nr.": d["response_id"], "Frage": [question_short(analysis, q) for q in d["question_id"]],
        "Antwort": visible_texts(d["text"].tolist(), show_personal_data), "Thema": d["label"],
        "Maschine": [theme_names(v, book) for v in d["machine"]], "Moderation": [theme_names(v, book) for v in d["facilitator"]],
        "erkannt über": [evidence_text(v, book) for v in d["machine_evidence"]],
    })
