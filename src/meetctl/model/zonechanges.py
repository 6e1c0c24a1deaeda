"""A time zone's clock changes, found from zoneinfo itself (its table is private).

Stage: model. Used by ``check`` (meetings in a skipped or repeated hour) and by the
calendars' VTIMEZONEs, so both see the same changes.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo


@dataclass(frozen=True)
class ClockChange:
    """One change of a zone's UTC offset (or of its name): when, from what, to what."""

    at: datetime  # the instant, UTC
    before: timedelta  # UTC offset before
    after: timedelta  # UTC offset after
    name: str
    dst: bool

    @property
    def local(self) -> datetime:
        """The wall-clock time of the change, in the offset before it (VTIMEZONE's DTSTART)."""
        return (self.at + self.before).replace(tzinfo=None)


def offset_at(zone: tzinfo, instant: datetime) -> tuple[timedelta, str, bool]:
    """The UTC offset, the zone's name for it and whether it is summer time, at ``instant``."""
    local = instant.astimezone(zone)
    return local.utcoffset() or timedelta(0), local.tzname() or "", bool(local.dst())


#: zoneinfo's transition tables end here (32-bit times); later years follow one yearly rule.
_LAST_TABLE_YEAR = 2038


def zone_transitions(zone: tzinfo, first_year: int, last_year: int) -> list[ClockChange]:
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


def _later_transitions(zone: tzinfo, found: list[ClockChange], scanned: int, last_year: int) -> list[ClockChange]:
    """The changes of the years after ``scanned``, each one moved by its yearly rule, checked against ``zone``."""
    templates = [c for c in found if c.local.year == scanned]
    earlier = {(c.before, c.after): c.local for c in found if c.local.year == scanned - 1}
    out: list[ClockChange] = []
    for year in range(scanned + 1, last_year + 1):
        this_year = []
        for t in templates:
            day = _rule_day(t.local, earlier.get((t.before, t.after)), year)
            at = None if day is None else (datetime.combine(day, t.local.time()) - t.before).replace(tzinfo=UTC)
            held = at is not None and offset_at(zone, at - timedelta(seconds=1))[0] == t.before
            if at is None or not held or offset_at(zone, at)[0] != t.after:
                return out + _scanned_transitions(zone, year, last_year)  # not a simple yearly rule: scan
            this_year.append(ClockChange(at, t.before, t.after, t.name, t.dst))
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


def _scanned_transitions(zone: tzinfo, first_year: int, last_year: int) -> list[ClockChange]:
    found: list[ClockChange] = []
    t = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    state = offset_at(zone, t)
    step = timedelta(hours=12)
    while t < end:
        nxt = t + step
        new = offset_at(zone, nxt)
        if new != state:
            lo, hi = t, nxt  # state holds at lo, new at hi
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if offset_at(zone, mid) == state:
                    lo = mid
                else:
                    hi = mid
            hi = hi.replace(microsecond=0)
            found.append(ClockChange(hi, state[0], new[0], new[1], new[2]))
            state = new
        t = nxt
    return found
