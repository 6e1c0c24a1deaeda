"""Meetings that start in an hour the clocks skip or repeat, for ``meetctl check``.

Stage: the validated model (pure: today is a parameter). A series at 01:30 every
Sunday in Europe/London has no 01:30 on the last Sunday of March (the clocks go from
01:00 to 02:00) and two on the last Sunday of October. meetctl resolves both as RFC
5545 says (the gap's meeting at 02:30, the fold's at the first 01:30), but calendar
readers disagree exactly there: some drop the gap's meeting, some show the fold's
twice. ``check`` says so, meeting by meeting, for meetings from today on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from meetctl.model.errors import Problem
from meetctl.model.schedule import Occurrence
from meetctl.model.zonechanges import zone_transitions


def written_start(o: Occurrence) -> time:
    """The wall-clock start the programme gives this occurrence (before any gap moves it)."""
    return (o.meeting and o.meeting.start) or (o.series.start if o.series else o.start.time())


def _change_between(zone: ZoneInfo, early: datetime, late: datetime) -> datetime:
    """The instant (UTC) between ``early`` and ``late`` where ``zone``'s offset changes."""
    changes = zone_transitions(zone, early.year, late.year)
    return next(c.at for c in changes if early <= c.at <= late and c.before != c.after)


def clock_change_problem(o: Occurrence) -> Problem | None:
    """A warning when ``o`` starts in a skipped or repeated hour of its group's zone, else None."""
    zone = o.group.zone
    at = written_start(o)
    if at == time(0):  # midnight: an all-day meeting (imported), whose day calendars show whole
        return None
    wall = datetime.combine(o.date, at, tzinfo=zone)
    first, second = wall.utcoffset(), wall.replace(fold=1).utcoffset()
    if first == second:
        return None
    assert first is not None and second is not None
    moments = sorted([wall.astimezone(UTC), wall.replace(fold=1).astimezone(UTC)])
    change = _change_between(zone, moments[0] - timedelta(hours=1), moments[1] + timedelta(hours=1))
    old = (change - timedelta(minutes=1)).astimezone(zone).utcoffset()
    new = change.astimezone(zone).utcoffset()
    assert old is not None and new is not None
    from_wall, to_wall = (change + old).strftime("%H:%M"), (change + new).strftime("%H:%M")
    place = o.meeting.location if o.meeting else (o.series.location if o.series else None)
    head = f"{o.date} '{o.title}' starts at {at:%H:%M}"
    if new > old:  # spring forward: the wall-clock time never happens
        shown = o.start.strftime("%H:%M")
        return Problem(
            f"{head}, a time the clocks skip in {o.group.timezone} that day (they go from {from_wall} "
            f"to {to_wall}): calendars show it at {shown}, and some leave it out; "
            "start it outside the change",
            place, "warning",
        )  # fmt: skip
    first_name = wall.tzname()
    return Problem(
        f"{head}, a time that happens twice in {o.group.timezone} that day (the clocks go back from "
        f"{from_wall} to {to_wall}): meetctl means the first, {at:%H:%M} {first_name}, and some calendars "
        "show it twice; start it outside the change",
        place, "warning",
    )  # fmt: skip


@cache
def change_days(zone: ZoneInfo, year: int) -> frozenset[date]:
    """The local dates in ``year`` on which ``zone``'s clocks change.

    So that ``check`` looks closely only at meetings on those days: a set lookup for
    the rest, not three offset computations each.
    """
    days: set[date] = set()
    for change in zone_transitions(zone, year, year):
        if change.before != change.after:  # either side of a midnight change
            days.update({(change.at + change.before).date(), (change.at + change.after).date()})
    return frozenset(days)


class ClockChangeCheck:
    """Scheduled meetings from ``today`` on that start in a skipped or repeated hour, noted as they pass."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.found: list[Problem] = []

    def watch(self, listed: Iterable[Occurrence]) -> Iterator[Occurrence]:
        """``listed`` unchanged, noting each meeting that starts in a clock change."""
        for o in listed:
            if o.date >= self.today and not o.cancelled and o.date in change_days(o.group.zone, o.date.year):
                problem = clock_change_problem(o)
                if problem:
                    self.found.append(problem)
            yield o
