"""`meetctl import`: a programme from a calendar; our own export comes back exactly."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.test_ical import LONDON_PROGRAMME

ICS = Path(__file__).parent / "fixtures" / "ics"
GOOGLE = ICS / "google_bysetpos_count_override_cancel.ics"


def listed(cli, path, first="2000-01-01", last="2030-12-31") -> list[dict]:
    result = cli("list", "-f", path, "--from", first, "--to", last, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def round_trip(cli, programme: Path, tmp_path: Path) -> Path:
    ics = tmp_path / "exported.ics"
    assert cli("ical", "-f", programme, "-o", ics).exit_code == 0
    back = tmp_path / "imported.toml"
    result = cli("import", ics, "-o", back)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    return back


def test_the_example_comes_back_exactly(cli, tmp_path):
    back = round_trip(cli, EXAMPLE, tmp_path)
    assert listed(cli, back) == listed(cli, EXAMPLE)
    data = tomllib.loads(back.read_text())
    assert data["series"][0]["rule"] == "last Wednesday of every month"
    assert data["venues"] == {"regent": {"name": "Regent Sports & Social Club",
                                         "address": "102 Regent Road, Leicester LE1 7DA"}}  # fmt: skip


def test_years_of_skips_cancellations_moves_and_awkward_text_come_back(cli, write_programme, tmp_path):
    original = write_programme(LONDON_PROGRAMME, "london.toml")
    back = round_trip(cli, original, tmp_path)
    before, after = listed(cli, original), listed(cli, back)
    assert len(before) > 100
    assert after == before
    # And the imported programme exports the same events again.
    again = cli("ical", "-f", back).stdout_bytes
    first = cli("ical", "-f", original).stdout_bytes
    assert again.count(b"BEGIN:VEVENT") == first.count(b"BEGIN:VEVENT")


def test_a_calendar_from_another_client(cli, tmp_path):
    out = tmp_path / "programme.toml"
    result = cli("import", GOOGLE, "-o", out)
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads(out.read_text())
    tenants, mayday = data["series"]
    # BYDAY=WE;BYSETPOS=-1 is said back the simple way; COUNT=6 becomes the sixth date.
    assert tenants["rule"] == "last Wednesday of every month"
    assert (tenants["from"], tenants["until"], tenants["skip"]) == (date(2024, 1, 31), date(2024, 6, 26),
                                                                    [date(2024, 3, 27)])  # fmt: skip
    assert (tenants["start"], tenants["duration"], tenants["uid"]) == ("19:00", "1h30m", "abc123@google.com")
    assert tenants["description"] == "Bring your tenancy agreement, and a friend.\nTea: 50p – or £1."
    assert data["venues"][tenants["venue"]] == {"name": "Friends Meeting House",
                                                "address": "16 Queen's Road, Leicester LE2 1WP"}  # fmt: skip
    # No English phrase says "1 May every year": the raw rule is kept.
    assert mayday["rule"] == "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1"
    moved, cancelled, school = data["meetings"]
    assert moved == {"series": tenants["id"], "date": date(2024, 2, 21), "replaces": date(2024, 2, 28),
                     "start": "18:00", "title": "Tenants' meeting: rent strike special"}  # fmt: skip
    assert cancelled == {"series": tenants["id"], "date": date(2024, 4, 24), "cancelled": True}
    # 09:00Z Saturday to 16:00Z Sunday in June: 10:00-17:00 BST on both days.
    assert (school["start"], school["end_date"], school["duration"]) == ("10:00", date(2024, 6, 16), "7h")


def test_what_the_import_lists_is_what_a_calendar_client_shows(cli, tmp_path):
    import icalendar
    import recurring_ical_events

    out = tmp_path / "programme.toml"
    assert cli("import", GOOGLE, "-o", out).exit_code == 0
    cal = icalendar.Calendar.from_ical(GOOGLE.read_bytes())
    shown = set()
    for ev in recurring_ical_events.of(cal).between(date(2024, 1, 1), date(2026, 12, 31)):
        if str(ev.get("status")) == "CANCELLED":
            continue
        start = ev["dtstart"].dt
        if hasattr(start, "hour"):
            shown.add((start.astimezone(tz=None).isoformat() and start.isoformat(), str(ev["summary"])))
        else:
            shown.add((f"{start.isoformat()}T00:00:00+01:00", str(ev["summary"])))  # 1 May is in BST
    items = listed(cli, out, "2024-01-01", "2026-12-31")
    ours = {(i["start"], i["title"]) for i in items if i["status"] == "scheduled"}
    normalised = set()
    for start, title in shown:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        normalised.add((datetime.fromisoformat(start).astimezone(ZoneInfo("Europe/London")).isoformat(), title))
    assert ours == normalised


def test_output_goes_to_stdout_and_an_existing_file_needs_force(cli, tmp_path):
    result = cli("import", GOOGLE)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"# Imported by meetctl from {GOOGLE}\n")
    tomllib.loads(result.stdout)
    existing = tmp_path / "programme.toml"
    existing.write_text("# my precious programme\n")
    refused = cli("import", GOOGLE, "-o", existing)
    assert refused.exit_code == 2
    assert refused.stderr == f"{existing}: error: already exists (use --force to replace it)\n"
    assert existing.read_text() == "# my precious programme\n"
    assert cli("import", GOOGLE, "-o", existing, "--force").exit_code == 0
    assert "[[series]]" in existing.read_text()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("rrule_too_frequent.ics", ':4:1: error: event "hourly@example.org" ("Every hour"): '
         "cannot import its repeat rule: FREQ=HOURLY is too frequent for a meeting series"),
        ("missing_dtstart.ics", ':4:1: error: event "nostart@example.org" ("No start") has no DTSTART'),
        ("broken_lines.ics", ": error: not a valid iCalendar file: "),
        ("no-such.ics", ": error: no such file"),
    ],
)  # fmt: skip
def test_bad_calendars_are_one_line_errors_and_nothing_is_written(cli, tmp_path, name, message):
    out = tmp_path / "programme.toml"
    result = cli("import", ICS / name, "-o", out)
    assert result.exit_code == 2
    # The file, the line the event starts on, the event by UID and SUMMARY.
    assert result.stderr.startswith(f"{ICS / name}{message}")
    assert len(result.stderr.splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_installed_meetctl_imports_and_the_result_checks(tmp_path):
    out = tmp_path / "programme.toml"
    run = [sys.executable, "-m", "meetctl"]
    proc = subprocess.run([*run, "import", str(GOOGLE), "-o", str(out)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    check = subprocess.run([*run, "check", "-f", str(out), "--today", "2024-01-01"], capture_output=True, text=True,
                           check=False)  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith(f"{out}: ok: Tenants' union: 2 series, 1 one-off meeting, 2 venues; next: ")


def test_import_from_a_url(cli, tmp_path):
    import http.server
    import threading

    from tests.test_clashes import _Calendars

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Calendars)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/{GOOGLE.name}"
        result = cli("import", url)
        missing = cli("import", url.replace(GOOGLE.name, "nothing.ics"))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.exit_code == 0, result.stderr
    assert tomllib.loads(result.stdout)["series"][0]["rule"] == "last Wednesday of every month"
    assert (missing.exit_code, missing.stderr) == (
        2,
        f"{url.replace(GOOGLE.name, 'nothing.ics')}: error: cannot fetch: HTTP 404 Not Found\n",
    )


def _starts(cli, path, first, last) -> list[datetime]:
    return [datetime.fromisoformat(i["start"]) for i in listed(cli, path, first, last) if i["status"] == "scheduled"]


def test_outlook_windows_zone_names_keep_summer_meetings_at_their_time(cli, tmp_path):
    """Outlook's TZID "GMT Standard Time" (with its own VTIMEZONE) is London, by icalendar's Windows table."""
    out = tmp_path / "programme.toml"
    result = cli("import", ICS / "outlook_gmt_standard_time_empty_description.ics", "-o", out)
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    assert tomllib.loads(out.read_text())["group"]["timezone"] == "Europe/London"
    starts = _starts(cli, out, "2024-01-01", "2024-12-31")
    # Wednesdays 10 January to 31 July 2024 at 19:00 London: 18:00 UTC from 31 March (BST).
    wednesdays = [date(2024, 1, 10) + timedelta(weeks=n) for n in range(30)]
    assert [s.astimezone(UTC) for s in starts] == [
        datetime(d.year, d.month, d.day, 18 if d > date(2024, 3, 31) else 19, tzinfo=UTC) for d in wednesdays
    ]


@pytest.mark.parametrize("name", ["tzid_with_leading_slash.ics", "libical_tzid_alias_of.ics"])
def test_zone_paths_name_their_zone(cli, tmp_path, name):
    out = tmp_path / "programme.toml"
    result = cli("import", ICS / name, "-o", out)
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    zone = tomllib.loads(out.read_text())["group"]["timezone"]
    assert zone in ("Europe/Stockholm", "Europe/London")
    # Every meeting at the written wall-clock time, summer and winter.
    assert len({s.strftime("%H:%M") for s in _starts(cli, out, "2024-01-01", "2025-12-31")}) == 1


def test_rdates_and_a_second_rrule_become_meetings_and_a_series(cli, tmp_path):
    out = tmp_path / "programme.toml"
    result = cli("import", ICS / "rdate_and_second_rrule.ics", "-o", out)
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    days = sorted(s.date().isoformat() for s in _starts(cli, out, "2024-01-01", "2024-12-31"))
    # First and third Wednesdays, four of each from January, and the extra date of 1 June.
    assert days == ["2024-01-03", "2024-01-17", "2024-02-07", "2024-02-21", "2024-03-06", "2024-03-20",
                    "2024-04-03", "2024-04-17", "2024-06-01"]  # fmt: skip


def test_what_cannot_be_kept_exactly_is_named_never_shown_as_python(cli, tmp_path):
    result = cli("import", ICS / "zero_length_and_seconds.ics", "-o", tmp_path / "p.toml")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert any(':4:1: warning: event "reminder@example.org" ("Deadline for papers (no DTEND)"): it lasts no time'
               in line for line in lines)  # fmt: skip
    assert any("seconds" in line and "seconds@example.org" in line for line in lines)
    assert not any("vText" in line or "b'" in line for line in lines)
    moved = cli("import", ICS / "series_in_another_zone.ics", "-o", tmp_path / "q.toml")
    assert '"newyork@example.org" ("New York call")' in moved.stderr and "differ" in moved.stderr


def test_two_dtstart_lines_are_an_error_at_the_event(cli, tmp_path):
    result = cli("import", ICS / "two_dtstart_lines.ics", "-o", tmp_path / "p.toml")
    assert result.exit_code == 2
    assert result.stderr == (f"{ICS / 'two_dtstart_lines.ics'}:4:1: error: event \"twice@example.org\" "
                             "(\"Which day?\") has 2 DTSTART lines; it must have one\n")  # fmt: skip


@pytest.mark.parametrize("name", ["rrule_written_twice.ics", "rie_duplicated_rrule.ics"])
def test_the_same_rrule_written_twice_is_one_series(cli, tmp_path, name):
    out = tmp_path / "programme.toml"
    result = cli("import", ICS / name, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert len(tomllib.loads(out.read_text())["series"]) == 1
    items = listed(cli, out)
    # Each date once: RFC 5545 takes the union of the rules' dates.
    assert len({i["start"] for i in items}) == len(items) > 1


def test_instances_sharing_a_uid_without_their_series_become_meetings_that_check(cli, tmp_path):
    out = tmp_path / "programme.toml"
    source = ICS / "google_instances_without_their_series.ics"
    result = cli("import", source, "-o", out)
    assert result.exit_code == 0, result.stderr
    meetings = tomllib.loads(out.read_text())["meetings"]
    assert [(m["date"], m["title"]) for m in meetings] == [
        (date(2024, 3, 13), "Branch meeting (late start)"),
        (date(2024, 4, 10), "Branch meeting: AGM"),
        (date(2024, 5, 15), "Branch meeting (moved a week)"),
    ]
    assert len({m["uid"] for m in meetings}) == 3
    assert cli("check", "-f", out, "--today", "2024-01-01").exit_code == 0


def test_a_recurrence_id_off_the_rule_is_an_extra_meeting(cli, tmp_path):
    out = tmp_path / "programme.toml"
    result = cli("import", ICS / "recurrence_id_off_the_rule_with_its_series.ics", "-o", out)
    assert result.exit_code == 0, result.stderr
    mondays = [date(2024, 1, 1) + timedelta(weeks=n) for n in range(6)]
    want = sorted([d for d in mondays if d != date(2024, 1, 22)] + [date(2024, 1, 17), date(2024, 1, 23)])
    assert [date.fromisoformat(i["date"]) for i in listed(cli, out)] == want
