"""What a rendered report says about itself: its kind, meeting, municipality, snapshot, language.

Every report page carries `<meta name="integkit-KEY" content="...">` in its head, and its PDF
keeps the same as custom metadata (WeasyPrint writes the key without the hyphen, as
`/integkitKEY`). Attachments are checked by this, never by their file name, so a file renamed or
copied over another municipality's report is caught.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

KEYS = ("kind", "meeting", "municipality", "snapshot", "language", "version")
META_PREFIX = "integkit-"


class _HeadMeta(HTMLParser):
    """The integkit-* meta tags of a page's head (a tag given twice makes the page ambiguous)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self.twice: set[str] = set()
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        if tag != "meta" or self.in_body:
            return
        values = dict(attrs)
        name = (values.get("name") or "").lower()
        if name.startswith(META_PREFIX):
            key = name.removeprefix(META_PREFIX)
            if key in self.found:
                self.twice.add(key)
            self.found[key] = values.get("content") or ""


def html_provenance(path: Path) -> dict[str, str]:
    """The provenance in a report page's head; {} if it has none or names a key twice."""
    parser = _HeadMeta()
    try:
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return {}
    if parser.twice:
        return {}
    return {k: v for k, v in parser.found.items() if k in KEYS}


def pdf_provenance(path: Path) -> dict[str, str]:
    """The provenance in a report PDF's document information; {} if it has none or is no readable PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        metadata = PdfReader(path).metadata or {}
    except (PyPdfError, OSError, ValueError):
        return {}
    found: dict[str, str] = {}
    for key in KEYS:
        for name in (f"/{META_PREFIX}{key}", f"/{META_PREFIX.rstrip('-')}{key}"):
            if name in metadata:
                found[key] = str(metadata[name])
    return found


def read_provenance(path: Path) -> dict[str, str]:
    """The provenance of a report file (HTML or PDF); {} for any other file or one without provenance."""
    suffix = path.suffix.lower()
    if suffix == ".html":
        return html_provenance(path)
    if suffix == ".pdf":
        return pdf_provenance(path)
    return {}
