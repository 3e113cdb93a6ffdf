"""Many reports at once: plan a meeting's reports, render them in parallel, write the index.

`plan_reports` turns a request (meeting, municipalities, formats …) into jobs, with the snapshot
resolved once so every report of a batch shows the same data; `render_reports` renders jobs in
a pool of worker processes, each keeping one warm kernel, and writes each meeting's index.
`integkit report` and `integkit demo` both go through these two calls.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from integkit.errors import InputError, IntegkitError
from integkit.report.index import write_index
from integkit.report.render import (
    KERNEL,
    MEETING_TEMPLATE,
    MUNICIPALITY_TEMPLATE,
    RenderedReport,
    ReportJob,
    run_job,
    template_path,
)
from integkit.workspace import Workspace

FORMATS = ("html", "pdf")
LANGUAGES = ("de", "en")


@dataclass
class BatchResult:
    """The reports a batch rendered, the ones that failed (with their error), and each meeting's index."""

    rendered: list[RenderedReport] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    indexes: dict[str, Path] = field(default_factory=dict)


def slug(name: str) -> str:
    """A file-name-safe form of a municipality name ("Hörgertshausen" → "hoergertshausen")."""
    name = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "gemeinde"


def known_municipalities(workspace: Workspace, meeting_id: str, snapshot: str | None = None) -> list[str]:
    """The municipalities that answered in a meeting (for --all and to check --municipality)."""
    from integkit.responses import UNKNOWN_MUNICIPALITY, load_responses

    names = load_responses(workspace, meeting_id, snapshot).respondents["municipality"]
    return sorted(set(names) - {UNKNOWN_MUNICIPALITY}, key=str.lower)


def plan_reports(
    workspace: Workspace,
    meeting_id: str,
    municipalities: Iterable[str] | None = None,
    include_meeting: bool = True,
    snapshot: str | None = None,
    language: str = "de",
    formats: Iterable[str] = ("html",),
    min_group: int | None = None,
    all_municipalities: bool = False,
) -> list[ReportJob]:
    """The jobs for a meeting report (with its action list) and/or municipality reports of one meeting.

    Unknown formats, languages or municipalities are refused (exit code 2); a missing or
    corrupted snapshot too (exit code 3), before any kernel starts.
    """
    from integkit.analysis.suppression import DEFAULT_MIN_GROUP
    from integkit.ingest.snapshot import find_snapshot

    meeting = workspace.meeting(meeting_id)
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise InputError(f"unknown report format(s) {', '.join(sorted(unknown)) or '(none)'}; use html and/or pdf")
    if language not in LANGUAGES:
        raise InputError(f"unknown language {language!r}; use de or en")
    resolved = find_snapshot(workspace.snapshots_dir(meeting_id), snapshot).id
    names = list(municipalities or ())
    if all_municipalities or names:
        known = known_municipalities(workspace, meeting_id, resolved)
        missing = [n for n in names if n not in known]
        if missing:
            raise InputError(f"no respondents from {', '.join(missing)} in {meeting_id} (known: {', '.join(known)})")
        names = known if all_municipalities else names
    base = {
        "meeting_id": meeting_id,
        "workspace": str(workspace.root),
        "snapshot": resolved,
        "language": language,
        "min_group": DEFAULT_MIN_GROUP if min_group is None else int(min_group),
    }
    out_dir = workspace.report_dir(meeting_id)
    title = meeting.title or meeting_id
    de = language == "de"
    jobs = []
    if include_meeting:
        jobs.append(ReportJob(f"{meeting_id}_{'bericht' if de else 'report'}", title, "meeting",
                              template_path(MEETING_TEMPLATE), out_dir, base, formats, language))
        jobs.append(ReportJob(f"{meeting_id}_{'handlungsliste' if de else 'actions'}", title, "actions",
                              Path(), out_dir, base, (), language))
    for name in names:
        jobs.append(ReportJob(f"{meeting_id}_{'gemeinde' if de else 'municipality'}_{slug(name)}", f"{title}: {name}",
                              "municipality", template_path(MUNICIPALITY_TEMPLATE), out_dir,
                              {**base, "municipality": name}, formats, language))
    return jobs


# --- rendering in worker processes -------------------------------------------------------------
_WORKER_KERNEL: Any = None
# The kernel's notice at every start that it talks TCP on loopback without encryption says
# nothing a user can act on; errors still come through.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


def start_kernel() -> Any:
    """A started Jupyter kernel for reports (one per worker, reused for all its reports)."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=KERNEL)
    run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS)
    return km


def stop_kernel(km: Any) -> None:
    from jupyter_core.utils import run_sync

    run_sync(km.shutdown_kernel)(now=True)


def _start_worker_kernel() -> None:
    """Pool initializer: one kernel per worker process, shut down when the worker ends."""
    global _WORKER_KERNEL
    _WORKER_KERNEL = start_kernel()
    multiprocessing.util.Finalize(None, stop_kernel, args=(_WORKER_KERNEL,), exitpriority=10)


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


def _error_text(exc: Exception) -> str:
    return str(exc) if isinstance(exc, IntegkitError) else f"{type(exc).__name__}: {exc}"


def render_batch(
    jobs: list[ReportJob], workers: int | None = None, on_done: Callable[[str, str | None], None] | None = None
) -> BatchResult:
    """Render jobs, in parallel worker processes when there are several; a failing report does not stop the others."""
    result = BatchResult()
    if not jobs:
        return result
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1:
        global _WORKER_KERNEL
        _WORKER_KERNEL = start_kernel() if any(job.kind != "actions" for job in jobs) else None
        try:
            for job in jobs:
                error = None
                try:
                    result.rendered.append(_run_in_worker(job))
                except Exception as exc:  # noqa: BLE001 - listed for the user, others go on
                    error = _error_text(exc)
                    result.failed.append((job.name, error))
                if on_done:
                    on_done(job.name, error)
        finally:
            if _WORKER_KERNEL is not None:
                stop_kernel(_WORKER_KERNEL)
                _WORKER_KERNEL = None
        return result
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker_kernel) as pool:
        futures = {pool.submit(_run_in_worker, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            error = None
            try:
                result.rendered.append(future.result())
            except Exception as exc:  # noqa: BLE001
                error = _error_text(exc)
                result.failed.append((job.name, error))
            if on_done:
                on_done(job.name, error)
    order = {job.name: i for i, job in enumerate(jobs)}
    result.rendered.sort(key=lambda r: order[r.name])
    return result


def render_reports(
    workspace: Workspace,
    jobs: list[ReportJob],
    workers: int | None = None,
    on_done: Callable[[str, str | None], None] | None = None,
) -> BatchResult:
    """Render planned jobs (of one or several meetings) and write each meeting's index page."""
    result = render_batch(jobs, workers, on_done)
    meetings = dict.fromkeys(job.parameters["meeting_id"] for job in jobs)
    for meeting_id in meetings:
        out_dir = workspace.report_dir(meeting_id)
        mine = [r for r in result.rendered if r.files and r.files[0].parent == out_dir]
        language = next(job.language for job in jobs if job.parameters["meeting_id"] == meeting_id)
        result.indexes[meeting_id] = write_index(workspace, meeting_id, mine, language)
    return result
