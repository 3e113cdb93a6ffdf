"""Pull a survey's structure and responses from LimeSurvey RemoteControl 2 (through citric).

Two parts: `RemoteSurvey` is one logged-in session; it retries network failures with backoff,
logs in again once when the server forgets the session key, always releases the key, and
turns every failure into one of the `LimeSurveyError` classes below (one exit code each). A
refusal is recognised by the `error_code` citric (≥ 2.2) passes on from the server when there
is one, else by the server's message text (LimeSurvey up to 6.14 sends messages only).
`pull` decides what to ask for (only responses above the last id seen, unless `full`), merges
them with the previous pull and stores one self-contained `responses.json` per snapshot
through `integkit.ingest.store.store`, the same way `integkit import` stores a file. The password
and the session key never reach a message, a log line or a file.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import requests
from requests.adapters import HTTPAdapter

from integkit.ingest.credentials import Connection
from integkit.errors import (
    InputError,
    LimeSurveyError,
    LoginError,
    NetworkError,
    RemoteControlDisabledError,
    ServerError,
    SessionKeyError,
    SurveyNotActiveError,
    SurveyNotFoundError,
)
from integkit.ingest.structure import Question, SurveyStructure, strip_html

if TYPE_CHECKING:
    from integkit.ingest.store import IngestResult
    from integkit.ingest.snapshot import Snapshot
    from integkit.workspace import Meeting, Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")


class _NoResponses(LimeSurveyError):
    """An active survey without a single response: not an error for a pull."""


class Refusal(Enum):
    """The kinds of LimeSurvey refusal integkit tells apart."""

    LOGIN = "login"
    SESSION_KEY = "session key"
    SURVEY = "unknown survey or no permission"
    INACTIVE = "survey never activated"
    EMPTY = "no responses yet"


# LimeSurvey 6.4.2 and 6.14 answer `{"status": <message>}` with these texts (recorded in
# tests/fixtures/limesurvey*/README.md) and no code. The codes are the names a server may send
# as `error_code` (compared upper-case with underscores: "invalid-session-key" matches too).
REFUSAL_CODES = {
    Refusal.LOGIN: {"INVALID_CREDENTIALS", "INVALID_USER_NAME_OR_PASSWORD", "AUTHENTICATION_FAILED", "LOGIN_FAILED"},
    Refusal.SESSION_KEY: {"INVALID_SESSION_KEY", "SESSION_KEY_INVALID", "SESSION_EXPIRED"},
    Refusal.SURVEY: {"INVALID_SURVEY_ID", "SURVEY_NOT_FOUND", "NO_PERMISSION", "PERMISSION_DENIED"},
    Refusal.INACTIVE: {"SURVEY_NOT_ACTIVE", "SURVEY_INACTIVE", "NO_RESPONSE_TABLE"},
    Refusal.EMPTY: {"NO_RESPONSES", "SURVEY_EMPTY"},
}
REFUSAL_MESSAGES = {
    "Invalid user name or password": Refusal.LOGIN,
    "Invalid session key": Refusal.SESSION_KEY,
    "Error: Invalid survey ID": Refusal.SURVEY,
    "Invalid surveyid": Refusal.SURVEY,
    "No permission": Refusal.SURVEY,
    "No Data, survey table does not exist.": Refusal.INACTIVE,
    "No Data, could not get max id.": Refusal.EMPTY,
}
RETRY_HTTP_STATUS = {502, 503, 504}


def status_text(exc: Exception) -> str:
    """The server's own message of a citric status error (without the "(error code: …)" citric adds)."""
    message = str(exc)
    code = getattr(exc, "error_code", None)
    return message.removesuffix(f" (error code: {code})") if code else message


def refusal_kind(exc: Exception) -> Refusal | None:
    """What a status error means: matched on its error code first, then on the message; None if unknown."""
    code = getattr(exc, "error_code", None)
    if code:
        name = re.sub(r"[^A-Z0-9]+", "_", str(code).upper()).strip("_")
        for refusal, codes in REFUSAL_CODES.items():
            if name in codes:
                return refusal
    return REFUSAL_MESSAGES.get(status_text(exc))


@dataclass(frozen=True)
class Transport:
    """How patient to be: per-request timeout (s), tries per call, and the first backoff (s), doubled per retry."""

    timeout: float = 60.0
    tries: int = 3
    backoff: float = 1.0


class _TimeoutAdapter(HTTPAdapter):
    """citric sends no timeout; this adapter gives every request one."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def send(self, request, **kwargs):  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def _http_session(transport: Transport) -> requests.Session:
    session = requests.Session()
    adapter = _TimeoutAdapter(transport.timeout)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- the session -------------------------------------------------------------------------------
class RemoteSurvey:
    """A logged-in RemoteControl session (a context manager; the key is released on exit)."""

    def __init__(self, connection: Connection, transport: Transport = Transport()) -> None:
        self.connection = connection
        self.transport = transport
        self._client: Any = None

    # context management: log in on enter, release the key on exit, also after an error
    def __enter__(self) -> RemoteSurvey:
        self._login()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._release()

    def _login(self) -> None:
        from citric import Client

        def connect() -> Any:
            return Client(
                self.connection.url,
                self.connection.user,
                self.connection.password,
                requests_session=_http_session(self.transport),
            )

        self._client = self._with_retries("get_session_key", connect)

    def _release(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.close()
        except Exception as exc:  # the key expires on the server anyway
            log.warning("could not release the LimeSurvey session key (%s)", type(exc).__name__)

    # calls
    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a citric Client method; log in again once if the server forgot the session key."""
        return self._run(method, lambda: getattr(self._client, method)(*args, **kwargs))

    def rpc(self, method: str, *params: Any) -> Any:
        """Call a RemoteControl method citric has no wrapper for (params after the session key)."""
        return self._run(method, lambda: self._client.session.rpc(method, *params))

    def _run(self, method: str, run: Callable[[], T]) -> T:
        from citric.exceptions import LimeSurveyStatusError

        for attempt in (1, 2):
            try:
                return self._with_retries(method, run)
            except LimeSurveyStatusError as exc:
                if refusal_kind(exc) is not Refusal.SESSION_KEY:
                    raise self._status_error(method, exc) from None
                if attempt == 2:
                    raise SessionKeyError(
                        f"LimeSurvey at {self.connection.safe_url} rejected the session key of a fresh login "
                        f"({method}); try again later or ask the administrator to check the session settings"
                    ) from None
                log.info("session key rejected by %s; logging in again", method)
                self._release()
                self._login()
        raise AssertionError("unreachable")

    def _with_retries(self, method: str, run: Callable[[], T]) -> T:
        """Run one request, retrying network failures and 502/503/504 with exponential backoff."""
        from citric.exceptions import (
            InvalidJSONResponseError,
            LimeSurveyApiError,
            LimeSurveyStatusError,
            ResponseMismatchError,
            RPCInterfaceNotEnabledError,
        )

        url = self.connection.safe_url
        for attempt in range(1, self.transport.tries + 1):
            try:
                return run()
            except LimeSurveyStatusError as exc:
                if method == "get_session_key":
                    raise self._status_error(method, exc) from None
                raise
            except RPCInterfaceNotEnabledError:
                raise RemoteControlDisabledError(
                    f"LimeSurvey at {url} answered {method} with an empty reply: its RemoteControl interface is "
                    "switched off (an administrator must set Global settings → Interfaces → RPC interface to JSON-RPC)"
                ) from None
            except (InvalidJSONResponseError, ResponseMismatchError) as exc:
                raise ServerError(
                    f"{url} did not answer {method} as LimeSurvey RemoteControl does ({type(exc).__name__}); "
                    "is LIMESURVEY_URL the …/index.php/admin/remotecontrol address with the JSON-RPC interface?"
                ) from None
            except LimeSurveyApiError as exc:
                raise ServerError(f"LimeSurvey at {url} failed in {method}: {exc}") from None
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status in RETRY_HTTP_STATUS and attempt < self.transport.tries:
                    self._sleep(attempt, method, f"HTTP {status}")
                    continue
                raise ServerError(_http_message(url, method, status)) from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                reason = _network_reason(exc, self.transport.timeout)
                if attempt < self.transport.tries:
                    self._sleep(attempt, method, reason)
                    continue
                raise NetworkError(
                    f"cannot reach LimeSurvey at {url} ({method}): {reason} "
                    f"(tried {self.transport.tries} times); check the network, LIMESURVEY_URL and the server"
                ) from None
        raise AssertionError("unreachable")

    def _sleep(self, attempt: int, method: str, reason: str) -> None:
        delay = self.transport.backoff * 2 ** (attempt - 1)
        log.warning("%s: %s; retrying in %.1f s", method, reason, delay)
        time.sleep(delay)

    def _status_error(self, method: str, exc: Exception) -> LimeSurveyError:
        kind, message = refusal_kind(exc), " ".join(status_text(exc).split())
        url, user = self.connection.safe_url, self.connection.user
        if kind is Refusal.LOGIN:
            return LoginError(
                f"LimeSurvey at {url} refused the login of user {user!r}: {message} "
                "(check LIMESURVEY_USER; store the right password with `integkit login`)"
            )
        if kind is Refusal.SESSION_KEY:
            return SessionKeyError(f"LimeSurvey at {url} rejected the session key ({method}: {message})")
        if kind is Refusal.SURVEY:
            return SurveyNotFoundError(
                f"LimeSurvey at {url}: no survey with this id, or user {user!r} may not read it "
                f"({method}: {message}); check --survey-id or the meeting's survey_id in surveys/meetings.yaml"
            )
        if kind is Refusal.EMPTY:
            return _NoResponses(message)
        if kind is Refusal.INACTIVE:
            return SurveyNotActiveError(
                f"LimeSurvey at {url}: the survey was never activated, so it has no responses ({message}); "
                "activate it in LimeSurvey first"
            )
        return LimeSurveyError(f"LimeSurvey at {url} refused {method}: {message}")

    # --- what integkit asks for ------------------------------------------------------------
    def structure(self, survey_id: int) -> SurveyStructure:
        """The survey's questions, subquestions, answer options and titles (base language)."""
        language = self.call("get_language_properties", survey_id)
        groups = self.call("list_groups", survey_id)
        questions = self.call("list_questions", survey_id)
        properties = {
            int(q["qid"]): self.call("get_question_properties", int(q["qid"]))
            for q in questions
            if _is_top(q) and _needs_properties(q)
        }
        return build_structure(survey_id, language, groups, questions, properties)

    def response_ids(self, survey_id: int, after: int | None = None) -> list[int] | None:
        """Ids of the responses above `after` (all if None); None if the survey has no responses at all."""
        rows = self.export(survey_id, from_id=None if after is None else after + 1, fields=["id"])
        return None if rows is None else sorted(int(r["id"]) for r in rows)

    def export(
        self, survey_id: int, from_id: int | None = None, to_id: int | None = None, fields: Sequence[str] | None = None
    ) -> list[dict[str, Any]] | None:
        """Responses as the JSON export gives them (code headings, answer codes); None if there are none."""
        try:
            raw = self.call(
                "export_responses",
                survey_id,
                file_format="json",
                completion_status="all",
                heading_type="code",
                response_type="short",
                from_response_id=from_id,
                to_response_id=to_id,
                fields=list(fields) if fields else None,
            )
        except _NoResponses:
            return None
        return parse_json_export(raw, self.connection.safe_url)

    def pages(self, survey_id: int, ids: list[int], page_size: int) -> Iterator[list[dict[str, Any]]]:
        """The responses with these ids, one export call per `page_size` ids (ranges are inclusive)."""
        for start in range(0, len(ids), page_size):
            chunk = ids[start : start + page_size]
            yield self.export(survey_id, chunk[0], chunk[-1]) or []


ENDPOINT_HINT = "check LIMESURVEY_URL: it is the survey site's address followed by /index.php/admin/remotecontrol"


def _http_message(url: str, method: str, status: int) -> str:
    if status == 404:
        return f"{url} answered HTTP 404 to {method}: no LimeSurvey RemoteControl there; {ENDPOINT_HINT}"
    if status == 400:  # LimeSurvey answers an address it has no route for with 400, not 404
        return (
            f"{url} answered HTTP 400 (Bad Request) to {method}, as LimeSurvey does for an address that is not "
            f"its RemoteControl endpoint; {ENDPOINT_HINT}"
        )
    if status >= 500:
        return (
            f"LimeSurvey at {url} answered HTTP {status} to {method}: the server failed or does not know this "
            "method (LimeSurvey older than 6?); see the server's error log"
        )
    return f"LimeSurvey at {url} answered HTTP {status} to {method}"


def _network_reason(exc: Exception, timeout: float) -> str:
    text = repr(exc)
    if isinstance(exc, requests.Timeout) or "timed out" in text.lower():
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or "IncompleteRead" in text:
        return "the server closed the connection in the middle of its reply"
    if "RemoteDisconnected" in text or "Connection aborted" in text or "ConnectionResetError" in text:
        return "the server closed the connection without answering"
    if "refused" in text.lower():
        return "connection refused"
    if "NameResolution" in text or "getaddrinfo" in text or "Name or service not known" in text:
        return "the host name cannot be resolved"
    return f"network error ({type(exc).__name__})"


# --- decoding what the server sends ------------------------------------------------------------
def parse_json_export(raw: bytes | str, where: str = "LimeSurvey") -> list[dict[str, Any]]:
    """The response objects of a JSON export, flat (LimeSurvey 6) or nested by id (3.x/5.x)."""
    if isinstance(raw, str):  # citric returns bytes; accept base64 text too
        raw = base64.b64decode(raw)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ServerError(f"{where}: the JSON export is not readable JSON ({exc})") from None
    records = data.get("responses") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise ServerError(f"{where}: the JSON export has no 'responses' list")
    rows = []
    for item in records:
        if isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item.values())), dict):
            item = next(iter(item.values()))
        if not isinstance(item, dict) or "id" not in item:
            raise ServerError(f"{where}: a response in the JSON export has no id")
        rows.append(item)
    return rows


# LimeSurvey question types whose get_question_properties adds nothing (no options, no subquestions)
PLAIN_TYPES = {"T", "U", "S", "N", "D", "X", "*", "|"}


def _is_top(question: dict[str, Any]) -> bool:
    return int(question.get("parent_qid") or 0) == 0


def _needs_properties(question: dict[str, Any]) -> bool:
    return question.get("type") not in PLAIN_TYPES or question.get("other") == "Y"


def _options(value: Any) -> dict[str, Any]:
    """get_question_properties gives a dict, or a string like "No available answers" when there are none."""
    return value if isinstance(value, dict) else {}


def _lang_value(value: Any, language: str) -> str:
    if isinstance(value, dict):  # some versions key language attributes by language
        value = value.get(language) or ""
    return value or ""


def build_structure(
    survey_id: int,
    language_properties: dict[str, Any],
    groups: list[dict[str, Any]],
    questions: list[dict[str, Any]],
    properties: dict[int, dict[str, Any]],
) -> SurveyStructure:
    """A SurveyStructure from list_groups, list_questions and get_question_properties replies.

    list_questions is not sorted and mixes subquestions in; the order comes from the groups'
    `group_order` and the questions' `question_order`, as in a .lss export.
    """
    language = language_properties.get("surveyls_language") or "de"
    group_order = {int(g["gid"]): int(g.get("group_order") or 0) for g in groups}
    group_name = {int(g["gid"]): strip_html(g.get("group_name")) for g in groups}

    sub_rows: dict[int, list[dict[str, Any]]] = {}
    for q in questions:
        if not _is_top(q) and int(q.get("scale_id") or 0) == 0:
            sub_rows.setdefault(int(q["parent_qid"]), []).append(q)
    order_of = {int(q["qid"]): int(q.get("question_order") or 0) for q in questions}

    tops = sorted(
        (q for q in questions if _is_top(q)),
        key=lambda q: (group_order.get(int(q["gid"]), 0), int(q.get("question_order") or 0)),
    )
    result: dict[str, Question] = {}
    for q in tops:
        qid = int(q["qid"])
        props = properties.get(qid, {})
        subs = _options(props.get("subquestions"))
        if subs:
            listed = sorted(
                ((order_of.get(int(k), 0), v["title"], strip_html(v.get("question"))) for k, v in subs.items()
                 if int(v.get("scale_id") or 0) == 0),
            )
        else:
            listed = sorted((int(s.get("question_order") or 0), s["title"], strip_html(s.get("question"))) for s in sub_rows.get(qid, []))
        answers = sorted(
            (int(v.get("order") or 0), code, strip_html(v.get("answer")))
            for code, v in _options(props.get("answeroptions")).items()
            if int(v.get("scale_id") or 0) == 0
        )
        attributes = {**_options(props.get("attributes")), **_options(props.get("attributes_lang"))}
        result[q["title"]] = Question(
            code=q["title"],
            type=q.get("type", ""),
            text=strip_html(q.get("question")),
            group=group_name.get(int(q["gid"]), ""),
            order=len(result),
            subquestions={code: text for _, code, text in listed},
            answers={code: text for _, code, text in answers},
            other=q.get("other") == "Y",
            other_label=_lang_value(attributes.get("other_replace_text"), language) or "Sonstiges",
        )
    if not result:
        raise LimeSurveyError(f"survey {survey_id} has no questions")
    title = strip_html(language_properties.get("surveyls_title"))
    return SurveyStructure(result, int(survey_id), title, language)


# --- the pull: what to ask for, merging, storing --------------------------------------------
RESPONSES_FILE = "responses.json"
DEFAULT_PAGE_SIZE = 500
SYSTEM_COLUMNS = ["id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate", "datestamp"]


@dataclass(frozen=True)
class PullResult:
    """What a pull did: the snapshot (new or unchanged), and which responses are new, edited or gone."""

    meeting_id: str
    survey_id: int
    ingest: IngestResult
    full: bool
    new_ids: tuple[int, ...] = ()
    edited_ids: tuple[int, ...] = ()
    removed_ids: tuple[int, ...] = ()
    empty_survey: bool = False
    notes: tuple[str, ...] = ()

    @property
    def snapshot(self) -> Snapshot:
        return self.ingest.snapshot

    @property
    def created(self) -> bool:
        return self.ingest.created


def pull(
    workspace: Workspace,
    meeting_id: str,
    connection: Connection,
    survey_id: int | None = None,
    full: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
    transport: Transport = Transport(),
    structure_path: Path | None = None,
) -> PullResult:
    """Pull a meeting's survey into a new snapshot; ask only for new responses unless `full`.

    The survey id comes from `survey_id` on the first pull and is kept in meetings.yaml. Labels
    come from the server, or from the survey's structure export (.lss) at `structure_path`.
    Nothing is written unless every page arrived; a pull that changes nothing writes nothing.
    """
    from integkit.ingest.structure import read_lss
    from integkit.workspace import check_meeting_id

    check_meeting_id(meeting_id)
    if page_size < 1:
        raise InputError(f"page size must be at least 1, not {page_size}")
    meeting = workspace.meetings().get(meeting_id)
    sid = _survey_id(meeting_id, meeting.source if meeting else {}, survey_id)
    given = read_lss(Path(structure_path)) if structure_path is not None else None
    if given is not None and given.survey_id not in (None, sid):
        raise InputError(f"{structure_path}: the structure file is of survey {given.survey_id}, not of survey {sid}")
    base, previous = _previous_pull(workspace, meeting_id, sid)
    incremental = base is not None and not full
    after = max(previous) if incremental and previous else None

    with RemoteSurvey(connection, transport) as remote:
        structure = given or remote.structure(sid)
        ids = remote.response_ids(sid, after)
        fetched: dict[int, dict[str, Any]] = {}
        for page in remote.pages(sid, ids or [], page_size):
            fetched.update((int(row["id"]), row) for row in page)

    rows = {**previous, **fetched} if incremental else fetched
    edited = sorted(i for i in fetched if i in previous and previous[i] != fetched[i])
    removed = [] if incremental else sorted(set(previous) - set(fetched))
    notes = []
    if incremental:
        waiting = sorted(i for i, row in previous.items() if not str(row.get("submitdate") or "").strip())
        if waiting:
            notes.append(
                f"{len(waiting)} response(s) were incomplete at the last pull (ids {_ids(waiting)}); "
                "`integkit pull --full` also fetches answers added to them since"
            )
    source = {
        "kind": "limesurvey",
        "url": connection.safe_url,
        "user": connection.user,
        "survey_id": sid,
        "name": f"LimeSurvey survey {sid}",
        "mode": "incremental" if incremental else "full",
        "page_size": page_size,
        **({"structure": Path(structure_path).name} if structure_path is not None else {}),
    }
    from integkit.ingest.store import store

    raw = encode_responses(rows)
    result = store(workspace, meeting_id, RESPONSES_FILE, raw, _export(raw, rows, structure), structure, source)
    _link_meeting(workspace, meeting_id, sid, connection)
    return PullResult(
        meeting_id, sid, result, not incremental,
        new_ids=tuple(sorted(set(fetched) - set(previous))),
        edited_ids=tuple(edited), removed_ids=tuple(removed),
        empty_survey=ids is None and not rows, notes=(*notes, *result.notes),
    )


def encode_responses(rows: dict[int, dict[str, Any]]) -> bytes:
    """`{"responses": [...]}` sorted by id, one response per line, UTF-8: the same rows give the same bytes."""
    lines = ",\n".join(json.dumps(rows[i], ensure_ascii=False, separators=(",", ":")) for i in sorted(rows))
    return ('{"responses": [\n' + lines + "\n]}\n" if rows else '{"responses": []}\n').encode("utf-8")


def _ids(ids: Sequence[int], limit: int = 12) -> str:
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _export(raw: bytes, rows: dict[int, Any], structure: SurveyStructure) -> Any:
    """The parsed export; for a survey without responses, an empty table with the survey's columns."""
    from integkit.ingest.files import Export, parse_export

    if rows:
        return parse_export(raw, RESPONSES_FILE)
    import pandas as pd

    columns = list(SYSTEM_COLUMNS)
    for q in structure.questions.values():
        columns += [f"{q.code}[{sub}]" for sub in q.subquestions] if q.subquestions else [q.code]
        if q.other:
            columns.append(f"{q.code}[other]")
    return Export(pd.DataFrame(columns=columns, dtype=object), "limesurvey-json")


def _survey_id(meeting_id: str, source: dict[str, Any], given: int | None) -> int:
    stored = source.get("survey_id")
    if given is not None and stored is not None and int(given) != int(stored):
        raise InputError(
            f"meeting {meeting_id} is linked to LimeSurvey survey {stored} in surveys/meetings.yaml, not {given}; "
            "use a new meeting id for another survey, or change survey_id there"
        )
    if given is None and stored is None:
        raise InputError(
            f"meeting {meeting_id} has no LimeSurvey survey id yet: give it once with --survey-id "
            "(the number in the survey's admin URL); later pulls take it from surveys/meetings.yaml"
        )
    return int(given if given is not None else stored)


def _previous_pull(workspace: Workspace, meeting_id: str, survey_id: int) -> tuple[Snapshot | None, dict[int, dict[str, Any]]]:
    """The latest snapshot pulled from this survey and its responses by id (None, {} if there is none)."""
    from integkit.ingest.snapshot import list_snapshots

    for snapshot in reversed(list_snapshots(workspace.snapshots_dir(meeting_id))):
        manifest = snapshot.manifest
        if (
            manifest.get("source", {}).get("kind") == "limesurvey"
            and manifest.get("survey_id") == survey_id
            and manifest.get("raw_file") == RESPONSES_FILE
        ):
            rows = parse_json_export(snapshot.read(RESPONSES_FILE), str(snapshot.path / RESPONSES_FILE))
            return snapshot, {int(row["id"]): row for row in rows}
    return None, {}


def _link_meeting(workspace: Workspace, meeting_id: str, survey_id: int, connection: Connection) -> None:
    """Keep the survey id (and the URL, without credentials) in meetings.yaml for later pulls."""
    wanted = {"kind": "limesurvey", "survey_id": survey_id, "url": connection.safe_url}

    def link(meeting: Meeting | None) -> Meeting | None:
        if meeting is None or all(meeting.source.get(k) == v for k, v in wanted.items()):
            return None
        meeting.source = {**{k: v for k, v in meeting.source.items() if k not in ("path",)}, **wanted}
        return meeting

    workspace.update_meeting(meeting_id, link)
