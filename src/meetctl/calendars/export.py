"""Programmes as iCalendar (``meetctl ical``).

Stage: outputs (calendars). One VCALENDAR with a rule-based VTIMEZONE per zone used, each series as
one VEVENT with an RRULE, EXDATEs for skipped and cancelled dates and a
RECURRENCE-ID override for every meeting that differs from its series' usual
slot; one-off meetings as plain VEVENTs. Nothing depends on the clock: DTSTAMP
is derived from the event itself, so an unchanged programme gives the same bytes.

Each VEVENT also carries ``X-MEETCTL-FIELDS`` (JSON: series id, venue, blurb,
lead) and a series' master ``X-MEETCTL-CANCELLED`` (one per cancelled meeting),
which calendar clients ignore and ``meetctl import`` reads to rebuild the
programme exactly. Imports the model; never the CLI.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meetctl.calendars import contentlines, eventfields
from meetctl.calendars.timezones import change_days, vtimezone
from meetctl.model.programme import Meeting, Programme, Series
from meetctl.model.schedule import (
    Occurrence,
    holiday_moves,
    local_datetime,
    occurrence_on,
    programme_span,
    series_uid,
    session_uid,
    sessions_of,
    stream_occurrences,
)

PRODID = "-//meetctl//meetctl calendar export//EN"
#: Non-standard properties: clients keep and ignore them; ``meetctl import`` reads them.
FIELDS_PROP = "X-MEETCTL-FIELDS"
CANCELLED_PROP = "X-MEETCTL-CANCELLED"
SESSION_PROP = "X-MEETCTL-SESSION"
#: Before a cancelled meeting's title in SUMMARY (many clients do not show STATUS).
CANCELLED_WORD = "Cancelled: "
_FAR_FUTURE = date(9999, 12, 31)
_HOUR = timedelta(hours=1)

# --------------------------------------------------------------------------- export


def _skipped_days(series: Series, zone: ZoneInfo, lo: date, hi: date | None, years: tuple[int, int]) -> set[date]:
    """The series' dates in ``lo..hi`` that ``zone`` skipped entirely: no meeting (its wall
    time would be the next day's, and readers disagree on what to make of it)."""
    stop = hi or date(max(years[1], lo.year), 12, 31)
    found = set()
    for day, _instant in change_days(zone.key, *years):
        for d in (day - timedelta(days=1), day, day + timedelta(days=1)):
            if lo <= d <= stop and not contentlines.day_exists(d, zone) and series.has_date(d):
                found.add(d)
    return found


@dataclass
class VEvent:
    """One VEVENT as content lines (unfolded); :meth:`text` folds and frames them."""

    uid: str
    title: str
    lines: list[str]

    def add(self, line: str) -> None:
        self.lines.append(line)

    def text(self) -> str:
        return "BEGIN:VEVENT\r\n" + "".join(contentlines.fold(line) + "\r\n" for line in self.lines) + "END:VEVENT\r\n"


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
        f"UID:{contentlines.text_value(uid)}",
        f"DTSTAMP:{contentlines.stamp(start)}",
        contentlines.local("DTSTART", start) if master else contentlines.when("DTSTART", start),
        f"DURATION:{contentlines.duration(duration)}" if duration is not None else contentlines.when("DTEND", end),
        f"SUMMARY:{contentlines.text_value(_summary(o))}",
    ]
    text = eventfields.description(o)
    if text:
        lines.append(f"DESCRIPTION:{contentlines.text_value(text)}")
    where = eventfields.location(o)
    if where:
        lines.append(f"LOCATION:{contentlines.text_value(where)}")
    if o.online:  # RFC 7986 CONFERENCE; URL too, since most clients show only that
        lines.append(f"CONFERENCE;VALUE=URI;FEATURE=VIDEO:{contentlines.uri(o.online)}")
    if o.online or o.group.website:
        lines.append(f"URL:{contentlines.uri(o.online or o.group.website or '')}")
    organizer = eventfields.organizer(o)
    if organizer:
        lines.append(organizer)
    lines.append(f"STATUS:{'CANCELLED' if o.cancelled else 'CONFIRMED'}")
    lines.append(f"SEQUENCE:{sequence}")
    lines.append(f"{FIELDS_PROP}:{contentlines.text_value(eventfields.fields(o))}")
    return VEvent(uid, o.title, lines)


def _summary(o: Occurrence) -> str:
    """The title a calendar shows; a cancelled meeting says so in it (clients hide STATUS)."""
    return f"{CANCELLED_WORD}{o.title}" if o.cancelled else o.title


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


def _first_held(series: Series, day: date, last: date | None, gone: set[date]) -> date | None:
    """The series' first rule date after ``day`` (up to ``last``) that is not in ``gone``."""
    stop = min(last or _FAR_FUTURE, series.until or _FAR_FUTURE)
    lo = day + timedelta(days=1)
    span = timedelta(days=366)
    while lo <= stop:  # a year at a time: an open-ended series has no last date to expand to
        hi = min(stop, lo + span)
        held = next((d for d in series.rule_dates(lo, hi) if d not in gone), None)
        if held is not None:
            return held
        lo, span = hi + timedelta(days=1), span * 2
    return None


def _in(day: date, first: date | None, last: date | None) -> bool:
    return (first is None or day >= first) and (last is None or day <= last)


def _series_events(
    programme: Programme,
    series: Series,
    meetings: list[Meeting],
    first: date | None,
    last: date | None,
    years: tuple[int, int],
    hide_cancelled: bool = False,
) -> list[VEvent]:
    """The master VEVENT of ``series`` and its overrides, limited to ``first..last``.

    A cancelled meeting is an override with STATUS:CANCELLED (subscribers see it
    cancelled), or with ``hide_cancelled`` an EXDATE.
    """
    zone = programme.group.zone
    uid = series_uid(programme.group, series)
    lo = max(first or series.from_date, series.from_date)
    hi = min((d for d in (last, series.until) if d is not None), default=None)
    events: list[VEvent] = []
    start_day = _first_rule_date(series, lo, hi)
    # Dates the series' instances must not produce: skips, cancellations, and meetings
    # moved out of the window.
    gone = set(series.skip) | _skipped_days(series, zone, lo, hi, years)
    shown_cancelled: list[Meeting] = []
    for m in meetings:
        if m.cancelled and not hide_cancelled and _in(m.date, first, last) and _in(m.original_date, lo, hi):
            shown_cancelled.append(m)  # an override of its own, below
        elif m.cancelled or not _in(m.date, first, last):
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
    for m in list(shown_cancelled):
        if start_day is None or not _in(m.original_date, start_day, hi) or not series.has_date(m.original_date):
            shown_cancelled.remove(m)  # no instance of the rule to override: an EXDATE at most
            gone.add(m.original_date)
    if start_day is not None and start_day in gone:
        # DTSTART is an instance whatever EXDATE says to some readers (sabre/vobject 2.1,
        # ics-py): start the event on the first meeting held instead.
        start_day = _first_held(series, start_day, hi, gone) or start_day
    if start_day is not None:
        plain = occurrence_on(programme, series, None, start_day)
        start = _nominal(start_day, series.start, zone)
        end = start + series.duration  # wall-clock arithmetic: the usual end time
        if end.astimezone(UTC) - start.astimezone(UTC) == series.duration and not contentlines.ambiguous(end):
            master = _event(plain, uid, start=start, end=end, master=True)
        else:  # the first meeting spans a clock change: DTEND would teach readers the wrong length
            master = _event(plain, uid, start=start, duration=series.duration, master=True)
        freq, _, rest = series.rule.rrule.partition(";")
        # UNTIL in UTC (DTSTART has a TZID): the end of the last day, so that day's meeting is in.
        until = f";UNTIL={contentlines.utc(local_datetime(hi, time(23, 59, 59), zone))}" if hi is not None else ""
        master.add(f"RRULE:{freq}{until}{';' if rest else ''}{rest}")
        for day in sorted(d for d in gone if d >= start_day and _in(d, None, hi)):
            master.add(contentlines.instance("EXDATE", _nominal(day, series.start, zone)))
        for m in meetings:
            if m.cancelled and _in(m.date, first, last):
                master.add(f"{CANCELLED_PROP}:{contentlines.text_value(eventfields.cancelled_fields(m))}")
        events.append(master)
    overrides: dict[date, VEvent] = {}
    for m in shown_cancelled:
        o = occurrence_on(programme, series, m, m.date)
        ev = _event(o, uid, sequence=1)
        ev.add(contentlines.instance("RECURRENCE-ID", _nominal(m.original_date, series.start, zone)))
        overrides[m.original_date] = ev
    for m in meetings:
        if m.cancelled or not _in(m.date, first, last):
            continue
        o = occurrence_on(programme, series, m, m.date)
        usual = occurrence_on(programme, series, None, m.original_date)
        if eventfields.content(o) == eventfields.content(usual):
            continue
        ev = _event(o, uid, sequence=0 if (o.start, o.end) == (usual.start, usual.end) else 1)
        ev.add(contentlines.instance("RECURRENCE-ID", _nominal(m.original_date, series.start, zone)))
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
                        or o.start < instant < o.end
                        or contentlines.ambiguous(o.start) or contentlines.ambiguous(o.end)):  # fmt: skip
                    ev = _event(o, uid)
                    ev.add(contentlines.instance("RECURRENCE-ID", nominal))
                    overrides[d] = ev
    return events + [overrides[d] for d in sorted(overrides)]


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
            where = ", ".join(x for x in (session.room, eventfields.location(o)) if x)
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
                f"UID:{contentlines.text_value(uid)}",
                f"DTSTAMP:{contentlines.stamp(t.start)}",
                contentlines.when("DTSTART", t.start),
                contentlines.when("DTEND", t.end),
                f"SUMMARY:{contentlines.text_value(session.title)}",
                f"DESCRIPTION:{contentlines.text_value(chr(10) * 2).join(contentlines.text_value(x) for x in about)}",
                *([f"LOCATION:{contentlines.text_value(where)}"] if where else []),
                f"RELATED-TO;RELTYPE=PARENT:{contentlines.text_value(o.uid)}",
                *([f"URL:{contentlines.uri(o.group.website)}"] if o.group.website else []),
                "STATUS:CONFIRMED",
                "SEQUENCE:0",
                f"{SESSION_PROP}:{contentlines.text_value(json.dumps(fields, ensure_ascii=False, sort_keys=True))}",
            ]
            out.append(VEvent(uid, session.title, lines))
    return out


def _oneoff_events(
    programme: Programme, first: date | None, last: date | None, hide_cancelled: bool = False
) -> list[VEvent]:
    out = []
    for m in sorted((m for m in programme.meetings if m.series is None), key=lambda m: m.date):
        if _in(m.date, first, last) and not (m.cancelled and hide_cancelled):
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
    hide_cancelled: bool = False,
) -> bytes:
    """The programmes as one RFC 5545 calendar (UTF-8 bytes, CRLF lines).

    Without a window, all of each programme; with one, series are clipped to it
    (DTSTART at the first date in it, UNTIL at its end) and meetings kept by
    their date. ``expand`` writes one plain VEVENT per occurrence and needs
    ``last`` (an open-ended series has no last occurrence). Cancelled meetings stay
    in, as cancelled, unless ``hide_cancelled``. METHOD:PUBLISH only when every
    programme has a ``group.email`` for the ORGANIZER RFC 5546 requires with it.
    """
    return b"".join(calendar_chunks(programmes, first, last, expand, hide_cancelled))


def calendar_chunks(
    programmes: Sequence[Programme],
    first: date | None = None,
    last: date | None = None,
    expand: bool = False,
    hide_cancelled: bool = False,
) -> Iterator[bytes]:
    """:func:`build_calendar`'s bytes, an event at a time: ``ical --expand`` over decades
    of meetings is written as it is made instead of being held whole."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if programmes and all(p.group.email for p in programmes):
        cal.add("method", "PUBLISH")
    if programmes:
        from meetctl.model.network import programmes_title

        cal.add("x-wr-calname", programmes_title(programmes))
        cal.add("x-wr-timezone", programmes[0].group.timezone)
    first_year, last_year = zone_years(programmes, first, last)
    events = iter_calendar_events(programmes, first, last, expand, hide_cancelled)
    # Time zones are written only for a calendar with events: look at the first one.
    head_event = next(events, None)
    for key in dict.fromkeys(p.group.timezone for p in programmes) if head_event else ():
        zone = next(p.group.zone for p in programmes if p.group.timezone == key)
        cal.add_component(vtimezone(zone, first_year, last_year))
    head = cal.to_ical().decode("utf-8")
    assert head.endswith("END:VCALENDAR\r\n")
    yield head[: -len("END:VCALENDAR\r\n")].encode("utf-8")
    if head_event is not None:
        yield head_event.text().encode("utf-8")
    for event in events:
        yield event.text().encode("utf-8")
    yield b"END:VCALENDAR\r\n"


def calendar_events(
    programmes: Sequence[Programme],
    first: date | None,
    last: date | None,
    expand: bool = False,
    hide_cancelled: bool = False,
) -> list[VEvent]:
    """The VEVENTs of :func:`build_calendar`, in a stable order (series in file order, then one-offs)."""
    return list(iter_calendar_events(programmes, first, last, expand, hide_cancelled))


def iter_calendar_events(
    programmes: Sequence[Programme],
    first: date | None,
    last: date | None,
    expand: bool = False,
    hide_cancelled: bool = False,
) -> Iterator[VEvent]:
    """:func:`calendar_events` one at a time (expanded occurrences streamed from the schedule)."""
    years = zone_years(programmes, first, last)
    if expand:
        if first is None or last is None:
            raise ValueError("expand needs a window")
        for o in stream_occurrences(programmes, first, last):
            if o.series is not None and not contentlines.day_exists(o.date, o.start.tzinfo):  # type: ignore[arg-type]
                continue  # a date the zone skipped (see _series_events)
            if not (o.cancelled and hide_cancelled):
                yield _event(o, expanded_uid(o))
        for p in programmes:
            yield from _session_events(p, first, last)
        return
    for p in programmes:
        by_series: dict[str, list[Meeting]] = {}
        for m in p.meetings:
            if m.series is not None:
                by_series.setdefault(m.series, []).append(m)
        for s in p.series:
            series, meetings = _with_holiday_moves(p, s, by_series.get(s.id, []), years)
            yield from _series_events(p, series, meetings, first, last, years, hide_cancelled)
        yield from _oneoff_events(p, first, last, hide_cancelled)
        yield from _session_events(p, first, last)


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
    if o.series is None or o.recurrence_id is None:
        return o.uid
    return f"{o.recurrence_id.year:04d}{o.recurrence_id:%m%d}-{o.uid}"  # %Y is not zero-padded before 1000


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


def single_event_calendar(o: Occurrence) -> bytes:
    """One occurrence as a calendar of its own (a website's "add to calendar" file).

    The event has the UID ``ical --expand`` gives it, so adding it next to a subscription
    to the whole calendar does not show it twice in clients that merge by UID.
    """
    head = _single_event_head(o.group.timezone, o.start.year - 1, o.end.year + 1)
    event = _event(o, expanded_uid(o)).text()
    return (head + event + "END:VCALENDAR\r\n").encode("utf-8")


@functools.lru_cache(maxsize=64)
def _single_event_head(zone_key: str, first_year: int, last_year: int) -> str:
    # A site writes thousands of these; the zone's VTIMEZONE is worked out once per span of years.
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add_component(vtimezone(ZoneInfo(zone_key), first_year, last_year))
    return cal.to_ical().decode("utf-8")[: -len("END:VCALENDAR\r\n")]
