"""A meeting's coded answers as a REFI-QDA project (`.qdpx`) for MAXQDA, ATLAS.ti, NVivo, QualCoder.

The `.qdpx` file is a zip holding `project.qde` (XML in the namespace `urn:QDA-XML:project:1.0`,
valid against the REFI-QDA project schema) and `Sources/<guid>.txt`, one plain-text source per
answer, named "municipality · question · Antwort <id>". Inside the project:

- Users: the machine's assignment and the facilitator (whose corrections win);
- CodeBook: one code per theme, named by its German label, its description as the memo;
- Variables and Cases: one case per municipality (meeting, roles, number of respondents, mean
  ratings) holding its answers; each source carries its respondent's meeting, municipality,
  role, question, response number and ratings;
- a coded selection per assigned theme: the stretch of text the evidence names, else the whole
  answer, coded by whoever assigned it.

Selections count characters (Unicode code points) of the source text, end exclusive. GUIDs are
derived from the meeting, answer and theme, so exporting again gives the same ids.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ElementTree, SubElement

import pandas as pd

from integkit.io import atomic_path
from integkit.report.wording import t
from integkit.share.codings import CodedMeeting, evidence_span
from integkit.themes.coding import FACILITATOR, MACHINE

NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
SOURCES_DIR = "Sources"
GUID_NAMESPACE = uuid.UUID("6f1c3d2a-8f0e-4b7e-9a51-3c2d7e0b9a44")  # integkit's, for uuid5 ids
USERS = {MACHINE: "integkit (automatische Zuordnung)", FACILITATOR: "Moderation (Korrektur)"}
SELECTION_NOTES = {MACHINE: "Belege: {evidence}", FACILITATOR: "Vom Moderationsteam zugeordnet."}
COLORS = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC")
VAR_MEETING, VAR_QUESTION, VAR_RESPONSE, VAR_RESPONDENTS = "Treffen", "Frage", "Antwort-Nr.", "Befragte"
RATING, RATING_MEAN = "Bewertung: {item}", "Bewertung: {item} (Mittelwert)"


def guid(*parts: object) -> str:
    """A stable GUID for one thing in the project (same meeting, answer, theme: same GUID)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(map(str, parts))))


def _value(parent: Element, variables: dict[str, tuple[str, str]], name: str, value: Any) -> None:
    """A VariableValue of the variable `name` (Text, Integer or Float as declared)."""
    var_guid, kind = variables[name]
    node = SubElement(parent, "VariableValue")
    SubElement(node, "VariableRef", targetGUID=var_guid)
    text = f"{float(value):.2f}" if kind == "Float" else str(int(value)) if kind == "Integer" else str(value)
    SubElement(node, f"{kind}Value").text = text


def project_xml(coded: CodedMeeting, now: dt.datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """The `project.qde` document and the source texts by GUID."""
    analysis = coded.analysis
    meeting = analysis.meeting
    mid = meeting.id
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    stamp = now.isoformat().replace("+00:00", "Z")
    from integkit import __version__

    users = {who: guid("user", who) for who in USERS}
    root = Element("Project", {
        "xmlns": NAMESPACE, "name": meeting.title or mid, "origin": f"integkit {__version__}",
        "creatingUserGUID": users[MACHINE], "creationDateTime": stamp,
    })
    users_node = SubElement(root, "Users")
    for who, name in USERS.items():
        SubElement(users_node, "User", guid=users[who], name=name)

    codes_node = SubElement(SubElement(root, "CodeBook"), "Codes")
    codes = {}
    for number, theme_id in enumerate(coded.theme_ids):
        codes[theme_id] = guid("code", theme_id)
        code = SubElement(codes_node, "Code", guid=codes[theme_id], name=coded.theme_label(theme_id),
                          isCodable="true", color=COLORS[number % len(COLORS)])
        if coded.theme_description(theme_id):
            SubElement(code, "Description").text = coded.theme_description(theme_id)

    ratings = analysis.responses.ratings.dropna(subset=["value"])
    items = list(dict.fromkeys(analysis.responses.ratings["item"]))
    declared = [(VAR_MEETING, "Text"), (t("municipality"), "Text"), (t("role"), "Text"), (VAR_QUESTION, "Text"),
                (VAR_RESPONSE, "Integer"), (VAR_RESPONDENTS, "Integer")]
    declared += [(RATING.format(item=i), "Integer") for i in items] + [(RATING_MEAN.format(item=i), "Float") for i in items]
    variables = {name: (guid("variable", name), kind) for name, kind in declared}
    variables_node = SubElement(root, "Variables")
    for name, (var_guid, kind) in variables.items():
        SubElement(variables_node, "Variable", guid=var_guid, name=name, typeOfVariable=kind)

    answers = coded.answers
    source_guid = {(r.response_id, r.question_id): guid("source", mid, r.response_id, r.question_id) for r in answers.itertuples()}
    cases_node = SubElement(root, "Cases")
    respondents = analysis.respondents
    for municipality, rows in answers.groupby("municipality", sort=True):
        case = SubElement(cases_node, "Case", guid=guid("case", mid, municipality), name=str(municipality))
        people = respondents[respondents["municipality"] == municipality]
        _value(case, variables, VAR_MEETING, meeting.title or mid)
        _value(case, variables, t("municipality"), municipality)
        _value(case, variables, t("role"), "; ".join(sorted({r for r in people["role"] if r})))
        _value(case, variables, VAR_RESPONDENTS, len(people))
        means = ratings[ratings["response_id"].isin(people["response_id"])].groupby("item")["value"].mean()
        for item in items:
            if item in means.index:
                _value(case, variables, RATING_MEAN.format(item=item), means[item])
        for r in rows.itertuples():
            SubElement(case, "SourceRef", targetGUID=source_guid[(r.response_id, r.question_id)])

    sources_node = SubElement(root, "Sources")
    texts = {}
    by_person = {rid: group.set_index("item")["value"] for rid, group in ratings.groupby("response_id")}
    for r in answers.itertuples():
        sid = source_guid[(r.response_id, r.question_id)]
        texts[sid] = r.text
        source = SubElement(sources_node, "TextSource", guid=sid, plainTextPath=f"internal://{sid}.txt",
                            name=f"{r.municipality} · {r.question} · Antwort {r.response_id}")
        who = FACILITATOR if r.coded_by == FACILITATOR else MACHINE
        for theme_id in r.themes:
            evidence = coded.evidence.get((r.response_id, r.question_id, theme_id), "") if who == MACHINE else ""
            start, end = (evidence_span(r.text, evidence) if evidence else None) or (0, len(r.text))
            selection = SubElement(source, "PlainTextSelection", guid=guid("selection", sid, theme_id),
                                   name=coded.theme_label(theme_id), startPosition=str(start), endPosition=str(end),
                                   creatingUser=users[who])
            SubElement(selection, "Description").text = SELECTION_NOTES[who].format(evidence=evidence)
            coding = SubElement(selection, "Coding", guid=guid("coding", sid, theme_id), creatingUser=users[who])
            SubElement(coding, "CodeRef", targetGUID=codes[theme_id])
        _value(source, variables, VAR_MEETING, meeting.title or mid)
        _value(source, variables, t("municipality"), r.municipality)
        _value(source, variables, t("role"), r.role or "")
        _value(source, variables, VAR_QUESTION, r.question)
        _value(source, variables, VAR_RESPONSE, r.response_id)
        for item, value in by_person.get(r.response_id, pd.Series(dtype=float)).items():
            _value(source, variables, RATING.format(item=item), value)

    provenance = analysis.responses.provenance
    SubElement(root, "Description").text = (
        f"Antworten zum Treffen „{meeting.title or mid}“ ({mid}), Snapshot {provenance.get('snapshot_id', '')}, "
        f"Codebuch Version {analysis.codebook.version}, exportiert mit integkit {__version__}. "
        + ("Personenbezogene Daten in den Antworten sind geschwärzt." if coded.redacted
           else "Enthält personenbezogene Daten: nicht weitergeben.")
    )
    buffer = io.BytesIO()
    ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue(), texts


def write_qdpx(coded: CodedMeeting, out: Path) -> Path:
    """Write the project as a `.qdpx` zip (project.qde plus Sources/), atomically."""
    xml, texts = project_xml(coded)
    with atomic_path(out) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(PROJECT_FILE, xml)
            for source_id, text in texts.items():
                archive.writestr(f"{SOURCES_DIR}/{source_id}.txt", text.encode("utf-8"))
    return out
