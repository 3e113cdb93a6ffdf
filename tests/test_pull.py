"""`integkit pull`: the real citric client against a fake RemoteControl server replaying recorded replies.

Every test that can runs against both recordings, LimeSurvey 6.4.2 and 6.14 (`server` is
parametrised). The 6.14 recording has `get_question_properties` of two questions only, so pulls
from it take the labels from the survey's recorded structure export (`pull --structure`), as a
user does whose server answers so; the structure replies it did record are checked on their own.
"""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from integkit import errors as E
from integkit.cli import app
from integkit.ingest.credentials import Connection
from integkit.ingest.limesurvey import RemoteSurvey, Transport, build_structure, pull
from integkit.ingest.snapshot import list_snapshots
from integkit.ingest.store import import_file
from integkit.ingest.structure import read_lss
from integkit.responses import load_responses
from integkit.workspace import STANDARD_SERIES
from limesurvey_server import RECORDINGS, VERSIONS, FakeLimeSurvey, recorded_responses

PASSWORD = "Tr0ub4dor-zq9-Passw0rt!"
KEY_PREFIX = "sEsSiOnKeY-7c1e-"
MEETING = "vt-2026-11"
FAST = Transport(timeout=2.0, tries=3, backoff=0.0)
LABELS_FROM_FILE = {"6.4.2": False, "6.14": True}  # whether pulls take labels from the recorded .lss
runner = CliRunner()


@pytest.fixture(params=VERSIONS)
def server(request):
    fake = FakeLimeSurvey(password=PASSWORD, key_prefix=KEY_PREFIX, version=request.param).start()
    yield fake
    fake.stop()


@pytest.fixture
def server_642():
    fake = FakeLimeSurvey(password=PASSWORD, key_prefix=KEY_PREFIX).start()
    yield fake
    fake.stop()


@pytest.fixture
def connection(server) -> Connection:
    return Connection(server.url, "admin", PASSWORD)


def structure_of(server: FakeLimeSurvey, survey_id: int = 482931) -> Path | None:
    """The structure file a pull from this recording is given (None: labels come from the server)."""
    return server.recording.lss(survey_id) if LABELS_FROM_FILE[server.version] else None


def do_pull(workspace, server, **options):
    options.setdefault("survey_id", 482931)
    options.setdefault("structure_path", structure_of(server, options["survey_id"] or 482931))
    connection = options.pop("connection", Connection(server.url, "admin", PASSWORD))
    return pull(workspace, MEETING, connection, transport=options.pop("transport", FAST), **options)


def ids_of(server) -> list[int]:
    return sorted(int(r["id"]) for r in server.responses)


def add_one(server) -> int:
    """A response added on the server: the one recorded on 6.14 (id 41), on 6.4.2 a copy of response 1."""
    if server.version == "6.14":
        row = json.loads((server.recording.rpc / "export_responses__json_before_delete.decoded.json").read_bytes())["responses"][0]
        server.responses.append(row)
        return row["id"]
    return server.add_response(GELINGT="Neu dazugekommen: ein Sprachcafé in der Bücherei.")["id"]


def stored_rows(snapshot) -> list[dict]:
    return json.loads(snapshot.read("responses.json"))["responses"]


def workspace_state(workspace) -> dict[str, bytes]:
    return {str(p.relative_to(workspace.root)): p.read_bytes() for p in sorted(workspace.root.rglob("*")) if p.is_file()}


def all_released(server) -> bool:
    return server.keys_issued and set(server.keys_released) == set(server.keys_issued)


def pages(ids: list[int], size: int) -> list[tuple[int, int]]:
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


# --- the happy path ---------------------------------------------------------------------------
def test_first_pull_stores_one_self_contained_snapshot_and_links_the_meeting(workspace, server):
    recorded = recorded_responses(server.version)
    result = do_pull(workspace, server)

    assert result.created and result.new_ids == tuple(ids_of(server)) and not result.edited_ids
    (snapshot,) = list_snapshots(workspace.snapshots_dir(MEETING))
    assert set(snapshot.files) == {"responses.json", "structure.json"}
    assert stored_rows(snapshot) == recorded
    manifest = snapshot.manifest
    assert manifest["row_count"] == len(recorded) and manifest["survey_id"] == 482931
    expected_source = {
        "kind": "limesurvey", "url": server.url, "user": "admin", "survey_id": 482931,
        "name": "LimeSurvey survey 482931", "mode": "full", "page_size": 500,
    }
    if LABELS_FROM_FILE[server.version]:
        expected_source["structure"] = "limesurvey_survey_482931.lss"
    assert manifest["source"] == expected_source
    meeting = workspace.meeting(MEETING)
    assert meeting.source["survey_id"] == 482931 and meeting.source["kind"] == "limesurvey"
    assert meeting.title == read_lss(server.recording.lss()).title
    assert meeting.series == STANDARD_SERIES  # the standard questionnaire's codes: the networking series
    people = result.ingest.responses.respondents
    assert len(people) == len(recorded) and int(people["complete"].sum()) == sum(bool(r["submitdate"]) for r in recorded)
    assert all_released(server)


def test_structure_from_the_server_matches_the_lss_export(workspace, server_642):
    connection = Connection(server_642.url, "admin", PASSWORD)
    with RemoteSurvey(connection, FAST) as remote:
        structure = remote.structure(482931)
    lss = read_lss(RECORDINGS["6.4.2"].lss())
    assert structure == lss
    assert structure.question("GEMEINDE").other_label == "Andere Gemeinde im Landkreis"
    assert structure.question("THEMEN").other_label == "Sonstiges"
    assert list(structure.question("BEREICHE").subquestions) == ["SQ001", "SQ002", "SQ003", "SQ004", "SQ005"]
    result = pull(workspace, MEETING, connection, survey_id=482931, transport=FAST)
    assert result.snapshot.read("structure.json") == lss.to_json()


def test_the_structure_replies_recorded_on_6_14_give_the_questions_of_its_lss():
    """6.14 added keys to get_question_properties and list_questions; the questions come out as its .lss has them."""
    server = FakeLimeSurvey(password=PASSWORD, version="6.14").start()
    try:
        with RemoteSurvey(Connection(server.url, "admin", PASSWORD), FAST) as remote:
            language = remote.call("get_language_properties", 482931)
            groups, questions = remote.call("list_groups", 482931), remote.call("list_questions", 482931)
            recorded = {qid: remote.call("get_question_properties", qid) for qid in (1, 4)}  # GEMEINDE, BEREICHE
    finally:
        server.stop()
    structure = build_structure(482931, language, groups, questions, recorded)
    lss = read_lss(RECORDINGS["6.14"].lss())
    assert list(structure.questions) == list(lss.questions)
    for code in ("GEMEINDE", "BEREICHE", "GELINGT", "AUSBAU", "UNTERSTUETZUNG", "EHRENAMT"):
        assert structure.question(code) == lss.question(code), code
    assert len(structure.question("GEMEINDE").answers) == 24 and structure.title == lss.title


def test_pull_and_import_of_the_same_responses_give_identical_responses(workspace, server):
    do_pull(workspace, server)
    csv_export = server.recording.rpc / "export_responses__csv_code_short.decoded.csv"
    import_file(workspace, "vt-import", csv_export, server.recording.lss())
    pulled, imported = load_responses(workspace, MEETING), load_responses(workspace, "vt-import")
    for table in ("respondents", "answers", "ratings", "choices", "questions"):
        left, right = getattr(pulled, table), getattr(imported, table)
        if "meeting_id" in left:
            left, right = left.drop(columns="meeting_id"), right.drop(columns="meeting_id")
        pd.testing.assert_frame_equal(left, right, check_dtype=True)
    assert "👍😊" in pulled.answers["text"].str.cat()
    assert {"Langenbach", "Marzling"} <= set(pulled.respondents["municipality"])  # typed as "other"


def test_second_pull_asks_only_for_new_ids_and_merges(workspace, server):
    first = do_pull(workspace, server)
    last = max(ids_of(server))
    new = add_one(server)
    before = len(server.export_calls())

    second = do_pull(workspace, server, survey_id=None)

    asked = server.export_calls()[before:]
    assert [(p[7], p[8]) for p in asked] == [(last + 1, None), (new, new)]  # the id list above the last, then one page
    assert second.created and second.new_ids == (new,) and second.survey_id == 482931
    assert [r["id"] for r in stored_rows(second.snapshot)] == ids_of(server)
    assert stored_rows(second.snapshot)[:-1] == stored_rows(first.snapshot)
    assert any("incomplete at the last pull" in note for note in second.notes)

    third = do_pull(workspace, server, survey_id=None)
    assert not third.created and third.new_ids == () and third.snapshot.id == second.snapshot.id
    assert len(list_snapshots(workspace.snapshots_dir(MEETING))) == 2
    assert all_released(server)


def test_paging_by_id_ranges_gives_the_same_snapshot(workspace, server, tmp_path):
    paged = do_pull(workspace, server, page_size=10)
    asked = [(p[7], p[8]) for p in server.export_calls() if p[9] is None]
    assert asked == pages(ids_of(server), 10)

    from integkit.workspace import init_workspace

    other = init_workspace(tmp_path / "other")
    whole = do_pull(other, server, page_size=500)
    assert paged.snapshot.read("responses.json") == whole.snapshot.read("responses.json")
    assert paged.snapshot.sha256 == whole.snapshot.sha256


def test_gaps_in_the_ids_are_paged_by_the_ids_that_exist(workspace, server):
    ids = ids_of(server)
    kept = ids[:4] + ids[-6:]
    server.responses = [r for r in server.responses if r["id"] in kept]
    result = do_pull(workspace, server, page_size=4)
    assert [r["id"] for r in stored_rows(result.snapshot)] == kept
    assert [(p[7], p[8]) for p in server.export_calls() if p[9] is None] == pages(kept, 4)


def test_full_pull_reports_edited_and_removed_responses(workspace, server):
    do_pull(workspace, server)
    server.edit_response(7, GELINGT="Nachträglich ergänzt.", datestamp="2026-11-25 10:00:00")
    server.responses = [r for r in server.responses if r["id"] != 12]

    quiet = do_pull(workspace, server, survey_id=None)
    assert not quiet.created  # an incremental pull only looks above the last id

    full = do_pull(workspace, server, survey_id=None, full=True)
    assert full.created and full.full
    assert full.edited_ids == (7,) and full.removed_ids == (12,) and full.new_ids == ()
    rows = {r["id"]: r for r in stored_rows(full.snapshot)}
    assert rows[7]["GELINGT"] == "Nachträglich ergänzt." and 12 not in rows
    assert full.snapshot.manifest["source"]["mode"] == "full"


def test_a_full_pull_back_to_an_earlier_state_makes_that_state_the_latest(workspace, server):
    """Issue 13.3: add, pull, delete on the server, pull --full: the latest snapshot has no deleted response."""
    first = do_pull(workspace, server)
    added = add_one(server)
    do_pull(workspace, server, survey_id=None)
    server.responses = [r for r in server.responses if r["id"] != added]  # deleted on the server

    full = do_pull(workspace, server, survey_id=None, full=True)

    assert full.removed_ids == (added,) and full.created
    assert full.snapshot.sha256 == first.snapshot.sha256 and full.snapshot.id != first.snapshot.id
    assert list_snapshots(workspace.snapshots_dir(MEETING))[-1].id == full.snapshot.id
    latest = load_responses(workspace, MEETING)
    assert added not in set(latest.respondents["response_id"]) and latest.provenance["snapshot_id"] == full.snapshot.id
    again = do_pull(workspace, server, survey_id=None, full=True)
    assert not again.created and again.snapshot.id == full.snapshot.id  # nothing changed since: nothing written


def test_a_meeting_whose_first_pull_was_empty_gets_its_date_from_a_later_pull(workspace, server):
    recorded = list(server.responses)
    server.responses = []
    do_pull(workspace, server)
    assert workspace.meeting(MEETING).date is None
    server.responses = recorded
    do_pull(workspace, server, survey_id=None)
    first = min(r["submitdate"] for r in recorded if r["submitdate"])
    assert str(workspace.meeting(MEETING).date) == first[:10]


# --- sessions ------------------------------------------------------------------------------------
def test_an_expired_session_key_means_one_new_login(workspace, server):
    server.expire_keys_after = 1  # a pull with its structure file makes two calls with a key
    result = do_pull(workspace, server)
    assert result.created and len(stored_rows(result.snapshot)) == len(server.responses)
    assert len(server.keys_issued) > 1 and all_released(server)


def test_a_key_rejected_again_after_a_new_login_fails(workspace, server):
    server.reject_all_keys = True
    with pytest.raises(E.SessionKeyError, match="rejected the session key") as err:
        do_pull(workspace, server)
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
        (lambda s, c: (s.missing_methods.add("export_responses"), c), E.ServerError, 17, "HTTP 500 to export_responses"),
        (lambda s, c: (s, Connection(unused_port_url(), "admin", PASSWORD)), E.NetworkError, 18, "connection refused"),
        (lambda s, c: (s, Connection(c.url.replace("/remotecontrol", "/remotecontroll"), "admin", PASSWORD)),
         E.ServerError, 17, "HTTP 400 .* not its RemoteControl endpoint; check LIMESURVEY_URL: .*/index.php/admin/remotecontrol"),
    ],
    ids=["bad-password", "unknown-user", "inactive", "rpc-disabled", "unknown-method", "refused", "wrong-path"],
)
def test_pull_errors_have_one_line_messages_and_their_own_exit_codes(workspace, server, connection, setup, error, code, message):
    _, conn = setup(server, connection)
    with pytest.raises(error, match=message) as err:
        do_pull(workspace, server, connection=conn)
    assert err.value.exit_code == code and "\n" not in str(err.value)
    assert PASSWORD not in str(err.value) and "127.0.0.1" in str(err.value)
    assert not workspace.snapshots_dir(MEETING).exists() and MEETING not in workspace.meetings()
    assert set(server.keys_released) == set(server.keys_issued)


def test_unknown_survey_id(workspace, server, connection):
    with pytest.raises(E.SurveyNotFoundError, match="Error: Invalid survey ID") as err:
        do_pull(workspace, server, survey_id=999999, structure_path=None)
    assert err.value.exit_code == 14
    with RemoteSurvey(connection, FAST) as remote, pytest.raises(E.SurveyNotFoundError, match="No permission"):
        remote.export(999999)
    assert all_released(server)


def test_a_structure_file_of_another_survey_is_refused_before_connecting(workspace, server):
    other = RECORDINGS["6.14"].lss(551235)
    with pytest.raises(E.InputError, match=r"limesurvey_survey_551235.lss: the structure file is of survey 551235, not of survey 482931"):
        do_pull(workspace, server, structure_path=other)
    assert server.calls == []


def test_an_active_survey_without_responses_gives_an_empty_snapshot(workspace, server):
    server.responses = []
    result = do_pull(workspace, server)
    assert result.created and result.empty_survey and result.new_ids == ()
    assert json.loads(result.snapshot.read("responses.json")) == {"responses": []}
    assert result.snapshot.manifest["row_count"] == 0 and len(result.ingest.responses.respondents) == 0


def test_a_timeout_is_retried_then_reported(workspace, server):
    server.delay = 0.4
    with pytest.raises(E.NetworkError, match=r"no answer within 0.1 s \(tried 2 times\)"):
        do_pull(workspace, server, transport=Transport(timeout=0.1, tries=2, backoff=0.0))
    assert [m for m, _ in server.calls] == ["get_session_key", "get_session_key"]


EXPECTED = {  # what each recorded error reply becomes
    "6.4.2": {
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
    },
    "6.14": {
        "error__delete_response__already_deleted": E.LimeSurveyError,
        "error__export_responses__empty_survey_csv": E.LimeSurveyError,
        "error__export_responses__empty_survey_json": E.LimeSurveyError,
        "error__export_responses__inactive_survey": E.SurveyNotActiveError,
        "error__export_responses__invalid_format": E.ServerError,
        "error__export_responses_by_token__no_token_table": E.LimeSurveyError,
        "error__invalid_session_key__export_responses": E.SessionKeyError,
        "error__invalid_session_key__get_summary": E.SessionKeyError,
        "error__invalid_session_key__list_surveys": E.SessionKeyError,
        "error__invalid_survey_id__export_responses": E.SurveyNotFoundError,
        "error__invalid_survey_id__get_fieldmap": E.SurveyNotFoundError,
        "error__invalid_survey_id__get_language_properties": E.SurveyNotFoundError,
        "error__invalid_survey_id__get_summary": E.SurveyNotFoundError,
        "error__invalid_survey_id__get_survey_properties": E.SurveyNotFoundError,
        "error__invalid_survey_id__list_groups": E.SurveyNotFoundError,
        "error__invalid_survey_id__list_questions": E.SurveyNotFoundError,
        "error__released_session_key__list_surveys": E.SessionKeyError,
        "error__unknown_method": E.ServerError,
        "error__update_response__edit_after_completion": E.LimeSurveyError,
    },
}
ERROR_CASES = [(version, name) for version in VERSIONS for name in sorted(EXPECTED[version])]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_recorded_error_fixture_is_covered(version):
    rpc = RECORDINGS[version].rpc
    assert set(EXPECTED[version]) == {p.name[:-5] for p in rpc.glob("error__*.json") if not p.name.endswith(".decoded.json")}


@pytest.mark.parametrize(("version", "name"), ERROR_CASES, ids=[f"{v}-{n}" for v, n in ERROR_CASES])
def test_each_recorded_error_reply_maps_to_its_error(version, name):
    server = FakeLimeSurvey(password=PASSWORD, version=version).start()
    try:
        check_recorded_error(server, name, EXPECTED[version][name])
    finally:
        server.stop()


def check_recorded_error(server, name, expected):
    fixture = json.loads((server.recording.rpc / f"{name}.json").read_text(encoding="utf-8"))
    method, params = fixture["method"], fixture["params"][1:]
    connection = Connection(server.url, "admin", PASSWORD)
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


@pytest.mark.parametrize(("version", "name"), [("6.4.2", "get_session_key__bad_credentials"), ("6.4.2", "get_session_key__unknown_user"), ("6.14", "get_session_key__bad_credentials")])
def test_recorded_login_refusals(version, name):
    server = FakeLimeSurvey(password=PASSWORD, version=version).start()
    try:
        user, password, _ = json.loads((server.recording.rpc / f"{name}.json").read_text(encoding="utf-8"))["params"]
        with pytest.raises(E.LoginError, match="Invalid user name or password"):
            RemoteSurvey(Connection(server.url, user, password), FAST).__enter__()
        assert server.keys_issued == []
    finally:
        server.stop()


# --- a server whose messages differ but that sends error codes (issue 13.6) ---------------------------
REWORDED = {  # recorded status -> what a later LimeSurvey might send instead, with citric's error_code
    "Invalid user name or password": ("Anmeldung fehlgeschlagen", "INVALID_CREDENTIALS"),
    "Invalid session key": ("Sitzung abgelaufen", "invalid-session-key"),
    "Error: Invalid survey ID": ("Umfrage nicht gefunden", "SURVEY_NOT_FOUND"),
    "No Data, survey table does not exist.": ("Umfrage nicht aktiviert", "SURVEY_NOT_ACTIVE"),
    "No Data, could not get max id.": ("Keine Antworten", "NO_RESPONSES"),
}


def test_refusals_are_matched_by_their_error_code_when_the_wording_differs(workspace, server):
    server.reworded = REWORDED
    with pytest.raises(E.LoginError, match="Anmeldung fehlgeschlagen"):
        do_pull(workspace, server, connection=Connection(server.url, "admin", "wrong"))
    with pytest.raises(E.SurveyNotFoundError, match=r"Umfrage nicht gefunden\); check --survey-id"):
        do_pull(workspace, server, survey_id=999999, structure_path=None)
    server.state = "inactive"
    with pytest.raises(E.SurveyNotActiveError, match="Umfrage nicht aktiviert"):
        do_pull(workspace, server)
    server.state, server.expire_keys_after = "active", 1  # a rejected key means a new login, as before
    assert do_pull(workspace, server).created and len(server.keys_issued) > 1
    server.responses = []
    assert do_pull(workspace, server, survey_id=None, full=True).empty_survey  # "no responses" is no error


def test_an_unknown_error_code_falls_back_to_the_message(workspace, server):
    server.reworded = {"Invalid user name or password": ("Invalid user name or password", "E_SOMETHING_NEW")}
    with pytest.raises(E.LoginError, match=r"Invalid user name or password \(check LIMESURVEY_USER"):
        do_pull(workspace, server, connection=Connection(server.url, "admin", "wrong"))


# --- surveys unlike the standard questionnaire (6.14 recording) ------------------------------------
@pytest.fixture
def server_614():
    fake = FakeLimeSurvey(password=PASSWORD, version="6.14").start()
    yield fake
    fake.stop()


def test_a_survey_without_free_text_pulls_with_its_structure(workspace, server_614):
    """Issue 13.4: 551235 has a role and a rating array only; it pulls, and Responses has no text question."""
    result = do_pull(workspace, server_614, survey_id=551235, structure_path=RECORDINGS["6.14"].lss(551235))
    responses = load_responses(workspace, MEETING)
    assert result.created and len(responses.respondents) == 4
    assert responses.answers.empty and responses.text_questions() == []
    assert set(responses.questions["kind"]) == {"rating"}
    assert set(responses.ratings["item"]) == {"Wohnraum", "Sprachförderung", "Ehrenamt", "Arbeit und Ausbildung", "Kita/Schule"}
    assert set(responses.respondents["role"]) == {"Bürgermeister/in", "Gemeinde-/Stadtrat", "Verwaltung", "Ehrenamt/Helferkreis"}
    meeting = workspace.meeting(MEETING)
    assert meeting.series is None and meeting.title == "Kurzabfrage Lage 2027 (ohne Freitext)"  # joins no series
    assert str(meeting.date) == "2027-04-01"


def test_a_survey_with_other_codes_pulls_with_its_structure(workspace, server_614):
    do_pull(workspace, server_614, survey_id=551234, structure_path=RECORDINGS["6.14"].lss(551234))
    responses = load_responses(workspace, MEETING)
    people = responses.respondents.set_index("response_id")
    assert people.loc[4, "municipality"] == "Attenkirchen"  # typed as "other" although it is on the list
    assert set(responses.text_questions()) == {"q_positiv", "q_wuensche", "q_lra"}
    assert "Mobilität auf dem Land (Busse!)" in set(responses.answers["text"])
    assert workspace.meeting(MEETING).series is None


# --- a connection that drops in the middle of an export -------------------------------------------
def test_a_dropped_connection_mid_export_leaves_the_previous_state(workspace, server):
    do_pull(workspace, server)
    before = workspace_state(workspace)
    new = add_one(server)
    server.cut_exports_after = len(server.export_calls()) + 1  # the id list arrives, the page is cut

    with pytest.raises(E.NetworkError, match="closed the connection in the middle of its reply") as err:
        do_pull(workspace, server, survey_id=None)

    assert err.value.exit_code == 18
    assert workspace_state(workspace) == before
    assert not [p for p in workspace.snapshots_dir(MEETING).iterdir() if p.name.startswith(".")]
    assert all_released(server)

    server.cut_exports = 1  # a single cut is retried
    result = do_pull(workspace, server, survey_id=None)
    assert result.created and result.new_ids == (new,)


# --- secrets -----------------------------------------------------------------------------------------
def test_no_password_or_session_key_reaches_any_file_or_log(workspace, server, caplog):
    caplog.set_level(logging.DEBUG)
    server.expire_keys_after = 1  # also exercise new logins
    do_pull(workspace, server)
    add_one(server)
    do_pull(workspace, server, survey_id=None)
    server.cut_exports_after, server.cut_exports = len(server.export_calls()), 1
    do_pull(workspace, server, survey_id=None, full=True)
    with pytest.raises(E.LoginError) as err:
        do_pull(workspace, server, connection=Connection(server.url, "admin", PASSWORD + "-wrong"))

    if server.version == "6.4.2":  # the report is rendered from the snapshot alike for both recordings: once is enough
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
def cli(server, workspace, *args, password=PASSWORD, structure=True):
    env = {"LIMESURVEY_URL": server.url, "LIMESURVEY_USER": "admin", "LIMESURVEY_PASSWORD": password}
    given = structure_of(server) if structure else None
    extra = ["--structure", str(given)] if given else []
    return runner.invoke(app, ["pull", MEETING, *args, *extra, "-w", str(workspace.root)], env=env)


def test_cli_pull_happy_path_then_nothing_new(workspace, server):
    recorded = recorded_responses(server.version)
    n, done = len(recorded), sum(bool(r["submitdate"]) for r in recorded)
    first = cli(server, workspace, "--survey-id", "482931", "--page-size", "10")
    assert first.exit_code == 0, first.output
    assert f"pulled {n} new response(s) from survey 482931" in first.output
    assert f"{n} responses ({done} complete, {n - done} incomplete)" in first.output
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
    result = cli(server, workspace, *args, password=password, structure="999999" not in args)
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


def test_cli_pull_lists_municipality_names_it_could_not_match(workspace, server):
    server.edit_response(17, GEMEINDE="-oth-", **{"GEMEINDE[other]": "Freisng"})
    server.edit_response(28, GEMEINDE="-oth-", **{"GEMEINDE[other]": "Musterdorf"})
    result = cli(server, workspace, "--survey-id", "482931")
    assert result.exit_code == 0, result.output
    assert "note: municipality 'Freisng' (1 response) is not in the survey's or the district's list (did you mean 'Freising'?)" in result.output
    assert "note: municipality 'Musterdorf' (1 response) is not in the survey's or the district's list; say what" in result.output


def test_cli_pull_takes_the_structure_file(workspace, server_614):
    lss = RECORDINGS["6.14"].lss(551235)
    env = {"LIMESURVEY_URL": server_614.url, "LIMESURVEY_USER": "admin", "LIMESURVEY_PASSWORD": PASSWORD}
    result = runner.invoke(app, ["pull", MEETING, "--survey-id", "551235", "--structure", str(lss), "-w", str(workspace.root)], env=env)
    assert result.exit_code == 0, result.output
    assert "pulled 4 new response(s) from survey 551235" in result.output


def test_a_meeting_keeps_its_survey(workspace, server):
    do_pull(workspace, server)
    with pytest.raises(E.InputError, match="linked to LimeSurvey survey 482931"):
        do_pull(workspace, server, survey_id=482932, structure_path=None)


def test_a_meeting_imported_from_a_file_can_be_pulled_later(workspace, server):
    import_file(workspace, MEETING, server.recording.rpc / "export_responses__csv_code_short.decoded.csv", server.recording.lss())
    assert "survey_id" not in workspace.meeting(MEETING).source
    result = do_pull(workspace, server)
    assert result.created and result.full and result.new_ids == tuple(ids_of(server))
    assert workspace.meeting(MEETING).source == {"kind": "limesurvey", "survey_id": 482931, "url": server.url}
    assert len(list_snapshots(workspace.snapshots_dir(MEETING))) == 2


def test_an_empty_pull_can_be_loaded_again(workspace, server):
    server.responses = []
    do_pull(workspace, server)
    assert len(load_responses(workspace, MEETING).respondents) == 0


def test_limesurvey_exit_codes_are_distinct_and_documented():
    codes = [code for code in E.EXIT_CODES.values() if 10 <= code < 20]
    assert len(set(codes)) == len(codes) == 9
    help_text = runner.invoke(app, ["pull", "--help"], env={"COLUMNS": "200"}).output
    for code in codes:
        assert f"{code} " in help_text


def test_control_and_bidi_characters_from_the_server_stay_in_the_snapshot_and_leave_the_labels(workspace, server_642):
    """Issue 14.10: a question text with ESC/NUL and an answer label with U+202E, as JSON can carry them."""
    fixtures = server_642.fixtures
    fixtures["list_questions__main"]["response_raw"] = fixtures["list_questions__main"]["response_raw"].replace(
        "Was gelingt in Ihrer Gemeinde gut?", "Was gelingt\\u001b[2J in Ihrer\\u0000 Gemeinde gut?\\u202e"
    )
    fixtures["get_question_properties__GEMEINDE"]["response_raw"] = fixtures["get_question_properties__GEMEINDE"]["response_raw"].replace(
        '"answer":"Freising"', '"answer":"\\u202eFrei\\u200bsing\\u0007"'
    )
    result = pull(workspace, MEETING, Connection(server_642.url, "admin", PASSWORD), survey_id=482931, transport=FAST)
    stored = json.loads(result.snapshot.read("structure.json"))
    gemeinde = next(q for q in stored["questions"] if q["code"] == "GEMEINDE")
    assert gemeinde["answers"]["G01"] == "\u202eFrei\u200bsing\u0007"  # the raw snapshot keeps every character
    responses = load_responses(workspace, MEETING)
    assert "Freising" in set(responses.respondents["municipality"])
    assert responses.question_label("q_gut") == "Was gelingt[2J in Ihrer Gemeinde gut?"
