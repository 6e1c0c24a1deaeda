"""Clashes: our meetings paired with the events elsewhere that they overlap.

Stage: outputs (calendars). Imports the model and :mod:`meetctl.calendars.reading`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from meetctl.calendars.export import expanded_uid
from meetctl.calendars.reading import Event
from meetctl.model.schedule import (
    Occurrence,
)


@dataclass(frozen=True)
class Clash:
    """One of our meetings and an event elsewhere that it overlaps."""

    occurrence: Occurrence
    event: Event

_DAY = 86400.0


class EventIndex:
    """Timed events indexed by time, so a meeting is compared only with events near it.

    Events up to a day long: sorted starts, searched from the meeting's start less a
    day. Longer ones (a year-long "term" event, a festival): filed under every UTC day
    they cover, so each costs one comparison per meeting on one of its days instead of
    one per meeting of the whole window.
    """

    def __init__(self, events: Iterable[Event]) -> None:
        short: list[tuple[float, float, Event]] = []
        self.long_by_day: dict[int, list[tuple[float, float, Event]]] = {}
        for e in events:
            start, end = e.start.timestamp(), e.end.timestamp()
            if end - start <= _DAY:
                short.append((start, end, e))
                continue
            for day in range(int(start // _DAY), int(end // _DAY) + 1):
                self.long_by_day.setdefault(day, []).append((start, end, e))
        short.sort(key=lambda item: item[0])
        self.starts = [item[0] for item in short]
        self.short = short

    def overlapping(self, lo: float, hi: float) -> list[Event]:
        """Events that overlap ``lo..hi`` (POSIX seconds); one of no length overlaps if it is inside."""
        import bisect

        def hits(start: float, end: float) -> bool:
            return start < hi and (end > lo or (end == start and start >= lo))

        found = [e for start, end, e in self.short[bisect.bisect_left(self.starts, lo - _DAY):
                                                   bisect.bisect_left(self.starts, hi)]
                 if hits(start, end)]  # fmt: skip
        if self.long_by_day:
            seen: set[int] = set()
            for day in range(int(lo // _DAY), int(hi // _DAY) + 1):
                for start, end, e in self.long_by_day.get(day, ()):
                    if id(e) not in seen and hits(start, end):
                        seen.add(id(e))
                        found.append(e)
        return found


def find_clashes(items: Iterable[Occurrence], events: Sequence[Event], same_day: bool = False) -> list[Clash]:
    """Each (meeting, event) pair that overlaps, in meeting order.

    Overlap is in absolute time (zones handled); an all-day event clashes with any
    meeting on one of its days; ``same_day`` widens every meeting to the whole
    local days it spans (in its own zone). Cancelled meetings never clash.
    All-day events are looked up by date and timed ones through an :class:`EventIndex`,
    so thousands of meetings against thousands of events stay fast, long events too.
    """
    by_day: dict[date, list[Event]] = {}
    timed: list[Event] = []
    for e in events:
        if e.all_day and e.days is not None:
            day, last = e.days
            for _ in range(3660):  # an all-day event of more than ten years is not a clash worth listing
                by_day.setdefault(day, []).append(e)
                if day >= last:
                    break
                day += timedelta(days=1)
        else:
            timed.append(e)
    index = EventIndex(timed)
    out: list[Clash] = []
    for o in sorted((o for o in items if not o.cancelled), key=lambda o: o.start):
        found: list[Event] = []
        day = o.date
        while day <= o.end_date:
            found.extend(e for e in by_day.get(day, ()) if e not in found)
            day += timedelta(days=1)
        lo, hi = o.start, o.end
        if same_day:
            zone = o.start.tzinfo
            lo = datetime.combine(o.date, time(), tzinfo=zone)
            hi = datetime.combine(o.end_date + timedelta(days=1), time(), tzinfo=zone)
        found.extend(index.overlapping(lo.timestamp(), hi.timestamp()))
        # Our own meeting read back (its programme, or a feed made from it) is no clash.
        found = [e for e in found if not (e.uid in (o.uid, expanded_uid(o)) and e.start == o.start)]
        found.sort(key=lambda e: (e.start, e.end, e.title))
        out.extend(Clash(o, e) for e in found)
    return out


def clash_record(c: Clash) -> dict[str, Any]:
    """The ``clashes --json`` object for one clash."""
    o, e = c.occurrence, c.event
    return {
        "date": o.date.isoformat(),
        "start": o.start.isoformat(),
        "end": o.end.isoformat(),
        "title": o.title,
        "group": o.group.name,
        "uid": o.uid,
        "with": {
            "title": e.title,
            "start": e.days[0].isoformat() if e.all_day and e.days else e.start.isoformat(),
            "end": e.days[1].isoformat() if e.all_day and e.days else e.end.isoformat(),
            "all_day": e.all_day,
            "source": e.source,
        },
    }


def clash_line(c: Clash) -> str:
    """One line a person reads: our meeting, then the event it clashes with (in our zone) and where from."""
    o, e = c.occurrence, c.event
    zone = o.start.tzinfo
    if e.all_day and e.days:
        when = "all day" if e.days == (o.date, o.date) else f"{e.days[0]} to {e.days[1]}, all day"
    else:
        s, t = e.start.astimezone(zone), e.end.astimezone(zone)
        day = "" if s.date() == o.date else f"{s:%Y-%m-%d} "
        when = f"{day}{s:%H:%M}-{t:%H:%M}" if s.date() == t.date() else f"{day}{s:%H:%M} to {t:%Y-%m-%d %H:%M}"
    return f"{o.date} {o.start:%H:%M}-{o.end:%H:%M} '{o.title}' clashes with '{e.title}' {when} ({e.source})"

