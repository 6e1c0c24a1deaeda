"""`check` on the group's time zone: misspelt names, and zones that never go on summer time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

GROUP = """\
[group]
name = "Leicester AF"
timezone = "{zone}"
{country}

[venues.regent]
name = "Regent Sports & Social Club"
address = "{address}"

[[series]]
id = "discussion"
title = "Discussion"
rule = "last Wednesday of the month"
start = "19:00"
venue = "regent"
from = 2027-01-01
"""

LEICESTER = "102 Regent Road, Leicester LE1 7DA"


def _programme(write_programme, zone: str, address: str = LEICESTER, country: str = ""):
    return write_programme(GROUP.format(zone=zone, address=address, country=country))


def _summer_offset(zone: str) -> bool:
    """Independently of meetctl: do the clocks change in ``zone`` in 2027?"""
    z = ZoneInfo(zone)
    return datetime(2027, 1, 15, tzinfo=z).utcoffset() != datetime(2027, 7, 15, tzinfo=z).utcoffset()


@pytest.mark.parametrize("zone", ["GMT", "UTC", "Etc/GMT", "Africa/Abidjan"])
def test_a_zone_without_summer_time_for_a_group_with_a_uk_postcode_is_warned_of(cli, write_programme, zone):
    assert not _summer_offset(zone) and _summer_offset("Europe/London")
    path = _programme(write_programme, zone)
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:3:1: warning: group.timezone '{zone}' has no daylight saving, but venue 'regent' has a UK "
        "postcode, where the clocks change: summer meetings would be an hour out; use the place's zone, "
        "e.g. 'Europe/London'\n"
    )


def test_group_country_is_evidence_too(cli, write_programme):
    path = _programme(write_programme, "Etc/GMT-1", address="Carrer de l'Exemple 1", country='country = "ES-CT"')
    result = cli("check", "-f", path, "--today", "2027-01-01")
    assert result.exit_code == 0
    assert "group.country is 'ES-CT', where the clocks change" in result.stderr
    assert "e.g. 'Europe/Madrid'" in result.stderr


def test_a_fixed_offset_alias_with_nothing_to_say_where_is_still_warned_of(cli, write_programme):
    path = _programme(write_programme, "EST", address="Somewhere")
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:3:1: warning: group.timezone 'EST' is a fixed offset from UTC, never on summer time; "
        "use your place's zone name (e.g. 'Europe/London') so meetings follow the clocks\n"
    )


@pytest.mark.parametrize(
    ("zone", "address", "country"),
    [
        ("Europe/London", LEICESTER, 'country = "GB-ENG"'),
        ("Asia/Tokyo", "1-1 Chiyoda, Tokyo", ""),  # no summer time, and none expected
        ("America/Phoenix", "1 Main St, Phoenix", 'country = "US"'),  # Arizona keeps one time all year
        ("Atlantic/Reykjavik", "Laugavegur 1", 'country = "IS"'),
    ],
)
def test_a_right_zone_gets_no_warning(cli, write_programme, zone, address, country):
    path = _programme(write_programme, zone, address=address, country=country)
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize(("written", "meant"), [("Europe/london", "Europe/London"), ("Europe/Lodnon", "Europe/London"),
                                                ("america/new_york", "America/New_York")])
def test_a_misspelt_zone_gets_a_suggestion(cli, write_programme, written, meant):
    path = _programme(write_programme, written)
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr == f"{path}:3:1: error: group.timezone: unknown time zone '{written}' (did you mean '{meant}'?)\n"
