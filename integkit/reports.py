"""Render report templates with papermill into self-contained HTML and PDF, one or many at once.

A report is rendered into a temporary folder and moved into `reports/<meeting>/` only when it
succeeded, so a failed run never leaves half a report behind. A batch (`--all`) runs in a pool
of worker processes, each keeping one warm kernel for all the reports it renders.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import tempfile
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterable

import nbformat
import papermill
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from integkit import resources
from integkit.errors import IntegkitError
from integkit.atomic import atomic_paths, atomic_write
from integkit.workspace import Workspace

MEETING_TEMPLATE = "meeting_report.ipynb"
MUNICIPALITY_TEMPLATE = "municipality_report.ipynb"
FORMATS = ("html", "pdf")
INDEX_DATA = "reports.json"
KERNEL = "python3"
TEMPLATE_NOTE = "template-note"  # cells with this tag explain the template and stay out of the report

PAGE_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 10.5pt; line-height: 1.45;
       color: #1b1b1b; max-width: 60em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.7em; margin-bottom: .2em; } h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.1em; margin-top: 1.2em; }
.facts, .subtitle, .caption { color: #555; }
table { border-collapse: collapse; margin: .6em 0; font-size: .95em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
td { font-variant-numeric: tabular-nums; }
figure { margin: .8em 0; page-break-inside: avoid; } img { max-width: 100%; height: auto; }
ul.quotes { list-style: none; padding-left: 0; }
ul.quotes li { margin: .5em 0; page-break-inside: avoid; }
blockquote { margin: 0; padding: .3em .8em; border-left: 3px solid #0072B2; background: #f5f8fb;
             white-space: normal; overflow-wrap: anywhere; }
.who { font-size: .85em; color: #555; margin-left: .9em; }
footer.provenance { margin-top: 2.5em; font-size: .85em; color: #444; }
.jp-OutputArea-output pre, pre { white-space: pre-wrap; overflow-wrap: anywhere; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
"""


class ReportError(IntegkitError):
    """A report could not be rendered (the message names the report and the failing step)."""

    exit_code = 1


@dataclass(frozen=True)
class ReportJob:
    """One report to render: which template, with which parameters, into which files."""

    name: str
    title: str
    kind: str  # "meeting", "municipality" or "actions"
    template: Path
    out_dir: Path
    parameters: dict[str, Any]
    formats: tuple[str, ...] = ("html",)
    language: str = "de"


@dataclass(frozen=True)
class RenderedReport:
    """Where a rendered report's files are."""

    name: str
    title: str
    kind: str
    files: tuple[Path, ...]

    @property
    def html(self) -> Path:
        return next(p for p in self.files if p.suffix == ".html")

    @property
    def notebook(self) -> Path:
        return next(p for p in self.files if p.suffix == ".ipynb")


@dataclass
class BatchResult:
    """The reports a batch rendered and the ones that failed, with their error."""

    rendered: list[RenderedReport] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    index: Path | None = None


def slug(name: str) -> str:
    """A file-name-safe form of a municipality name ("Hörgertshausen" → "hoergertshausen")."""
    name = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "gemeinde"


def to_html(notebook: nbformat.NotebookNode, title: str, language: str = "de") -> str:
    """A self-contained page: code hidden, figures already embedded as data URIs, no external assets."""
    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={TEMPLATE_NOTE}), enabled=True)
    body, _ = exporter.from_notebook_node(notebook)
    return page(body, title, language)


def page(body: str, title: str, language: str = "de") -> str:
    """Wrap an HTML body in integkit's page: A4 print styles, no scripts, no external resources."""
    return (
        f"<!DOCTYPE html>\n<html lang='{escape(language)}'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n"
        f"<title>{escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def to_pdf(html: str, target: Path) -> None:
    """An A4 PDF of a report page (weasyprint, from the `pdf` extra)."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ReportError(f"PDF output needs the pdf extra (pip install 'integkit[pdf]'): {exc}") from None
    HTML(string=html).write_pdf(target)


# --- one report ------------------------------------------------------------------------------
def run_job(job: ReportJob, km: Any = None) -> RenderedReport:
    """Render one job into its out_dir; files appear only when everything succeeded."""
    if job.kind == "actions":
        return _write_action_list(job)
    job.out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{job.name}-", dir=job.out_dir))
    try:
        executed = tmp / f"{job.name}.ipynb"
        engine_kwargs = {"km": km} if km is not None else {}
        try:
            papermill.execute_notebook(
                str(job.template), str(executed), parameters=job.parameters, kernel_name=KERNEL,
                progress_bar=False, log_output=False, report_mode=True, **engine_kwargs,
            )
        except papermill.PapermillExecutionError as exc:
            raise ReportError(f"report {job.name}: {exc.ename}: {exc.evalue} (template {job.template.name}, cell {exc.exec_count})") from None
        except Exception as exc:  # kernel start-up, missing template, …
            raise ReportError(f"report {job.name}: {type(exc).__name__}: {exc}") from None
        html = to_html(nbformat.read(executed, as_version=4), job.title, job.language)
        produced = [executed]
        if "html" in job.formats:
            produced.append(tmp / f"{job.name}.html")
            produced[-1].write_text(html, encoding="utf-8")
        if "pdf" in job.formats:
            produced.append(tmp / f"{job.name}.pdf")
            to_pdf(html, produced[-1])
        final = []
        for path in produced:
            os.replace(path, job.out_dir / path.name)
            final.append(job.out_dir / path.name)
        return RenderedReport(job.name, job.title, job.kind, tuple(final))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_action_list(job: ReportJob) -> RenderedReport:
    """The meeting's action list as CSV and XLSX beside its report (cells masked for spreadsheets)."""
    from integkit.analysis import load_analysis
    from integkit.csvsafe import write_csv, write_xlsx
    from integkit.tables import action_list

    p = job.parameters
    analysis = load_analysis(p["workspace"], p["meeting_id"], p["snapshot"], p["language"], p["min_group"], with_history=False)
    table = action_list(analysis)
    csv_path, xlsx_path = job.out_dir / f"{job.name}.csv", job.out_dir / f"{job.name}.xlsx"
    with atomic_paths(csv_path, xlsx_path) as (csv_tmp, xlsx_tmp):  # both or neither
        write_csv(table, csv_tmp)
        write_xlsx(table, xlsx_tmp)
    return RenderedReport(job.name, job.title, job.kind, (csv_path, xlsx_path))


# --- planning ----------------------------------------------------------------------------------
def plan_reports(
    workspace: Workspace,
    meeting_id: str,
    municipalities: Iterable[str] | None = None,
    include_meeting: bool = True,
    snapshot: str | None = None,
    language: str = "de",
    formats: Iterable[str] = ("html",),
    min_group: int | None = None,
) -> list[ReportJob]:
    """The jobs for a meeting report and/or municipality reports of one meeting."""
    from integkit.privacy import DEFAULT_MIN_GROUP

    meeting = workspace.meeting(meeting_id)
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise ReportError(f"unknown report format(s) {', '.join(sorted(unknown)) or '(none)'}; use html and/or pdf")
    from integkit.snapshot import find_snapshot

    # a missing or corrupted snapshot is refused here (SnapshotError, exit code 3), before any kernel starts
    find_snapshot(workspace.snapshots_dir(meeting_id), snapshot)
    base = {
        "meeting_id": meeting_id,
        "workspace": str(workspace.root),
        "snapshot": snapshot or "latest",
        "language": language,
        "min_group": DEFAULT_MIN_GROUP if min_group is None else int(min_group),
    }
    out_dir = workspace.report_dir(meeting_id)
    title = meeting.title or meeting_id
    word = "bericht" if language == "de" else "report"
    jobs = []
    if include_meeting:
        jobs.append(ReportJob(f"{meeting_id}_{word}", title, "meeting", resources.notebook_path(MEETING_TEMPLATE), out_dir, base, formats, language))
        action_name = f"{meeting_id}_{'handlungsliste' if language == 'de' else 'actions'}"
        jobs.append(ReportJob(action_name, title, "actions", Path(), out_dir, base, (), language))
    for name in municipalities or ():
        jobs.append(
            ReportJob(
                f"{meeting_id}_{'gemeinde' if language == 'de' else 'municipality'}_{slug(name)}",
                f"{title}: {name}",
                "municipality",
                resources.notebook_path(MUNICIPALITY_TEMPLATE),
                out_dir,
                {**base, "municipality": name},
                formats,
                language,
            )
        )
    return jobs


def known_municipalities(workspace: Workspace, meeting_id: str, snapshot: str | None = None) -> list[str]:
    """The municipalities that answered in a meeting (for --all and to check --municipality)."""
    from integkit.responses import UNKNOWN_MUNICIPALITY, load_responses

    names = load_responses(workspace, meeting_id, snapshot).respondents["municipality"]
    return sorted(set(names) - {UNKNOWN_MUNICIPALITY}, key=str.lower)


# --- many reports ------------------------------------------------------------------------------
_WORKER_KERNEL: Any = None


def _start_worker_kernel() -> None:
    """Pool initializer: one kernel per worker process, shut down when the worker ends."""
    global _WORKER_KERNEL
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=KERNEL)
    run_sync(km.start_kernel)()
    _WORKER_KERNEL = km
    multiprocessing.util.Finalize(None, run_sync(km.shutdown_kernel), kwargs={"now": True}, exitpriority=10)


def _reset_worker_kernel() -> None:
    """Clear the warm kernel's namespace so that no report sees another report's variables."""
    from jupyter_core.utils import run_sync

    async def reset() -> None:
        client = _WORKER_KERNEL.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            await client.execute_interactive("%reset -f", timeout=60, store_history=False)
        finally:
            client.stop_channels()

    run_sync(reset)()


def _run_in_worker(job: ReportJob) -> RenderedReport:
    if job.kind != "actions":
        _reset_worker_kernel()
    return run_job(job, km=_WORKER_KERNEL if job.kind != "actions" else None)


def render_batch(
    jobs: list[ReportJob], workers: int | None = None, on_done: Callable[[str, str | None], None] | None = None
) -> BatchResult:
    """Render jobs in parallel worker processes; a failing report does not stop the others."""
    result = BatchResult()
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1:
        for job in jobs:
            try:
                result.rendered.append(run_job(job))
                error = None
            except Exception as exc:  # noqa: BLE001 - listed for the user, others go on
                error = str(exc) if isinstance(exc, IntegkitError) else f"{type(exc).__name__}: {exc}"
                result.failed.append((job.name, error))
            if on_done:
                on_done(job.name, error)
        return result
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker_kernel) as pool:
        futures = {pool.submit(_run_in_worker, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                result.rendered.append(future.result())
                error = None
            except Exception as exc:  # noqa: BLE001
                error = str(exc) if isinstance(exc, IntegkitError) else f"{type(exc).__name__}: {exc}"
                result.failed.append((job.name, error))
            if on_done:
                on_done(job.name, error)
    order = {job.name: i for i, job in enumerate(jobs)}
    result.rendered.sort(key=lambda r: order[r.name])
    return result


def write_index(workspace: Workspace, meeting_id: str, rendered: list[RenderedReport], language: str = "de") -> Path:
    """reports/<meeting>/index.html linking every report of the meeting rendered so far."""
    out_dir = workspace.report_dir(meeting_id)
    data_path = out_dir / INDEX_DATA
    known: dict[str, dict[str, Any]] = json.loads(data_path.read_text(encoding="utf-8")) if data_path.is_file() else {}
    for report in rendered:
        known[report.name] = {"title": report.title, "kind": report.kind, "files": [p.name for p in report.files]}
    known = {k: v for k, v in known.items() if all((out_dir / f).exists() for f in v["files"])}
    atomic_write(data_path, json.dumps(known, ensure_ascii=False, indent=1).encode("utf-8"))
    meeting = workspace.meeting(meeting_id)
    heading = {"meeting": ("Bericht zum Treffen", "Meeting report"), "actions": ("Handlungsliste", "Action list"),
               "municipality": ("Gemeindeberichte", "Municipality reports")}
    parts = [f"<h1>{escape(meeting.title or meeting_id)}</h1>"]
    for kind in ("meeting", "actions", "municipality"):
        entries = sorted((v for v in known.values() if v["kind"] == kind), key=lambda v: v["title"].lower())
        if not entries:
            continue
        parts.append(f"<h2>{escape(heading[kind][0 if language == 'de' else 1])}</h2><ul>")
        for entry in entries:
            links = " · ".join(f"<a href='{escape(f, quote=True)}'>{escape(Path(f).suffix[1:].upper())}</a>" for f in entry["files"] if not f.endswith(".ipynb"))
            label = entry["title"].removeprefix(f"{meeting.title or meeting_id}: ")  # the heading says the rest
            parts.append(f"<li>{escape(label)}: {links}</li>")
        parts.append("</ul>")
    index = out_dir / "index.html"
    atomic_write(index, page("".join(parts), meeting.title or meeting_id, language).encode("utf-8"))
    return index


def render_meeting_report(
    workspace: Workspace, meeting_id: str, snapshot: str | None = None, language: str = "de", formats: Iterable[str] = ("html",)
) -> RenderedReport:
    """Render only the meeting report of `meeting_id` into reports/<meeting>/."""
    (job,) = [j for j in plan_reports(workspace, meeting_id, None, True, snapshot, language, formats) if j.kind == "meeting"]
    rendered = run_job(job)
    write_index(workspace, meeting_id, [rendered], language)
    return rendered
