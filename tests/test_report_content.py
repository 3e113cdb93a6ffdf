"""What a report reader sees, section by section: quotes at the sentence that carries the theme, each answer
once per section, municipality reports that read once, word clouds of distinctive content words in readable
colours, legends beside the data, and HTML built from escaped templates."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from matplotlib.colors import to_rgb

from integkit.analysis import tables
from integkit.analysis.clouds import cloud_words
from integkit.analysis.meeting import for_municipality, load_analysis
from integkit.analysis.quotes import theme_quotes, theme_sentence
from integkit.analysis.redaction import PLACEHOLDERS
from integkit.demo import import_demo
from integkit.report import charts, html, sections
from integkit.workspace import init_workspace

LONG_ANSWER = (
    "Ich schreibe hier mal ausführlicher, weil ich beim Treffen nicht alles sagen konnte. "
    "Unsere Helferkreise sind nach wie vor eine tragende Säule. "
    "Der Wohnungsmarkt ist völlig leer gefegt, anerkannte Familien finden nichts. "
    "Die Sprachkurse der VHS sind voll."
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("content") / "ws")
    import_demo(ws)
    return load_analysis(ws, "demo-2026-11", with_history=False)


def soup(snippet) -> BeautifulSoup:
    return BeautifulSoup(snippet.data, "html.parser")


# --- quotes from the evidence (issue 12 point 5, issue 15 point 2) ----------------------------------
def test_a_quote_is_the_sentence_that_carries_the_theme_not_the_start_of_the_answer():
    assert theme_sentence(LONG_ANSWER, "Wohnungsmarkt→wohnung", "wohnen") == (
        "Der Wohnungsmarkt ist völlig leer gefegt, anerkannte Familien finden nichts.")
    assert theme_sentence(LONG_ANSWER, "Sprachkurse→sprachkurs, VHS→vhs", "sprache") == "Die Sprachkurse der VHS sind voll."
    assert theme_sentence(LONG_ANSWER, "Helferkreise→helferkreis", "ehrenamt").startswith("Unsere Helferkreise")


def test_a_corrected_theme_without_evidence_words_is_found_by_the_theme_engine(demo):
    sentence = theme_sentence(LONG_ANSWER, "korrigiert", "sprache", demo.codebook)
    assert sentence == "Die Sprachkurse der VHS sind voll."


def test_in_the_quote_section_an_answer_stands_for_one_theme_and_each_theme_shows_different_answers(demo):
    quotes = theme_quotes(demo)
    assert not quotes.duplicated(["response_id", "question_id"]).any()
    assert not quotes.duplicated(["theme", "response_id"]).any()
    assert quotes.groupby("theme").size().max() == 3
    answers = demo.responses.answers.set_index(["response_id", "question_id"])["text"]
    for row in quotes.itertuples():
        whole = answers[(row.response_id, row.question_id)]
        assert len(row.quote) <= 280 and (row.quote.rstrip(" …") in whole or "[" in row.quote)
    long_ones = [r for r in quotes.itertuples() if len(answers[(r.response_id, r.question_id)]) > 400]
    assert long_ones and all(len(r.quote) < 280 for r in long_ones)  # the long answer is quoted at its sentence
    small = set(demo.municipalities.rest)
    assert not set(quotes["municipality"].dropna()) & small


def test_the_municipality_report_shows_each_own_answer_once_with_theme_labels_and_highlights(demo):
    local = for_municipality(demo, "Freising")
    page = soup(sections.municipality_answers(local))
    items = page.find_all("li")
    texts = [li.blockquote.get_text() for li in items]
    own = local.responses.answers
    assert len(texts) == len(own) and len(set(texts)) == len(texts)  # every answer, once
    assert [h.get_text() for h in page.find_all("h3")] == [local.responses.question_label(q) for q in local.responses.text_questions()]
    others = demo.responses.answers[~demo.responses.answers["response_id"].isin(own["response_id"])]["text"]
    for text in texts:
        assert not any(text[:50] in other for other in others)
    labelled = [li for li in items if li.find(class_="label")]
    assert len(labelled) >= len(items) // 2 and page.find_all("mark")
    # the highlighted sentence of the long answer is the one about its theme, not the first one
    long = next(li for li in items if "ausführlicher" in li.blockquote.get_text())
    assert "ausführlicher" not in " ".join(m.get_text() for m in long.find_all("mark"))


def test_a_municipality_the_report_may_not_name_gets_a_note_not_its_answers(demo):
    local = for_municipality(demo, "Zolling" if "Zolling" in demo.municipalities.rest else demo.municipalities.rest[0])
    page = soup(sections.municipality_answers(local)).get_text()
    assert "nicht einzeln ausgewiesen" in page or "Weniger als 3" in page
    assert not any(text[:40] in page for text in local.responses.answers["text"])


# --- word clouds (issue 15 point 3) --------------------------------------------------------------------
def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_cloud_colours_and_heat_map_text_have_at_least_4_5_to_1_contrast():
    assert all(contrast(c, charts.CLOUD_BACKGROUND) >= 4.5 for c in charts.CLOUD_COLOURS)
    assert contrast("#F0E442", "#FFFFFF") < 4.5  # the yellow the clouds used before
    for i, colour in enumerate(html.HEAT_COLOURS):
        text = "#ffffff" if i >= html.DARK_FROM else "#1b1b1b"
        assert contrast(colour, text) >= 4.5, colour


def test_clouds_show_distinctive_content_words_never_fillers_or_placeholders(demo):
    answers = demo.responses.answers
    fillers = {"kommen", "seit", "viel", "läuft", "laufen", "gut", "mehr", "jahre", "gibt", "immer"}
    placeholders = {p.strip("[]").lower() for p in PLACEHOLDERS.values()}
    clouds = {}
    for q in demo.responses.text_questions():
        mine = answers["question_id"] == q
        clouds[q] = cloud_words(answers.loc[mine, "text"].tolist(), answers.loc[~mine, "text"].tolist())
        words = {w.lower() for w in clouds[q]}
        assert len(words) >= 10 and not words & fillers, (q, sorted(words & fillers))
    assert "Wohnraum" in clouds["q_ausbau"] and "Wohnraum" not in clouds["q_gut"]
    assert "Ausländerbehörde" in clouds["q_unterstuetzung"]
    personal = ["Frau Anna Huber erreichen Sie unter anna.huber@example.org oder 08161 123456."] * 5
    words = {w.lower() for w in cloud_words(personal + ["Kita Kita Kita"])}
    assert not words & (placeholders | {"anna", "huber", "example"}) and "kita" in words


# --- legends and numbers (issue 15 point 4) -------------------------------------------------------------
def legend_overlaps_data(chart: charts.Chart) -> bool:
    figure = chart.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    legends = [*figure.legends, *(a.get_legend() for a in figure.axes if a.get_legend())]
    boxes = [legend.get_window_extent(renderer) for legend in legends]
    data = [p.get_window_extent(renderer) for ax in figure.axes for p in [*ax.patches, *ax.lines] if p.get_visible()]
    return any(b.overlaps(d) for b in boxes for d in data)


def test_legends_never_cover_bars_or_lines(demo):
    local = for_municipality(demo, "Freising")
    made = [
        charts.participation(demo.responses, "de", 3),
        charts.likert(demo.responses),
        charts.comparison(tables.municipality_vs_district(local, demo), "de", "themes"),
        charts.comparison(tables.ratings_vs_district(local, demo), "de", "ratings"),
    ]
    assert all(c is not None and c.figure.legends for c in made)
    assert not any(legend_overlaps_data(c) for c in made)


def test_every_table_number_is_german(demo):
    text = "".join(getattr(sections, name)(demo).data for name in ("participation", "themes_overall", "ratings", "action_list"))
    cells = [td.get_text(strip=True) for td in BeautifulSoup(text, "html.parser").find_all(["td", "th"])]
    assert not [c for c in cells if re.fullmatch(r"\d+\.\d+", c)]
    assert any(re.fullmatch(r"\d,\d\d?", c) for c in cells)


# --- HTML from templates, escaped ------------------------------------------------------------------------
def test_snippets_escape_answer_text_everywhere():
    hostile = '<script>alert(1)</script>"onload="x'
    built = "".join(part.data for part in (
        html.heading(hostile, translate=False), html.paragraph(hostile), html.note(hostile),
        html.quotes([{"text": hostile, "municipality": hostile, "labels": [hostile]}]),
        html.quotes([{"segments": [{"text": hostile, "mark": True}]}]),
        html.references("x", hostile, [(hostile, "#x")]),
        html.section("s", hostile, html.paragraph(hostile)),
    ))
    page = BeautifulSoup(built, "html.parser")
    assert not page.find_all("script") and not page.find_all(attrs={"onload": True})
    assert page.get_text().count("<script>alert(1)</script>") == 11  # every piece of text, as text
    assert Counter(tag.name for tag in page.find_all(True))["mark"] == 1
