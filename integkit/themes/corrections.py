"""The facilitator's corrections of theme codings: an append-only log, and coding.csv derived from it.

Every correction is one row of `surveys/<meeting>/coding_log.csv`: who, when, which answer, the
themes before and after. Rows are only ever added: taking a correction back is a new `undo` row
naming the row it takes back, and a codebook merge that rewrites theme ids adds `codebook` rows.
`surveys/<meeting>/coding.csv` (one row per corrected answer: response_id, question_id, themes,
text, coder, updated_at) is derived from the log after every change, so reports and training
read one small table while the history stays complete.

A coding.csv written by hand (or by an older integkit) is taken into the log as `import` rows
(and answers removed from it as `reset` rows) before the next change, so nothing in it is lost.
Log and coding.csv are replaced together, under a lock, so two notebooks never lose a change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd
from filelock import FileLock

from integkit.errors import InputError
from integkit.io import atomic_paths, read_record, write_csv
from integkit.themes.assign import split_themes
from integkit.themes.codebook import Codebook
from integkit.workspace import Workspace

CODING_FILE = "coding.csv"
LOG_FILE = "coding_log.csv"
LOCK_FILE = ".coding.lock"
CORRECTION_COLUMNS = ["response_id", "question_id", "themes", "text", "coder", "updated_at"]
LOG_COLUMNS = ["entry", "logged_at", "coder", "action", "response_id", "question_id", "before", "after", "text", "undoes", "ref"]
# what a log row records: the facilitator corrected or confirmed an answer's themes, took a row
# back, a codebook change rewrote theme ids, or coding.csv held (or lost) a coding the log did not
CORRECT, CONFIRM, UNDO, CODEBOOK, IMPORT, RESET = "correct", "confirm", "undo", "codebook", "import", "reset"
ACTIONS = (CORRECT, CONFIRM, UNDO, CODEBOOK, IMPORT, RESET)
UNDOABLE = (CORRECT, CONFIRM)  # what "undo the last correction" takes back

Key = tuple[int, str]


def corrections_path(workspace: Workspace, meeting_id: str) -> Path:
    return workspace.meeting_dir(meeting_id) / CODING_FILE


def log_path(workspace: Workspace, meeting_id: str) -> Path:
    return workspace.meeting_dir(meeting_id) / LOG_FILE


def now() -> str:
    """The time stamp of a log row: local time with offset, to the second."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _themes(value: object) -> str:
    return ";".join(value) if isinstance(value, (list, tuple)) else ("" if value is None or pd.isna(value) else str(value))


def _same(a: str, b: str) -> bool:
    return set(split_themes(a)) == set(split_themes(b))


# --- coding.csv ---------------------------------------------------------------------------------
def load_corrections(workspace: Workspace, meeting_id: str) -> pd.DataFrame:
    """The facilitator's corrections of a meeting (empty table if there are none)."""
    path = corrections_path(workspace, meeting_id)
    if not path.is_file():
        return pd.DataFrame(columns=CORRECTION_COLUMNS)
    frame = read_record(path, ("response_id", "question_id", "themes"), numbers=("response_id",))
    for column in CORRECTION_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame[CORRECTION_COLUMNS]


# --- the log ------------------------------------------------------------------------------------
def read_log(workspace: Workspace, meeting_id: str) -> pd.DataFrame:
    """Every row of the meeting's correction log, oldest first (LOG_COLUMNS; entry and response_id as numbers)."""
    path = log_path(workspace, meeting_id)
    if not path.is_file():
        return pd.DataFrame(columns=LOG_COLUMNS)
    frame = read_record(path, LOG_COLUMNS, numbers=("entry", "response_id"))
    unknown = frame[~frame["action"].isin(ACTIONS)]
    if len(unknown):
        raise InputError(f"{path}: row {unknown.index[0] + 2}: unknown action {unknown['action'].iloc[0]!r}")
    return frame[LOG_COLUMNS].reset_index(drop=True)


@dataclass
class Replay:
    """The log played from the start: each corrected answer's current coding, and what was taken back."""

    state: dict[Key, dict] = field(default_factory=dict)  # key -> the log row now in force
    prior: dict[int, dict | None] = field(default_factory=dict)  # entry -> the row in force before it
    undone: set[int] = field(default_factory=set)
    last_touch: dict[Key, int] = field(default_factory=dict)  # key -> the newest entry that changed it


def replay(log: pd.DataFrame) -> Replay:
    """Play the log: an undo puts back what was in force before the row it takes back."""
    result = Replay()
    for row in log.to_dict("records"):
        key = (int(row["response_id"]), str(row["question_id"]))
        result.prior[row["entry"]] = result.state.get(key)
        if row["action"] == UNDO:
            target = int(row["undoes"])
            restored = result.prior.get(target)
            result.undone.add(target)
        else:
            restored = None if row["action"] == RESET else row
        if restored is None:
            result.state.pop(key, None)
        else:
            result.state[key] = restored
        result.last_touch[key] = row["entry"]
    return result


def derive(log: pd.DataFrame) -> pd.DataFrame:
    """coding.csv as the log says it: one row per answer whose coding the facilitator set."""
    rows = [
        {"response_id": key[0], "question_id": key[1], "themes": row["after"], "text": row["text"],
         "coder": row["coder"], "updated_at": row["logged_at"]}
        for key, row in replay(log).state.items()
    ]
    frame = pd.DataFrame(rows, columns=CORRECTION_COLUMNS)
    return frame.sort_values(["response_id", "question_id"], kind="stable").reset_index(drop=True)


def _sync_rows(log: pd.DataFrame, on_disk: pd.DataFrame) -> list[dict]:
    """Rows that take a coding.csv changed outside the log into it (import), or its removed rows (reset)."""
    state = replay(log).state
    csv_rows = {(int(r["response_id"]), str(r["question_id"])): r for r in on_disk.to_dict("records")}
    rows = []
    for key, r in csv_rows.items():
        known = state.get(key)
        if known is None or not _same(known["after"], r["themes"]):
            rows.append({"coder": r["coder"], "action": IMPORT, "response_id": key[0], "question_id": key[1],
                         "before": known["after"] if known else "", "after": _themes(r["themes"]), "text": r["text"]})
    for key, known in state.items():
        if key not in csv_rows:
            rows.append({"coder": "", "action": RESET, "response_id": key[0], "question_id": key[1],
                         "before": known["after"], "after": "", "text": known["text"]})
    return rows


class _Locked:
    """The meeting's log under its lock: read (with coding.csv taken in), add rows, write both files."""

    def __init__(self, workspace: Workspace, meeting_id: str):
        self.workspace, self.meeting_id = workspace, meeting_id
        self.folder = workspace.meeting_dir(meeting_id)

    def __enter__(self) -> _Locked:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock = FileLock(str(self.folder / LOCK_FILE), timeout=60)
        self.lock.acquire()
        try:
            self.log = read_log(self.workspace, self.meeting_id)
            self.added: list[dict] = []
            self.add(_sync_rows(self.log, load_corrections(self.workspace, self.meeting_id)))
            self.synced = len(self.added)
        except BaseException:
            self.lock.release()
            raise
        return self

    def add(self, rows: Iterable[dict]) -> list[dict]:
        """Append rows (numbered, time-stamped) to the log in memory; returns them as written."""
        rows = list(rows)
        stamp = now() if rows else ""
        new = []
        for row in rows:
            entry = int(self.log["entry"].max()) + 1 if len(self.log) else 1
            full = {"entry": entry, "logged_at": stamp, "coder": "", "before": "", "after": "", "text": "",
                    "undoes": "", "ref": "", **row}
            full["response_id"] = int(full["response_id"])
            self.log = pd.concat([self.log, pd.DataFrame([full], columns=LOG_COLUMNS)], ignore_index=True)
            new.append(full)
        self.added += new
        return new

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None and self.added:
                with atomic_paths(log_path(self.workspace, self.meeting_id), corrections_path(self.workspace, self.meeting_id)) as (log_tmp, csv_tmp):
                    write_csv(self.log, log_tmp)
                    write_csv(derive(self.log), csv_tmp)
        finally:
            self.lock.release()


# --- changes ------------------------------------------------------------------------------------
def save_corrections(
    workspace: Workspace, meeting_id: str, changes: pd.DataFrame, coder: str = "", codebook: Codebook | None = None
) -> Path:
    """Log corrections (response_id, question_id, themes[, text][, before]) and derive coding.csv.

    ``before`` is the coding the facilitator saw (the machine's themes, say); without it the log
    records the previous correction, if any. An answer whose themes stay as they were counts as
    confirmed. Unknown theme ids are refused when ``codebook`` is given, and nothing is written.
    """
    required = {"response_id", "question_id", "themes"}
    if not required <= set(changes.columns):
        raise InputError(f"corrections need the columns {', '.join(sorted(required))}")
    changes = changes.copy()
    changes["themes"] = changes["themes"].map(_themes)
    if codebook is not None:
        unknown = {t for value in changes["themes"] for t in split_themes(value)} - set(codebook.ids)
        if unknown:
            raise InputError(f"unknown theme id(s) {', '.join(sorted(unknown))}; the codebook has {', '.join(codebook.ids)}")
    bad = changes[~changes["response_id"].astype(str).str.fullmatch(r"\d+")]
    if len(bad):
        raise InputError(f"corrections: response_id {bad['response_id'].iloc[0]!r} is not a number")
    with _Locked(workspace, meeting_id) as log:
        state = replay(log.log).state
        rows = []
        for change in changes.to_dict("records"):
            key = (int(change["response_id"]), str(change["question_id"]))
            known = state.get(key)
            before = _themes(change["before"]) if "before" in change else (known["after"] if known else "")
            rows.append({"coder": coder, "action": CONFIRM if _same(before, change["themes"]) else CORRECT,
                         "response_id": key[0], "question_id": key[1], "before": before,
                         "after": change["themes"], "text": change.get("text", "") or ""})
        log.add(rows)
    return corrections_path(workspace, meeting_id)


@dataclass(frozen=True)
class Undone:
    """What an undo took back: the log row, and the answer's coding now (None: the machine's again)."""

    entry: dict
    now: str | None


def _undo_blocker(history: Replay, log: pd.DataFrame, target: dict) -> dict | None:
    """A later row still in force on the same answer, which taking ``target`` back would overwrite."""
    key = (int(target["response_id"]), str(target["question_id"]))
    later = log[(log["entry"] > target["entry"]) & (log["response_id"] == key[0]) & (log["question_id"] == key[1])]
    for row in later.to_dict("records"):
        if row["action"] != UNDO and row["entry"] not in history.undone:
            return row
    return None


def _undo(log: _Locked, target: dict, coder: str) -> Undone:
    log.add([{"coder": coder, "action": UNDO, "response_id": target["response_id"], "question_id": target["question_id"],
              "before": target["after"], "after": target["before"], "text": target["text"], "undoes": str(target["entry"])}])
    state = replay(log.log).state.get((int(target["response_id"]), str(target["question_id"])))
    return Undone(target, state["after"] if state else None)


def last_correction(workspace: Workspace, meeting_id: str) -> dict | None:
    """The newest correction still in force (what `undo_last_correction` would take back)."""
    log = read_log(workspace, meeting_id)
    undone = replay(log).undone
    for row in reversed(log.to_dict("records")):
        if row["action"] in UNDOABLE and row["entry"] not in undone:
            return row
    return None


def undo_last_correction(workspace: Workspace, meeting_id: str, coder: str = "") -> Undone | None:
    """Take back the newest correction still in force (None if there is none).

    The answer gets the coding it had before (an earlier correction, or the machine's). Refused
    when a codebook change rewrote that answer's themes afterwards: that change must go first.
    """
    with _Locked(workspace, meeting_id) as log:
        history = replay(log.log)
        target = next((r for r in reversed(log.log.to_dict("records")) if r["action"] in UNDOABLE and r["entry"] not in history.undone), None)
        if target is None:
            return None
        blocker = _undo_blocker(history, log.log, target)
        if blocker is not None:
            raise InputError(
                f"Die Korrektur von Antwort Nr. {target['response_id']} lässt sich nicht zurücknehmen: eine spätere "
                f"Änderung am Codebook hat ihre Themen umgeschrieben. Nehmen Sie zuerst diese Änderung zurück."
            )
        return _undo(log, target, coder)


def rename_themes_in_corrections(
    workspace: Workspace, meeting_id: str, mapping: dict[str, str], ref: str = "", coder: str = ""
) -> Path | None:
    """Log `codebook` rows so that the meeting's corrections follow a codebook rename or merge (old → new id).

    Without this, a correction would keep naming a theme the codebook no longer has. ``ref`` names
    the codebook change (so that taking it back can take these rows back). Returns coding.csv's
    path if a correction changed, else None.
    """
    with _Locked(workspace, meeting_id) as log:
        rows = []
        for key, row in replay(log.log).state.items():
            new = ";".join(dict.fromkeys(mapping.get(t, t) for t in split_themes(row["after"])))
            if new != row["after"]:
                rows.append({"coder": coder, "action": CODEBOOK, "response_id": key[0], "question_id": key[1],
                             "before": row["after"], "after": new, "text": row["text"], "ref": str(ref)})
        log.add(rows)
    return corrections_path(workspace, meeting_id) if rows else None


def codebook_rows_blocked(workspace: Workspace, meeting_id: str, ref: str) -> int:
    """How many of a codebook change's rows were overwritten since by a correction still in force."""
    log = read_log(workspace, meeting_id)
    history = replay(log)
    mine = log[(log["action"] == CODEBOOK) & (log["ref"] == str(ref))]
    return sum(
        _undo_blocker(history, log, row) is not None for row in mine.to_dict("records") if row["entry"] not in history.undone
    )


def undo_codebook_rows(workspace: Workspace, meeting_id: str, ref: str, coder: str = "") -> int:
    """Take back the `codebook` rows of one codebook change (all or none); returns how many."""
    with _Locked(workspace, meeting_id) as log:
        history = replay(log.log)
        mine = [r for r in log.log.to_dict("records") if r["action"] == CODEBOOK and r["ref"] == str(ref) and r["entry"] not in history.undone]
        if any(_undo_blocker(history, log.log, r) is not None for r in mine):
            raise InputError(
                "Antworten, deren Themen diese Codebook-Änderung umgeschrieben hat, wurden danach korrigiert; "
                "nehmen Sie zuerst diese Korrekturen zurück."
            )
        for row in reversed(mine):
            _undo(log, row, coder)
    return len(mine)


def history(workspace: Workspace, meeting_id: str) -> pd.DataFrame:
    """The log, newest first, with `undone` (True where a later row took the row back)."""
    log = read_log(workspace, meeting_id)
    undone = replay(log).undone
    return log.assign(undone=log["entry"].isin(undone)).iloc[::-1].reset_index(drop=True)
