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
    assert {"ca", "fr"} <= set(shipped_languages())


@pytest.mark.parametrize("language", shipped_languages())
def test_each_catalogue_translates_every_fixed_word(language):
    wanted = messages_in_sources()
    assert len(wanted) > 30
    have = catalogue(language)
    missing = sorted(m for m in wanted if not have.get(m))
    assert missing == [], f"{language}.po lacks translations for {missing}"
    for message, translation in have.items():  # placeholders survive translation
        for name in ("%(date)s", "%(start)s", "%(end)s"):
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
    assert result.stdout.startswith('# Compte rendu : "100th anniversary of the Russian revolution"')
    assert "mercredi 22 février 2017, de 19:00 à 21:00" in result.stdout


def test_a_language_without_a_catalogue_still_gets_its_dates(cli):
    result = cli("announce", "-f", EXAMPLE, "--from", "2017-01-01", "--to", "2017-01-31", "--locale", "cy_GB")
    assert "Dydd Mercher, 25 Ionawr 2017, 19:00" in result.stdout
    assert "Organised by" in result.stdout  # no Welsh catalogue: English words


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
