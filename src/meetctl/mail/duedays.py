"""Which reminders are due on a day, and what a missed day still owes.

Stage: outputs (mail). :func:`due` finds the scheduled meetings that start exactly N
days after ``today`` (the group's local date), each with what its wording needs (the
next meeting of its series for "After that:"). With ``catch_up`` (``remind --send``)
it also finds the reminders of the days before ``today`` that a machine switched off
did not send and that are still of use; change notices (:mod:`meetctl.mail.changes`)
catch up by the same two rules, :func:`missed_too_late` and :func:`superseded`.
Cron imports this every day: nothing heavy here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from meetctl.mail.reminders import Reminder
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence, occurrences

#: How far ahead "After that:" looks for the series' following meeting.
FOLLOWING_HORIZON = timedelta(days=366)


def due(
    programmes: Sequence[Programme],
    today: date,
    days: Iterable[int],
    catch_up: int = 0,
    now: datetime | None = None,
) -> list[Reminder]:
    """Reminders for every scheduled meeting starting exactly N days after ``today``, N in ``days``.

    ``today`` is the local date in the group's zone; a meeting belongs to the day
    of its local start, so a 00:30 meeting is due on its own date. With ``catch_up``
    (``remind --send``), a reminder whose day fell in the ``catch_up`` days before
    ``today`` comes too (its ``due_on`` is that day, so its Message-ID is the one it
    would have had), unless its meeting has started by ``now`` or a later reminder
    day of the same meeting has come since: a meeting gets one reminder a run.
    """
    days = sorted(set(days))
    found: list[tuple[Occurrence, date]] = []
    for n in days:
        if n < 0:
            raise MeetctlError(Problem(f"--days {n}: must be 0 or more"))
        ahead = timedelta(days=n)
        for o in occurrences(programmes, today - timedelta(days=catch_up) + ahead, today + ahead):
            if o.cancelled:
                continue
            day = o.date - ahead
            if day < today and (missed_too_late(o, now) or superseded(o.date, day, today, days)):
                continue
            found.append((o, day))
    if not found:
        return []
    # The wording needs each group's other meetings: expand each programme once.
    last = max(o.date for o, _ in found) + FOLLOWING_HORIZON
    around: dict[int, list[Occurrence]] = {}
    for o, _ in found:
        key = id(o.programme)
        if key not in around:
            around[key] = [x for x in occurrences(o.programme, today, last) if not x.cancelled]
    out = [_context(o, today, around[id(o.programme)])._replace(due_on=day) for o, day in found]
    out.sort(key=lambda r: (r.occurrence.start.astimezone(UTC), r.occurrence.group.name, r.occurrence.uid))
    return out


def missed_too_late(o: Occurrence, now: datetime | None) -> bool:
    """Whether a missed reminder or notice of ``o`` is no use any more: the meeting has begun."""
    return now is not None and o.start <= now


def superseded(meeting_day: date, day: date, today: date, days: Sequence[int]) -> bool:
    """Whether a later reminder day of a meeting on ``meeting_day`` than ``day`` has come by ``today``."""
    return any(day < meeting_day - timedelta(days=n) <= today for n in days)


def _context(o: Occurrence, today: date, scheduled: Sequence[Occurrence]) -> Reminder:
    """What the wording needs beyond the meeting itself: the meeting after it, and any before it.

    "After that" names the next meeting of the same series (a branch meeting's reminder
    names the next branch meeting, not the reading group's); a one-off's, the group's next.
    """
    others = [x for x in scheduled if (x.uid, x.start) != (o.uid, o.start)]
    earlier = any(x.start < o.start for x in others)
    same = [x for x in others if _same_series(x, o)] if o.series is not None else others
    following = next((x for x in same if x.start > o.start), None)
    return Reminder(occurrence=o, today=today, following=following, earlier_meeting=earlier)


def _same_series(x: Occurrence, o: Occurrence) -> bool:
    return x.series is not None and o.series is not None and x.series.id == o.series.id
