"""Which meetings a command is about: the streams, the one on a date, the latest, a term, the one before or after.

Stage: select (between the schedule and the outputs). Pure: today and now are parameters.

Streams: every reading command takes ``--series ID`` (repeatable) and ``--one-offs``
(the ``Streams``/``OneOffs`` options in ``cli.py``) and passes them to
:func:`select_streams` straight after loading; everything after it (schedules,
documents, calendars, reminders) then sees only the chosen streams, with UIDs unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from meetctl.model.errors import MeetctlError, Problem, did_you_mean
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence, occurrences

# --------------------------------------------------------------------------- streams


def check_series_ids(programmes: Sequence[Programme], series: Sequence[str], option: str = "--series") -> None:
    """Every id in ``series`` names a series of one of ``programmes``; else one error per unknown id."""
    known = sorted({s.id for p in programmes for s in p.series})
    problems = []
    for wanted in dict.fromkeys(series):
        if wanted not in known:
            listing = f" (series: {', '.join(known)})" if known else " (there are no series)"
            hint = did_you_mean(wanted, known) or listing
            problems.append(Problem(f"{option}: unknown series '{wanted}'{hint}"))
    if problems:
        raise MeetctlError(problems)


def select_streams(
    programmes: Sequence[Programme], series: Sequence[str] | None = None, one_offs: bool = False
) -> list[Programme]:
    """The programmes cut down to the chosen streams: those series and/or the one-off meetings.

    Nothing chosen means everything. A meeting of a series goes with its series (a moved
    or cancelled one too); a one-off (no ``series``) is kept only with ``one_offs``.
    Groups, venues, paths and UIDs are untouched, so outputs match the whole programme's.
    """
    chosen = list(series or [])
    if not chosen and not one_offs:
        return list(programmes)
    check_series_ids(programmes, chosen)
    wanted = set(chosen)
    out = []
    for p in programmes:
        kept_series = tuple(s for s in p.series if s.id in wanted)
        kept_meetings = tuple(m for m in p.meetings if (m.series in wanted if m.series is not None else one_offs))
        out.append(replace(p, series=kept_series, meetings=kept_meetings))
    return out


def chosen_streams(series: Sequence[str] | None, one_offs: bool) -> set[str | None] | None:
    """The streams --series/--one-offs name (series ids; None stands for the one-offs), or
    None when neither was given (every stream)."""
    if not series and not one_offs:
        return None
    return set(series or []) | ({None} if one_offs else set())


# --------------------------------------------------------------------------- choosing meetings


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months (the 31st becomes the month's last day)."""
    from dateutil.relativedelta import relativedelta

    return day + relativedelta(months=months)


def term_window(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """--from/--to for a term: by default from today (or --from), three months ahead."""
    first = first or today
    last = last or add_months(first, 3) - timedelta(days=1)
    if last < first:
        raise MeetctlError(Problem(f"--to {last} is before --from {first}"))
    return first, last


def term_meetings(programmes: Sequence[Programme], first: date, last: date) -> list[Occurrence]:
    """The meetings of a term (cancelled ones included, marked); an empty term is an error."""
    items = occurrences(programmes, first, last)
    if not items:
        raise MeetctlError(Problem(f"no meetings from {first} to {last}"))
    return items


def _label(o: Occurrence) -> str:
    return f"'{o.title}'" + (f" (series {o.series.id})" if o.series else "")


def meeting_on(programmes: Sequence[Programme], day: date, series: str | None = None) -> Occurrence:
    """The meeting on ``day`` (of ``series`` if given); an error says what there is instead."""
    items = occurrences(programmes, day, day)
    if series is not None:
        known = {s.id for p in programmes for s in p.series}
        if series not in known:
            raise MeetctlError(Problem(f"--series: unknown series '{series}'{did_you_mean(series, known)}"))
        items = [o for o in items if o.series is not None and o.series.id == series]
    if len(items) == 1:
        return items[0]
    if not items:
        after = occurrences(programmes, day + timedelta(days=1), day + timedelta(days=366))
        before = occurrences(programmes, day - timedelta(days=366), day - timedelta(days=1))
        near = [f"the one before is on {before[-1].date}"] if before else []
        near += [f"the next is on {after[0].date}"] if after else []
        hint = f" ({'; '.join(near)})" if near else ""
        raise MeetctlError(Problem(f"no meeting on {day}{hint}"))
    names = ", ".join(_label(o) for o in items)
    raise MeetctlError(Problem(f"{len(items)} meetings on {day}: {names}; choose one with --series ID"))


def latest_started(programmes: Sequence[Programme], now: datetime, years: int = 10) -> Occurrence:
    """The most recent meeting (not cancelled) that has started by ``now``."""
    span = 366
    while True:
        first = now.date() - timedelta(days=span)
        found = [o for o in occurrences(programmes, first, now.date()) if not o.cancelled and o.start <= now]
        if found:
            return found[-1]
        if span > years * 366:
            raise MeetctlError(Problem(f"no meeting before {now.date()} to report on; give a DATE"))
        span *= 4


def previous_in_series(o: Occurrence) -> Occurrence | None:
    """The meeting of the same series held before ``o`` (cancelled ones skipped)."""
    if o.series is None:
        return None
    earlier = occurrences(o.programme, o.series.from_date, o.date)
    same = [x for x in earlier if x.series is o.series and not x.cancelled and x.start < o.start]
    return same[-1] if same else None


def same_meeting(a: Occurrence, b: Occurrence) -> bool:
    return a.uid == b.uid and a.date == b.date


def following(programmes: Sequence[Programme], o: Occurrence, years: int = 2) -> Occurrence | None:
    """The next meeting (not cancelled) after ``o`` of the same stream.

    For a meeting of a series that is the series' next meeting (a branch meeting's
    "next meeting" is the next branch meeting, not the reading group in between);
    for a one-off, the group's next meeting of any kind.
    """
    later = occurrences(programmes, o.date, o.date + timedelta(days=366 * years))
    for x in later:
        if x.cancelled or x.start <= o.start or same_meeting(x, o):
            continue
        if o.series is None or (x.series is not None and x.programme is o.programme and x.series.id == o.series.id):
            return x
    return None
