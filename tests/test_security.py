"""Secrets never reach a file, and nothing is lost (GitHub issue 7, points 3 and 6).

- a pull from the loopback LimeSurvey server followed by `integkit report --all --format
  html,pdf`: no password, session key or environment value in any file, PDFs included (their
  text streams are compressed, so they are also read as text), and executed notebooks hold
  only the declared parameters;
- snapshots are read-only and checksummed, a corrupted one is refused with a clear message;
- `integkit pull` killed with SIGKILL at many points leaves the workspace as it was, or with
  exactly one more complete, verifiable snapshot and a readable registry;
- a report that fails leaves no file behind and keeps the previous one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import zlib
from pathlib import Path

import nbformat
import pytest
import yaml
from typer.testing import CliRunner

from integkit.cli import app
from integkit.errors import ReportError, SnapshotError
from integkit.ingest.snapshot import find_snapshot, list_snapshots, sha256_file
from integkit.workspace import Workspace, init_workspace
from conftest import wait_until
from limesurvey_server import FakeLimeSurvey

runner = CliRunner()
PASSWORD = "S3cr3t-Pa55w0rd-7f2d!"
KEY_PREFIX = "sEcReTkEy-4b9a-"
CANARY = "ENV-CANARY-91c3e7"
MEETING = "vt-2026-11"
SURVEY = "482931"
DECLARED = {"meeting_id", "workspace", "snapshot", "language", "min_group", "municipality"}
KEEP = {"G01", "G02"}  # two municipalities keep `report --all` quick


def pdf_streams(data: bytes) -> bytes:
    """Every FlateDecode stream of a PDF, inflated (what a PDF reader would show is in there)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return b"\n".join(out)


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
        return done.stdout.decode("utf-8", "replace")
    return pdf_streams(path.read_bytes()).decode("latin-1")


def env(server: FakeLimeSurvey, password: str = PASSWORD) -> dict[str, str]:
    return {"LIMESURVEY_URL": server.url, "LIMESURVEY_USER": "admin", "LIMESURVEY_PASSWORD": password}


# --- 3. secrets -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    from test_hostile import shared_once

    root = shared_once(tmp_path_factory, "secrets-pull", pull_and_report)
    found = json.loads((root / "found.json").read_text(encoding="utf-8"))
    return Workspace(root / "ws"), found["secrets"], found["output"]


def pull_and_report(root: Path) -> None:
    server = FakeLimeSurvey(password=PASSWORD, key_prefix=KEY_PREFIX).start()
    server.responses = [r for r in server.responses if r["GEMEINDE"] in KEEP]
    server.expire_keys_after = 6  # a new login in the middle: more keys to look for
    try:
        ws = init_workspace(root / "ws")
        pull = runner.invoke(app, ["pull", MEETING, "--survey-id", SURVEY, "--page-size", "4", "-w", str(ws.root)], env=env(server))
        assert pull.exit_code == 0, pull.output
        wrong = runner.invoke(app, ["pull", MEETING, "-w", str(ws.root)], env=env(server, PASSWORD + "-falsch"))
        assert wrong.exit_code == 12, wrong.output
        report = runner.invoke(
            app, ["report", MEETING, "--all", "--format", "html,pdf", "--jobs", "2", "-w", str(ws.root)],
            env={**env(server), "INTEGKIT_CANARY": CANARY},  # the kernels inherit this environment
        )
        assert report.exit_code == 0, report.output
    finally:
        server.stop()
    secrets = [PASSWORD, KEY_PREFIX, CANARY, *server.keys_issued]
    assert len(server.keys_issued) >= 2
    found = {"secrets": secrets, "output": pull.output + wrong.output + report.output}
    # kept outside the workspace, which the scan reads
    (root / "found.json").write_text(json.dumps(found), encoding="utf-8")


def test_pull_and_reports_wrote_html_pdf_and_notebooks(pulled):
    ws, _, _ = pulled
    out = ws.report_dir(MEETING)
    assert len(list(out.glob("*_gemeinde_*.pdf"))) == 2 and (out / f"{MEETING}_bericht.pdf").is_file()
    assert len(list(out.glob("*.ipynb"))) == 3


def test_no_secret_in_any_file_the_workspace_holds(pulled):
    ws, secrets, output = pulled
    checked = 0
    for path in ws.root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        views = [data]
        if path.suffix == ".pdf":
            views += [pdf_streams(data), pdf_text(path).encode("utf-8")]
        for view in views:
            for secret in secrets:
                assert secret.encode() not in view, f"{path} holds {secret[:6]}…"
        checked += 1
    assert checked > 15
    assert not any(secret in output for secret in secrets)


def test_pdf_text_is_readable_by_the_scan(pulled):
    """The scan above would see a secret in a PDF: the text is found once decompressed."""
    ws, _, _ = pulled
    pdf = ws.report_dir(MEETING) / f"{MEETING}_bericht.pdf"
    assert "Datengrundlage" in pdf_text(pdf)


def test_executed_notebooks_hold_only_the_declared_parameters(pulled):
    ws, _, _ = pulled
    for path in ws.report_dir(MEETING).glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        papermill = notebook.metadata["papermill"]
        assert set(papermill["parameters"]) <= DECLARED, path.name
        assert not papermill.get("environment_variables"), path.name
        injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1
        names = set(re.findall(r"^(\w+)\s*=", injected[0].source, re.M))
        assert names == set(papermill["parameters"]) and names <= DECLARED
        text = path.read_text(encoding="utf-8")
        assert "LIMESURVEY" not in text and "INTEGKIT_CANARY" not in text and "os.environ" not in text


# --- 6. snapshots: checksummed, read-only, written at once --------------------------------------------
@pytest.fixture
def imported(tmp_path):
    from conftest import CSV_SHORT, LSS_482931

    ws = init_workspace(tmp_path / "ws")
    result = runner.invoke(app, ["import", MEETING, str(CSV_SHORT), "--structure", str(LSS_482931), "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return ws


def test_snapshot_files_are_read_only_and_match_their_manifest(imported):
    (snapshot,) = list_snapshots(imported.snapshots_dir(MEETING))
    for name, digest in snapshot.files.items():
        path = snapshot.path / name
        assert sha256_file(path) == digest
        assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), name
    assert not (snapshot.path / "manifest.json").stat().st_mode & stat.S_IWUSR
    snapshot.verify()


def test_a_corrupted_snapshot_is_refused_with_a_clear_message(imported):
    (snapshot,) = list_snapshots(imported.snapshots_dir(MEETING))
    raw = snapshot.path / snapshot.raw_name()
    os.chmod(raw, 0o644)
    raw.write_bytes(raw.read_bytes().replace(b"Freising", b"Freisinx", 1))
    with pytest.raises(SnapshotError, match=r"does not match its sha256 in the manifest"):
        find_snapshot(imported.snapshots_dir(MEETING))
    result = runner.invoke(app, ["report", MEETING, "-w", str(imported.root)])
    assert result.exit_code == 3
    assert "does not match its sha256" in result.output and snapshot.raw_name() in result.output
    assert not imported.report_dir(MEETING).exists() or not any(imported.report_dir(MEETING).iterdir())


def test_a_snapshot_write_that_fails_leaves_nothing(imported, monkeypatch):
    from integkit.ingest import snapshot as snap

    before = state(imported)
    monkeypatch.setattr(snap.os, "rename", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        snap.write_snapshot(imported.snapshots_dir(MEETING), {"responses.csv": b"id\n1\n", "structure.json": b"{}"}, "responses.csv", {})
    assert state(imported) == before


# --- 6. a pull killed at any point -------------------------------------------------------------------------
class StallingServer(FakeLimeSurvey):
    """The loopback server, able to hold one call open until the test has killed the client."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stall_on: tuple[str, int] | None = None  # (method, n-th call of it)
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._seen: dict[str, int] = {}

    def stall(self, method: str, n: int = 1) -> None:
        with self._lock:
            self._seen, self.stall_on = {}, (method, n)
        self.stalled.clear()
        self.release.clear()

    def handle(self, request):
        method = request["method"]
        with self._lock:
            self._seen[method] = self._seen.get(method, 0) + 1
            hit = self.stall_on == (method, self._seen[method])
        if hit:
            self.stall_on = None
            self.stalled.set()
            self.release.wait(10)
            return None  # the client is gone: no reply
        return super().handle(request)


def state(ws: Workspace) -> dict[str, bytes]:
    return {str(p.relative_to(ws.root)): p.read_bytes() for p in sorted(ws.root.rglob("*")) if p.is_file()}


def visible(files: dict[str, bytes]) -> dict[str, bytes]:
    """Files outside temporary (dot) folders and files; list_snapshots and readers ignore those."""
    return {k: v for k, v in files.items() if not any(part.startswith(".") for part in Path(k).parts) or k == ".gitignore"}


def assert_intact_or_one_more(ws: Workspace, before: dict[str, bytes]) -> str:
    after = visible(state(ws))
    registry = yaml.safe_load((ws.registry_path).read_text(encoding="utf-8"))
    assert MEETING in registry["meetings"]  # never half-written: it parses and still holds the meeting
    if after == before:
        return "intact"
    added = {k for k in after if k not in before}
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed <= {"surveys/meetings.yaml"}, changed
    folders = {Path(k).parts[:4] for k in added}
    assert len(folders) == 1, added  # exactly one new snapshot folder
    snapshots = list_snapshots(ws.snapshots_dir(MEETING))
    newest = snapshots[-1]
    assert Path(*next(iter(folders))) == newest.path.relative_to(ws.root)
    newest.verify()
    assert json.loads(newest.read("responses.json"))["responses"][-1]["id"] == 32
    return "one more"


def run_pull(ws: Workspace, server: FakeLimeSurvey) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "integkit", "pull", MEETING, "--page-size", "10", "-w", str(ws.root)],
        env={**os.environ, **env(server)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


@pytest.fixture
def pulled_once(tmp_path):
    server = StallingServer(password=PASSWORD, key_prefix=KEY_PREFIX).start()
    ws = init_workspace(tmp_path / "ws")
    first = runner.invoke(app, ["pull", MEETING, "--survey-id", SURVEY, "-w", str(ws.root)], env=env(server))
    assert first.exit_code == 0, first.output
    server.add_response(GELINGT="Neu: ein Sprachcafé.")
    yield ws, server, visible(state(ws))
    server.release.set()
    server.stop()


@pytest.mark.parametrize(
    "call", [("get_session_key", 1), ("list_questions", 1), ("export_responses", 1), ("export_responses", 2), ("release_session_key", 1)],
    ids=lambda c: f"{c[0]}-{c[1]}",
)
def test_a_pull_killed_while_waiting_for_the_server_leaves_the_workspace_intact(pulled_once, call):
    ws, server, before = pulled_once
    server.stall(*call)
    process = run_pull(ws, server)
    try:
        assert server.stalled.wait(30), process.communicate(timeout=5)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        server.release.set()
    assert assert_intact_or_one_more(ws, before) == "intact"
    server.stall_on = None
    again = run_pull(ws, server)
    assert again.wait(60) == 0, again.stderr.read().decode()
    assert assert_intact_or_one_more(ws, before) == "one more"


def test_a_pull_killed_after_random_delays_leaves_intact_or_one_more(pulled_once):
    ws, server, before = pulled_once
    outcomes = []
    for delay in (0.3, 0.9, 1.3, 1.6, 1.9, 2.2, 2.6, 3.0):
        process = run_pull(ws, server)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        outcomes.append(assert_intact_or_one_more(ws, before))
        if outcomes[-1] == "one more":
            break
    assert set(outcomes) <= {"intact", "one more"}


def test_a_pull_killed_while_writing_the_snapshot_leaves_only_an_ignored_temporary_folder(pulled_once):
    """SIGKILL between two files of the new snapshot: the temporary folder is never listed, the next pull works."""
    ws, server, before = pulled_once
    code = (
        "import os, signal, sys\n"
        "import integkit.ingest.snapshot as s\n"
        "calls = []\n"
        "real = s.os.fsync\n"
        "def fsync(fd):\n"
        "    real(fd); calls.append(fd)\n"
        "    if len(calls) == 2: os.kill(os.getpid(), signal.SIGKILL)\n"
        "s.os.fsync = fsync\n"
        "from integkit.cli import app\n"
        f"sys.argv = ['integkit', 'pull', {MEETING!r}, '-w', {str(ws.root)!r}]\n"
        "app()\n"
    )
    process = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env(server)}, capture_output=True, timeout=60)
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()[-2000:]
    leftovers = [p for p in ws.snapshots_dir(MEETING).iterdir() if p.name.startswith(".")]
    assert leftovers and all(p.name.startswith(".tmp-") for p in leftovers)
    assert assert_intact_or_one_more(ws, before) == "intact"
    assert len(list_snapshots(ws.snapshots_dir(MEETING))) == 1
    again = run_pull(ws, server)
    assert again.wait(60) == 0, again.stderr.read().decode()
    assert assert_intact_or_one_more(ws, before) == "one more"


# --- 6. a failing report leaves no file -------------------------------------------------------------------
def tiny_template(tmp_path: Path, *cells: str, name: str = "template.ipynb") -> Path:
    template = tmp_path / name
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    notebook.cells = [nbformat.v4.new_code_cell("meeting_id = ''", metadata={"tags": ["parameters"]})]
    notebook.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(notebook, template)
    return template


def test_a_report_failing_in_its_last_step_leaves_no_file_and_keeps_the_previous_one(imported, monkeypatch, tmp_path):
    from integkit.report import render as reports
    from integkit.report.batch import plan_reports

    (planned,) = [j for j in plan_reports(imported, MEETING, formats=("html", "pdf")) if j.kind == "meeting"]
    template = tiny_template(tmp_path, "from IPython.display import HTML\nHTML('<p>Bericht</p>')")
    job = reports.ReportJob(planned.name, planned.title, "meeting", template, planned.out_dir, {"meeting_id": MEETING}, ("html", "pdf"))
    out = imported.report_dir(MEETING)
    out.mkdir(parents=True)
    for suffix in (".html", ".pdf", ".ipynb"):  # the report rendered last time
        (out / f"{job.name}{suffix}").write_bytes(b"previous " + suffix.encode())
    previous = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken_pdf(html, target):
        Path(target).write_bytes(b"%PDF-1.7 half")
        raise RuntimeError("weasyprint crashed")

    monkeypatch.setattr(reports, "to_pdf", broken_pdf)
    with pytest.raises(RuntimeError, match="weasyprint crashed"):
        reports.run_job(job)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == previous  # nothing new, nothing half, no temp folder


def test_a_report_whose_template_fails_leaves_no_file(imported, tmp_path):
    from integkit.report import render as reports

    template = tiny_template(tmp_path, "from IPython.display import HTML\nHTML('<p>erster Teil</p>')", "raise ValueError('kaputt')")
    out = tmp_path / "out"
    job = reports.ReportJob("kaputt", "kaputt", "meeting", template, out, {"meeting_id": MEETING}, ("html", "pdf"))
    with pytest.raises(ReportError, match="ValueError: kaputt"):
        reports.run_job(job)
    assert not any(out.iterdir())


# --- 5. a batch that is killed, hangs, or cannot write (issue 14, points 4, 8 and 9) ----------------------
SMALL = "vt-2027-03"


@pytest.fixture(scope="module")
def small_ws(tmp_path_factory) -> Workspace:
    """A real export cut to two municipalities (Freising 3, Moosburg 1): four jobs for `report --all`."""
    from conftest import recorded_export

    root = tmp_path_factory.mktemp("small")
    ws = init_workspace(root / "ws")
    export = recorded_export(root / "export.csv", ["G01", "G01", "G01", "G02"])
    result = runner.invoke(app, ["import", SMALL, str(export), "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return ws


@pytest.fixture
def small(small_ws, tmp_path) -> Workspace:
    """A copy of the small workspace for one test to break."""
    shutil.copytree(small_ws.root, tmp_path / "ws", symlinks=True)
    return Workspace(tmp_path / "ws")


def processes() -> dict[int, tuple[int, str, str]]:
    """Every process: pid -> (parent pid, state, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), fields[0], command)
    return found


def descendants(pid: int) -> dict[int, str]:
    """The processes below `pid`, with their command lines."""
    table, found, frontier = processes(), {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, _, command) in table.items():
            if ppid == parent and child not in found:
                found[child] = command
                frontier.append(child)
    return found


def still_running(pids, wait: float = 60) -> dict[int, str]:
    """The pids that are still running (zombies count as ended) once they all ended or `wait` seconds passed."""
    deadline = time.monotonic() + wait
    while True:
        table = processes()
        running = {pid: table[pid][2] for pid in pids if pid in table and table[pid][1] != "Z"}
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.2)


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.is_dir() else []


def test_a_killed_batch_leaves_no_worker_or_kernel_and_the_next_run_removes_its_leftovers(small):
    out = small.report_dir(SMALL)
    batch = subprocess.Popen(
        [sys.executable, "-m", "integkit", "report", SMALL, "--all", "--jobs", "2", "-w", str(small.root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # the meeting report takes longest: killed while it renders, its folder is surely left
        wait_until(lambda: any(n.startswith(f".{SMALL}_bericht-") for n in hidden(out)) and "ipykernel" in " ".join(descendants(batch.pid).values()),
                   gave_up=lambda: batch.poll() is not None, why=lambda: "the batch ended before a report was rendering")
        below = descendants(batch.pid)  # two workers, the resource tracker, a kernel or two
    finally:
        batch.send_signal(signal.SIGKILL)
        batch.wait(30)
    assert sum("spawn_main" in c for c in below.values()) == 2 and any("ipykernel" in c for c in below.values())
    assert still_running(below) == {}, "workers or kernels outlived the killed batch"
    left = hidden(out)
    assert any(name.startswith(f".{SMALL}_bericht-") and name.endswith(".rendering") for name in left), left
    workers = [pid for pid, command in below.items() if "spawn_main" in command]

    def kernel_folders() -> list[Path]:
        return [p for pid in workers for p in Path(tempfile.gettempdir()).glob(f"integkit-kernel-{pid}-*")]

    assert kernel_folders(), "the killed workers' kernels had no socket folders"
    again = runner.invoke(app, ["report", SMALL, "--municipality", "Moosburg a.d. Isar", "--jobs", "1", "-w", str(small.root)])
    assert again.exit_code == 0, again.output
    assert hidden(out) == []
    assert kernel_folders() == []


def test_a_cell_that_never_ends_fails_its_report_in_one_line_and_the_next_report_runs(tmp_path):
    from integkit.report.batch import render_batch
    from integkit.report.render import ReportJob

    hang = tiny_template(tmp_path, "import re\nre.match(r'(a+)+$', 'a' * 64 + 'b')  # catastrophic backtracking", name="haengt.ipynb")
    quick = tiny_template(tmp_path, "from IPython.display import HTML\nHTML('<p>fertig</p>')", name="fertig.ipynb")
    out = tmp_path / "out"
    jobs = [ReportJob(t.stem, t.stem, "meeting", t, out, {"meeting_id": MEETING}, timeout=3) for t in (hang, quick)]
    result = render_batch(jobs, workers=1)
    assert [r.name for r in result.rendered] == ["fertig"]  # in a fresh kernel: the hung one was killed
    ((name, error),) = result.failed
    assert name == "haengt" and "\n" not in error
    assert "ran longer than 3 s" in error and "re.match(r'(a+)+$'" in error
    assert "fertig" in (out / "fertig.html").read_text(encoding="utf-8") and not (out / "haengt.html").exists()
    kernels = {pid: c for pid, c in descendants(os.getpid()).items() if "ipykernel" in c}
    assert still_running(kernels) == {}


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets")
def test_a_report_kernel_talks_over_private_unix_sockets_that_no_stray_heartbeat_reaches_and_stopping_it_leaves_nothing():
    # On loopback TCP two processes starting kernels at once could pick the same free port, and one
    # kernel's heartbeat pings then land on the other's control channel: a traceback per ping in the
    # middle of `integkit report`'s output (seen once in CI).
    from integkit.report.kernels import reset_kernel, start_kernel, stop_kernel

    km = start_kernel()
    try:
        folder = Path(km.connection_file).parent
        info = json.loads(Path(km.connection_file).read_text(encoding="utf-8"))
        assert info["transport"] == "ipc" and Path(info["ip"]).parent == folder
        assert folder.stat().st_mode & 0o777 == 0o700  # no other local user can connect
        reset_kernel(km)  # the kernel answers on those sockets
    finally:
        stop_kernel(km)
    assert not folder.exists()


def test_a_temporary_folder_too_deep_for_a_unix_socket_falls_back_to_loopback_tcp(tmp_path, monkeypatch):
    from integkit.report.kernels import SOCKET_PATH_MAX, reset_kernel, start_kernel, stop_kernel

    deep = tmp_path / ("t" * 60) / ("u" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    assert len(str(deep)) > SOCKET_PATH_MAX
    km = start_kernel()
    try:
        assert km.transport == "tcp"
        reset_kernel(km)
    finally:
        stop_kernel(km)
    assert list(deep.iterdir()) == []


# A read-only workspace and a full disk: for real where the machine allows it (a read-only bind mount
# of the workspace, or a small tmpfs filled up as reports/<meeting>/, in a private mount namespace as
# tests/test_disk_faults.py does for `import`); otherwise the failing write is injected at the OS
# calls (mkdir, open) of an in-process run.
REPORT_INSIDE = textwrap.dedent(
    """
    import hashlib, json, os, subprocess, sys
    workspace, meeting, mode = sys.argv[1:4]
    out = os.path.join(workspace, "reports", meeting)
    if mode == "read-only":
        subprocess.run(["mount", "--bind", workspace, workspace], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", workspace, workspace], check=True)
    else:
        saved = {name: open(os.path.join(out, name), "rb").read() for name in os.listdir(out)}
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", out], check=True)
        for name, data in saved.items():
            with open(os.path.join(out, name), "wb") as fh:
                fh.write(data)
        fd = os.open(os.path.join(out, "filler"), os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\\0" * 4096)
        except OSError as exc:
            assert exc.errno == 28
        os.close(fd)

    def state():
        return {
            os.path.relpath(os.path.join(folder, name), workspace): hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest()
            for folder, _, names in os.walk(workspace) for name in names
        }

    before = state()
    done = subprocess.run([sys.executable, "-m", "integkit", "report", meeting, "--all", "--jobs", "1", "-w", workspace], capture_output=True, text=True)
    print(json.dumps({"code": done.returncode, "output": done.stdout + done.stderr, "before": before, "after": state()}))
    """
)


def report_on_broken_disk(ws: Workspace, tmp_path: Path, mode: str, monkeypatch) -> dict:
    """`integkit report --all` with the workspace read-only or reports/<meeting>/ full; what it printed and changed."""
    from test_disk_faults import private_mounts

    if not private_mounts():
        script = tmp_path / "inside.py"
        script.write_text(REPORT_INSIDE, encoding="utf-8")
        done = subprocess.run(
            ["unshare", "-m", sys.executable, str(script), str(ws.root), SMALL, mode],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=600,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    before = {k: v for k, v in state(ws).items()}
    refuse_writes(monkeypatch, ws.root if mode == "read-only" else ws.report_dir(SMALL), 30 if mode == "read-only" else 28)
    result = runner.invoke(app, ["report", SMALL, "--all", "--jobs", "1", "-w", str(ws.root)])
    monkeypatch.undo()
    return {"code": result.exit_code, "output": result.output, "before": before, "after": state(ws)}


def refuse_writes(monkeypatch, root: Path, code: int) -> None:
    """Make every mkdir and every open for writing below `root` fail with errno `code`, in this process."""
    import builtins
    import io

    base = str(root.resolve())

    def check(path) -> None:
        if not isinstance(path, int) and os.path.abspath(os.fsdecode(path)).startswith(base):
            raise OSError(code, os.strerror(code), os.fsdecode(path))

    real_mkdir, real_os_open, real_open = os.mkdir, os.open, builtins.open

    def mkdir(path, *args, **kwargs):
        check(path)
        return real_mkdir(path, *args, **kwargs)

    def os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            check(path)
        return real_os_open(path, flags, *args, **kwargs)

    def open_(file, mode="r", *args, **kwargs):
        if set(mode) & set("wax+"):
            check(file)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)


def failure_lines(output: str) -> list[str]:
    assert "Traceback" not in output, output
    lines = output.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith("report(s) failed:"))
    return lines[start + 1:]


REPORT_NAMES = [f"{SMALL}_bericht", f"{SMALL}_handlungsliste", f"{SMALL}_gemeinde_freising", f"{SMALL}_gemeinde_moosburg-a-d-isar", f"{SMALL} index"]


def test_report_all_on_a_read_only_workspace_names_each_failed_report_in_one_line(small, tmp_path, monkeypatch):
    run = report_on_broken_disk(small, tmp_path, "read-only", monkeypatch)
    assert run["code"] == 1, run["output"]
    lines = failure_lines(run["output"])
    assert len(lines) == len(REPORT_NAMES), run["output"]
    for name, line in zip(REPORT_NAMES, lines):
        assert line.strip().startswith(f"report {name}:" if "index" not in name else name), line
        assert f"{small.report_dir(SMALL)}: cannot write" in line and "the file system is read-only" in line, line
    assert run["after"] == run["before"]


def test_a_full_disk_fails_each_report_and_the_index_in_one_line_and_leaves_nothing_half_written(small, tmp_path, monkeypatch):
    from integkit.report.index import write_index

    write_index(small, SMALL, [])  # the index as it was before
    out = small.report_dir(SMALL)
    run = report_on_broken_disk(small, tmp_path, "full", monkeypatch)
    assert run["code"] == 1, run["output"]
    lines = failure_lines(run["output"])
    assert len(lines) == len(REPORT_NAMES), run["output"]
    for name, line in zip(REPORT_NAMES, lines):
        assert line.strip().startswith(f"report {name}: {out}" if "index" not in name else f"{name}: {out}"), line
        assert "cannot write" in line and "the disk is full" in line, line
    assert run["after"] == run["before"]  # no temporary, no half-written file; index.html and reports.json intact


def test_a_report_whose_codings_changed_after_planning_is_refused_and_writes_nothing(small):
    import pandas as pd

    from integkit.report.batch import plan_reports
    from integkit.report.render import run_job
    from integkit.themes.coding import save_corrections

    (actions,) = [job for job in plan_reports(small, SMALL) if job.kind == "actions"]
    save_corrections(small, SMALL, pd.DataFrame({"response_id": [1], "question_id": ["q_gut"], "themes": ["wohnen"]}))
    with pytest.raises(ReportError, match=rf"the codings \(surveys/{SMALL}/coding.csv\) changed while the batch ran"):
        run_job(actions)
    assert hidden(small.report_dir(SMALL)) == [] and not list(small.report_dir(SMALL).iterdir())
