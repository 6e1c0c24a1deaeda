"""What an exported event says: its place, description and the fields only meetctl reads back.

Stage: outputs (calendars). Turns an occurrence into the text of LOCATION, DESCRIPTION,
ORGANIZER and the X-MEETCTL-* properties that ``meetctl import`` uses to rebuild the
programme exactly. Imports the model and the content-line helpers; never the CLI.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from meetctl.calendars.contentlines import uri
from meetctl.model.programme import Meeting
from meetctl.model.rules import format_duration
from meetctl.model.schedule import Occurrence


def location(o: Occurrence) -> str | None:
    if o.venue is None:
        return None
    return ", ".join(x for x in (o.venue.name, o.venue.address) if x)


def description(o: Occurrence) -> str | None:
    """What a person reads in their calendar: the blurb, who leads off, how to get there, welcome."""
    parts: list[str] = []
    if o.description:
        parts.append(o.description)
    if o.lead:
        parts.append(f"Leading off: {o.lead}")
    m = o.meeting
    if m is not None and m.chair:
        parts.append(f"Chair: {m.chair}")
    if m is not None and m.speakers:
        parts.append("Speakers: " + ", ".join(m.speakers))
    if o.cancelled and o.reason:
        parts.append(f"Cancelled: {o.reason}")
    if o.venue is not None and o.venue.directions:
        parts.append(o.venue.directions)
    if o.venue is not None and o.venue.accessibility:
        parts.append(o.venue.accessibility)
    if o.online:  # most clients ignore CONFERENCE: the link must be readable here too
        parts.append(f"Join online: {o.online}")
    if o.group.welcome:
        parts.append(o.group.welcome)
    return "\n\n".join(parts) or None


def fields(o: Occurrence) -> str:
    """X-MEETCTL-FIELDS: what iCalendar has no place for, for ``meetctl import``."""
    v = o.venue
    venue = (v.id, v.name, v.address, v.accessibility, v.online) if v is not None else None
    own_link = o.online if o.online != (v.online if v else None) else None  # the series' or meeting's link
    return fields_json(o.series.id if o.series else None, venue, o.description, o.lead, o.reason, own_link)


@functools.lru_cache(maxsize=4096)
def fields_json(
    series: str | None,
    venue: tuple[str, str, str | None, str | None, str | None] | None,
    description: str | None,
    lead: str | None,
    reason: str | None,
    online: str | None = None,
) -> str:
    data: dict[str, Any] = {}
    if series is not None:
        data["series"] = series
    if venue is not None:
        keys = ("id", "name", "address", "accessibility", "online")
        data["venue"] = {k: v for k, v in zip(keys, venue, strict=True) if v is not None}
    if description:
        data["description"] = description
    if lead:
        data["lead"] = lead
    if reason:
        data["reason"] = reason
    if online:
        data["online"] = online
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def cancelled_fields(m: Meeting) -> str:
    """X-MEETCTL-CANCELLED: a cancelled series meeting (the RRULE form only has its EXDATE)."""
    data: dict[str, Any] = {"date": m.date.isoformat()}
    if m.replaces:
        data["replaces"] = m.replaces.isoformat()
    for key in ("title", "description", "lead", "venue", "reason"):
        if getattr(m, key):
            data[key] = getattr(m, key)
    if m.start:
        data["start"] = m.start.strftime("%H:%M")
    if m.duration:
        data["duration"] = format_duration(m.duration)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def content(o: Occurrence) -> tuple:
    """What a subscriber sees of an occurrence; an override is needed when it differs."""
    return (o.start, o.end, o.title, description(o), location(o))


def organizer(o: Occurrence) -> str | None:
    """ORGANIZER (RFC 5546 requires one with METHOD:PUBLISH): the group, at its email address."""
    if not o.group.email:
        return None
    name = "".join(ch for ch in o.group.name if ch >= " " and ch not in '"\x7f')
    return f'ORGANIZER;CN="{name}":{uri("mailto:" + o.group.email)}'
