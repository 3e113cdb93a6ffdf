"""A small LimeSurvey RemoteControl 2 stand-in that answers from recorded fixtures.

It speaks JSON-RPC over real HTTP on 127.0.0.1, so the real citric client can be driven
against it. Two recordings can be served: `version="6.4.2"` (tests/fixtures/limesurvey/) and
`version="6.14"` (tests/fixtures/limesurvey-6.14/); each folder's README says what was recorded.
Replies are the recorded `response_raw` bodies (with the request id echoed and the recorded HTTP
status and content type). Three things are live instead of replayed, because tests need to
change them:

- logins: `user`/`password` are checked; each login gets a new, distinctive session key
  (`keys_issued`), released keys are remembered (`keys_released`), unknown keys get the
  recorded "Invalid session key" reply;
- `export_responses` for JSON with code headings and short answers, for every survey with a
  recorded export (`surveys`, by id; `responses` is the main survey's list): it pages the
  mutable lists by id range and field list, encoded byte-for-byte as LimeSurvey 6 does (the
  recorded full export comes back unchanged), or replays the recorded "empty survey" /
  "never activated" replies when `state` says so;
- unknown survey ids get the recorded "Error: Invalid survey ID" / "No permission" replies.

Switches for failure tests: `rpc_disabled`, `missing_methods`, `expire_keys_after`,
`reject_all_keys`, `cut_exports_after`/`cut_exports` (drop the connection mid-reply), `delay`,
and `reworded` (status message -> (other message, error_code): a server whose messages differ
from the recorded ones and that sends citric's `error_code`, as later LimeSurvey versions may).
A POST to any path but the RemoteControl endpoint gets HTTP 400, which is how LimeSurvey answers
unknown routes.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
ENDPOINT = "/index.php/admin/remotecontrol"
SURVEY_ID = 482931
USER = "admin"
SURVEY_METHODS = {
    "get_survey_properties", "get_language_properties", "list_groups", "list_questions", "get_summary",
    "export_responses", "get_fieldmap",
}


@dataclass(frozen=True)
class Recording:
    """One recorded server: where its fixtures are and which surveys it knows."""

    version: str
    folder: Path
    surveys: frozenset[int]  # every survey id the server knew (others get "invalid survey id")
    exports: dict[int, str]  # survey id -> recorded JSON export (code headings, short answers)

    @property
    def rpc(self) -> Path:
        return self.folder / "rpc"

    def lss(self, survey_id: int = SURVEY_ID) -> Path:
        """The survey structure (.lss) the server's admin UI exported for this survey."""
        return self.folder / "survey_structure" / f"limesurvey_survey_{survey_id}.lss"

    def export(self, survey_id: int = SURVEY_ID) -> Path:
        return self.rpc / f"{self.exports[survey_id]}.decoded.json"

    def responses(self, survey_id: int = SURVEY_ID) -> list[dict[str, Any]]:
        """The recorded responses of a survey (JSON export, code headings, short answers)."""
        return json.loads(self.export(survey_id).read_bytes())["responses"]


RECORDINGS = {
    "6.4.2": Recording(
        "6.4.2", FIXTURES / "limesurvey", frozenset({482931, 482932, 482933}),
        {482931: "export_responses__json_code_short"},
    ),
    "6.14": Recording(
        "6.14", FIXTURES / "limesurvey-6.14", frozenset({482931, 482932, 482933, 482934, 551234, 551235, 878974}),
        {
            482931: "export_responses__json_code_short",
            551234: "export_responses__othercodes_json_code_short",
            551235: "export_responses__notext_json_code_short",
        },
    ),
}
VERSIONS = tuple(RECORDINGS)
RPC = RECORDINGS["6.4.2"].rpc


def load_fixtures(rpc: Path = RPC) -> dict[str, dict[str, Any]]:
    return {p.name[: -len(".json")]: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(rpc.glob("*.json")) if not p.name.endswith(".decoded.json")}


FALLBACK = load_fixtures(RPC)
"""6.4.2 replies for the few cases not recorded on 6.14 (an unknown user, the RPC interface switched off)."""


def recorded_responses(version: str = "6.4.2") -> list[dict[str, Any]]:
    """The recorded responses of survey 482931 (JSON export, code headings, short answers)."""
    return RECORDINGS[version].responses()


def php_json_export(rows: list[dict[str, Any]]) -> bytes:
    """A JSON export as LimeSurvey 6 writes it: ASCII-escaped, `/` escaped, `{"responses": [...]}`."""
    encoded = (json.dumps(r, separators=(",", ":")).replace("/", "\\/") for r in rows)
    return ('{"responses": [' + ",".join(encoded) + "]}").encode("ascii")


class FakeLimeSurvey:
    """State and switches of the fake server; `url` is its RemoteControl endpoint."""

    def __init__(self, password: str = "secret", key_prefix: str = "fake-session-key-", version: str = "6.4.2") -> None:
        self.recording = RECORDINGS[version]
        self.version = version
        self.fixtures = load_fixtures(self.recording.rpc)
        self.password = password
        self.key_prefix = key_prefix
        self.surveys: dict[int, list[dict[str, Any]]] = {sid: self.recording.responses(sid) for sid in self.recording.exports}
        self.state = "active"  # or "inactive" (never activated)
        self.rpc_disabled = False
        self.missing_methods: set[str] = set()
        self.expire_keys_after: int | None = None  # a key stops working after this many calls
        self.reject_all_keys = False
        self.cut_exports_after: int | None = None  # answer this many export calls, then cut the connection
        self.cut_exports = 10**9  # ... this many times
        self.delay = 0.0
        self.reworded: dict[str, tuple[str, str]] = {}  # recorded status -> (message, error_code) sent instead
        self.calls: list[tuple[str, list[Any]]] = []
        self.keys_issued: list[str] = []
        self.keys_released: list[str] = []
        self._key_uses: dict[str, int] = {}
        self._exports = 0
        self._lock = threading.Lock()
        self._index = {(f["method"], json.dumps(f["params"])): f for f in self.fixtures.values()}
        self._methods = {f["method"] for f in self.fixtures.values()}
        self._fieldmaps = {
            f["params"][1]: f["response"]["result"] for f in self.fixtures.values() if f["method"] == "get_fieldmap"
        }
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def responses(self) -> list[dict[str, Any]]:
        """The main survey's (482931) responses; tests change them to simulate a changing server."""
        return self.surveys[SURVEY_ID]

    @responses.setter
    def responses(self, rows: list[dict[str, Any]]) -> None:
        self.surveys[SURVEY_ID] = rows

    # --- running ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{ENDPOINT}"

    def start(self) -> FakeLimeSurvey:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.path.split("?")[0] != ENDPOINT:  # LimeSurvey answers an unknown route with HTTP 400
                    reply: tuple[int, str, bytes, bool] | None = (400, "text/html", b"<html><body>Bad Request</body></html>", False)
                else:
                    reply = server.handle(json.loads(body))
                if reply is None:
                    return
                status, content_type, payload, cut = reply
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload[: len(payload) // 2] if cut else payload)
                self.wfile.flush()
                if cut:
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    # --- answering --------------------------------------------------------------------------
    def handle(self, request: dict[str, Any]) -> tuple[int, str, bytes, bool] | None:
        method, params, request_id = request["method"], request.get("params") or [], request["id"]
        with self._lock:
            self.calls.append((method, params))
        if self.delay:
            time.sleep(self.delay)
        if self.rpc_disabled:
            return self.replay("error__rpc_interface_disabled__get_session_key", request_id)
        if method not in self._methods or method in self.missing_methods:
            return self.replay("error__unknown_method", request_id)
        if method == "get_session_key":
            return self.login(params, request_id)
        key = params[0] if params else None
        if method == "release_session_key":
            with self._lock:
                self.keys_released.append(key)
                self._key_uses.pop(key, None)
            return self.replay("release_session_key__ok", request_id)
        if not self.key_valid(key):
            name = f"error__invalid_session_key__{method}"
            return self.replay(name if name in self.fixtures else "error__invalid_session_key__list_surveys", request_id)
        if method in SURVEY_METHODS and params[1] not in self.recording.surveys:
            return self.replay(f"error__invalid_survey_id__{method}", request_id)
        if method == "export_responses" and params[1] in self.surveys and params[2:4] == ["json", None] and params[5:7] == ["code", "short"]:
            return self.export(params, request_id)
        fixture = self._index.get((method, json.dumps(["<SESSION_KEY>", *params[1:]])))
        if fixture is None:
            return 501, "text/plain", f"fake server: no fixture for {method} {params[1:]}".encode(), False
        return self.replay(fixture, request_id)

    def login(self, params: list[Any], request_id: int) -> tuple[int, str, bytes, bool]:
        user, password = params[0], params[1]
        if user != USER:
            return self.replay("get_session_key__unknown_user", request_id)
        if password != self.password:
            return self.replay("get_session_key__bad_credentials", request_id)
        with self._lock:
            key = f"{self.key_prefix}{len(self.keys_issued) + 1}-{secrets.token_hex(8)}"
            self.keys_issued.append(key)
            self._key_uses[key] = 0
        return self.replay("get_session_key__ok", request_id, key)

    def key_valid(self, key: str | None) -> bool:
        with self._lock:
            if self.reject_all_keys or key not in self._key_uses:
                return False
            self._key_uses[key] += 1
            if self.expire_keys_after is not None and self._key_uses[key] > self.expire_keys_after:
                del self._key_uses[key]
                return False
            return True

    def export(self, params: list[Any], request_id: int) -> tuple[int, str, bytes, bool]:
        survey_id = params[1]
        if self.state == "inactive" and survey_id == SURVEY_ID:
            return self.replay("error__export_responses__inactive_survey", request_id)
        if not self.surveys[survey_id]:
            return self.replay("error__export_responses__empty_survey_json", request_id)
        completion, first, last, fields = params[4], params[7], params[8], params[9]
        rows = sorted(self.surveys[survey_id], key=lambda r: int(r["id"]))
        rows = [r for r in rows if (first is None or r["id"] >= first) and (last is None or r["id"] <= last)]
        if completion != "all":
            rows = [r for r in rows if bool(r["submitdate"]) == (completion == "complete")]
        if fields:
            headings = [self.heading(survey_id, f) for f in fields]
            rows = [{h: r[h] for h in headings if h in r} for r in rows]
        with self._lock:
            self._exports += 1
            cut = self.cut_exports_after is not None and self._exports > self.cut_exports_after and self.cut_exports > 0
            if cut:
                self.cut_exports -= 1
        result = base64.b64encode(php_json_export(rows)).decode("ascii")
        body = f'{{"id":{request_id}, "result":"{result}", "error":null}}'.encode()
        return 200, "application/json", body, cut

    def heading(self, survey_id: int, field: str) -> str:
        """The code heading of an export field given as SGQA name (or a system column)."""
        entry = self._fieldmaps.get(survey_id, {}).get(field)
        if not entry or not entry.get("title"):
            return field
        return entry["title"] + (f"[{entry['aid']}]" if entry.get("aid") else "")

    def replay(self, fixture: dict[str, Any] | str, request_id: int, key: str | None = None) -> tuple[int, str, bytes, bool]:
        """A recorded reply with this request's id (and a live session key in place of the placeholder)."""
        if isinstance(fixture, str):
            fixture = self.fixtures.get(fixture) or FALLBACK[fixture]
        body = re.sub(r'^\{"id":\d+', f'{{"id":{request_id}', fixture["response_raw"], count=1)
        result = (fixture["response"] or {}).get("result")
        if isinstance(result, dict) and result.get("status") in self.reworded:
            message, code = self.reworded[result["status"]]
            result = json.dumps({"status": message, "error_code": code})
            body = f'{{"id":{request_id},"result":{result},"error":null}}'
        if key is not None:
            body = body.replace("<SESSION_KEY>", key)
        return fixture["http_status"], fixture["content_type"], body.encode("utf-8"), False

    # --- helpers for tests ------------------------------------------------------------------
    def add_response(self, **changes: Any) -> dict[str, Any]:
        """A new response (a copy of response 1 with the next id and `changes`)."""
        row = {**self.responses[0], **changes}
        row["id"] = max(int(r["id"]) for r in self.responses) + 1 if self.responses else 1
        self.responses.append(row)
        return row

    def edit_response(self, response_id: int, **changes: Any) -> None:
        for row in self.responses:
            if row["id"] == response_id:
                row.update(changes)
                return
        raise KeyError(response_id)

    def export_calls(self) -> list[list[Any]]:
        return [params for method, params in self.calls if method == "export_responses"]
