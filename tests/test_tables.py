"""The computed tables behind the reports: stable column ids, the one small-group rule (with a property
test over generated meetings), the series compared by date, and a survey without free text."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings, strategies as st

from integkit import data
from integkit.analysis import tables
from integkit.analysis.meeting import Analysis, for_municipality, load_analysis
from integkit.analysis.quotes import theme_quotes
from integkit.analysis.summary import biggest_change, meeting_summary
from integkit.demo import import_demo
from integkit.ingest.store import import_file
from integkit.report import sections
from integkit.responses import UNKNOWN_MUNICIPALITY, Responses
from integkit.themes.codebook import load_codebook
from integkit.workspace import Meeting, init_workspace


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("tables") / "ws")
    import_demo(ws)
    return ws


@pytest.fixture(scope="module")
def demo(demo_ws):
    return load_analysis(demo_ws, "demo-2026-11")


# --- stable column ids -------------------------------------------------------------------------
def test_every_table_carries_stable_english_column_ids(demo, demo_ws):
    local = for_municipality(demo, "Freising")
    expected = {
        "participation": (tables.participation_by(demo.responses, "municipality", 3), tables.PARTICIPATION_COLUMNS),
        "ratings": (tables.rating_summary(demo.responses), ["item", "n", "valid_pct", "mean"]),
        "themes": (tables.theme_counts(demo), ["theme", "label", "answers", "respondents", "share_pct"]),
        "heat": (tables.theme_by_municipality(demo), ["municipality", "n", "theme", "respondents", "share_pct"]),
        "questions": (tables.theme_by_question(demo), ["theme", "question_id", "respondents"]),
        "actions": (tables.action_list(demo), ["theme", "question_id", "respondents", "municipalities", "others"]),
        "compare": (tables.municipality_vs_district(local, demo), ["theme", "label", "local_pct", "district_pct"]),
        "compare_ratings": (tables.ratings_vs_district(local, demo), ["item", "local_mean", "district_mean"]),
    }
    for name, (frame, columns) in expected.items():
        assert list(frame.columns) == columns, name
        assert all(re.fullmatch(r"[a-z_]+", c) for c in frame.columns), name
    shares = tables.theme_shares_over_time(demo)
    assert list(shares.index) == ["demo-2026-05", "demo-2026-11"] and set(shares.columns) == set(demo.theme_order())
    # the same figures in English: only the words differ
    english = load_analysis(demo_ws, "demo-2026-11", language="en", with_history=False)
    assert tables.theme_counts(english)[["respondents", "share_pct"]].equals(tables.theme_counts(demo)[["respondents", "share_pct"]])
    assert tables.theme_counts(english)["label"].iloc[0] != tables.theme_counts(demo)["label"].iloc[0]


def test_german_tables_print_decimal_commas_and_english_ones_points(demo, demo_ws):
    ratings = tables.rating_summary(demo.responses)
    german = BeautifulSoup(sections.ratings(demo).data, "html.parser")
    cells = [td.get_text() for td in german.find_all("td")]
    mean = ratings["mean"].iloc[0]
    assert f"{mean:.2f}".rstrip("0").replace(".", ",") in cells and not any(re.fullmatch(r"\d+\.\d+", c) for c in cells)
    english = load_analysis(demo_ws, "demo-2026-11", language="en", with_history=False)
    cells = [td.get_text() for td in BeautifulSoup(sections.ratings(english).data, "html.parser").find_all("td")]
    assert f"{mean:.2f}".rstrip("0") in cells and not any(re.fullmatch(r"\d+,\d+", c) for c in cells)


# --- the series by date (issue 13 point 2) -------------------------------------------------------
def test_two_meetings_of_a_series_in_one_month_are_compared_by_date(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    for meeting_id, date, export in (("vt-a", dt.date(2026, 11, 4), "demo-2026-05"), ("vt-b", dt.date(2026, 11, 18), "demo-2026-11")):
        ws.save_meeting(Meeting(meeting_id, title=meeting_id, date=date, series="vernetzungstreffen", source={"kind": "file"}))
        import_file(ws, meeting_id, data.demo_export_path(export))
    analysis = load_analysis(ws, "vt-b")
    assert [a.meeting.id for a in tables.series_meetings(analysis)] == ["vt-a", "vt-b"]
    assert tables.meeting_labels(analysis) == {"vt-a": "04.11.2026", "vt-b": "18.11.2026"}
    assert list(tables.theme_shares_over_time(analysis).index) == ["vt-a", "vt-b"]
    change = biggest_change(analysis)  # labelled by month, both meetings were one row: IndexError
    assert change and change.startswith("Größte Veränderung seit 04.11.2026")
    assert len(meeting_summary(analysis)) == 3


def test_meetings_on_the_same_day_keep_their_own_labels(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    for meeting_id, export in (("vt-a", "demo-2026-05"), ("vt-b", "demo-2026-11")):
        ws.save_meeting(Meeting(meeting_id, title=meeting_id, date=dt.date(2026, 11, 18), source={"kind": "file"}))
        import_file(ws, meeting_id, data.demo_export_path(export))
    analysis = load_analysis(ws, "vt-b")
    assert analysis.history == ()  # not "before" this one: no trend against a meeting of the same day
    a = load_analysis(ws, "vt-a")
    assert tables.meeting_label(a) == "18.11.2026"


# --- a survey with ratings but no free text (issue 13) --------------------------------------------
def without_text(analysis: Analysis) -> Analysis:
    r = analysis.responses
    responses = Responses(r.meeting_id, r.respondents, r.answers.iloc[:0], r.ratings, r.choices,
                          r.questions[r.questions["kind"] != "text"].reset_index(drop=True), r.provenance)
    return Analysis(analysis.meeting, responses, analysis.coded.iloc[:0], analysis.mentions.iloc[:0], analysis.codebook,
                    analysis.language, analysis.min_group)


def test_a_ratings_only_survey_gets_participation_and_ratings_and_says_why_there_is_no_more(demo):
    analysis = without_text(demo)
    assert not analysis.has_text
    page = "".join(getattr(sections, name)(analysis).data for name in (
        "summary", "participation", "themes_overall", "themes_by_municipality", "themes_by_question", "ratings",
        "word_clouds", "theme_quotes", "new_themes", "trends", "action_list", "answers_by_question"))
    soup = BeautifulSoup(page, "html.parser")
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert headings == ["Zusammenfassung", "Teilnahme", "Themen insgesamt", "Einschätzung der Lage", "Entwicklung seit früheren Treffen"]
    assert "Diese Umfrage hat keine offenen Fragen" in soup.get_text()
    assert soup.find("img", alt=re.compile("Gestapelte Balken")) is not None
    local = for_municipality(analysis, "Freising")
    text = BeautifulSoup(sections.municipality_answers(local).data + sections.municipality_comparison(local, analysis).data,
                         "html.parser").get_text()
    assert "keine offenen Fragen" in text and "Mittelwert" in text


# --- one small-group rule: nothing below min_group can be read off (issue 11, issue 14 point 3) -------------
THEMES = ("wohnen", "sprache", "ehrenamt")
TEXTS = {"wohnen": "Wir brauchen Wohnungen.", "sprache": "Mehr Sprachkurse bitte.", "ehrenamt": "Der Helferkreis hilft."}
EVIDENCE = {"wohnen": "Wohnungen→wohnung", "sprache": "Sprachkurse→sprachkurs", "ehrenamt": "Helferkreis→helferkreis"}


def make_analysis(groups: list[tuple[str, str, frozenset, frozenset]], min_group: int) -> Analysis:
    """A meeting from generated respondents: (municipality, role, themes in q_ausbau, themes in q_gut)."""
    people, answers, mentions = [], [], []
    for rid, (municipality, role, ausbau, gut) in enumerate(groups, start=1):
        people.append({"meeting_id": "m", "response_id": rid, "municipality": municipality, "role": role,
                       "submitted_at": "", "complete": rid % 4 != 0, "volunteers": None})
        for question, themes in (("q_ausbau", ausbau), ("q_gut", gut)):
            if not themes:
                continue
            text = " ".join(TEXTS[x] for x in sorted(themes))
            answers.append({"meeting_id": "m", "response_id": rid, "question_id": question, "text": text})
            mentions += [{"meeting_id": "m", "response_id": rid, "question_id": question, "text": text, "theme": x,
                          "evidence": EVIDENCE[x]} for x in sorted(themes)]
    answer_frame = pd.DataFrame(answers, columns=["meeting_id", "response_id", "question_id", "text"])
    coded = answer_frame.assign(themes="", theme_evidence="", coded_by="machine")
    questions = pd.DataFrame([{"question_id": q, "kind": "text", "code": q.upper(), "label": q} for q in ("q_gut", "q_ausbau")])
    responses = Responses("m", pd.DataFrame(people), answer_frame,
                          pd.DataFrame(columns=["meeting_id", "response_id", "item", "value"]),
                          pd.DataFrame(columns=["meeting_id", "response_id", "question_id", "option"]), questions, {})
    mention_frame = pd.DataFrame(mentions, columns=["meeting_id", "response_id", "question_id", "text", "theme", "evidence"])
    return Analysis(Meeting("m", date=dt.date(2026, 1, 1)), responses, coded, mention_frame, load_codebook(), "de", min_group)


def shown_numbers(analysis: Analysis) -> dict:
    """Everything a meeting report and its municipality reports show about groups, from the sections' own tables."""
    named_rows = {}
    for by in ("municipality", "role"):
        table = sections.participation_table(analysis, by)
        raw = tables.participation_by(analysis.responses, by, analysis.min_group)
        named_rows[by] = {g: n for g, n, c in zip(raw["group"], raw["total"], raw["combined"]) if not c}
        named_rows[by + "_combined"] = [n for n, c in zip(raw["total"], raw["combined"]) if c]
        assert len(table) == len(raw)
    heat = tables.theme_by_municipality(analysis)
    quotes = theme_quotes(analysis)
    actions = tables.action_list(analysis)
    local_reports = {}
    for m in set(analysis.respondents["municipality"]) - {UNKNOWN_MUNICIPALITY}:
        local = for_municipality(analysis, m)
        if sections._may_show_local(local):
            local_reports[m] = len(local.respondents)
        else:
            text = sections.municipality_participation(local, analysis).data + sections.municipality_comparison(local, analysis).data
            assert not re.search(r"haben \d+ Personen", text)
    return {
        "total": len(analysis.respondents), **named_rows,
        "heat": dict(zip(heat["municipality"], heat["n"])),
        "named": {*heat["municipality"], *(x for names in actions["municipalities"] for x in names),
                  *(q for q in quotes["municipality"] if isinstance(q, str))},
        "local": local_reports,
    }


people_strategy = st.lists(
    st.tuples(
        st.sampled_from(["Au", "Eching", "Freising", "Zolling", "Marzling", UNKNOWN_MUNICIPALITY]),
        st.sampled_from(["Verwaltung", "Ehrenamt", "Bürgermeister/in", ""]),
        st.frozensets(st.sampled_from(THEMES)),
        st.frozensets(st.sampled_from(THEMES)),
    ),
    min_size=1, max_size=16,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups=people_strategy, min_group=st.integers(2, 4))
def test_no_group_below_min_group_can_be_read_off_directly_or_by_subtraction(groups, min_group):
    analysis = make_analysis(groups, min_group)
    sizes = analysis.respondents["municipality"].value_counts()
    roles = analysis.respondents["role"].value_counts()
    shown = shown_numbers(analysis)
    # directly: every group shown on its own, or named, has at least min_group respondents
    for by, counts in (("municipality", sizes), ("role", roles)):
        assert all(counts[g] >= min_group and n == counts[g] for g, n in shown[by].items()), (by, shown[by])
        assert all(n >= min_group or n == shown["total"] for n in shown[by + "_combined"])  # or the whole meeting
    assert all(sizes[m] >= min_group for m in shown["named"] | set(shown["heat"]) | set(shown["local"]))
    assert UNKNOWN_MUNICIPALITY not in shown["named"]
    # by subtraction: the total minus all groups whose size any output gives is nothing or no small group
    for by, revealed in (("municipality", {**shown["municipality"], **shown["heat"], **shown["local"]}), ("role", shown["role"])):
        remainder = shown["total"] - sum(revealed.values())
        assert remainder == 0 or remainder >= min_group or not revealed, (by, revealed, remainder)
    # a municipality report shows its n and the district's total: what is left is never a small group
    for m, n in shown["local"].items():
        assert shown["total"] - n == 0 or shown["total"] - n >= min_group


def test_issue_14_case_a_three_b_two_shows_neither(demo):
    groups = [("Freising", "Verwaltung", frozenset({"wohnen"}), frozenset())] * 3 + [("Au", "Ehrenamt", frozenset({"wohnen"}), frozenset())] * 2
    analysis = make_analysis(groups, 3)
    assert tables.theme_by_municipality(analysis).empty  # "Freising (n=3)" beside "5 Personen" gave Au = 2
    assert tables.action_list(analysis)["municipalities"].tolist() == [()]
    assert sections.action_list_frame(analysis)["municipalities"].tolist() == ["und weitere"]
    local = for_municipality(analysis, "Freising")
    assert "nicht einzeln ausgewiesen" in sections.municipality_comparison(local, analysis).data
