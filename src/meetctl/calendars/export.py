"""Programmes as iCalendar (``meetctl ical``), and other calendars read for clashes.

Export: one VCALENDAR with a rule-based VTIMEZONE per zone used, each series as
one VEVENT with an RRULE, EXDATEs for skipped and cancelled dates and a
RECURRENCE-ID override for every meeting that differs from its series' usual
slot; one-off meetings as plain VEVENTs. Nothing depends on the clock: DTSTAMP
is derived from the event itself, so an unchanged programme gives the same bytes.

Each VEVENT also carries ``X-MEETCTL-FIELDS`` (JSON: series id, venue, blurb,
lead) and a series' master ``X-MEETCTL-CANCELLED`` (one per cancelled meeting),
which calendar clients ignore and ``meetctl import`` reads to rebuild the
programme exactly.

Clashes: :func:`load_events` reads an ``.ics`` file, an ``http(s)``/``webcal``
URL or another programme into :class:`Event` s in a window (recurring events
expanded), and :func:`find_clashes` pairs our meetings with the events they overlap.
"""

from __future__ import annotations

import calendar as _calendar
import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from meetctl.model.errors import Location, MeetctlError
from meetctl.model.programme import Meeting, Programme, Series
from meetctl.model.rules import WEEKDAY_CODES, format_duration
from meetctl.model.schedule import (
    CANCELLED,
    Occurrence,
    holiday_moves,
    local_datetime,
    occurrence_on,
    occurrences,
    programme_span,
    series_uid,
    session_uid,
    sessions_of,
)

PRODID = "-//meetctl//meetctl calendar export//EN"
#: Non-standard properties: clients keep and ignore them; ``meetctl import`` reads them.
FIELDS_PROP = "X-MEETCTL-FIELDS"
CANCELLED_PROP = "X-MEETCTL-CANCELLED"
SESSION_PROP = "X-MEETCTL-SESSION"
#: Bigger calendars than this are refused (a mistake, or hostile), before parsing.
MAX_ICS_BYTES = 20 * 1024 * 1024
_FAR_FUTURE = date(9999, 12, 31)
_HOUR = timedelta(hours=1)


# --------------------------------------------------------------------------- time zones


@dataclass(frozen=True)
class _Transition:
    at: datetime  # the instant, UTC
    before: timedelta  # UTC offset before
    after: timedelta  # UTC offset after
    name: str
    dst: bool

    @property
    def local(self) -> datetime:
        """The wall-clock time of the change, in the offset before it (VTIMEZONE's DTSTART)."""
        return (self.at + self.before).replace(tzinfo=None)


def _offset(zone: tzinfo, instant: datetime) -> tuple[timedelta, str, bool]:
    local = instant.astimezone(zone)
    return local.utcoffset() or timedelta(0), local.tzname() or "", bool(local.dst())


def zone_transitions(zone: tzinfo, first_year: int, last_year: int) -> list[_Transition]:
    """Every change of UTC offset (or of zone name) in ``zone`` from ``first_year`` to ``last_year``.

    zoneinfo keeps its transition table private, so step a day at a time and
    bisect each change to the second: a few thousand look-ups for a decade.
    """
    found: list[_Transition] = []
    t = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    state = _offset(zone, t)
    step = timedelta(hours=12)
    while t < end:
        nxt = t + step
        new = _offset(zone, nxt)
        if new != state:
            lo, hi = t, nxt  # state holds at lo, new at hi
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _offset(zone, mid) == state:
                    lo = mid
                else:
                    hi = mid
            hi = hi.replace(microsecond=0)
            found.append(_Transition(hi, state[0], new[0], new[1], new[2]))
            state = new
        t = nxt
    return found


def _byday_candidates(day: datetime) -> set[str]:
    """How a transition's date can be said in a yearly rule: '2SU', and '-1SU' if last."""
    code = WEEKDAY_CODES[day.weekday()]
    out = {f"{(day.day - 1) // 7 + 1}{code}"}
    if day.day + 7 > _calendar.monthrange(day.year, day.month)[1]:
        out.add(f"-1{code}")
    return out


def vtimezone(zone: ZoneInfo, first_year: int, last_year: int) -> Any:
    """A VTIMEZONE for ``zone`` valid from ``first_year`` to ``last_year`` and beyond.

    Rule-based (one STANDARD/DAYLIGHT with a yearly RRULE per run of alike
    changes), never icalendar's long comma-separated RDATE lists, which ical.js
    (Thunderbird) and vobject read only the first date of. The latest run of each
    kind is left open-ended, so open-ended series stay right in later years.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    tz = Timezone()
    tz.add("tzid", zone.key)
    changes = zone_transitions(zone, first_year, last_year)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    offset, name, dst = _offset(zone, start)
    if not changes or changes[0].at.year > first_year:
        # No change in the first year: say what holds from its start.
        sub = TimezoneDaylight() if dst else TimezoneStandard()
        sub.add("dtstart", datetime(first_year, 1, 1))
        sub.add("tzoffsetfrom", offset)
        sub.add("tzoffsetto", offset)
        if name:
            sub.add("tzname", name)
        tz.add_component(sub)

    def kind(c: _Transition) -> tuple:
        return (c.before, c.after, c.name, c.dst, c.local.month, c.local.time())

    # Runs of the same kind of change in consecutive years with a common BYDAY.
    runs: list[tuple[list[_Transition], set[str]]] = []
    open_runs: dict[tuple, int] = {}
    for c in changes:
        k = kind(c)
        i = open_runs.get(k)
        if i is not None:
            members, codes = runs[i]
            common = codes & _byday_candidates(c.local)
            if c.local.year == members[-1].local.year + 1 and common:
                members.append(c)
                runs[i] = (members, common)
                continue
        open_runs[k] = len(runs)
        runs.append(([c], _byday_candidates(c.local)))
    last_of_kind = set(open_runs.values())
    for i, (members, codes) in enumerate(runs):
        first = members[0]
        sub = TimezoneDaylight() if first.dst else TimezoneStandard()
        sub.add("dtstart", first.local)
        if len(members) > 1 or (i in last_of_kind and first.local.year >= last_year - 1):
            rule: dict[str, Any] = {"freq": "yearly", "bymonth": first.local.month}
            rule["byday"] = sorted(codes, key=lambda c: c.startswith("-"))[-1]  # prefer "last"
            ends_in_range = members[-1].local.year < last_year
            if not (i in last_of_kind and not ends_in_range):
                rule["until"] = members[-1].at
            sub.add("rrule", rule)
        sub.add("tzoffsetfrom", first.before)
        sub.add("tzoffsetto", first.after)
        if first.name:
            sub.add("tzname", first.name)
        tz.add_component(sub)
    return tz


# --------------------------------------------------------------------------- export


def _stamp(moment: datetime) -> str:
    # RFC 5545 requires DTSTAMP; a wall-clock one would change the file on every
    # run, so use the event's own first start (in UTC).
    return _utc(moment)


def _location(o: Occurrence) -> str | None:
    if o.venue is None:
        return None
    return ", ".join(x for x in (o.venue.name, o.venue.address) if x)


def _description(o: Occurrence) -> str | None:
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
    if o.group.welcome:
        parts.append(o.group.welcome)
    return "\n\n".join(parts) or None


def _fields(o: Occurrence) -> str:
    """X-MEETCTL-FIELDS: what iCalendar has no place for, for ``meetctl import``."""
    venue = (o.venue.id, o.venue.name, o.venue.address) if o.venue is not None else None
    return _fields_json(o.series.id if o.series else None, venue, o.description, o.lead, o.reason)


@functools.lru_cache(maxsize=4096)
def _fields_json(
    series: str | None,
    venue: tuple[str, str, str | None] | None,
    description: str | None,
    lead: str | None,
    reason: str | None,
) -> str:
    data: dict[str, Any] = {}
    if series is not None:
        data["series"] = series
    if venue is not None:
        data["venue"] = {k: v for k, v in zip(("id", "name", "address"), venue, strict=True) if v is not None}
    if description:
        data["description"] = description
    if lead:
        data["lead"] = lead
    if reason:
        data["reason"] = reason
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _cancelled_fields(m: Meeting) -> str:
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


def _content(o: Occurrence) -> tuple:
    """What a subscriber sees of an occurrence; an override is needed when it differs."""
    return (o.start, o.end, o.title, _description(o), _location(o))


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


def _fold(line: str) -> str:
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
def _uri(value: str) -> str:
    """A URI value with spaces and control characters percent-encoded (no line breaks smuggled in)."""
    from urllib.parse import quote

    return quote(value.strip(), safe=":/?#[]@!$&'()*+,;=%~")


def _ambiguous(moment: datetime) -> bool:
    """Whether ``moment``'s wall time happens twice (the hour the clocks go back)."""
    return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


def _when(name: str, moment: datetime) -> str:
    """DTSTART/DTEND in the zone's wall time, or in UTC when that wall time happens twice.

    RFC 5545 says a repeated wall time means the first; ical.js (Thunderbird) takes
    the second, and an end in the repeated hour may well be the second. UTC says it
    once for every reader.
    """
    return f"{name}:{_utc(moment)}" if _ambiguous(moment) else _local(name, moment)


def _duration(length: timedelta) -> str:
    from icalendar import vDuration

    return vDuration(length).to_ical().decode("ascii")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(name: str, moment: datetime) -> str:
    """``DTSTART;TZID=Europe/London:20170125T190000``: the same TZID form for DTSTART, EXDATE and RECURRENCE-ID."""
    m = moment
    key = m.tzinfo.key  # type: ignore[union-attr]
    return f"{name};TZID={key}:{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}"


@dataclass
class VEvent:
    """One VEVENT as content lines (unfolded); :meth:`text` folds and frames them."""

    uid: str
    title: str
    lines: list[str]

    def add(self, line: str) -> None:
        self.lines.append(line)

    def text(self) -> str:
        return "BEGIN:VEVENT\r\n" + "".join(_fold(line) + "\r\n" for line in self.lines) + "END:VEVENT\r\n"


def _event(
    o: Occurrence,
    uid: str,
    start: datetime | None = None,
    end: datetime | None = None,
    sequence: int = 0,
    duration: timedelta | None = None,
    master: bool = False,
) -> VEvent:
    """One VEVENT with everything a client shows; overrides repeat it all (they inherit nothing)."""
    start = start or o.start
    end = end or o.end
    lines = [
        f"UID:{text_value(uid)}",
        f"DTSTAMP:{_stamp(start)}",
        _local("DTSTART", start) if master else _when("DTSTART", start),
        f"DURATION:{_duration(duration)}" if duration is not None else _when("DTEND", end),
        f"SUMMARY:{text_value(o.title)}",
    ]
    text = _description(o)
    if text:
        lines.append(f"DESCRIPTION:{text_value(text)}")
    where = _location(o)
    if where:
        lines.append(f"LOCATION:{text_value(where)}")
    if o.group.website:
        lines.append(f"URL:{_uri(o.group.website)}")
    lines.append(f"STATUS:{'CANCELLED' if o.cancelled else 'CONFIRMED'}")
    lines.append(f"SEQUENCE:{sequence}")
    lines.append(f"{FIELDS_PROP}:{text_value(_fields(o))}")
    return VEvent(uid, o.title, lines)


def _nominal(day: date, at: time, zone: ZoneInfo) -> datetime:
    # The series' written wall-clock time: what RRULE instances, RECURRENCE-ID and
    # EXDATE all name (a start in a spring-forward gap is resolved by the reader, as by us).
    return datetime.combine(day, at, tzinfo=zone)


def _first_rule_date(series: Series, first: date, last: date | None) -> date | None:
    """The series' first rule date (skips included) in ``first..last``, anchored as the series is."""
    stop = min(last or _FAR_FUTURE, series.until or _FAR_FUTURE)
    if stop < first:
        return None
    return next((d for d in series.rule.dates(series.from_date, stop) if d >= first), None)


def _in(day: date, first: date | None, last: date | None) -> bool:
    return (first is None or day >= first) and (last is None or day <= last)


def _series_events(
    programme: Programme,
    series: Series,
    meetings: list[Meeting],
    first: date | None,
    last: date | None,
    years: tuple[int, int],
) -> list[VEvent]:
    """The master VEVENT of ``series`` and its overrides, limited to ``first..last``."""
    zone = programme.group.zone
    uid = series_uid(programme.group, series)
    lo = max(first or series.from_date, series.from_date)
    hi = min((d for d in (last, series.until) if d is not None), default=None)
    events: list[VEvent] = []
    start_day = _first_rule_date(series, lo, hi)
    # Dates the series' instances must not produce: skips, cancellations, and meetings
    # moved out of the window.
    gone = set(series.skip)
    for m in meetings:
        if m.cancelled or not _in(m.date, first, last):
            gone.add(m.original_date)
    # A meeting moved into the window from a date outside it needs that instance for its
    # override (ical.js shows no override of a date the rule does not make): stretch the
    # series to the date, and leave out the dates between it and the window.
    moved_in = sorted(
        m.original_date
        for m in meetings
        if not m.cancelled and _in(m.date, first, last) and not _in(m.original_date, lo, hi)
    )
    if moved_in:
        stretched_hi = None if hi is None else max(hi, moved_in[-1])
        start_day = min(moved_in[0], start_day or moved_in[0])
        around = series.rule.dates(series.from_date, stretched_hi or moved_in[-1])
        gone |= {d for d in around if d >= start_day and not _in(d, lo, hi) and d not in moved_in}
        hi = stretched_hi
    if start_day is not None:
        plain = occurrence_on(programme, series, None, start_day)
        start = _nominal(start_day, series.start, zone)
        end = start + series.duration  # wall-clock arithmetic: the usual end time
        if end.astimezone(UTC) - start.astimezone(UTC) == series.duration and not _ambiguous(end):
            master = _event(plain, uid, start=start, end=end, master=True)
        else:  # the first meeting spans a clock change: DTEND would teach readers the wrong length
            master = _event(plain, uid, start=start, duration=series.duration, master=True)
        freq, _, rest = series.rule.rrule.partition(";")
        # UNTIL in UTC (DTSTART has a TZID): the end of the last day, so that day's meeting is in.
        until = f";UNTIL={_utc(local_datetime(hi, time(23, 59, 59), zone))}" if hi is not None else ""
        master.add(f"RRULE:{freq}{until}{';' if rest else ''}{rest}")
        for day in sorted(d for d in gone if d >= start_day and _in(d, None, hi)):
            master.add(_local("EXDATE", _nominal(day, series.start, zone)))
        for m in meetings:
            if m.cancelled and _in(m.date, first, last):
                master.add(f"{CANCELLED_PROP}:{text_value(_cancelled_fields(m))}")
        events.append(master)
    overrides: dict[date, VEvent] = {}
    for m in meetings:
        if m.cancelled or not _in(m.date, first, last):
            continue
        o = occurrence_on(programme, series, m, m.date)
        usual = occurrence_on(programme, series, None, m.original_date)
        if _content(o) == _content(usual):
            continue
        ev = _event(o, uid, sequence=0 if (o.start, o.end) == (usual.start, usual.end) else 1)
        ev.add(_local("RECURRENCE-ID", _nominal(m.original_date, series.start, zone)))
        overrides[m.original_date] = ev
    if start_day is not None:
        # Meetings that start in a spring-forward gap, or span or end in a clock change:
        # readers disagree on them (vobject moves a gap start back an hour, ical.js takes
        # the second of a repeated hour, and lengths get added in wall-clock time), so say
        # the RFC 5545 reading explicitly with an override.
        by_original = {m.original_date: m for m in meetings}
        for day, instant in change_days(zone.key, *years):
            for d in (day - timedelta(days=1), day):
                if d < start_day or not _in(d, None, hi) or d in gone or d in overrides:
                    continue
                nominal = _nominal(d, series.start, zone)
                length = m.duration if (m := by_original.get(d)) and m.duration else series.duration
                if not nominal - _HOUR * 3 < instant < nominal + length + _HOUR * 3:
                    continue  # nowhere near the change (the cheap test first: has_date is not)
                if m is not None and (m.cancelled or m.date != d or not _in(d, first, last)):
                    continue  # an EXDATE, or an override of its own already
                if not series.has_date(d):
                    continue
                o = occurrence_on(programme, series, m, d)
                wall_start, wall_end = nominal.replace(tzinfo=None), o.end.replace(tzinfo=None)
                length = o.end.astimezone(UTC) - o.start.astimezone(UTC)
                if (o.start.replace(tzinfo=None) != wall_start or wall_start + length != wall_end
                        or o.start < instant < o.end or _ambiguous(o.start) or _ambiguous(o.end)):  # fmt: skip
                    ev = _event(o, uid)
                    ev.add(_local("RECURRENCE-ID", nominal))
                    overrides[d] = ev
    return events + [overrides[d] for d in sorted(overrides)]


@functools.lru_cache(maxsize=64)
def change_days(zone_name: str, first_year: int, last_year: int) -> tuple[tuple[date, datetime], ...]:
    """Each clock change of ``zone_name``: its local date and its instant."""
    changes = zone_transitions(ZoneInfo(zone_name), first_year, last_year)
    return tuple((c.local.date(), c.at) for c in changes)


def _session_events(programme: Programme, first: date | None, last: date | None) -> list[VEvent]:
    """Each session of a day school's or conference's timetable as a VEVENT of its own,
    linked to its meeting's event with RELATED-TO (so a client can show the timetable,
    and ``meetctl import`` can put it back under its meeting)."""
    out = []
    for m in programme.meetings:
        if not m.sessions or m.cancelled or not _in(m.date, first, last):
            continue
        series = programme.series_by_id(m.series) if m.series else None
        o = occurrence_on(programme, series, m, m.date)
        for t in sessions_of(o):
            session = t.session
            where = ", ".join(x for x in (session.room, _location(o)) if x)
            about = [session.description] if session.description else []
            about += [f"Chair: {session.chair}"] if session.chair else []
            about += ["Speakers: " + ", ".join(session.speakers)] if session.speakers else []
            about += [f"Part of: {o.title}"]
            fields = {
                "meeting_date": m.date.isoformat(),
                **{k: getattr(session, k) for k in ("room", "chair", "description") if getattr(session, k)},
                **({"speakers": list(session.speakers)} if session.speakers else {}),
            }
            uid = session_uid(o, session)
            lines = [
                f"UID:{text_value(uid)}",
                f"DTSTAMP:{_stamp(t.start)}",
                _when("DTSTART", t.start),
                _when("DTEND", t.end),
                f"SUMMARY:{text_value(session.title)}",
                f"DESCRIPTION:{text_value(chr(10) * 2).join(text_value(x) for x in about)}",
                *([f"LOCATION:{text_value(where)}"] if where else []),
                f"RELATED-TO;RELTYPE=PARENT:{text_value(o.uid)}",
                *([f"URL:{_uri(o.group.website)}"] if o.group.website else []),
                "STATUS:CONFIRMED",
                "SEQUENCE:0",
                f"{SESSION_PROP}:{text_value(json.dumps(fields, ensure_ascii=False, sort_keys=True))}",
            ]
            out.append(VEvent(uid, session.title, lines))
    return out


def _oneoff_events(programme: Programme, first: date | None, last: date | None) -> list[VEvent]:
    out = []
    for m in sorted((m for m in programme.meetings if m.series is None), key=lambda m: m.date):
        if _in(m.date, first, last):
            o = occurrence_on(programme, None, m, m.date)
            out.append(_event(o, o.uid))
    return out


def zone_years(programmes: Sequence[Programme], first: date | None, last: date | None) -> tuple[int, int]:
    """The years a VTIMEZONE must cover: everything exported, and a year either side."""
    lows, highs = [], []
    for p in programmes:
        lo, hi = programme_span(p)
        if lo is None:
            continue
        dates = [m.replaces for m in p.meetings if m.replaces] + [lo]
        lows.append(max(min(dates), first) if first else min(dates))
        mentioned = [lo] + [m.end_date or m.date for m in p.meetings] + [s.until or s.from_date for s in p.series]
        highs.append(min(hi or max(mentioned), last) if last else (hi or max(mentioned)))
    if not lows:
        year = (first or last or date(2000, 1, 1)).year
        return year - 1, year + 1
    return min(lows).year - 1, max(max(highs), min(lows)).year + 1


def build_calendar(
    programmes: Sequence[Programme],
    first: date | None = None,
    last: date | None = None,
    expand: bool = False,
) -> bytes:
    """The programmes as one RFC 5545 calendar (UTF-8 bytes, CRLF lines).

    Without a window, all of each programme; with one, series are clipped to it
    (DTSTART at the first date in it, UNTIL at its end) and meetings kept by
    their date. ``expand`` writes one plain VEVENT per occurrence and needs
    ``last`` (an open-ended series has no last occurrence).
    """
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if programmes:
        cal.add("x-wr-calname", " + ".join(dict.fromkeys(p.group.name for p in programmes)))
        cal.add("x-wr-timezone", programmes[0].group.timezone)
    first_year, last_year = zone_years(programmes, first, last)
    events = "".join(ev.text() for ev in calendar_events(programmes, first, last, expand))
    for key in dict.fromkeys(p.group.timezone for p in programmes) if events else ():
        zone = next(p.group.zone for p in programmes if p.group.timezone == key)
        cal.add_component(vtimezone(zone, first_year, last_year))
    head = cal.to_ical().decode("utf-8")
    assert head.endswith("END:VCALENDAR\r\n")
    return (head[: -len("END:VCALENDAR\r\n")] + events + "END:VCALENDAR\r\n").encode("utf-8")


def calendar_events(
    programmes: Sequence[Programme], first: date | None, last: date | None, expand: bool = False
) -> list[VEvent]:
    """The VEVENTs of :func:`build_calendar`, in a stable order (series in file order, then one-offs)."""
    years = zone_years(programmes, first, last)
    out: list[VEvent] = []
    if expand:
        if first is None or last is None:
            raise ValueError("expand needs a window")
        for o in occurrences(programmes, first, last):
            out.append(_event(o, expanded_uid(o)))
        for p in programmes:
            out.extend(_session_events(p, first, last))
        return out
    for p in programmes:
        by_series: dict[str, list[Meeting]] = {}
        for m in p.meetings:
            if m.series is not None:
                by_series.setdefault(m.series, []).append(m)
        for s in p.series:
            series, meetings = _with_holiday_moves(p, s, by_series.get(s.id, []), years)
            out.extend(_series_events(p, series, meetings, first, last, years))
        out.extend(_oneoff_events(p, first, last))
        out.extend(_session_events(p, first, last))
    return out


def _with_holiday_moves(
    programme: Programme, series: Series, meetings: list[Meeting], years: tuple[int, int]
) -> tuple[Series, list[Meeting]]:
    """A series' ``on_holiday`` moves written as a secretary would have: a moved date as a
    meeting that ``replaces`` it (an override with the series' UID), a skipped one as a skip
    (an EXDATE). Only for the years the calendar's time zones cover.
    """
    described = {m.original_date: m for m in meetings}
    lo = max(series.from_date, date(years[0], 1, 1))
    hi = min(series.until or date(years[1], 12, 31), date(years[1], 12, 31))
    moves = holiday_moves(programme, series, described, lo, hi) if lo <= hi else {}
    if not moves:
        return series, meetings
    kept = [m for m in meetings if m.original_date not in moves]
    for day, (new_day, _name) in sorted(moves.items()):
        if new_day is not None:
            base = described.get(day) or Meeting(date=day, series=series.id)
            kept.append(dc_replace(base, date=new_day, replaces=day))
    skipped = {day for day, (new_day, _name) in moves.items() if new_day is None}
    return dc_replace(series, skip=tuple(sorted(set(series.skip) | skipped))), kept


def expanded_uid(o: Occurrence) -> str:
    """The UID of ``o`` as a plain event of its own (``ical --expand``): one per date of a series."""
    return o.uid if o.series is None or o.recurrence_id is None else f"{o.recurrence_id:%Y%m%d}-{o.uid}"


def expand_window(programmes: Sequence[Programme], today: date) -> tuple[date, date]:
    """``ical --expand``'s default window: all of each programme; open-ended ones to a year past today."""
    firsts, lasts = [], []
    for p in programmes:
        lo, hi = programme_span(p)
        if lo is None:
            continue
        firsts.append(min([lo] + [m.replaces for m in p.meetings if m.replaces]))
        lasts.append(hi or max(today, lo) + timedelta(days=366))
    if not firsts:
        return today, today
    return min(firsts), max(lasts)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once (edit.write_atomic: temp file, fsync, rename, mode kept)."""
    from meetctl.editing.edits import write_atomic as write

    try:
        write(path, data)
    except OSError as exc:
        raise MeetctlError.at(Location(str(path)), f"cannot write: {exc.strerror or exc}") from None


def check_output_path(path: Path, force: bool) -> None:
    """Refuse to replace a file that is not a calendar (``-o programme.toml`` by mistake) without --force."""
    if force or not path.exists():
        return
    if path.is_dir():
        raise MeetctlError.at(Location(str(path)), "is a folder; give a file name for the calendar")
    try:
        with path.open("rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \r\n\t")
    except OSError as exc:
        raise MeetctlError.at(Location(str(path)), f"cannot read: {exc.strerror or exc}") from None
    if head and not head.upper().startswith(b"BEGIN:VCALENDAR"):
        raise MeetctlError.at(
            Location(str(path)), "exists and is not a calendar; not overwritten (use --force to replace it)"
        )


# --------------------------------------------------------------------------- events from elsewhere


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


@dataclass(frozen=True)
class Clash:
    """One of our meetings and an event elsewhere that it overlaps."""

    occurrence: Occurrence
    event: Event


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
        from meetctl.model.programme import load_programmes

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


def fetch(url: str, timeout: float = 20.0) -> bytes:
    """GET a calendar over HTTP(S) (``webcal://`` is HTTPS), refusing oversized answers."""
    import urllib.error
    import urllib.request

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


def parse_ics(data: bytes, source: str) -> Any:
    """An icalendar Calendar, or a one-line error naming ``source``."""
    from icalendar import Calendar

    try:
        cal = Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError... on bad input
        raise MeetctlError.at(Location(source), f"not a valid iCalendar file: {_first_line(exc)}") from None
    if getattr(cal, "name", None) != "VCALENDAR":
        raise MeetctlError.at(Location(source), "not a valid iCalendar file: no VCALENDAR")
    for ev in cal.walk("VEVENT"):
        if ev.get("dtstart") is None:
            uid = ev.get("uid") or ev.get("summary") or "?"
            raise MeetctlError.at(Location(source), f"event {str(uid)!r} has no DTSTART")
    for ev in cal.walk("VEVENT"):
        for key in ("dtstart", "dtend", "recurrence-id"):
            prop = ev.get(key)
            if prop is None:
                continue
            tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
            value = getattr(prop, "dt", None)
            if tzid and isinstance(value, datetime) and value.tzinfo is None:
                raise MeetctlError.at(
                    Location(source), f"unknown time zone {tzid!r} (no VTIMEZONE and not an IANA name)"
                )
    return cal


def _first_line(exc: BaseException) -> str:
    # Parser messages can quote whole chunks of the file (b'BEGIN:...'): keep the words.
    text = str(exc).strip().splitlines()
    line = (text[0] if text else type(exc).__name__).split(": b'")[0].split(' b"')[0]
    return line[:160]


#: What clash detection reads of another calendar; every other property is dropped before parsing.
_CLASH_PROPERTIES = frozenset(
    b"BEGIN END VERSION PRODID X-WR-TIMEZONE X-WR-CALNAME UID SUMMARY STATUS DTSTART DTEND DURATION "
    b"RRULE RDATE EXDATE EXRULE RECURRENCE-ID TZID TZNAME TZOFFSETFROM TZOFFSETTO".split()
)
_PROPERTY_NAME = re.compile(rb"[A-Za-z0-9-]*")


def needed_lines(data: bytes) -> bytes:
    """Only the content lines (with their folded continuations) that clash detection uses.

    Other groups' calendars carry long descriptions, attendees and alarms; parsing
    them is most of the cost of a big calendar, and none of it says when.
    """
    out = []
    keep = True
    for line in data.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if keep:
                out.append(line)
            continue
        name = _PROPERTY_NAME.match(line)
        keep = name is not None and name.group().upper() in _CLASH_PROPERTIES
        if keep:
            out.append(line)
    return b"".join(out)


def ics_events(data: bytes, source: str, first: date, last: date) -> list[Event]:
    """The events of an iCalendar file whose dates touch ``first..last`` (recurrences expanded).

    Plain events are read directly; only repeating ones (and their overrides) go
    through recurring-ical-events, which is what makes a big calendar slow.
    """
    from icalendar import Calendar

    cal = parse_ics(needed_lines(data), source)
    zone = _calendar_zone(cal)
    vevents = cal.walk("VEVENT")
    repeating = {str(ev.get("uid")) for ev in vevents if ev.get("rrule") or ev.get("rdate") or ev.get("recurrence-id")}
    lo = datetime.combine(first, time(), tzinfo=zone)
    hi = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    out = []
    for ev in vevents:
        if str(ev.get("uid")) in repeating or _cancelled(ev):
            continue
        e = _to_event(ev, source, zone)
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
            raise MeetctlError.at(Location(source), f"cannot expand the calendar: {_first_line(exc)}") from None
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


__all__ = [
    "CANCELLED",
    "Clash",
    "Event",
    "build_calendar",
    "calendar_events",
    "clash_line",
    "clash_record",
    "expand_window",
    "find_clashes",
    "load_events",
    "vtimezone",
]
