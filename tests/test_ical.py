"""`meetctl ical`: an RFC 5545 calendar that real clients expand exactly as `list --json` lists."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import EXAMPLE, HEADER

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

#: Several years of a London group: skips, a cancellation, a meeting moved across
#: the October clock change, one at another time and venue, a two-day school, a
#: series at 01:30 on Sundays (through the spring-forward gap), awkward text.
LONDON_PROGRAMME = HEADER.replace(
    'name = "Test Group"\n',
    'name = "Test Group"\nwebsite = "https://example.org/group"\nwelcome = "All welcome, members or not."\n',
    1,
) + textwrap.dedent(
    """\
    [venues.pub]
    name = "The Crown, Upstairs"
    address = "2 Market Square; Leicester – LE1 5ÉA"
    directions = "Up the stairs, £1 entry."

    [[series]]
    id = "discussion"
    title = "Discussion meeting"
    rule = "last Wednesday of the month"
    start = "19:00"
    duration = "2h"
    venue = "hall"
    from = 2019-01-01
    until = 2023-12-31
    skip = [2019-12-25]
    description = "Open to all."

    [[series]]
    id = "reading"
    title = "Reading group"
    rule = "every other Friday"
    start = "18:30"
    duration = "90m"
    venue = "pub"
    from = 2019-03-01
    until = 2022-06-30

    [[series]]
    id = "night"
    title = "Night shift"
    rule = "every Sunday"
    start = "01:30"
    duration = "1h"
    from = 2020-03-01
    until = 2020-04-30

    [[meetings]]
    series = "discussion"
    date = 2019-02-27
    title = "Rents, wages; and £ – what's fair?"
    description = "Line one, with commas; and semicolons.\\nLine two: café – £5."
    lead = "Zoë, from the tenants' union"

    [[meetings]]
    series = "discussion"
    date = 2019-03-27
    cancelled = true
    reason = "Venue flooded"

    [[meetings]]
    series = "discussion"
    date = 2019-10-23
    replaces = 2019-10-30
    title = "Moved a week earlier"

    [[meetings]]
    series = "discussion"
    date = 2020-07-29
    start = "18:00"
    duration = "3h"
    venue = "pub"

    [[meetings]]
    date = 2021-06-05
    end_date = 2021-06-06
    title = "Summer school"
    start = "10:00"
    duration = "7h"
    venue = "hall"

    [[meetings]]
    date = 2021-09-01
    title = "Picnic"
    start = "12:00"
    cancelled = true
    reason = "Rain"
    """
)

NEW_YORK_PROGRAMME = """\
[group]
name = "Brooklyn Readers"
timezone = "America/New_York"

[[series]]
id = "weekly"
title = "Weekly reading"
rule = "every Tuesday"
start = "19:00"
duration = "2h"
from = 2019-02-26
until = 2019-11-30

[[series]]
id = "council"
title = "Tenants' council"
rule = "first and third Tuesday of the month except July and August"
start = "18:00"
duration = "90m"
from = 2019-01-01
until = 2021-12-31

[[series]]
id = "quarterly"
title = "Quarterly assembly"
rule = "last Saturday of March, June, September and December"
start = "14:00"
from = 2019-01-01
until = 2022-12-31
"""


def _london(write_programme):
    return write_programme(LONDON_PROGRAMME, "london.toml")


def listed(cli, *args) -> list[dict]:
    result = cli("list", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def expected_records(items: list[dict]) -> set[tuple]:
    """What a calendar client should show, from `list --json`: scheduled meetings only."""
    out = set()
    for item in items:
        if item["status"] != "scheduled":
            continue
        start = datetime.fromisoformat(item["start"])
        end = datetime.fromisoformat(item["end"])
        out.add((item["uid"], start.isoformat(), start.astimezone(UTC), end.astimezone(UTC), item["title"]))
    return out


READERS = Path(__file__).parent / "readers"


def vobject_records(text: str, zones: dict[str, ZoneInfo]) -> set[tuple]:
    """Expand with vobject as a plain program does: a fresh interpreter, no zone registered first.

    vobject builds each zone from the file's own VTIMEZONE (and decides it is UTC when
    the VTIMEZONE says nothing different from UTC over 2000-2019). Cancelled meetings are
    left out, as a client greys them out; ``zones`` say the groups' zones, for local starts.
    """
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".ics", encoding="utf-8", newline="", delete=False) as fh:
        fh.write(text)
    try:
        run = subprocess.run([sys.executable, str(READERS / "vobject_expand.py"), fh.name],
                             capture_output=True, text=True, check=True)  # fmt: skip
    finally:
        os.unlink(fh.name)
    out = set()
    for line in run.stdout.splitlines():
        item = json.loads(line)
        assert "orphan" not in item, f"an override of no instance: {item}"
        if item["status"] == "CANCELLED":
            continue
        start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
        assert start.tzinfo is not None, f"vobject read a floating time: {item}"
        zone = zones[item["zone"]] if item["zone"] in zones else next(iter(zones.values()))
        local = start.astimezone(zone)
        out.add((item["uid"], local.isoformat(), start.astimezone(UTC), end.astimezone(UTC), item["summary"]))
    return out


def recurring_ical_events_records(data: bytes, first: date, last: date, x_wr_timezone: bool = True) -> set[tuple]:
    """Expand with recurring-ical-events (the expander many Python tools use).

    ``x_wr_timezone=False`` drops X-WR-TIMEZONE first: with it, recurring-ical-events
    converts UTC times into that zone and misplaces those in the repeated hour of
    an autumn clock change (x-wr-timezone 2.0.1), which meetctl writes in UTC.
    """
    import icalendar
    import recurring_ical_events

    cal = icalendar.Calendar.from_ical(data)
    if not x_wr_timezone:
        del cal["X-WR-TIMEZONE"]
    out = set()
    for ev in recurring_ical_events.of(cal).between(first, last + timedelta(days=1)):
        if str(ev.get("status")) == "CANCELLED":
            continue
        start = ev["dtstart"].dt
        end = ev["dtend"].dt if "dtend" in ev else start + ev["duration"].dt
        out.add((str(ev["uid"]), start.isoformat(), start.astimezone(UTC), end.astimezone(UTC), str(ev["summary"])))
    return out


@pytest.fixture
def two_groups(write_programme):
    return _london(write_programme), write_programme(NEW_YORK_PROGRAMME, "brooklyn.toml")


def test_real_parsers_expand_the_calendar_exactly_as_list_json(cli, two_groups):
    london, brooklyn = two_groups
    result = cli("ical", "-f", london, "-f", brooklyn)
    assert result.exit_code == 0, result.stderr
    want = expected_records(listed(cli, "-f", london, "-f", brooklyn, "--from", "2019-01-01", "--to", "2023-12-31"))
    assert len(want) > 150  # five years of meetings, both sides of many clock changes
    zones = {"Europe/London": LONDON, "America/New_York": NEW_YORK}
    assert vobject_records(result.stdout, zones) == want
    data = result.stdout_bytes
    assert recurring_ical_events_records(data, date(2019, 1, 1), date(2023, 12, 31)) == want


def test_the_expansion_keeps_wall_clock_time_across_clock_changes(cli, two_groups):
    london, _ = two_groups
    data = cli("ical", "-f", london).stdout
    starts = {
        start for uid, start, *_ in vobject_records(data, {"Europe/London": LONDON}) if uid.startswith("discussion")
    }
    # Last Wednesdays of January (GMT) and July (BST) 2021, computed by hand.
    assert "2021-01-27T19:00:00+00:00" in starts
    assert "2021-07-28T19:00:00+01:00" in starts
    # The meeting moved from 30 October (GMT, after the clocks went back on the 27th) to the 23rd (BST).
    assert "2019-10-23T19:00:00+01:00" in starts
    assert not any(s.startswith("2019-10-30") for s in starts)
    # Skipped and cancelled dates are absent.
    assert not any(s.startswith(("2019-12-25", "2019-03-27")) for s in starts)


def test_a_start_in_the_spring_forward_gap_moves_forward_an_hour(cli, two_groups):
    london, _ = two_groups
    data = cli("ical", "-f", london).stdout
    night = sorted(s for uid, s, *_ in vobject_records(data, {"Europe/London": LONDON}) if uid.startswith("night"))
    # 29 March 2020 was the last Sunday of March: 01:30 did not exist in London.
    assert "2020-03-29T02:30:00+01:00" in night
    assert "2020-03-22T01:30:00+00:00" in night and "2020-04-05T01:30:00+01:00" in night


def test_vtimezone_is_rule_based_and_matches_the_zone_database(cli, two_groups):
    from dateutil.tz import tzical

    london, brooklyn = two_groups
    text = cli("ical", "-f", london, "-f", brooklyn).stdout
    assert "RDATE" not in text
    zones = tzical(__import__("io").StringIO(text))
    for name, real in (("Europe/London", LONDON), ("America/New_York", NEW_YORK)):
        theirs = zones.get(name)
        instant = datetime(2018, 1, 1, tzinfo=UTC)
        while instant < datetime(2031, 1, 1, tzinfo=UTC):
            local = instant.astimezone(real).replace(tzinfo=None)
            assert local.replace(tzinfo=theirs).utcoffset() == instant.astimezone(real).utcoffset(), (name, instant)
            instant += timedelta(hours=7)  # lands on every kind of hour over the years


def test_every_tzid_has_its_vtimezone_and_rules_avoid_bysetpos(cli, two_groups):
    import re

    london, brooklyn = two_groups
    text = cli("ical", "-f", london, "-f", brooklyn).stdout
    used = set(re.findall(r";TZID=([^:;]+)", text))
    defined = set(re.findall(r"^TZID:(.+?)\r?$", text, re.M))
    assert used == defined == {"Europe/London", "America/New_York"}
    assert "BYSETPOS" not in text
    unfolded = cli("ical", "-f", london, "-f", brooklyn).stdout_bytes.decode().replace("\r\n ", "")
    assert "RRULE:FREQ=MONTHLY;UNTIL=20231231T235959Z;BYDAY=-1WE\r\n" in unfolded
    assert "RRULE:FREQ=MONTHLY;UNTIL=20220101T045959Z;BYMONTH=1,2,3,4,5,6,9,10,11,12;BYDAY=1TU,3TU\r\n" in unfolded
    assert "RRULE:FREQ=MONTHLY;UNTIL=20230101T045959Z;BYMONTH=3,6,9,12;BYDAY=-1SA\r\n" in unfolded


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_structure_uid_exdate_and_full_overrides(cli, two_groups):
    import icalendar

    london, _ = two_groups
    data = cli("ical", "-f", london).stdout_bytes
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["method"]) == "PUBLISH" and str(cal["calscale"]) == "GREGORIAN"
    assert str(cal["x-wr-calname"]) == "Test Group" and str(cal["x-wr-timezone"]) == "Europe/London"
    assert "DTSTAMP" in data.decode() and all("dtstamp" in ev for ev in cal.walk("VEVENT"))
    events = cal.walk("VEVENT")
    uids = {item["uid"] for item in listed(cli, "-f", london, "--from", "2019-01-01", "--to", "2023-12-31")}
    assert {str(ev["uid"]) for ev in events} == uids
    discussion = [ev for ev in events if str(ev["uid"]).startswith("discussion")]
    master = next(ev for ev in discussion if "rrule" in ev)
    exdates = {d.dt for prop in _as_list(master.get("exdate")) for d in prop.dts}
    # The skipped date; the moved meeting is an override of its old date instead, and the
    # cancelled one an override that says so (PRODUCT.md "Changes reach people").
    assert exdates == {datetime(2019, 12, 25, 19, tzinfo=LONDON)}
    assert all(prop.params["TZID"] == "Europe/London" for prop in _as_list(master.get("exdate")))
    overrides = {ev["recurrence-id"].dt: ev for ev in discussion if "recurrence-id" in ev}
    assert set(overrides) == {datetime(2019, 2, 27, 19, tzinfo=LONDON), datetime(2019, 10, 30, 19, tzinfo=LONDON),
                              datetime(2020, 7, 29, 19, tzinfo=LONDON), datetime(2019, 3, 27, 19, tzinfo=LONDON)}  # fmt: skip
    cancelled = overrides[datetime(2019, 3, 27, 19, tzinfo=LONDON)]
    assert str(cancelled["status"]) == "CANCELLED" and str(cancelled["summary"]).startswith("Cancelled: ")
    moved_venue = overrides[datetime(2020, 7, 29, 19, tzinfo=LONDON)]
    # An override inherits nothing: it repeats the end, the place and the description.
    assert moved_venue["dtend"].dt == datetime(2020, 7, 29, 21, tzinfo=LONDON)
    assert str(moved_venue["location"]) == "The Crown, Upstairs, 2 Market Square; Leicester – LE1 5ÉA"
    assert "Open to all." in str(moved_venue["description"])
    assert overrides[datetime(2019, 10, 30, 19, tzinfo=LONDON)]["dtstart"].dt == datetime(
        2019, 10, 23, 19, tzinfo=LONDON
    )
    school = next(ev for ev in events if str(ev["summary"]) == "Summer school")
    assert (school["dtstart"].dt, school["dtend"].dt) == (datetime(2021, 6, 5, 10, tzinfo=LONDON),
                                                          datetime(2021, 6, 6, 17, tzinfo=LONDON))  # fmt: skip
    picnic = next(ev for ev in events if str(ev["summary"]) == "Cancelled: Picnic")
    assert str(picnic["status"]) == "CANCELLED"


def test_text_with_commas_semicolons_newlines_and_non_ascii_survives(cli, two_groups):
    import vobject

    london, _ = two_groups
    text = cli("ical", "-f", london).stdout
    cal = vobject.readOne(text)
    ev = next(e for e in cal.vevent_list if e.summary.value.startswith("Rents"))
    assert ev.summary.value == "Rents, wages; and £ – what's fair?"
    assert ev.description.value.startswith("Line one, with commas; and semicolons.\nLine two: café – £5.")
    assert "Leading off: Zoë, from the tenants' union" in ev.description.value
    assert ev.location.value == "Community Hall, 1 High Street, Leicester LE1 1AA"
    assert ev.url.value == "https://example.org/group"
    # No line is longer than 75 octets, and lines end in CRLF.
    raw = cli("ical", "-f", london).stdout_bytes
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert raw.count(b"\r\n") == raw.count(b"\n")


def test_same_programme_same_bytes_and_uids_survive_other_edits(cli, write_programme):
    path = write_programme(
        """
        [[series]]
        id = "discussion"
        title = "Discussion"
        rule = "first Monday of the month"
        start = "19:30"
        venue = "hall"
        from = 2024-01-01

        [[meetings]]
        date = 2024-05-11
        title = "Jumble sale"
        start = "10:00"
        """,
        header=True,
    )
    first = cli("ical", "-f", path).stdout_bytes
    assert cli("ical", "-f", path).stdout_bytes == first
    # The series is open-ended: no UNTIL.
    assert b"RRULE:FREQ=MONTHLY;BYDAY=1MO\r\n" in first
    before = {item["uid"] for item in listed(cli, "-f", path, "--from", "2024-01-01", "--to", "2024-12-31")}
    path.write_text(path.read_text() + textwrap.dedent(
        """
        [[meetings]]
        series = "discussion"
        date = 2024-03-04
        title = "A new talk"

        [[meetings]]
        date = 2024-06-01
        title = "Another one-off"
        start = "11:00"
        """
    ))  # fmt: skip
    second = cli("ical", "-f", path).stdout_bytes
    after = {item["uid"] for item in listed(cli, "-f", path, "--from", "2024-01-01", "--to", "2024-12-31")}
    assert before < after and len(after - before) == 1
    import icalendar

    def by_uid(data):
        out = {}
        for ev in icalendar.Calendar.from_ical(data).walk("VEVENT"):
            if "recurrence-id" not in ev:
                out[str(ev["uid"])] = ev.to_ical()
        return out

    old, new = by_uid(first), by_uid(second)
    assert all(new[uid] == body for uid, body in old.items())  # untouched events: same bytes


def test_a_window_clips_series_and_keeps_meetings_dated_in_it(cli, two_groups):
    london, brooklyn = two_groups
    result = cli("ical", "-f", london, "-f", brooklyn, "--from", "2019-10-01", "--to", "2020-08-31")
    assert result.exit_code == 0, result.stderr
    want = expected_records(listed(cli, "-f", london, "-f", brooklyn, "--from", "2019-10-01", "--to", "2020-08-31"))
    zones = {"Europe/London": LONDON, "America/New_York": NEW_YORK}
    assert vobject_records(result.stdout, zones) == want
    assert recurring_ical_events_records(result.stdout_bytes, date(2019, 1, 1), date(2021, 12, 31)) == want


def test_expand_writes_one_plain_event_per_meeting(cli, two_groups):
    import icalendar

    london, brooklyn = two_groups
    result = cli("ical", "-f", london, "-f", brooklyn, "--expand")
    assert result.exit_code == 0, result.stderr
    cal = icalendar.Calendar.from_ical(result.stdout_bytes)
    events = cal.walk("VEVENT")
    assert not any("rrule" in ev or "recurrence-id" in ev for ev in events)
    items = listed(cli, "-f", london, "-f", brooklyn, "--from", "2019-01-01", "--to", "2023-12-31")
    assert len(events) == len(items)  # cancelled ones too, marked CANCELLED
    assert len({str(ev["uid"]) for ev in events}) == len(events)
    got = {(ev["dtstart"].dt.isoformat(), str(ev["summary"])) for ev in events if str(ev["status"]) != "CANCELLED"}
    assert got == {(i["start"], i["title"]) for i in items if i["status"] == "scheduled"}


def test_output_file_is_written_atomically_and_a_programme_is_never_overwritten(cli, two_groups, tmp_path):
    london, _ = two_groups
    out = tmp_path / "feed.ics"
    result = cli("ical", "-f", london, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # a feed a web server can read
    assert cli("ical", "-f", london, "-o", out).exit_code == 0  # a calendar is replaced
    before = london.read_bytes()
    result = cli("ical", "-f", london, "-o", london)
    assert result.exit_code == 2
    assert result.stderr == f"{london}: error: is a programme this command reads; never replaced, not even with --force\n"
    assert london.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2019-13-01"], "meetctl: error: --from: invalid date '2019-13-01' (expected YYYY-MM-DD)\n"),
        (
            ["--from", "2020-01-01", "--to", "2019-01-01"],
            "meetctl: error: --to 2019-01-01 is before --from 2020-01-01\n",
        ),
    ],
)
def test_bad_options_are_one_line_errors(cli, two_groups, args, message):
    london, _ = two_groups
    result = cli("ical", "-f", london, *args)
    assert result.exit_code == 2
    assert result.stderr == message


def test_unwritable_output_is_a_clear_error(cli, two_groups, tmp_path):
    london, _ = two_groups
    result = cli("ical", "-f", london, "-o", tmp_path / "no-such-folder" / "x.ics")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{tmp_path / 'no-such-folder' / 'x.ics'}: error: no such folder: {tmp_path / 'no-such-folder'}; create it first\n"
    )
    assert not (tmp_path / "no-such-folder").exists()


def test_installed_meetctl_writes_the_example_calendar():
    proc = subprocess.run(
        [sys.executable, "-m", "meetctl", "ical", "-f", str(EXAMPLE)], capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    text = proc.stdout.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "X-WR-CALNAME:Leicester Anarchist Federation" in text
    assert text.count("BEGIN:VEVENT") == 4  # the series and its three described meetings


GOLDEN_PROGRAMME = HEADER.replace(
    'name = "Test Group"\n', 'name = "Test Group"\nwebsite = "https://example.org"\nwelcome = "All welcome."\n', 1
) + textwrap.dedent(
    """\
    [[series]]
    id = "discussion"
    title = "Discussion"
    rule = "last Wednesday of the month"
    start = "19:00"
    venue = "hall"
    from = 2024-01-01
    until = 2024-06-30
    skip = [2024-05-29]

    [[series]]
    id = "night"
    title = "Night watch"
    rule = "every Sunday"
    start = "01:30"
    duration = "1h"
    from = 2024-03-24
    until = 2024-04-07

    [[meetings]]
    series = "discussion"
    date = 2024-02-28
    title = "Rents; wages, and £"
    lead = "Zoë"

    [[meetings]]
    series = "discussion"
    date = 2024-03-27
    cancelled = true
    reason = "Hall flooded"

    [[meetings]]
    series = "discussion"
    date = 2024-04-17
    replaces = 2024-04-24
    start = "18:30"

    [[meetings]]
    date = 2024-07-06
    end_date = 2024-07-07
    title = "Summer school"
    start = "10:00"
    duration = "6h"
    """
)


def test_a_small_programme_matches_the_reviewed_golden_file(cli, write_programme):
    """The whole file, byte for byte (MEETCTL_UPDATE_GOLDEN=1 rewrites it; review the diff)."""
    golden = Path(__file__).parent / "golden" / "ical-small.ics"
    data = cli("ical", "-f", write_programme(GOLDEN_PROGRAMME)).stdout_bytes
    if os.environ.get("MEETCTL_UPDATE_GOLDEN"):
        golden.write_bytes(data)
    assert data == golden.read_bytes(), f"differs from {golden}"
