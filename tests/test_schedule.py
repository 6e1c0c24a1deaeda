"""The schedule: series expanded, meetings applied, times right across time zones and DST."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from meetctl.model.loading import load_programme, parse_programme
from meetctl.model.schedule import next_occurrence, occurrences, overlaps
from tests.conftest import EXAMPLE, HEADER, MONTHLY


def programme(body: str, timezone: str = "Europe/London"):
    return parse_programme(HEADER.replace("Europe/London", timezone) + body)




def test_the_example_lists_the_three_meetings_at_seven_in_london():
    found = occurrences(load_programme(EXAMPLE), date(2017, 1, 1), date(2017, 12, 31))
    assert [(o.date, o.start.strftime("%H:%M"), o.title) for o in found] == [
        (date(2017, 1, 25), "19:00", "Is the working class movement dead?"),
        (date(2017, 2, 22), "19:00", "100th anniversary of the Russian revolution"),
        (date(2017, 3, 29), "19:00", "How could a libertarian communist society meet people's needs and desires?"),
    ]  # fmt: skip
    london = ZoneInfo("Europe/London")
    assert all(o.start.utcoffset() == datetime(2017, 1, 25, 19, tzinfo=london).utcoffset() for o in found[:2])


def test_seven_pm_stays_seven_pm_local_in_winter_and_summer():
    found = {o.date: o for o in occurrences(programme(MONTHLY), date(2023, 1, 1), date(2023, 12, 31))}
    january, july = found[date(2023, 1, 25)], found[date(2023, 7, 26)]
    assert january.start.isoformat() == "2023-01-25T19:00:00+00:00"
    assert july.start.isoformat() == "2023-07-26T19:00:00+01:00"
    assert january.end.isoformat() == "2023-01-25T21:00:00+00:00"
    assert july.start.astimezone(UTC).hour == 18


def test_zones_other_than_london():
    cases = {
        # zone: (a winter date, its offset, a summer date, its offset) of a last-Wednesday series
        "America/New_York": (date(2023, 1, 25), "-05:00", date(2023, 7, 26), "-04:00"),
        "Australia/Sydney": (date(2023, 1, 25), "+11:00", date(2023, 7, 26), "+10:00"),
        "Asia/Kolkata": (date(2023, 1, 25), "+05:30", date(2023, 7, 26), "+05:30"),
    }
    for zone, (d1, off1, d2, off2) in cases.items():
        found = {o.date: o for o in occurrences(programme(MONTHLY, zone), d1, d2)}
        assert found[d1].start.isoformat() == f"{d1}T19:00:00{off1}", zone
        assert found[d2].start.isoformat() == f"{d2}T19:00:00{off2}", zone


def test_a_meeting_across_the_night_the_clocks_go_back_lasts_its_real_duration():
    # London: clocks go back at 02:00 BST on Sunday 29 October 2023.
    p = programme('[[meetings]]\ndate = 2023-10-29\ntitle = "Night vigil"\nstart = "00:30"\nduration = "3h"\n')
    (o,) = occurrences(p, date(2023, 10, 29), date(2023, 10, 29))
    assert o.start.isoformat() == "2023-10-29T00:30:00+01:00"
    assert o.end.astimezone(UTC) - o.start.astimezone(UTC) == timedelta(hours=3) == o.duration
    assert o.end.isoformat() == "2023-10-29T02:30:00+00:00"


def test_a_start_in_the_spring_gap_moves_forward_by_the_gap():
    # London: 01:00 GMT -> 02:00 BST on Sunday 26 March 2023; 01:30 does not exist.
    p = programme('[[meetings]]\ndate = 2023-03-26\ntitle = "Early"\nstart = "01:30"\n')
    (o,) = occurrences(p, date(2023, 3, 26), date(2023, 3, 26))
    assert o.start.isoformat() == "2023-03-26T02:30:00+01:00"
    assert o.start.astimezone(UTC) == datetime(2023, 3, 26, 1, 30, tzinfo=UTC)


def test_a_start_in_the_autumn_fold_is_the_first_of_the_two():
    p = programme('[[meetings]]\ndate = 2023-10-29\ntitle = "Twice"\nstart = "01:30"\nduration = "30m"\n')
    (o,) = occurrences(p, date(2023, 10, 29), date(2023, 10, 29))
    assert o.start.isoformat() == "2023-10-29T01:30:00+01:00"  # still summer time


def test_skip_cancel_move_and_override():
    p = programme(
        MONTHLY
        + "skip = [2017-12-27]\n"
        + """
[[meetings]]
series = "discussion"
date = 2017-02-22
cancelled = true
reason = "Venue closed"

[[meetings]]
series = "discussion"
date = 2017-04-05
replaces = 2017-03-29
title = "Moved a week"

[[meetings]]
series = "discussion"
date = 2017-05-31
start = "18:30"
duration = "90m"
title = "Early start"
"""
    )
    found = {o.date: o for o in occurrences(p, date(2017, 1, 1), date(2017, 12, 31))}
    assert date(2017, 12, 27) not in found  # skipped: gone completely
    assert found[date(2017, 2, 22)].status == "cancelled"
    assert found[date(2017, 2, 22)].reason == "Venue closed"
    assert date(2017, 3, 29) not in found
    moved = found[date(2017, 4, 5)]
    assert moved.moved and moved.recurrence_id.isoformat() == "2017-03-29T19:00:00+01:00"
    assert moved.uid == found[date(2017, 1, 25)].uid  # same series, same UID
    early = found[date(2017, 5, 31)]
    assert (early.start.strftime("%H:%M"), early.end.strftime("%H:%M")) == ("18:30", "20:00")
    assert not early.usual_slot and found[date(2017, 6, 28)].usual_slot
    assert date(2017, 4, 26) in found  # April's own meeting is still there


def test_a_meeting_moved_into_the_window_from_outside_it():
    p = programme(MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-02-01\nreplaces = 2017-01-25\n')
    found = occurrences(p, date(2017, 2, 1), date(2017, 2, 10))
    assert [o.date for o in found] == [date(2017, 2, 1)]
    assert occurrences(p, date(2017, 1, 20), date(2017, 1, 31)) == []


def test_a_multi_day_school_and_a_one_off():
    p = programme(
        """
[[meetings]]
date = 2019-01-02
end_date = 2019-01-06
title = "Winter school"
start = "10:00"
duration = "7h"

[[meetings]]
date = 2019-01-10
title = "AGM"
start = "18:00"
venue = "hall"
"""
    )
    school, agm = occurrences(p, date(2019, 1, 1), date(2019, 1, 31))
    assert school.end_date == date(2019, 1, 6) and school.end.isoformat() == "2019-01-06T17:00:00+00:00"
    assert school.series is None and school.recurrence_id is None
    assert agm.venue.name == "Community Hall" and agm.end - agm.start == timedelta(hours=2)
    assert agm.uid != school.uid


def test_uids_stay_put_when_other_meetings_change():
    base = programme(MONTHLY + '\n[[meetings]]\ndate = 2017-06-01\ntitle = "AGM"\nstart = "18:00"\n')
    more = programme(
        MONTHLY
        + '\n[[meetings]]\ndate = 2017-05-01\ntitle = "May Day"\nstart = "12:00"\n'
        + '\n[[meetings]]\ndate = 2017-06-01\ntitle = "AGM"\nstart = "18:00"\n'
        + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\ntitle = "Changed"\n'
    )
    uids = lambda p: {(o.date, o.uid) for o in occurrences(p, date(2017, 1, 1), date(2017, 6, 30)) if o.date != date(2017, 5, 1)}  # noqa: E731
    assert uids(base) == uids(more)


def test_window_is_inclusive_by_local_start_date():
    p = programme(MONTHLY, "Pacific/Auckland")
    found = occurrences(p, date(2023, 1, 25), date(2023, 1, 25))
    assert [o.date for o in found] == [date(2023, 1, 25)]  # 06:00 UTC the same day, but local date counts


def test_next_skips_cancelled_and_past_meetings():
    p = programme(MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-02-22\ncancelled = true\n')
    london = ZoneInfo("Europe/London")
    assert next_occurrence(p, datetime(2017, 2, 1, tzinfo=london)).date == date(2017, 3, 29)
    # On the evening itself, once it has ended, the next is a month later.
    assert next_occurrence(p, datetime(2017, 1, 25, 22, tzinfo=london)).date == date(2017, 3, 29)
    assert next_occurrence(p, datetime(2017, 1, 25, 20, tzinfo=london)).date == date(2017, 1, 25)


def test_overlaps_are_found():
    p = programme(MONTHLY + '\n[[meetings]]\ndate = 2017-01-25\ntitle = "Clash"\nstart = "20:30"\n')
    pairs = overlaps(occurrences(p, date(2017, 1, 1), date(2017, 1, 31)))
    assert [(a.title, b.title) for a, b in pairs] == [("Discussion", "Clash")]


PHRASES = [
    "last Wednesday of the month", "first and third Tuesday of the month", "every Thursday",
    "every other Friday", "15th of every month", "every 3 weeks on Monday", "last day of the month",
    "second to last Friday of the month except August", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
]  # fmt: skip


@given(
    phrase=st.sampled_from(PHRASES),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    offset=st.integers(0, 3000),
    length=st.integers(0, 400),
)
def test_a_window_holds_exactly_the_series_dates_that_fall_in_it(phrase, start, offset, length):
    series_text = MONTHLY.replace("last Wednesday of the month", phrase).replace("from = 2017-01-01", f"from = {start}")
    (series,) = programme(series_text).series
    first = start + timedelta(days=offset)
    last = first + timedelta(days=length)
    everything = series.dates(start, last)
    assert series.dates(first, last) == [d for d in everything if first <= d <= last]


def test_a_day_the_zone_skipped_has_no_meeting(cli, tmp_path):
    """Samoa skipped Friday 30 December 2011 at the date line: no meeting is listed, reminded or exported for it."""
    path = tmp_path / "programme.toml"
    path.write_text(
        '[group]\nname = "Apia reading group"\ntimezone = "Pacific/Apia"\n\n'
        '[[series]]\nid = "r"\ntitle = "Reading"\nrule = "every Friday"\nstart = "19:00"\n'
        "from = 2011-12-01\nuntil = 2012-01-31\n",
        encoding="utf-8",
    )
    listed = json.loads(cli("list", "-f", path, "--from", "2011-12-20", "--to", "2012-01-10", "--json").stdout)
    # Worked out by hand: Fridays 23 Dec 2011 and 6 Jan 2012; 30 Dec 2011 never happened in Apia.
    assert [i["date"] for i in listed] == ["2011-12-23", "2012-01-06"]
    assert cli("remind", "-f", path, "--today", "2011-12-23", "--days", "7").stdout == ""
    expanded = cli("ical", "-f", path, "--expand", "--from", "2011-12-20", "--to", "2012-01-10").stdout
    assert expanded.count("BEGIN:VEVENT") == 2
