"""A lean install: CalDAV, Babel's locale data, public holidays and PDFium are extras, and a
command that needs a missing one says, in one line, the pip command that adds it.

A missing package is simulated the way Python sees one: ``sys.modules[name] = None``
makes ``import name`` raise ImportError.
"""

from __future__ import annotations

import sys
import tomllib

import pytest

from tests.conftest import EXAMPLE, HEADER, ROOT

OPTIONAL = {"caldav": "caldav", "babel": "locales", "holidays": "holidays", "pypdfium2": "images"}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_base_install_leaves_the_optional_parts_out():
    base = " ".join(project()["dependencies"]).lower()
    for package in OPTIONAL:
        assert package not in base


def test_every_optional_part_has_its_extra_and_the_tests_install_them_all():
    extras = project()["optional-dependencies"]
    for package, extra in OPTIONAL.items():
        assert any(req.lower().startswith(package) for req in extras[extra])
    assert extras["all"] == ["meetctl[caldav,locales,holidays,images]"]
    assert "meetctl[all]" in extras["test"]


def test_publish_without_caldav_says_how_to_add_it(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "caldav", None)
    result = cli("publish", "-f", EXAMPLE, "--caldav", "http://127.0.0.1:9/cal/")
    assert result.exit_code == 2
    assert result.stderr == (
        "meetctl: error: publish needs the CalDAV client, which is not installed: pip install 'meetctl[caldav]'\n"
    )


def test_a_png_flyer_without_pdfium_says_how_to_add_it(cli, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pypdfium2", None)
    out = tmp_path / "flyer.png"
    result = cli("flyer", "-f", EXAMPLE, "2017-01-25", "-o", out)
    assert result.exit_code == 2
    assert result.stderr == (
        "meetctl: error: --format png needs PDFium, which is not installed: pip install 'meetctl[images]'\n"
    )
    assert not out.exists()


def test_a_locale_without_babel_says_how_to_add_it(cli, monkeypatch, write_programme):
    path = write_programme(HEADER.replace("[group]\n", '[group]\nlocale = "fr_FR"\n') + """
[[meetings]]
date = 2017-02-22
title = "Réunion"
start = "19:00"
""")
    monkeypatch.setitem(sys.modules, "babel", None)
    result = cli("announce", "-f", path, "--from", "2017-01-01", "--to", "2017-03-31")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:2:1: error: group.locale: 'fr_FR' needs Babel's locale data, which is not installed: "
        "pip install 'meetctl[locales]'\n"
    )
    # English needs no Babel: the same programme without a locale still works.
    english = write_programme(HEADER + '\n[[meetings]]\ndate = 2017-02-22\ntitle = "Meeting"\nstart = "19:00"\n',
                              name="english.toml")
    assert cli("announce", "-f", english, "--from", "2017-01-01", "--to", "2017-03-31").exit_code == 0


@pytest.mark.parametrize("command", [["check"], ["list", "--from", "2019-12-01", "--to", "2019-12-31"]])
def test_holidays_without_the_package_say_how_to_add_it(cli, monkeypatch, write_programme, command):
    from meetctl.model import publicholidays

    path = write_programme(HEADER.replace("[group]\n", '[group]\ncountry = "GB-ENG"\n') + """
[[series]]
id = "weds"
title = "Wednesday meeting"
rule = "every Wednesday"
start = "19:00"
from = 2019-12-01
until = 2019-12-31
on_holiday = "after"
""")
    publicholidays._holidays.cache_clear()  # a year looked up by another test is remembered
    monkeypatch.setitem(sys.modules, "holidays", None)
    result = cli(*command, "-f", path, "--today", "2019-12-01")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:2:1: error: group.country: public holidays need the holidays package, which is not installed: "
        "pip install 'meetctl[holidays]'\n"
    )
