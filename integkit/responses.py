"""The tidy model: a meeting's responses as four long tables with labels applied.

- respondents: meeting_id, response_id, municipality, role, submitted_at, complete, volunteers
- answers:     meeting_id, response_id, question_id, text      (one row per free-text answer)
- ratings:     meeting_id, response_id, item, value            (1–5, NaN for "keine Angabe")
- choices:     meeting_id, response_id, question_id, option
- questions:   question_id, kind, code, label                  (what each question id stands for)

Question ids are stable names (`q_gut`, `q_ausbau`, `q_unterstuetzung`, …) mapped from the
survey's question codes by a mapping: the meeting's own in meetings.yaml, the default one for
the standard questionnaire, or one inferred from the survey's structure. A survey may have no
free-text question at all (ratings or choices only); then `answers` is empty.

Municipality names typed as "other" are matched to the known municipalities
(integkit.ingest.municipalities); names that match none stay as typed and are listed in
`municipality_checks`. Labels (column headings, question texts, subquestion and answer labels,
names typed as "other") lose control characters, bidi controls and invisible characters here;
answer texts lose control characters. The raw file in the snapshot keeps every byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from integkit.errors import InputError
from integkit.ingest.files import Export, parse_export
from integkit.ingest.municipalities import MunicipalityNames, NameCheck, municipality_names, read_aliases
from integkit.ingest.snapshot import Snapshot, find_snapshot
from integkit.ingest.structure import (
    ARRAY_TYPES,
    LIST_TYPES,
    RATING_TYPES,
    MULTI_TYPES,
    NUMERIC_TYPES,
    TEXT_TYPES,
    SurveyStructure,
)
from integkit.workspace import Workspace

STRUCTURE_FILE = "structure.json"

DEFAULT_MAPPING: dict[str, Any] = {
    "municipality": "GEMEINDE",
    "role": "ROLLE",
    "volunteers": "EHRENAMT",
    "ratings": ["BEREICHE"],
    "choices": {"q_themen": "THEMEN"},
    "texts": {"q_gut": "GELINGT", "q_ausbau": "AUSBAU", "q_unterstuetzung": "UNTERSTUETZUNG"},
}
MAPPING_KEYS = set(DEFAULT_MAPPING)
SELECTED = {"Y", "Ja", "Yes", "1", "y", "ja", "x", "X"}
MISSING = {"", "N/A"}
# What a list answer holds when "other" was chosen: the code (-oth- in LimeSurvey 6.14, other in
# 6.4.2), or in a long (full-text) export the list's label for it (besides the question's own)
OTHER_VALUES = {"-oth-", "other", "Sonstiges", "Other", "Andere", "Anderes"}
# Control characters (C0 but tab and line breaks, DEL, C1) have no place in an answer; NUL and
# friends would break spreadsheets and PDF text. They are removed in the tidy model; the raw
# file in the snapshot keeps every byte as received.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
# A label (heading, question text, option, municipality) is one line of plain text: it also loses
# line breaks, bidi controls (U+202E …), zero-width characters and the BOM, which could reorder or
# hide what a reader sees in a title, an axis label, alt text or a file name
LABEL_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
UNKNOWN_MUNICIPALITY = "ohne Angabe"

RESPONDENT_COLUMNS = ["meeting_id", "response_id", "municipality", "role", "submitted_at", "complete", "volunteers"]
ANSWER_COLUMNS = ["meeting_id", "response_id", "question_id", "text"]
RATING_COLUMNS = ["meeting_id", "response_id", "item", "value"]
CHOICE_COLUMNS = ["meeting_id", "response_id", "question_id", "option"]
QUESTION_COLUMNS = ["question_id", "kind", "code", "label"]


@dataclass(frozen=True)
class Responses:
    """A meeting's responses from one snapshot, as tidy tables (see the module docstring)."""

    meeting_id: str
    respondents: pd.DataFrame
    answers: pd.DataFrame
    ratings: pd.DataFrame
    choices: pd.DataFrame
    questions: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)
    municipality_checks: tuple[NameCheck, ...] = ()
    """Municipality names typed as "other" that are no known municipality (with counts and suggestions)."""

    def question_label(self, question_id: str) -> str:
        rows = self.questions.loc[self.questions["question_id"] == question_id, "label"]
        return rows.iloc[0] if len(rows) else question_id

    def text_questions(self) -> list[str]:
        return self.questions.loc[self.questions["kind"] == "text", "question_id"].tolist()


# --- mapping -----------------------------------------------------------------------------
def stable_name(code: str) -> str:
    """A question id for a code that no mapping names: `q_` plus the code in lower case."""
    return "q_" + re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")


def infer_mapping(structure: SurveyStructure) -> dict[str, Any]:
    """A mapping from the survey's own question types and texts, for surveys integkit did not write."""
    known = {code: qid for qid, code in DEFAULT_MAPPING["texts"].items()}
    known.update({code: qid for qid, code in DEFAULT_MAPPING["choices"].items()})
    mapping: dict[str, Any] = {"ratings": [], "choices": {}, "texts": {}}
    lists = [q for q in structure.questions.values() if q.type in LIST_TYPES]

    def pick(pattern: str) -> str | None:
        for q in lists:
            if re.search(pattern, f"{q.code} {q.text}", re.IGNORECASE) and q.code not in mapping.values():
                return q.code
        return None

    mapping["municipality"] = pick(r"gemeinde|kommune|municipal|stadt|\bort\b|wohnort")
    mapping["role"] = pick(r"rolle|funktion|\brole\b|position")
    for q in structure.questions.values():
        if q.code in (mapping["municipality"], mapping["role"]):
            continue
        if q.type in TEXT_TYPES:
            mapping["texts"][known.get(q.code, stable_name(q.code))] = q.code
        elif q.type in ARRAY_TYPES or q.type in RATING_TYPES:
            mapping["ratings"].append(q.code)
        elif q.type in MULTI_TYPES or q.type in LIST_TYPES:
            mapping["choices"][known.get(q.code, stable_name(q.code))] = q.code
        elif q.type in NUMERIC_TYPES and "volunteers" not in mapping and re.search(r"ehrenamt|volunt", q.code + q.text, re.I):
            mapping["volunteers"] = q.code
    return mapping


def uses_standard_codes(columns: list[str]) -> bool:
    """Whether a file has the standard questionnaire's municipality and free-text codes (its meetings form a series)."""
    present = set(columns)
    return DEFAULT_MAPPING["municipality"] in present and set(DEFAULT_MAPPING["texts"].values()) <= present


def check_mapping(mapping: dict[str, Any], source: str) -> None:
    """A meeting's own mapping: known keys, and codes where codes belong (one line naming the field)."""
    unknown = set(mapping) - MAPPING_KEYS
    if unknown:
        raise InputError(f"{source}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (known: {', '.join(sorted(MAPPING_KEYS))})")
    for key in ("municipality", "role", "volunteers"):
        if mapping.get(key) is not None and not isinstance(mapping[key], str):
            raise InputError(f"{source}: {key} must be a question code or null, not {mapping[key]!r}")
    if mapping.get("ratings") is not None and not (
        isinstance(mapping["ratings"], list) and all(isinstance(c, str) for c in mapping["ratings"])
    ):
        raise InputError(f"{source}: ratings must be a list of question codes, not {mapping['ratings']!r}")
    for key in ("texts", "choices"):
        value = mapping.get(key)
        if value is not None and not (isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
            raise InputError(f"{source}: {key} must map question ids to codes ({key}: {{q_gut: GELINGT}}), or be {{}} for none")


def with_defaults(override: dict[str, Any] | None) -> dict[str, Any]:
    """A meeting's mapping completed by the standard one; `null` ratings, texts or choices mean none."""
    mapping = {**DEFAULT_MAPPING, **(override or {})}
    mapping.update({key: mapping[key] or ([] if key == "ratings" else {}) for key in ("ratings", "texts", "choices")})
    return mapping


def resolve_mapping(
    structure: SurveyStructure, columns: list[str], override: dict[str, Any] | None, source: str
) -> dict[str, Any]:
    """The mapping to use, checked against the file's columns (a clear error if columns are missing).

    A survey needs a free-text question, a rating or a choice; free texts may be absent
    (`texts: {}` in a meeting's mapping, or a survey without any), and so may the municipality.
    """
    if override:
        check_mapping(override, f"mapping for {source} (surveys/meetings.yaml)")
        mapping = with_defaults(override)
    elif uses_standard_codes(columns):
        mapping = DEFAULT_MAPPING
    else:
        mapping = infer_mapping(structure)

    present = set(columns)

    def has(code: str | None) -> bool:
        return bool(code) and (code in present or any(c.startswith(f"{code}[") for c in present))

    wanted = [c for c in [mapping.get("municipality"), *mapping["texts"].values()] if c]
    missing = [c for c in wanted if not has(c)]
    found = [c for c in [*mapping["texts"].values(), *(mapping.get("ratings") or []), *(mapping.get("choices") or {}).values()] if has(c)]
    if missing or not found:
        shown = ", ".join(columns[:12]) + (" …" if len(columns) > 12 else "")
        what = ", ".join(missing) if missing else "free-text, rating or choice questions"
        raise InputError(
            f"{source}: missing the mapped column(s) {what} (the file has: {shown}); "
            "give the survey's .lss with --structure or a 'mapping' for the meeting in surveys/meetings.yaml"
        )
    return mapping


def clean_label(text: str) -> str:
    """A label as one line of visible text: no control, bidi or invisible characters, single spaces."""
    return " ".join(LABEL_CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else "", text).split())


def clean_structure(structure: SurveyStructure) -> SurveyStructure:
    """The structure with every label cleaned (the stored structure.json keeps them as received)."""
    questions = {
        code: replace(
            q,
            text=clean_label(q.text),
            group=clean_label(q.group),
            subquestions={k: clean_label(v) for k, v in q.subquestions.items()},
            answers={k: clean_label(v) for k, v in q.answers.items()},
            other_label=clean_label(q.other_label),
        )
        for code, q in structure.questions.items()
    }
    return replace(structure, questions=questions, title=clean_label(structure.title))


# --- building the tables -----------------------------------------------------------------
def _label(value: str, labels: dict[str, str]) -> str:
    """The label of an answer code; a value that is already a label (long exports) stays."""
    return labels.get(value, value)


def _list_value(frame: pd.DataFrame, code: str | None, structure: SurveyStructure) -> pd.Series:
    """Labels of a single-choice question, with the 'other' text where the answer is 'other'.

    "Other" is the code (-oth-, other), the list's label for it in a long export ("Sonstiges"),
    or an empty answer beside an other text; a blank other text leaves no answer at all.
    """
    if not code or code not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    question = structure.question(code)
    labels = question.answers if question else {}
    other = frame.get(f"{code}[other]", pd.Series([""] * len(frame), index=frame.index)).map(clean_label)
    values = frame[code].str.strip()
    labelled = values.map(lambda v: "" if v in MISSING else _label(v, labels))
    is_other = values == ""
    if f"{code}[other]" in frame.columns or (question and question.other):
        other_values = OTHER_VALUES | ({question.other_label} if question else set())
        is_other |= values.isin(other_values - set(labels.values()))
    return labelled.where(~is_other, other)


def build_responses(
    export: Export,
    structure: SurveyStructure,
    meeting_id: str,
    mapping: dict[str, Any] | None = None,
    provenance: dict[str, Any] | None = None,
    source: str = "export",
    aliases: dict[str, str] | None = None,
) -> Responses:
    """Turn a parsed export into the tidy model, applying the structure's labels.

    `aliases` are the municipality names the office confirmed (surveys/municipalities.yaml).
    """
    frame = _cleaned_frame(export.frame, source)
    structure = clean_structure(structure)
    if frame.empty:  # a survey without responses yet: empty tables, the default mapping
        mapping = with_defaults(mapping)
    else:
        mapping = resolve_mapping(structure, list(frame.columns), mapping, source)
    ids = frame["id"].astype(int)
    if export.is_paper:
        complete = pd.Series(True, index=frame.index)
    else:
        complete = frame.get("submitdate", pd.Series("", index=frame.index)).str.strip() != ""
    submitted = pd.to_datetime(frame.get("submitdate", pd.Series("", index=frame.index)).replace("", None), errors="coerce")
    volunteers_code = mapping.get("volunteers")
    volunteers = (
        pd.to_numeric(frame[volunteers_code].str.replace(",", ".").str.strip(), errors="coerce").astype("Float64")
        if volunteers_code in frame.columns
        else pd.Series(np.nan, index=frame.index, dtype="Float64")
    )
    municipality, checks = _municipalities(frame, mapping.get("municipality"), structure, aliases)
    respondents = pd.DataFrame(
        {
            "meeting_id": meeting_id,
            "response_id": ids,
            "municipality": municipality,
            "role": _list_value(frame, mapping.get("role"), structure),
            "submitted_at": submitted.where(complete),
            "complete": complete.astype(bool),
            "volunteers": volunteers,
        }
    )[RESPONDENT_COLUMNS]

    questions: list[dict[str, str]] = []
    answers = []
    for question_id, code in mapping["texts"].items():
        question = structure.question(code)
        questions.append({"question_id": question_id, "kind": "text", "code": code, "label": question.text if question else code})
        if code not in frame.columns:
            continue
        text = frame[code].str.replace("\r\n", "\n").str.strip()
        keep = text != ""
        answers.append(pd.DataFrame({"meeting_id": meeting_id, "response_id": ids[keep], "question_id": question_id, "text": text[keep]}))

    ratings = []
    for code in mapping.get("ratings") or []:
        question = structure.question(code)
        subs = question.subquestions if question else {}
        reverse = {label: key for key, label in (question.answers.items() if question else [])}
        # an array has one column per subquestion (CODE[SQ001]); a single rating has CODE itself
        columns = [code] if code in frame.columns else [c for c in frame.columns if c.startswith(f"{code}[")]
        for column in columns:
            sub = column[len(code) + 1 : -1]
            item = subs.get(sub, sub) if sub else (question.text if question else code)
            raw = frame[column].str.strip().map(lambda v: reverse.get(v, v))
            value = pd.to_numeric(raw, errors="coerce")
            # A rating row exists for every respondent who saw the item; NaN means "keine Angabe"
            seen = ~(~complete & (frame[column].str.strip() == ""))
            ratings.append(pd.DataFrame({"meeting_id": meeting_id, "response_id": ids[seen], "item": item, "value": value[seen]}))
        questions.append({"question_id": stable_name(code), "kind": "rating", "code": code, "label": question.text if question else code})

    choices = []
    for question_id, code in (mapping.get("choices") or {}).items():
        question = structure.question(code)
        questions.append({"question_id": question_id, "kind": "choice", "code": code, "label": question.text if question else code})
        if code in frame.columns:  # a single-choice question has one column of its own
            option = _list_value(frame, code, structure)
            keep = option != ""
            choices.append(pd.DataFrame({"meeting_id": meeting_id, "response_id": ids[keep], "question_id": question_id, "option": option[keep]}))
            continue
        subs = question.subquestions if question else {}
        for column in [c for c in frame.columns if c.startswith(f"{code}[")]:
            sub = column[len(code) + 1 : -1]
            values = frame[column].str.strip()
            if sub == "other":
                option = values.map(clean_label)
                keep = option != ""
            else:
                keep, option = values.isin(SELECTED), pd.Series(subs.get(sub, sub), index=frame.index)
            choices.append(pd.DataFrame({"meeting_id": meeting_id, "response_id": ids[keep], "question_id": question_id, "option": option[keep]}))

    return Responses(
        meeting_id=meeting_id,
        respondents=respondents.reset_index(drop=True),
        answers=_concat(answers, ANSWER_COLUMNS),
        ratings=_concat(ratings, RATING_COLUMNS, value_float=True),
        choices=_concat(choices, CHOICE_COLUMNS),
        questions=pd.DataFrame(questions, columns=QUESTION_COLUMNS),
        provenance=provenance or {},
        municipality_checks=checks,
    )


def _municipalities(
    frame: pd.DataFrame, code: str | None, structure: SurveyStructure, aliases: dict[str, str] | None
) -> tuple[pd.Series, tuple[NameCheck, ...]]:
    """Each respondent's municipality as a known name where the typed one matches, and the names that match none."""
    question = structure.question(code) if code else None
    names: MunicipalityNames = municipality_names(question.answers.values() if question else (), aliases)
    typed = _list_value(frame, code, structure)
    known = {name: names.canonical(name) for name in typed.unique() if name}
    checks = tuple(names.check(typed[typed != ""]))
    return typed.map(lambda name: known.get(name, UNKNOWN_MUNICIPALITY)), checks


def _cleaned_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The export's cells as text without control characters, its headings as clean labels (unique)."""
    frame = _without_control_characters(frame.astype(object).fillna("").astype(str))
    headings = [clean_label(str(c)) for c in frame.columns]
    repeated = sorted({h for h in headings if headings.count(h) > 1})
    if repeated:
        raise InputError(f"{source}: column heading(s) {', '.join(map(repr, repeated))} occur more than once after control characters are removed")
    frame.columns = headings
    return frame


def _without_control_characters(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with control characters removed and lone carriage returns made line breaks."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if values.str.contains(CONTROL_CHARACTERS + "|\r", regex=True).any():
            values = values.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
            frame[column] = values.str.replace(CONTROL_CHARACTERS, "", regex=True)
    return frame


def _concat(parts: list[pd.DataFrame], columns: list[str], value_float: bool = False) -> pd.DataFrame:
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    frame = frame[columns].sort_values("response_id", kind="stable").reset_index(drop=True)
    frame["response_id"] = frame["response_id"].astype(int)
    if value_float:
        frame["value"] = frame["value"].astype(float)
    return frame


# --- from a snapshot -----------------------------------------------------------------------
def responses_from_snapshot(
    snapshot: Snapshot, meeting_id: str, mapping: dict[str, Any] | None = None, aliases: dict[str, str] | None = None
) -> Responses:
    """The tidy model of one stored snapshot, labelled with the structure stored beside it."""
    raw_name = snapshot.raw_name()
    export = parse_export(snapshot.read(raw_name), f"{snapshot.path / raw_name}")
    structure = SurveyStructure.from_json(snapshot.read(STRUCTURE_FILE))
    provenance = {
        "snapshot_id": snapshot.id,
        "snapshot_sha256": snapshot.sha256,
        "snapshot_created_at": snapshot.created_at,
        "source": snapshot.manifest.get("source", {}),
        "survey_title": structure.title,
    }
    return build_responses(export, structure, meeting_id, mapping, provenance, source=str(snapshot.path), aliases=aliases)


def load_responses(workspace: Workspace, meeting_id: str, snapshot: str | None = None) -> Responses:
    """The tidy model of a registered meeting from its latest (or a named) snapshot."""
    meeting = workspace.meeting(meeting_id)
    found = find_snapshot(workspace.snapshots_dir(meeting_id), snapshot)
    return responses_from_snapshot(found, meeting_id, meeting.mapping, read_aliases(workspace.municipalities_path))
