"""Random programmes: calendar readers expand `meetctl ical` as `list --json` lists, and import gives it back.

Inputs are generated with plain dateutil arithmetic (not meetctl's): series in four
zones (two hemispheres' clock changes, one zone without them), start times inside
spring-forward gaps and autumn folds, skipped, cancelled, moved and changed meetings.
"""

from __future__ import annotations

import json
import textwrap
import tomllib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_ical import recurring_ical_events_records, vobject_records
from tests.test_ical_js import expand, install_ical_js


@pytest.fixture(scope="module")
def ical_js():
    return install_ical_js()


ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
RULES = [
    "FREQ=WEEKLY;BYDAY=SU",
    "FREQ=MONTHLY;BYDAY=-1WE",
    "FREQ=MONTHLY;BYDAY=1SU,3SU",
    "FREQ=MONTHLY;BYMONTHDAY=15",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
]
STARTS = ["00:30", "01:30", "02:30", "19:00", "23:30"]
# Titles are one line (model/loading.py refuses a line break in one); what iCalendar escapes is still here.
TEXTS = ["Plain", "Commas, semicolons; and: colons", "£5 – café", 'Quotes "and" \\ backslash']


@st.composite
def programmes(draw) -> str:
    zone = draw(st.sampled_from(ZONES))
    monday = date(2019, 1, 7) + timedelta(weeks=draw(st.integers(0, 200)))
    lines = [
        "[group]",
        'name = "Random Group"',
        f'timezone = "{zone}"',
        "",
        "[venues.hall]",
        'name = "Hall, upstairs"',
        'address = "1 High St; Town"',
        "[venues.pub]",
        'name = "The Pub"',
        "",
    ]
    meetings: list[str] = []
    for n in range(draw(st.integers(1, 3))):
        rule = draw(st.sampled_from(RULES))
        first = monday + timedelta(weeks=draw(st.integers(0, 8)))  # a Monday, so every rule anchors alike
        last = first + timedelta(days=draw(st.integers(120, 900)))
        dates = [
            d.date()
            for d in rrulestr(rule, dtstart=_midnight(first)).between(_midnight(first), _midnight(last), inc=True)
        ]
        if not dates:
            continue
        picked = draw(st.lists(st.sampled_from(dates), max_size=6, unique=True))
        third = len(picked) // 3
        skips, cancels, changes = picked[:third], picked[third : 2 * third], picked[2 * third :]
        lines += [
            "[[series]]",
            f'id = "s{n}"',
            f"title = {json.dumps(draw(st.sampled_from(TEXTS)), ensure_ascii=False)}",
            f'rule = "{rule}"',
            f'start = "{draw(st.sampled_from(STARTS))}"',
            f'duration = "{draw(st.sampled_from(["30m", "2h", "3h"]))}"',
            'venue = "hall"',
            f"from = {first}",
            f"until = {last}",
            f"skip = [{', '.join(str(d) for d in sorted(skips))}]",
            "",
        ]
        for d in cancels:
            meetings += [
                "[[meetings]]",
                f'series = "s{n}"',
                f"date = {d}",
                "cancelled = true",
                'reason = "Ill, sorry"',
                "",
            ]
        for d in changes:
            shift = draw(st.integers(-3, 3))
            meetings += ["[[meetings]]", f'series = "s{n}"', f"date = {d + timedelta(days=shift)}"]
            if shift:
                meetings.append(f"replaces = {d}")
            if draw(st.booleans()):
                meetings.append(f"title = {json.dumps(draw(st.sampled_from(TEXTS)), ensure_ascii=False)}")
            if draw(st.booleans()):
                meetings.append(f'start = "{draw(st.sampled_from(STARTS))}"')
            if draw(st.booleans()):
                meetings.append('venue = "pub"')
            meetings.append("")
    day = monday + timedelta(days=draw(st.integers(0, 400)))
    meetings += ["[[meetings]]", f"date = {day}", 'title = "One-off"', f'start = "{draw(st.sampled_from(STARTS))}"']
    if draw(st.booleans()):
        meetings.append(f"end_date = {day + timedelta(days=1)}")
    return "\n".join(lines + meetings) + "\n"


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=programmes(), window=st.tuples(st.integers(0, 1500), st.integers(1, 400)))
@pytest.mark.filterwarnings("ignore")
def test_a_window_lists_what_readers_show(cli, tmp_path, ical_js, text, window):
    """`ical --from --to` against `list --from --to`: clipped series, moves across the edges."""
    path = tmp_path / "programme.toml"
    path.write_text(text, encoding="utf-8")
    first = date(2019, 1, 1) + timedelta(days=window[0])
    last = first + timedelta(days=window[1])
    items = json.loads(cli("list", "-f", path, "--from", str(first), "--to", str(last), "--json").stdout)
    want = {
        (i["uid"], datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"]), i["title"])
        for i in items
        if i["status"] == "scheduled"
    }
    exported = cli("ical", "-f", path, "--from", str(first), "--to", str(last))
    assert exported.exit_code == 0, exported.stderr
    zone = ZoneInfo(tomllib.loads(text)["group"]["timezone"])
    assert {(u, s, e, t) for u, _, s, e, t in vobject_records(exported.stdout, {zone.key: zone})} == want
    ics = tmp_path / "window.ics"
    ics.write_bytes(exported.stdout_bytes)
    thunderbird = {
        (i["uid"], datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"]), i["summary"])
        for i in expand(ical_js, ics, "2018-01-01", "2026-12-31")
        if i["status"] != "CANCELLED"
    }
    assert thunderbird == want


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=programmes())
@pytest.mark.filterwarnings("ignore")
def test_readers_and_import_agree_with_list_json(cli, tmp_path, ical_js, text):
    path = tmp_path / "programme.toml"
    path.write_text(text, encoding="utf-8")
    listed = cli("list", "-f", path, "--from", "2018-01-01", "--to", "2026-12-31", "--json")
    assert listed.exit_code == 0, listed.stderr + textwrap.indent(text, "  ")
    items = json.loads(listed.stdout)
    want = set()
    for i in items:
        if i["status"] == "scheduled":
            start, end = datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"])
            want.add((i["uid"], start.isoformat(), start.astimezone(UTC), end.astimezone(UTC), i["title"]))
    exported = cli("ical", "-f", path)
    assert exported.exit_code == 0, exported.stderr
    zone = ZoneInfo(items[0]["timezone"]) if items else ZoneInfo("UTC")
    assert vobject_records(exported.stdout, {zone.key: zone}) == want
    ics = tmp_path / "out.ics"
    ics.write_bytes(exported.stdout_bytes)
    thunderbird = {
        (i["uid"], datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"]), i["summary"])
        for i in expand(ical_js, ics, "2018-01-01", "2026-12-31")
        if i["status"] != "CANCELLED"
    }
    assert thunderbird == {(uid, start, end, title) for uid, _, start, end, title in want}
    # recurring-ical-events adds a meeting's length in wall-clock time (Python's
    # arithmetic within one zone), so it is an hour out for the rare meeting that
    # spans a clock change, however the file says it; compare the rest.
    got = recurring_ical_events_records(
        exported.stdout_bytes, date(2018, 1, 1), date(2026, 12, 31), x_wr_timezone=False
    )

    def steady(records: set[tuple]) -> set[tuple]:
        return {r for r in records if r[2].astimezone(zone).utcoffset() == r[3].astimezone(zone).utcoffset()}

    assert steady(got) == steady(want)
    back = tmp_path / "back.toml"
    imported = cli("import", ics, "-o", back, "--force")
    assert imported.exit_code == 0, imported.stderr
    again = cli("list", "-f", back, "--from", "2018-01-01", "--to", "2026-12-31", "--json")
    assert json.loads(again.stdout) == items
