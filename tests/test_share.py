"""`integkit share`: recipients.yaml, .eml drafts, and sending to a real SMTP server on loopback.

The demo meeting's reports (the meeting report and three municipality reports, HTML and PDF)
are rendered once with papermill; each test works on a copy. The SMTP server is aiosmtpd on
127.0.0.1, plain, with STARTTLS or with implicit TLS (a trustme certificate the client trusts
through SSL_CERT_FILE), with or without login.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from email import policy
from email.parser import BytesParser
from pathlib import Path

import keyring
import pandas as pd
import pytest
from typer.testing import CliRunner

from integkit.cli import app
from integkit.demo import import_demo
from integkit.report.batch import plan_reports, render_reports
from integkit.share.provenance import read_provenance
from integkit.workspace import Workspace, init_workspace
from smtp_server import LoopbackSMTP, Mailbox
from test_credentials import MemoryKeyring

runner = CliRunner()
MEETING = "demo-2026-11"
MUNICIPALITIES = ["Freising", "Eching"]  # rendered; Zolling is on the list but has no report this time
PASSWORD = "smtp-Pa55-wq7#ü"
USER = "integration"
GROUPS = {
    "meeting_report": ["integration@lra-freising.example", "landrat@lra-freising.example"],
    "Freising": ["rathaus@freising.example", "integration@freising.example"],
    "Eching": ["buergerbuero@eching.example"],
}
RECIPIENTS = """\
meeting_report:
  - integration@lra-freising.example
  - "Landrat <landrat@lra-freising.example>"
municipalities:
  Freising:
    - rathaus@freising.example
    - "Integrationsbeauftragte Freising <integration@freising.example>"
  Eching: buergerbuero@eching.example
  Zolling: [rathaus@zolling.example]
signature: |
  Mit freundlichen Grüßen
  Landratsamt Freising
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """A demo workspace with the meeting report and two municipality reports rendered as HTML and PDF."""
    ws = init_workspace(tmp_path_factory.mktemp("share") / "ws")
    import_demo(ws)
    jobs = plan_reports(ws, MEETING, MUNICIPALITIES, True, formats=("html", "pdf"))
    result = render_reports(ws, jobs, workers=2)
    assert not result.failed, result.failed
    return ws.root


@pytest.fixture
def ws(rendered, tmp_path) -> Workspace:
    """A copy of the rendered workspace with the distribution list above."""
    root = tmp_path / "ws"
    shutil.copytree(rendered, root)
    (root / "surveys" / "recipients.yaml").write_text(RECIPIENTS, encoding="utf-8")
    return Workspace(root)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No SMTP settings or trusted test CA from the machine, and a keyring in memory."""
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_FROM", "SMTP_PASSWORD", "SMTP_SECURITY", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


def use(monkeypatch, server: LoopbackSMTP, **extra: str) -> None:
    for name, value in server.environ(**extra).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))


def share(ws: Workspace, *args: str):
    return runner.invoke(app, ["share", MEETING, *args, "-w", str(ws.root)])


def report_file_name(group: str, suffix: str) -> str:
    stem = f"{MEETING}_bericht" if group == "meeting_report" else f"{MEETING}_gemeinde_{group.lower()}"
    return stem + suffix


def report_file(ws: Workspace, group: str, suffix: str) -> Path:
    return ws.report_dir(MEETING) / report_file_name(group, suffix)


def attachments(msg) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in msg.iter_attachments()}


def group_of(received) -> str:
    return next(g for g, addresses in GROUPS.items() if set(received.rcpt_tos) <= set(addresses))


def assert_right_attachments(received, tmp_path: Path) -> str:
    """The message carries exactly its group's HTML and PDF, and each says by its provenance whose it is."""
    group = group_of(received)
    files = attachments(received.message)
    wanted = {report_file_name(group, s) for s in (".html", ".pdf")}
    assert set(files) == wanted
    for name, data in files.items():
        copy = tmp_path / f"received-{name}"
        copy.write_bytes(data)
        found = read_provenance(copy)
        assert found["meeting"] == MEETING
        assert found["municipality"] == ("" if group == "meeting_report" else group)
        assert found["kind"] == ("meeting" if group == "meeting_report" else "municipality")
    return group


def log_lines(ws: Workspace) -> list[dict]:
    path = ws.report_dir(MEETING) / "share" / "sent.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.is_file() else []


def files_holding(root: Path, secret: str) -> list[Path]:
    """Files below `root` (but the user's own .env) that hold the secret, plain or as AUTH PLAIN/LOGIN would send it."""
    forms = [secret.encode(), base64.b64encode(secret.encode()), base64.b64encode(f"\0{USER}\0{secret}".encode())]
    return [p for p in root.rglob("*") if p.is_file() and p.name != ".env" and any(f in p.read_bytes() for f in forms)]


# --- recipients.yaml -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content, message",
    [
        (RECIPIENTS.replace("  Eching:", "  Eching-Ost:"), "municipalities: 'Eching-Ost' is not a municipality the reports know (did you mean 'Eching'?)"),
        (RECIPIENTS.replace("buergerbuero@eching.example", "buergerbuero@eching"), "municipalities: Eching: 'buergerbuero@eching' is not a valid e-mail address"),
        (RECIPIENTS.replace("[rathaus@zolling.example]", "[]"), "municipalities: Zolling: give one address or a list of addresses"),
        (RECIPIENTS.replace("buergerbuero@eching.example", "a@eching.example, b@eching.example"), "is not one e-mail address"),
        (RECIPIENTS.replace("signature:", "signatur:"), "unknown key(s) signatur"),
        ("meeting_report: [broken\n", "not valid YAML"),
        (RECIPIENTS.replace("  Eching: buergerbuero@eching.example\n", ""), "no recipient for Eching, which has a report"),
        (RECIPIENTS.split("municipalities:")[0].replace("meeting_report:", "meeting_report: []\nx:") , "unknown key(s) x"),
        ("municipalities:\n" + RECIPIENTS.split("municipalities:\n")[1], "meeting_report: no address for the meeting report"),
    ],
    ids=["unknown-municipality", "malformed-address", "empty-list", "two-in-one", "unknown-key", "not-yaml",
         "report-without-recipient", "unknown-top-key", "meeting-report-without-recipient"],
)
def test_a_bad_distribution_list_is_refused_with_one_line_naming_the_entry(ws, content, message):
    path = ws.root / "surveys" / "recipients.yaml"
    path.write_text(content, encoding="utf-8")
    result = share(ws)
    assert result.exit_code == 2, result.output
    assert message in result.output and str(path) in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (ws.report_dir(MEETING) / "share").exists()


def test_share_reads_the_index_the_renderer_writes():
    from integkit.report.index import INDEX_DATA
    from integkit.share import plan

    assert plan.INDEX_DATA == INDEX_DATA


def test_share_without_recipients_file_or_reports_says_what_to_do(ws, tmp_path):
    (ws.root / "surveys" / "recipients.yaml").unlink()
    result = share(ws)
    assert result.exit_code == 2 and "recipients.yaml: no such file" in result.output
    bare = init_workspace(tmp_path / "bare")
    import_demo(bare)
    (bare.root / "surveys" / "recipients.yaml").write_text(RECIPIENTS, encoding="utf-8")
    result = share(bare)
    assert result.exit_code == 2 and "no reports rendered for demo-2026-11 yet; run `integkit report" in result.output


# --- drafts ----------------------------------------------------------------------------------
def test_drafts_are_standard_mime_with_german_text_and_only_the_groups_reports(ws, monkeypatch):
    monkeypatch.setenv("SMTP_FROM", "Integrationsbeauftragte <integration@lra-freising.example>")
    result = share(ws)
    assert result.exit_code == 0, result.output
    drafts = sorted((ws.report_dir(MEETING) / "share").glob("*.eml"))
    assert [p.name for p in drafts] == sorted(f"{report_file_name(g, '.eml')}" for g in GROUPS)
    for group in GROUPS:
        assert group in result.output
    assert re.search(r"Zolling .*rathaus@zolling.example .*no report", result.output)
    for path in drafts:
        raw = path.read_bytes()
        assert raw.count(b"\n") == raw.count(b"\r\n")  # CRLF throughout, as RFC 5322 wants
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        assert not msg.defects and all(not part.defects for part in msg.walk())
        group = next(g for g in GROUPS if report_file_name(g, ".eml") == path.name)
        assert [a.addr_spec for a in msg["To"].addresses] == GROUPS[group]
        assert msg["X-Unsent"] == "1" and msg["From"].addresses[0].addr_spec == "integration@lra-freising.example"
        assert "Vernetzungstreffen Integration Herbst 2026 (Demo) vom 18.11.2026" in msg["Subject"]
        text = msg.get_body(("plain",)).get_content()
        assert text.startswith("Sehr geehrte Damen und Herren,") and "am 18.11.2026 (Landratsamt Freising)" in text
        assert text.rstrip().endswith("Landratsamt Freising")
        if group == "meeting_report":
            assert msg["Subject"].endswith("Gesamtbericht") and "aller teilnehmenden Gemeinden" in text
        else:
            assert msg["Subject"].endswith(f"Bericht für {group}") and f"nur für {group} bestimmt" in text
        files = attachments(msg)
        assert files == {report_file(ws, group, s).name: report_file(ws, group, s).read_bytes() for s in (".html", ".pdf")}
        assert [p.get_content_type() for p in msg.iter_attachments()] == ["application/pdf", "text/html"]


def test_drafts_go_to_out_and_only_names_groups(ws, tmp_path):
    out = tmp_path / "entwuerfe"
    result = share(ws, "--out", str(out), "--only", "Eching", "--only", "meeting_report")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{MEETING}_bericht.eml", f"{MEETING}_gemeinde_eching.eml"]
    result = share(ws, "--only", "Atlantis")
    assert result.exit_code == 2 and "--only Atlantis: not a recipient group" in result.output


def test_reports_older_than_the_codings_are_not_shared(ws):
    from integkit.themes.coding import save_corrections

    save_corrections(ws, MEETING, pd.DataFrame({"response_id": [1], "question_id": ["q_gut"], "themes": ["wohnen"]}))
    result = share(ws)
    assert result.exit_code == 2 and "rest on an older state" in result.output and f"integkit report {MEETING} --all" in result.output
    assert not (ws.report_dir(MEETING) / "share").exists()


# --- sending ---------------------------------------------------------------------------------
@pytest.mark.parametrize("source", ["environment", "dotenv", "keyring"])
def test_send_over_starttls_with_login_delivers_each_group_its_own_reports(ws, tmp_path, monkeypatch, clean_environment, source):
    with LoopbackSMTP(tmp_path, "starttls", users={USER: PASSWORD}) as server:
        use(monkeypatch, server, SMTP_USER=USER)
        if source == "environment":
            monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
        elif source == "dotenv":
            (ws.root / ".env").write_text(f"SMTP_PASSWORD={PASSWORD}\n", encoding="utf-8")
        else:
            clean_environment.set_password("integkit-smtp", f"{USER}@127.0.0.1", PASSWORD)
        result = share(ws, "--send")
    assert result.exit_code == 0, result.output
    assert server.logins == [(USER, True)]
    groups = sorted(assert_right_attachments(r, tmp_path) for r in server.mailbox.received)
    assert groups == sorted(GROUPS)
    for received in server.mailbox.received:
        assert sorted(received.rcpt_tos) == sorted(GROUPS[group_of(received)])
        assert received.mail_from == "integration@lra-freising.example"
        assert "X-Unsent" not in received.message
    lines = log_lines(ws)
    assert sorted((e["group"], e["recipient"]) for e in lines) == sorted((g, a) for g, addrs in GROUPS.items() for a in addrs)
    ids = {r.message["Message-ID"] for r in server.mailbox.received}
    assert {e["message_id"] for e in lines} == ids and len(ids) == len(GROUPS)
    import hashlib

    for e in lines:
        assert e["sha256"] == [hashlib.sha256((ws.report_dir(MEETING) / f).read_bytes()).hexdigest() for f in e["files"]]
    assert files_holding(ws.root, PASSWORD) == [] and PASSWORD not in result.output


def test_a_second_send_sends_nothing_new_unless_again(ws, tmp_path, monkeypatch):
    with LoopbackSMTP(tmp_path, "starttls") as server:
        use(monkeypatch, server)
        assert share(ws, "--send").exit_code == 0
        first = len(server.mailbox.received)
        again = share(ws, "--send")
        assert again.exit_code == 0 and len(server.mailbox.received) == first
        assert again.output.count("already sent") == len(GROUPS)
        with report_file(ws, "Eching", ".html").open("a", encoding="utf-8") as fh:
            fh.write("<!-- gerendert neu -->")
        changed = share(ws, "--send")
        assert "the report changed since" in changed.output and len(server.mailbox.received) == first
        forced = share(ws, "--send", "--again", "--only", "Eching")
        assert forced.exit_code == 0 and len(server.mailbox.received) == first + 1
    assert group_of(server.mailbox.received[-1]) == "Eching"
    assert len(log_lines(ws)) == sum(map(len, GROUPS.values())) + 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd's view of implicit TLS
@pytest.mark.parametrize("security, users", [("tls", {USER: PASSWORD}), ("none", None)], ids=["implicit-tls-login", "plain-no-login"])
def test_send_with_implicit_tls_or_plain_without_login(ws, tmp_path, monkeypatch, security, users):
    with LoopbackSMTP(tmp_path, security, users=users) as server:
        use(monkeypatch, server, **({"SMTP_USER": USER, "SMTP_PASSWORD": PASSWORD} if users else {}))
        result = share(ws, "--send")
    assert result.exit_code == 0, result.output
    assert sorted(assert_right_attachments(r, tmp_path) for r in server.mailbox.received) == sorted(GROUPS)


@pytest.mark.parametrize(
    "server_security, client, code, message",
    [
        ("none", {"SMTP_SECURITY": "starttls"}, 23, "offers no STARTTLS; nothing is sent in the clear"),
        ("starttls", {"SSL_CERT_FILE": "/dev/null"}, 23, "certificate is not trusted"),
        ("starttls", {"SMTP_USER": USER, "SMTP_PASSWORD": "wrong"}, 22, f"refused the login for {USER}: 535"),
        ("none", {"SMTP_SECURITY": "none", "SMTP_USER": USER, "SMTP_PASSWORD": PASSWORD}, 21, "would send the password for integration unencrypted"),
        ("starttls", {"SMTP_HOST": ""}, 21, "SMTP_HOST not set"),
        ("starttls", {"SMTP_USER": USER}, 21, "no SMTP password for integration at 127.0.0.1"),
        ("starttls", {"SMTP_PORT": "1"}, 23, "cannot connect to 127.0.0.1:1"),
    ],
    ids=["no-starttls", "untrusted-certificate", "refused-login", "password-in-clear", "no-host", "no-password", "no-server"],
)
def test_a_run_that_cannot_send_safely_stops_with_one_line_before_any_message(ws, tmp_path, monkeypatch, server_security, client, code, message):
    with LoopbackSMTP(tmp_path, server_security, users={USER: PASSWORD} if server_security == "starttls" else None) as server:
        use(monkeypatch, server)
        for name, value in client.items():
            monkeypatch.setenv(name, value)
        result = share(ws, "--send")
    assert result.exit_code == code, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("integkit: error:")]
    assert len(errors) == 1 and message in errors[0]
    assert server.mailbox.received == [] and log_lines(ws) == []
    assert files_holding(ws.root, PASSWORD) == [] and PASSWORD not in result.output


def test_refused_recipients_are_one_line_each_and_a_later_send_reaches_just_them(ws, tmp_path, monkeypatch):
    mailbox = Mailbox(refuse={"integration@freising.example", "buergerbuero@eching.example"})
    with LoopbackSMTP(tmp_path, "starttls", mailbox=mailbox) as server:
        use(monkeypatch, server)
        result = share(ws, "--send")
        assert result.exit_code == 20, result.output
        errors = [line for line in result.output.splitlines() if line.startswith("integkit: error:")]
        assert len(errors) == 2
        assert any("Freising: integration@freising.example refused: 550" in e for e in errors)
        assert any("Eching: buergerbuero@eching.example refused: 550" in e for e in errors)
        delivered = {(group_of(r), a) for r in mailbox.received for a in r.rcpt_tos}
        assert ("Freising", "rathaus@freising.example") in delivered and not any(g == "Eching" for g, _ in delivered)
        assert {(e["group"], e["recipient"]) for e in log_lines(ws)} == delivered
        mailbox.refuse.clear()
        before = len(mailbox.received)
        resumed = share(ws, "--send")
    assert resumed.exit_code == 0, resumed.output
    assert sorted(tuple(r.rcpt_tos) for r in mailbox.received[before:]) == [("buergerbuero@eching.example",), ("integration@freising.example",)]
    for received in mailbox.received:
        assert_right_attachments(received, tmp_path)


def test_a_lost_connection_stops_the_run_and_the_next_send_resumes(ws, tmp_path, monkeypatch):
    mailbox = Mailbox(drop_at=2)
    with LoopbackSMTP(tmp_path, "starttls", mailbox=mailbox) as server:
        use(monkeypatch, server)
        result = share(ws, "--send")
        assert result.exit_code == 20, result.output
        errors = [line for line in result.output.splitlines() if line.startswith("integkit: error:")]
        assert len(errors) == 1 and "lost" in errors[0] and "2 message(s) not sent" in errors[0] and "again" in errors[0]
        assert len(mailbox.received) == 1 and len({e["group"] for e in log_lines(ws)}) == 1
        resumed = share(ws, "--send")
    assert resumed.exit_code == 0, resumed.output
    groups = [group_of(r) for r in mailbox.received]
    assert sorted(groups) == sorted(GROUPS)  # every group exactly once over both runs


def _strip_provenance(path: Path) -> None:
    path.write_text(re.sub(r'<meta name="integkit-[^>]*>', "", path.read_text(encoding="utf-8")), encoding="utf-8")


@pytest.mark.parametrize(
    "forge, message",
    [
        (lambda ws: shutil.copyfile(report_file(ws, "Eching", ".pdf"), report_file(ws, "Freising", ".pdf")),
         "demo-2026-11_gemeinde_freising.pdf is the report of Eching (by its provenance), not of Freising"),
        (lambda ws: shutil.copyfile(report_file(ws, "Freising", ".html"), report_file(ws, "Eching", ".html")),
         "demo-2026-11_gemeinde_eching.html is the report of Freising (by its provenance), not of Eching"),
        (lambda ws: shutil.copyfile(report_file(ws, "meeting_report", ".pdf"), report_file(ws, "Eching", ".pdf")),
         "demo-2026-11_gemeinde_eching.pdf is a meeting report (by its provenance), not the municipality report"),
        (lambda ws: _strip_provenance(report_file(ws, "Freising", ".html")),
         "demo-2026-11_gemeinde_freising.html carries no integkit provenance"),
    ],
    ids=["other-municipalitys-pdf", "other-municipalitys-html", "meeting-report-as-municipality", "no-provenance"],
)
def test_a_forged_attachment_stops_the_whole_run_before_anything_is_written_or_sent(ws, tmp_path, monkeypatch, forge, message):
    forge(ws)
    with LoopbackSMTP(tmp_path, "starttls") as server:
        use(monkeypatch, server)
        result = share(ws, "--send")
    assert result.exit_code == 24, result.output
    assert message in result.output and "nothing was written or sent" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert server.mailbox.received == []
    assert not (ws.report_dir(MEETING) / "share").exists()
