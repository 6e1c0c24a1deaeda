"""`check` on the group's time zone: misspelt names, and zones that never go on summer time."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
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


def _last_sunday(year: int, month: int) -> date:
    """Independently of meetctl: the last Sunday of a month (the EU's clock-change days)."""
    day = date(year, month, calendar.monthrange(year, month)[1])
    return day - timedelta(days=(day.weekday() - 6) % 7)


@pytest.mark.parametrize("zone", ["GMT", "UTC", "Etc/GMT", "Africa/Abidjan"])
def test_a_zone_without_summer_time_for_a_group_with_a_uk_postcode_is_warned_of(cli, write_programme, zone):
    assert not _summer_offset(zone) and _summer_offset("Europe/London")
    path = _programme(write_programme, zone)
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert result.exit_code == 1
    # British Summer Time: from the last Sunday of March to the day before the last Sunday of October.
    bst = f"from {_last_sunday(2027, 3)} to {_last_sunday(2027, 10) - timedelta(days=1)}"
    assert result.stderr == (
        f"{path}:3:1: warning: group.timezone '{zone}' has no daylight saving, but venue 'regent' has a UK "
        f"postcode, where the clocks change: meetings would be an hour out {bst}; use the place's zone, "
        "e.g. 'Europe/London'\n"
    )


def test_group_country_is_evidence_too(cli, write_programme):
    path = _programme(write_programme, "Etc/GMT-1", address="Carrer de l'Exemple 1", country='country = "ES-CT"')
    result = cli("check", "-f", path, "--today", "2027-01-01")
    assert result.exit_code == 0
    assert "group.country is 'ES-CT', where the clocks change" in result.stderr
    assert "e.g. 'Europe/Madrid'" in result.stderr


def test_a_fixed_offset_alias_with_nothing_to_say_where_is_still_warned_of(cli, write_programme):
    path = _programme(write_programme, "Etc/GMT+5", address="Somewhere")
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:3:1: warning: group.timezone 'Etc/GMT+5' is a fixed offset from UTC, never on summer time; "
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


@pytest.mark.parametrize(
    ("written", "meant"),
    [("Europe/london", "Europe/London"), ("Europe/Lodnon", "Europe/London"), ("america/new_york", "America/New_York")],
)
def test_a_misspelt_zone_gets_a_suggestion(cli, write_programme, written, meant):
    path = _programme(write_programme, written)
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert (
        result.stderr == f"{path}:3:1: error: group.timezone: unknown time zone '{written}' (did you mean '{meant}'?)\n"
    )


# ---------------------------------------------------------------- zones as people write them

_MOMENTS = [datetime(y, m, 15, 12, tzinfo=UTC) for y in (2024, 2025, 2026, 2027) for m in (1, 7)]


def _offered(stderr: str) -> list[str]:
    """The zones an error offers, in its order."""
    return re.findall(r"'([A-Za-z_]+/[A-Za-z_/+-]+)'", stderr)


def _uses(zone: str, abbreviation: str) -> bool:
    return any(m.astimezone(ZoneInfo(zone)).tzname() == abbreviation for m in _MOMENTS)


def _has_offset(zone: str, offset: timedelta) -> bool:
    return any(m.astimezone(ZoneInfo(zone)).utcoffset() == offset for m in _MOMENTS)


@pytest.mark.parametrize(
    ("written", "country", "first"),
    [
        ("AEST", "AU-VIC", "Australia/Melbourne"),
        ("AEDT", "AU-VIC", "Australia/Melbourne"),
        ("AEST", "AU-QLD", "Australia/Brisbane"),
        ("BST", "GB", "Europe/London"),
        ("CET", "ES", "Europe/Madrid"),
        ("CEST", "DE", "Europe/Berlin"),
        ("PST", "US", "America/Los_Angeles"),
        ("EST", "US", "America/New_York"),
        ("IST", "IE", "Europe/Dublin"),
        ("IST", "IN", "Asia/Kolkata"),
        ("aest", "AU-VIC", "Australia/Melbourne"),
    ],
)
def test_an_abbreviation_is_refused_with_the_zones_it_may_mean_the_groups_first(
    cli, write_programme, written, country, first
):
    path = _programme(write_programme, written, country=f'country = "{country}"')
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:3:1: error: group.timezone: '{written}' is an abbreviation")
    assert result.stderr.count("\n") == 1
    assert "did you mean" not in result.stderr
    offered = _offered(result.stderr)
    assert offered[0] == first
    assert all(_uses(zone, written.upper()) for zone in offered), offered


def test_ist_names_each_country_that_writes_it(cli, write_programme):
    path = _programme(write_programme, "IST", address="Somewhere")
    offered = _offered(cli("check", "-f", path).stderr)
    assert {"Europe/Dublin", "Asia/Jerusalem", "Asia/Kolkata"} <= set(offered)


@pytest.mark.parametrize(
    ("written", "offset", "country", "first"),
    [
        ("UTC+10", timedelta(hours=10), "AU-VIC", "Australia/Melbourne"),
        ("+10:00", timedelta(hours=10), "AU-QLD", "Australia/Brisbane"),
        ("+11:00", timedelta(hours=11), "AU-VIC", "Australia/Melbourne"),
        ("GMT-5", timedelta(hours=-5), "US", "America/New_York"),
        ("UTC+5:30", timedelta(hours=5, minutes=30), "IN", "Asia/Kolkata"),
        ("UTC+1", timedelta(hours=1), "GB", "Europe/London"),
    ],
)
def test_a_utc_offset_is_refused_with_the_zones_of_that_offset(cli, write_programme, written, offset, country, first):
    path = _programme(write_programme, written, country=f'country = "{country}"')
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:3:1: error: group.timezone: '{written}' is a UTC offset")
    assert "did you mean 'UTC'" not in result.stderr
    offered = _offered(result.stderr)
    assert offered[0] == first
    assert all(_has_offset(zone, offset) for zone in offered), offered


def test_init_refuses_an_abbreviation_too(cli, tmp_path):
    result = cli("init", tmp_path / "p.toml", "--name", "Renters", "--timezone", "AEST")
    assert result.exit_code == 2
    assert "--timezone: 'AEST' is an abbreviation" in result.stderr
    assert "'Australia/Melbourne'" in result.stderr and "'EST'" not in result.stderr


def _first_sunday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(6 - day.weekday()) % 7)


@pytest.mark.parametrize(
    ("zone", "out"),
    [
        # Queensland keeps standard time: Victoria's summer time (first Sunday of October to the
        # Saturday before the first Sunday of April) is where they differ, by an hour.
        (
            "Australia/Brisbane",
            lambda: (
                f"an hour out until {_first_sunday(2027, 4) - timedelta(days=1)} and from {_first_sunday(2027, 10)}"
            ),
        ),
        # Lord Howe is half an hour ahead in winter and moves half an hour in summer.
        (
            "Australia/Lord_Howe",
            lambda: f"30 minutes out from {_first_sunday(2027, 4)} to {_first_sunday(2027, 10) - timedelta(days=1)}",
        ),
    ],
)
def test_a_zone_of_another_region_is_warned_of_with_the_real_difference(cli, write_programme, zone, out):
    path = _programme(write_programme, zone, address="1 Smith St, Fitzroy VIC 3065", country='country = "AU-VIC"')
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:3:1: warning: group.timezone '{zone}' is not the zone of group.country 'AU-VIC': "
        f"meetings would be {out()}; use 'Australia/Melbourne'\n"
    )


def test_a_fixed_offset_in_a_subdivision_names_its_zone_not_lord_howe(cli, write_programme):
    path = _programme(write_programme, "UTC", address="1 Smith St, Fitzroy", country='country = "AU-VIC"')
    result = cli("check", "-f", path, "--today", "2027-01-01")
    assert "use 'Australia/Melbourne'" in result.stderr
    assert "Lord_Howe" not in result.stderr and "an hour out" not in result.stderr
    assert "10 hours out" in result.stderr and "11 hours out" in result.stderr


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Australia/Melbourne", "AU-VIC"),
        ("Australia/Brisbane", "AU-QLD"),
        ("Australia/Sydney", "AU-NSW"),
        ("America/Detroit", "US-MI"),
    ],
)
def test_the_zone_of_the_subdivision_passes(cli, write_programme, zone, country):
    path = _programme(write_programme, zone, address="1 Main St", country=f'country = "{country}"')
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert result.exit_code == 0, result.stderr


def test_a_networks_zone_is_read_the_same_way(cli, tmp_path):
    network = tmp_path / "network.toml"
    text = '[network]\nname = "Renters Network"\ntimezone = "{zone}"\ncountry = "AU-VIC"\n'
    network.write_text(text.format(zone="AEST"), encoding="utf-8")
    result = cli("check", "-f", network)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{network}:3:1: error: network.timezone: 'AEST' is an abbreviation")
    assert _offered(result.stderr)[0] == "Australia/Melbourne"
    network.write_text(text.format(zone="Australia/Brisbane"), encoding="utf-8")
    result = cli("check", "-f", network, "--today", "2027-01-01")
    assert "network.timezone 'Australia/Brisbane' is not the zone of network.country 'AU-VIC'" in result.stderr
