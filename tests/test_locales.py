"""Documents in the group's language: every shipped catalogue is complete and used."""

from __future__ import annotations

from pathlib import Path

import pytest

from meetctl.documents.environment import LOCALES_DIR, shipped_languages
from tests.conftest import EXAMPLE, ROOT

SOURCES = ROOT / "src" / "meetctl" / "documents"


def messages_in_sources() -> set[str]:
    """Every fixed word: `_()` in the templates, `words(locale, ...)` in the documents package (Babel's extractors)."""
    from babel.messages.extract import extract_from_dir, extract_from_file

    found = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(SOURCES / "templates"),
            method_map=[("**.j2", "jinja2")],
            options_map={"**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}},
        )
    }
    for module in sorted(SOURCES.glob("*.py")):
        found |= {m for _, m, _, _ in extract_from_file("python", str(module), keywords={"words": (2,)})}
    return {m for m in found if isinstance(m, str)}


def catalogue(language: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with (LOCALES_DIR / f"{language}.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_at_least_one_language_besides_english_is_shipped():
    assert {"ca", "cy", "fr"} <= set(shipped_languages())


@pytest.mark.parametrize("language", shipped_languages())
def test_each_catalogue_translates_every_fixed_word(language):
    wanted = messages_in_sources()
    assert len(wanted) > 30
    have = catalogue(language)
    missing = sorted(m for m in wanted if not have.get(m))
    assert missing == [], f"{language}.po lacks translations for {missing}"
    for message, translation in have.items():  # placeholders survive translation
        for name in ("%(date)s", "%(start)s", "%(end)s", "%(series)s", "%(when)s", "%(place)s", "%(before)s", "%(change)s"):
            assert (name in message) == (name in translation), (language, message)


@pytest.mark.parametrize(
    ("locale", "heading", "date", "words"),
    [
        ("ca_ES", "reunions, gener–març del 2017", "dimecres, 22 de febrer del 2017, 19:00", "Organitza"),
        ("fr_FR", "réunions, janvier\u2009–\u2009mars 2017", "mercredi 22 février 2017, 19:00", "Organisé par"),
    ],
)
def test_announce_in_the_groups_language(cli, tmp_path: Path, locale, heading, date, words):
    text = EXAMPLE.read_text().replace('timezone = "Europe/London"', f'timezone = "Europe/London"\nlocale = "{locale}"', 1)
    path = tmp_path / "programme.toml"
    path.write_text(text)
    result = cli("announce", "-f", path, "--from", "2017-01-01", "--to", "2017-03-31")
    assert result.exit_code == 0, result.stderr
    first_line = result.stdout.splitlines()[0]
    assert first_line.endswith(heading)
    assert date in result.stdout and words in result.stdout
    # --locale overrides the group's: back to meetctl's own English.
    english = cli("announce", "-f", path, "--from", "2017-01-01", "--to", "2017-03-31", "--locale", "en_GB")
    assert "Wednesday 22 February 2017, 7pm" in english.stdout and "Organised by" in english.stdout


def test_report_in_french_with_the_locale_option(cli):
    result = cli("report", "2017-02-22", "-f", EXAMPLE, "-o", "-", "--locale", "fr_FR")
    assert result.stdout.startswith('# Compte rendu\u202f: "100th anniversary of the Russian revolution"')
    assert "mercredi 22 février 2017, de 19:00 à 21:00" in result.stdout


def test_a_language_without_a_catalogue_still_gets_its_dates(cli):
    result = cli("announce", "-f", EXAMPLE, "--from", "2017-01-01", "--to", "2017-01-31", "--locale", "de_DE")
    assert "Mittwoch, 25. Januar 2017, 19:00" in result.stdout
    assert "Organised by" in result.stdout  # no German catalogue: English words


def test_the_locales_offered_in_the_help_are_the_shipped_ones(cli):
    import re

    help_text = " ".join(cli("announce", "--help").stdout.split())
    offered = {code.split("_")[0] for code in re.findall(r"\b([a-z]{2})_[A-Z]{2}\b", help_text)}
    assert offered and offered <= set(shipped_languages())


def test_an_unknown_locale_in_the_programme_is_located(cli, tmp_path: Path):
    path = tmp_path / "programme.toml"
    path.write_text(EXAMPLE.read_text().replace('timezone = "Europe/London"', 'timezone = "Europe/London"\nlocale = "xx_YY"', 1))
    result = cli("announce", "-f", path, "--from", "2017-01-01")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:9:1: error: group.locale: unknown locale 'xx_YY'")


@pytest.mark.parametrize(
    ("phrase", "french", "catalan"),
    [
        ("last Wednesday of the month", "le dernier mercredi de chaque mois", "l'últim dimecres de cada mes"),
        ("first and third Tuesday of the month", "le premier et troisième mardi de chaque mois", "el primer i tercer dimarts de cada mes"),
        ("every other Friday", "un vendredi sur deux", "un divendres de cada dos"),
        ("15th of every month", "le 15 de chaque mois", "el dia 15 de cada mes"),
        ("last day of the month", "le dernier jour de chaque mois", "l'últim dia de cada mes"),
        ("every Wednesday except July and August", "chaque mercredi sauf en juillet et août", "cada dimecres excepte juliol i agost"),
        # Forms the catalogues do not cover stay in (correct) English rather than broken French.
        ("first Monday and third Thursday of the month", "first Monday and third Thursday of every month", "first Monday and third Thursday of every month"),
    ],
)
def test_rules_in_words_in_the_shipped_languages(phrase, french, catalan):
    from meetctl.model.rules import parse_rule
    from meetctl.model.rulewords import describe_rule

    rule = parse_rule(phrase)
    assert describe_rule(rule, "fr_FR") == french
    assert describe_rule(rule, "ca_ES") == catalan
    assert describe_rule(rule, None) == describe_rule(rule, "en_GB")


# --------------------------------------------------------------------------- Welsh, and French punctuation

#: A branch of two streams and a day school, with no colon in its own text (so every colon is meetctl's).
STREAMS = """
[group]
name = "Cangen Caerdydd"
timezone = "Europe/London"
email = "ysgrifennydd@example.org"
website = "https://example.org"
welcome = "Croeso i bawb"
locale = "{locale}"

[venues.hall]
name = "Neuadd y Gymuned"
address = "1 Stryd Fawr, Caerdydd CF10 1AA"

[[series]]
id = "branch"
title = "Cyfarfod y gangen"
rule = "second Tuesday of the month"
start = "19:30"
venue = "hall"
from = 2027-01-01

[[series]]
id = "reading"
title = "Grwp darllen"
rule = "every Thursday"
start = "18:30"
duration = "1h30m"
venue = "hall"
from = 2027-01-01

[[meetings]]
series = "reading"
date = 2027-01-14
cancelled = true
reason = "Neuadd ar gau"

[[meetings]]
series = "branch"
date = 2027-01-19
replaces = 2027-01-12
lead = "Siân"

[[meetings]]
date = 2027-01-23
title = "Ysgol undydd"
start = "10:00"
duration = "6h"
venue = "hall"
chair = "Dafydd"
speakers = ["Elin", "Gareth"]

[[meetings.sessions]]
title = "Agoriad"
start = "10:00"
end = "11:00"
chair = "Dafydd"
speakers = ["Elin"]
"""


def _documents(cli, path):
    """Every document of the programme, as text: announcements, flyers (text of the HTML) and a report."""
    out = {}
    for fmt in ("text", "markdown", "html"):
        out[f"announce {fmt}"] = cli("announce", "-f", path, "--from", "2027-01-01", "--to", "2027-01-31", "--format", fmt).stdout
    for name, args in {"flyer": ["2027-01-23"], "term flyer": ["--from", "2027-01-01", "--to", "2027-01-31"],
                       "moved flyer": ["2027-01-19"], "cancelled flyer": ["2027-01-14"]}.items():  # fmt: skip
        html = cli("flyer", "-f", path, *args, "--format", "html").stdout
        body = parse_html_text(html)
        out[name] = body
    out["report"] = cli("report", "2027-01-19", "-f", path, "-o", "-").stdout
    assert all(out.values()), [k for k, v in out.items() if not v]
    return out


def parse_html_text(html: str) -> str:
    import lxml.html

    tree = lxml.html.document_fromstring(html)
    for style in tree.xpath("//style"):
        style.drop_tree()
    return tree.text_content()


def test_french_puts_a_narrow_no_break_space_before_every_colon(cli, tmp_path: Path):
    """Before ":", ";" and "?" wherever meetctl writes one (a session's room; chair; speakers too)."""
    path = tmp_path / "programme.toml"
    path.write_text(STREAMS.format(locale="fr_FR"), encoding="utf-8")
    docs = _documents(cli, path)
    for name, text in docs.items():
        for i, char in enumerate(text):
            if char not in ":;?":
                continue
            before, after = text[i - 1], text[i + 1 : i + 3]
            if before.isdigit() and after[:1].isdigit() or after == "//" or text[i - 6 : i] == "mailto":
                continue  # a time (19:30) or a link
            assert before == "\u202f", f"{name}: {text[max(0, i - 30) : i + 10]!r}"
    assert "Annulée\u202f: Neuadd ar gau" in docs["cancelled flyer"]
    assert "jeudi 14 janvier 2027\u202f: ANNULÉE (Neuadd ar gau)" in docs["announce text"]


def test_welsh_documents_are_all_welsh(cli, tmp_path: Path):
    path = tmp_path / "programme.toml"
    path.write_text(STREAMS.format(locale="cy_GB"), encoding="utf-8")
    docs = _documents(cli, path)
    text = docs["announce text"]
    assert text.startswith("Cangen Caerdydd: cyfarfodydd, Ionawr 2027\n")
    assert "Grwp darllen: bob dydd Iau, o 18:30 tan 20:00, yn Neuadd y Gymuned" in " ".join(text.split())
    assert "Cyfarfod y gangen: yr ail ddydd Mawrth o bob mis, o 19:30 tan 21:30" in " ".join(text.split())
    assert "WEDI'I GANSLO (Neuadd ar gau)" in text
    assert "Mae Grwp darllen yn cyfarfod bob dydd Iau, 18:30." in " ".join(docs["cancelled flyer"].split())
    assert "Yn agor y drafodaeth: Siân" in " ".join(docs["moved flyer"].split())
    assert "Wedi'i symud: y dyddiad gwreiddiol oedd" in docs["moved flyer"]
    # None of meetctl's own English words is left in any Welsh document.
    english = ("Organised by", "Leading off", "Cancelled", "CANCELLED", "Meetings", "meetings", "Contact",
               "Website", "Chair", "chair:", "Speakers", " to ", "Next meeting", "moved from", "Every ", "every ")  # fmt: skip
    for name, body in docs.items():
        for word in english:
            assert word not in body, (name, word)
