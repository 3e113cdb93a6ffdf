"""The survey structure (questions, subquestions, answer labels) that turns codes into labels.

It is read from a LimeSurvey structure export (.lss) or built from RemoteControl replies, and
stored with each snapshot as JSON, so labels work offline and stay as they were at the pull.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

from integkit.errors import InputError

# LimeSurvey question types integkit maps (see LimeSurvey's question type letters)
LIST_TYPES = {"!", "L", "O"}  # dropdown, radio, list with comment
ARRAY_TYPES = {"F", "A", "B", "H"}  # rating arrays: one rated item per subquestion
RATING_TYPES = {"5"}  # a single 5-point rating
MULTI_TYPES = {"M", "P"}
TEXT_TYPES = {"T", "U", "S", "Q"}
YESNO_TYPES = {"Y"}
NUMERIC_TYPES = {"N", "K"}


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def strip_html(text: str | None) -> str:
    """Plain text of a LimeSurvey HTML snippet (question texts hold `<p>…</p>`)."""
    if not text:
        return ""
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return re.sub(r"\s+", " ", html.unescape("".join(parser.parts))).strip()


@dataclass(frozen=True)
class Question:
    """One top-level question with its subquestions and answer options, labels in plain text."""

    code: str
    type: str
    text: str
    group: str = ""
    order: int = 0
    subquestions: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    other: bool = False
    other_label: str = "Sonstiges"


@dataclass(frozen=True)
class SurveyStructure:
    """A survey's questions by code, in survey order, plus its id, title and language."""

    questions: dict[str, Question]
    survey_id: int | None = None
    title: str = ""
    language: str = "de"

    def question(self, code: str) -> Question | None:
        return self.questions.get(code)

    def to_json(self) -> bytes:
        """Serialise for storage in a snapshot (stable key order, UTF-8)."""
        data = {
            "survey_id": self.survey_id,
            "title": self.title,
            "language": self.language,
            "questions": [asdict(q) for q in self.questions.values()],
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes | str) -> SurveyStructure:
        data = json.loads(raw)
        questions = {q["code"]: Question(**q) for q in data["questions"]}
        return cls(questions, data.get("survey_id"), data.get("title", ""), data.get("language", "de"))


def _rows(root: Element, table: str) -> list[dict[str, str]]:
    node = root.find(table)
    if node is None:
        return []
    return [{child.tag: (child.text or "") for child in row} for row in node.iterfind("rows/row")]


def _by_language(rows: list[dict[str, str]], language: str) -> list[dict[str, str]]:
    """Rows of one language (rows without a language column are kept)."""
    return [r for r in rows if r.get("language", language) in (language, "")]


def parse_lss(raw: bytes, source: str = "<lss>") -> SurveyStructure:
    """Read a LimeSurvey survey structure export (.lss, LimeSurvey 3 to 6)."""
    try:
        root = SafeET.fromstring(raw)
    except Exception as exc:  # defusedxml raises several types
        raise InputError(f"{source}: not a readable LimeSurvey structure file (.lss): {exc}") from None
    if root.tag != "document" or root.findtext("LimeSurveyDocType") != "Survey":
        raise InputError(f"{source}: not a LimeSurvey survey structure file (.lss): no <LimeSurveyDocType>Survey")

    surveys = _rows(root, "surveys")
    language = (surveys[0].get("language") if surveys else "") or root.findtext("languages/language") or "de"
    survey_id = int(surveys[0]["sid"]) if surveys and surveys[0].get("sid", "").isdigit() else None
    settings = _by_language(_rows(root, "surveys_languagesettings"), language)
    title = settings[0].get("surveyls_title", "") if settings else ""

    groups = {r["gid"]: r for r in _by_language(_rows(root, "groups"), language)}
    for r in _by_language(_rows(root, "group_l10ns"), language):
        groups.setdefault(r["gid"], {}).update(r)

    # LimeSurvey 6 keeps texts in *_l10ns tables; older versions keep them in the rows themselves.
    qtexts = {r["qid"]: r.get("question", "") for r in _by_language(_rows(root, "question_l10ns"), language)}
    atexts = {r["aid"]: r.get("answer", "") for r in _by_language(_rows(root, "answer_l10ns"), language)}
    attributes = {
        (r["qid"], r.get("attribute", "")): r.get("value", "")
        for r in _by_language(_rows(root, "question_attributes"), language)
    }

    def text_of(row: dict[str, str], key: str, texts: dict[str, str], id_key: str) -> str:
        return strip_html(row.get(key) or texts.get(row[id_key], ""))

    subs: dict[str, list[tuple[int, str, str]]] = {}
    for r in _by_language(_rows(root, "subquestions"), language):
        if r.get("scale_id", "0") not in ("0", ""):
            continue
        subs.setdefault(r["parent_qid"], []).append(
            (int(r.get("question_order") or 0), r["title"], text_of(r, "question", qtexts, "qid"))
        )
    answers: dict[str, list[tuple[int, str, str]]] = {}
    for r in _by_language(_rows(root, "answers"), language):
        if r.get("scale_id", "0") not in ("0", ""):
            continue
        answers.setdefault(r["qid"], []).append(
            (int(r.get("sortorder") or 0), r["code"], text_of(r, "answer", atexts, "aid"))
        )

    top = [r for r in _by_language(_rows(root, "questions"), language) if r.get("parent_qid", "0") in ("0", "")]
    group_order = {gid: int(g.get("group_order") or 0) for gid, g in groups.items()}
    top.sort(key=lambda r: (group_order.get(r.get("gid", ""), 0), int(r.get("question_order") or 0)))
    if not top:
        raise InputError(f"{source}: the structure file holds no questions")

    questions: dict[str, Question] = {}
    for r in top:
        qid = r["qid"]
        questions[r["title"]] = Question(
            code=r["title"],
            type=r.get("type", ""),
            text=text_of(r, "question", qtexts, "qid"),
            group=strip_html(groups.get(r.get("gid", ""), {}).get("group_name", "")),
            order=len(questions),
            subquestions={code: text for _, code, text in sorted(subs.get(qid, []))},
            answers={code: text for _, code, text in sorted(answers.get(qid, []))},
            other=r.get("other") == "Y",
            other_label=attributes.get((qid, "other_replace_text")) or "Sonstiges",
        )
    return SurveyStructure(questions, survey_id, title, language)


def read_lss(path: Path) -> SurveyStructure:
    """Read a .lss file from disk, naming the file in any error."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the structure file: {exc.strerror}") from None
    return parse_lss(raw, str(path))
