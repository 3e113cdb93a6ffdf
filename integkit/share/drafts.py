"""The e-mail for one recipient group: German subject and body, the group's report files attached.

Built with Python's `email` package as a standard MIME message (multipart/mixed: a plain-text
body, then the PDF and the HTML report), so Outlook and Thunderbird open the `.eml` drafts and
any SMTP server takes the sent ones. A draft carries `X-Unsent: 1`, which makes Outlook open it
ready to send; a sent message gets its own Message-ID and Date.
"""

from __future__ import annotations

import datetime as dt
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Iterable

from integkit.io import atomic_write
from integkit.share.plan import Delivery
from integkit.workspace import Meeting

MIME_TYPES = {".pdf": ("application", "pdf"), ".html": ("text", "html")}
ATTACHMENT_ORDER = {".pdf": 0, ".html": 1}  # the PDF first: what most readers open
GREETING = "Mit freundlichen Grüßen"


def _when(meeting: Meeting) -> str:
    """' am 18.11.2026 (Landratsamt Freising)': the meeting's date and place as the body names them."""
    date = f" am {meeting.date.strftime('%d.%m.%Y')}" if isinstance(meeting.date, dt.date) else ""
    place = f" ({meeting.place})" if meeting.place else ""
    return date + place


def subject(meeting: Meeting, delivery: Delivery) -> str:
    """The German subject line: meeting title and date, and whose report it is."""
    date = f" vom {meeting.date.strftime('%d.%m.%Y')}" if isinstance(meeting.date, dt.date) else ""
    whose = "Gesamtbericht" if delivery.kind == "meeting" else f"Bericht für {delivery.group}"
    return f"{meeting.title or meeting.id}{date}: {whose}"


def body(meeting: Meeting, delivery: Delivery, signature: str = "") -> str:
    """The German text of the e-mail."""
    title = f"„{meeting.title or meeting.id}“{_when(meeting)}"
    formats = " und ".join(
        {".pdf": "als PDF zum Lesen und Drucken", ".html": "als HTML-Datei für jeden Browser"}[p.suffix.lower()]
        for p in sorted(delivery.attachments, key=lambda p: ATTACHMENT_ORDER.get(p.suffix.lower(), 9))
    )
    if delivery.kind == "meeting":
        about = (
            f"anbei erhalten Sie den Gesamtbericht zum Treffen {title}. "
            f"Er fasst die Antworten aller teilnehmenden Gemeinden zusammen."
        )
    else:
        about = (
            f"anbei erhalten Sie den Bericht für {delivery.group} zum Treffen {title}. "
            f"Er stellt die Antworten aus {delivery.group} dem Landkreis gegenüber und ist nur für "
            f"{delivery.group} bestimmt; bitte geben Sie ihn nicht an andere Gemeinden weiter."
        )
    return (
        "Sehr geehrte Damen und Herren,\n\n"
        f"{about}\n\n"
        f"Der Bericht ist beigefügt: {formats}.\n\n"
        f"{signature or GREETING}\n"
    )


def build_message(
    meeting: Meeting,
    delivery: Delivery,
    to: Iterable[Address],
    sender: Address | None = None,
    signature: str = "",
    draft: bool = True,
) -> EmailMessage:
    """The message for `delivery`, addressed to `to`: a draft (`X-Unsent: 1`) or one ready to send."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject(meeting, delivery)
    if sender is not None:
        msg["From"] = sender
    msg["To"] = list(to)
    if draft:
        msg["X-Unsent"] = "1"
    else:
        msg["Date"] = format_datetime(dt.datetime.now().astimezone())
        msg["Message-ID"] = make_msgid(domain=sender.domain if sender is not None and sender.domain else None)
    msg.set_content(body(meeting, delivery, signature))
    for path in sorted(delivery.attachments, key=lambda p: ATTACHMENT_ORDER.get(p.suffix.lower(), 9)):
        maintype, subtype = MIME_TYPES[path.suffix.lower()]
        params = {"charset": "utf-8"} if maintype == "text" else {}  # the renderer writes UTF-8 pages
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name, params=params)
    return msg


def draft_name(delivery: Delivery) -> str:
    """The draft's file name: the report's name ("demo-2026-11_gemeinde_freising.eml")."""
    return f"{delivery.report}.eml"


def write_drafts(
    meeting: Meeting, deliveries: Iterable[Delivery], out_dir: Path, sender: Address | None = None, signature: str = ""
) -> dict[str, Path]:
    """One `.eml` draft per group that has a report, each written atomically; the paths by group."""
    written = {}
    for delivery in deliveries:
        if delivery.attachments:
            msg = build_message(meeting, delivery, delivery.recipients, sender, signature, draft=True)
            path = out_dir / draft_name(delivery)
            atomic_write(path, msg.as_bytes())
            written[delivery.group] = path
    return written
