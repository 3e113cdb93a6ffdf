"""A small LimeSurvey RemoteControl 2 stand-in that answers from the recorded fixtures.

It speaks JSON-RPC over real HTTP on 127.0.0.1, so the real citric client can be driven
against it. Replies are the recorded `response_raw` bodies (with the request id echoed and
the recorded HTTP status and content type). Three things are live instead of replayed,
because tests need to change them:

- logins: `user`/`password` are checked; each login gets a new, distinctive session key
  (`keys_issued`), released keys are remembered (`keys_released`), unknown keys get the
  recorded "Invalid session key" reply;
- `export_responses` for JSON with code headings and short answers: it pages the mutable
  `responses` list by id range and field list, encoded byte-for-byte as LimeSurvey 6 does
  (the recorded full export comes back unchanged), or replays the recorded "empty survey" /
  "never activated" replies when `state` says so;
- unknown survey ids get the recorded "Error: Invalid survey ID" / "No permission" replies.

Switches for failure tests: `rpc_disabled`, `missing_methods`, `expire_keys_after`,
`reject_all_keys`, `cut_exports_after`/`cut_exports` (drop the connection mid-reply) and `delay`.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RPC = Path(__file__).parent / "fixtures" / "limesurvey" / "rpc"
SURVEY_ID = 482931
KNOWN_SURVEYS = {482931, 482932, 482933}  # the main survey, an empty one, a never activated one
USER = "admin"
SURVEY_METHODS = {
    "get_survey_properties", "get_language_properties", "list_groups", "list_questions", "get_summary",
    "export_responses", "get_fieldmap",
}


def load_fixtures() -> dict[str, dict[str, Any]]:
    return {p.name[: -len(".json")]: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(RPC.glob("*.json")) if not p.name.endswith(".decoded.json")}


def recorded_responses() -> list[dict[str, Any]]:
    """The 31 recorded responses of survey 482931 (JSON export, code headings, short answers)."""
    return json.loads((RPC / "export_responses__json_code_short.decoded.json").read_bytes())["responses"]


def php_json_export(rows: list[dict[str, Any]]) -> bytes:
    """A JSON export as LimeSurvey 6 writes it: ASCII-escaped, `/` escaped, `{"responses": [...]}`."""
    encoded = (json.dumps(r, separators=(",", ":")).replace("/", "\\/") for r in rows)
    return ('{"responses": [' + ",".join(encoded) + "]}").encode("ascii")


class FakeLimeSurvey:
    """State and switches of the fake server; `url` is its RemoteControl endpoint."""

    def __init__(self, password: str = "secret", key_prefix: str = "fake-session-key-") -> None:
        self.fixtures = load_fixtures()
        self.password = password
        self.key_prefix = key_prefix
        self.responses: list[dict[str, Any]] = recorded_responses()
        self.state = "active"  # or "inactive" (never activated)
        self.rpc_disabled = False
        self.missing_methods: set[str] = set()
        self.expire_keys_after: int | None = None  # a key stops working after this many calls
        self.reject_all_keys = False
        self.cut_exports_after: int | None = None  # answer this many export calls, then cut the connection
        self.cut_exports = 10**9  # ... this many times
        self.delay = 0.0
        self.calls: list[tuple[str, list[Any]]] = []
        self.keys_issued: list[str] = []
        self.keys_released: list[str] = []
        self._key_uses: dict[str, int] = {}
        self._exports = 0
        self._lock = threading.Lock()
        self._index = {(f["method"], json.dumps(f["params"])): f for f in self.fixtures.values()}
        self._methods = {f["method"] for f in self.fixtures.values()}
        self._fieldmap = self.fixtures["get_fieldmap__main"]["response"]["result"]
        self.httpd: ThreadingHTTPServer | None = None

    # --- running ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/index.php/admin/remotecontrol"

    def start(self) -> FakeLimeSurvey:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
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
        if method in SURVEY_METHODS and params[1] not in KNOWN_SURVEYS:
            return self.replay(f"error__invalid_survey_id__{method}", request_id)
        if method == "export_responses" and params[1] == SURVEY_ID and params[2:4] == ["json", None] and params[5:7] == ["code", "short"]:
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
        if self.state == "inactive":
            return self.replay("error__export_responses__inactive_survey", request_id)
        if not self.responses:
            return self.replay("error__export_responses__empty_survey_json", request_id)
        completion, first, last, fields = params[4], params[7], params[8], params[9]
        rows = sorted(self.responses, key=lambda r: int(r["id"]))
        rows = [r for r in rows if (first is None or r["id"] >= first) and (last is None or r["id"] <= last)]
        if completion != "all":
            rows = [r for r in rows if bool(r["submitdate"]) == (completion == "complete")]
        if fields:
            headings = [self.heading(f) for f in fields]
            rows = [{h: r[h] for h in headings if h in r} for r in rows]
        with self._lock:
            self._exports += 1
            cut = self.cut_exports_after is not None and self._exports > self.cut_exports_after and self.cut_exports > 0
            if cut:
                self.cut_exports -= 1
        result = base64.b64encode(php_json_export(rows)).decode("ascii")
        body = f'{{"id":{request_id}, "result":"{result}", "error":null}}'.encode()
        return 200, "application/json", body, cut

    def heading(self, field: str) -> str:
        """The code heading of an export field given as SGQA name (or a system column)."""
        entry = self._fieldmap.get(field)
        if not entry or not entry.get("title"):
            return field
        return entry["title"] + (f"[{entry['aid']}]" if entry.get("aid") else "")

    def replay(self, fixture: dict[str, Any] | str, request_id: int, key: str | None = None) -> tuple[int, str, bytes, bool]:
        """A recorded reply with this request's id (and a live session key in place of the placeholder)."""
        if isinstance(fixture, str):
            fixture = self.fixtures[fixture]
        body = re.sub(r'^\{"id":\d+', f'{{"id":{request_id}', fixture["response_raw"], count=1)
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
