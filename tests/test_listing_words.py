"""How `list`, `next` and `remind` say dates and times: unpadded days in sentences, all-day events as "all day"."""

from __future__ import annotations

from datetime import date, timedelta

ALL_DAY_ICS = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:day-school@test
DTSTAMP:20270101T000000Z
DTSTART;VALUE=DATE:20270320
DTEND;VALUE=DATE:20270321
SUMMARY:Day school
END:VEVENT
BEGIN:VEVENT
UID:conference@test
DTSTAMP:20270101T000000Z
DTSTART;VALUE=DATE:20270402
DTEND;VALUE=DATE:20270405
SUMMARY:Weekend conference
END:VEVENT
END:VCALENDAR
"""


def test_imported_all_day_events_are_listed_as_all_day(cli, tmp_path):
    ics = tmp_path / "old.ics"
    ics.write_text(ALL_DAY_ICS)
    programme = tmp_path / "programme.toml"
    assert cli("import", ics, "-o", programme).exit_code == 0
    listing = cli("list", "-f", programme, "--from", "2027-01-01").stdout.splitlines()
    assert listing[0].split() == ["Sat", "20", "Mar", "2027", "all", "day", "Day", "school"]
    assert "all day (to Sun 4 Apr)" in listing[1] and "00:00" not in "\n".join(listing)
    assert cli("next", "-f", programme, "--today", "2027-03-01").stdout.startswith(
        "Saturday 20 March 2027, all day (UTC)\n"
    )
    reminder = cli("remind", "-f", programme, "--today", "2027-03-13").stdout
    assert "next Saturday, 20 March, all day." in reminder and "midnight" not in reminder


def test_a_moved_meeting_says_its_old_date_unpadded(cli, write_programme):
    old = date(2027, 3, 9)  # the second Tuesday of March 2027: a one-digit day
    new = old + timedelta(days=7)
    path = write_programme(
        f"""
        [[series]]
        id = "branch"
        title = "Branch meeting"
        rule = "second Tuesday of the month"
        start = "19:30"
        venue = "hall"
        from = 2027-01-01

        [[meetings]]
        series = "branch"
        date = {new}
        replaces = {old}
        """,
        header=True,
    )
    out = cli("list", "-f", path, "--from", str(new), "--to", str(new)).stdout
    assert "(moved from Tue 9 Mar)" in out
