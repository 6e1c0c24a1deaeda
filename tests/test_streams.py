"""Several streams in one programme: --series ID (repeatable) and --one-offs on every reading command."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.conftest import HEADER

#: A branch with a monthly meeting, a weekly reading group and a one-off day school.
BRANCH = HEADER + """
[[series]]
id = "branch"
title = "Branch meeting"
rule = "first Tuesday of the month"
start = "19:30"
venue = "hall"
from = 2027-01-01

[[series]]
id = "reading"
title = "Reading group"
rule = "every Thursday"
start = "18:30"
duration = "90m"
venue = "hall"
from = 2027-01-01

[[meetings]]
date = 2027-02-13
title = "Day school"
start = "10:00"
duration = "6h"
venue = "hall"
"""

#: Every reading command, with what it needs besides -f to read a programme.
READING_COMMANDS = [
    ("list", "--from", "2027-01-01"),
    ("next",),
    ("remind",),
    ("announce",),
    ("flyer", "-o", "-"),
    ("report", "-o", "-", "2027-01-07"),
    ("stats",),
    ("ical",),
    ("clashes", "--with", "other.ics"),
    ("publish", "--caldav", "http://127.0.0.1:9/cal/", "--dry-run"),
]


def _thursdays(first: date, last: date) -> list[date]:
    day = first + timedelta(days=(3 - first.weekday()) % 7)
    out = []
    while day <= last:
        out.append(day)
        day += timedelta(days=7)
    return out


def _first_tuesdays(year: int, months: range) -> list[date]:
    out = []
    for month in months:
        day = date(year, month, 1)
        out.append(day + timedelta(days=(1 - day.weekday()) % 7))
    return out


@pytest.fixture
def branch(write_programme):
    return write_programme(BRANCH)


def _listed(cli, path, *args: str) -> list[dict]:
    result = cli("list", "-f", path, "--from", "2027-01-01", "--to", "2027-03-31", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_list_one_series_gives_only_its_dates(cli, branch):
    items = _listed(cli, branch, "--series", "reading")
    assert [i["date"] for i in items] == [d.isoformat() for d in _thursdays(date(2027, 1, 1), date(2027, 3, 31))]
    assert {i["series"] for i in items} == {"reading"}


def test_series_is_repeatable_and_one_offs_combine(cli, branch):
    both = _listed(cli, branch, "--series", "branch", "--one-offs")
    expected = sorted([d.isoformat() for d in _first_tuesdays(2027, range(1, 4))] + ["2027-02-13"])
    assert [i["date"] for i in both] == expected
    assert [i["series"] for i in _listed(cli, branch, "--one-offs")] == [None]
    everything = _listed(cli, branch)
    two = _listed(cli, branch, "--series", "branch", "--series", "reading")
    assert len(two) == len(everything) - 1


@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: c[0])
def test_unknown_series_is_exit_2_with_a_suggestion_on_every_reading_command(cli, branch, command):
    result = cli(*command, "-f", branch, "--series", "readign", "--today", "2027-01-01")
    assert result.exit_code == 2, result.output
    assert result.stderr == "meetctl: error: --series: unknown series 'readign' (did you mean 'reading'?)\n"


@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: c[0])
def test_every_reading_command_offers_both_options(cli, command):
    text = cli(command[0], "--help").stdout
    assert "--series" in text and "--one-offs" in text


def test_next_of_one_series(cli, branch):
    result = cli("next", "-f", branch, "--series", "branch", "--json", "--today", "2027-01-08")
    assert json.loads(result.stdout)["date"] == "2027-02-02"
    result = cli("next", "-f", branch, "--one-offs", "--json", "--today", "2027-01-08")
    assert json.loads(result.stdout)["date"] == "2027-02-13"


def test_ical_of_one_series_keeps_the_whole_calendars_uids(cli, branch):
    import icalendar

    def uids(*args: str) -> dict[str, str]:
        data = cli("ical", "-f", branch, *args).stdout_bytes
        cal = icalendar.Calendar.from_ical(data)
        return {str(ev["SUMMARY"]): str(ev["UID"]) for ev in cal.walk("VEVENT")}

    whole = uids()
    assert set(whole) == {"Branch meeting", "Reading group", "Day school"}
    assert uids("--series", "reading") == {"Reading group": whole["Reading group"]}
    assert uids("--one-offs") == {"Day school": whole["Day school"]}


def test_flyer_of_one_series_holds_only_its_meetings(cli, branch):
    result = cli("flyer", "-f", branch, "--series", "branch", "--from", "2027-01-01", "--to", "2027-03-31", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "Branch meeting" in result.stdout
    assert "Reading group" not in result.stdout and "Day school" not in result.stdout


def test_flyer_for_a_date_where_two_streams_meet_is_chosen_by_series(cli, write_programme):
    # The first Thursday of the month is both a branch and a reading-group date here.
    path = write_programme(BRANCH.replace("first Tuesday", "first Thursday"))
    both = cli("flyer", "-f", path, "2027-01-07", "-o", "-")
    assert both.exit_code == 2 and "choose one with --series ID" in both.stderr
    one = cli("flyer", "-f", path, "2027-01-07", "--series", "reading", "-o", "-")
    assert one.exit_code == 0, one.stderr
    assert "Reading group" in one.stdout and "Branch meeting" not in one.stdout


def test_announce_of_one_stream(cli, branch):
    result = cli("announce", "-f", branch, "--from", "2027-01-01", "--to", "2027-03-31", "--one-offs")
    assert result.exit_code == 0, result.stderr
    assert "Day school" in result.stdout and "Reading group" not in result.stdout


def test_remind_speaks_only_of_the_chosen_stream(cli, branch):
    # 2027-02-06: a week before the day school (Sat 13 Feb) and before no reading group (Thursdays).
    result = cli("remind", "-f", branch, "--today", "2027-02-06", "--series", "reading")
    assert result.exit_code == 0 and result.stdout == ""
    result = cli("remind", "-f", branch, "--today", "2027-02-06", "--one-offs")
    assert "Day school" in result.stdout


def test_stats_of_one_stream(cli, write_programme):
    path = write_programme(BRANCH + """
[[meetings]]
series = "reading"
date = 2027-01-07
attendance = 5

[[meetings]]
series = "branch"
date = 2027-01-05
attendance = 20
""")
    result = cli("stats", "-f", path, "--series", "reading", "--json", "--today", "2027-03-01")
    assert [(r["date"], r["attendance"]) for r in json.loads(result.stdout)] == [("2027-01-07", 5)]


def test_a_real_process_lists_one_stream_piped(branch):
    import subprocess
    import sys
    from pathlib import Path

    script = str(Path(sys.executable).parent / "meetctl")
    proc = subprocess.run([script, "list", "-f", str(branch), "--series", "branch", "--from", "2027-01-01",
                           "--to", "2027-03-31"], capture_output=True, text=True)  # fmt: skip
    assert (proc.returncode, proc.stderr) == (0, "")
    days = [line[:15] for line in proc.stdout.splitlines()]
    assert days == [f"{d:%a} {d.day:2d} {d:%b %Y}" for d in _first_tuesdays(2027, range(1, 4))]
    assert all("Branch meeting" in line for line in proc.stdout.splitlines())


def test_the_report_says_how_to_record_attendance_for_the_right_stream(cli, write_programme):
    path = write_programme(BRANCH.replace("first Tuesday", "first Thursday"))
    result = cli("report", "-f", path, "2027-01-07", "--series", "branch", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "`meetctl record 2027-01-07 --series branch --attendance N`" in result.stdout
