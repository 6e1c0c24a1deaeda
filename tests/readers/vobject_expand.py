"""Expand an .ics with vobject as a plain program does (run in a fresh interpreter, no zone registered).

Usage: python vobject_expand.py FILE.ics -> one JSON object a line per occurrence
(uid, start, end as ISO 8601 UTC, summary, status, zone: the series' TZID). Radicale and other vobject-based
servers read calendars this way: vobject builds each zone from the file's VTIMEZONE.
Overrides replace the instance with the same RECURRENCE-ID instant; EXDATEs drop instances.
"""

import json
import sys
from datetime import UTC, datetime


def main(path: str) -> None:
    import vobject

    with open(path, encoding="utf-8") as fh:
        cal = vobject.readOne(fh.read())
    masters, overrides, singles = {}, {}, []
    for ev in getattr(cal, "vevent_list", []):
        if hasattr(ev, "recurrence_id"):
            overrides[(ev.uid.value, _utc(ev.recurrence_id.value))] = ev
        elif hasattr(ev, "rrule"):
            masters[ev.uid.value] = ev
        else:
            singles.append(ev)
    for uid, ev in masters.items():
        length = ev.duration.value if hasattr(ev, "duration") else ev.dtend.value - ev.dtstart.value
        for start in ev.getrruleset(addRDate=True):
            override = overrides.pop((uid, _utc(start)), None)
            if override is not None:
                _emit(override, override.dtstart.value, _end(override), _zone(ev))
            else:
                # vobject's own arithmetic, as a vobject client shows the meeting
                _emit(ev, start, start + length, _zone(ev))
    for uid, rid in overrides:
        print(json.dumps({"orphan": uid, "recurrence_id": rid.isoformat()}))
    for ev in singles:
        _emit(ev, ev.dtstart.value, _end(ev), _zone(ev))


def _zone(ev) -> str | None:
    """The TZID of the event's DTSTART as vobject keeps it (None for UTC or floating times)."""
    return getattr(ev.dtstart.value.tzinfo, "_tzid", None)


def _end(ev):
    if hasattr(ev, "dtend"):
        return ev.dtend.value
    return ev.dtstart.value + ev.duration.value


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # floating (a zone vobject could not read): say so as local
        return moment
    return moment.astimezone(UTC)


def _emit(ev, start, end, zone) -> None:
    status = ev.status.value if hasattr(ev, "status") else ""
    record = {"uid": ev.uid.value, "start": _utc(start).isoformat(), "end": _utc(end).isoformat(),
              "summary": ev.summary.value, "status": status, "zone": zone}
    print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
