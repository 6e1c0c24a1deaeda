"""Scale: big programmes load in linear time, cron looks only at the dates it needs, and
long outputs (list --json, ical --expand, check) stream instead of being held whole.

Nothing here times anything: each test shows the behaviour that makes the cost flat
(one expansion per series, windows asked for, output written before the next item is
made) and that the answers stay the same.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest

import meetctl.model.schedule as schedule
from meetctl.calendars.export import build_calendar, calendar_chunks
from meetctl.documents.listing import write_json_lines
from meetctl.model.loading import parse_programme
from meetctl.model.schedule import occurrences, stream_occurrences
from tests.conftest import HEADER


def fridays_every_other(first: date, last: date) -> list[date]:
    """Every other Friday from the first Friday on or after ``first``: calendar arithmetic."""
    day = first + timedelta(days=(4 - first.weekday()) % 7)
    out = []
    while day <= last:
        out.append(day)
        day += timedelta(days=14)
    return out


def described_fortnightly(first: date, last: date, extra: str = "") -> str:
    """A fortnightly series with every meeting described (a branch recording attendance)."""
    text = HEADER + f"""
[[series]]
id = "reading"
title = "Reading group"
rule = "every other Friday"
start = "19:30"
from = {first}
"""
    for day in fridays_every_other(first, last):
        text += f'\n[[meetings]]\nseries = "reading"\ndate = {day}\ntitle = "Chapter {day}"\nattendance = 9\n'
    return text + extra


# --------------------------------------------------------------------------- loading


def test_forty_years_of_described_meetings_load_and_list_as_written():
    text = described_fortnightly(date(1990, 1, 1), date(2029, 12, 31))
    p = parse_programme(text)
    assert len(p.meetings) == len(fridays_every_other(date(1990, 1, 1), date(2029, 12, 31))) > 1000
    listed = occurrences(p, date(2029, 1, 1), date(2029, 12, 31))
    assert [o.date for o in listed] == fridays_every_other(date(1990, 1, 1), date(2029, 12, 31))[-26:]
    assert all(o.title == f"Chapter {o.date}" for o in listed)


def test_the_series_is_expanded_once_for_all_its_meetings(monkeypatch):
    from meetctl.model.programme import Series

    asked: list[tuple[date, date]] = []
    original = Series.rule_dates

    def counting(self, first, last):
        asked.append((first, last))
        return original(self, first, last)

    monkeypatch.setattr(Series, "rule_dates", counting)
    parse_programme(described_fortnightly(date(2000, 1, 1), date(2019, 12, 31)))
    assert asked == [(date(2000, 1, 7), date(2019, 12, 27))]


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        # A Friday of the off week, after twenty years of good ones.
        ('date = 2019-12-20\ntitle = "Off week"', "2019-12-20 is not a date of series 'reading'"),
        # A Thursday.
        ('date = 2005-06-02\ntitle = "Thursday"', "2005-06-02 is not a date of series 'reading'"),
        # Before the series starts, and long after the others (a sparse span: asked one by one).
        ('date = 1999-12-31\ntitle = "Too early"', "1999-12-31 is not a date of series 'reading'"),
        ('date = 2400-01-07\ntitle = "Far future"', "2400-01-07 is not a date of series 'reading'"),
        ('date = 2020-01-17\nreplaces = 2019-12-20\ntitle = "Moved"', "replaces: 2019-12-20 is not a date"),
    ],
)
def test_a_meeting_off_its_rule_is_still_an_error_in_a_big_programme(write_programme, cli, wrong, message):
    extra = f'\n[[meetings]]\nseries = "reading"\n{wrong}\n'
    path = write_programme(described_fortnightly(date(2000, 1, 1), date(2019, 12, 13), extra))
    result = cli("check", "-f", path, "--today", "2019-01-01")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}:") and ": error: " in line and message in line


def test_wrong_types_where_the_series_is_expanded_are_errors_not_crashes(write_programme, cli):
    # The one expansion per series looks at the meetings before they are checked.
    extra = (
        '\n[[meetings]]\nseries = ["reading"]\ndate = 2000-01-07\n'
        '\n[[meetings]]\nseries = "reading"\ndate = 2000-01-21\nreplaces = [1]\n'
        '\n[[meetings]]\nseries = "reading"\ndate = 2000-02-04\nreplaces = 2000-01-07T19:00:00\n'
    )
    path = write_programme(described_fortnightly(date(2000, 1, 1), date(2000, 1, 1), extra))
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert "series must be a string (got an array)" in result.stderr
    assert "replaces must be a date like 2017-01-25 (got an array)" in result.stderr
    assert "(without a time) (got a date-time)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_far_away_meeting_on_the_rule_is_accepted_without_expanding_centuries():
    # 2400-01-07 is 20,871 weeks after 2000-01-07 (400 years), an off week; 2400-01-14 an on week.
    assert (date(2400, 1, 7) - date(2000, 1, 7)).days == 146097 == 7 * 20871
    extra = '\n[[meetings]]\nseries = "reading"\ndate = 2400-01-14\ntitle = "Far future"\n'
    p = parse_programme(described_fortnightly(date(2000, 1, 1), date(2001, 12, 31), extra))
    assert [o.date for o in occurrences(p, date(2400, 1, 1), date(2400, 1, 31))] == [
        date(2400, 1, 14), date(2400, 1, 28)
    ]


def test_a_skip_off_the_rule_is_still_an_error():
    on = fridays_every_other(date(2000, 1, 1), date(2010, 1, 31))
    on_week, off_week = on[-1], on[-1] - timedelta(days=7)
    text = HEADER + f"""
[[series]]
id = "reading"
title = "Reading group"
rule = "every other Friday"
start = "19:30"
from = 2000-01-01
skip = [2000-01-21, {on_week}, {off_week}]
"""
    from meetctl.model.errors import MeetctlError

    with pytest.raises(MeetctlError) as caught:
        parse_programme(text)
    (problem,) = caught.value.problems
    assert problem.message.endswith(f".skip: {off_week} is not a date of the series")


# --------------------------------------------------------------------------- cron's path


def test_remind_after_decades_counts_the_fortnights_from_from(write_programme, cli):
    # Thirty-odd years of an undescribed fortnightly series: the reminder is for the right Friday.
    path = write_programme(HEADER + """
[[series]]
id = "reading"
title = "Reading group"
rule = "every other Friday"
start = "19:30"
from = 1990-01-01
""")
    fridays = fridays_every_other(date(1990, 1, 1), date(2026, 12, 31))
    meeting = next(d for d in fridays if d >= date(2026, 3, 1))
    today = meeting - timedelta(days=7)
    result = cli("remind", "-f", path, "--today", str(today))
    assert result.exit_code == 0 and "Reading group" in result.stdout
    # The off-week Friday a fortnight's half later: nothing due, nothing printed.
    result = cli("remind", "-f", path, "--today", str(today + timedelta(days=7)))
    assert (result.exit_code, result.stdout) == (0, "")


def test_remind_asks_the_rules_only_about_the_day_it_reminds_of(monkeypatch, write_programme):
    from meetctl.mail.duedays import due
    from meetctl.model.loading import load_programme
    from meetctl.model.recurrence import Rule

    p = load_programme(write_programme(described_fortnightly(date(2000, 1, 1), date(2025, 12, 31))))
    windows: list[tuple[date, date]] = []
    original = Rule.dates_within

    def recording(self, origin, first, last):
        windows.append((first, last))
        return original(self, origin, first, last)

    monkeypatch.setattr(Rule, "dates_within", recording)
    friday = next(d for d in fridays_every_other(date(2000, 1, 1), date(2025, 12, 31)) if d >= date(2025, 6, 1))
    # A week before the off-week Friday: nothing due, and only that Friday was asked about.
    assert due([p], friday, [7]) == []
    assert windows == [(friday + timedelta(days=7), friday + timedelta(days=7))]
    (reminder,) = due([p], friday - timedelta(days=7), [7])
    assert reminder.occurrence.date == friday


# --------------------------------------------------------------------------- streaming

AUCKLAND = """
[group]
name = "Auckland branch"
timezone = "Pacific/Auckland"

[[series]]
id = "late"
title = "Late meeting"
rule = "every Wednesday"
start = "23:30"
duration = "1h"
from = 2019-11-01

[[meetings]]
series = "late"
date = 2020-01-03
replaces = 2019-12-25
title = "Moved over New Year"
"""

LONDON = HEADER.replace("[group]\n", '[group]\ncountry = "GB-ENG"\n') + """
[[series]]
id = "wednesdays"
title = "Wednesday meeting"
rule = "every Wednesday"
start = "10:30"
from = 2019-11-01
on_holiday = "after"

[[series]]
id = "fortnightly"
title = "Fortnightly"
rule = "every other Friday"
start = "12:00"
from = 2019-11-01

[[meetings]]
date = 2020-01-01
title = "New Year walk"
start = "11:00"

[[meetings]]
series = "fortnightly"
date = 2020-02-07
cancelled = true
"""


@pytest.mark.parametrize("chunk", [1, 2, 7, 30, 366, 5000])
def test_streamed_occurrences_are_the_listed_ones_in_the_same_order(chunk):
    # Two zones thirteen hours apart, holiday moves, a move across the year's end, a
    # cancellation: chunk edges must not reorder or lose any of them.
    programmes = [parse_programme(LONDON), parse_programme(AUCKLAND)]
    first, last = date(2019, 12, 1), date(2020, 3, 1)
    listed = [(o.uid, o.start, o.status) for o in occurrences(programmes, first, last)]
    streamed = [(o.uid, o.start, o.status) for o in stream_occurrences(programmes, first, last, timedelta(days=chunk))]
    assert streamed == listed
    assert any(o.holiday for o in stream_occurrences(programmes, first, last))  # the moves were exercised


def test_a_stream_makes_one_chunk_at_a_time(monkeypatch):
    p = parse_programme(AUCKLAND)
    asked: list[tuple[date, date]] = []
    original = schedule.programme_occurrences

    def recording(programme, first, last, index=None):
        asked.append((first, last))
        return original(programme, first, last, index)

    monkeypatch.setattr(schedule, "programme_occurrences", recording)
    stream = stream_occurrences(p, date(2020, 1, 1), date(2099, 12, 31))
    head = next(stream)
    assert head.date == date(2020, 1, 1)
    assert asked == [(date(2020, 1, 1), date(2020, 12, 31))]


def test_json_lines_are_written_before_the_next_item_is_made():
    out = io.StringIO()
    seen: list[str] = []

    def items():
        for i in range(3):
            seen.append(out.getvalue())
            yield {"n": i, "title": "Café"}

    write_json_lines(items(), out)
    assert seen[1].endswith('{"n": 0, "title": "Café"}') and seen[2].endswith('{"n": 1, "title": "Café"}')
    assert json.loads(out.getvalue()) == [{"n": i, "title": "Café"} for i in range(3)]
    empty = io.StringIO()
    write_json_lines(iter(()), empty)
    assert empty.getvalue() == "[]\n"


def test_list_json_streams_the_same_records_with_a_limit(write_programme, cli):
    path = write_programme(AUCKLAND)
    whole = json.loads(cli("list", "-f", path, "--from", "2019-12-01", "--to", "2020-02-29", "--json").stdout)
    limited = json.loads(cli("list", "-f", path, "--from", "2019-12-01", "--to", "2020-02-29", "--json",
                             "--limit", "3").stdout)
    assert limited == whole[:3]
    assert [r["date"] for r in whole[:6]] == ["2019-12-04", "2019-12-11", "2019-12-18", "2020-01-01",
                                              "2020-01-03", "2020-01-08"]


def test_ical_expand_is_written_in_pieces_and_the_same_to_a_file(write_programme, cli, tmp_path):
    from meetctl.model.loading import load_programme

    path = write_programme(AUCKLAND)
    p = load_programme(path)
    pieces = list(calendar_chunks([p], date(2019, 12, 1), date(2020, 6, 30), expand=True))
    assert len(pieces) > 20  # a head, an event a piece, the end
    assert pieces[0].startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VTIMEZONE" in pieces[0]
    assert pieces[-1] == b"END:VCALENDAR\r\n"
    assert b"".join(pieces) == build_calendar([p], date(2019, 12, 1), date(2020, 6, 30), expand=True)
    args = ("ical", "-f", path, "--expand", "--from", "2019-12-01", "--to", "2020-06-30")
    printed = cli(*args).stdout_bytes
    out = tmp_path / "expanded.ics"
    assert cli(*args, "-o", out).exit_code == 0
    assert out.read_bytes() == printed == b"".join(pieces)
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".")]  # no temporary file left


def test_ical_with_no_events_has_no_time_zone():
    p = parse_programme(AUCKLAND)
    data = build_calendar([p], date(2000, 1, 1), date(2000, 12, 31), expand=True)
    assert b"VTIMEZONE" not in data and b"VEVENT" not in data


def test_check_counts_every_overlap_but_keeps_only_what_it_prints(write_programme, cli):
    # Three series at the same hour every Wednesday for ten years: 3 pairs a week.
    series = "".join(
        f'\n[[series]]\nid = "s{i}"\ntitle = "Series {i}"\nrule = "every Wednesday"\nstart = "19:00"\n'
        f"from = 2010-01-01\nuntil = 2019-12-31\n"
        for i in range(3)
    )
    path = write_programme(HEADER + series)
    result = cli("check", "-f", path, "--today", "2010-01-01")
    wednesdays = [date(2010, 1, 6) + timedelta(weeks=w) for w in range(600)]
    wednesdays = [d for d in wednesdays if d <= date(2019, 12, 31)]
    lines = [line for line in result.stderr.splitlines() if "overlap" in line]
    assert len(lines) == 21
    assert lines[-1] == (
        f"meetctl: warning: ... and {3 * len(wednesdays) - 20} more overlapping meetings "
        f"({wednesdays[6]} to {wednesdays[-1]})"
    )
