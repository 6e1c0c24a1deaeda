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

def find_clashes(items: Iterable[Occurrence], events: Sequence[Event], same_day: bool = False) -> list[Clash]:
    """Each (meeting, event) pair that overlaps, in meeting order.

    Overlap is in absolute time (zones handled); an all-day event clashes with any
    meeting on one of its days; ``same_day`` widens every meeting to the whole
    local days it spans (in its own zone). Cancelled meetings never clash.
    All-day events are looked up by date and timed ones by a binary search over
    their starts, so thousands of meetings against thousands of events stay fast.
    """
    import bisect

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
    timed.sort(key=lambda e: e.start)
    starts = [e.start.timestamp() for e in timed]
    ends = [e.end.timestamp() for e in timed]
    longest = max((b - a for a, b in zip(starts, ends, strict=True)), default=0.0)
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
        lo_s, hi_s = lo.timestamp(), hi.timestamp()
        for k in range(bisect.bisect_left(starts, lo_s - longest), bisect.bisect_left(starts, hi_s)):
            # Starts before the meeting ends; clashes if it ends after the meeting starts
            # (an event with no length clashes if it happens during the meeting).
            if ends[k] > lo_s or (ends[k] == starts[k] and starts[k] >= lo_s):
                found.append(timed[k])
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

