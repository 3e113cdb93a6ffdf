"""`integkit pull`: the real citric client against a fake RemoteControl server replaying recorded replies."""

from __future__ import annotations

import json
import logging
import socket

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import CSV_SHORT, LSS_482931, RPC
from integkit.cli import app
from integkit.ingest.credentials import Connection
from integkit.ingest.store import import_file
from integkit.responses import load_responses
from integkit.ingest.snapshot import list_snapshots
from integkit import errors as E
from integkit.ingest.limesurvey import RemoteSurvey, Transport, pull
from integkit.ingest.structure import read_lss
from limesurvey_server import FakeLimeSurvey, recorded_responses

PASSWORD = "Tr0ub4dor-zq9-Passw0rt!"
KEY_PREFIX = "sEsSiOnKeY-7c1e-"
MEETING = "vt-2026-11"
FAST = Transport(timeout=2.0, tries=3, backoff=0.0)
runner = CliRunner()


@pytest.fixture
def server():
    fake = FakeLimeSurvey(password=PASSWORD, key_prefix=KEY_PREFIX).start()
    yield fake
    fake.stop()


@pytest.fixture
def connection(server) -> Connection:
    return Connection(server.url, "admin", PASSWORD)


def do_pull(workspace, connection, **options):
    options.setdefault("survey_id", 482931)
    return pull(workspace, MEETING, connection, transport=options.pop("transport", FAST), **options)


def stored_rows(snapshot) -> list[dict]:
    return json.loads(snapshot.read("responses.json"))["responses"]


def workspace_state(workspace) -> dict[str, bytes]:
    return {str(p.relative_to(workspace.root)): p.read_bytes() for p in sorted(workspace.root.rglob("*")) if p.is_file()}


def all_released(server) -> bool:
    return server.keys_issued and set(server.keys_released) == set(server.keys_issued)


# --- the happy path ---------------------------------------------------------------------------
def test_first_pull_stores_one_self_contained_snapshot_and_links_the_meeting(workspace, server, connection):
    result = do_pull(workspace, connection)

    assert result.created and result.new_ids == tuple(range(1, 32)) and not result.edited_ids
    (snapshot,) = list_snapshots(workspace.snapshots_dir(MEETING))
    assert set(snapshot.files) == {"responses.json", "structure.json"}
    assert stored_rows(snapshot) == recorded_responses()
    manifest = snapshot.manifest
    assert manifest["row_count"] == 31 and manifest["survey_id"] == 482931
    assert manifest["source"] == {
        "kind": "limesurvey", "url": server.url, "user": "admin", "survey_id": 482931,
        "name": "LimeSurvey survey 482931", "mode": "full", "page_size": 500,
    }
    meeting = workspace.meeting(MEETING)
    assert meeting.source["survey_id"] == 482931 and meeting.source["kind"] == "limesurvey"
    assert meeting.title == "Vernetzungstreffen der Gemeinden zum Thema Integration 2026"
    people = result.ingest.responses.respondents
    assert len(people) == 31 and int(people["complete"].sum()) == 27
    assert all_released(server)


def test_structure_from_the_server_matches_the_lss_export(workspace, server, connection):
    with RemoteSurvey(connection, FAST) as remote:
        structure = remote.structure(482931)
    lss = read_lss(LSS_482931)
    assert structure == lss
    assert structure.question("GEMEINDE").other_label == "Andere Gemeinde im Landkreis"
    assert structure.question("THEMEN").other_label == "Sonstiges"
    assert list(structure.question("BEREICHE").subquestions) == ["SQ001", "SQ002", "SQ003", "SQ004", "SQ005"]
    result = do_pull(workspace, connection)
    assert result.snapshot.read("structure.json") == lss.to_json()


def test_pull_and_import_of_the_same_responses_give_identical_responses(workspace, server, connection):
    do_pull(workspace, connection)
    import_file(workspace, "vt-import", CSV_SHORT, LSS_482931)
    pulled, imported = load_responses(workspace, MEETING), load_responses(workspace, "vt-import")
    for table in ("respondents", "answers", "ratings", "choices", "questions"):
        left, right = getattr(pulled, table), getattr(imported, table)
        if "meeting_id" in left:
            left, right = left.drop(columns="meeting_id"), right.drop(columns="meeting_id")
        pd.testing.assert_frame_equal(left, right, check_dtype=True)
    assert "👍😊" in pulled.answers["text"].str.cat()


def test_second_pull_asks_only_for_new_ids_and_merges(workspace, server, connection):
    first = do_pull(workspace, connection)
    server.add_response(GELINGT="Neu dazugekommen: ein Sprachcafé in der Bücherei.")
    before = len(server.export_calls())

    second = do_pull(workspace, connection, survey_id=None)

    asked = server.export_calls()[before:]
    assert [(p[7], p[8]) for p in asked] == [(32, None), (32, 32)]  # the id list above 31, then one page
    assert second.created and second.new_ids == (32,) and second.survey_id == 482931
    assert [r["id"] for r in stored_rows(second.snapshot)] == list(range(1, 33))
    assert stored_rows(second.snapshot)[:31] == stored_rows(first.snapshot)
    assert any("incomplete at the last pull" in note for note in second.notes)

    third = do_pull(workspace, connection, survey_id=None)
    assert not third.created and third.new_ids == () and third.snapshot.id == second.snapshot.id
    assert len(list_snapshots(workspace.snapshots_dir(MEETING))) == 2
    assert all_released(server)


def test_paging_by_id_ranges_gives_the_same_snapshot(workspace, server, connection, tmp_path):
    paged = do_pull(workspace, connection, page_size=10)
    pages = [(p[7], p[8]) for p in server.export_calls() if p[9] is None]
    assert pages == [(1, 10), (11, 20), (21, 30), (31, 31)]

    from integkit.workspace import init_workspace

    other = init_workspace(tmp_path / "other")
    whole = do_pull(other, connection, page_size=500)
    assert paged.snapshot.read("responses.json") == whole.snapshot.read("responses.json")
    assert paged.snapshot.id == whole.snapshot.id


def test_gaps_in_the_ids_are_paged_by_the_ids_that_exist(workspace, server, connection):
    server.responses = [r for r in server.responses if r["id"] not in range(5, 26)]
    result = do_pull(workspace, connection, page_size=4)
    assert [r["id"] for r in stored_rows(result.snapshot)] == [1, 2, 3, 4, 26, 27, 28, 29, 30, 31]
    assert [(p[7], p[8]) for p in server.export_calls() if p[9] is None] == [(1, 4), (26, 29), (30, 31)]


def test_full_pull_reports_edited_and_removed_responses(workspace, server, connection):
    do_pull(workspace, connection)
    server.edit_response(7, GELINGT="Nachträglich ergänzt.", datestamp="2026-11-25 10:00:00")
    server.responses = [r for r in server.responses if r["id"] != 12]

    quiet = do_pull(workspace, connection, survey_id=None)
    assert not quiet.created  # an incremental pull only looks above the last id

    full = do_pull(workspace, connection, survey_id=None, full=True)
    assert full.created and full.full
    assert full.edited_ids == (7,) and full.removed_ids == (12,) and full.new_ids == ()
    rows = {r["id"]: r for r in stored_rows(full.snapshot)}
    assert rows[7]["GELINGT"] == "Nachträglich ergänzt." and 12 not in rows
    assert full.snapshot.manifest["source"]["mode"] == "full"


# --- sessions ------------------------------------------------------------------------------------
def test_an_expired_session_key_means_one_new_login(workspace, server, connection):
    server.expire_keys_after = 4
    result = do_pull(workspace, connection)
    assert result.created and len(stored_rows(result.snapshot)) == 31
    assert len(server.keys_issued) > 1 and all_released(server)


def test_a_key_rejected_again_after_a_new_login_fails(workspace, server, connection):
    server.reject_all_keys = True
    with pytest.raises(E.SessionKeyError, match="rejected the session key") as err:
        do_pull(workspace, connection)
    assert err.value.exit_code == 13
    assert len(server.keys_issued) == 2 and all_released(server)
    assert not workspace.snapshots_dir(MEETING).exists()


# --- errors ------------------------------------------------------------------------------------------
def unused_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/index.php/admin/remotecontrol"


@pytest.mark.parametrize(
    ("setup", "error", "code", "message"),
    [
        (lambda s, c: (s, Connection(c.url, "admin", "wrong-password")), E.LoginError, 12, "Invalid user name or password"),
        (lambda s, c: (s, Connection(c.url, "no-such-user", "wrong-password")), E.LoginError, 12, "'no-such-user'"),
        (lambda s, c: (setattr(s, "state", "inactive"), c), E.SurveyNotActiveError, 15, "never activated"),
        (lambda s, c: (setattr(s, "rpc_disabled", True), c), E.RemoteControlDisabledError, 16, "switched off"),
        (lambda s, c: (s.missing_methods.add("list_groups"), c), E.ServerError, 17, "HTTP 500 to list_groups"),
        (lambda s, c: (s, Connection(unused_port_url(), "admin", PASSWORD)), E.NetworkError, 18, "connection refused"),
    ],
    ids=["bad-password", "unknown-user", "inactive", "rpc-disabled", "unknown-method", "refused"],
)
def test_pull_errors_have_one_line_messages_and_their_own_exit_codes(workspace, server, connection, setup, error, code, message):
    _, conn = setup(server, connection)
    with pytest.raises(error, match=message) as err:
        do_pull(workspace, conn)
    assert err.value.exit_code == code and "\n" not in str(err.value)
    assert PASSWORD not in str(err.value) and "127.0.0.1" in str(err.value)
    assert not workspace.snapshots_dir(MEETING).exists() and MEETING not in workspace.meetings()
    assert set(server.keys_released) == set(server.keys_issued)


def test_unknown_survey_id(workspace, server, connection):
    with pytest.raises(E.SurveyNotFoundError, match="Error: Invalid survey ID") as err:
        do_pull(workspace, connection, survey_id=999999)
    assert err.value.exit_code == 14
    with RemoteSurvey(connection, FAST) as remote, pytest.raises(E.SurveyNotFoundError, match="No permission"):
        remote.export(999999)
    assert all_released(server)


def test_an_active_survey_without_responses_gives_an_empty_snapshot(workspace, server, connection):
    server.responses = []
    result = do_pull(workspace, connection)
    assert result.created and result.empty_survey and result.new_ids == ()
    assert json.loads(result.snapshot.read("responses.json")) == {"responses": []}
    assert result.snapshot.manifest["row_count"] == 0 and len(result.ingest.responses.respondents) == 0


def test_a_timeout_is_retried_then_reported(workspace, server, connection):
    server.delay = 0.4
    with pytest.raises(E.NetworkError, match=r"no answer within 0.1 s \(tried 2 times\)"):
        do_pull(workspace, connection, transport=Transport(timeout=0.1, tries=2, backoff=0.0))
    assert [m for m, _ in server.calls] == ["get_session_key", "get_session_key"]


EXPECTED = {  # what each recorded error reply becomes
    "error__export_responses__empty_survey_csv": E.LimeSurveyError,
    "error__export_responses__empty_survey_json": E.LimeSurveyError,
    "error__export_responses__inactive_survey": E.SurveyNotActiveError,
    "error__export_responses__invalid_format": E.ServerError,
    "error__export_responses_by_token__unknown_token": E.LimeSurveyError,
    "error__get_question_properties__invalid_qid": E.LimeSurveyError,
    "error__get_response_ids__unknown_token": None,  # [] is a reply, not an error
    "error__invalid_session_key__export_responses": E.SessionKeyError,
    "error__invalid_session_key__get_summary": E.SessionKeyError,
    "error__invalid_session_key__list_surveys": E.SessionKeyError,
    "error__invalid_survey_id__export_responses": E.SurveyNotFoundError,
    "error__invalid_survey_id__get_language_properties": E.SurveyNotFoundError,
    "error__invalid_survey_id__get_summary": E.SurveyNotFoundError,
    "error__invalid_survey_id__get_survey_properties": E.SurveyNotFoundError,
    "error__invalid_survey_id__list_groups": E.SurveyNotFoundError,
    "error__invalid_survey_id__list_questions": E.SurveyNotFoundError,
    "error__list_participants__no_token_table": E.LimeSurveyError,
    "error__list_questions__invalid_group": E.LimeSurveyError,
    "error__released_session_key__list_surveys": E.SessionKeyError,
    "error__rpc_interface_disabled__get_session_key": E.RemoteControlDisabledError,
    "error__unknown_method": E.ServerError,
    "error__update_response__edit_after_completion": E.LimeSurveyError,
}


def test_every_recorded_error_fixture_is_covered():
    assert set(EXPECTED) == {p.name[:-5] for p in RPC.glob("error__*.json") if not p.name.endswith(".decoded.json")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_recorded_error_reply_maps_to_its_error(server, connection, name):
    fixture = json.loads((RPC / f"{name}.json").read_text(encoding="utf-8"))
    method, params = fixture["method"], fixture["params"][1:]
    expected = EXPECTED[name]
    if "session_key" in name and method != "get_session_key":
        server.reject_all_keys = True  # the server forgets every key: one new login, then the error
    if name == "error__rpc_interface_disabled__get_session_key":
        server.rpc_disabled = True
        with pytest.raises(expected):
            RemoteSurvey(connection, FAST).__enter__()
        return
    with RemoteSurvey(connection, FAST) as remote:
        if expected is None:
            assert remote.rpc(method, *params) == []
            return
        with pytest.raises(expected) as err:
            remote.rpc(method, *params)
    assert type(err.value) is expected or expected is E.LimeSurveyError
    reply = fixture["response"] or {}
    server_says = reply.get("error") or (reply.get("result") or {}).get("status")
    if server_says and "session key" not in server_says:
        assert server_says in str(err.value)  # the server's own words reach the user
    assert all_released(server)


@pytest.mark.parametrize("name", ["get_session_key__bad_credentials", "get_session_key__unknown_user"])
def test_recorded_login_refusals(server, name):
    user, password, _ = json.loads((RPC / f"{name}.json").read_text(encoding="utf-8"))["params"]
    with pytest.raises(E.LoginError, match="Invalid user name or password"):
        RemoteSurvey(Connection(server.url, user, password), FAST).__enter__()
    assert server.keys_issued == []


# --- a connection that drops in the middle of an export -------------------------------------------
def test_a_dropped_connection_mid_export_leaves_the_previous_state(workspace, server, connection):
    do_pull(workspace, connection)
    before = workspace_state(workspace)
    server.add_response()
    server.cut_exports_after = len(server.export_calls()) + 1  # the id list arrives, the page is cut

    with pytest.raises(E.NetworkError, match="closed the connection in the middle of its reply") as err:
        do_pull(workspace, connection, survey_id=None)

    assert err.value.exit_code == 18
    assert workspace_state(workspace) == before
    assert not [p for p in workspace.snapshots_dir(MEETING).iterdir() if p.name.startswith(".")]
    assert all_released(server)

    server.cut_exports = 1  # a single cut is retried
    result = do_pull(workspace, connection, survey_id=None)
    assert result.created and result.new_ids == (32,)


# --- secrets -----------------------------------------------------------------------------------------
def test_no_password_or_session_key_reaches_any_file_or_log(workspace, server, connection, caplog):
    caplog.set_level(logging.DEBUG)
    server.expire_keys_after = 5  # also exercise the new login
    do_pull(workspace, connection)
    server.add_response()
    do_pull(workspace, connection, survey_id=None)
    server.cut_exports_after, server.cut_exports = len(server.export_calls()), 1
    do_pull(workspace, connection, survey_id=None, full=True)
    with pytest.raises(E.LoginError) as err:
        do_pull(workspace, Connection(server.url, "admin", PASSWORD + "-wrong"))

    from conftest import render_meeting

    rendered = render_meeting(workspace, MEETING)
    assert rendered.html.is_file()

    secrets = [PASSWORD.encode(), KEY_PREFIX.encode()] + [k.encode() for k in server.keys_issued]
    assert len(server.keys_issued) >= 4
    for path in workspace.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret not in data, f"{path} holds a secret"
    logged = "\n".join(r.getMessage() for r in caplog.records) + str(err.value)
    assert not any(s.decode() in logged for s in secrets)


# --- the command line ----------------------------------------------------------------------------------
def cli(server, workspace, *args, password=PASSWORD):
    env = {"LIMESURVEY_URL": server.url, "LIMESURVEY_USER": "admin", "LIMESURVEY_PASSWORD": password}
    return runner.invoke(app, ["pull", MEETING, *args, "-w", str(workspace.root)], env=env)


def test_cli_pull_happy_path_then_nothing_new(workspace, server):
    first = cli(server, workspace, "--survey-id", "482931", "--page-size", "10")
    assert first.exit_code == 0, first.output
    assert "pulled 31 new response(s) from survey 482931" in first.output
    assert "31 responses (27 complete, 4 incomplete)" in first.output
    again = cli(server, workspace)
    assert again.exit_code == 0, again.output
    assert "nothing changed on survey 482931" in again.output
    assert PASSWORD not in first.output + again.output


@pytest.mark.parametrize(
    ("args", "password", "code", "message"),
    [
        (["--survey-id", "482931"], "wrong-password", 12, "Invalid user name or password"),
        (["--survey-id", "999999"], PASSWORD, 14, "no survey with this id"),
        ([], PASSWORD, 2, "has no LimeSurvey survey id yet"),
    ],
)
def test_cli_pull_errors(workspace, server, args, password, code, message):
    result = cli(server, workspace, *args, password=password)
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("integkit: error: ") and message in lines[0]
    assert password not in result.output


def test_cli_pull_of_an_empty_survey_warns(workspace, server):
    server.responses = []
    result = cli(server, workspace, "--survey-id", "482931")
    assert result.exit_code == 0, result.output
    assert "has no responses yet" in result.output


def test_cli_full_pull_names_edited_responses(workspace, server):
    assert cli(server, workspace, "--survey-id", "482931").exit_code == 0
    server.edit_response(10, AUSBAU="Mehr Sprachkurse am Abend.", datestamp="2026-11-26 08:00:00")
    result = cli(server, workspace, "--full")
    assert result.exit_code == 0, result.output
    assert "edited on the server since the last pull: response(s) 10" in result.output


def test_a_meeting_keeps_its_survey(workspace, server, connection):
    do_pull(workspace, connection)
    with pytest.raises(E.InputError, match="linked to LimeSurvey survey 482931"):
        do_pull(workspace, connection, survey_id=482932)


def test_a_meeting_imported_from_a_file_can_be_pulled_later(workspace, server, connection):
    import_file(workspace, MEETING, CSV_SHORT, LSS_482931)
    assert "survey_id" not in workspace.meeting(MEETING).source
    result = do_pull(workspace, connection)
    assert result.created and result.full and result.new_ids == tuple(range(1, 32))
    assert workspace.meeting(MEETING).source == {"kind": "limesurvey", "survey_id": 482931, "url": server.url}
    assert len(list_snapshots(workspace.snapshots_dir(MEETING))) == 2


def test_an_empty_pull_can_be_loaded_again(workspace, server, connection):
    server.responses = []
    do_pull(workspace, connection)
    assert len(load_responses(workspace, MEETING).respondents) == 0


def test_limesurvey_exit_codes_are_distinct_and_documented():
    codes = [code for code in E.EXIT_CODES.values() if 10 <= code < 20]
    assert len(set(codes)) == len(codes) == 9
    help_text = runner.invoke(app, ["pull", "--help"], env={"COLUMNS": "200"}).output
    for code in codes:
        assert f"{code} " in help_text
