"""End to end: a branch with three streams over a quarter, driven as cron and the secretary drive meetctl.

The branch meets on the second Tuesday of the month, its reading group every
Thursday, and its day school on the last Saturday of March, June, September and
December (six sessions). In the quarter February to April 2027 one reading group is
cancelled and one branch meeting is moved a week later; the clocks go forward on
28 March. Every date and UTC time below is worked out here with the calendar
module and zoneinfo, not taken from meetctl.
"""

from __future__ import annotations

import calendar
import email
import email.policy
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import ROOT
from tests.document_helpers import in_words, parse_html, pdf_reader, pdf_text

LONDON = ZoneInfo("Europe/London")
FIRST, LAST = date(2027, 2, 1), date(2027, 4, 30)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def every(weekday: int, first: date, last: date) -> list[date]:
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    out = []
    while day <= last:
        out.append(day)
        day += timedelta(days=7)
    return out


BRANCH = [nth_weekday(2027, m, calendar.TUESDAY, 2) for m in (2, 3, 4)]
READING = every(calendar.THURSDAY, FIRST, LAST + timedelta(days=7))
DAY_SCHOOL = last_weekday(2027, 3, calendar.SATURDAY)  # the day before the clocks go forward
CANCELLED = [d for d in READING if d.month == 2][2]  # the third Thursday of February
MOVED_FROM = BRANCH[1]
MOVED_TO = MOVED_FROM + timedelta(days=7)
SESSIONS = [
    ("Registration and coffee", "10:00", "10:30"),
    ("Enclosure and resistance in the East Midlands", "10:30", "11:45"),
    ("Commons today: land, water and code", "12:00", "13:00"),
    ("Lunch", "13:00", "14:00"),
    ("Workshops: organising a tenants' union", "14:00", "15:30"),
    ("Plenary: what next for the branch?", "15:45", "17:00"),
]

PROGRAMME = f"""
[group]
name = "Leicester Branch"
timezone = "Europe/London"
email = "secretary@example.org"
mailing_list = "members@example.org"
website = "https://example.org"
welcome = "Members, supporters and anyone curious are very welcome. Entry is free."

[venues.hall]
name = "Community Hall"
address = "1 High Street, Leicester LE1 1AA"
directions = "Five minutes from the railway station: turn left and follow London Road."
accessibility = "Step-free access throughout; a hearing loop in the main hall."

[venues.library]
name = "Central Library"
address = "54 Bishop Street, Leicester LE1 6AA"

[[series]]
id = "branch"
title = "Branch meeting"
rule = "second Tuesday of the month"
start = "19:30"
venue = "hall"
from = 2027-01-01

[[series]]
id = "reading"
title = "Reading group"
rule = "every Thursday"
start = "18:30"
duration = "1h30m"
venue = "library"
from = 2027-01-01

[[series]]
id = "dayschool"
title = "Day school"
rule = "last Saturday of March, June, September and December"
start = "10:00"
duration = "7h"
venue = "hall"
from = 2027-01-01

[[meetings]]
series = "reading"
date = {CANCELLED}
cancelled = true
reason = "The library is closed for stocktaking"

[[meetings]]
series = "branch"
date = {MOVED_TO}
replaces = {MOVED_FROM}
title = "Housing campaign report-back"

[[meetings]]
series = "dayschool"
date = {DAY_SCHOOL}
title = "Spring day school: the commons, old and new"
description = "How land, water and knowledge were enclosed, how people resisted, and what commoning could mean for our town today. Bring a packed lunch."
lead = "The branch education committee"
""" + "".join(
    f'\n[[meetings.sessions]]\ntitle = "{t}"\nstart = "{s}"\nend = "{e}"\nroom = "Main hall"\n'
    f'speakers = ["Speaker {i}a", "Speaker {i}b"]\n'
    for i, (t, s, e) in enumerate(SESSIONS)
)


@pytest.fixture
def programme(write_programme):
    return write_programme(PROGRAMME)


def said(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]}"


def utc(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


# --------------------------------------------------------------------------- cron


def test_cron_over_the_quarter(cli, programme):
    scheduled = (
        [d for d in BRANCH if d != MOVED_FROM] + [MOVED_TO] + [d for d in READING if d != CANCELLED] + [DAY_SCHOOL]
    )
    day = FIRST
    spoke = []
    while day <= LAST - timedelta(days=7):
        result = cli("remind", "-f", programme, "--today", day.isoformat(), "--days", "7", "--days", "1")
        assert result.exit_code == 0, (day, result.stderr)
        out = " ".join(result.stdout.split())
        expected = []
        for n in (7, 1):
            target = day + timedelta(days=n)
            expected += [("reminder", target)] * scheduled.count(target)
            expected += [("cancelled", target)] if target == CANCELLED else []
            expected += [("moved", target)] if target == MOVED_FROM else []
        if not expected:
            assert result.stdout == "", f"cron spoke on {day}: {out}"
        else:
            spoke.append(day)
            counts = {
                "reminder": out.count("Quick reminder"),
                "cancelled": out.count("is CANCELLED."),
                "moved": out.count("has MOVED to"),
            }
            assert counts == {k: sum(1 for x, _ in expected if x == k) for k in counts}, (day, out)
            for _, target in expected:
                assert said(target) in out, (day, target)
        if (day + timedelta(days=7)) == DAY_SCHOOL:
            assert "Timetable:" in result.stdout and "Plenary: what next for the branch?" in result.stdout
        if (day + timedelta(days=7)) == READING[-2] and READING[-2] > date(2027, 3, 28):
            assert "BST (Europe/London)" in out  # after the clocks go forward
        day += timedelta(days=1)
    # Roughly two days a week: a week ahead and the day before each Thursday, plus the rest.
    assert 20 < len(spoke) < 40


def test_cron_for_one_stream_speaks_only_of_it(cli, programme):
    for day in (CANCELLED - timedelta(days=7), MOVED_FROM - timedelta(days=7)):
        out = cli("remind", "-f", programme, "--today", day.isoformat(), "--series", "branch").stdout
        assert ("has MOVED to" in out) == (day == MOVED_FROM - timedelta(days=7))
        assert "Reading group" not in out


def test_the_cancellation_notice_as_cron_pipes_it_to_sendmail(programme, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MEETCTL_STATE_DIR": str(tmp_path)}
    today = (CANCELLED - timedelta(days=7)).isoformat()
    run = [sys.executable, "-m", "meetctl", "remind", "-f", str(programme), "--today", today, "--format", "email"]
    first = subprocess.run(run, capture_output=True, env=env, timeout=60, check=True)
    again = subprocess.run(run, capture_output=True, env=env, timeout=60, check=True)
    msg = email.message_from_bytes(first.stdout, policy=email.policy.default)
    assert msg["Subject"] == f"Cancelled: Thursday {said(CANCELLED)}, 6:30pm: Reading group"
    assert msg["To"] == "members@example.org" and first.stderr == b""
    assert msg["Message-ID"] == email.message_from_bytes(again.stdout, policy=email.policy.default)["Message-ID"]
    body = " ".join(msg.get_body(("plain",)).get_content().split())
    assert "The library is closed for stocktaking" in body
    assert f"After that: Thursday {said(CANCELLED + timedelta(days=7))} 2027, 6:30pm: Reading group" in body


# --------------------------------------------------------------------------- the secretary's documents


def term_flyer(cli, programme, *streams: str):
    args = [a for s in streams for a in ("--series", s)]
    result = cli("flyer", "-f", programme, "--from", str(FIRST), "--to", str(LAST), "--format", "html", *args)
    assert result.exit_code == 0, result.stderr
    return [" ".join(r.text_content().split()) for r in parse_html(result.stdout).cssselect("table.meetings tbody tr")]


def test_each_streams_term_flyer_holds_that_stream(cli, programme):
    reading = term_flyer(cli, programme, "reading")
    assert len(reading) == len([d for d in READING if d <= LAST])
    assert all("Branch" not in r and "Day school" not in r for r in reading)
    (cancelled,) = [r for r in reading if "Cancelled" in r]
    assert cancelled.startswith(in_words(CANCELLED, year=False)) and "stocktaking" in cancelled
    branch = term_flyer(cli, programme, "branch")
    assert [r.split(" Branch")[0].split(" Housing")[0] for r in branch] == [
        in_words(d, year=False) for d in (BRANCH[0], MOVED_TO, BRANCH[2])
    ]
    assert f"moved from Tuesday {said(MOVED_FROM)} 2027" in branch[1]
    # The whole branch: every row says its time and its series.
    everything = term_flyer(cli, programme)
    assert len(everything) == len(reading) + len(branch) + 1
    school = next(r for r in everything if "Spring day school" in r)
    assert "10am to 5pm · Day school" in school


@pytest.mark.parametrize("paper", ["a4", "a5", "letter"])
def test_the_day_school_flyer_is_one_page(cli, programme, paper):
    result = cli("flyer", "-f", programme, "--series", "dayschool", "--today", str(FIRST), "--paper", paper,
                 "--format", "pdf")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert len(pdf_reader(result.stdout_bytes).pages) == 1
    text = " ".join(pdf_text(result.stdout_bytes).split())
    assert "Plenary: what next for the branch?" in text and "Entry is free." in text
    assert in_words(DAY_SCHOOL) in text


def test_each_streams_announcement(cli, programme):
    def announce(*args: str) -> str:
        result = cli("announce", "-f", programme, "--from", str(FIRST), "--to", str(LAST), *args)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    branch = announce("--series", "branch")
    assert "Reading group" not in branch and "Day school" not in branch
    assert f"(moved from Tuesday {said(MOVED_FROM)} 2027)" in " ".join(branch.split())
    reading = announce("--series", "reading", "--format", "markdown")
    assert f"### {in_words(CANCELLED)}: Reading group (CANCELLED)" in reading and "~~" not in reading
    assert "Branch meeting" not in reading
    school = announce("--series", "dayschool")
    assert "10am–10:30am  Registration and coffee" in school
    everything = " ".join(announce().split())
    assert f"{in_words(MOVED_TO)}, 7:30pm, Branch meeting Housing campaign report-back" in everything
    assert f"{in_words(DAY_SCHOOL)}, 10am, Day school Spring day school" in everything


# --------------------------------------------------------------------------- what subscribers see


def test_what_calendar_subscribers_see(cli, programme, tmp_path):
    import icalendar
    import recurring_ical_events

    path = tmp_path / "branch.ics"
    assert cli("ical", "-f", programme, "-o", path).exit_code == 0
    events = recurring_ical_events.of(icalendar.Calendar.from_ical(path.read_bytes())).between(FIRST, LAST + timedelta(days=1))
    shown = {(ev["dtstart"].dt.astimezone(UTC), str(ev["summary"]), str(ev.get("status", "CONFIRMED"))) for ev in events}
    expected = {(utc(d, "18:30"), "Reading group") for d in READING if d <= LAST and d != CANCELLED}
    expected |= {(utc(d, "19:30"), "Branch meeting") for d in BRANCH if d != MOVED_FROM}
    expected.add((utc(MOVED_TO, "19:30"), "Housing campaign report-back"))
    expected.add((utc(DAY_SCHOOL, "10:00"), "Spring day school: the commons, old and new"))
    # Every session of the day school is an event of its own too.
    expected |= {(utc(DAY_SCHOOL, start), title) for title, start, _ in SESSIONS}
    assert {(start, summary) for start, summary, status in shown if status != "CANCELLED"} == expected
    # The clocks went forward on 28 March: April's reading groups start at 17:30 UTC, 18:30 local.
    april = [start for start, summary, _ in shown if summary == "Reading group" and start.month == 4]
    assert april and {(s.hour, s.minute) for s in april} == {(17, 30)}
    # The cancelled reading group is never shown as happening: either gone, or marked CANCELLED
    # (the override with STATUS:CANCELLED is the calendars issue's work).
    at_cancelled = {status for start, _, status in shown if start == utc(CANCELLED, "18:30")}
    assert at_cancelled in (set(), {"CANCELLED"})
    # The moved meeting's old evening is empty.
    assert not any(start == utc(MOVED_FROM, "19:30") for start, _, _ in shown)
