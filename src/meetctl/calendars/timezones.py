"""VTIMEZONE components for the zones a calendar uses, and each zone's clock changes.

Stage: outputs (calendars). Imports the model only.
"""

from __future__ import annotations

import calendar as _calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from meetctl.model.rules import WEEKDAY_CODES

# --------------------------------------------------------------------------- time zones


@dataclass(frozen=True)
class _Transition:
    at: datetime  # the instant, UTC
    before: timedelta  # UTC offset before
    after: timedelta  # UTC offset after
    name: str
    dst: bool

    @property
    def local(self) -> datetime:
        """The wall-clock time of the change, in the offset before it (VTIMEZONE's DTSTART)."""
        return (self.at + self.before).replace(tzinfo=None)


def _offset(zone: tzinfo, instant: datetime) -> tuple[timedelta, str, bool]:
    local = instant.astimezone(zone)
    return local.utcoffset() or timedelta(0), local.tzname() or "", bool(local.dst())


def zone_transitions(zone: tzinfo, first_year: int, last_year: int) -> list[_Transition]:
    """Every change of UTC offset (or of zone name) in ``zone`` from ``first_year`` to ``last_year``.

    zoneinfo keeps its transition table private, so step a day at a time and
    bisect each change to the second: a few thousand look-ups for a decade. Years
    past the table (2038) follow one yearly rule: they are worked out from the last
    scanned year's changes and checked, so a series to 9997 costs no minutes.
    """
    scan_to = min(last_year, max(first_year, _LAST_TABLE_YEAR) + 1)
    found = _scanned_transitions(zone, first_year, scan_to)
    if last_year > scan_to:
        found += _later_transitions(zone, found, scan_to, last_year)
    return found


def _later_transitions(zone: tzinfo, found: list[_Transition], scanned: int, last_year: int) -> list[_Transition]:
    """The changes of the years after ``scanned``, each one moved by its yearly rule, checked against ``zone``."""
    templates = [c for c in found if c.local.year == scanned]
    earlier = {(c.before, c.after): c.local for c in found if c.local.year == scanned - 1}
    out: list[_Transition] = []
    for year in range(scanned + 1, last_year + 1):
        this_year = []
        for t in templates:
            day = _rule_day(t.local, earlier.get((t.before, t.after)), year)
            at = None if day is None else (datetime.combine(day, t.local.time()) - t.before).replace(tzinfo=UTC)
            if at is None or _offset(zone, at - timedelta(seconds=1))[0] != t.before or _offset(zone, at)[0] != t.after:
                return out + _scanned_transitions(zone, year, last_year)  # not a simple yearly rule: scan
            this_year.append(_Transition(at, t.before, t.after, t.name, t.dst))
        out += this_year
    return out


def _rule_day(local: datetime, year_before: datetime | None, year: int) -> date | None:
    """The date in ``year`` of a change made on ``local`` (and on ``year_before`` the year before)."""
    month_days = _calendar.monthrange(year, local.month)[1]
    if year_before is not None and (year_before.month, year_before.day) == (local.month, local.day):
        return date(year, local.month, local.day) if local.day <= month_days else None  # a fixed date
    weekday = local.weekday()
    first = date(year, local.month, 1)
    first_such = first + timedelta(days=(weekday - first.weekday()) % 7)
    if local.day + 7 > _calendar.monthrange(local.year, local.month)[1]:  # the last such weekday
        return first_such + timedelta(days=7 * ((month_days - first_such.day) // 7))
    return first_such + timedelta(days=7 * ((local.day - 1) // 7))


def _scanned_transitions(zone: tzinfo, first_year: int, last_year: int) -> list[_Transition]:
    found: list[_Transition] = []
    t = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    state = _offset(zone, t)
    step = timedelta(hours=12)
    while t < end:
        nxt = t + step
        new = _offset(zone, nxt)
        if new != state:
            lo, hi = t, nxt  # state holds at lo, new at hi
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _offset(zone, mid) == state:
                    lo = mid
                else:
                    hi = mid
            hi = hi.replace(microsecond=0)
            found.append(_Transition(hi, state[0], new[0], new[1], new[2]))
            state = new
        t = nxt
    return found


def _byday_candidates(day: datetime) -> set[str]:
    """How a transition's date can be said in a yearly rule: '2SU', and '-1SU' if last."""
    code = WEEKDAY_CODES[day.weekday()]
    out = {f"{(day.day - 1) // 7 + 1}{code}"}
    if day.day + 7 > _calendar.monthrange(day.year, day.month)[1]:
        out.add(f"-1{code}")
    return out


#: zoneinfo's transition tables end here (32-bit times); later years follow one rule.
_LAST_TABLE_YEAR = 2038


def vtimezone(zone: ZoneInfo, first_year: int, last_year: int) -> Any:
    """A VTIMEZONE for ``zone`` valid from ``first_year`` to ``last_year`` and beyond.

    Rule-based (one STANDARD/DAYLIGHT with a yearly RRULE per run of alike
    changes), never icalendar's long comma-separated RDATE lists, which ical.js
    (Thunderbird) and vobject read only the first date of. The latest run of each
    kind is left open-ended, so open-ended series stay right in later years.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    tz = Timezone()
    tz.add("tzid", zone.key)
    # Past 2037 zoneinfo has no table, only the zone's yearly POSIX rule: a few years of it
    # show every change, and the latest runs are left open-ended. Scanning to `until =
    # 9997-12-31` a day at a time would take minutes.
    changes = zone_transitions(zone, first_year, min(last_year, max(first_year, _LAST_TABLE_YEAR) + 2))
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    offset, name, dst = _offset(zone, start)
    if not changes or changes[0].at.year > first_year:
        # No change in the first year: say what holds from its start.
        sub = TimezoneDaylight() if dst else TimezoneStandard()
        sub.add("dtstart", datetime(first_year, 1, 1))
        sub.add("tzoffsetfrom", offset)
        sub.add("tzoffsetto", offset)
        if name:
            sub.add("tzname", name)
        tz.add_component(sub)

    def kind(c: _Transition) -> tuple:
        return (c.before, c.after, c.name, c.dst, c.local.month, c.local.time())

    # Runs of the same kind of change in consecutive years with a common BYDAY.
    runs: list[tuple[list[_Transition], set[str]]] = []
    open_runs: dict[tuple, int] = {}
    for c in changes:
        k = kind(c)
        i = open_runs.get(k)
        if i is not None:
            members, codes = runs[i]
            common = codes & _byday_candidates(c.local)
            if c.local.year == members[-1].local.year + 1 and common:
                members.append(c)
                runs[i] = (members, common)
                continue
        open_runs[k] = len(runs)
        runs.append(([c], _byday_candidates(c.local)))
    last_of_kind = set(open_runs.values())
    for i, (members, codes) in enumerate(runs):
        first = members[0]
        sub = TimezoneDaylight() if first.dst else TimezoneStandard()
        sub.add("dtstart", first.local)
        if len(members) > 1 or (i in last_of_kind and first.local.year >= last_year - 1):
            rule: dict[str, Any] = {"freq": "yearly", "bymonth": first.local.month}
            rule["byday"] = sorted(codes, key=lambda c: c.startswith("-"))[-1]  # prefer "last"
            ends_in_range = members[-1].local.year < last_year
            if not (i in last_of_kind and not ends_in_range):
                rule["until"] = members[-1].at
            sub.add("rrule", rule)
        sub.add("tzoffsetfrom", first.before)
        sub.add("tzoffsetto", first.after)
        if first.name:
            sub.add("tzname", first.name)
        tz.add_component(sub)
    return tz


@functools.lru_cache(maxsize=64)
def change_days(zone_name: str, first_year: int, last_year: int) -> tuple[tuple[date, datetime], ...]:
    """Each clock change of ``zone_name``: its local date and its instant."""
    changes = zone_transitions(ZoneInfo(zone_name), first_year, last_year)
    return tuple((c.local.date(), c.at) for c in changes)

