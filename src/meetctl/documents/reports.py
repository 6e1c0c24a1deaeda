"""Report stubs after a meeting: attendance against the last one, clashes, where the file goes.

Stage: outputs (documents). Reads other calendars (for clashes) through :mod:`meetctl.calendars`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from meetctl.documents.environment import Templates, words
from meetctl.documents.views import group_view, meeting_view
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence, occurrences, overlaps
from meetctl.model.selection import following, previous_in_series, same_meeting
from meetctl.model.wording import format_date, format_time, slugify


class Clash(NamedTuple):  # a small value: see errors.Location
    """Something else on at the same time as a meeting, in words."""

    title: str
    where: str
    when: str

    def words(self) -> str:
        return f"{self.title} ({self.where}), {self.when}"


def _span_words(start: datetime, end: datetime, zone: Any, loc: str | None = None) -> str:
    start, end = start.astimezone(zone), end.astimezone(zone)
    if start.date() == end.date():
        return words(loc, "%(start)s to %(end)s") % {"start": format_time(start, loc), "end": format_time(end, loc)}
    first, last = format_date(start.date(), locale=loc), format_date(end.date(), locale=loc)
    return words(loc, "%(start)s to %(end)s") % {
        "start": f"{first} {format_time(start, loc)}",
        "end": f"{last} {format_time(end, loc)}",
    }


def clashes_within(programmes: Sequence[Programme], o: Occurrence) -> list[Clash]:
    """Other meetings in the loaded programmes that overlap ``o``."""
    around = occurrences(programmes, o.date - timedelta(days=1), o.end_date)
    out = []
    for a, b in overlaps(around):
        other = b if same_meeting(a, o) else a if same_meeting(b, o) else None
        if other is not None:
            when = _span_words(other.start, other.end, o.start.tzinfo, o.group.locale)
            out.append(Clash(other.title, other.group.name, when))
    return out


def clashes_with(o: Occurrence, sources: Sequence[str]) -> list[Clash]:
    """Events in other calendars (``.ics`` files, URLs, programme files) that overlap ``o``."""
    from meetctl.calendars.clashes import find_clashes
    from meetctl.calendars.reading import load_events

    events = [e for source in sources for e in load_events(source, o.date, o.end_date)]
    out = []
    for c in find_clashes([o], events):
        e = c.event
        loc = o.group.locale
        when = words(loc, "all day") if e.all_day else _span_words(e.start, e.end, o.start.tzinfo, loc)
        out.append(Clash(e.title, e.source, when))
    return out


def attendance_words(o: Occurrence, previous: Occurrence | None) -> dict[str, Any]:
    """Attendance and its change against the previous meeting of the series, in words."""
    count = o.meeting.attendance if o.meeting else None
    before = previous.meeting.attendance if previous and previous.meeting else None
    change = None
    if count is not None and previous is not None:
        loc = o.group.locale
        difference = abs(count - before) if before is not None else 0
        facts = {"date": format_date(previous.date, locale=loc), "before": before, "change": difference}
        if before is None:
            change = words(loc, "no attendance was recorded at the previous meeting (%(date)s)") % facts
        elif count == before:
            change = words(loc, "the same as at the previous meeting, %(date)s") % facts
        elif count > before:
            change = words(loc, "up %(change)s on %(before)s at the previous meeting, %(date)s") % facts
        else:
            change = words(loc, "down %(change)s on %(before)s at the previous meeting, %(date)s") % facts
    return {"count": count, "previous": before, "change": change}


def report_markdown(
    templates: Templates,
    programmes: Sequence[Programme],
    o: Occurrence,
    clashes: Sequence[Clash] = (),
) -> str:
    """The Markdown stub for writing up meeting ``o`` (a cancelled one has nothing to write up)."""
    from markupsafe import Markup

    if o.cancelled:
        why = f" ({o.reason})" if o.reason else ""
        raise MeetctlError(Problem(f"the meeting on {o.date} was cancelled{why}: nothing to report"))

    previous = previous_in_series(o)
    nxt = following(programmes, o)
    return templates.render(
        "report.md.j2",
        group=group_view(o.programme),
        meeting=meeting_view(o),
        attendance=attendance_words(o, previous),
        previous=meeting_view(previous) if previous else None,
        clashes=[c.words() for c in clashes],
        next=meeting_view(nxt) if nxt else None,
        programme_file=Markup(Path(o.programme.path).name),
        record_command=record_command(programmes, o),
    )


def record_command(programmes: Sequence[Programme], o: Occurrence) -> str:
    """The command that records how many came to ``o`` (``--series`` where another meeting of its
    programme is that day: ``programmes`` are the whole ones, not cut down to a stream)."""
    whole = [p for p in programmes if p.path == o.programme.path] or [o.programme]
    others = [x for x in occurrences(whole, o.date, o.date) if x.uid != o.uid]
    series = f" --series {o.series.id}" if o.series and others else ""
    return f"meetctl record {o.date.isoformat()}{series} --attendance N"


def report_path(o: Occurrence, reports_dir: Path) -> Path:
    """``reports/YYYY-MM-DD-<slug>.md``; the slug is letters, digits and dashes, so it stays inside.

    A file already there that is a link out of ``reports/`` is refused at its path (the
    rule of :mod:`meetctl.beside`): the report is never written through it.
    """
    from meetctl.beside import inside

    path = reports_dir / f"{o.date.isoformat()}-{slugify(o.title)}.md"
    if reports_dir.is_dir():
        inside(path, reports_dir)
    return path


def default_reports_dir(o: Occurrence) -> Path:
    """The ``reports/`` folder beside the meeting's programme file."""
    return Path(o.programme.path).parent / "reports"
