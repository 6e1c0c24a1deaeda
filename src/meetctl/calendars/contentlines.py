"""iCalendar content lines: escaping, folding, URIs and date-times, written by hand for speed.

Stage: outputs (calendars). The small pieces every VEVENT is made of (RFC 5545 3.1-3.3),
shared by ``export`` and ``publish``. Imports nothing of meetctl but the standard library
(icalendar only lazily, for the rare value that needs escaping or a duration).
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def stamp(moment: datetime) -> str:
    # RFC 5545 requires DTSTAMP; a wall-clock one would change the file on every
    # run, so use the event's own first start (in UTC).
    return utc(moment)


@functools.lru_cache(maxsize=8192)
def text_value(value: str) -> str:
    """A TEXT value escaped by icalendar (commas, semicolons, backslashes, newlines).

    Cached: a programme repeats the same titles, places and blurbs thousands of times.
    """
    if not _NEEDS_ESCAPE.search(value):
        return value  # the common case (UIDs, most titles): nothing to escape
    from icalendar import vText

    return vText(value).to_ical().decode("utf-8")


_NEEDS_ESCAPE = re.compile(r"[\\;,\n\r]")


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1).

    Written here rather than through icalendar's serializer, which takes seconds
    for the tens of thousands of lines of a big ``--expand``.
    """
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(raw):
        stop = min(start + limit, len(raw))
        while stop < len(raw) and raw[stop] & 0xC0 == 0x80:  # a continuation byte: back off
            stop -= 1
        parts.append(raw[start:stop])
        start, limit = stop, 74  # continuation lines begin with a space
    return b"\r\n ".join(parts).decode("utf-8")


@functools.lru_cache(maxsize=64)
def uri(value: str) -> str:
    """A URI value with spaces and control characters percent-encoded (no line breaks smuggled in)."""
    from urllib.parse import quote

    return quote(value.strip(), safe=":/?#[]@!$&'()*+,;=%~")


def ambiguous(moment: datetime) -> bool:
    """Whether ``moment``'s wall time happens twice (the hour the clocks go back)."""
    return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


def when(name: str, moment: datetime) -> str:
    """DTSTART/DTEND in the zone's wall time, or in UTC when that wall time happens twice.

    RFC 5545 says a repeated wall time means the first; ical.js (Thunderbird) takes
    the second, and an end in the repeated hour may well be the second. UTC says it
    once for every reader.
    """
    return f"{name}:{utc(moment)}" if ambiguous(moment) else local(name, moment)


def day_exists(day: date, zone: ZoneInfo) -> bool:
    """Whether ``day`` happened in ``zone`` at all (Pacific/Apia skipped 30 December 2011)."""
    noon = datetime.combine(day, time(12), tzinfo=zone)
    return noon.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == noon.replace(tzinfo=None)


def instance(name: str, nominal: datetime) -> str:
    """RECURRENCE-ID/EXDATE naming a series instance: the rule's own wall time, in the zone.

    Readers disagree on which instant a rule instance in a spring-forward gap or an
    autumn fold is (ical.js and libical take the second 01:30, RFC 5545 the first), but
    each reads this identifier exactly as it reads its own instance, so the override or
    exclusion always meets its instance; the override's DTSTART (in UTC where its wall
    time happens twice) then says the instant every reader agrees on. Tried and refused:
    a UTC RECURRENCE-ID, which ical.js and vobject match to no instance in a gap or fold.
    libical alone reads a gap instance's identifier differently from its own instance,
    and no form suits it and the others (measured in tests/test_ical_readers.py).
    """
    return local(name, nominal)




def duration(length: timedelta) -> str:
    from icalendar import vDuration

    return vDuration(length).to_ical().decode("ascii")


def utc(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}{utc:%m%dT%H%M%SZ}"  # %Y is not zero-padded before the year 1000


def local(name: str, moment: datetime) -> str:
    """``DTSTART;TZID=Europe/London:20170125T190000``: the same TZID form for DTSTART, EXDATE and RECURRENCE-ID."""
    m = moment
    key = m.tzinfo.key  # type: ignore[union-attr]
    return f"{name};TZID={key}:{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}"
