"""The facilitator's view of one meeting's answers: filters, theme × municipality counts, the quotes behind a count.

Every answer carries its municipality, role, question and themes in one table (`answer_table`),
so each filter and each count of the explorer notebook is a plain selection of that table.
Quotes are redacted (privacy.redact) unless the caller explicitly asks for personal data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from integkit.analysis.meeting import Analysis
from integkit.analysis.redaction import Redactor
from integkit.errors import WorkspaceError
from integkit.facilitator.present import theme_names
from integkit.text.search import search_answers
from integkit.analysis.tables import question_short
from integkit.themes.assign import split_themes
from integkit.themes.coding import FACILITATOR
from integkit.workspace import Workspace

ALL = ""  # the filter value meaning "no restriction"
ANSWER_COLUMNS = ["response_id", "municipality", "role", "question_id", "question", "text", "themes", "coded_by"]


def locate_workspace(path: Path | str = ".") -> Workspace:
    """The workspace at ``path`` or the nearest parent holding surveys/meetings.yaml (a notebook's
    kernel starts in notebooks/, the workspace is usually its parent)."""
    start = Path(path).resolve()
    for folder in (start, *start.parents):
        if (folder / "surveys" / "meetings.yaml").is_file():
            return Workspace(folder)
    raise WorkspaceError(f"{start}: kein integkit-Arbeitsordner, weder hier noch darüber (surveys/meetings.yaml fehlt)")


def answer_table(analysis: Analysis) -> pd.DataFrame:
    """One row per answer: who (municipality, role), which question, the text and its themes."""
    people = analysis.respondents[["response_id", "municipality", "role"]]
    table = analysis.coded.merge(people, on="response_id", how="left")
    table["question"] = [question_short(analysis, q) for q in table["question_id"]]
    return table[ANSWER_COLUMNS].reset_index(drop=True)


def filter_options(analysis: Analysis) -> dict[str, list[tuple[str, str]]]:
    """(label, value) choices for each filter, "alle" first: municipality, role, question, theme."""
    people = analysis.respondents
    everything = [("alle", ALL)]
    questions = analysis.responses.text_questions()
    return {
        "municipality": everything + [(m, m) for m in sorted(set(people["municipality"]), key=str.lower)],
        "role": everything + [(r or "ohne Angabe", r) for r in sorted(set(people["role"]), key=str.lower) if r] ,
        "question": everything + [(question_short(analysis, q), q) for q in questions],
        "theme": everything + [(analysis.theme_label(t), t) for t in analysis.theme_order()],
    }


def filter_answers(
    table: pd.DataFrame,
    municipality: str = ALL,
    role: str = ALL,
    question: str = ALL,
    theme: str = ALL,
    query: str = "",
) -> pd.DataFrame:
    """The answers matching every given filter (empty values do not filter); ``query`` is a word search."""
    keep = pd.Series(True, index=table.index)
    for column, value in (("municipality", municipality), ("role", role), ("question_id", question)):
        if value:
            keep &= table[column] == value
    if theme:
        keep &= table["themes"].map(lambda v: theme in split_themes(v))
    rows = table[keep].reset_index(drop=True)
    return search_answers(rows, query) if query and query.strip() else rows


def theme_municipality_counts(table: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """Respondents naming each theme (rows, in ``themes`` order) per municipality (columns), zeros kept."""
    long = table.assign(theme=table["themes"].map(split_themes)).explode("theme").dropna(subset=["theme"])
    counts = long.groupby(["theme", "municipality"])["response_id"].nunique().unstack(fill_value=0)
    municipalities = sorted(set(table["municipality"]), key=str.lower)
    present = [t for t in themes if t in counts.index] + sorted(set(counts.index) - set(themes))
    return counts.reindex(index=present, columns=municipalities, fill_value=0).astype(int)


def labelled_counts(counts: pd.DataFrame, analysis: Analysis) -> pd.DataFrame:
    """The counts with theme labels as a first column, for showing as a table."""
    out = counts.copy()
    out.insert(0, "Thema", [analysis.theme_label(t) for t in out.index])
    out.columns.name = None
    return out.reset_index(drop=True)


def visible_texts(texts: list[str], show_personal_data: bool = False, names: tuple[str, ...] = ()) -> list[str]:
    """Texts as the notebook may show them: redacted, unless ``show_personal_data`` is switched on."""
    if show_personal_data:
        return ["" if not isinstance(t, str) else t for t in texts]
    return Redactor(names).redact_many(texts)


def quotes(rows: pd.DataFrame, show_personal_data: bool = False, names: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows ready for show.quotes: municipality, role (with question) and the (redacted) text."""
    texts = visible_texts(rows["text"].tolist(), show_personal_data, names)
    roles = [f"{r} · {q}" if r else q for r, q in zip(rows["role"].fillna(""), rows["question"])]
    return pd.DataFrame({"municipality": rows["municipality"].to_numpy(), "role": roles, "text": texts})


def cell_quotes(
    table: pd.DataFrame, theme: str, municipality: str, show_personal_data: bool = False, names: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The answers behind one theme × municipality count, ready to show."""
    return quotes(filter_answers(table, municipality=municipality, theme=theme), show_personal_data, names)


def visible(frame: pd.DataFrame, show_personal_data: bool = False, columns: tuple[str, ...] = ("text",)) -> pd.DataFrame:
    """A copy of ``frame`` whose text ``columns`` (those present) are redacted unless ``show_personal_data``."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = visible_texts(out[column].tolist(), show_personal_data)
    return out


def readable(rows: pd.DataFrame, analysis: Analysis, show_personal_data: bool = False) -> pd.DataFrame:
    """Answers (from answer_table) as the facilitator reads and exports them: German headings, theme names."""
    return pd.DataFrame({
        "Nr.": rows["response_id"].to_numpy(),
        "Gemeinde": rows["municipality"].to_numpy(),
        "Rolle": rows["role"].fillna("").to_numpy(),
        "Frage": rows["question"].to_numpy(),
        "Antwort": visible_texts(rows["text"].tolist(), show_personal_data),
        "Themen": [theme_names(v, analysis.codebook) for v in rows["themes"]],
        "kodiert von": ["Moderation" if c == FACILITATOR else "automatisch" for c in rows["coded_by"]],
    })

