"""Warnings about a valid programme: overlapping meetings, series that have ended.

Errors (things that make a programme invalid) are found while loading, in
:mod:`meetctl.model.programme`; this module finds what is legal but probably a mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from meetctl.model.errors import Problem
from meetctl.model.programme import Programme
from meetctl.model.schedule import (
    Occurrence,
    next_occurrence,
    overlapping_groups,
    programme_span,
    stream_occurrences,
)

#: How far past today an open-ended series is checked for clashes.
LOOKAHEAD = timedelta(days=366)
#: Overlaps listed one by one; past this, one line counts the rest (a programme where
#: everything overlaps would otherwise print thousands of lines).
MAX_OVERLAPS = 20


@dataclass(frozen=True)
class Summary:
    """The one-line summary ``meetctl check`` prints for a programme."""

    programme: Programme
    next: Occurrence | None

    def __str__(self) -> str:
        from meetctl.model.wording import format_date, format_time

        p = self.programme
        counts = [
            _count(len(p.series), "series", "series"),
            # [[meetings]] tables mostly describe dates of a series: only the one-offs add meetings.
            _count(sum(1 for m in p.meetings if m.series is None), "one-off meeting", "one-off meetings"),
            _count(len(p.venues), "venue", "venues"),
        ]
        text = f"{p.path}: ok: {p.group.name}: {', '.join(counts)}; "
        if self.next is None:
            return text + "no meetings to come"
        o = self.next
        return text + f"next: {format_date(o.date)} at {format_time(o.start)}, {o.title}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def check_window(programmes: Sequence[Programme], today: date) -> tuple[date, date]:
    """The dates to look for clashes in: all the programmes say, open-ended ones to a year ahead."""
    firsts, lasts = [], []
    for p in programmes:
        first, last = programme_span(p)
        if first is not None:
            firsts.append(first)
            lasts.append(last or max(today, first) + LOOKAHEAD)
    if not firsts:
        return today, today
    return min(firsts), max(lasts)


def warnings(programmes: Sequence[Programme], today: date) -> list[Problem]:
    """Everything legal but suspicious across ``programmes``, in file order."""
    found: list[Problem] = []
    for p in programmes:
        for i, s in enumerate(p.series):
            if s.until is not None and s.until < today:
                found.append(
                    Problem(
                        f"series '{s.id}' ended on {s.until} (until has passed)",
                        p.locate(("series", i, "until")),
                        "warning",
                    )
                )
    from meetctl.model.network import copy_warnings

    found.extend(copy_warnings(programmes))
    found.extend(notice_warnings(programmes, today))
    from meetctl.model.zones import zone_warnings

    found.extend(zone_warnings(programmes, today))
    first, last = check_window(programmes, today)
    listed = stream_occurrences(programmes, first, last)
    on_holidays = _HolidayCheck(programmes, first, last)
    from meetctl.model.clockchanges import ClockChangeCheck

    clock_changes = ClockChangeCheck(today)
    # One pass, the occurrences streamed: the sweep keeps the pairs it prints and counts the rest.
    shown: list[tuple[Occurrence, Occurrence]] = []
    more, first_more, last_more = 0, today, today
    for b, earlier in overlapping_groups(clock_changes.watch(on_holidays.watch(listed))):
        room = MAX_OVERLAPS - len(shown)
        shown.extend((a, b) for a in earlier[:room])
        rest = len(earlier) - max(room, 0)
        if rest > 0:
            if more == 0:
                first_more = b.date
            more, last_more = more + rest, b.date
    # Past the sweep's end: the holiday check has seen every occurrence.
    found.extend(on_holidays.found)
    found.extend(clock_changes.found)
    for a, b in shown:
        place = b.meeting.location if b.meeting else (b.series.location if b.series else None)
        other = f"'{a.title}'" + (f" of {a.group.name}" if a.group.name != b.group.name else "")
        found.append(
            Problem(
                f"{b.date} {b.start:%H:%M}-{b.end:%H:%M} '{b.title}' overlaps {other} "
                f"({a.start:%Y-%m-%d %H:%M}-{a.end:%H:%M})",
                place,
                "warning",
            )
        )
    if more:
        found.append(
            Problem(
                f"... and {more} more overlapping meetings ({first_more} to {last_more})",
                None,
                "warning",
            )
        )
    return found


#: ``check`` warns of a notice deadline this many days ahead (and of one that has passed).
NOTICE_WARNING_DAYS = 7


def notice_warnings(programmes: Sequence[Programme], today: date) -> list[Problem]:
    """Meetings still to come whose notice deadline is within a week, or has passed without them being held."""
    from meetctl.model.schedule import pending_notices
    from meetctl.model.wording import format_date

    found: list[Problem] = []
    for o in pending_notices(programmes, today, today + timedelta(days=NOTICE_WARNING_DAYS)):
        deadline = o.notice_deadline
        assert deadline is not None and o.notice is not None
        place = o.meeting.location if o.meeting else (o.series.location if o.series else None)
        days = (deadline - today).days
        count = f"{abs(days)} day{'s' if abs(days) != 1 else ''}"
        if days < 0:
            when = f"the deadline for notice was {format_date(deadline)} ({deadline}), {count} ago"
        elif days == 0:
            when = f"notice must be given today, {format_date(deadline)} ({deadline})"
        else:
            when = f"notice must be given by {format_date(deadline)} ({deadline}), in {count}"
        found.append(Problem(f"{o.date} '{o.title}' needs notice of {o.notice}: {when}", place, "warning"))
    return found


class _HolidayCheck:
    """Scheduled meetings on a public holiday of their group's country, noted as they stream past."""

    def __init__(self, programmes: Sequence[Programme], first: date, last: date) -> None:
        self.found: list[Problem] = []
        self.holidays: dict[int, dict[date, str]] = {}
        with_country = [p for p in programmes if p.group.country]
        if with_country:
            from meetctl.model.publicholidays import HolidaysNotInstalled, holidays_in

            years = range(first.year, last.year + 1)
            for p in with_country:
                try:
                    self.holidays[id(p)] = holidays_in(p, years)
                except HolidaysNotInstalled as exc:  # an optional extra: the rest of check still stands
                    self.found.extend(problem._replace(severity="warning") for problem in exc.problems)

    def watch(self, listed: Iterable[Occurrence]) -> Iterator[Occurrence]:
        """``listed`` unchanged, noting each meeting that falls on a holiday."""
        for o in listed:
            name = self.holidays.get(id(o.programme), {}).get(o.date) if self.holidays else None
            if name and not o.cancelled:
                place = o.meeting.location if o.meeting else (o.series.location if o.series else None)
                hint = "" if o.series is None else ' (a series can say on_holiday = "skip", "before" or "after")'
                self.found.append(
                    Problem(f"{o.date} '{o.title}' falls on a public holiday: {name}{hint}", place, "warning")
                )
            yield o


def summaries(programmes: Sequence[Programme], today: date) -> list[Summary]:
    """One summary per programme, each with its next meeting from ``today``."""
    from datetime import datetime, time

    out = []
    for p in programmes:
        start = datetime.combine(today, time(), tzinfo=p.group.zone)
        out.append(Summary(p, next_occurrence(p, start)))
    return out
