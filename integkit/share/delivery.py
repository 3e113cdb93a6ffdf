"""`integkit share`: a meeting's reports to their recipients, as `.eml` drafts or sent through SMTP.

`share_meeting` loads the distribution list, plans which files go to which group and checks
every attachment's provenance (a mismatch stops everything), writes one draft per group, and
with `send` delivers what the send log does not list yet. Failures (a refused recipient or
message) are collected as one line each while the others go on; a lost connection ends the run,
and the next `--send` resumes with what is still unsent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path
from typing import Iterable

from integkit.errors import MailConnectionError, MailError
from integkit.share.drafts import build_message, write_drafts
from integkit.share.log import append_entries, delivered, entry, read_log, send_lock, sha256, share_dir, LOG_FILE
from integkit.share.plan import Delivery, plan_deliveries
from integkit.share.recipients import load_recipients
from integkit.share.settings import resolve_smtp, sender_address
from integkit.share.smtp import SmtpSession
from integkit.workspace import Workspace

DRAFTED, NO_REPORT, SENT, PARTLY, ALREADY, CHANGED, FAILED, UNSENT = (
    "draft written", "no report", "sent", "partly sent", "already sent",
    "already sent; the report changed since (--again sends it)", "failed", "not sent",
)


@dataclass
class GroupResult:
    """What happened for one recipient group."""

    group: str
    recipients: tuple[str, ...]
    files: tuple[str, ...]
    draft: Path | None
    status: str
    sent_to: tuple[str, ...] = ()


@dataclass
class ShareResult:
    """Every group's outcome, the failures (one line each), and where the drafts and log are."""

    groups: list[GroupResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    drafts_dir: Path | None = None
    log: Path | None = None
    password_source: str = ""


def _pending(deliveries: Iterable[Delivery], log: Path, again: bool) -> tuple[list[tuple[Delivery, list[Address]]], dict[str, str]]:
    """Per group with a report: the addresses not yet logged (all of them with `again`); and why the others wait."""
    done = {} if again else delivered(read_log(log))
    todo, skipped = [], {}
    for d in deliveries:
        if not d.attachments:
            continue
        to = [a for a in d.recipients if (d.group, a.addr_spec.lower()) not in done]
        if to:
            todo.append((d, to))
        else:
            logged = {tuple(done[(d.group, a.addr_spec.lower())]["sha256"]) for a in d.recipients}
            skipped[d.group] = ALREADY if logged == {tuple(sha256(p) for p in d.attachments)} else CHANGED
    return todo, skipped


def share_meeting(
    workspace: Workspace,
    meeting_id: str,
    out_dir: Path | None = None,
    send: bool = False,
    only: Iterable[str] | None = None,
    again: bool = False,
    environ: Mapping[str, str] | None = None,
) -> ShareResult:
    """Write a draft per recipient group of MEETING, and with `send` deliver what is not yet sent."""
    meeting = workspace.meeting(meeting_id)
    recipients = load_recipients(workspace)
    deliveries = plan_deliveries(workspace, meeting_id, recipients, only)
    settings = resolve_smtp(workspace.root, environ) if send else None
    sender = settings.sender if settings else sender_address(workspace.root, environ)
    result = ShareResult(drafts_dir=out_dir or share_dir(workspace, meeting_id))
    drafts = write_drafts(meeting, deliveries, result.drafts_dir, sender, recipients.signature)
    by_group = {
        d.group: GroupResult(
            d.group, tuple(map(str, d.recipients)), tuple(p.name for p in d.attachments), drafts.get(d.group),
            DRAFTED if d.attachments else NO_REPORT,
        )
        for d in deliveries
    }
    result.groups = list(by_group.values())
    if settings is None:
        return result
    result.password_source = settings.password_source
    result.log = share_dir(workspace, meeting_id) / LOG_FILE
    with send_lock(result.log.parent, meeting_id):
        todo, skipped = _pending(deliveries, result.log, again)
        for group, status in skipped.items():
            by_group[group].status = status
        if not todo:
            return result
        with SmtpSession(settings) as session:
            for number, (d, to) in enumerate(todo):
                msg = build_message(meeting, d, to, settings.sender, recipients.signature, draft=False)
                try:
                    refused = session.send(msg, [a.addr_spec for a in to])
                except MailConnectionError as exc:
                    rest = [g.group for g, _ in todo[number:]]
                    for group in rest:
                        by_group[group].status = UNSENT
                    result.failures.append(
                        f"{exc}; {len(rest)} message(s) not sent ({', '.join(rest)}); "
                        f"run `integkit share {meeting_id} --send` again to send them"
                    )
                    break
                except MailError as exc:
                    by_group[d.group].status = FAILED
                    result.failures.append(f"{d.group}: {exc}")
                    continue
                accepted = [a for a in to if a.addr_spec not in refused]
                append_entries(result.log, [entry(d.group, a.addr_spec, d.attachments, msg["Message-ID"]) for a in accepted])
                by_group[d.group].sent_to = tuple(str(a) for a in accepted)
                by_group[d.group].status = PARTLY if refused else SENT
                result.failures += [f"{d.group}: {addr} refused: {reply}" for addr, reply in refused.items()]
    return result
