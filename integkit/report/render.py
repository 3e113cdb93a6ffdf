"""Render one report: run its template with papermill, then write self-contained HTML and PDF.

A report is rendered into a temporary folder and moved into `reports/<meeting>/` only when it
succeeded, so a failed run never leaves half a report behind. Every cell runs with a time limit
(`ReportJob.timeout`): a cell that never ends fails its report with one line. A report planned
with a `ReportState` fails, too, if the codebook, codings or data it reads changed while it ran.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from integkit.errors import ReportError, ReportTimeoutError, StorageError
from integkit.io import WHY_NOT_WRITTEN, atomic_paths, storage_errors
from integkit.report.html import page
from integkit.report.kernels import DEFAULT_TIMEOUT, KERNEL
from integkit.report.outdir import RENDER_SUFFIX, writing
from integkit.report.state import ReportState

MEETING_TEMPLATE = "meeting_report.ipynb"
MUNICIPALITY_TEMPLATE = "municipality_report.ipynb"
TEMPLATE_NOTE = "template-note"  # cells with this tag explain the template and stay out of the report


def _not_our_timeout(record: logging.LogRecord) -> bool:
    """nbclient logs a cell timeout through papermill's logger; run_job reports it in its own one line."""
    return not record.getMessage().startswith("Timeout waiting for execute reply")


logging.getLogger("papermill").addFilter(_not_our_timeout)


def template_path(name: str) -> Path:
    """A report template shipped in the package (`meeting_report.ipynb`, `municipality_report.ipynb`)."""
    return Path(str(files("integkit.report").joinpath("templates", name)))


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
    state: ReportState | None = None  # what the report must be made from (None: not checked)
    timeout: int | None = DEFAULT_TIMEOUT  # seconds per cell (None: no limit)
    renewal: bool = False  # not asked for: listed on the index, but made from another state


@dataclass(frozen=True)
class RenderedReport:
    """Where a rendered report's files are, and what it was made from."""

    name: str
    title: str
    kind: str
    files: tuple[Path, ...]
    job: ReportJob | None = None
    rendered_at: str = ""

    @property
    def html(self) -> Path:
        return next(p for p in self.files if p.suffix == ".html")

    @property
    def notebook(self) -> Path:
        return next(p for p in self.files if p.suffix == ".ipynb")


def to_html(
    notebook: nbformat.NotebookNode, title: str, language: str = "de", provenance: dict[str, str] | None = None
) -> str:
    """A self-contained page: code hidden, figures already embedded as data URIs, no external assets."""
    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={TEMPLATE_NOTE}), enabled=True)
    body, _ = exporter.from_notebook_node(notebook)
    return page(body, title, language, provenance)


def to_pdf(html: str, target: Path) -> None:
    """An A4 PDF of a report page (weasyprint, from the `pdf` extra)."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ReportError(f"PDF output needs the pdf extra (pip install 'integkit[pdf]'): {exc}") from None
    HTML(string=html).write_pdf(target, custom_metadata=True, pdf_variant="pdf/ua-1")  # tagged, for BITV / EN 301 549


def provenance(job: ReportJob) -> dict[str, str]:
    """What a report says about itself in its metadata: meeting, municipality, snapshot, codebook, state."""
    from integkit import __version__

    p = job.parameters
    tags = {
        "kind": job.kind, "meeting": p["meeting_id"], "municipality": p.get("municipality", ""),
        "snapshot": p.get("snapshot", ""), "language": job.language, "version": __version__,
    }
    if job.state is not None:
        tags |= {"codebook": job.state.codebook_version, "state": job.state.digest}
    return tags


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _cell_text(exc: Exception, limit: int = 100) -> str:
    """The cell nbclient shows in a timeout message, on one line."""
    parts = str(exc).split("-------------------\n")
    text = "; ".join(line.strip() for line in (parts[1] if len(parts) > 2 else "?").splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_state(job: ReportJob) -> None:
    """Refuse a report whose inputs changed since the batch was planned (one batch, one state)."""
    from integkit.report.state import resolve_state
    from integkit.workspace import Workspace

    if job.state is None:
        return
    now = resolve_state(Workspace(job.parameters["workspace"]), job.state.meeting_id, job.state.snapshot)
    changes = now.changes_from(job.state)
    if changes:
        raise ReportError(
            f"report {job.name}: {' and '.join(changes)} changed while the batch ran; nothing written for it, "
            f"run `integkit report {job.state.meeting_id}` again"
        )


def run_job(job: ReportJob, km: Any = None) -> RenderedReport:
    """Render one job into its out_dir (in kernel `km` if given); files appear only when everything succeeded.

    A write that fails (disk full, read-only workspace) is a ReportError naming the report and the path.
    """
    if job.parameters.get("snapshot") in ("", "latest"):
        raise ReportError(f"report {job.name}: no resolved snapshot (plan reports with plan_reports)")
    try:
        with storage_errors(job.out_dir), writing(job.out_dir):
            return write_action_list(job) if job.kind == "actions" else _render(job, km)
    except StorageError as exc:
        raise ReportError(f"report {job.name}: {exc}") from None


def _render(job: ReportJob, km: Any) -> RenderedReport:
    from nbclient.exceptions import CellTimeoutError

    tmp = Path(tempfile.mkdtemp(prefix=f".{job.name}-", suffix=RENDER_SUFFIX, dir=job.out_dir))
    try:
        executed = tmp / f"{job.name}.ipynb"
        engine_kwargs = {"km": km} if km is not None else {}
        try:
            papermill.execute_notebook(
                str(job.template), str(executed), parameters=job.parameters, kernel_name=KERNEL,
                progress_bar=False, log_output=False, report_mode=True, execution_timeout=job.timeout,
                **engine_kwargs,
            )
        except papermill.PapermillExecutionError as exc:
            raise ReportError(f"report {job.name}: {exc.ename}: {exc.evalue} (template {job.template.name}, cell {exc.exec_count})") from None
        except CellTimeoutError as exc:
            raise ReportTimeoutError(
                f"report {job.name}: a cell ran longer than {job.timeout} s and was stopped "
                f"(template {job.template.name}: {_cell_text(exc)}); --timeout allows longer"
            ) from None
        except OSError as exc:
            if exc.errno in WHY_NOT_WRITTEN:
                raise  # a write that failed: named by run_job
            raise ReportError(f"report {job.name}: {type(exc).__name__}: {exc}") from None
        except Exception as exc:  # kernel start-up, missing template, …
            raise ReportError(f"report {job.name}: {type(exc).__name__}: {exc}") from None
        html = to_html(nbformat.read(executed, as_version=4), job.title, job.language, provenance(job))
        produced = [executed]
        if "html" in job.formats:
            produced.append(tmp / f"{job.name}.html")
            produced[-1].write_text(html, encoding="utf-8")
        if "pdf" in job.formats:
            produced.append(tmp / f"{job.name}.pdf")
            to_pdf(html, produced[-1])
        check_state(job)
        final = []
        for path in produced:
            os.replace(path, job.out_dir / path.name)
            final.append(job.out_dir / path.name)
        return RenderedReport(job.name, job.title, job.kind, tuple(final), job, _now())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_action_list(job: ReportJob) -> RenderedReport:
    """The meeting's action list as CSV and XLSX beside its report (cells masked for spreadsheets)."""
    from integkit.analysis.meeting import load_analysis
    from integkit.report.sections import action_list_table
    from integkit.io import write_csv, write_xlsx

    p = job.parameters
    analysis = load_analysis(p["workspace"], p["meeting_id"], p["snapshot"], p["language"], p["min_group"], with_history=False)
    table = action_list_table(analysis)
    csv_path, xlsx_path = job.out_dir / f"{job.name}.csv", job.out_dir / f"{job.name}.xlsx"
    with atomic_paths(csv_path, xlsx_path) as (csv_tmp, xlsx_tmp):  # both or neither
        write_csv(table, csv_tmp)
        write_xlsx(table, xlsx_tmp)
        check_state(job)
    return RenderedReport(job.name, job.title, job.kind, (csv_path, xlsx_path), job, _now())
