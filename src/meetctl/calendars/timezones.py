"""VTIMEZONE components for the zones a calendar uses, and each zone's clock changes.

Stage: outputs (calendars). Imports the model only.
"""

from __future__ import annotations

import calendar as _calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetctl.model.recurrence import WEEKDAY_CODES
from meetctl.model.zonechanges import ClockChange as _Transition
from meetctl.model.zonechanges import offset_at, zone_transitions

# --------------------------------------------------------------------------- time zones


def _byday_candidates(day: datetime) -> set[str]:
    """How a transition's date can be said in a yearly rule: '2SU', and '-1SU' if last."""
    code = WEEKDAY_CODES[day.weekday()]
    out = {f"{(day.day - 1) // 7 + 1}{code}"}
    if day.day + 7 > _calendar.monthrange(day.year, day.month)[1]:
        out.add(f"-1{code}")
    return out


#: vobject (Radicale, many Python clients) compares a zone with UTC over 2000-2019 and
#: treats it as UTC when its VTIMEZONE says nothing else then: every VTIMEZONE reaches back to here.
EARLIEST_YEAR = 1999
#: How far past the calendar's last year a zone's yearly rules are checked against the zone's
#: real changes before they are written open-ended.
_CHECK_YEARS = 12


def vtimezone(zone: ZoneInfo, first_year: int, last_year: int) -> Any:
    """A VTIMEZONE for ``zone`` valid from ``first_year`` to ``last_year`` and beyond.

    Rule-based where the zone keeps yearly rules (one STANDARD/DAYLIGHT with a
    yearly RRULE per run of alike changes, the latest runs open-ended, so
    open-ended series stay right in later years), never icalendar's long
    comma-separated RDATE lists, which ical.js (Thunderbird) and vobject read only
    the first date of. Where yearly rules cannot describe the zone's coming years
    (Africa/Casablanca's Ramadan changes, Pacific/Apia's end of daylight saving),
    every change is written as an observance of its own (one DTSTART each), up to
    :data:`_CHECK_YEARS` past ``last_year``. Observances reach back to
    :data:`EARLIEST_YEAR` whatever ``first_year`` is (see there). An observance is
    DAYLIGHT when it puts the clocks forward (:func:`_forward`), so Europe/Dublin's
    "negative daylight saving" in winter reads as every reader expects.
    """
    from icalendar import Timezone

    first_year = min(first_year, EARLIEST_YEAR)
    changes = zone_transitions(zone, first_year, last_year + _CHECK_YEARS)
    runs = _runs([c for c in changes if c.local.year <= last_year])
    future = [c for c in changes if c.local.year > last_year]
    regular = _predicts(runs, future, last_year)
    tz = Timezone()
    tz.add("tzid", zone.key)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    offset, name, _dst = offset_at(zone, start)
    if not changes or changes[0].at.year > first_year:
        # No change in the first year: say what holds from its start.
        tz.add_component(_observance(False, datetime(first_year, 1, 1), offset, offset, name))
    if not regular:
        for c in changes:
            tz.add_component(_observance(_forward(c), c.local, c.before, c.after, c.name))
        return tz
    for run in runs:
        first = run.members[0]
        sub = _observance(_forward(first), first.local, first.before, first.after, first.name)
        if run.open_ended or len(run.members) > 1:
            rule: dict[str, Any] = {"freq": "yearly", "bymonth": first.local.month, "byday": run.byday}
            if not run.open_ended:
                rule["until"] = run.members[-1].at
            sub.add("rrule", rule)
        tz.add_component(sub)
    return tz


def _forward(c: _Transition) -> bool:
    """Whether a change is daylight saving's "clocks forward" (DAYLIGHT): forward by at most two
    hours. A bigger jump (Samoa crossing the date line) is a new standard time: readers
    such as dateutil refuse a daylight saving of a day."""
    return timedelta(0) < c.after - c.before <= timedelta(hours=2)


def _observance(daylight: bool, local: datetime, before: timedelta, after: timedelta, name: str) -> Any:
    from icalendar import TimezoneDaylight, TimezoneStandard

    sub = TimezoneDaylight() if daylight else TimezoneStandard()
    sub.add("dtstart", local)
    sub.add("tzoffsetfrom", before)
    sub.add("tzoffsetto", after)
    if name:
        sub.add("tzname", name)
    return sub


@dataclass
class _Run:
    """Alike changes in consecutive years on a common weekday of the month ('2SU', '-1SU')."""

    members: list[_Transition]
    codes: set[str]
    open_ended: bool = False

    @property
    def byday(self) -> str:
        return sorted(self.codes, key=lambda c: c.startswith("-"))[-1]  # prefer "last"

    def date_in(self, year: int) -> date | None:
        """The local date this run's yearly rule gives in ``year``."""
        code = self.byday
        nth, weekday = int(code[:-2]), WEEKDAY_CODES.index(code[-2:])
        month = self.members[0].local.month
        days = [d for d in range(1, _calendar.monthrange(year, month)[1] + 1)
                if date(year, month, d).weekday() == weekday]  # fmt: skip
        if not -len(days) <= nth <= len(days) or nth == 0:
            return None
        return date(year, month, days[nth - 1 if nth > 0 else nth])


def _kind(c: _Transition) -> tuple:
    return (c.before, c.after, c.name, c.local.month, c.local.time())


def _runs(changes: list[_Transition]) -> list[_Run]:
    """Group changes into runs; the latest run of each kind is marked open-ended."""
    runs: list[_Run] = []
    latest: dict[tuple, int] = {}
    for c in changes:
        i = latest.get(_kind(c))
        if i is not None:
            run = runs[i]
            common = run.codes & _byday_candidates(c.local)
            if c.local.year == run.members[-1].local.year + 1 and common:
                run.members.append(c)
                run.codes = common
                continue
        latest[_kind(c)] = len(runs)
        runs.append(_Run([c], _byday_candidates(c.local)))
    last_year = changes[-1].local.year if changes else 0
    for i in latest.values():
        # Only a run still going in the last years becomes a standing rule.
        runs[i].open_ended = runs[i].members[-1].local.year >= last_year - 1 and len(runs[i].members) > 1
    return runs


def _predicts(runs: list[_Run], future: list[_Transition], last_year: int) -> bool:
    """Whether the open-ended runs give exactly the zone's changes after ``last_year``."""
    open_runs = [r for r in runs if r.open_ended]
    years = range(last_year + 1, last_year + _CHECK_YEARS + 1)
    predicted = set()
    for run in open_runs:
        first = run.members[0]
        for year in years:
            day = run.date_in(year)
            if day is None:
                return False
            predicted.add((datetime.combine(day, first.local.time()), first.before, first.after))
    actual = {(c.local, c.before, c.after) for c in future}
    return predicted == actual


@functools.lru_cache(maxsize=64)
def change_days(zone_name: str, first_year: int, last_year: int) -> tuple[tuple[date, datetime], ...]:
    """Each clock change of ``zone_name``: its local date and its instant."""
    changes = zone_transitions(ZoneInfo(zone_name), first_year, last_year)
    return tuple((c.local.date(), c.at) for c in changes)

