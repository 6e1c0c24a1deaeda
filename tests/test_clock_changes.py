"""`check` on meetings that start in a time the clocks skip or repeat.

The clock-change days are computed here from the rules as people know them (last
Sunday of March in the UK, first Sunday of October in Victoria, second Sunday of
March in the US), not from meetctl or the time zone database.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest

PROGRAMME = """\
[group]
name = "Night owls"
timezone = "{zone}"

[[series]]
id = "vigil"
title = "Vigil"
rule = "every Sunday"
start = "{start}"
from = 2027-01-01
until = 2027-12-31
"""


def _nth_sunday(year: int, month: int, n: int) -> date:
    """The n-th Sunday of a month; n = -1 for the last."""
    if n == -1:
        day = date(year, month, calendar.monthrange(year, month)[1])
        return day - timedelta(days=(day.weekday() - 6) % 7)
    day = date(year, month, 1)
    return day + timedelta(days=(6 - day.weekday()) % 7 + 7 * (n - 1))


def _warnings(stderr: str) -> list[str]:
    """The clock-change warnings (an overlap with a one-off may be warned of too)."""
    return [line.split(": warning: ", 1)[1] for line in stderr.splitlines() if "' starts at " in line]


def test_london_at_half_past_one_every_sunday_is_warned_of_twice_a_year(cli, write_programme):
    path = write_programme(PROGRAMME.format(zone="Europe/London", start="01:30"))
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert result.exit_code == 1
    spring, autumn = _nth_sunday(2027, 3, -1), _nth_sunday(2027, 10, -1)
    assert _warnings(result.stderr) == [
        f"{spring} 'Vigil' starts at 01:30, a time the clocks skip in Europe/London that day (they go from "
        "01:00 to 02:00): calendars show it at 02:30, and some leave it out; start it outside the change",
        f"{autumn} 'Vigil' starts at 01:30, a time that happens twice in Europe/London that day (the clocks "
        "go back from 02:00 to 01:00): meetctl means the first, 01:30 BST, and some calendars show it twice; "
        "start it outside the change",
    ]
    assert all(line.startswith(f"{path}:5:1: warning: ") for line in result.stderr.splitlines())


def test_melbourne_changes_at_two_in_the_morning_on_its_own_sundays(cli, write_programme):
    path = write_programme(PROGRAMME.format(zone="Australia/Melbourne", start="02:30"))
    result = cli("check", "-f", path, "--today", "2027-01-01")
    assert result.exit_code == 0
    back, forward = _nth_sunday(2027, 4, 1), _nth_sunday(2027, 10, 1)
    found = _warnings(result.stderr)
    assert [w.split(" ", 1)[0] for w in found] == [str(back), str(forward)]
    assert "happens twice in Australia/Melbourne that day (the clocks go back from 03:00 to 02:00)" in found[0]
    assert "02:30 AEDT" in found[0]
    assert "skip in Australia/Melbourne that day (they go from 02:00 to 03:00): calendars show it at 03:30" in found[1]


def test_a_one_off_in_new_york_and_a_series_outside_the_change_hours(cli, write_programme):
    text = (
        PROGRAMME.format(zone="America/New_York", start="01:30")
        + f"""
[[meetings]]
date = {_nth_sunday(2027, 3, 2)}
title = "Spring social"
start = "02:15"

[[meetings]]
date = {_nth_sunday(2027, 11, 1)}
title = "Cancelled one"
start = "01:10"
cancelled = true
"""
    )
    path = write_programme(text)
    found = _warnings(cli("check", "-f", path, "--today", "2027-01-01").stderr)
    # 01:30 is skipped nowhere in New York (02:00 -> 03:00), but happens twice in November.
    assert [w.split(" '", 1)[0] for w in found] == [str(_nth_sunday(2027, 3, 2)), str(_nth_sunday(2027, 11, 1))]
    assert "'Spring social' starts at 02:15, a time the clocks skip" in found[0]
    assert "calendars show it at 03:15" in found[0]
    assert "'Vigil' starts at 01:30, a time that happens twice" in found[1] and "01:30 EDT" in found[1]


@pytest.mark.parametrize(
    ("zone", "start"), [("Europe/London", "03:00"), ("Asia/Tokyo", "01:30"), ("Europe/London", "00:59")]
)
def test_a_start_outside_any_change_is_not_warned_of(cli, write_programme, zone, start):
    path = write_programme(PROGRAMME.format(zone=zone, start=start))
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert result.exit_code == 0, result.stderr


def test_changes_before_today_are_history(cli, write_programme):
    path = write_programme(PROGRAMME.format(zone="Europe/London", start="01:30"))
    found = _warnings(cli("check", "-f", path, "--today", "2027-06-01").stderr)
    assert [w.split(" ", 1)[0] for w in found] == [str(_nth_sunday(2027, 10, -1))]


def test_a_day_that_starts_with_the_change_is_not_a_meeting_in_it(cli, write_programme):
    # Santiago's clocks go forward at midnight (00:00 -> 01:00) on the first Sunday of September:
    # an all-day meeting (midnight to midnight, as import writes one) is not warned of.
    text = PROGRAMME.format(zone="America/Santiago", start="00:00").replace(
        'rule = "every Sunday"', 'rule = "every Sunday"\nduration = "24h"'
    )
    path = write_programme(text)
    result = cli("check", "-f", path, "--today", "2027-01-01", "--strict")
    assert "' starts at " not in result.stderr
