"""Many reports at once: plan a meeting's reports, render them in parallel, write the index.

`plan_reports` turns a request (meeting, municipalities, formats …) into jobs, with the state
(snapshot, codebook, codings, earlier meetings) resolved once so every report of a batch shows
the same data; it adds the reports the index lists that were made from another state, so that
after a correction one run renews them all. `render_reports` renders jobs in a pool of worker
processes, each keeping one warm kernel, and writes each meeting's index. `integkit report` and
`integkit demo` both go through these two calls.

Report file names are unique per municipality: the readable slug of its name, and where two
names give the same slug ("Neufahrn b. Freising", "Neufahrn b Freising"), each of them gets a
short hash of the exact name as well. Two jobs writing one file are refused before anything runs.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.util
import os
import re
import unicodedata
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from integkit.errors import InputError, IntegkitError, ReportError, ReportTimeoutError
from integkit.report.index import listed_reports, report_key, write_index
from integkit.report.kernels import die_with_parent, kernel_is_alive, reset_kernel, start_kernel, stop_kernel
from integkit.report.outdir import remove_stale_temporaries
from integkit.report.render import (
    DEFAULT_TIMEOUT,
    MEETING_TEMPLATE,
    MUNICIPALITY_TEMPLATE,
    RenderedReport,
    ReportJob,
    run_job,
    template_path,
)
from integkit.report.state import ReportState, resolve_state
from integkit.workspace import Workspace

FORMATS = ("html", "pdf")
LANGUAGES = ("de", "en")
SLUG_LENGTH = 60  # file names stay well below the 255 bytes a file system allows
HASH_LENGTH = 8


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
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")[:SLUG_LENGTH].strip("-") or "gemeinde"


def municipality_slugs(names: Iterable[str]) -> dict[str, str]:
    """A distinct file-name part per municipality name: its slug, plus a hash of the name where slugs collide.

    Deterministic for a given set of names, so a meeting's reports keep their file names.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for name in dict.fromkeys(names):
        groups[slug(name)].append(name)
    parts = {}
    for common, group in groups.items():
        for name in group:
            digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_LENGTH]
            parts[name] = common if len(group) == 1 else f"{common}-{digest}"
    return parts


def known_municipalities(workspace: Workspace, meeting_id: str, snapshot: str | None = None) -> list[str]:
    """The municipalities that answered in a meeting (for --all and to check --municipality)."""
    from integkit.responses import UNKNOWN_MUNICIPALITY, load_responses

    names = load_responses(workspace, meeting_id, snapshot).respondents["municipality"]
    return sorted(set(names) - {UNKNOWN_MUNICIPALITY}, key=str.lower)


def unconfirmed_names(workspace: Workspace, jobs: list[ReportJob]) -> list[str]:
    """A line for each municipality report whose name is no known municipality and no alias the
    office confirmed (a name typed as "other"): such a report is made, but it must say so."""
    from integkit.ingest.municipalities import unconfirmed_municipalities

    notes, checked = [], {}
    for job in jobs:
        name = job.parameters.get("municipality")
        if not name:
            continue
        key = (job.parameters["meeting_id"], job.parameters["snapshot"])
        if key not in checked:
            checked[key] = unconfirmed_municipalities(workspace, *key)
        if name in checked[key]:
            suggestion = checked[key][name]
            notes.append(
                f"{job.parameters['meeting_id']}: {name!r} is no municipality of the questionnaire or the district"
                + (f" (maybe {suggestion})" if suggestion else "")
                + f"; its report is rendered as typed; confirm what it means under 'aliases' in {workspace.surveys_dir / 'municipalities.yaml'}"
            )
    return notes


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
    timeout: int | None = DEFAULT_TIMEOUT,
    renew_listed: bool = True,
) -> list[ReportJob]:
    """The jobs for a meeting report (with its action list) and/or municipality reports of one meeting.

    With `renew_listed`, every report the meeting's index lists that was made from another
    state (snapshot, codebook, codings) is planned again too, with its own language, formats
    and min_group; one whose municipality no longer appears in the data stays listed, marked
    out of date. Unknown formats, languages or municipalities are refused (exit code 2); a
    missing or corrupted snapshot too (exit code 3), before any kernel starts.
    """
    from integkit.analysis.suppression import DEFAULT_MIN_GROUP

    title = workspace.meeting(meeting_id).title or meeting_id
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise InputError(f"unknown report format(s) {', '.join(sorted(unknown)) or '(none)'}; use html and/or pdf")
    if language not in LANGUAGES:
        raise InputError(f"unknown language {language!r}; use de or en")
    state = resolve_state(workspace, meeting_id, snapshot)
    listed = listed_reports(workspace, meeting_id) if renew_listed else {}
    names = list(municipalities or ())
    known: list[str] = []
    if all_municipalities or names or any(e.get("kind") == "municipality" for e in listed.values()):
        known = known_municipalities(workspace, meeting_id, state.snapshot)
    missing = [n for n in names if n not in known]
    if missing:
        raise InputError(f"no respondents from {', '.join(missing)} in {meeting_id} (known: {', '.join(known)})")
    names = known if all_municipalities else names
    slugs = municipality_slugs(known)
    settings = {"formats": formats, "language": language, "min_group": DEFAULT_MIN_GROUP if min_group is None else int(min_group)}
    requests = [("meeting", "", settings), ("actions", "", settings)] if include_meeting else []
    requests += [("municipality", name, settings) for name in names]
    wanted = {(kind, name, settings["language"]) for kind, name, _ in requests}
    for entry in listed.values():
        key = report_key(entry)
        if entry.get("state") == state.digest or key in wanted or "parameters" not in entry:
            continue
        kind, name, entry_language = key
        if kind not in ("meeting", "actions", "municipality") or (kind == "municipality" and name not in slugs):
            continue  # stays listed, marked out of date
        wanted.add(key)
        requests.append((kind, name, {
            "formats": tuple(entry.get("formats") or ("html",)), "language": entry_language,
            "min_group": int(entry["parameters"].get("min_group", DEFAULT_MIN_GROUP)), "renewal": True,
        }))
    return [
        _job(workspace, meeting_id, title, kind, name, slugs.get(name, ""), state, timeout, **options)
        for kind, name, options in requests
    ]


def _job(
    workspace: Workspace, meeting_id: str, title: str, kind: str, municipality: str, part: str, state: ReportState,
    timeout: int | None, formats: tuple[str, ...], language: str, min_group: int, renewal: bool = False,
) -> ReportJob:
    """One planned report: its file name, template and parameters."""
    de = language == "de"
    parameters: dict[str, Any] = {
        "meeting_id": meeting_id, "workspace": str(workspace.root), "snapshot": state.snapshot,
        "language": language, "min_group": min_group,
    }
    out_dir = workspace.report_dir(meeting_id)
    if kind == "meeting":
        return ReportJob(f"{meeting_id}_{'bericht' if de else 'report'}", title, kind, template_path(MEETING_TEMPLATE),
                         out_dir, parameters, formats, language, state, timeout, renewal)
    if kind == "actions":
        return ReportJob(f"{meeting_id}_{'handlungsliste' if de else 'actions'}", title, kind, Path(), out_dir,
                         parameters, (), language, state, timeout, renewal)
    return ReportJob(f"{meeting_id}_{'gemeinde' if de else 'municipality'}_{part}", f"{title}: {municipality}", kind,
                     template_path(MUNICIPALITY_TEMPLATE), out_dir, {**parameters, "municipality": municipality},
                     formats, language, state, timeout, renewal)


def check_distinct_files(jobs: list[ReportJob]) -> None:
    """Refuse a batch in which two jobs would write the same file (before any kernel starts)."""
    seen: dict[tuple[Path, str], ReportJob] = {}
    for job in jobs:
        key = (job.out_dir.resolve(), job.name)
        if key in seen:
            other = seen[key]
            raise ReportError(
                f"reports {other.title!r} and {job.title!r} would both be written to {job.out_dir / job.name}.*; "
                "nothing was rendered"
            )
        seen[key] = job


# --- rendering in worker processes -------------------------------------------------------------
_WORKER_KERNEL: Any = None


def _init_worker(parent_pid: int) -> None:
    """Pool initializer: die with the parent; the kernel starts with the first report and stops at exit."""
    die_with_parent(parent_pid)
    multiprocessing.util.Finalize(None, _stop_worker_kernel, exitpriority=10)


def _stop_worker_kernel() -> None:
    global _WORKER_KERNEL
    if _WORKER_KERNEL is not None:
        stop_kernel(_WORKER_KERNEL)
        _WORKER_KERNEL = None


def _run_in_worker(job: ReportJob) -> RenderedReport:
    """Render one job in this process's warm kernel.

    A cell that timed out may still be running (a C loop ignores interrupts), so its kernel is
    killed; a kernel that died is noticed before the next report. Either way the next report
    gets a fresh kernel.
    """
    global _WORKER_KERNEL
    if job.kind == "actions":
        return run_job(job)
    if _WORKER_KERNEL is not None and not kernel_is_alive(_WORKER_KERNEL):
        _stop_worker_kernel()
    if _WORKER_KERNEL is None:
        _WORKER_KERNEL = start_kernel()
    try:
        reset_kernel(_WORKER_KERNEL)
        return run_job(job, km=_WORKER_KERNEL)
    except (ReportTimeoutError, KeyboardInterrupt):
        _stop_worker_kernel()
        raise


def _error_text(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, IntegkitError) else f"{type(exc).__name__}: {exc}"


def render_batch(
    jobs: list[ReportJob],
    workers: int | None = None,
    on_done: Callable[[str, str | None], None] | None = None,
    on_rendered: Callable[[RenderedReport], None] | None = None,
) -> BatchResult:
    """Render jobs, in parallel worker processes when there are several; a failing report does not stop the others.

    `on_done(name, error)` is called after each job, `on_rendered(report)` after each success.
    Workers and their kernels end when this process ends, also when it is killed.
    """
    check_distinct_files(jobs)
    result = BatchResult()
    if not jobs:
        return result
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))

    def done(job: ReportJob, outcome: Callable[[], RenderedReport]) -> None:
        error = None
        try:
            result.rendered.append(outcome())
        except Exception as exc:  # noqa: BLE001 - listed for the user, others go on
            error = _error_text(exc)
            result.failed.append((job.name, error))
        else:
            if on_rendered:
                on_rendered(result.rendered[-1])
        if on_done:
            on_done(job.name, error)

    if workers == 1:
        try:
            for job in jobs:
                done(job, lambda job=job: _run_in_worker(job))
        finally:
            _stop_worker_kernel()
        return result
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
    ) as pool:
        futures = {pool.submit(_run_in_worker, job): job for job in jobs}
        for future in as_completed(futures):
            done(futures[future], future.result)
    order = {job.name: i for i, job in enumerate(jobs)}
    result.rendered.sort(key=lambda r: order[r.name])
    return result


def render_reports(
    workspace: Workspace,
    jobs: list[ReportJob],
    workers: int | None = None,
    on_done: Callable[[str, str | None], None] | None = None,
) -> BatchResult:
    """Render planned jobs (of one or several meetings) and write each meeting's index page.

    What killed runs left in the report folders is removed first (unless a run is writing
    there). The index is brought up to date after each report, so a killed batch leaves every
    finished report listed; an index that cannot be written is listed among the failures.
    """
    by_meeting: dict[str, list[ReportJob]] = defaultdict(list)
    for job in jobs:
        by_meeting[job.parameters["meeting_id"]].append(job)
    states = {m: next((j.state for j in theirs if j.state is not None), None) for m, theirs in by_meeting.items()}
    for meeting_id in by_meeting:
        remove_stale_temporaries(workspace.report_dir(meeting_id))

    def index(meeting_id: str, rendered: list[RenderedReport]) -> Path:
        return write_index(workspace, meeting_id, rendered, by_meeting[meeting_id][0].language, states[meeting_id])

    def listed(report: RenderedReport) -> None:
        if report.job is not None and report.job.parameters.get("meeting_id") in by_meeting:
            try:
                index(report.job.parameters["meeting_id"], [report])
            except IntegkitError:
                pass  # tried again, and reported, once the batch is done

    result = render_batch(jobs, workers, on_done, on_rendered=listed)
    for meeting_id in by_meeting:
        out_dir = workspace.report_dir(meeting_id)
        mine = [r for r in result.rendered if r.files and r.files[0].parent == out_dir]
        try:
            result.indexes[meeting_id] = index(meeting_id, mine)
        except IntegkitError as exc:
            result.failed.append((f"{meeting_id} index", str(exc)))
    return result

