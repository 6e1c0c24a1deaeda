"""`meetctl remind` as cron and a secretary use it: what is due, and how the reminder reads."""

from __future__ import annotations

import calendar
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from meetctl.mail.reminders import md_escape, relative_day
from tests.conftest import EXAMPLE, HEADER, MONTHLY, ROOT

ANNEX = """
[venues.annex]
name = "The Annex"
address = "3 Back Lane, Leicester LE2 2BB"
directions = "Round the back of the library."
"""


def last_weekday(year: int, month: int, weekday: int) -> date:
    """The last `weekday` (0 = Monday) of a month, by plain calendar arithmetic."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def remind(cli, path: Path, today: date, *args: str):
    return cli("remind", "-f", path, "--today", today.isoformat(), *args)


# --------------------------------------------------------------------------- what is due


def test_nothing_due_prints_nothing_at_all(cli):
    meeting = last_weekday(2017, 2, 2)  # 22 February 2017
    result = remind(cli, EXAMPLE, meeting - timedelta(days=6))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == ""


def test_due_exactly_seven_days_ahead_by_default(cli):
    meeting = last_weekday(2017, 2, 2)
    result = remind(cli, EXAMPLE, meeting - timedelta(days=7))
    assert result.exit_code == 0, result.stderr
    assert "100th anniversary of the Russian revolution" in result.stdout
    assert remind(cli, EXAMPLE, meeting - timedelta(days=8)).stdout == ""


def test_days_is_repeatable_for_a_week_ahead_and_the_day_before(cli):
    meeting = last_weekday(2017, 2, 2)
    for before in (7, 1):
        result = remind(cli, EXAMPLE, meeting - timedelta(days=before), "--days", "7", "--days", "1")
        assert "100th anniversary" in result.stdout, before
    assert remind(cli, EXAMPLE, meeting - timedelta(days=3), "--days", "7", "--days", "1").stdout == ""


def test_two_reminders_due_the_same_day_are_both_written(cli, write_programme):
    # A weekly group: reminded a week ahead and the day before, 6 days apart, both fall due.
    path = write_programme(
        """
        [[series]]
        id = "reading"
        title = "Reading group"
        rule = "every Monday and Tuesday"
        start = "19:00"
        venue = "hall"
        from = 2024-01-01
        """,
        header=True,
    )
    today = date(2024, 1, 8)  # a Monday: tomorrow is a Tuesday, and next Monday is in 7 days
    result = remind(cli, path, today, "--days", "1", "--days", "7")
    assert result.stdout.count("Quick reminder") == 2
    assert "tomorrow, Tuesday 9 January" in result.stdout
    assert "next Monday, 15 January" in result.stdout
    assert "=" * 72 in result.stdout  # a rule between the two


@pytest.mark.parametrize("year, month", [(2017, 1), (2017, 4), (2024, 2), (2023, 2), (2017, 12)])
def test_due_across_month_ends(cli, write_programme, year, month):
    path = write_programme(
        """
        [[series]]
        id = "monthly"
        title = "Month-end social"
        rule = "last day of the month"
        start = "19:00"
        venue = "hall"
        from = 2017-01-01
        """,
        header=True,
    )
    meeting = date(year, month, calendar.monthrange(year, month)[1])
    for days in (1, 7, 10):
        result = remind(cli, path, meeting - timedelta(days=days), "--days", str(days))
        assert result.exit_code == 0, result.stderr
        assert f"{meeting.day} {calendar.month_name[meeting.month]}" in result.stdout, (meeting, days)
    # And the first day of the next month has no meeting to remind about.
    assert remind(cli, path, meeting, "--days", "1").stdout == ""


def test_due_around_the_spring_clock_change(cli, write_programme):
    # London's clocks go forward on the last Sunday of March.
    change = last_weekday(2017, 3, 6)
    path = write_programme(
        f"""
        [[meetings]]
        date = {change.isoformat()}
        title = "Sunday social"
        start = "19:00"
        venue = "hall"
        """,
        header=True,
    )
    result = remind(cli, path, change - timedelta(days=7))
    assert "7pm to 9pm BST (Europe/London)" in result.stdout
    result = remind(cli, path, change - timedelta(days=1), "--days", "1")
    assert f"tomorrow, Sunday {change.day} March, at 7pm" in " ".join(result.stdout.split())


def test_a_start_in_the_spring_gap_is_still_due_on_its_day(cli, write_programme):
    change = last_weekday(2017, 3, 6)
    path = write_programme(
        f"""
        [[meetings]]
        date = {change.isoformat()}
        title = "All-nighter"
        start = "01:30"
        venue = "hall"
        """,
        header=True,
    )
    result = remind(cli, path, change - timedelta(days=1), "--days", "1")
    assert "at 2:30am." in " ".join(result.stdout.split())  # 01:30 does not exist that night; 02:30 BST does


def test_autumn_clock_change_keeps_local_times(cli, write_programme):
    change = last_weekday(2017, 10, 6)
    path = write_programme(MONTHLY.replace("last Wednesday", "last Sunday"), header=True)
    result = remind(cli, path, change - timedelta(days=7))
    assert "7pm to 9pm GMT (Europe/London)" in result.stdout
    assert remind(cli, path, change - timedelta(days=8)).stdout == ""


@pytest.mark.parametrize("zone", ["Europe/London", "Europe/Paris", "America/New_York"])
def test_a_meeting_at_half_past_midnight_is_due_on_its_own_local_date(cli, write_programme, zone):
    day = date(2017, 3, 1)
    path = write_programme(
        HEADER.replace("Europe/London", zone)
        + f"""
[[meetings]]
date = {day.isoformat()}
title = "Night shift meeting"
start = "00:30"
venue = "hall"
"""
    )
    result = remind(cli, path, day - timedelta(days=1), "--days", "1")
    assert "tomorrow, Wednesday 1 March, at 12:30am" in " ".join(result.stdout.split())
    assert remind(cli, path, day - timedelta(days=2), "--days", "1").stdout == ""
    assert remind(cli, path, day, "--days", "1").stdout == ""


def test_cancelled_meetings_get_a_notice_not_a_reminder(cli, write_programme):
    meeting = last_weekday(2017, 2, 2)
    path = write_programme(
        MONTHLY
        + f"""
[[meetings]]
series = "discussion"
date = {meeting.isoformat()}
cancelled = true
reason = "Venue flooded"
""",
        header=True,
    )
    out = remind(cli, path, meeting - timedelta(days=7)).stdout
    assert "Quick reminder" not in out
    assert " ".join(out.split()).startswith(
        f"Please note: the meeting next Wednesday, {meeting.day} February, at 7pm (Discussion) is CANCELLED."
    )
    assert "Reason: Venue flooded" in out
    assert remind(cli, path, meeting - timedelta(days=6)).stdout == ""


# --------------------------------------------------------------------------- wording


@pytest.mark.parametrize(
    "today, day, expected",
    [
        (date(2017, 2, 22), date(2017, 2, 22), "today, Wednesday 22 February"),
        (date(2017, 2, 21), date(2017, 2, 22), "tomorrow, Wednesday 22 February"),
        (date(2017, 2, 22), date(2017, 2, 25), "this Saturday, 25 February"),
        (date(2017, 2, 20), date(2017, 2, 26), "this Sunday, 26 February"),  # Monday to Sunday: same week
        (date(2017, 2, 15), date(2017, 2, 22), "next Wednesday, 22 February"),  # the issue's example
        (date(2017, 2, 18), date(2017, 2, 22), "next Wednesday, 22 February"),  # Saturday: over the weekend
        (date(2017, 2, 19), date(2017, 2, 21), "next Tuesday, 21 February"),  # Sunday: the week turns
        (date(2017, 2, 20), date(2017, 2, 27), "next Monday, 27 February"),
        (date(2017, 2, 12), date(2017, 2, 22), "on Wednesday 22 February"),  # the week after next
        (date(2017, 12, 27), date(2018, 1, 3), "next Wednesday, 3 January 2018"),
        (date(2017, 12, 31), date(2018, 1, 1), "tomorrow, Monday 1 January 2018"),
    ],
)
def test_relative_day_words(today, day, expected):
    assert relative_day(today, day) == expected


def test_the_issue_example_keeps_same_time_and_venue(cli):
    meeting = last_weekday(2017, 2, 2)
    out = remind(cli, EXAMPLE, meeting - timedelta(days=7)).stdout
    first_paragraph = " ".join(out.split("\n\n")[0].split())
    assert first_paragraph == (
        "Quick reminder: our next meeting is next Wednesday, 22 February, at 7pm — same time and venue."
    )
    assert "NOTE" not in out
    for expected in (
        "What can we learn from it?",
        "When:        Wednesday 22 February 2017, 7pm to 9pm GMT (Europe/London)",
        "Where:       Regent Sports & Social Club",
        "             102 Regent Road, Leicester LE1 7DA",
        "             A short walk from Leicester train station.",
        "Leading off: A left communist friend of the group",
        "Everyone is welcome: members, sympathisers and the curious.",
        "After that: Wednesday 29 March 2017, 7pm: How could a libertarian",
        "-- \nLeicester Anarchist Federation\nhttps://example.org\n",
    ):
        assert expected in out


def _described(write_programme, meeting_lines: str, extra: str = "", series: str = MONTHLY):
    return write_programme(series + extra + "\n[[meetings]]\nseries = \"discussion\"\n" + meeting_lines, header=True)


def test_a_different_venue_is_flagged(cli, write_programme):
    meeting = last_weekday(2017, 2, 2)
    path = _described(write_programme, f'date = {meeting}\nvenue = "annex"\n', ANNEX)
    out = remind(cli, path, meeting - timedelta(days=7)).stdout
    assert "same time and venue" not in out
    assert "NOTE: different venue this month: The Annex, not the usual Community Hall." in " ".join(out.split())
    assert "Where: The Annex\n       3 Back Lane, Leicester LE2 2BB\n       Round the back of the library." in out


def test_a_different_time_is_flagged(cli, write_programme):
    meeting = last_weekday(2017, 2, 2)
    path = _described(write_programme, f'date = {meeting}\nstart = "18:30"\n')
    out = remind(cli, path, meeting - timedelta(days=7)).stdout
    assert "at 6:30pm." in " ".join(out.split())
    assert "NOTE: different time this month: starts at 6:30pm, not the usual 7pm." in " ".join(out.split())


def test_a_longer_meeting_is_flagged(cli, write_programme):
    meeting = last_weekday(2017, 2, 2)
    path = _described(write_programme, f'date = {meeting}\nduration = "3h"\n')
    out = " ".join(remind(cli, path, meeting - timedelta(days=7)).stdout.split())
    assert "NOTE: different finishing time this month: 10pm, not the usual 9pm." in out


def test_a_moved_date_is_flagged(cli, write_programme):
    usual = last_weekday(2017, 2, 2)
    moved = usual - timedelta(days=1)  # the Tuesday before
    path = _described(write_programme, f"date = {moved}\nreplaces = {usual}\n")
    out = " ".join(remind(cli, path, moved - timedelta(days=7)).stdout.split())
    assert f"next Tuesday, {moved.day} February, at 7pm." in out
    assert f"NOTE: different date this month: moved from Wednesday {usual.day} February." in out
    assert "same time and venue" not in out
    # A week before the date it moved from, members hear of the move (see test_remind_changes.py).
    before_old = " ".join(remind(cli, path, usual - timedelta(days=7)).stdout.split())
    assert before_old.startswith(
        f"Please note: the meeting that was to be next Wednesday, {usual.day} February (Discussion) has MOVED to"
    )


def test_a_weekly_series_says_this_week(cli, write_programme):
    path = write_programme(
        MONTHLY.replace("last Wednesday of the month", "every Wednesday")
        + ANNEX
        + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-02-22\nvenue = "annex"\n',
        header=True,
    )
    out = " ".join(remind(cli, path, date(2017, 2, 15)).stdout.split())
    # Tonight's meeting comes first, so this one is not "our next".
    assert "Quick reminder: we meet next Wednesday, 22 February, at 7pm." in out
    assert "NOTE: different venue this week: The Annex" in out


def test_a_multi_day_meeting_says_until(cli, write_programme):
    first = date(2019, 1, 2)
    last = first + timedelta(days=4)
    path = write_programme(
        f"""
        [[meetings]]
        date = {first}
        end_date = {last}
        title = "Winter school"
        start = "10:00"
        duration = "7h"
        venue = "hall"
        """,
        header=True,
    )
    out = " ".join(remind(cli, path, first - timedelta(days=7)).stdout.split())
    assert "our next meeting is next Wednesday, 2 January 2019, at 10am, until Sunday 6 January 2019." in out
    assert "When: Wednesday 2 January 2019, 10am to Sunday 6 January 2019, 5pm GMT (Europe/London)" in out


def test_a_one_off_has_no_usual_slot_to_compare(cli, write_programme):
    day = date(2017, 5, 13)
    path = write_programme(
        f"""
        [[meetings]]
        date = {day}
        title = "May Day social"
        start = "14:00"
        venue = "hall"
        lead = "Sam"
        """,
        header=True,
    )
    out = remind(cli, path, day - timedelta(days=2), "--days", "2").stdout
    assert "Quick reminder: our next meeting is this Saturday, 13 May, at 2pm.\n" in out
    assert "same time" not in out and "NOTE" not in out
    assert "After that" not in out  # nothing after it
    assert "Leading off: Sam" in out
    assert "Where:       Community Hall\n             1 High Street, Leicester LE1 1AA" in out


def test_text_is_wrapped_at_72_columns(cli, write_programme):
    meeting = last_weekday(2017, 2, 2)
    long = "Why do we keep meeting in the back rooms of pubs when there are " * 5
    path = _described(write_programme, f'date = {meeting}\ndescription = "{long.strip()}"\n')
    out = remind(cli, path, meeting - timedelta(days=7)).stdout
    assert max(len(line) for line in out.splitlines()) <= 72
    assert " ".join(long.split()) in " ".join(out.split())


def test_markdown_format(cli, write_programme):
    meeting = last_weekday(2017, 2, 2)
    path = _described(write_programme, f'date = {meeting}\ntitle = "*Not* [a link](http://x) <b>"\n')
    out = remind(cli, path, meeting - timedelta(days=7), "--format", "markdown").stdout
    assert out.startswith("Quick reminder: our next meeting is next Wednesday, 22 February, at 7pm")
    assert "## \\*Not\\* \\[a link\\](http://x) \\<b\\>\n" in out
    assert "- **When:** Wednesday 22 February 2017, 7pm to 9pm GMT (Europe/London)" in out
    assert "- **Where:** Community Hall  \n  1 High Street, Leicester LE1 1AA" in out


def test_md_escape_keeps_text_literal():
    assert md_escape("1. not a list") == "1\\. not a list"
    assert md_escape("- nor this") == "\\- nor this"
    assert md_escape("a_b*c`d") == "a\\_b\\*c\\`d"


# --------------------------------------------------------------------------- usage errors


def test_usage_errors_are_one_line_and_exit_2(cli):
    cases = [
        (["--days", "-1"], "-1"),
        (["--format", "pdf"], "pdf"),
        (["--to", "members@example.org"], "--to is for --format email, --format mbox or --send"),
            (["--catch-up", "2"], "--catch-up is for --send"),
        (["--send", "--format", "markdown"], "--send sends email"),
        (["--today", "2017-02-30"], "--today: invalid date"),
    ]
    for args, message in cases:
        result = cli("remind", "-f", EXAMPLE, *args)
        assert result.exit_code == 2, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_a_broken_programme_is_reported_where_it_is_wrong(cli, write_programme):
    path = write_programme(MONTHLY.replace('venue = "hall"', 'venue = "hal"'), header=True)
    result = cli("remind", "-f", path, "--today", "2017-02-15")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:")
    assert "unknown venue 'hal' (did you mean 'hall'?)" in result.stderr


# --------------------------------------------------------------------------- the installed command


def _meetctl() -> str:
    return str(Path(sys.executable).parent / "meetctl")


def test_installed_meetctl_is_silent_when_nothing_is_due():
    env = {**os.environ, "MEETCTL_TODAY": "", "MEETCTL_FILE": str(EXAMPLE)}
    result = subprocess.run([_meetctl(), "remind", "--today", "2017-02-16"], capture_output=True, text=True, env=env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    result = subprocess.run([_meetctl(), "remind", "--today", "2017-02-15"], capture_output=True, text=True, env=env)
    assert result.returncode == 0
    assert "Quick reminder: our next meeting is next Wednesday, 22 February" in result.stdout


def test_nothing_due_loads_no_heavy_module():
    # What cron runs every day: it must not pay for icalendar, jinja2, email or rich.
    code = (
        "import sys\n"
        "from meetctl.cli import app\n"
        "try:\n"
        f"    app(['remind', '-f', {str(EXAMPLE)!r}, '--today', '2017-02-16', '--days', '7', '--days', '1'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = ('icalendar', 'jinja2', 'rich', 'email.mime', 'email.message', 'smtplib', 'ssl', 'html', 'hashlib')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_when_due_the_email_machinery_does_load():
    # The counterpart of the test above, so that it is known to be able to fail.
    code = (
        "import sys\n"
        "from meetctl.cli import app\n"
        "try:\n"
        f"    app(['remind', '-f', {str(EXAMPLE)!r}, '--today', '2017-02-15', '--format', 'email'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(','.join(m for m in ('icalendar', 'email.message') if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stderr.strip() == "icalendar,email.message"


def test_a_day_school_lists_its_timetable_chair_and_speakers(cli, write_programme):
    first = date(2019, 1, 2)
    path = write_programme(
        f"""
        [venues.centre]
        name = "Conference Centre"
        accessibility = "Step-free throughout."

        [[meetings]]
        date = {first}
        end_date = {first + timedelta(days=4)}
        title = "Winter school"
        start = "10:00"
        duration = "7h"
        venue = "centre"
        chair = "Pat"
        speakers = ["Ann", "Bo"]

        [[meetings.sessions]]
        title = "Opening plenary"
        start = "10:00"
        end = "12:00"
        room = "Main hall"
        """,
        header=True,
    )
    out = remind(cli, path, first - timedelta(days=7)).stdout
    assert "Access:   Step-free throughout.\nChair:    Pat\nSpeakers: Ann, Bo\n" in out
    assert "Timetable:\n  Wed 2 Jan 10:00-12:00 Opening plenary (Main hall)\n" in out


def test_a_series_with_no_venue_is_the_same_time_not_the_same_venue(cli, write_programme):
    path = write_programme(MONTHLY.replace('venue = "hall"\n', ""), header=True)
    meeting = last_weekday(2017, 2, 2)
    out = " ".join(remind(cli, path, meeting - timedelta(days=7)).stdout.split())
    assert f"next Wednesday, {meeting.day} February, at 7pm — same time." in out
    assert "venue" not in out
