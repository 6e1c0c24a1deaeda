"""`meetctl clashes`: our meetings against other groups' calendars (files, URLs, programmes)."""

from __future__ import annotations

import calendar
import http.server
import json
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

ICS = Path(__file__).parent / "fixtures" / "ics"

#: Last Wednesday of every month, 19:00-21:00 London time.
OURS = """
[[series]]
id = "discussion"
title = "Discussion"
rule = "last Wednesday of the month"
start = "19:00"
venue = "hall"
from = 2024-01-01
"""
YEAR = ("--from", "2024-01-01", "--to", "2024-12-31")


def last_wednesday(year: int, month: int) -> date:
    """Computed by hand from the month's calendar, not by meetctl."""
    days = [week[calendar.WEDNESDAY] for week in calendar.monthcalendar(year, month) if week[calendar.WEDNESDAY]]
    return date(year, month, days[-1])


@pytest.fixture
def ours(write_programme):
    return write_programme(OURS, header=True)


def clash_dates(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines()]


def test_recurring_event_in_another_zone_with_an_exdate(cli, ours):
    # Wednesdays 20:30-22:00 Paris time (19:30 London) to June, except 28 February;
    # and an event that ends exactly as ours starts (no clash).
    result = cli("clashes", "-f", ours, *YEAR, "--with", ICS / "weekly_in_paris_with_exdate.ics")
    assert result.exit_code == 0, result.stderr
    expected = [last_wednesday(2024, m).isoformat() for m in (1, 3, 4, 5, 6)]
    assert clash_dates(result.stdout) == expected
    first = result.stdout.splitlines()[0]
    assert first == (
        "2024-01-31 19:00-21:00 'Discussion' clashes with 'Weekly rally, in Paris time' 19:30-21:00 "
        f"({ICS / 'weekly_in_paris_with_exdate.ics'})"
    )


def test_all_day_utc_and_cancelled_events(cli, ours):
    source = ICS / "all_day_utc_and_cancelled.ics"
    result = cli("clashes", "-f", ours, *YEAR, "--with", source)
    assert result.exit_code == 0, result.stderr
    # The all-day festival on 28 August, the 17:30Z talk (18:30 BST) on 25 September;
    # not the morning stall, not the cancelled event.
    assert clash_dates(result.stdout) == ["2024-08-28", "2024-09-25"]
    assert "'Street festival' all day" in result.stdout
    wide = cli("clashes", "-f", ours, *YEAR, "--with", source, "--same-day")
    assert clash_dates(wide.stdout) == ["2024-08-28", "2024-09-25", "2024-10-30"]


def test_an_endless_rule_is_expanded_in_the_window_only(cli, ours):
    # Every evening 20:00-20:30 UTC: inside our meeting in winter (GMT), at 21:00 BST in summer (no clash).
    result = cli("clashes", "-f", ours, *YEAR, "--with", ICS / "rrule_without_end.ics", "--json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert [c["date"] for c in found] == [last_wednesday(2024, m).isoformat() for m in (1, 2, 3, 10, 11, 12)]
    assert found[0]["with"] == {
        "title": "Every evening forever",
        "start": "2024-01-31T20:00:00+00:00",
        "end": "2024-01-31T20:30:00+00:00",
        "all_day": False,
        "source": str(ICS / "rrule_without_end.ics"),
    }


def test_no_clashes_prints_nothing_and_fail_exits_1_when_there_are(cli, ours):
    quiet = cli("clashes", "-f", ours, "--from", "2024-07-01", "--to", "2024-07-31",
                "--with", ICS / "weekly_in_paris_with_exdate.ics", "--fail")  # fmt: skip
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    found = cli("clashes", "-f", ours, *YEAR, "--with", ICS / "all_day_utc_and_cancelled.ics", "--fail")
    assert found.exit_code == 1
    assert len(found.stdout.splitlines()) == 2


def test_another_programme_as_a_source(cli, ours, write_programme):
    other = write_programme(
        """
        [group]
        name = "Dublin Branch"
        timezone = "Europe/Dublin"

        [[meetings]]
        date = 2024-03-27
        title = "Branch AGM"
        start = "20:30"
        """,
        "dublin.toml",
    )
    result = cli("clashes", "-f", ours, *YEAR, "--with", other)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"2024-03-27 19:00-21:00 'Discussion' clashes with 'Branch AGM' 20:30-22:30 ({other})\n"


def test_check_reports_clashes_between_programmes(cli, ours, write_programme):
    other = write_programme(
        """
        [group]
        name = "Other Group"
        timezone = "Europe/London"

        [[meetings]]
        date = 2024-05-29
        title = "Film night"
        start = "20:00"
        """,
        "other.toml",
    )
    result = cli("check", "-f", ours, "-f", other, "--today", "2024-01-01", "--strict")
    assert result.exit_code == 1
    assert "2024-05-29 20:00-22:00 'Film night' overlaps 'Discussion' of Test Group" in result.stderr


class _Calendars(http.server.BaseHTTPRequestHandler):
    """Serves the fixtures folder; /missing is a 404 and /broken a 500."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = ICS / self.path.lstrip("/")
        if self.path == "/broken":
            self.send_error(500, "Internal Server Error")
        elif path.is_file():
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Calendars)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_calendar_served_over_http(cli, ours, server):
    url = f"{server}/weekly_in_paris_with_exdate.ics"
    result = cli("clashes", "-f", ours, *YEAR, "--with", url, "--with", ICS / "all_day_utc_and_cancelled.ics")
    assert result.exit_code == 0, result.stderr
    assert clash_dates(result.stdout) == ["2024-01-31", "2024-03-27", "2024-04-24", "2024-05-29", "2024-06-26",
                                          "2024-08-28", "2024-09-25"]  # fmt: skip
    assert f"({url})" in result.stdout


def test_installed_meetctl_fetches_over_http(ours, server):
    proc = subprocess.run(
        [sys.executable, "-m", "meetctl", "clashes", "-f", str(ours), *YEAR, "--fail",
         "--with", f"{server}/all_day_utc_and_cancelled.ics"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("clashes with") == 2 and proc.stderr == ""


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken_lines.ics", ": error: not a valid iCalendar file: "),
        ("missing_dtstart.ics", ':4:1: error: event "nostart@example.org" ("No start") has no DTSTART'),
        (
            "unknown_tzid.ics",
            ':4:1: error: event "mars@example.org" ("On Mars"): unknown time zone "Mars/Olympus_Mons" '
            "(no VTIMEZONE and not a known zone name)",
        ),
        ("no-such.ics", ": error: no such file"),
    ],
)
def test_bad_calendars_are_one_line_errors_naming_the_source(cli, ours, name, message):
    result = cli("clashes", "-f", ours, *YEAR, "--with", ICS / name)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and result.stdout == ""
    assert lines[0].startswith(f"{ICS / name}{message}")
    assert "Traceback" not in result.stderr


def test_unreachable_and_failing_urls(cli, ours, server):
    for url, message in [
        (f"{server}/missing.ics", "cannot fetch: HTTP 404 Not Found"),
        (f"{server}/broken", "cannot fetch: HTTP 500 Internal Server Error"),
        ("http://127.0.0.1:9/feed.ics", "cannot fetch: [Errno 111] Connection refused"),
    ]:
        result = cli("clashes", "-f", ours, *YEAR, "--with", url)
        assert result.exit_code == 2
        assert result.stderr == f"{url}: error: {message}\n"


def test_a_huge_file_is_refused_before_parsing(cli, ours, tmp_path):
    huge = tmp_path / "huge.ics"
    with huge.open("wb") as fh:
        fh.write(b"BEGIN:VCALENDAR\r\n")
        fh.truncate(100 * 2**20 + 1)  # a sparse file: one byte over the limit costs no disk
    result = cli("clashes", "-f", ours, *YEAR, "--with", huge)
    assert result.exit_code == 2
    assert result.stderr == f"{huge}: error: larger than 100 MB; not read\n"
    imported = cli("import", huge)
    assert (imported.exit_code, imported.stderr) == (2, f"{huge}: error: larger than 100 MB; not read\n")


@pytest.mark.parametrize("form", ["programme", "ical", "ical --expand"])
def test_our_own_meetings_read_back_are_no_clash(cli, tmp_path, form):
    from tests.conftest import EXAMPLE

    source = tmp_path / "own.ics"
    if form == "programme":
        source = EXAMPLE
    else:
        args = ["ical", "-f", EXAMPLE, "-o", source] + (
            ["--expand", "--from", "2017-01-01", "--to", "2017-12-31"] if "expand" in form else []
        )
        assert cli(*args).exit_code == 0
    result = cli("clashes", "-f", EXAMPLE, "--with", source, "--from", "2017-01-01", "--to", "2017-12-31", "--fail")
    assert (result.exit_code, result.stdout) == (0, "")


def test_the_event_index_finds_what_comparing_every_pair_finds_long_events_too():
    """EventIndex against the plain definition of overlap, on random events from minutes to a year long."""
    import random
    from datetime import UTC, datetime, timedelta

    from meetctl.calendars.clashes import EventIndex
    from meetctl.calendars.reading import Event

    rng = random.Random(7)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    events = []
    for i in range(400):
        start = base + timedelta(minutes=rng.randrange(0, 366 * 24 * 60))
        length = timedelta(minutes=rng.choice([0, 30, 90, 60 * 23, 60 * 25, 60 * 24 * 10, 60 * 24 * 365]))
        events.append(Event(f"e{i}", start, start + length, "other.ics"))
    index = EventIndex(events)
    for _ in range(300):
        lo = base + timedelta(minutes=rng.randrange(0, 366 * 24 * 60))
        hi = lo + timedelta(minutes=rng.choice([0, 60, 120, 60 * 30]))
        want = {e.title for e in events if e.start < hi and (e.end > lo or (e.end == e.start and e.start >= lo))}
        assert {e.title for e in index.overlapping(lo.timestamp(), hi.timestamp())} == want


def test_a_year_long_event_clashes_with_every_meeting_in_it_once(cli, write_programme, tmp_path):
    ics = tmp_path / "term.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:term@example.org\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nDTEND:20241231T000000Z\r\n"
        "SUMMARY:University term\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    path = write_programme(OURS.replace("from = 2024-01-01", "from = 2023-11-01"), header=True)
    result = cli("clashes", "-f", path, "--with", ics, "--from", "2023-11-01", "--to", "2025-01-31", "--json")
    assert result.exit_code == 0, result.stderr
    dates = [c["date"] for c in json.loads(result.stdout)]
    # The last Wednesday of each month of 2024 (computed with the calendar module), once each.
    want = []
    for month in range(1, 13):
        weeks = calendar.monthcalendar(2024, month)
        want.append(date(2024, month, max(w[calendar.WEDNESDAY] for w in weeks)).isoformat())
    assert dates == want


def test_events_far_outside_the_window_are_not_parsed_and_lines_stay_the_files(cli, write_programme, tmp_path):
    ics = tmp_path / "other.ics"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for year in range(2000, 2020):  # twenty years of events before the window, one in an unknown zone
        zone = ";TZID=Mars/Olympus_Mons" if year == 2005 else ""
        lines += ["BEGIN:VEVENT", f"UID:old-{year}@example.org", f"DTSTART{zone}:{year}0301T180000Z",
                  f"DTEND{zone}:{year}0301T200000Z", "SUMMARY:Old", "END:VEVENT"]  # fmt: skip
    lines += ["BEGIN:VEVENT", "UID:mars@example.org", "DTSTART;TZID=Mars/Olympus_Mons:20240131T190000",
              "SUMMARY:On Mars", "END:VEVENT", "END:VCALENDAR"]  # fmt: skip
    ics.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    result = cli("clashes", "-f", write_programme(OURS, header=True), *YEAR, "--with", ics)
    # The event of 2005 is outside the window: never read. The one in it is, at its own line.
    assert result.exit_code == 2
    assert result.stderr.startswith(f'{ics}:124:1: error: event "mars@example.org" ("On Mars"): unknown time zone')
