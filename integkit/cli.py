"""The `integkit` command: a thin layer over the library; every command takes --workspace."""

from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path
from typing import Annotated, Callable, Optional, TypeVar

import typer

from integkit import resources
from integkit.errors import IntegkitError
from integkit.snapshot import list_snapshots
from integkit.workspace import Workspace, init_workspace

# Commands import the heavy modules (pandas, papermill, scikit-learn) when they run, so that
# `integkit --help` and shell completion stay fast.

app = typer.Typer(
    help="Themes, charts and reports from the Vernetzungstreffen survey answers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace folder (default: the current directory).")
]

F = TypeVar("F", bound=Callable)


def friendly_errors(func: F) -> F:
    """Turn an IntegkitError into one line on stderr and its exit code, without a traceback."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except IntegkitError as exc:
            typer.echo(f"integkit: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def _workspace(path: Path) -> Workspace:
    return Workspace(path)


@app.command()
@friendly_errors
def init(directory: Annotated[Path, typer.Argument(help="Folder to make a workspace of.")]) -> None:
    """Create a workspace: standard questionnaire, empty meetings registry, .gitignore."""
    ws = init_workspace(directory)
    typer.echo(f"Workspace ready in {ws.root}")


@app.command("import")
@friendly_errors
def import_(
    meeting: Annotated[str, typer.Argument(help="Meeting id, e.g. vt-2026-11 (registered if new).")],
    file: Annotated[Path, typer.Argument(help="LimeSurvey export (CSV, JSON, XLSX; code headings) or paper-card sheet.")],
    structure: Annotated[
        Optional[Path], typer.Option("--structure", help="The survey's structure export (.lss) for labels.")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Import a response export as an immutable snapshot of MEETING."""
    from integkit.ingest import import_file

    result = import_file(_workspace(workspace), meeting, file, structure)
    for note in result.notes:
        typer.echo(f"integkit: note: {note}", err=True)
    people = result.responses.respondents
    counts = f"{len(people)} responses ({int(people['complete'].sum())} complete, {int((~people['complete']).sum())} incomplete)"
    if result.created:
        typer.echo(f"{meeting}: imported {counts} from {file} as snapshot {result.snapshot.id}")
    else:
        typer.echo(f"{meeting}: {file} is already stored as snapshot {result.snapshot.id}; nothing written")


@app.command()
@friendly_errors
def report(
    meeting: Annotated[str, typer.Argument(help="Meeting id.")],
    snapshot: Annotated[str, typer.Option(help="Snapshot id (prefix) or 'latest'.")] = "latest",
    language: Annotated[str, typer.Option(help="Report language: de or en.")] = "de",
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Render MEETING's report into reports/<meeting>/ (HTML plus the executed notebook)."""
    from integkit.reports import render_meeting_report

    rendered = render_meeting_report(_workspace(workspace), meeting, snapshot, language)
    typer.echo(f"{meeting}: report written to {rendered.html}")


@app.command()
@friendly_errors
def demo(workspace: WorkspaceOpt = resources.demo_workspace()) -> None:
    """Import the bundled demo meetings and render their reports (no server needed)."""
    from integkit.demo import run_demo

    ws = _workspace(workspace)
    for rendered in run_demo(ws):
        typer.echo(f"report: {rendered.html}")
    typer.echo(f"Open the reports in a browser; they are in {ws.reports_dir}")


@app.command()
@friendly_errors
def meetings(workspace: WorkspaceOpt = Path(".")) -> None:
    """List the registered meetings with their snapshot counts."""
    ws = _workspace(workspace)
    for m in ws.meetings().values():
        count = len(list_snapshots(ws.snapshots_dir(m.id)))
        typer.echo(f"{m.id}\t{m.date or ''}\t{count} snapshot(s)\t{m.title}")


@app.command()
@friendly_errors
def snapshots(meeting: Annotated[str, typer.Argument(help="Meeting id.")], workspace: WorkspaceOpt = Path(".")) -> None:
    """List MEETING's snapshots, oldest first (id, time, rows, source, sha256)."""
    ws = _workspace(workspace)
    ws.meeting(meeting)
    for snap in list_snapshots(ws.snapshots_dir(meeting)):
        m = snap.manifest
        source = m.get("source", {})
        typer.echo(f"{snap.id}\t{snap.created_at}\t{m.get('row_count')} rows\t{source.get('kind')}:{source.get('path') or source.get('survey_id', '')}\t{snap.sha256}")


# --- themes (integkit themes ...) -------------------------------------------------------
themes_app = typer.Typer(help="Assign, evaluate and discover themes in free-text answers.", no_args_is_help=True)
app.add_typer(themes_app, name="themes")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
