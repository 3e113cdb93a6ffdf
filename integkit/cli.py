"""The `integkit` command: a thin layer over the library; every command takes --workspace."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from integkit.errors import IntegkitError
from integkit.ingest.snapshot import scan_snapshots
from integkit.report.kernels import DEFAULT_TIMEOUT
from integkit.workspace import Workspace, init_workspace

# Commands import the heavy modules (pandas, papermill, scikit-learn) when they run, so that
# `integkit --help` and shell completion stay fast.

class _Commands(TyperGroup):
    """The command group: the one place where an IntegkitError becomes one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except IntegkitError as exc:
            typer.echo(f"integkit: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Commands,
    help="Themes, charts and reports from the Vernetzungstreffen survey answers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # docstring paragraphs are wrapped to the terminal, not broken where the source breaks
)

WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace folder (default: the current directory).")
]

def _workspace(path: Path) -> Workspace:
    return Workspace(path)


def _counts(respondents) -> str:
    """'31 responses (27 complete, 4 incomplete)' for the messages of import and pull."""
    done = int(respondents["complete"].sum())
    return f"{len(respondents)} responses ({done} complete, {len(respondents) - done} incomplete)"


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder to make a workspace of.")]) -> None:
    """Create a workspace: standard questionnaire, empty meetings registry, .gitignore."""
    ws = init_workspace(directory)
    typer.echo(f"Workspace ready in {ws.root}")


@app.command("import")
def import_(
    meeting: Annotated[str, typer.Argument(help="Meeting id, e.g. vt-2026-11 (registered if new).")],
    file: Annotated[Path, typer.Argument(help="LimeSurvey export (CSV, JSON, XLSX; code headings) or paper-card sheet.")],
    structure: Annotated[
        Optional[Path], typer.Option("--structure", help="The survey's structure export (.lss) for labels.")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Import a response export as an immutable snapshot of MEETING."""
    from integkit.ingest.store import import_file

    result = import_file(_workspace(workspace), meeting, file, structure)
    for note in result.notes:
        typer.echo(f"integkit: note: {note}", err=True)
    counts = _counts(result.responses.respondents)
    if result.created:
        typer.echo(f"{meeting}: imported {counts} from {file} as snapshot {result.snapshot.id}")
    else:
        typer.echo(f"{meeting}: {file} is already stored as snapshot {result.snapshot.id}; nothing written")


def _formats(value: str) -> tuple[str, ...]:
    """--format: a comma-separated choice of html and pdf (a bad value is a usage error, exit 2)."""
    from integkit.report.batch import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    wrong = [f for f in chosen if f not in FORMATS]
    if wrong or not chosen:
        raise typer.BadParameter(f"{', '.join(wrong) or '(none)'}: choose from {', '.join(FORMATS)}, comma-separated")
    return chosen


class Language(str, Enum):
    de = "de"
    en = "en"


def _check_formats(value: str) -> str:
    """--format is checked while the options are parsed, so a bad value is a usage error before anything runs."""
    return ",".join(_formats(value))


FormatOpt = Annotated[str, typer.Option("--format", metavar="[html|pdf],…", callback=_check_formats, help="Comma-separated, from: html, pdf.")]
JobsOpt = Annotated[Optional[int], typer.Option("--jobs", min=1, help="Reports rendered at once (default: one per core).")]
LanguageOpt = Annotated[Language, typer.Option("--language", help="Report language.")]


def _show_batch(result) -> None:
    """Print the files a batch wrote and its index pages; list failures and exit 1 if any."""
    for rendered in result.rendered:
        for path in rendered.files:
            if path.suffix != ".ipynb":
                typer.echo(f"{path}")
    for index in result.indexes.values():
        typer.echo(f"index: {index}")
    if result.failed:
        typer.echo(f"{len(result.failed)} report(s) failed:", err=True)
        for name, error in result.failed:
            typer.echo(f"  {error}" if error.startswith(f"report {name}:") else f"  {name}: {error}", err=True)
        raise typer.Exit(1)


@app.command()
def report(
    meeting: Annotated[str, typer.Argument(help="Meeting id.")],
    all_: Annotated[bool, typer.Option("--all", help="The meeting report plus one report per municipality.")] = False,
    municipality: Annotated[
        Optional[list[str]], typer.Option("--municipality", help="Only this municipality's report (repeatable).")
    ] = None,
    format_: FormatOpt = "html",
    jobs: JobsOpt = None,
    snapshot: Annotated[str, typer.Option(help="Snapshot id (prefix) or 'latest'.")] = "latest",
    language: LanguageOpt = Language.de,
    min_group: Annotated[int, typer.Option("--min-group", min=1, help="Smallest group shown on its own.")] = 3,
    workspace: WorkspaceOpt = Path("."),
    timeout: Annotated[int, typer.Option("--timeout", min=1, help="Seconds one notebook cell may run before its report fails.")] = DEFAULT_TIMEOUT,
) -> None:
    """Render MEETING's reports into reports/<meeting>/ (HTML and/or PDF, plus index.html).

    Without options: the meeting report. Reports the index lists that were made from other
    data, codings or codebook are rendered again with them, so the index shows one state. A
    failing report is listed at the end with its error while the others still finish (exit
    code 1 then).
    """
    from rich.progress import Progress

    from integkit.report.batch import plan_reports, render_reports, unconfirmed_names

    ws = _workspace(workspace)
    planned = plan_reports(
        ws, meeting, municipality, all_ or not municipality, snapshot, language.value, _formats(format_), min_group,
        all_municipalities=all_, timeout=timeout,
    )
    for line in unconfirmed_names(ws, planned):
        typer.echo(f"integkit: note: {line}", err=True)
    renewed = sum(job.renewal for job in planned)
    if renewed:
        typer.echo(f"integkit: note: also rendering {renewed} report(s) the index lists that were made from other data, codings or codebook", err=True)
    with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task(f"{meeting}: rendering", total=len(planned))
        result = render_reports(ws, planned, jobs, on_done=lambda name, error: progress.advance(task))
    _show_batch(result)


@app.command()
def demo(
    format_: FormatOpt = "html",
    jobs: JobsOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Import the bundled demo meetings into the workspace and render all their reports (no server needed)."""
    from integkit.demo import run_demo

    ws = _workspace(workspace)
    result = run_demo(ws, formats=_formats(format_), jobs=jobs)
    for index in result.indexes.values():
        typer.echo(f"reports: {index}")
    typer.echo(f"Open the index pages in a browser; all reports are in {ws.reports_dir}")


@app.command()
def meetings(workspace: WorkspaceOpt = Path(".")) -> None:
    """List the registered meetings with their snapshot counts (a damaged snapshot folder is named on stderr)."""
    ws = _workspace(workspace)
    for m in ws.meetings().values():
        found, damaged = scan_snapshots(ws.snapshots_dir(m.id))
        _warn_damaged(damaged)
        typer.echo(f"{m.id}\t{m.date or ''}\t{len(found)} snapshot(s)\t{m.title}")


def _warn_damaged(damaged) -> None:
    for folder in damaged:
        typer.echo(f"integkit: warning: {folder.message}", err=True)


@app.command()
def snapshots(meeting: Annotated[str, typer.Argument(help="Meeting id.")], workspace: WorkspaceOpt = Path(".")) -> None:
    """List MEETING's snapshots, oldest first (id, time, rows, source, sha256); damaged folders are named on stderr."""
    ws = _workspace(workspace)
    ws.meeting(meeting)
    found, damaged = scan_snapshots(ws.snapshots_dir(meeting))
    _warn_damaged(damaged)
    for snap in found:
        m = snap.manifest
        source = m.get("source", {})
        typer.echo(f"{snap.id}\t{snap.created_at}\t{m.get('row_count')} rows\t{source.get('kind')}:{source.get('path') or source.get('survey_id', '')}\t{snap.sha256}")


# --- LimeSurvey (integkit pull, integkit login) -----------------------------------------
@app.command()
def pull(
    meeting: Annotated[str, typer.Argument(help="Meeting id, e.g. vt-2026-11 (registered if new).")],
    survey_id: Annotated[
        Optional[int], typer.Option("--survey-id", help="LimeSurvey survey id; needed on the first pull only.")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Pull all responses again and report edited ones.")] = False,
    page_size: Annotated[int, typer.Option("--page-size", min=1, help="Responses per export call.")] = 500,
    workspace: WorkspaceOpt = Path("."),
    structure: Annotated[
        Optional[Path], typer.Option("--structure", help="The survey's structure export (.lss) for labels, instead of asking the server.")
    ] = None,
) -> None:
    """Pull MEETING's responses from LimeSurvey into a new snapshot (only new ones unless --full).

    Connection: LIMESURVEY_URL (…/index.php/admin/remotecontrol) and LIMESURVEY_USER from the environment or the workspace's .env; the password from LIMESURVEY_PASSWORD, .env, or the system keyring (`integkit login`). A pull that finds nothing new writes nothing.

    \b
    Exit codes:
    2  bad option, meeting id or workspace;
    10 other LimeSurvey refusal;
    11 URL, user or password not set;
    12 wrong user name or password;
    13 session key rejected again after a new login;
    14 unknown survey id, or no permission;
    15 survey never activated;
    16 RemoteControl interface switched off;
    17 HTTP or server error (e.g. unknown method);
    18 network error or timeout (after 3 tries).
    """
    from integkit.ingest.credentials import DOTENV, dotenv_is_tracked, resolve_connection
    from integkit.ingest.limesurvey import pull as pull_survey

    ws = _workspace(workspace)
    connection = resolve_connection(ws.root)
    if connection.password_source.startswith(DOTENV) and dotenv_is_tracked(ws.root):
        typer.echo(f"integkit: warning: {ws.root / DOTENV} holds a password and is not ignored by git; add it to .gitignore", err=True)
    result = pull_survey(ws, meeting, connection, survey_id=survey_id, full=full, page_size=page_size, structure_path=structure)
    for note in result.notes:
        typer.echo(f"integkit: note: {note}", err=True)
    if result.empty_survey:
        typer.echo(f"integkit: warning: survey {result.survey_id} has no responses yet; the snapshot is empty", err=True)
    if result.edited_ids:
        typer.echo(f"{meeting}: edited on the server since the last pull: response(s) {', '.join(map(str, result.edited_ids))}")
    if result.removed_ids:
        typer.echo(f"{meeting}: no longer on the server: response(s) {', '.join(map(str, result.removed_ids))}")
    counts = _counts(result.ingest.responses.respondents)
    if result.created:
        typer.echo(f"{meeting}: pulled {len(result.new_ids)} new response(s) from survey {result.survey_id}; snapshot {result.snapshot.id} holds {counts}")
    else:
        typer.echo(f"{meeting}: nothing changed on survey {result.survey_id}; latest snapshot {result.snapshot.id} holds {counts}")


@app.command()
def login(
    url: Annotated[Optional[str], typer.Option("--url", help="RemoteControl URL (default: LIMESURVEY_URL).")] = None,
    user: Annotated[Optional[str], typer.Option("--user", help="LimeSurvey user (default: LIMESURVEY_USER).")] = None,
    check: Annotated[bool, typer.Option("--check/--no-check", help="Log in once before storing the password.")] = True,
    forget: Annotated[bool, typer.Option("--forget", help="Remove the stored password instead.")] = False,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Store the LimeSurvey password in the system keyring (asked for with hidden input).

    Exit codes as for `integkit pull`; with --check a wrong password is not stored (exit 12).
    """
    from integkit.ingest.credentials import Connection, forget_password, safe_url, server_and_user, store_password

    url, user = server_and_user(_workspace(workspace).root, url, user)
    if forget:
        removed = forget_password(url, user)
        typer.echo(f"{'Removed' if removed else 'No'} stored password for {user} at {safe_url(url)}")
        return
    password = typer.prompt(f"LimeSurvey password for {user} at {safe_url(url)}", hide_input=True)
    if check:
        from integkit.ingest.limesurvey import RemoteSurvey

        with RemoteSurvey(Connection(url, user, password)):
            pass
    store_password(url, user, password)
    typer.echo(f"Password for {user} at {safe_url(url)} stored in the system keyring; `integkit pull` will use it")


# --- themes (integkit themes ...) -------------------------------------------------------
themes_app = typer.Typer(help="Assign, evaluate and discover themes in free-text answers.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(themes_app, name="themes")

TextColumnOpt = Annotated[str, typer.Option("--text-column", help="Column holding the free-text answers.")]
CodebookOpt = Annotated[
    Optional[Path], typer.Option("--codebook", help="Codebook YAML (default: the workspace's surveys/codebook.yaml, else the built-in one).")
]


def _read_answers(file: Path, *columns: str):
    """The table a theme command works on (CSV or XLSX), with the named columns checked."""
    from integkit.io import read_table, require_column

    table = read_table(file)
    for note in table.notes:
        typer.echo(f"integkit: note: {note}", err=True)
    for column in columns:
        require_column(table.frame, column, file)
    return table


@themes_app.command("assign")
def themes_assign(
    file: Annotated[Path, typer.Argument(help="Answers as CSV (; or ,) or XLSX.")],
    text_column: TextColumnOpt,
    out: Annotated[Path, typer.Option("--out", help="CSV to write: the input plus themes and theme_evidence.")],
    codebook: CodebookOpt = None,
    workspace: WorkspaceOpt = Path("."),
    learn_from: Annotated[Optional[list[Path]], typer.Option("--learn-from", help="Coded answers (CSV/XLSX with the text column and 'themes') to learn from; repeatable.")] = None,
) -> None:
    """Assign codebook themes to each answer and explain which words matched."""
    from integkit.io import write_table
    from integkit.themes.assign import assign_frame
    from integkit.themes.codebook import load_codebook
    from integkit.themes.learn import model_from_files

    book = load_codebook(codebook, workspace)
    table = _read_answers(file, text_column)
    model = model_from_files(learn_from or [], text_column, book)
    df = assign_frame(table.frame, text_column, book, model=model)
    write_table(df, out, like=table)
    covered = int((df["themes"] != "").sum())
    typer.echo(f"{len(df)} answers, {covered} with at least one theme (codebook {book.version}); wrote {out}")


@themes_app.command("evaluate")
def themes_evaluate(
    file: Annotated[Path, typer.Argument(help="Labelled answers as CSV or XLSX.")],
    text_column: TextColumnOpt,
    gold_column: Annotated[str, typer.Option("--gold-column", help="Column with the gold theme ids, ';'-separated.")],
    codebook: CodebookOpt = None,
    errors: Annotated[Optional[Path], typer.Option("--errors", help="CSV to write the false positives and negatives to.")] = None,
    workspace: WorkspaceOpt = Path("."),
    tag_column: Annotated[Optional[str], typer.Option("--tag-column", help="Also show figures per tag: a column of tags in square brackets ('[typo] [long] …') or one value per row (e.g. role).")] = None,
    learn_from: Annotated[Optional[list[Path]], typer.Option("--learn-from", help="Coded answers (CSV/XLSX with the text column and 'themes') to learn from; repeatable.")] = None,
) -> None:
    """Score assignment against gold labels: per-theme precision, recall, F1 and macro-F1.

    Gold themes the codebook lacks are not scored as themes; their answers must get no codebook
    theme they are not about (shown as false positives and in a line per such theme).
    """
    from rich.console import Console
    from rich.table import Table

    from integkit.io import write_csv
    from integkit.themes.codebook import load_codebook
    from integkit.themes.evaluate import evaluate

    from integkit.themes.learn import model_from_files

    book = load_codebook(codebook, workspace)
    df = _read_answers(file, text_column, gold_column, *([tag_column] if tag_column else [])).frame
    model = model_from_files(learn_from or [], text_column, book)
    tags = df[tag_column].tolist() if tag_column else None
    result = evaluate(df[text_column].tolist(), df[gold_column].tolist(), book, tags=tags, model=model)
    table = Table(title=f"{file.name}: {result.n} answers, codebook {book.version}")
    for col in ("theme", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "theme" else "right")
    for row in result.scores.itertuples():
        table.add_row(row.theme, f"{row.precision:.3f}", f"{row.recall:.3f}", f"{row.f1:.3f}", str(row.support))
    table.add_row("macro", f"{result.macro_precision:.3f}", f"{result.macro_recall:.3f}", f"{result.macro_f1:.3f}", "", style="bold")
    console = Console(width=100)
    console.print(table)
    for row in result.outside.itertuples():
        typer.echo(f"{row.theme} (not in the codebook): {row.support} answers, {row.with_other_theme} got a codebook theme they are not about")
    if tag_column:
        by_tag = Table(title=f"per tag ({tag_column})")
        for col in ("tag", "n", "precision", "recall", "F1", "exact"):
            by_tag.add_column(col, justify="left" if col == "tag" else "right")
        for row in result.by_tag.itertuples():
            by_tag.add_row(row.tag, str(row.n), f"{row.macro_precision:.3f}", f"{row.macro_recall:.3f}", f"{row.macro_f1:.3f}", f"{row.exact_share:.2f}")
        console.print(by_tag)
    if errors is not None:
        write_csv(result.errors, errors)
        typer.echo(f"{len(result.errors)} errors written to {errors}")


@themes_app.command("discover")
def themes_discover(
    file: Annotated[Path, typer.Argument(help="Answers as CSV or XLSX.")],
    text_column: TextColumnOpt,
    out: Annotated[Path, typer.Option("--out", help="CSV to write: the input plus a cluster column.")],
    summary: Annotated[Optional[Path], typer.Option("--summary", help="CSV with one row per cluster.")] = None,
    codebook: CodebookOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (results are deterministic per seed).")] = 0,
    n_clusters: Annotated[Optional[int], typer.Option("--clusters", min=1, help="Number of clusters (default: automatic).")] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Cluster what the codebook does not explain and propose new themes.

    The summary has per cluster: cluster, size, top_terms, overlap ('neu' or the codebook theme
    most of its answers have), overlap_share, quote_1..3, label (a proposed German label) and
    signals (the words 'themes accept' would start from).
    """
    from integkit.io import write_csv, write_table
    from integkit.themes.codebook import load_codebook
    from integkit.themes.discover import discover_frame

    book = load_codebook(codebook, workspace)
    answers = _read_answers(file, text_column)
    df, table = discover_frame(answers.frame, text_column, book, n_clusters=n_clusters, seed=seed)
    write_table(df, out, like=answers)
    if summary is not None:
        write_csv(table, summary)
    new = int((table["overlap"] == "neu").sum()) if len(table) else 0
    typer.echo(f"{len(table)} clusters ({new} not in the codebook); wrote {out}" + (f" and {summary}" if summary else ""))


@themes_app.command("accept")
def themes_accept(
    cluster: Annotated[int, typer.Argument(help="Cluster id from the discovery summary.")],
    summary: Annotated[Path, typer.Option("--summary", help="The summary CSV written by 'themes discover'.")],
    theme_id: Annotated[str, typer.Option("--id", help="Id of the new theme, e.g. mobilitaet.")],
    label_de: Annotated[str, typer.Option("--label-de", help="German label.")],
    label_en: Annotated[str, typer.Option("--label-en", help="English label.")] = "",
    workspace: WorkspaceOpt = Path("."),
    signals: Annotated[
        Optional[str], typer.Option("--signals", help="Signal words to write instead of the proposed ones, e.g. 'bus,rufbus,fahrdienst'.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the signal words and the answers the theme would claim; write nothing.")] = False,
    meeting: Annotated[
        Optional[list[str]], typer.Option("--meeting", help="Meeting whose answers the preview counts; repeatable (default: every meeting of the workspace).")
    ] = None,
) -> None:
    """Add a discovered cluster as a theme to the workspace codebook (minor version bump).

    Shows the signal words the theme gets (the cluster's content words that are specific to it;
    replace them with --signals) and, for each meeting of the workspace (or each --meeting), how
    many of its answers the new theme would claim, with examples. With --dry-run nothing is
    written, so words can be tried until the claimed answers are the right ones.
    """
    from integkit.themes.codebook import WORKSPACE_CODEBOOK, save_codebook
    from integkit.themes.proposal import CLAIM_WARNING, claims, parse_signals, propose, workspace_texts

    words = parse_signals(signals) if signals is not None else None
    proposal = propose(cluster, summary, theme_id, label_de, label_en, workspace=workspace, signals=words)
    typer.echo(f"Cluster {cluster} as theme {proposal.theme.id!r} ({proposal.theme.label_de})")
    typer.echo(f"Signal words: {', '.join(proposal.signals)}" + ("" if signals is not None else "  (replace them with --signals a,b,c)"))
    for name, texts in workspace_texts(workspace, meeting).items():
        found = claims(proposal.codebook, proposal.theme.id, texts)
        typer.echo(f"{name}: would claim {found.n_claimed} of {found.n_answers} answers ({found.share:.1%})")
        for row in found.claimed.head(5).itertuples():
            text = " ".join(row.text.split())
            typer.echo(f"  „{text[:90]}{'…' if len(text) > 90 else ''}“ ({row.words})")
        if found.share > CLAIM_WARNING:
            typer.echo(f"integkit: note: {name}: the theme would claim more than {CLAIM_WARNING:.0%} of the answers; check the signal words", err=True)
    if dry_run:
        typer.echo("Dry run: nothing written.")
        return
    path = save_codebook(proposal.codebook, Path(workspace) / WORKSPACE_CODEBOOK)
    typer.echo(f"Added theme {proposal.theme.id!r} to {path} (version {proposal.codebook.version})")


# --- sharing (integkit share, integkit export) -------------------------------------------
@app.command()
def share(
    meeting: Annotated[str, typer.Argument(help="Meeting id.")],
    out: Annotated[
        Optional[Path], typer.Option("--out", help="Folder for the .eml drafts (default: reports/<meeting>/share/).")
    ] = None,
    send: Annotated[bool, typer.Option("--send", help="Also send the messages through SMTP (settings below).")] = False,
    only: Annotated[
        Optional[list[str]],
        typer.Option("--only", help="Only this recipient group: a municipality, or meeting_report (repeatable)."),
    ] = None,
    again: Annotated[bool, typer.Option("--again", help="With --send: send again what the send log lists as sent.")] = False,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Write one e-mail draft (.eml) per recipient group of surveys/recipients.yaml; with --send, send them.

    Each municipality gets its own report (HTML and PDF), the meeting_report addresses the meeting report. Every attachment is checked by its own provenance (integkit-* metadata) before anything is written or sent; one mismatch stops the run (exit code 24).

    Sending: SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_FROM and SMTP_SECURITY (starttls, tls or none) from the environment or the workspace's .env; the password from SMTP_PASSWORD, .env, or the system keyring (`keyring set integkit-smtp USER@HOST`). What was sent is logged in reports/<meeting>/share/sent.jsonl; a second --send sends only what is not logged yet.

    \b
    Exit codes:
    2  bad recipients.yaml, option or reports;
    20 a message or recipient refused, or messages left unsent;
    21 SMTP settings missing or unusable;
    22 login refused;
    23 connection failed or lost;
    24 an attachment does not belong to its recipient (nothing written or sent).
    """
    from rich.console import Console
    from rich.table import Table

    from integkit.errors import MailError
    from integkit.ingest.credentials import DOTENV, dotenv_is_tracked
    from integkit.share.delivery import share_meeting

    if again and not send:
        raise typer.BadParameter("--again goes with --send", param_hint="--again")
    ws = _workspace(workspace)
    result = share_meeting(ws, meeting, out, send, only, again)
    table = Table(title=f"{meeting}: drafts in {result.drafts_dir}" + (f", log {result.log}" if result.log else ""))
    for column in ("group", "recipients", "attachments", "status"):
        table.add_column(column)
    for group in result.groups:
        table.add_row(group.group, "\n".join(group.recipients), "\n".join(group.files) or "-", group.status)
    Console(width=160).print(table)
    if result.password_source.startswith(DOTENV) and dotenv_is_tracked(ws.root):
        typer.echo(f"integkit: warning: {ws.root / DOTENV} holds a password and is not ignored by git; add it to .gitignore", err=True)
    for line in result.failures:
        typer.echo(f"integkit: error: {line}", err=True)
    if result.failures:
        raise typer.Exit(MailError.exit_code)


class ExportFormat(str, Enum):
    qdpx = "qdpx"
    xlsx = "xlsx"


@app.command()
def export(
    meeting: Annotated[str, typer.Argument(help="Meeting id.")],
    format_: Annotated[ExportFormat, typer.Option("--format", help="qdpx: REFI-QDA project; xlsx: a 0/1 column per theme.")],
    out: Annotated[Path, typer.Option("--out", help="File to write (FILE.qdpx or FILE.xlsx).")],
    show_personal_data: Annotated[
        bool, typer.Option("--show-personal-data", help="Keep names, e-mail addresses, phone numbers and addresses in the answers.")
    ] = False,
    snapshot: Annotated[str, typer.Option(help="Snapshot id (prefix) or 'latest'.")] = "latest",
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Export MEETING's answers with their themes (the facilitator's corrections winning) for other tools.

    qdpx: a REFI-QDA project for MAXQDA, ATLAS.ti, NVivo or QualCoder (one text source per answer, a case per municipality, the codebook as codes, a coded selection per theme). xlsx: one row per answer and a 0/1 column per theme, for SPSS or R. Personal data is redacted unless --show-personal-data is given.
    """
    from integkit.share.export import export_meeting

    coded = export_meeting(_workspace(workspace), meeting, format_.value, out, show_personal_data, snapshot)
    codings = sum(len(themes) for themes in coded.answers["themes"])
    redacted = "personal data redacted" if coded.redacted else "personal data NOT redacted"
    typer.echo(f"{meeting}: {len(coded.answers)} answers, {codings} codings ({redacted}); wrote {out}")
