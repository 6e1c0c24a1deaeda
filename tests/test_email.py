"""`meetctl remind --format email`: a complete RFC 5322 message, read back with the standard library."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import EXAMPLE, HEADER

LONDON = ZoneInfo("Europe/London")
REMIND_DAY = date(2017, 2, 15)  # a week before the 22 February meeting


def calendar_of(msg: EmailMessage):
    """The attached .ics, read back with icalendar (and its method parameter)."""
    import icalendar

    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    return part, icalendar.Calendar.from_ical(part.get_content())


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def remind_email(cli, path: Path, today: date = REMIND_DAY, *args: str):
    return cli("remind", "-f", path, "--today", today.isoformat(), "--format", "email", *args)


def raw_of(result) -> bytes:
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def test_round_trip_of_the_example(cli):
    raw = raw_of(remind_email(cli, EXAMPLE))
    msg = parse(raw)
    assert msg["From"] == "Leicester Anarchist Federation <secretary@example.org>"
    assert msg["To"] == "discuss@lists.example.org"
    assert msg["Subject"] == "Reminder: Wednesday 22 February, 7pm: 100th anniversary of the Russian revolution"
    assert parsedate_to_datetime(msg["Date"]) == datetime(2017, 2, 15, tzinfo=LONDON)
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@example.org>")
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar",
    ]  # fmt: skip
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    # Lists strip attachments: the plain text alone carries date, time with zone, place and title.
    for needed in (
        "100th anniversary of the Russian revolution",
        "Wednesday 22 February 2017, 7pm to 9pm GMT (Europe/London)",
        "Regent Sports & Social Club",
        "102 Regent Road, Leicester LE1 7DA",
    ):
        assert needed in text
    assert "<h2>100th anniversary of the Russian revolution</h2>" in html
    assert "Regent Sports &amp; Social Club" in html


def test_crlf_line_ends_throughout(cli):
    raw = raw_of(remind_email(cli, EXAMPLE))
    assert raw.count(b"\n") == raw.count(b"\r\n") > 20
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78


def test_the_attachment_is_the_same_event_as_the_calendar(cli):
    msg = parse(raw_of(remind_email(cli, EXAMPLE)))
    listed = json.loads(cli("list", "-f", EXAMPLE, "--from", "2017-02-22", "--to", "2017-02-22", "--json").stdout)[0]
    part, cal = calendar_of(msg)
    assert part.get_param("method") == "PUBLISH"
    assert part.get_filename().endswith(".ics")
    assert str(cal["METHOD"]) == "PUBLISH"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == listed["uid"]
    assert event.decoded("RECURRENCE-ID") == datetime.fromisoformat(listed["recurrence_id"])
    assert event.decoded("DTSTART") == datetime.fromisoformat(listed["start"])
    assert event.decoded("DTEND") == datetime.fromisoformat(listed["end"])
    assert str(event["SUMMARY"]) == listed["title"]
    assert "102 Regent Road" in str(event["LOCATION"])


def test_a_one_off_has_no_recurrence_id(cli, write_programme):
    path = write_programme(
        '[[meetings]]\ndate = 2017-02-22\ntitle = "Social"\nstart = "19:00"\nvenue = "hall"\n', header=True
    )
    msg = parse(raw_of(remind_email(cli, path)))
    (event,) = calendar_of(msg)[1].walk("VEVENT")
    assert "RECURRENCE-ID" not in event
    listed = json.loads(cli("list", "-f", path, "--from", "2017-02-22", "--json").stdout)[0]
    assert str(event["UID"]) == listed["uid"]


def test_same_input_same_bytes_and_a_stable_message_id(cli):
    first = raw_of(remind_email(cli, EXAMPLE))
    assert raw_of(remind_email(cli, EXAMPLE)) == first
    # The day-before reminder of the same meeting is a different message.
    day_before = parse(raw_of(remind_email(cli, EXAMPLE, date(2017, 2, 21), "--days", "1")))
    assert day_before["Message-ID"] != parse(first)["Message-ID"]
    assert day_before["Subject"] == parse(first)["Subject"]


def test_to_overrides_the_mailing_list(cli):
    msg = parse(raw_of(remind_email(cli, EXAMPLE, REMIND_DAY, "--to", "Members <members@example.net>",
                                    "--to", "chair@example.net")))  # fmt: skip
    assert msg["To"] == "Members <members@example.net>, chair@example.net"


# --------------------------------------------------------------------------- header injection

INJECTING = (
    HEADER.replace('name = "Test Group"', 'name = "Test Group\\r\\nBcc: spy@evil.example"')
    + """
[[meetings]]
date = 2017-02-22
title = "Evil\\nBcc: victim@evil.example\\nX-Injected: yes\\n"
start = "19:00"
venue = "hall"
"""
)


def test_titles_and_names_cannot_inject_headers(cli, write_programme):
    # A line break in a one-line field is refused when the programme is read, so it never reaches a header.
    result = remind_email(cli, write_programme(INJECTING))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert any(": error: group.name: must be one line of text; it contains a line break" in line for line in lines)
    assert any(": error: meetings[1].title: must be one line of text; it contains a line break" in line for line in lines)
    assert all(":" in line.split(" error: ")[0] for line in lines)


def test_a_to_address_with_a_newline_is_refused(cli):
    result = remind_email(cli, EXAMPLE, REMIND_DAY, "--to", "a@example.org\nBcc: spy@evil.example")
    assert result.exit_code == 2
    assert result.stderr.startswith("meetctl: error: --to: not one email address")
    assert result.stdout == ""


def test_markup_in_a_title_is_escaped_in_html(cli, write_programme):
    path = write_programme(
        '[[meetings]]\ndate = 2017-02-22\ntitle = "<script>alert(1)</script> & co"\nstart = "19:00"\n', header=True
    )
    msg = parse(raw_of(remind_email(cli, path)))
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_non_ascii_survives_encoded(cli, write_programme):
    path = write_programme(
        HEADER.replace('name = "Test Group"', 'name = "Groupe Émile Zola"')
        + '\n[[meetings]]\ndate = 2017-02-22\ntitle = "Café-débat : « Liberté » 🌹"\nstart = "19:00"\n'
        'venue = "hall"\nlead = "Zoë Łukasiewicz"\n'
    )
    raw = raw_of(remind_email(cli, path))
    raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # the header block is pure ASCII (encoded words)
    msg = parse(raw)
    assert msg["Subject"] == "Reminder: Wednesday 22 February, 7pm: Café-débat : « Liberté » 🌹"
    assert msg["From"].addresses[0].display_name == "Groupe Émile Zola"
    text = msg.get_body(("plain",))
    assert text.get_content_charset() == "utf-8"
    assert "Leading off: Zoë Łukasiewicz" in text.get_content()


# --------------------------------------------------------------------------- errors


def test_no_from_address_is_an_error(cli, write_programme):
    path = write_programme(
        HEADER.replace('email = "secretary@example.org"\n', "")
        + '\n[[meetings]]\ndate = 2017-02-22\ntitle = "Social"\nstart = "19:00"\n'
    )
    result = remind_email(cli, path)
    assert result.exit_code == 2
    assert "group.email is not set" in result.stderr


def test_no_recipient_is_an_error(cli, write_programme):
    path = write_programme(
        HEADER.replace('mailing_list = "members@example.org"\n', "")
        + '\n[[meetings]]\ndate = 2017-02-22\ntitle = "Social"\nstart = "19:00"\n'
    )
    result = remind_email(cli, path)
    assert result.exit_code == 2
    assert result.stderr == "meetctl: error: no recipient: give --to ADDRESS or set group.mailing_list in the programme\n"
    assert remind_email(cli, path, REMIND_DAY, "--to", "a@example.org").exit_code == 0


def test_two_messages_due_cannot_share_one_pipe(cli, write_programme):
    path = write_programme(
        '[[meetings]]\ndate = 2017-02-22\ntitle = "A"\nstart = "12:00"\n'
        '[[meetings]]\ndate = 2017-02-22\ntitle = "B"\nstart = "19:00"\n',
        header=True,
    )
    result = remind_email(cli, path)
    assert result.exit_code == 2
    assert "2 reminders and notices are due and --format email writes one message" in result.stderr
    assert result.stdout == ""


def test_installed_meetctl_writes_a_message_sendmail_can_take():
    meetctl = str(Path(sys.executable).parent / "meetctl")
    result = subprocess.run(
        [meetctl, "remind", "-f", str(EXAMPLE), "--today", "2017-02-21", "--days", "1", "--format", "email"],
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    msg = parse(result.stdout)
    assert msg["Subject"] == "Reminder: Wednesday 22 February, 7pm: 100th anniversary of the Russian revolution"
    assert "tomorrow, Wednesday 22 February" in " ".join(msg.get_body(("plain",)).get_content().split())


def test_the_attachment_matches_meetctl_ical(cli):
    import icalendar

    msg = parse(raw_of(remind_email(cli, EXAMPLE)))
    (mine,) = calendar_of(msg)[1].walk("VEVENT")
    exported = cli("ical", "-f", EXAMPLE)
    assert exported.exit_code == 0, exported.stderr
    theirs = [
        e
        for e in icalendar.Calendar.from_ical(exported.stdout).walk("VEVENT")
        if "RECURRENCE-ID" in e and e.decoded("RECURRENCE-ID") == mine.decoded("RECURRENCE-ID")
    ]
    assert len(theirs) == 1  # the same instant, written in UTC here and with TZID there
    assert str(theirs[0]["UID"]) == str(mine["UID"])
    assert theirs[0].decoded("DTSTART") == mine.decoded("DTSTART")
    assert str(theirs[0]["SUMMARY"]) == str(mine["SUMMARY"])
