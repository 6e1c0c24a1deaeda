"""Every recurrence phrase, checked against dates worked out here with plain calendar arithmetic."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetctl.model.recurrence import RuleError
from meetctl.model.rules import describe, parse_duration, parse_rule

MO, TU, WE, TH, FR, SA, SU = range(7)
FIRST, LAST = date(2015, 1, 1), date(2026, 12, 31)  # several leap years (2016, 2020, 2024)


# --- independent arithmetic: nothing from dateutil or meetctl ---------------------------


def weekdays_in_month(year: int, month: int, weekday: int) -> list[date]:
    days = calendar.monthrange(year, month)[1]
    return [date(year, month, d) for d in range(1, days + 1) if date(year, month, d).weekday() == weekday]


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    found = weekdays_in_month(year, month, weekday)
    if n > 0:
        return found[n - 1] if len(found) >= n else None
    return found[n] if len(found) >= -n else None


def months(first: date, last: date):
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def monthly(pairs: list[tuple[int, int]], first=FIRST, last=LAST, only_months=None) -> list[date]:
    out = []
    for y, m in months(first, last):
        if only_months and m not in only_months:
            continue
        for n, wd in pairs:
            d = nth_weekday(y, m, wd, n)
            if d and first <= d <= last:
                out.append(d)
    return sorted(out)


def every(weekdays: list[int], step_weeks: int = 1, first=FIRST, last=LAST, only_months=None) -> list[date]:
    start = first
    while start.weekday() not in weekdays:
        start += timedelta(days=1)
    week0 = start - timedelta(days=start.weekday())
    out = []
    d = start
    while d <= last:
        weeks = (d - timedelta(days=d.weekday()) - week0).days // 7
        if d.weekday() in weekdays and weeks % step_weeks == 0:
            if not only_months or d.month in only_months:
                out.append(d)
        d += timedelta(days=1)
    return out


def monthday(days: list[int], first=FIRST, last=LAST) -> list[date]:
    out = []
    for y, m in months(first, last):
        length = calendar.monthrange(y, m)[1]
        for day in days:
            day = length if day == -1 else day
            if day <= length and first <= date(y, m, day) <= last:
                out.append(date(y, m, day))
    return sorted(out)


ALL_BUT = lambda *ms: [m for m in range(1, 13) if m not in ms]  # noqa: E731

CASES = [
    ("last Wednesday of the month", monthly([(-1, WE)]), "FREQ=MONTHLY;BYDAY=-1WE"),
    ("last Wednesday of every month", monthly([(-1, WE)]), "FREQ=MONTHLY;BYDAY=-1WE"),
    ("monthly on the last Wednesday", monthly([(-1, WE)]), "FREQ=MONTHLY;BYDAY=-1WE"),
    ("Last WEDNESDAYS of the month", monthly([(-1, WE)]), "FREQ=MONTHLY;BYDAY=-1WE"),
    ("first Monday of the month", monthly([(1, MO)]), "FREQ=MONTHLY;BYDAY=1MO"),
    ("1st Monday of the month", monthly([(1, MO)]), "FREQ=MONTHLY;BYDAY=1MO"),
    ("second Tuesday of the month", monthly([(2, TU)]), "FREQ=MONTHLY;BYDAY=2TU"),
    ("3rd Thursday of every month", monthly([(3, TH)]), "FREQ=MONTHLY;BYDAY=3TH"),
    ("fourth Saturday of the month", monthly([(4, SA)]), "FREQ=MONTHLY;BYDAY=4SA"),
    # Five-Wednesday months only: the fifth Wednesday is skipped in the others.
    ("fifth Wednesday of the month", monthly([(5, WE)]), "FREQ=MONTHLY;BYDAY=5WE"),
    ("5th Sunday of the month", monthly([(5, SU)]), "FREQ=MONTHLY;BYDAY=5SU"),
    ("second to last Friday of the month", monthly([(-2, FR)]), "FREQ=MONTHLY;BYDAY=-2FR"),
    ("first and third Tuesday of the month", monthly([(1, TU), (3, TU)]), "FREQ=MONTHLY;BYDAY=1TU,3TU"),
    ("2nd and 4th Thursdays", monthly([(2, TH), (4, TH)]), "FREQ=MONTHLY;BYDAY=2TH,4TH"),
    ("first Monday and third Thursday of the month", monthly([(1, MO), (3, TH)]), None),
    ("every Wednesday", every([WE]), "FREQ=WEEKLY;BYDAY=WE"),
    ("weekly on Wednesday", every([WE]), "FREQ=WEEKLY;BYDAY=WE"),
    ("every week on Wednesdays", every([WE]), "FREQ=WEEKLY;BYDAY=WE"),
    ("every Monday and Thursday", every([MO, TH]), "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("Thursdays", every([TH]), "FREQ=WEEKLY;BYDAY=TH"),
    ("Mondays and Thursdays", every([MO, TH]), "FREQ=WEEKLY;BYDAY=MO,TH"),
    # UK usage: "every second Tuesday" is the second Tuesday of the month, not fortnightly.
    ("every second Tuesday", monthly([(2, TU)]), "FREQ=MONTHLY;BYDAY=2TU"),
    ("every first and third Monday", monthly([(1, MO), (3, MO)]), "FREQ=MONTHLY;BYDAY=1MO,3MO"),
    ("every last Friday of the month", monthly([(-1, FR)]), "FREQ=MONTHLY;BYDAY=-1FR"),
    ("every other Friday", every([FR], 2), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    ("fortnightly on Friday", every([FR], 2), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    ("every 2 weeks on Friday", every([FR], 2), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    ("every 3 weeks on Tuesday", every([TU], 3), "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU"),
    ("15th of every month", monthday([15]), "FREQ=MONTHLY;BYMONTHDAY=15"),
    ("monthly on the 15th", monthday([15]), "FREQ=MONTHLY;BYMONTHDAY=15"),
    ("1st and 15th of the month", monthday([1, 15]), "FREQ=MONTHLY;BYMONTHDAY=1,15"),
    ("31st of every month", monthday([31]), "FREQ=MONTHLY;BYMONTHDAY=31"),
    ("last day of the month", monthday([-1]), "FREQ=MONTHLY;BYMONTHDAY=-1"),
    (
        "last Saturday of March, June, September and December",
        monthly([(-1, SA)], only_months=[3, 6, 9, 12]),
        "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=-1SA",
    ),
    (
        "last Wednesday of the month except August",
        monthly([(-1, WE)], only_months=ALL_BUT(8)),
        "FREQ=MONTHLY;BYMONTH=1,2,3,4,5,6,7,9,10,11,12;BYDAY=-1WE",
    ),
    (
        "every Wednesday except July and August",
        every([WE], only_months=ALL_BUT(7, 8)),
        "FREQ=WEEKLY;BYMONTH=1,2,3,4,5,6,9,10,11,12;BYDAY=WE",
    ),
    ("FREQ=MONTHLY;BYDAY=-1WE", monthly([(-1, WE)]), "FREQ=MONTHLY;BYDAY=-1WE"),
    ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", every([FR], 2), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    ("every day", [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)], "FREQ=DAILY"),
]


@pytest.mark.parametrize(("phrase", "expected", "rrule"), CASES, ids=[c[0] for c in CASES])
def test_phrase_gives_the_dates_worked_out_by_hand(phrase, expected, rrule):
    rule = parse_rule(phrase)
    assert list(rule.dates(FIRST, LAST)) == expected
    if rrule:
        assert rule.rrule == rrule


@pytest.mark.parametrize(("phrase", "expected", "rrule"), CASES, ids=[c[0] for c in CASES])
def test_description_reads_back_as_the_same_rule(phrase, expected, rrule):
    rule = parse_rule(phrase)
    assert parse_rule(describe(rule)) == rule


@pytest.mark.parametrize(
    ("phrase", "english"),
    [
        ("last Wednesday of the month", "last Wednesday of every month"),
        ("FREQ=MONTHLY;BYDAY=-1WE", "last Wednesday of every month"),
        ("fortnightly on Friday", "every other Friday"),
        ("every 3 weeks on Tuesday", "every 3 weeks on Tuesday"),
        ("first and third Tuesday of the month except August", "first and third Tuesday of every month except August"),
        ("second to last Friday of the month", "second to last Friday of every month"),
        ("monthly on the 15th", "15th of every month"),
        ("last Saturday of March, June, September and December", "last Saturday of March, June, September and December"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "every month on the last weekday"),
    ],
)
def test_rules_are_said_in_plain_english(phrase, english):
    assert describe(parse_rule(phrase)) == english


def test_five_wednesday_months_have_a_fifth_and_a_last_that_agree():
    fifth = parse_rule("fifth Wednesday of the month")
    last = parse_rule("last Wednesday of the month")
    fifths = set(fifth.dates(FIRST, LAST))
    assert fifths and fifths <= set(last.dates(FIRST, LAST))
    # March 2017 had five Wednesdays (1, 8, 15, 22, 29); February 2017 had four.
    assert date(2017, 3, 29) in fifths
    assert not any(d.year == 2017 and d.month == 2 for d in fifths)


def test_leap_day_rules():
    feb_last_day = [d for d in parse_rule("last day of the month").dates(FIRST, LAST) if d.month == 2]
    assert date(2016, 2, 29) in feb_last_day and date(2024, 2, 29) in feb_last_day
    assert date(2017, 2, 28) in feb_last_day
    # 29th of every month: February only in leap years.
    feb_29 = [d for d in parse_rule("29th of every month").dates(FIRST, LAST) if d.month == 2]
    assert feb_29 == [date(2016, 2, 29), date(2020, 2, 29), date(2024, 2, 29)]


def test_every_other_counts_from_the_first_such_weekday_on_or_after_from():
    rule = parse_rule("every other Friday")
    # from a Saturday: the first meeting is the Friday six days later, then fortnightly.
    assert list(rule.dates(date(2024, 1, 6), date(2024, 2, 29))) == [
        date(2024, 1, 12), date(2024, 1, 26), date(2024, 2, 9), date(2024, 2, 23),
    ]  # fmt: skip


@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    n=st.sampled_from([1, 2, 3, 4, 5, -1, -2, -3]),
    weekday=st.integers(0, 6),
)
def test_nth_weekday_rules_match_calendar_arithmetic(start, n, weekday):
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
             -2: "second to last", -3: "third to last"}  # fmt: skip
    rule = parse_rule(f"{words[n]} {names[weekday]} of the month")
    end = start + timedelta(days=400)
    assert list(rule.dates(start, end)) == monthly([(n, weekday)], start, end)


@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    weekday=st.integers(0, 6),
    step=st.integers(1, 4),
)
def test_every_n_weeks_matches_calendar_arithmetic(start, weekday, step):
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    rule = parse_rule(f"every {step} weeks on {names[weekday]}")
    end = start + timedelta(days=200)
    assert list(rule.dates(start, end)) == every([weekday], step, start, end)


@pytest.mark.parametrize(
    "phrase",
    [
        "whenever we feel like it",
        "last Wendesday of the month",
        "sixth Monday of the month",
        "every other",
        "Thursday",
        "every second",
        "32nd of every month",
        "last Wednesday of the month except Smarch",
        "FREQ=HOURLY",
        "FREQ=MONTHLY;BYDAY=-1XX",
        "FREQ=MONTHLY;COUNT=3",
        "FREQ=MONTHLY;UNTIL=20170101",
        "",
    ],
)
def test_unknown_phrases_are_refused(phrase):
    with pytest.raises(RuleError):
        parse_rule(phrase)


def test_unknown_phrase_error_lists_the_accepted_forms_one_a_line_after_its_first_line():
    with pytest.raises(RuleError) as exc:
        parse_rule("whenever")
    first, *forms = str(exc.value).splitlines()
    assert first == "unknown recurrence phrase 'whenever'; the accepted forms are (also `meetctl help rules`):"
    assert "    last Wednesday of the month" in forms
    assert any("every other Friday" in f for f in forms)
    assert all(f.startswith("    ") and len(f) < 90 for f in forms)



@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("last Wendesday of the month", "last wednesday of the month"),
        ("frist Monday of the month", "first monday of the month"),
        ("fortnighly on Friday", "fortnightly on friday"),
        ("last Saturday of Marhc, June and Setpember", "last saturday of march, june and september"),
        ("every Wednesday except Agust", "every wednesday except august"),
    ],
)
def test_a_misspelt_phrase_suggests_the_phrase_it_was_probably_meant_to_be(typo, meant):
    with pytest.raises(RuleError) as exc:
        parse_rule(typo)
    assert str(exc.value).startswith(f"unknown recurrence phrase {typo!r} (did you mean {meant!r}?); the accepted")


@pytest.mark.parametrize("phrase", ["whenever we feel like it", "sixth Monday of the month", "every other"])
def test_no_suggestion_unless_a_respelling_parses(phrase):
    with pytest.raises(RuleError) as exc:
        parse_rule(phrase)
    assert "did you mean" not in str(exc.value)

@pytest.mark.parametrize(
    ("text", "minutes"), [("90m", 90), ("1h30m", 90), ("2h", 120), ("1h 30m", 90), ("2 hours", 120)]
)
def test_durations(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "two hours", "0m", "1.5h", "-1h"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


# A window long after `from`: the count of intervals jumps ahead (Rule.dates_within)
# instead of stepping through every period since; the dates must be the same.


@given(
    origin=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1)),
    weekday=st.integers(0, 6),
    step=st.integers(1, 5),
    later=st.integers(0, 20 * 366),
    length=st.integers(0, 120),
)
def test_a_window_years_after_from_keeps_the_every_n_weeks_count(origin, weekday, step, later, length):
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    rule = parse_rule(f"every {step} weeks on {names[weekday]}")
    first = origin + timedelta(days=later)
    last = first + timedelta(days=length)
    expected = [d for d in every([weekday], step, origin, last) if d >= first]
    assert list(rule.dates_within(origin, first, last)) == expected


@given(
    rrule=st.sampled_from([
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH",
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;WKST=SU",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1WE",
        "FREQ=MONTHLY;INTERVAL=3",
        "FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;INTERVAL=2",
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO",
        "FREQ=DAILY;INTERVAL=10",
        "FREQ=DAILY;INTERVAL=3;BYMONTH=7,8",
        "FREQ=MONTHLY;BYMONTHDAY=-1,15",
        "FREQ=MONTHLY;BYMONTHDAY=1,-3;BYMONTH=2",
        "FREQ=MONTHLY;BYDAY=-1FR;BYMONTH=3,6,9,12",
    ]),
    origin=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1)),
    later=st.integers(0, 30 * 366),
    # Windows of a few days (cron's question) as well as long ones.
    length=st.one_of(st.integers(0, 8), st.integers(0, 800)),
)
def test_a_window_years_after_from_gives_the_dates_counted_from_from(rrule, origin, later, length):
    # Dates on the 31st, 29 February, leap years and ISO week 1 are where a jump could slip.
    rule = parse_rule(rrule)
    first = origin + timedelta(days=later)
    last = first + timedelta(days=length)
    counted = [d for d in rule.dates(origin, last) if d >= first]
    assert list(rule.dates_within(origin, first, last)) == counted


QUICK_PHRASES = [
    "last Wednesday of the month", "first Monday of the month", "second to last Friday of the month",
    "first and third Tuesday of the month", "15th of every month", "last day of the month",
    "last Saturday of March, June, September and December", "every Thursday", "every other Friday",
    "every 3 weeks on Friday", "every week on Monday and Thursday", "every other Friday except August",
    "fifth Wednesday of the month", "FREQ=MONTHLY;BYDAY=-1FR;BYMONTHDAY=-7,-6,-5,-4,-3,-2,-1",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SA;BYMONTH=1,2,11,12", "every day", "FREQ=MONTHLY;BYDAY=TU",
]  # fmt: skip


@pytest.mark.parametrize("phrase", QUICK_PHRASES)
@pytest.mark.parametrize("origin", [date(2023, 8, 2), date(2024, 2, 29), date(2025, 12, 31)])
def test_a_rule_knows_its_days_without_dateutil_as_dateutil_does(phrase, origin):
    """Rule.holds_on (cron's check of described meetings) agrees with the dates dateutil gives, day by day."""
    rule = parse_rule(phrase)
    last = origin + timedelta(days=800)
    on_rule = set(rule.dates(rule.first_on_or_after(origin), last))
    known = 0
    for i in range(-3, 801):
        day = origin + timedelta(days=i)
        quick = rule.holds_on(origin, day)
        if quick is not None:
            known += 1
            assert quick == (day in on_rule), (phrase, origin, day)
    assert known > 700 or phrase == "every day"  # the shapes secretaries write are answered directly


@pytest.mark.parametrize(
    ("written", "rule", "start"),
    [
        ("7pm on the last Wednesday of the month", "last Wednesday of the month", "19:00"),
        ("every Tuesday at 19:30", "every Tuesday", "19:30"),
        ("first and third Thursday of the month, 6.30pm", "first and third Thursday of the month", "18:30"),
        ("at 10am on Saturdays", "Saturdays", "10:00"),
    ],
)
def test_a_time_written_in_the_rule_is_answered_with_both_lines_to_write(written, rule, start):
    # How people say a slot ("7pm on the last Wednesday of the month") is two keys in the file.
    with pytest.raises(RuleError) as exc:
        parse_rule(written)
    assert str(exc.value) == (
        f"{written!r}: the time goes in the series' start, not in its rule: "
        f'write rule = "{rule}" and start = "{start}"'
    )
    parse_rule(rule)  # and what it says to write is a rule


def test_a_time_in_the_rule_is_one_located_line_in_check(cli, write_programme):
    path = write_programme(
        """
        [[series]]
        id = "general"
        title = "General meeting"
        rule = "7pm on the first Tuesday of the month"
        start = "19:00"
        venue = "hall"
        from = 2027-01-01
        """,
        header=True,
    )
    line = path.read_text().splitlines().index('rule = "7pm on the first Tuesday of the month"') + 1
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}:{line}:1: error: series[1].rule: '7pm on the first Tuesday of the month': the time goes in the "
        "series' start, not in its rule: write rule = \"first Tuesday of the month\" and start = \"19:00\""
    ]
