"""The import checked against the calendar it came from.

Stage: outputs (calendars), for ``meetctl import``. The imported programme's meetings
are compared with the calendar's own occurrences, as recurring-ical-events finds them
(over three years from the first event): every event whose occurrences differ is named
in a warning, so nothing changes silently. Imports the model; never the CLI.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetctl.calendars.export import FIELDS_PROP
from meetctl.calendars.reading import event_line, event_name, first_line
from meetctl.calendars.vevents import DAY, EventReader, event_title, is_cancelled, json_prop
from meetctl.model.errors import Location, Problem

#: What reading an odd event's DTSTART can raise: that event has no place in the window.
_NOT_READABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


def differences(cal: Any, text: str, source: str, reader: EventReader) -> list[Problem]:
    """Warnings for the events of ``cal`` whose occurrences the imported programme (``text``,
    as import writes it) does not reproduce: start, end and title, in absolute time."""
    from meetctl.model.loading import parse_programme
    from meetctl.model.schedule import occurrences

    starts = []
    for ev in cal.walk("VEVENT"):
        with contextlib.suppress(*_NOT_READABLE):
            value = ev["dtstart"].dt
            starts.append(value.date() if isinstance(value, datetime) else value)
    if not starts:
        return []
    first = min(starts)
    last = first + timedelta(days=3 * 366)
    want: dict[str, set[tuple]] = {}
    events: dict[str, Any] = {}
    try:
        programme = parse_programme(text, "imported programme")
        for ev, start_value, end_value in _source_occurrences(cal, first - DAY, last + DAY):
            if is_cancelled(ev):
                continue
            uid = str(ev.get("uid") or "")
            start, end = reader.instant(start_value), reader.instant(end_value)
            if start is None or not first <= _day(start, reader.zone) <= last:
                continue
            title = event_title(ev, bool(json_prop(ev, FIELDS_PROP))) or ""
            want.setdefault(uid, set()).add((start, end or start, title))
    except Exception as exc:  # noqa: BLE001 - the check itself must never stop an import
        return [Problem(f"could not compare the import with the calendar: {first_line(exc)}",
                        Location(source), "warning")]  # fmt: skip
    for ev in cal.walk("VEVENT"):
        events.setdefault(str(ev.get("uid") or ""), ev)
    got: dict[str, set[tuple]] = {}
    for o in occurrences([programme], first, last):
        if not o.cancelled:
            # Meetings made from one event keep its UID: "YYYYMMDD-<uid>" (an RDATE...), "<uid>-rule2", "<uid>-2".
            key = o.uid
            if re.match(r"\d{8}-", key) and key[9:] in want:
                key = key[9:]
            key = re.sub(r"-(?:rule)?\d+$", "", key) if key not in want else key
            got.setdefault(key, set()).add((o.start.astimezone(UTC), o.end.astimezone(UTC), o.title))
    # Events without a UID get one of meetctl's making: compare them all together.
    unclaimed = {r for key, records in got.items() if key not in want for r in records}
    out = []
    if unclaimed and "" not in want:
        start, _end, title = sorted(unclaimed)[0]
        out.append(Problem(f"the programme has {len(unclaimed)} meeting(s) the calendar does not (as "
                           f'recurring-ical-events reads it), such as "{title}" at {start:%Y-%m-%d %H:%M} UTC',
                           Location(source), "warning"))  # fmt: skip
    for uid in sorted(want):
        ours = got.get(uid, set()) if uid else unclaimed
        lost, extra = want[uid] - ours, ours - want[uid]
        if not lost and not extra:
            continue
        example = sorted(lost or extra)[0]
        when = f"{example[0]:%Y-%m-%d %H:%M} UTC" if isinstance(example[0], datetime) else str(example[0])
        what = "is not in the programme" if lost else "is in the programme but not in the calendar"
        ev = events.get(uid)
        message = (f"{len(lost | extra)} of its occurrences differ after import (the one at {when} {what}); "
                   "check the programme against the calendar")  # fmt: skip
        out.append(Problem(f"{event_name(ev)}: {message}" if ev is not None else message,
                           Location(source, event_line(ev) if ev is not None else None), "warning"))  # fmt: skip
    return out


#: Events expanded by recurring-ical-events at a time.
_BATCH = 256

#: What makes an event more than its own single occurrence (to recurring-ical-events).
_RECURRING = ("rrule", "rdate", "exrule", "exdate", "recurrence-id")


def _source_occurrences(cal: Any, lo: date, hi: date) -> Iterator[tuple[Any, Any, Any]]:
    """(event, start, end) of each of the calendar's occurrences, as recurring-ical-events finds them.

    An event that stands alone (no rule, no override, its UID its own) is its own one
    occurrence: its start and end come from recurring-ical-events' own adapter, without the
    library's per-occurrence copy of the event, which was most of a big import's time. Only
    the rest (and floating times the library would read in X-WR-TIMEZONE) go through it;
    the caller keeps the occurrences in its window.
    """
    import recurring_ical_events
    from icalendar import Calendar
    from recurring_ical_events.adapters.event import EventAdapter

    vevents = cal.walk("VEVENT")
    shared = Counter(str(ev["uid"]) for ev in vevents if ev.get("uid") is not None)
    zone_name = cal.get("x-wr-timezone")
    through_library = []
    for ev in vevents:
        uid = ev.get("uid")
        if (
            (uid is not None and shared[str(uid)] > 1)
            or any(ev.get(key) is not None for key in _RECURRING)
            or (zone_name is not None and _floating(ev))
        ):
            through_library.append(ev)
            continue
        start, end = EventAdapter(ev).span
        yield ev, start, end
    # A few hundred events at a time, each UID's events together: the library's copies of
    # one batch's occurrences are let go before the next (memory no longer grows with them).
    groups: dict[Any, list[Any]] = {}
    for ev in through_library:
        uid = ev.get("uid")
        groups.setdefault(str(uid) if uid is not None else id(ev), []).append(ev)
    zones = cal.walk("VTIMEZONE")
    batch: list[Any] = []
    for n, events in enumerate(groups.values(), 1):
        batch.extend(events)
        if len(batch) < _BATCH and n < len(groups):
            continue
        sub = Calendar()
        if zone_name is not None:
            sub.add("x-wr-timezone", zone_name)
        for component in zones:
            sub.add_component(component)
        for ev in batch:
            sub.add_component(ev)
        batch = []
        for found in recurring_ical_events.of(sub).between(lo, hi):
            yield found, found["dtstart"].dt, found["dtend"].dt if "dtend" in found else None


def _floating(ev: Any) -> bool:
    """Whether the event's start or end is a floating date-time (no zone)."""
    for key in ("dtstart", "dtend"):
        value = getattr(ev.get(key), "dt", None)
        if isinstance(value, datetime) and value.tzinfo is None:
            return True
    return False


def _day(moment: datetime | date, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date() if isinstance(moment, datetime) else moment
