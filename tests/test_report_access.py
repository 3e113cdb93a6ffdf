"""The demo's reports as their readers get them: a phone and a desktop browser (Debian's chromium via
Playwright), a screen reader's view (axe-core's WCAG 2.0/2.1 A and AA rules), print (the PDF's pages) and
PDF/UA (the tagged structure tree, read with pikepdf, and the pdfua checker).

One render of the demo's autumn meeting (meeting report, Freising, and Wolfersdorf, whose figures are not
shown) in HTML and PDF is shared by the module.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from integkit.demo import import_demo
from integkit.report import charts
from integkit.report.batch import plan_reports, render_reports
from integkit.workspace import init_workspace

MEETING = "demo-2026-11"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE, DESKTOP = 390, 1280

needs_browser = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("access") / "ws")
    import_demo(ws)
    jobs = plan_reports(ws, MEETING, ["Freising", "Wolfersdorf"], formats=("html", "pdf"))
    result = render_reports(ws, jobs, workers=1)
    assert not result.failed, result.failed
    out = ws.report_dir(MEETING)
    return {
        "meeting": out / f"{MEETING}_bericht.html",
        "municipality": out / f"{MEETING}_gemeinde_freising.html",
        "hidden": out / f"{MEETING}_gemeinde_wolfersdorf.html",
        "index": out / "index.html",
    }


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def open_page(browser, path: Path, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)  # CSP would block axe
    page = context.new_page()
    page.goto(path.as_uri())
    return context, page


# --- accessibility ------------------------------------------------------------------------------
@needs_browser
@pytest.mark.parametrize("report", ["meeting", "municipality", "hidden", "index"])
def test_axe_finds_no_wcag_a_or_aa_violation(demo, browser, report):
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci` (package.json) first")
    context, page = open_page(browser, demo[report], DESKTOP)
    try:
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("opts => axe.run(document, opts)", {"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    finally:
        context.close()
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]]
    assert violations == []
    assert len(result["passes"]) >= 8  # the rules ran on a real page (the index page is small)


@pytest.mark.parametrize("report", ["meeting", "municipality", "hidden"])
def test_reports_have_language_title_landmarks_and_alt_text_from_the_data(demo, report):
    soup = BeautifulSoup(demo[report].read_text(encoding="utf-8"), "html.parser")
    if report == "hidden":  # a municipality too small to be shown: notes instead of its figures and answers
        assert "Weniger als 3 Teilnehmende" in soup.get_text() and not soup.find_all("blockquote")
    assert soup.html["lang"] == "de" and soup.title.get_text().strip()
    assert soup.find("main") and soup.find("header") and soup.find("footer")
    assert soup.find_all("section", attrs={"aria-labelledby": True})
    for img in soup.find_all("img"):
        assert len(img["alt"]) > 30 and any(ch.isdigit() for ch in img["alt"]), img["alt"][:80]


def test_heat_map_and_table_cells_link_to_the_answers_they_count(demo):
    soup = BeautifulSoup(demo["meeting"].read_text(encoding="utf-8"), "html.parser")
    assert not soup.find_all("script")
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    heat = soup.find_all("table", class_="heat")
    assert len(heat) == 2
    links = [a["href"] for table in soup.find_all("table") for a in table.find_all("a")]
    assert len(links) > 100 and all(h.startswith("#") and h[1:] in ids for h in links)
    # a heat-map cell (Freising × theme) leads to exactly the answers from Freising on that theme
    cell = next(a for a in heat[0].find_all("a") if a["href"].endswith("-freising"))
    target = soup.find(id=cell["href"][1:])
    answers = [soup.find(id=a["href"][1:]) for a in target.find_all("a")]
    assert answers and all(li.name == "li" and "Freising" in li.find(class_="who").get_text() for li in answers)


# --- any screen ---------------------------------------------------------------------------------
@needs_browser
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("report", ["meeting", "municipality"])
def test_no_sideways_scrolling_and_legible_charts(demo, browser, report, width, tmp_path):
    context, page = open_page(browser, demo[report], width)
    try:
        shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
        scroll = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.src.slice(5, 18), i.getBoundingClientRect().width, i.naturalWidth])"
        )
        boxes = page.evaluate(
            "Array.from(document.querySelectorAll('.table-scroll')).map(b => b.getBoundingClientRect().right)"
        )
    finally:
        context.close()
    assert shot.width == width, f"the page is {shot.width} px wide at a {width} px screen"
    assert scroll[0] <= scroll[1]
    assert all(right <= width + 0.5 for right in boxes)  # wide tables scroll inside their own box
    assert images
    for mime, shown, natural in images:
        if mime.startswith("image/svg"):  # SVG charts: text of MIN_FONT_PT at the drawn size, scaled to the shown one
            smallest = charts.MIN_FONT_PT * 96 / 72 * shown / natural
        else:  # word clouds: the smallest word's share of the cloud's width
            smallest = charts.CLOUD_MIN_FONT_PX / charts.CLOUD_WIDTH * shown
        assert smallest >= 10, (mime, shown, natural)


# --- print and PDF/UA -----------------------------------------------------------------------------
def structure(pdf: pikepdf.Pdf) -> list[tuple[str, set[int], pikepdf.Dictionary]]:
    """The structure elements in reading order: (tag, pages their content is on, element)."""
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    out = []

    def pages_of(node, inherited) -> set[int]:
        own = pages.get(node.Pg.objgen) if "/Pg" in node else inherited
        found = set()
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found |= pages_of(kid, own)
            elif isinstance(kid, pikepdf.Dictionary) and "/Pg" in kid:
                found.add(pages[kid.Pg.objgen])
            elif own is not None:  # a marked-content id on the element's page
                found.add(own)
        return found

    def walk(node, inherited):
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            own = pages.get(node.Pg.objgen) if "/Pg" in node else inherited
            out.append((str(node.S)[1:], pages_of(node, inherited), node))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                walk(kid, own)

    root = pdf.Root.StructTreeRoot
    for kid in (root.K if isinstance(root.K, pikepdf.Array) else [root.K]):
        walk(kid, None)
    return out


@pytest.mark.parametrize("report", ["meeting", "municipality"])
def test_pdf_is_tagged_pdf_ua_with_language_title_bookmarks_and_alt_text(demo, report):
    path = demo[report].with_suffix(".pdf")
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "de" and pdf.Root.MarkInfo.Marked
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1" and xmp.get("dc:title")
        assert str(pdf.docinfo["/Title"]).startswith("Vernetzungstreffen Integration Herbst 2026")
        bookmarks = []
        with pdf.open_outline() as outline:
            stack = list(outline.root)
            while stack:
                item = stack.pop(0)
                bookmarks.append(item.title)
                stack.extend(item.children)
        elements = structure(pdf)
    tags = [tag for tag, _, _ in elements]
    assert "Teilnahme" in bookmarks and len(bookmarks) >= 5
    assert {"H1", "H2", "Table", "TH", "TD", "Figure", "BlockQuote"} <= set(tags)
    figures = [e for tag, _, e in elements if tag == "Figure"]
    assert figures and all(len(str(e.get("/Alt", ""))) > 30 for e in figures)


def test_pdf_ua_checker_finds_no_error(demo):
    from pdfua import validate

    for report in ("meeting", "municipality", "hidden"):
        found = validate(str(demo[report].with_suffix(".pdf")))
        errors = [f for f in found.findings if str(f.severity).lower().endswith("error")]
        assert errors == [], (report, errors[:3])


def test_print_keeps_headings_with_what_follows_and_table_rows_whole(demo):
    with pikepdf.open(demo["meeting"].with_suffix(".pdf")) as pdf:
        elements = structure(pdf)
        assert len(pdf.pages) > 5
    for i, (tag, pages, _) in enumerate(elements):
        if tag in ("H2", "H3"):
            following = next(p for t, p, _ in elements[i + 1:] if t not in ("H2", "H3", "Span", "NonStruct") and p)
            assert min(following) == max(pages), f"{tag} on page {pages}, what follows on {following}"
        if tag == "TR":
            assert len(pages) == 1, f"a table row split across pages {pages}"
