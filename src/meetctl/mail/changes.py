"""Change notices: a cancelled or moved meeting told to members on the days a reminder would go out.

Stage: outputs (mail). ``due(programmes, today, days)`` finds

* each **cancelled** meeting exactly N days after ``today`` (N in ``days``): its
  reminder would have gone out today, so a cancellation notice goes instead;
* each **moved** meeting (``replaces = OLD``) whose OLD date is exactly N days
  after ``today``: members expect a reminder for OLD today, so a "moved" notice
  tells them the new date (or, if it has since been cancelled, a cancellation
  notice). Its usual reminders before the new date come from
  :func:`meetctl.mail.duedays.due`, which sees it at its new date.

A notice reads like a reminder (the same text, Markdown and email renderings, from
:mod:`meetctl.mail.reminders`) with its own opening, subject and Message-ID, so
``remind --send`` logs and never repeats it. Nothing heavy is imported at the top:
cron runs this every day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from meetctl.mail import duedays, reminders
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence, occurrences
from meetctl.model.wording import format_date, format_time

if TYPE_CHECKING:  # pragma: no cover - typing only
    from email.message import EmailMessage

CANCELLED = "cancelled"
MOVED = "moved"
#: How far ahead a cancellation notice looks for the series' next meeting ("The next one is ...").
NEXT_HORIZON = timedelta(days=366)


class Notice(NamedTuple):  # a small value, like reminders.Reminder
    """One change notice: what changed (``kind``), the meeting as it now stands, and the day it is sent."""

    kind: str  # CANCELLED or MOVED
    occurrence: Occurrence
    today: date
    #: The date members expect: the cancelled meeting's own date, or a moved meeting's old date.
    expected: date
    #: For a cancellation: the next scheduled meeting of the same series (or group, for a one-off).
    next_meeting: Occurrence | None = None
    #: The day the notice was due, when a missed day is caught up (its Message-ID's day).
    due_on: date | None = None

    @property
    def days(self) -> int:
        """How many days before the expected date the notice goes out."""
        return (self.expected - self.today).days


# --------------------------------------------------------------------------- what is due


def due(
    programmes: Sequence[Programme],
    today: date,
    days: Iterable[int],
    catch_up: int = 0,
    now: datetime | None = None,
) -> list[Notice]:
    """Change notices due ``today``: cancelled meetings N days ahead, and moves away from a date N days ahead.

    With ``catch_up`` (``remind --send``), a notice whose day fell in the ``catch_up``
    days before ``today`` comes too, with ``due_on`` that day (so its Message-ID is the
    one it would have had), unless the date members expect (and the meeting) has
    passed or a later day for the same change has come since.
    """
    days = sorted(set(days))
    found: list[Notice] = []
    for n in days:
        if n < 0:
            raise MeetctlError(Problem(f"--days {n}: must be 0 or more"))
        for back in range(catch_up, -1, -1):
            sent_on = today - timedelta(days=back)
            day = sent_on + timedelta(days=n)
            if back and (day < today or duedays.superseded(day, sent_on, today, days)):
                continue  # a missed notice of a date that has gone, or one a later day's notice replaces
            for notice in _due_on(programmes, sent_on, day):
                if back and duedays.missed_too_late(notice.occurrence, now):
                    continue
                found.append(notice._replace(today=today, due_on=sent_on if back else None))
    found.sort(key=lambda x: (x.expected, x.occurrence.start.astimezone(UTC), x.occurrence.uid, x.kind))
    return found


def _due_on(programmes: Sequence[Programme], today: date, day: date) -> list[Notice]:
    """The notices due on ``today`` about ``day``: a cancellation on it, or a move away from it."""
    found = [Notice(CANCELLED, o, today, o.date, _next_meeting(o)) for o in occurrences(programmes, day, day)
             if o.cancelled]  # fmt: skip
    for programme in programmes:
        for o in _moved_from(programme, day):
            if o.cancelled:  # moved, then called off: those who expect the old date hear of it too
                found.append(Notice(CANCELLED, o, today, day, _next_meeting(o)))
            elif o.date >= today:
                found.append(Notice(MOVED, o, today, day))
    return found


def _moved_from(programme: Programme, day: date) -> list[Occurrence]:
    """The meetings the secretary moved (``replaces``) away from ``day``, as they now stand (cancelled too)."""
    out = []
    for m in programme.meetings:
        if m.series is None or m.replaces != day or m.date == day:
            continue
        out.extend(
            o
            for o in occurrences(programme, m.date, m.date)
            if o.meeting is m and o.series is not None and o.series.id == m.series
        )
    return out


def _next_meeting(o: Occurrence) -> Occurrence | None:
    """The next scheduled meeting after ``o``: of its series, or of its group for a one-off."""
    later = occurrences(o.programme, o.date, o.date + NEXT_HORIZON)
    for x in later:
        if x.cancelled or x.start <= o.start:
            continue
        if o.series is None or (x.series is not None and x.series.id == o.series.id):
            return x
    return None


# --------------------------------------------------------------------------- wording


def opening(notice: Notice) -> str:
    """'Please note: the meeting next Thursday, 11 February, at 6:30pm (Reading group) is CANCELLED.'

    The series' title names the stream members know (a moved meeting may have a title of its own).
    """
    o = notice.occurrence
    name = o.series.title if o.series is not None else o.title
    if notice.kind == CANCELLED and notice.expected != o.date:
        was = reminders.relative_day(notice.today, notice.expected)
        return (
            f"Please note: the meeting that was to be {was} ({name}), later moved to "
            f"{format_date(o.date, year=o.date.year != notice.today.year)}, is CANCELLED."
        )
    if notice.kind == CANCELLED:
        when = reminders.relative_day(notice.today, o.date)
        return f"Please note: the meeting {when}, at {format_time(o.start)} ({name}) is CANCELLED."
    was = reminders.relative_day(notice.today, notice.expected)
    now = reminders.relative_day(notice.today, o.date).removeprefix("on ")
    return f"Please note: the meeting that was to be {was} ({name}) has MOVED to {now}, at {format_time(o.start)}."


def content(notice: Notice) -> reminders.Content:
    """Everything a notice says: a reminder's details under the notice's own opening."""
    o = notice.occurrence
    base = reminders.content(reminders.Reminder(occurrence=o, today=notice.today))
    notes: list[str] = []
    after = None
    if notice.kind == CANCELLED:
        if o.reason:
            notes.append(f"Reason: {o.reason}")
        nxt = notice.next_meeting
        if nxt is not None:
            after = f"{reminders.day_and_time(nxt)}: {nxt.title}"
            if nxt.venue and (o.venue is None or nxt.venue.id != o.venue.id):
                after += f" ({nxt.venue.name})"
        title = f"CANCELLED: {o.title}"
    else:
        if o.why:
            notes.append(f"Reason: {o.why.strip(' ()')}")
        title = f"MOVED: {o.title}"
    return base._replace(
        opening=opening(notice),
        notes=notes,
        title=title,
        after=after,
        # The timetable of a cancelled day school is no use; a moved one keeps it.
        timetable=[] if notice.kind == CANCELLED else base.timetable,
    )


def render(notices: Sequence[Notice], fmt: str) -> list[str]:
    """Each notice as text or Markdown (the caller joins them with reminders' separator)."""
    renderer = reminders.render_text if fmt == "text" else reminders.render_markdown
    return [renderer(content(n)) for n in notices]


# --------------------------------------------------------------------------- email


def subject(notice: Notice) -> str:
    """'Cancelled: Wednesday 22 February, 7pm: TITLE' or 'Moved to Thursday 16 March, 7pm: TITLE (was ...)'."""
    o = notice.occurrence
    year = o.date.year != notice.today.year
    day = format_date(o.date, year=year)
    if notice.kind == CANCELLED:
        return reminders.header_text(f"Cancelled: {day}, {format_time(o.start)}: {o.title}")
    was = format_date(notice.expected, year=notice.expected.year != notice.today.year)
    return reminders.header_text(f"Moved to {day}, {format_time(o.start)}: {o.title} (was {was})")


def message_id(notice: Notice, domain: str) -> str:
    """Stable for the same change, meeting and sending day; never the same as a reminder's."""
    import hashlib

    o = notice.occurrence
    day = notice.due_on or notice.today  # a missed notice caught up keeps its own day's id
    key = "\0".join((notice.kind, o.uid, notice.expected.isoformat(), o.start.isoformat(), day.isoformat()))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"<{notice.kind}-{notice.expected:%Y%m%d}-{day:%Y%m%d}-{digest}@{domain}>"


def email_message(notice: Notice, to: Sequence[str], now: datetime) -> EmailMessage:
    """The notice as a complete message; its ``.ics`` carries the change (``STATUS:CANCELLED`` or the new time)."""
    o = notice.occurrence
    status = "CANCELLED" if notice.kind == CANCELLED else "CONFIRMED"
    return reminders.compose_email(
        o,
        to,
        now,
        subject=subject(notice),
        make_message_id=lambda domain: message_id(notice, domain),
        body=content(notice),
        calendar=reminders.occurrence_ics(o, now, status=status),
    )
