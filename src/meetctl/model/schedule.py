"""Expand programmes into the occurrences that fall in a window of dates.

Pure: no clock, no printing. Times are wall-clock times in the group's zone;
durations are real elapsed time, so a two-hour meeting on the night the clocks go
back still lasts two hours.

Daylight saving, deliberately:

* a start that falls in a spring-forward gap (01:30 in London on the last Sunday
  of March) does not exist; it moves forward by the length of the gap (02:30 BST),
  which is what RFC 5545 prescribes and what calendar clients do;
* a start in an autumn fold (01:30 happens twice) means the first of the two
  (``fold=0``, still summer time), as RFC 5545 also says.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from meetctl.model.notice import DEFAULT_LEAD_DAYS, NoticeRule, longest_lead
from meetctl.model.programme import Group, Meeting, Programme, Series, Session, Venue
from meetctl.model.wording import slugify

SCHEDULED = "scheduled"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Occurrence:
    """One meeting on one date, with everything known about it resolved."""

    programme: Programme
    series: Series | None
    meeting: Meeting | None
    date: date
    start: datetime
    end: datetime
    title: str
    description: str | None
    lead: str | None
    venue: Venue | None
    status: str
    uid: str
    #: The original start of a series occurrence (its iCalendar RECURRENCE-ID), else None.
    recurrence_id: datetime | None
    #: The public holiday that moved this occurrence off its rule's date (series' on_holiday).
    holiday: str | None = None

    @property
    def group(self) -> Group:
        return self.programme.group

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def reason(self) -> str | None:
        return self.meeting.reason if self.meeting else None

    @property
    def why(self) -> str:
        """`` (Easter Monday)``: why this meeting is not in its usual slot (the holiday, the reason), or ``''``."""
        because = self.holiday or (self.reason if not self.cancelled else None)
        return f" ({because})" if because else ""

    @property
    def end_date(self) -> date:
        """The local date the meeting ends (later than ``date`` for a multi-day meeting)."""
        return (self.end - timedelta(microseconds=1)).date() if self.end > self.start else self.date

    @property
    def all_day(self) -> bool:
        """Midnight to midnight, local (an imported all-day event): said as "all day", never "00:00-00:00"."""
        midnight = time(0)
        return self.end > self.start and self.start.time() == midnight and self.end.time() == midnight

    @property
    def duration(self) -> timedelta:
        """Real elapsed time (subtracting two datetimes of one zone would give wall-clock time)."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    @property
    def moved(self) -> bool:
        """A series occurrence that takes place on a date other than its rule's."""
        return self.recurrence_id is not None and self.recurrence_id.date() != self.date

    @property
    def online(self) -> str | None:
        """The join link: the meeting's own, else its series', else its venue's."""
        m, s, v = self.meeting, self.series, self.venue
        return (m and m.online) or (s and s.online) or (v and v.online) or None

    @property
    def kind(self) -> str | None:
        """'agm', 'committee' or the group's own word: the meeting's, else its series'."""
        return (self.meeting and self.meeting.kind) or (self.series and self.series.kind) or None

    @property
    def notice(self) -> NoticeRule | None:
        """The notice period this meeting needs (the meeting's, else its series'), if any."""
        return (self.meeting and self.meeting.notice) or (self.series and self.series.notice) or None

    @property
    def notice_deadline(self) -> date | None:
        """The last day notice of this meeting can be given in time (None: it needs no notice)."""
        return self.notice.deadline(self.date) if self.notice else None

    @property
    def notice_lead(self) -> int:
        """Days before the deadline the formal notice goes out: the meeting's, its series', the group's, else 2."""
        for lead in (self.meeting and self.meeting.notice_lead, self.series and self.series.notice_lead,
                     self.group.notice_lead):  # fmt: skip
            if lead is not None:
                return lead
        return DEFAULT_LEAD_DAYS

    @property
    def notice_day(self) -> date | None:
        """The day the formal notice goes out: ``notice_lead`` days before the deadline (None: no notice)."""
        deadline = self.notice_deadline
        return deadline - timedelta(days=self.notice_lead) if deadline is not None else None

    @property
    def usual_slot(self) -> bool:
        """Same start time, length and venue as its series (always True for a one-off)."""
        if self.series is None:
            return True
        return (
            self.start.timetz().replace(tzinfo=None) == self.series.start
            and self.duration == self.series.duration
            and (self.venue.id if self.venue else None) == self.series.venue
        )


class TimedSession(NamedTuple):  # a small value: see errors.Location
    """A session of a meeting's timetable, with its times resolved in the group's zone."""

    session: Session
    start: datetime
    end: datetime


def sessions_of(o: Occurrence) -> list[TimedSession]:
    """The timetable of an occurrence's meeting (empty for most meetings), in time order."""
    if o.meeting is None or not o.meeting.sessions:
        return []
    zone = o.group.zone
    shift = o.date - o.meeting.date  # a holiday move carries the timetable along
    timed = [
        TimedSession(s, local_datetime(s.date + shift, s.start, zone), local_datetime(s.date + shift, s.end, zone))
        for s in o.meeting.sessions
    ]
    return sorted(timed, key=lambda t: (t.start, t.session.room or ""))


def session_uid(o: Occurrence, session: Session) -> str:
    """A session's own iCalendar UID: stable while its meeting, date, start and title stay."""
    key = f"{o.uid}\0{session.date.isoformat()}\0{session.start.isoformat()}\0{session.title}"
    return f"{session.date.isoformat().replace('-', '')}-{slugify(session.title, 30)}-{_short_hash(key)}@meetctl"


def local_datetime(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at wall-clock ``at`` in ``zone``, with gaps and folds resolved as documented above."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC).astimezone(zone)


def day_exists(day: date, zone: ZoneInfo) -> bool:
    """Whether ``day`` happened on the wall clocks of ``zone`` (not a whole day skipped at the date line)."""
    return local_datetime(day, time(12), zone).date() == day


def _add_duration(start: datetime, duration: timedelta) -> datetime:
    # Aware arithmetic in one tzinfo is wall-clock arithmetic; go through UTC for real time.
    return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)


def _short_hash(text: str) -> str:
    # crc32, not hashlib: loading OpenSSL costs cron a few ms, and this only keeps UIDs apart.
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


def series_uid(group: Group, series: Series) -> str:
    """The series' iCalendar UID: stable across runs and across edits of other meetings."""
    return series.uid or f"{slugify(series.id, 40)}-{_short_hash(group.name + chr(0) + series.id)}@meetctl"


def meeting_uid(group: Group, meeting: Meeting) -> str:
    """A one-off meeting's UID, from its group, date and title (or its own ``uid``)."""
    if meeting.uid:
        return meeting.uid
    key = f"{group.name}\0{meeting.date.isoformat()}\0{meeting.title or ''}"
    day = meeting.date.isoformat().replace("-", "")  # %Y is not zero-padded before the year 1000
    return f"{day}-{slugify(meeting.title or 'meeting', 40)}-{_short_hash(key)}@meetctl"


def _occurrence(
    programme: Programme,
    series: Series | None,
    meeting: Meeting | None,
    day: date,
    uid: str | None = None,
    original: date | None = None,
    holiday: str | None = None,
) -> Occurrence:
    group = programme.group
    zone = group.zone
    m = meeting
    start_time = (m and m.start) or (series.start if series else time(0))
    duration = (m and m.duration) or (series.duration if series else None)
    if duration is None:
        from meetctl.model.programme import DEFAULT_DURATION

        duration = DEFAULT_DURATION
    start = local_datetime(day, start_time, zone)
    last_day = (m.end_date if m and m.end_date else None) or day
    end = _add_duration(start if last_day == day else local_datetime(last_day, start_time, zone), duration)
    venue_id = (m and m.venue) or (series.venue if series else None)
    if series is not None:
        uid = uid or series_uid(group, series)
        original = original or (m.original_date if m else day)
        same = original == day and start_time == series.start
        recurrence_id = start if same else local_datetime(original, series.start, zone)
    else:
        assert m is not None
        uid, recurrence_id = meeting_uid(group, m), None
    return Occurrence(
        programme=programme,
        series=series,
        meeting=m,
        date=day,
        start=start,
        end=end,
        title=(m and m.title) or (series.title if series else "Meeting"),
        description=(m and m.description) or (series.description if series else None),
        lead=(m and m.lead) or (series.lead if series else None),
        venue=programme.venues.get(venue_id) if venue_id else None,
        status=CANCELLED if m and m.cancelled else SCHEDULED,
        uid=uid,
        recurrence_id=recurrence_id,
        holiday=holiday,
    )


def occurrence_on(programme: Programme, series: Series | None, meeting: Meeting | None, day: date) -> Occurrence:
    """The occurrence of ``series`` (or the one-off ``meeting``) on ``day``, resolved as listed.

    For the calendar export, which needs a series' plain occurrence to compare a
    described meeting with, and a meeting's occurrence without expanding a window.
    """
    return _occurrence(programme, series, meeting, day)


class MeetingIndex(NamedTuple):
    """A programme's meetings arranged for looking up windows of dates (built once per command)."""

    one_offs: list[Meeting]  # in date order
    one_off_dates: list[date]
    #: Per series: its described meetings by original date, and those that replace another date.
    described: dict[str, dict[date, Meeting]]
    moved: dict[str, list[Meeting]]


def meeting_index(programme: Programme) -> MeetingIndex:
    """Index ``programme``'s meetings so that each window costs what is in it, not every meeting."""
    one_offs = sorted((m for m in programme.meetings if m.series is None), key=lambda m: m.date)
    described: dict[str, dict[date, Meeting]] = {}
    moved: dict[str, list[Meeting]] = {}
    for m in programme.meetings:
        if m.series is not None:
            described.setdefault(m.series, {})[m.original_date] = m
            if m.replaces:
                moved.setdefault(m.series, []).append(m)
    return MeetingIndex(one_offs, [m.date for m in one_offs], described, moved)


def programme_occurrences(
    programme: Programme, first: date, last: date, index: MeetingIndex | None = None
) -> list[Occurrence]:
    """One programme's occurrences whose local start date is in ``first..last`` (inclusive)."""
    from bisect import bisect_left, bisect_right

    index = index or meeting_index(programme)
    out: list[Occurrence] = []
    lo_i, hi_i = bisect_left(index.one_off_dates, first), bisect_right(index.one_off_dates, last)
    for m in index.one_offs[lo_i:hi_i]:
        out.append(_occurrence(programme, None, m, m.date))
    for series in programme.series:
        described = index.described.get(series.id, {})
        uid = series_uid(programme.group, series)
        margin = HOLIDAY_MARGIN if series.on_holiday and programme.group.country else timedelta(0)
        lo, hi = first - margin, last + margin
        moves = holiday_moves(programme, series, described, lo, hi)
        for day in series.dates(lo, hi):
            meeting = described.get(day)
            if day in moves:
                actual, name = moves[day]
                if actual is not None and first <= actual <= last:
                    out.append(_occurrence(programme, series, meeting, actual, uid, original=day, holiday=name))
            elif meeting is None:
                if first <= day <= last:
                    o = _occurrence(programme, series, None, day, uid)
                    # A date the zone skipped whole (Pacific/Apia, 30 December 2011) has no meeting,
                    # as the calendar export leaves it out; only a start pushed past midnight is checked.
                    if o.start.date() == day or day_exists(day, programme.group.zone):
                        out.append(o)
            elif first <= meeting.date <= last:
                out.append(_occurrence(programme, series, meeting, meeting.date, uid))
        for meeting in index.moved.get(series.id, ()):
            # Moved here by hand from a date outside the window.
            if not lo <= meeting.original_date <= hi and first <= meeting.date <= last:
                out.append(_occurrence(programme, series, meeting, meeting.date, uid))
    return out


#: How far a holiday can move a meeting: windows are widened by this to catch moves across their edges.
HOLIDAY_MARGIN = timedelta(days=14)


def holiday_moves(
    programme: Programme, series: Series, described: dict[date, Meeting], first: date, last: date
) -> dict[date, tuple[date | None, str]]:
    """The series' dates in ``first..last`` that fall on a public holiday, under its ``on_holiday``.

    Maps each such rule date to (its new date, or None when skipped; the holiday's
    name). A date the secretary has moved by hand (a meeting that ``replaces`` it)
    stays where it was put. Empty unless the series says ``on_holiday`` and the group
    has a ``country``.
    """
    if not (series.on_holiday and programme.group.country):
        return {}
    from meetctl.model.publicholidays import holidays_in, shift_off_holidays

    holidays = holidays_in(programme, range(first.year - 1, last.year + 2))
    direction = -1 if series.on_holiday == "before" else 1
    moves: dict[date, tuple[date | None, str]] = {}
    for day in series.dates(first, last):
        name = holidays.get(day)
        meeting = described.get(day)
        if name is None or (meeting is not None and meeting.replaces):
            continue
        moves[day] = (None if series.on_holiday == "skip" else shift_off_holidays(day, holidays, direction), name)
    return moves


def _order(o: Occurrence) -> tuple:
    return (o.start.astimezone(UTC), o.group.name, o.title, o.uid)


def occurrences(programmes: Programme | Sequence[Programme], first: date, last: date) -> list[Occurrence]:
    """Every occurrence of ``programmes`` with local start date in ``first..last``, in time order."""
    if isinstance(programmes, Programme):
        programmes = [programmes]
    out: list[Occurrence] = []
    for programme in programmes:
        out.extend(programme_occurrences(programme, first, last))
    out.sort(key=_order)
    return out


#: How many days of meetings :func:`stream_occurrences` holds at once.
STREAM_CHUNK = timedelta(days=366)


def stream_occurrences(
    programmes: Programme | Sequence[Programme], first: date, last: date, chunk: timedelta = STREAM_CHUNK
) -> Iterator[Occurrence]:
    """The occurrences of :func:`occurrences`, in the same order, a ``chunk`` of dates at a time.

    For output that can be written as it comes (``list --json``, ``ical --expand``,
    ``check``'s sweep): memory for a year of meetings, not for forty. Each
    programme's chunks follow one another in time (a later local date starts later
    in one zone); programmes in different zones are merged by start.
    """
    import heapq

    if isinstance(programmes, Programme):
        programmes = [programmes]
    step = max(chunk, timedelta(days=1))

    def chunks(programme: Programme) -> Iterator[Occurrence]:
        index = meeting_index(programme)
        lo = first
        while lo <= last:
            hi = min(last, lo + step - timedelta(days=1))
            yield from sorted(programme_occurrences(programme, lo, hi, index), key=_order)
            lo = hi + timedelta(days=1)

    if len(programmes) == 1:
        return chunks(programmes[0])
    return heapq.merge(*(chunks(p) for p in programmes), key=_order)


def next_occurrence(programmes: Programme | Sequence[Programme], after: datetime, years: int = 10) -> Occurrence | None:
    """The first scheduled (not cancelled) occurrence still to come at ``after``."""
    first = after.date() - timedelta(days=1)  # zones differ; the end check below decides
    # A short window first, widened fourfold until something is found: cron's `next`
    # and `check` then build a fortnight of occurrences, not a year of every series.
    span = 14
    while True:
        span = min(span, years * 366)
        found = [
            o for o in occurrences(programmes, first, first + timedelta(days=span)) if not o.cancelled and o.end > after
        ]
        if found:
            return found[0]
        if span >= years * 366:
            return None
        span *= 4


def pending_notices(programmes: Sequence[Programme], today: date, last: date) -> list[Occurrence]:
    """Scheduled meetings from ``today`` on that need notice with a deadline on or before ``last``.

    ``check`` asks with ``last`` a week ahead (a deadline before today has passed);
    ``remind`` asks with ``last = today`` and keeps those whose deadline is today.
    Meetings held before ``today`` are left out: their notice is history. In deadline order.
    """
    rules = [r for p in programmes for r in _notice_rules(p)]
    if not rules:
        return []
    horizon = timedelta(days=max(longest_lead(r) for r in rules))
    found = [
        o
        for o in occurrences(programmes, today, last + horizon)
        if not o.cancelled and o.notice_deadline is not None and o.notice_deadline <= last
    ]
    found.sort(key=lambda o: (o.notice_deadline, o.start))
    return found


def _notice_rules(programme: Programme) -> list[NoticeRule]:
    rules = [s.notice for s in programme.series if s.notice]
    return rules + [m.notice for m in programme.meetings if m.notice]


def programme_span(programme: Programme) -> tuple[date | None, date | None]:
    """The first and last date the programme mentions; last is None if a series is open-ended.

    An empty programme (no series, no meetings) spans nothing: ``(None, None)``.
    """
    days = [s.from_date for s in programme.series] + [m.date for m in programme.meetings]
    ends: list[date | None] = [s.until for s in programme.series]
    ends += [m.end_date or m.date for m in programme.meetings]
    if not days:
        return None, None
    if any(e is None for e in ends):
        return min(days), None
    return min(days), max(e for e in ends if e is not None)


def overlaps(items: Iterable[Occurrence]) -> list[tuple[Occurrence, Occurrence]]:
    """Pairs of scheduled occurrences whose times overlap (a sweep over start times)."""
    return list(overlapping(sorted(items, key=_order)))


def overlapping(ordered: Iterable[Occurrence]) -> Iterator[tuple[Occurrence, Occurrence]]:
    """Overlapping pairs of scheduled occurrences, from occurrences already in time order."""
    for o, earlier in overlapping_groups(ordered):
        for a in earlier:
            yield a, o


def overlapping_groups(ordered: Iterable[Occurrence]) -> Iterator[tuple[Occurrence, list[Occurrence]]]:
    """Each scheduled occurrence that overlaps earlier ones, with those earlier ones (in order).

    A sweep over occurrences already in time order: only the meetings still going on
    at each start are held, so a stream of a million meetings needs the memory of the
    few that run at once, and a caller that only counts pairs need not make them.
    """
    active: list[Occurrence] = []
    for o in ordered:
        if o.cancelled:
            continue
        active = [a for a in active if a.end > o.start]
        if active:
            yield o, active
        active.append(o)
