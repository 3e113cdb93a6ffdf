"""Theme assignment: folding, compounds, counter-signals, non-answers, frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integkit.themes.assign import assign, assign_frame, explode_themes
from integkit.themes.assign import is_non_answer

FIXTURES = Path(__file__).parent / "fixtures" / "themes"


def themes_of(text: str) -> tuple[str, ...]:
    return assign([text])[0].themes


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("Die angespannte Wohnungsmarktsituation", "wohnen"),
        ("Der Mietmarkt ist leer", "wohnen"),
        ("Deutschlernen ist wichtig", "sprache"),
        ("Unsere Helferkreise sind aktiv", "ehrenamt"),
        ("Kinderbetreuung fehlt", "bildung"),
        ("Zu wenig Betreuungsplätze", "bildung"),
        ("Sprachforderung ausbauen", "sprache"),
        ("Die Behoerde ist ueberlastet", "verwaltung"),
        ("Helfer*innen brauchen Dank", "ehrenamt"),
        ("Helfer:innen brauchen Dank", "ehrenamt"),
        ("HelferInnen brauchen Dank", "ehrenamt"),
        ("Der Beratungsbus kommt", "beratung"),
        ("Der Arbeitskreis Asyl trifft sich", "strukturen"),
        ("Wohnraum ist bei uns kein Problem", "wohnen"),
        ("Wohnugen sind knapp", "wohnen"),  # one typo
        ("Mia brauchadn mehr Wohnunga", "wohnen"),  # Bavarian
        ("Housing is the main issue", "wohnen"),
        ("Die Ausbildungspaten vermitteln gut in Betriebe.", "ehrenamt"),  # X-Paten, not a "Spaten"
        ("Wen ruf ich da eigentlich an?", "strukturen"),  # a contact person without the word
        ("Bei uns weiß die linke Hand nicht, was die rechte tut.", "strukturen"),
        ("D'Kinder brauchan mehra Nachhuif, in da Schui kemmas ned mit.", "bildung"),
        # strukturen in its paraphrases (codebook 2.2.0)
        ("Man wird von einer Stelle zur nächsten weitergereicht.", "strukturen"),
        ("Im Landkreis hat niemand den Überblick.", "strukturen"),
        ("Die Gemeinderäte erfahren alles als Letzte.", "strukturen"),
        ("Das lesen wir dann in der Zeitung.", "strukturen"),
        ("Uns fehlt eine Person, an die man sich wenden kann.", "strukturen"),
        ("Die Gemeinden könnten viel voneinander lernen.", "strukturen"),
        ("Die Bürgermeister im Süden treffen sich jetzt regelmäßig.", "strukturen"),
        # strukturen in its paraphrases (codebook 2.3.0)
        ("Endlich wissen wir, wen wir bei Fragen zur Unterbringung im Landratsamt anrufen sollen.", "strukturen"),
        ("Seit dem Treffen rufe ich dort direkt an.", "strukturen"),
        ("Die Anfragen landen nie bei der richtigen Stelle.", "strukturen"),
        ("Uns würde helfen zu wissen, wer im Amt welche Aufgabe hat.", "strukturen"),
        ("Eine Schulung, was eine Gemeinde bei Integration tun kann.", "strukturen"),
        ("Ein gemeinsamer Terminkalender für alle Helferkreise.", "strukturen"),
        ("The network meetings are useful.", "strukturen"),
        ("Please tell us who took over the job of our contact.", "strukturen"),
        ("It was good to finally put faces to names.", "strukturen"),
        ("Im letzten Kindergartenjahr fehlt die Sprachförderung.", "bildung"),  # HanTa: kind + garten + jahr
        ("De Hausaufgabnbetreuung im Pfarrhof is guad.", "bildung"),
        ("Die Nähgruppe im Pfarrheim ist jede Woche voll.", "begegnung"),  # codebook 2.3.0
        ("Es fehlen Nachmittagsangebote für die Jugendlichen.", "begegnung"),
        ("Swimming lessons for the women would be great.", "begegnung"),
        ("Eine Ehrenamtsbörse für den ganzen Landkreis.", "ehrenamt"),  # ehre + n + amt + s + börse
        ("Die Ehrenamtskoordinatorin im Rathaus fehlt uns.", "ehrenamt"),
        ("Der Kinderflohmarkt im Pfarrheim ist beliebt.", "begegnung"),
        ("Die Paten helfen bei Briefen vom Amt.", "verwaltung"),  # letters from an authority: its notices
        ("Amtliche Schreiben versteht keiner.", "verwaltung"),
        ("Help with letters from the job centre.", "verwaltung"),
        ("Die Familienkasse braucht Monate.", "verwaltung"),
        ("Wenn ein Bewohner verlegt wird, erfahren wir es zuletzt.", "wohnen"),  # Belegung: who lives where
        ("Wer entscheidet eigentlich, wer wohin kommt?", "wohnen"),
        ("Who do I call when a family gets a transfer notice?", "wohnen"),
        ("Die Kosten für den Hausmeister in der Unterkunft übernehmen.", "wohnen"),  # its running, not its place
        ("Ein Austausch der Gemeindeverwaltungen im Landkreis.", "strukturen"),  # exchange between municipalities
        ("Die Ukrainerinnen singen im Kirchenchor mit.", "begegnung"),
        ("Mehr Orte, wo man sich zwanglos über den Weg läuft.", "begegnung"),
        ("Do ratschn de Fraun mitanand.", "begegnung"),
        ("Ein Aufenthaltsraum für die Jugendlichen fehlt.", "begegnung"),
        ("Ein Bolzplatz für alle Kinder im Ort.", "begegnung"),
        ("Mit 17 sind sie zu alt für die Regelklasse.", "bildung"),
        ("Die Anerkennung der Abschlüsse dauert viel zu lang.", "verwaltung"),  # "dauert" folds to "daurt"
        ("Die Arbeitserlaubnis dauert und dauert.", "verwaltung"),
    ],
)
def test_signal_reaches_theme(text: str, theme: str) -> None:
    assert theme in themes_of(text)


@pytest.mark.parametrize(
    ("text", "not_theme"),
    [
        ("Der Beratungsbus kommt jeden Dienstag", "arbeit"),
        ("Handarbeiten mit Frauen im Pfarrheim", "arbeit"),
        ("Der Arbeitskreis Asyl trifft sich", "arbeit"),
        ("In der Unterkunft findet ein Deutschkurs statt", "wohnen"),
        ("Die ehrenamtliche Arbeit der Helferkreise ist eine Säule", "arbeit"),
        ("Integrationsarbeit und Jugendarbeit laufen", "arbeit"),
        ("Beratung zu Kindergeld und Elterngeld", "finanzierung"),
        ("Das Ehrenamt ist stark", "verwaltung"),
        ("Frau M. ist die gute Seele unseres Begegnungscafés.", "gesundheit"),  # figures of speech
        ("Das Beispiel hat Schule gemacht.", "bildung"),
        ("Das Thema können wir zu den Akten legen.", "verwaltung"),
        ("Man hört nichts vom Landratsamt.", "bildung"),  # "hört" folds to "hort"
        ("Die Lehrer sind sehr engagiert.", "ehrenamt"),  # committed staff are no volunteers
        ("Die neue Unterkunft an der Schulstraße ist fertig.", "bildung"),  # a street name
        ("In den Schulferien fällt der Sprachkurs aus.", "bildung"),  # a time
        ("Der Sportverein trainiert in der Turnhalle der Mittelschule.", "bildung"),  # a room of the school
        ("Beim Nachbarschaftsfest braucht es keine Behörde.", "verwaltung"),
        ("Die Helferin weiß Bescheid, wenn es brennt.", "verwaltung"),  # to know, not a notice
        ("Ohne Absprache machen wir doppelte Arbeit.", "arbeit"),  # a figure of speech
        ("Seit der Rente engagiert sie sich im Helferkreis.", "wohnen"),  # Rente is no English "rent"
        ("Beim Krippenspiel machen alle Kinder mit.", "bildung"),
        ("Die Post vom Landratsamt an die Gemeinden kommt spät.", "verwaltung"),  # the flow of information
        ("Der Deutschkurs wurde ins Pfarrheim verlegt.", "wohnen"),  # a course moved, not people
        ("Der Deutschkurs findet im Aufenthaltsraum statt.", "begegnung"),  # a room as the setting
        ("Ein Ratschlag vom Landratsamt wäre gut.", "begegnung"),
        ("Our school took in 40 Ukrainian kids last year.", "sprache"),  # who the people are (case 4)
        ("Mental health support for the Ukrainian women.", "sprache"),
        ("Der Zahnarzt behandelt Leute mit Duldung nur im Notfall.", "verwaltung"),  # describes the people
        ("Appointments at the immigration office can only be booked online.", "verwaltung"),  # digital access
    ],
)
def test_counter_signal_blocks_other_sense(text: str, not_theme: str) -> None:
    assert not_theme not in themes_of(text)


def test_counter_signal_examples_still_get_their_own_theme() -> None:
    assert themes_of("Handarbeiten mit Frauen im Pfarrheim") == ("begegnung",)
    assert "sprache" in themes_of("In der Unterkunft findet ein Deutschkurs statt")
    assert themes_of("Die Unterkunft ist in einem schlechten Zustand") == ("wohnen",)


@pytest.mark.parametrize("text", ["k. A.", "k.A.", "-", "weiß nicht", "nichts", "keine Angabe", "siehe oben", "", "  ", "s.o."])
def test_non_answers_get_no_theme(text: str) -> None:
    assert is_non_answer(text)
    assert themes_of(text) == ()


def test_multi_label_and_evidence_text() -> None:
    a = assign(["Wohnungsmarkt angespannt, mehr Sprachkurse nötig"])[0]
    assert a.themes == ("wohnen", "sprache")
    assert a.evidence_text().startswith("wohnen: Wohnungsmarkt→")
    assert "sprache: Sprachkurse→" in a.evidence_text()


def test_identical_texts_share_result_and_none_is_empty() -> None:
    res = assign(["Mehr Wohnungen", "Mehr Wohnungen", None])  # type: ignore[list-item]
    assert res[0] is res[1] and res[2].themes == ()


def test_assign_frame_and_explode() -> None:
    df = pd.DataFrame(
        {"meeting_id": ["m1"] * 3, "response_id": [1, 2, 3], "question_id": ["q_gut"] * 3,
         "text": ["Wohnungen und Sprachkurse fehlen", "k. A.", "Der Helferkreis ist super"]}
    )
    out = assign_frame(df)
    assert list(out.columns) == [*df.columns, "themes", "theme_evidence"]
    assert out["themes"].tolist() == ["wohnen;sprache", "", "ehrenamt"]
    long = explode_themes(out)
    assert long[["response_id", "theme"]].values.tolist() == [[1, "wohnen"], [1, "sprache"], [3, "ehrenamt"]]
    assert long.loc[0, "evidence"].startswith("Wohnungen→")
    assert {"meeting_id", "question_id", "text"} <= set(long.columns)


@pytest.mark.parametrize("phrase", ["Kann ich nicht beurteilen.", "k. A.", "nichts hinzuzufügen", "weiß ich nicht", "siehe oben"])
def test_a_non_answer_phrase_with_content_is_an_answer(phrase: str) -> None:
    # the non-answer rule covers whole answers only: the same words before real content count nothing
    assert is_non_answer(phrase) and themes_of(phrase) == ()
    assert not is_non_answer(f"{phrase} Wohnungen fehlen")
    assert themes_of(f"{phrase} Wohnungen fehlen") == ("wohnen",)


def test_signal_choice_does_not_depend_on_set_order() -> None:
    # Two signals of one theme in one word: the choice used to follow (hash-seeded) set order.
    a = assign(["Die Obdachlosenunterkunft ist voll"])[0]
    assert a.evidence == (("wohnen", "Obdachlosenunterkunft", "obdachlos"),)


# Words that reach one-word patterns, counter words, phrases and multi-word patterns, gender
# forms, digraphs and a stop word, joined by the spaces, punctuation and marks tokens split on.
_WORDS = [
    "Wohnung", "wohnungen", "Unterkunft", "in", "der", "Arbeit", "gute", "Helfer*innen", "HelferInnen", "Handarbeiten",
    "Arbeitskreis", "mehr", "Geld", "sich", "treffen", "kennenlernen", "deutsch", "lernen", "Behörde", "Behoerde",
    "Sprachförderung", "Beratungsbus", "feste", "Stelle", "Anerkennung", "Abschlüsse", "work", "permit", "nichts",
    "k.", "A.", "Wohnraum", "kein", "Problem", "Kita", "Kinderbetreuung", "Mietmarkt", "Ehrenamtliche*r", "ﷺ", "B1",
    "Schulsozialarbeit", "psychisch", "Fahrtkosten", "Vernetzung",
]
_SEPS = [" ", "  ", "\n", ", ", ". ", "-", "/", "*", ":", "_", "\t", "\u00a0", ""]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPS)), max_size=12))
def test_one_word_patterns_run_per_word_match_as_on_the_text(parts: list[tuple[str, str]]) -> None:
    # The matcher runs a pattern that cannot reach past a word once per distinct word; on the
    # answer's folded text it must find exactly the words it finds one by one.
    import regex

    from integkit.text import normalize as T
    from integkit.themes.assign import _is_word_level
    from integkit.themes.codebook import load_codebook

    text = "".join(w + sep for w, sep in parts)
    folded = [T.fold(t) for t in T.tokens(text)]
    ftext = " ".join(folded)
    patterns = [p for th in load_codebook().themes for p in (*th.signals.patterns, *th.counter_signals.patterns)]
    word_level = [p for p in patterns if _is_word_level(p)]
    assert len(word_level) >= 10 and len(word_level) < len(patterns)  # both kinds occur in the codebook
    for pattern in word_level:
        rx = regex.compile(pattern)
        per_word = [m.group(0) for f in folded for m in rx.finditer(f)]
        assert [m.group(0) for m in rx.finditer(ftext)] == per_word, pattern


@pytest.mark.parametrize(
    ("pattern", "word_level"),
    [(r"\bsprach\w*", True), (r"\b(a|b|c)[12]\b", True), (r"\bmehr geld\b", False), (r"\bsich\s+treffen", False),
     (r"kurs$", False), (r"\w+\W\w+", False), (r"wohn.ng", False), (r"z\.b", True), (r"(?<=neue )wohnung", False), (r"[^x]+", False)],
)
def test_word_level_patterns_are_told_apart(pattern: str, word_level: bool) -> None:
    from integkit.themes.assign import _is_word_level

    assert _is_word_level(pattern) is word_level


# --- context: THEMES.md's cases where a keyword alone is not enough -------------------------------


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        # case 1: a place word after a preposition of place is the setting when its clause is about another theme
        ("Das Sprachcafé findet in der Turnhalle der Grundschule statt.", ("sprache",)),
        ("Die Impfaktion fand in der Mittelschule statt.", ("gesundheit",)),
        ("Die Kinder sind in der Schule gut angekommen.", ("bildung",)),  # nothing else: the school is the point
        ("Sozialarbeit an der Mittelschule ist unverzichtbar.", ("bildung", "beratung")),  # "an": where a service belongs
        ("Sprachförderung in den Kitas ausbauen", ("sprache", "bildung")),  # the institutions, not one building
        ("WLAN in der Wohnung fehlt.", ()),  # a topic the codebook lacks makes the place the setting too
        # case 5: only the destination of a trip
        ("Ehrenamtliche fahren die Familien zum Arzt und zur Ausländerbehörde.", ("ehrenamt",)),
        ("Fahrdienste zu Ärzten und Behörden fehlen komplett.", ()),
        ("Mit dem Bürgerbus kommen die Frauen jetzt zum Deutschkurs.", ()),  # a compound bus too
        ("Der Rufbus fährt zum Bahnhof, mit Ehrenamtlichen als Fahrern.", ("ehrenamt",)),  # the destination ends at "mit"
        # case 6: only a list of who sits in a structure or what it discusses
        ("Im Netzwerk Integration sitzen Kita, Schule, Helferkreis und Jobcenter an einem Tisch.", ("strukturen",)),
        ("Ein runder Tisch mit Vereinen, Kirche und Schule zu allen Themen von Arbeit bis Wohnen.", ("strukturen",)),
        ("Wohnraum, Sprachkurse, bessere Vernetzung.", ("wohnen", "sprache", "strukturen")),  # a frame as the last item governs nothing
        # an age is not the school or Kita; homework handed in online is digital access (codebook 2.3.0)
        ("Die Jugendlichen, die aus der Schulpflicht raus sind, brauchen Praktika.", ("arbeit",)),
        ("Die Kleinen sind noch zu jung für den Kindergarten, ein Mutter-Kind-Treff wäre gut.", ("begegnung",)),
        ("Die Kinder müssen Hausaufgaben online abgeben und haben kein WLAN.", ()),
        ("Die Schulpflicht wird nicht durchgesetzt.", ("bildung",)),
        # a classroom of the school and the school next door are places; a flea market is an encounter
        ("Deutschkurs jeden Montag im Klassenzimmer der Grundschule, sehr gut besucht.", ("sprache",)),
        ("Die Krabbelgruppe im Pfarrheim neben der Schule läuft gut.", ("begegnung",)),
        ("Der Flohmarkt im Pfarrsaal war ein voller Erfolg.", ("begegnung",)),
        # a room in the school is a place; "schulen" after the adults or skills trained is the verb (codebook 2.4.1)
        ("Das Elterncafé trifft sich im Raum in der Mittelschule.", ("begegnung",)),
        ("Die Fahrer für den Fahrdienst sollte man im Umgang mit Kindersitzen schulen.", ()),
        ("Die Ehrenamtlichen müsste man zum Asylrecht schulen, gerade die neuen.", ("ehrenamt", "verwaltung")),
        ("Mehr Sprachmittler für die Schulen.", ("sprache", "bildung")),  # "für": the schools, no verb
        # cooperating with the neighbouring villages, sitting together in English: strukturen (THEMES.md)
        ("Wir sollten uns mit den Nachbardörfern zusammentun und eine Stelle teilen.", ("strukturen",)),
        ("Once a month the mayor, the parish and the volunteers sit together.", ("ehrenamt", "strukturen")),
        ("Families and neighbours come together at the summer fest.", ("begegnung",)),  # coming together is meeting
        ("Bei den Kitaplätzen haben wir vorgesorgt.", ("bildung",)),  # provided for, no health check-up
        # working hours describe the people (case 4); opening hours of an authority are its reachability
        ("Viele Väter arbeiten im Schichtdienst, für sie bräuchte es Abendkurse in Deutsch.", ("sprache",)),
        ("Für die Schichtarbeiter wäre ein Deutschkurs am Vormittag gut.", ("sprache",)),
        ("Die Öffnungszeiten vom Amt passen für Berufstätige gar nicht.", ("verwaltung",)),
        ("Schichtarbeit ist für Mütter kaum machbar.", ("arbeit",)),
        # a frame that closes the clause governs the list before it (German verb at the end)
        ("Gut ist, dass sich Kita, Schule, Pfarrei und Gemeinde jetzt regelmäßig an einen Tisch setzen.", ("strukturen",)),
        ("Einmal im Quartal sollten sich Helferkreis, Sportverein und Jobcenter zusammensetzen.", ("strukturen",)),
        # a separable frame: its parts stand around the list ("sitzen ... zusammen")
        ("Der Runde Tisch trifft sich monatlich, da sitzen Schule, Kita, Helferkreis und Rathaus zusammen.", ("strukturen",)),
        ("Der Runde Tisch trifft sich monatlich. Schule, Kita und Helferkreis fehlen noch zusammen.", ("ehrenamt", "bildung", "strukturen")),
        # ... but not the noun that a relative clause around the list describes
        ("Unser Sprachcafé, das Helferkreis, Schule und Vereine zusammenbringt, läuft gut.", ("sprache", "begegnung")),
        ("Wohnungen, Sprachkurse und Kitaplätze fehlen, das Netzwerk kann da nichts machen.", ("wohnen", "sprache", "bildung", "strukturen")),
        ("Mehr Wohnungen, mehr Kitaplätze und mehr Deutschkurse.", ("wohnen", "sprache", "bildung")),  # no frame: a list counts
        # an item of a numbered list is a sentence of its own: the frame in item 1 governs nothing after it
        ("Hilfreich wäre: 1) eine Liste der Ansprechpartner im Landratsamt, 2) Musterbescheide und Formulare in mehreren "
         "Sprachen, 3) eine Info, welche Fördertöpfe es gibt.", ("sprache", "strukturen", "verwaltung", "finanzierung")),
        # a Kümmerer is labelled by meaning: in the district office strukturen, else a case worker
        ("Lieber einen Kümmerer im Landratsamt, der sich zuständig fühlt.", ("strukturen",)),
        ("Ein Kümmerer vor Ort, der die einzelnen Familien betreut.", ("beratung",)),
        # coordination of volunteers is ehrenamt, not a structure
        ("Eine hauptamtliche Ehrenamtskoordination für die Stadtteile.", ("ehrenamt",)),
        # case 4: who the people are
        ("Lesen und Schreiben lernen für die, die nie eine Schule besucht haben.", ("sprache",)),
        ("Kitaplätze reichen, auch für die ukrainischen Kinder.", ("bildung",)),
        # strukturen in more paraphrases (codebook 2.5.0): late or second-hand information, a person to call,
        # exchange with other municipalities, meeting the district office, in dialect and English
        ("Die Förderaufrufe bekommen wir meistens erst mit, wenn alles vorbei ist.", ("strukturen",)),
        ("Das meiste lesen wir aus der Zeitung, bevor es uns jemand sagt.", ("strukturen",)),
        ("We usually hear about new arrivals from the newspaper.", ("strukturen",)),
        ("Bitte die Infos früher schicken.", ("strukturen",)),
        ("Es bräuchte jemanden, den man einfach anrufen kann.", ("strukturen",)),
        ("A person at the district office who answers the phone would help.", ("strukturen",)),
        ("Tipps von anderen kleinen Gemeinden wären Gold wert.", ("strukturen",)),
        ("Erfahrungsaustausch unter den Bürgermeistern.", ("strukturen",)),
        ("Do weiß koana vom andern, was er tuat.", ("strukturen",)),
        ("Einmal im Monat setzen wir uns mit der Gemeinde zusammen.", ("strukturen",)),
        ("Die Kosten setzen sich zusammen aus Miete und Strom.", ("wohnen", "finanzierung")),  # consists of: no meeting
        ("Ein Jour fixe wäre gut.", ("strukturen",)),
        # codebook 2.6.0 (blind_sixth.csv, blind_seventh.csv): a former school is a place, staff are an occupation,
        # support for teachers counts for bildung, cooperation with the district office is strukturen, a network of
        # the people themselves is not, nor a case worker as the contact person or a vote
        ("Das Sprachcafé trifft sich im ehemaligen Schulhaus.", ("sprache",)),
        ("Die Unterkunft in der alten Schule ist voll belegt.", ("wohnen",)),
        ("Bildung eines Arbeitskreises mit den Nachbargemeinden.", ("strukturen",)),
        ("Die Behörde soll erst ihre eigenen Hausaufgaben machen und die Anträge schneller bearbeiten.", ("verwaltung",)),
        ("Die Schülerbeförderung aus der Unterkunft ist nicht geklärt.", ()),
        ("Zuschüsse für die Ferienbetreuung.", ("bildung", "finanzierung")),
        ("Ein Deutschkurs am Vormittag, während die Kinder betreut werden.", ("sprache", "bildung")),
        ("Dolmetscher für die Lehrerinnen bei Elterngesprächen.", ("sprache", "bildung")),
        ("Mit dem Landratsamt arbeiten wir gut zusammen.", ("strukturen",)),
        ("Die Zusammenarbeit mit dem Sachgebiet Asyl ist eng.", ("strukturen",)),
        ("Vom Landratsamt hörst nix.", ("strukturen",)),
        ("Ein kurzer Anruf an die Gemeinde, bevor jemand verlegt wird.", ("wohnen", "strukturen")),
        ("Wir werden immer vor vollendete Tatsachen gestellt.", ("strukturen",)),
        ("Die Familien aus Syrien sind untereinander gut vernetzt.", ()),
        ("Die Koordination im Helferkreis klappt.", ("ehrenamt",)),
        ("Die Integrationslotsin ist unsere erste Ansprechpartnerin für alles.", ("beratung",)),
        ("Ein fester Ansprechpartner im Landratsamt für die Gemeinden.", ("strukturen",)),
        ("Die Abstimmung im Gemeinderat war knapp.", ()),
        ("Ein Integrationskonzept mit Kapiteln zu Wohnen, Sprache, Schule und Arbeit.", ("strukturen",)),
        ("Ein Netzwerk der Verwaltungsmitarbeiterinnen aus den Rathäusern.", ("strukturen",)),
    ],
)
def test_context_decides_whether_a_keyword_counts(text: str, themes: tuple[str, ...]) -> None:
    assert themes_of(text) == themes


def test_a_pattern_written_as_the_text_is_spelt_matches_the_folded_text(tmp_path: Path) -> None:
    # "dauert" and "Frauen" fold to "daurt" and "fraun"; patterns are folded the same way
    from integkit.themes.codebook import load_codebook

    path = tmp_path / "codebook.yaml"
    path.write_text(
        "version: 1.0.0\nthemes:\n  - id: warten\n    label_de: Warten\n    signals:\n"
        "      patterns: ['\\bdauert (?:und dauert|ewig)', '(?<=\\bfür )Frauen\\b']\n",
        encoding="utf-8",
    )
    book = load_codebook(path)
    found = assign(["Die Erlaubnis dauert und dauert.", "Ein Kurs für Frauen.", "Ein Kurs für Männer."], book)
    assert [a.themes for a in found] == [("warten",), ("warten",), ()]


def test_a_codebook_without_context_entries_counts_every_keyword(tmp_path: Path) -> None:
    import yaml

    from integkit.themes.codebook import load_codebook

    data = yaml.safe_load((Path(__file__).parents[1] / "integkit" / "themes" / "default_codebook.yaml").read_text(encoding="utf-8"))
    del data["incidental"]
    for theme in data["themes"]:
        theme["counter_signals"].pop("places", None)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plain = load_codebook(path)
    text = "Im Netzwerk Integration sitzen Kita, Schule, Helferkreis und Jobcenter an einem Tisch."
    assert set(assign([text], plain)[0].themes) >= {"bildung", "ehrenamt", "arbeit", "strukturen"}


_SPAN_WORDS = [
    "fahrten", "zum", "arzt", "und", "zur", "schule", "in", "der", "unterkunft", "wlan", "online", "bei", "behorde", "info", "vom",
    "landratsamt", "fruher", "informieren", "gute", "arbeit", "die", "arbeiten", "kinder", "lernen", "deutsch", "laptop", "fur",
    "hausaufgaben", "austausch", "mit", "gemeinden", "feste", "stelle", "steht", "fest", "als", "arztin", "aus", "syrien", "wer",
    "organisiert", "permits", "take", "forever", "erlaubnis", "dauert", "ewig", "x", "schulung",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(_SPAN_WORDS), min_size=1, max_size=14), min_size=1, max_size=6))
def test_span_patterns_gated_by_their_leading_words_find_what_they_find_ungated(answers: list[list[str]]) -> None:
    # A span pattern runs only on the answers that hold one of its leading words: that must never
    # lose a match the pattern finds when it runs on every answer.
    _assert_gating_loses_nothing(answers)


def test_span_patterns_gated_by_their_words_find_what_they_find_ungated_on_the_fixtures() -> None:
    # A span pattern runs only on the answers that hold its leading and its rare words: on every
    # fixture answer that must find what the pattern finds when it runs on every answer.
    import csv

    from integkit.themes.assign import _content_tokens

    texts = []
    for path in sorted(FIXTURES.rglob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            texts += [row["text"] for row in csv.DictReader(fh, delimiter=";" if path.name in ("dev.csv", "test.csv") else ",")]
    _assert_gating_loses_nothing([_content_tokens(t)[2] for t in texts])


def _assert_gating_loses_nothing(answers: list[list[str]]) -> None:
    """Every span pattern finds in the folded ``answers`` what it finds when run on all of them."""
    from integkit.themes.assign import _Batch, matcher

    m = matcher()
    gated = m._span_matches(answers)
    joined = [" ".join(a) for a in answers]
    for rule in m._spans:
        ungated = rule.matches_each(_Batch(joined))
        got = {i: found for i, pairs in enumerate(gated) for rl, found in pairs if rl is rule}
        assert got == ungated, rule.source


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\bbewohner\w* (der|des) (\w+ )?gu\b", [("bewohner",), ("der", "des"), ("gu",)]),
        (r"(?<=\b(?:in|im) )shelters?\b", [("in", "im"), ("shelter",)]),
        (r"\bkummerer\w*\b(?!(?: \w+){0,2} (?:im|am) amt)", [("kummerer",)]),
        (r"\bfoo (?:bar|\w+) baz", [("foo",), ("baz",)]),
        (r"\bfoo bar|baz", []),
        (r"(?i)\bfoo", None),
        (r"\bfoo\p{L}+", None),
        (r"\b(?:foo){e<=1}", None),
    ],
)
def test_required_words_of_a_span_pattern(pattern: str, words: list[tuple[str, ...]] | None) -> None:
    from integkit.themes.assign import _required_words

    assert _required_words(pattern) == words
