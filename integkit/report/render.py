"""Render one report: run its template with papermill, then write self-contained HTML and PDF.

A report is rendered into a temporary folder and moved into `reports/<meeting>/` only when it
succeeded, so a failed run never leaves half a report behind.
"""

from __future__ import annotations

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

from integkit.errors import ReportError
from integkit.io import atomic_paths
from integkit.report.html import page

MEETING_TEMPLATE = "meeting_report.ipynb"
MUNICIPALITY_TEMPLATE = "municipality_report.ipynb"
KERNEL = "python3"
TEMPLATE_NOTE = "template-note"  # cells with this tag explain the template and stay out of the report


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
    """What a report says about itself in its metadata: which meeting, municipality and snapshot."""
    from integkit import __version__

    p = job.parameters
    return {
        "kind": job.kind, "meeting": p["meeting_id"], "municipality": p.get("municipality", ""),
        "snapshot": p["snapshot"], "language": job.language, "version": __version__,
    }


def run_job(job: ReportJob, km: Any = None) -> RenderedReport:
    """Render one job into its out_dir (in kernel `km` if given); files appear only when everything succeeded."""
    if job.kind == "actions":
        return write_action_list(job)
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
        html = to_html(nbformat.read(executed, as_version=4), job.title, job.language, provenance(job))
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
    return RenderedReport(job.name, job.title, job.kind, (csv_path, xlsx_path))
