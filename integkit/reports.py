"""Render report templates with papermill and turn them into self-contained HTML.

A report is rendered into a temporary folder and moved into `reports/<meeting>/` only when it
succeeded, so a failed run never leaves half a report behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from integkit import resources
from integkit.errors import IntegkitError
from integkit.workspace import Workspace

MEETING_TEMPLATE = "meeting_report.ipynb"
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
class RenderedReport:
    """Where a rendered report's files are."""

    name: str
    html: Path
    notebook: Path


def to_html(notebook: nbformat.NotebookNode, title: str, language: str = "de") -> str:
    """A self-contained page: code hidden, figures already embedded as data URIs, no external assets."""
    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={TEMPLATE_NOTE}), enabled=True)
    body, _ = exporter.from_notebook_node(notebook)
    return (
        f"<!DOCTYPE html>\n<html lang='{escape(language)}'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n"
        f"<title>{escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def render(
    template: Path,
    out_dir: Path,
    name: str,
    parameters: dict[str, Any],
    title: str,
    language: str = "de",
    cwd: Path | None = None,
) -> RenderedReport:
    """Execute a template with papermill and write `<name>.html` and `<name>.ipynb` into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=out_dir))
    try:
        executed = tmp / f"{name}.ipynb"
        try:
            papermill.execute_notebook(
                str(template),
                str(executed),
                parameters=parameters,
                kernel_name=KERNEL,
                cwd=str(cwd) if cwd else None,
                progress_bar=False,
                log_output=False,
                report_mode=True,
            )
        except papermill.PapermillExecutionError as exc:
            raise ReportError(f"report {name}: {exc.ename}: {exc.evalue} (see {template.name}, cell {exc.exec_count})") from None
        except Exception as exc:  # kernel start-up, missing template, …
            raise ReportError(f"report {name}: {type(exc).__name__}: {exc}") from None
        notebook = nbformat.read(executed, as_version=4)
        (tmp / f"{name}.html").write_text(to_html(notebook, title, language), encoding="utf-8")
        final = RenderedReport(name, out_dir / f"{name}.html", out_dir / f"{name}.ipynb")
        for produced, target in ((tmp / f"{name}.ipynb", final.notebook), (tmp / f"{name}.html", final.html)):
            os.replace(produced, target)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def render_meeting_report(
    workspace: Workspace, meeting_id: str, snapshot: str | None = None, language: str = "de"
) -> RenderedReport:
    """Render the meeting report of `meeting_id` into reports/<meeting>/."""
    meeting = workspace.meeting(meeting_id)
    parameters = {
        "meeting_id": meeting_id,
        "workspace": str(workspace.root),
        "snapshot": snapshot or "latest",
        "language": language,
    }
    return render(
        resources.notebook_path(MEETING_TEMPLATE),
        workspace.report_dir(meeting_id),
        name=f"{meeting_id}_bericht" if language == "de" else f"{meeting_id}_report",
        parameters=parameters,
        title=meeting.title or meeting_id,
        language=language,
        cwd=workspace.root,
    )
