"""Redaction of personal data in quotes: e-mail addresses, phone numbers, addresses, names.

Reports leave the district office, so a quote must never show an e-mail address, a phone
number, a street address or a person's name (see DESIGN.md, "Rules that hold everywhere").

Redaction is rule-based and German-specific. German capitalises every noun, so a name is
only taken where a cue says one follows ("Frau", "Herrn", "Bürgermeister", "Dr.", a known
first name) or where it is on the configured list of names; "Frauen brauchen ...",
"die Frau vom Amt" or "Herr der Lage" stay as they are. Detectors run on the original
text, overlaps are resolved by priority (e-mail > phone > address > name), and the
findings are replaced by placeholders that no detector matches again, so redaction is
idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDERS: dict[str, str] = {
    "email": "[E-Mail]",
    "phone": "[Telefon]",
    "address": "[Adresse]",
    "name": "[Name]",
}
_PRIORITY = {"email": 0, "phone": 1, "address": 2, "name": 3}

# --------------------------------------------------------------------------- e-mail
_EMAIL = re.compile(
    # each branch starts only where a run of its characters starts (the lookbehinds): without
    # them a long run without "@" is scanned again from every position, quadratic in its length
    # (nor right after a placeholder's "]": redacting "0@0.0/@0.0" must not give a new address)
    r"(?<![\w.!#$%&'*+/=?^`{|}~\]-])[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"
    # obfuscated forms: "huber (at) example.org", "huber[at]example(dot)org"
    r"|(?<![\w.+-])[\w.+-]+\s?[(\[{]\s?(?:at|ät)\s?[)\]}]\s?[\w-]+"
    r"(?:\s?(?:\.|[(\[{]\s?(?:dot|punkt)\s?[)\]}])\s?[\w-]+)+",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- phone
_SEP = r"(?:[ \t]*[/\-–][ \t]*|[ \t])"
_PHONE = re.compile(
    r"(?<![\w+\[\]])(?<!\d[.,])"  # not the end of a decimal or date (keeps redaction idempotent)
    r"(?:(?:\+|00)[ \t]?49" + _SEP + r"?(?:\(0\)[ \t]?)?[1-9]\d{1,4}"  # +49 (0)8161
    r"|\(0[1-9]\d{1,4}\)"  # (08161)
    r"|0[1-9]\d{1,4})"  # 08161, 0151, 089
    r"(?:" + _SEP + r"?\d+)+"  # subscriber number, extension
    r"(?![\w.,]\d)"  # not the start of a decimal or date
)
_PHONE_CUE = re.compile(
    r"(?<![\w\[\]])(?:Tel|Telefon|Tel\.-Nr|Telefonnr|Handy|Handynr|Mobil|Fax|Rufnummer)\.?:?[ \t]*"
    r"(\+?\d[\d \t/\-–()]{4,}\d)",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- address
_HOUSE_NO = (
    r"\d{1,3}(?!\d)(?:[ \t]?[a-zA-Z](?![\w]))?(?:[ \t]?[-–/][ \t]?\d{1,3}[a-z]?(?!\d))?"
    # not a quantity: "Schulweg 2 km", "Kirchplatz 3 Stunden"
    r"(?![ \t]?(?:km|m|min|Min|Minuten|Std|Stunden|Tage|Wochen|Monate|Jahre|%|€|Euro|x|mal"
    r"|Mal|Uhr|Personen|Kinder|Familien|Leute|Plätze|Teilnehmer|Gruppen|Klassen|Mitarbeiter\w*"
    r"|Räume|Zimmer|Wohnungen|Betten|Stellen|Ehrenamtliche|Helfer\w*)\b)"
)
_STRONG_SFX = r"(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|ufer|damm|steig|pfad|anger|graben|zeile|leite|winkel)"
_WEAK_SFX = (
    r"(?:berg|bach|feld|hang|au|hof|garten|moos|wiese|wiesen|holz|mühle|brunnen|rain"
    r"|bichl|point|acker|kreuz|tor|brücke|siedlung|park|markt|weiher|see|leiten|grund|eck)"
)
_STRONG = _STRONG_SFX[3:-1]
_WEAK = _WEAK_SFX[3:-1]
_ADJ = (
    r"(?:[A-ZÄÖÜ][a-zäöüß]{3,}er|Obere[rn]?|Untere[rn]?|Alte[rn]?|Neue[rn]?|Große[rn]?|Kleine[rn]?"
    r"|Lange[rn]?|Hohe[rn]?|Innere[rn]?|Äußere[rn]?|Hintere[rn]?|Vordere[rn]?|Mittlere[rn]?)"
)
_PREP = r"(?:Am|An[ \t]der|An[ \t]den|Im|In[ \t]der|Auf[ \t]der|Auf[ \t]dem|Zum|Zur|Beim|Hinter[ \t]der|Unterm|Überm)"
_STREET_WORD = "|".join(
    [
        # St.-Martin-Straße, Dr.-Ludwig-Prandtl-Str.
        r"(?:[A-ZÄÖÜ][\w.]*-)+(?:Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring)",
        # Hauptstraße, Marienplatz, Dorfstr.
        r"[A-ZÄÖÜ][a-zäöüß]*?(?:" + _STRONG + r")",
        # Freisinger Straße, Obere Hauptstr.
        _ADJ + r"[ \t]+(?:Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring|Ufer|Damm|Anger|Graben"
        r"|Berg|Feld|Hang|Markt|[A-ZÄÖÜ][a-zäöüß]*?(?:" + _STRONG + r"))",
        # Am Marienplatz, Am Mühlbach, Am Anger
        _PREP + r"[ \t]+(?:[A-ZÄÖÜ][a-zäöüß]*?(?:" + _STRONG + "|" + _WEAK + r")"
        r"|Anger|Berg|Bach|Feld|Hang|Rain|Graben|Moos|Wiesen|Bichl|Point|Bühl|Leiten)",
    ]
)
_TOWN = r"[A-ZÄÖÜ][\wäöüß.-]*(?:[ \t]?(?:a\.[ \t]?d\.|i\.[ \t]?d\.|b\.|bei|am|an[ \t]der|im|in[ \t]der|ob[ \t]der|i\.[ \t]?OB)[ \t]?[A-ZÄÖÜ][\w.-]*)?"
_POSTCODE_TOWN = r"(?:D-)?(?<![\w.,\[\]])\d{5}[ \t]+" + _TOWN
_ADDRESS = re.compile(
    r"(?<![\w\[\]-])(?:"
    r"(?:" + _STREET_WORD + r")[ \t]*" + _HOUSE_NO + r"(?:,?[ \t]*" + _POSTCODE_TOWN + r")?"
    r"|" + _POSTCODE_TOWN + r")"
)
# Compounds that end like a street but are usually just places ("Der Spielplatz 2 ...");
# taken as an address only after a preposition ("Am Sportplatz 3").
_GENERIC_PLACES = frozenset(
    "Spielplatz Arbeitsplatz Parkplatz Bolzplatz Kitaplatz Krippenplatz Stellplatz Sportplatz "
    "Ausbildungsplatz Studienplatz Kursplatz Schulweg Heimweg Rückweg Umweg Arbeitsweg".split()
)
_TOWN_WORD = re.compile(r"\d{5}[ \t]+([^\W\d_]+)")
_NOT_TOWNS = frozenset(
    "Euro EUR Einwohner Einwohnern Einwohnerinnen Menschen Personen Stunden Teilnehmer Kinder "
    "Flüchtlinge Geflüchtete Geflüchteten Ehrenamtliche Mitglieder Haushalte Besucher Fälle "
    "Anträge Plätze Wohnungen Exemplare Seiten Mal Kilometer Quadratmeter Bürger Bürgerinnen "
    "Schüler Schülerinnen Familien Leute Asylbewerber Stimmen Jahre Tage Flyer Euros".split()
)

# --------------------------------------------------------------------------- names
_WORD = r"[^\W\d_][^\W\d_'’]*(?:[-'’][^\W\d_]+)*"
_CUES = (
    r"Frau|Herrn?|Hrn?\.|Fr\.|Frl\.|Fräulein|Familie|Fam\.|Firma|Fa\.|Dr\.|Prof\."
    r"|(?:Alt|Ober|Erste[rn]?[ \t]|Zweite[rn]?[ \t]|Dritte[rn]?[ \t])?Bürgermeister(?:in)?"
    r"|Landrat|Landrätin|Pfarrer(?:in)?|Pastor(?:in)?|Diakon(?:in)?|Kaplan|Dekan(?:in)?|Pater"
    r"|Rektor(?:in)?|Konrektor(?:in)?|Schulleiter(?:in)?|Lehrer(?:in)?|Kolleg(?:e|in|en)"
    r"|Integrationsbeauftragte[rn]?|Integrationslots(?:e|en|in)|Sozialarbeiter(?:in)?"
    r"|Nachbar(?:in)?|Koordinator(?:in)?|Ansprechpartner(?:in)?:?"
)
_TITLES = (
    r"Dr\.|Prof\.|med\.|Dipl\.-?\w*\.?|Mag\.|Ing\.|rer\.[ \t]?nat\.|h\.[ \t]?c\.|Bürgermeister(?:in)?"
    r"|Landrat|Landrätin|Pfarrer(?:in)?|Doktor|Professor(?:in)?"
)
_PARTICLE = r"(?:von[ \t]und[ \t]zu|von[ \t]der|von[ \t]dem|von|van[ \t]der|van|de|ten|al|el)"
# Both name patterns are zero-width lookaheads so that a rejected candidate ("Frau und
# Herr Huber": "und" is no name) does not swallow the next cue.
_CUED_NAME = re.compile(
    r"(?<![\w\[\]-])(?=(?:" + _CUES + r")"
    r"(?:[ \t]+(?:" + _TITLES + r"))*"
    r"[ \t]+(?P<name>(?:" + _PARTICLE + r"[ \t]+)?" + _WORD + r")"
    r"(?:[ \t]+(?P<second>" + _WORD + r"))?)"
)
_FIRST_LAST = re.compile(
    r"(?<![\w\[\]-])(?=(?P<first>" + _WORD + r")[ \t]+(?P<last>(?:" + _PARTICLE + r"[ \t]+)?"
    + _WORD + r"))"
)

FIRST_NAMES = frozenset(
    """Anna Anna-Lena Anne Andrea Angelika Anita Annette Barbara Bettina Birgit Brigitte
    Carina Christa Christina Christine Claudia Cornelia Doris Elisabeth Elfriede Elke Erika
    Eva Franziska Gabi Gabriele Gerda Gertraud Gisela Hannelore Heidi Helga Ilse Ingrid Irmgard
    Johanna Julia Jutta Karin Katharina Kathi Klara Kreszentia Laura Lea Lena Leni Leonie
    Lisa Magdalena Maria Marianne Marion Martina Michaela Monika Nadine Nathalie Nicole Petra
    Renate Resi Rita Rosemarie Sabine Sandra Sarah Silke Simone Sonja Stefanie Susanne
    Theresa Therese Traudl Ulrike Ursula Ute Veronika Vroni Waltraud Zenzi
    Alexander Alois Andreas Anton Benedikt Bernd Bernhard Christian Christoph Daniel Dieter
    Florian Franz Georg Gerhard Günter Günther Hans Hansi Heinz Helmut Herbert Hermann Hias
    Horst Hubert Jakob Johann Johannes Josef Jürgen Karl Karl-Heinz Klaus Konrad Korbinian
    Leonhard Ludwig Lukas Manfred Markus Martin Matthias Max Maximilian Michael Norbert Otto
    Paul Peter Rainer Reinhard Richard Robert Rudolf Sebastian Sepp Simon Stefan Stephan
    Thomas Tobias Uwe Werner Wolfgang Wastl Xaver Jonas Felix Leon Moritz Niklas Tim
    Ahmad Ahmed Ali Amir Amina Aylin Emre Fatima Fatma Hassan Hussein Ibrahim Khaled Leyla
    Mahmoud Mehmet Mohammad Mohammed Mustafa Nour Omar Reza Samir Yusuf Zainab Zahra
    Olena Oksana Olga Natalia Tetiana Iryna Andrii Dmytro Serhii Oleksandr Ivan Irina
    """.split()
)

_NOT_NAMES = frozenset(
    """Frau Frauen Herr Herrn Herren Familie Familien Firma Dr Prof Doktor Professor
    Bürgermeister Bürgermeisterin Landrat Landrätin Pfarrer Pfarrerin Kollege Kollegin
    Name Namen Telefon Adresse Mail E-Mail Tel Nr Info Infos Kontakt Bescheid Danke Dank
    Kind Kinder Kurs Kurse Mann Männer Mutter Vater Sohn Tochter Eltern Hilfe Amt Arbeit
    Wohnung Wohnungen Sprache Deutsch Deutschkurs Deutschkurse Zeit Geld Termin Termine
    Gemeinde Stadt Landkreis Landratsamt Rathaus Schule Kita Helferkreis Ehrenamt
    Ehrenamtliche Unterkunft Asyl Jobcenter Gott Chef Chefin Leitung Team Büro
    Vormittag Nachmittag Abend Morgen Mittag Uhr Montag Dienstag Mittwoch Donnerstag
    Freitag Samstag Sonntag Januar Februar März April Mai Juni Juli August September
    Oktober November Dezember Sie Ihr Ihre Ihnen Er Es Wir Der Die Das Dem Den Des Ein Eine
    Und Oder Aber Mit Von Vom Im Am Bei Beim Auf Aus Nach Zum Zur Für Ich Du Man Bitte
    Herzlichen Liebe Lieber Sehr Vielen Viele Alle Gemeinderat Stadtrat Integrationsbeauftragte
    Integrationsbeauftragter Integrationsbeauftragten Integrationslotse Integrationslotsin
    Lehrer Lehrerin Rektor Rektorin Nachbar Nachbarin Ansprechpartner Ansprechpartnerin
    Koordinator Koordinatorin Maria-Himmelfahrt Himmelfahrt Sankt St Hilf Landratsamtes
    Bau Baugesellschaft Schreinerei Unterkunft GmbH""".split()
)
_NOUN_SUFFIX = re.compile(
    r"(?:ung|ungen|heit|keit|schaft|tion|sion|ität|ismus|nis|nisse|ment|erei|amt|kurs|kurse"
    r"|zentrum|stelle|stellen|verein|kreis|gruppe|arbeit|hilfe|kinder|leute|schule|ämter)$"
)


def _looks_like_name(word: str) -> bool:
    """True for a capitalised word that is not a known noun, cue or function word."""
    if not word or not word[0].isupper() or word in _NOT_NAMES:
        return False
    if word.rstrip(".") in _NOT_NAMES:
        return False
    return not _NOUN_SUFFIX.search(word.lower())


def _is_first_name(word: str) -> bool:
    return word in FIRST_NAMES or (
        "-" in word and all(part in FIRST_NAMES for part in word.split("-"))
    )


def _strip_particle(name: str) -> str:
    m = re.match(_PARTICLE + r"[ \t]+", name)
    return name[m.end():] if m else name


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: character span in the original text and its kind."""

    start: int
    end: int
    label: str  # email | phone | address | name

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.label]


class Redactor:
    """Finds and replaces personal data; build once (names compiled), use for many texts.

    ``names`` are matched as whole words, case-sensitively (plus their ALL-CAPS form),
    with a German genitive ending ("Hubers"); a multi-word entry ("Anna Huber") also
    matches its last word alone ("Huber").
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        variants: set[str] = set()
        for raw in names:
            name = " ".join(str(raw).split())
            if not name or name.startswith("#"):
                continue
            parts = name.split(" ")
            forms = {name}
            if len(parts) > 1 and len(parts[-1]) >= 3:
                forms.add(parts[-1])
            for form in forms:
                variants.update({form, form.upper()})
        self.names: tuple[str, ...] = tuple(sorted(variants, key=lambda s: (-len(s), s)))
        self._name_list = None
        if self.names:
            alts = "|".join(r"[ \t]+".join(map(re.escape, n.split(" "))) for n in self.names)
            self._name_list = re.compile(
                r"(?<![\w\[\]])(?:" + alts + r")(?:s|'s|’s|'|’)?(?![\w\[\]])"
            )

    # ---------------------------------------------------------------- detection
    def find(self, text: str) -> list[Finding]:
        """All personal data in ``text``, non-overlapping, sorted by position."""
        candidates: list[Finding] = []
        add = candidates.append
        for m in _EMAIL.finditer(text):
            add(Finding(m.start(), m.end(), "email"))
        if any(c.isdigit() for c in text):
            for m in _PHONE.finditer(text):
                if sum(c.isdigit() for c in m.group()) >= 6:
                    add(Finding(m.start(), m.end(), "phone"))
            for m in _PHONE_CUE.finditer(text):
                if sum(c.isdigit() for c in m.group(1)) >= 5:
                    add(Finding(m.start(1), m.end(1), "phone"))
            for m in _ADDRESS.finditer(text):
                if m.group().split(None, 1)[0] in _GENERIC_PLACES:
                    continue
                town = _TOWN_WORD.search(m.group())
                if town and town.group(1) in _NOT_TOWNS:
                    continue
                add(Finding(m.start(), m.end(), "address"))
        for m in _CUED_NAME.finditer(text):
            word = _strip_particle(m.group("name"))
            if not _looks_like_name(word):
                continue
            end = m.end("name")
            second = m.group("second")
            if second and _is_first_name(word) and _looks_like_name(second):
                end = m.end("second")
            add(Finding(m.start("name"), end, "name"))
        for m in _FIRST_LAST.finditer(text):
            if _is_first_name(m.group("first")) and _looks_like_name(
                _strip_particle(m.group("last"))
            ):
                add(Finding(m.start("first"), m.end("last"), "name"))
        if self._name_list is not None:
            for m in self._name_list.finditer(text):
                add(Finding(m.start(), m.end(), "name"))
        return _resolve(text, candidates)

    # ---------------------------------------------------------------- replacement
    def redact(self, text: str, *, max_chars: int | None = None) -> str:
        """``text`` with personal data replaced by placeholders, then shortened."""
        findings = self.find(text)
        if findings:
            out: list[str] = []
            pos = 0
            for f in findings:
                out.append(text[pos:f.start])
                out.append(f.placeholder)
                pos = f.end
            out.append(text[pos:])
            text = "".join(out)
        return shorten(text, max_chars) if max_chars is not None else text

    def redact_many(self, texts: Iterable[str], *, max_chars: int | None = None) -> list[str]:
        """Redact each text; missing values (None/NaN) become empty strings."""
        return [
            self.redact(t, max_chars=max_chars) if isinstance(t, str) else "" for t in texts
        ]


def _resolve(text: str, candidates: list[Finding]) -> list[Finding]:
    """Merge overlapping findings of one kind, then keep higher-priority kinds on overlap.

    Merging (rather than picking one) matters for idempotence: of "Anna Maria Huber"
    either overlapping candidate alone would leave a name for a second pass to find.
    """
    if not candidates:
        return []
    kept: list[Finding] = []
    for label in sorted({f.label for f in candidates}, key=_PRIORITY.__getitem__):
        merged: list[Finding] = []
        for f in sorted((c for c in candidates if c.label == label), key=lambda c: c.start):
            if merged and f.start < merged[-1].end:
                last = merged[-1]
                merged[-1] = Finding(last.start, max(last.end, f.end), label)
            else:
                merged.append(f)
        higher = sorted(kept, key=lambda k: k.start)
        for f in merged:
            kept.extend(_minus(text, f, higher))
    kept.sort(key=lambda f: f.start)
    return kept


def _minus(text: str, f: Finding, taken: list[Finding]) -> list[Finding]:
    """The parts of ``f`` outside ``taken`` (sorted), trimmed, that still hold a letter or digit.

    Trimming rather than dropping keeps "Frau Anna Hauptstraße 3" from leaving "Anna"
    for a second pass when the name candidate overlaps the address.
    """
    pieces, start = [], f.start
    for k in taken:
        if k.end <= start or k.start >= f.end:
            continue
        pieces.append((start, k.start))
        start = max(start, k.end)
    pieces.append((start, f.end))
    out = []
    for a, b in pieces:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if any(c.isalnum() for c in text[a:b]):
            out.append(Finding(a, b, f.label))
    return out


def shorten(text: str, max_chars: int) -> str:
    """Cut ``text`` to at most ``max_chars`` characters at a word boundary, adding " …".

    Never splits a placeholder. Used on redacted text only, so a cut cannot expose
    part of an address or name.
    """
    if max_chars < 2:
        raise ValueError(f"max_chars must be at least 2, got {max_chars}")
    if len(text) <= max_chars:
        return text
    budget = max_chars - 2
    head = text[:budget]
    if not text[budget].isspace():
        cut = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
        if cut > 0:
            head = head[:cut]
    bracket = head.rfind("[")
    if bracket != -1 and "]" not in head[bracket:]:
        tail = text[bracket:]
        if any(tail.startswith(p) for p in PLACEHOLDERS.values()):
            head = head[:bracket]
    head = head.rstrip(" \t\n,;:-–(")
    return head + " …" if head else "…"


@lru_cache(maxsize=32)
def _redactor(names: tuple[str, ...]) -> Redactor:
    return Redactor(names)


def redact(text: str, names: Iterable[str] = (), *, max_chars: int | None = None) -> str:
    """Replace e-mails, phone numbers, addresses and names in ``text`` by placeholders.

    Convenience wrapper around :class:`Redactor` (cached per name list); for many texts
    build one ``Redactor`` and call ``redact_many``.
    """
    return _redactor(tuple(names)).redact(text, max_chars=max_chars)


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """The spans :func:`redact` would replace (for review and evaluation)."""
    return _redactor(tuple(names)).find(text)
