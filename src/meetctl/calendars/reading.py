"""Other people's calendars read into :class:`Event` s: ``.ics`` files, http(s)/webcal URLs, other programmes.

Stage: inputs for ``clashes`` and ``import``. Recurring events are expanded in a window.
Imports the model; never the CLI.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from meetctl.model.errors import Location, MeetctlError
from meetctl.model.schedule import (
    Occurrence,
    occurrences,
)

# --------------------------------------------------------------------------- events from elsewhere


#: Bigger calendars than this are refused (a mistake, or hostile), before parsing. Import
#: and clashes parse only the lines they read (:func:`import_lines`, :func:`needed_lines`),
#: so a decade of a busy calendar (some 30,000 events, 25 MB) is well inside it.
MAX_ICS_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Event:
    """An event in another calendar: absolute times, or whole days for an all-day event."""

    title: str
    start: datetime
    end: datetime
    source: str
    all_day: bool = False
    #: For an all-day event, the local dates it covers (first, last inclusive).
    days: tuple[date, date] | None = None
    group: str | None = None
    #: The event's UID: an event with one of our meetings' UID and start is that meeting.
    uid: str | None = None


def load_events(source: str, first: date, last: date) -> list[Event]:
    """The events of ``source`` (``.ics`` file, http(s)/webcal URL, or programme ``.toml``) in a window.

    Recurring events are expanded; the window is by local date, a day wider on
    each side so events in other zones are not lost. Bad sources raise
    :class:`MeetctlError` naming them.
    """
    lo, hi = first - timedelta(days=1), last + timedelta(days=2)
    lowered = source.lower()
    if lowered.startswith(("http://", "https://", "webcal://")):
        return ics_events(fetch(source), source, lo, hi)
    path = Path(source)
    if path.suffix.lower() == ".toml" or path.is_dir():
        from meetctl.model.loading import load_programmes

        return [occurrence_event(o, source) for o in occurrences(load_programmes([path]), lo, hi)
                if not o.cancelled]  # fmt: skip
    return ics_events(read_ics(path), source, lo, hi)


def occurrence_event(o: Occurrence, source: str) -> Event:
    """One of a programme's occurrences as an :class:`Event`."""
    return Event(o.title, o.start, o.end, source, group=o.group.name, uid=o.uid)


def read_ics(path: Path) -> bytes:
    """The bytes of an ``.ics`` file, refusing unreadable and oversized ones."""
    name = str(path)
    try:
        with path.open("rb") as fh:
            # A file says its size: refuse it unread (a pipe or device is read up to the limit).
            if os.fstat(fh.fileno()).st_size > MAX_ICS_BYTES:
                raise MeetctlError.at(Location(name), f"larger than {MAX_ICS_BYTES // 2**20} MB; not read")
            data = fh.read(MAX_ICS_BYTES + 1)
    except FileNotFoundError:
        raise MeetctlError.at(Location(name), "no such file") from None
    except IsADirectoryError:
        raise MeetctlError.at(Location(name), "is a folder, not a calendar") from None
    except OSError as exc:
        raise MeetctlError.at(Location(name), f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_ICS_BYTES:
        raise MeetctlError.at(Location(name), f"larger than {MAX_ICS_BYTES // 2**20} MB; not read")
    return data


def without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` taken out, fit to be shown."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def refuse_credentials_in(url: str) -> None:
    """A user name or password written in the address is refused, and never shown or used.

    A password in a URL ends up in shell history, cron mail and process lists; it
    belongs in $MEETCTL_CALDAV_PASSWORD or ~/.netrc.
    """
    if "@" in urlsplit(url).netloc:
        raise MeetctlError.at(
            Location(without_credentials(url)),
            "the address carries a user name or password (not shown, not used): "
            "give them as the command asks (publish: --user NAME and $MEETCTL_CALDAV_PASSWORD or ~/.netrc)",
        )


def fetch(url: str, timeout: float = 20.0) -> bytes:
    """GET a calendar over HTTP(S) (``webcal://`` is HTTPS), refusing oversized answers."""
    import urllib.error
    import urllib.request

    refuse_credentials_in(url)

    real = "https://" + url[len("webcal://") :] if url.lower().startswith("webcal://") else url
    request = urllib.request.Request(real, headers={"User-Agent": "meetctl", "Accept": "text/calendar"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (user's URL)
            data = response.read(MAX_ICS_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise MeetctlError.at(Location(url), f"cannot fetch: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise MeetctlError.at(Location(url), f"cannot fetch: {exc.reason}") from None
    except (OSError, ValueError) as exc:
        raise MeetctlError.at(Location(url), f"cannot fetch: {exc}") from None
    if len(data) > MAX_ICS_BYTES:
        raise MeetctlError.at(Location(url), f"larger than {MAX_ICS_BYTES // 2**20} MB; not read")
    return data


#: A recurrence property with no value (``RRULE:``, as some exports write): it says nothing.
#: libical's ``TZID-ALIAS-OF`` (Evolution) is a note icalendar refuses; the TZID's own path names the zone.
_EMPTY_RECURRENCE = re.compile(
    rb"^(?:(?:RRULE|EXRULE|RDATE|EXDATE)(?:;[^:\r\n]*)?:[ \t]*|TZID-ALIAS-OF[;:][^\r\n]*)\r?\n", re.I | re.M
)


def parse_ics(data: bytes, source: str) -> Any:
    """An icalendar Calendar, or a one-line error naming ``source``.

    Several VCALENDARs in one file (an RFC 5545 stream, as some exports write) are read
    as one calendar; empty ``RRULE:``/``RDATE:``/``EXDATE:`` lines are dropped. Each
    VEVENT is given the line it starts on (:func:`event_line`), for messages.
    """
    from icalendar import Calendar

    data = _EMPTY_RECURRENCE.sub(b"", data.removeprefix(b"\xef\xbb\xbf"))
    try:
        found = Calendar.from_ical(data, multiple=True)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError... on bad input
        raise MeetctlError.at(Location(source), f"not a valid iCalendar file: {first_line(exc)}") from None
    calendars = [c for c in found if getattr(c, "name", None) == "VCALENDAR"]
    if not calendars:
        raise MeetctlError.at(Location(source), "not a valid iCalendar file: no VCALENDAR")
    cal = calendars[0]
    for other in calendars[1:]:
        for component in other.subcomponents:
            cal.add_component(component)
    lines = _vevent_lines(data)
    for ev, line in zip(cal.walk("VEVENT"), lines, strict=False):
        ev.meetctl_line = line
    for ev in cal.walk("VEVENT"):
        where = Location(source, event_line(ev))
        try:
            start = ev.get("dtstart")
        except Exception as exc:  # icalendar 7 raises on some broken values when they are touched
            raise MeetctlError.at(where, f"{event_name(ev)}: {_unreadable('DTSTART', exc)}") from None
        if start is None:
            raise MeetctlError.at(where, f"{event_name(ev)} has no DTSTART")
        if isinstance(start, list):
            raise MeetctlError.at(where, f"{event_name(ev)} has {len(start)} DTSTART lines; it must have one")
        for key in ("dtstart", "dtend", "recurrence-id"):
            prop = ev.get(key)
            if prop is None or isinstance(prop, list):
                continue
            try:
                value = prop.dt
            except Exception as exc:
                problem = f"{event_name(ev)}: {_unreadable(key, exc)}"
                raise MeetctlError.at(where, problem) from None
            tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
            if tzid and isinstance(value, datetime) and value.tzinfo is None:
                raise MeetctlError.at(
                    where, f'{event_name(ev)}: unknown time zone "{tzid}" (no VTIMEZONE and not a known zone name)'
                )
    return cal


def _vevent_lines(data: bytes) -> list[int]:
    """1-based numbers of the lines that begin a VEVENT, in file order."""
    return [n for n, line in enumerate(data.splitlines(), 1) if line.strip().upper() == b"BEGIN:VEVENT"]


def event_line(ev: Any) -> int | None:
    """The line of the source file a VEVENT starts on, if known (icalendar keeps no line numbers)."""
    return getattr(ev, "meetctl_line", None)


def event_name(ev: Any) -> str:
    """How a message names an event: its UID and its SUMMARY, quoted (never a Python repr)."""
    uid = _text(ev, "uid")
    summary = _text(ev, "summary")
    parts = [f'"{uid}"' if uid else "without UID"] + ([f'("{summary}")'] if summary else [])
    return "event " + " ".join(parts)


def _text(ev: Any, name: str) -> str:
    try:
        value = ev.get(name)
    except Exception:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    text = " ".join(str(value or "").split())
    return text[:80]


#: icalendar 7's wording for a value it kept unparsed: the property's name is what a person needs.
_BROKEN = re.compile(r"Cannot access '\w+' on broken property '([\w-]+)' \(expected '\w+'\): ")


def first_line(exc: BaseException) -> str:
    # Parser messages can quote whole chunks of the file (b'BEGIN:...'): keep the words.
    text = str(exc).strip().splitlines()
    line = (text[0] if text else type(exc).__name__).split(": b'")[0].split(' b"')[0]
    return _BROKEN.sub(lambda m: f"unreadable {m.group(1)}: ", line)[:160]


def _unreadable(key: str, exc: BaseException) -> str:
    """The words after "unreadable KEY:", with the key said once."""
    text = first_line(exc)
    return text if text.startswith(f"unreadable {key.upper()}: ") else f"unreadable {key.upper()}: {text}"


#: What clash detection reads of another calendar; every other property is dropped before parsing.
_CLASH_PROPERTIES = frozenset(
    b"BEGIN END VERSION PRODID X-WR-TIMEZONE X-WR-CALNAME UID SUMMARY STATUS DTSTART DTEND DURATION "
    b"RRULE RDATE EXDATE EXRULE RECURRENCE-ID TZID TZNAME TZOFFSETFROM TZOFFSETTO".split()
)
_PROPERTY_NAME = re.compile(rb"[A-Za-z0-9-]*")


def needed_lines(data: bytes, first: date | None = None, last: date | None = None) -> bytes:
    """Only the content lines (with their folded continuations) that clash detection uses.

    Other groups' calendars carry long descriptions, attendees and alarms; parsing
    them is most of the cost of a big calendar, and none of it says when. With a
    window, a plain event (no RRULE, RDATE or RECURRENCE-ID) whose DTSTART and DTEND
    dates are both more than two days outside ``first..last`` is left out too: a
    ten-year calendar then costs what the window's events cost.
    """
    # A line left out is written as an empty line (the parser skips those), so that line
    # numbers in messages stay those of the file.
    out: list[bytes] = []
    event: list[bytes] | None = None  # the lines of the VEVENT being read
    keep = True
    for line in data.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            (event if event is not None else out).append(line if keep else b"\n")
            continue
        name = _PROPERTY_NAME.match(line)
        word = name.group().upper() if name is not None else b""
        keep = word in _CLASH_PROPERTIES
        if not keep:
            (event if event is not None else out).append(b"\n")
            continue
        upper = line.strip().upper()
        if upper == b"BEGIN:VEVENT" and first is not None and last is not None:
            event = [line]
            continue
        if event is None:
            out.append(line)
            continue
        event.append(line)
        if upper == b"END:VEVENT":
            out.extend(event if _touches(event, first, last) else [b"\n"] * len(event))  # type: ignore[arg-type]
            event = None
    if event is not None:
        out.extend(event)  # an unfinished event: let the parser say what is wrong
    return b"".join(out)


#: What ``meetctl import`` reads of an event (and its cross-check: recurring-ical-events).
_IMPORT_PROPERTIES = frozenset(
    b"UID SUMMARY DESCRIPTION LOCATION DTSTART DTEND DURATION RRULE RDATE EXDATE EXRULE RECURRENCE-ID "
    b"STATUS SEQUENCE URL CONFERENCE RELATED-TO X-MEETCTL-FIELDS X-MEETCTL-CANCELLED X-MEETCTL-SESSION".split()
)
_CALENDAR_PROPERTIES = frozenset(b"VERSION PRODID CALSCALE METHOD X-WR-TIMEZONE X-WR-CALNAME".split())
_ZONE_COMPONENTS = frozenset((b"VTIMEZONE", b"STANDARD", b"DAYLIGHT"))


def import_lines(data: bytes) -> bytes:
    """Only the content lines ``meetctl import`` reads: the calendar's name and zone, the
    events' times, rules, texts and meetctl's own fields, and every time zone definition.

    Exports carry attendees, alarms, timestamps and vendors' X- properties on every event;
    parsing them was most of an import's time and memory. A line left out becomes an
    empty line (the parser skips those), so messages keep the file's line numbers.
    """
    out: list[bytes] = []
    stack: list[bytes] = []
    keep = True
    for line in data.removeprefix(b"\xef\xbb\xbf").splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):  # a folded continuation: as its property
            out.append(line if keep else b"\n")
            continue
        name = _PROPERTY_NAME.match(line)
        word = name.group().upper() if name is not None else b""
        if word in (b"BEGIN", b"END"):
            component = line.partition(b":")[2].strip().upper()
            inside = stack[-1] if stack else b""
            if word == b"BEGIN":
                stack.append(component if inside in (b"", b"VCALENDAR", b"VTIMEZONE") else b"-")
                keep = stack[-1] in (b"VCALENDAR", b"VEVENT") or stack[-1] in _ZONE_COMPONENTS
            else:
                keep = bool(stack) and stack[-1] != b"-" and (stack[-1] in (b"VCALENDAR", b"VEVENT")
                                                               or stack[-1] in _ZONE_COMPONENTS)  # fmt: skip
                if stack:
                    stack.pop()
            out.append(line if keep else b"\n")
            continue
        inside = stack[-1] if stack else b""
        if inside == b"VEVENT":
            keep = word in _IMPORT_PROPERTIES
        elif inside == b"VCALENDAR":
            keep = word in _CALENDAR_PROPERTIES
        else:
            keep = inside in _ZONE_COMPONENTS or inside == b""  # outside any component: the parser judges
        out.append(line if keep else b"\n")
    return b"".join(out)


_DATE_VALUE = re.compile(rb":\s*(\d{4})(\d{2})(\d{2})")


def _touches(event: list[bytes], first: date, last: date) -> bool:
    """Whether a VEVENT's lines may touch ``first..last`` (kept whenever in doubt)."""
    dates = []
    for line in event:
        name = line.split(b":", 1)[0].split(b";", 1)[0].strip().upper()
        if name in (b"RRULE", b"RDATE", b"RECURRENCE-ID", b"EXRULE", b"DURATION"):
            return True
        if name in (b"DTSTART", b"DTEND"):
            found = _DATE_VALUE.search(line)
            if found is None:
                return True
            try:
                dates.append(date(*(int(x) for x in found.groups())))
            except ValueError:
                return True  # an impossible date: the parser reports it
    if not dates:
        return True
    margin = timedelta(days=2)  # zones: a date is a day either side of UTC
    return min(dates) <= last + margin and max(dates) >= first - margin


def ics_events(data: bytes, source: str, first: date, last: date) -> list[Event]:
    """The events of an iCalendar file whose dates touch ``first..last`` (recurrences expanded).

    Plain events are read directly; only repeating ones (and their overrides) go
    through recurring-ical-events, which is what makes a big calendar slow.
    """
    from icalendar import Calendar

    cal = parse_ics(needed_lines(data, first, last), source)
    zone = _calendar_zone(cal)
    vevents = cal.walk("VEVENT")
    repeating = {str(ev.get("uid")) for ev in vevents if ev.get("rrule") or ev.get("rdate") or ev.get("recurrence-id")}
    lo = datetime.combine(first, time(), tzinfo=zone)
    hi = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    out = []
    for ev in vevents:
        if str(ev.get("uid")) in repeating or _cancelled(ev):
            continue
        try:
            e = _to_event(ev, source, zone)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:  # DURATION:P999999999999999999W...
            raise MeetctlError.at(Location(source, event_line(ev)), f"{event_name(ev)}: {first_line(exc)}") from None
        if e.start < hi and (e.end > lo or e.start >= lo):
            out.append(e)
    if repeating:
        import recurring_ical_events

        # No X-WR-TIMEZONE here: recurring-ical-events would convert UTC times into it, and
        # misplaces those in the hour the clocks go back; clashes need instants, and
        # floating times are read in the calendar's zone by _to_event.
        sub = Calendar()
        for component in cal.walk("VTIMEZONE"):
            sub.add_component(component)
        for ev in vevents:
            if str(ev.get("uid")) in repeating:
                sub.add_component(ev)
        try:
            found = recurring_ical_events.of(sub).between(first, last + timedelta(days=1))
        except Exception as exc:  # the expander's own errors: bad RRULE, bad dates...
            raise MeetctlError.at(Location(source), f"cannot expand the calendar: {first_line(exc)}") from None
        out.extend(_to_event(ev, source, zone) for ev in found if not _cancelled(ev))
    out.sort(key=lambda e: (e.start, e.end, e.title))
    return out


def _cancelled(ev: Any) -> bool:
    return str(ev.get("status", "")).upper() == "CANCELLED"


def _calendar_zone(cal: Any) -> ZoneInfo:
    name = str(cal.get("x-wr-timezone", "UTC"))
    try:
        return ZoneInfo(name)
    except Exception:
        return ZoneInfo("UTC")


def _to_event(ev: Any, source: str, zone: ZoneInfo) -> Event:
    title = str(ev.get("summary", "")) or "(untitled event)"
    start = ev["dtstart"].dt
    end_prop = ev.get("dtend")
    end = end_prop.dt if end_prop is not None else None
    if end is None and ev.get("duration") is not None:
        end = start + ev["duration"].dt
    if not isinstance(start, datetime) and isinstance(end, datetime):  # a date-time end of an all-day event
        end = end.date() + (timedelta(days=1) if end.time() != time() else timedelta(0))
    if not isinstance(start, datetime):  # all-day: DTEND is exclusive
        last_day = (end - timedelta(days=1)) if isinstance(end, date) and end > start else start
        lo = datetime.combine(start, time(), tzinfo=zone)
        hi = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=zone)
        return Event(title, lo, hi, source, all_day=True, days=(start, last_day), uid=_uid_of(ev))
    if start.tzinfo is None:  # floating time: read it in the calendar's zone
        start = start.replace(tzinfo=zone)
    if isinstance(end, datetime) and end.tzinfo is None:
        end = end.replace(tzinfo=zone)
    if not isinstance(end, datetime) or end < start:
        end = start
    return Event(title, start, end, source, uid=_uid_of(ev))


def _uid_of(ev: Any) -> str | None:
    uid = ev.get("uid")
    return str(uid) if uid is not None else None
