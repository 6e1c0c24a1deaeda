"""How far ahead the site goes: past meetings, five years ahead, an open-ended series one.

Stage: outputs (documents), a part of ``meetctl site``. A series until 8335 or a one-off
in 7987 would otherwise be thousands of years of pages (issue 21.3); ``calendar.ics``
still holds the whole programme.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from meetctl.model.programme import Programme

#: The site shows meetings up to this many years ahead (21.3: a series until 8335 is not 6,000 years
#: of pages); an open-ended series only this many (its calendar goes on for ever).
HORIZON_YEARS = 5
OPEN_ENDED_YEARS = 1


def horizon(today: date) -> tuple[date, date]:
    """How far ahead the site goes: an open-ended series a year, everything else five years."""
    return _years_after(today, OPEN_ENDED_YEARS), _years_after(today, HORIZON_YEARS)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def site_window(programmes: Sequence[Programme], today: date) -> tuple[date, date]:
    """The dates a site covers: from the programme's first meeting to the last one it shows.

    Past meetings are all shown; ahead, a closed series to its end and a one-off up to
    five years from ``today``, an open-ended series a year (see :func:`horizon`).
    """
    from meetctl.model.schedule import programme_span

    near, far = horizon(today)
    firsts: list[date] = []
    lasts: list[date] = []
    for p in programmes:
        lo, _ = programme_span(p)
        if lo is None:
            continue
        firsts.append(min([lo] + [m.replaces for m in p.meetings if m.replaces]))
        lasts += [min(s.until, far) if s.until is not None else near for s in p.series]
        lasts += [min(m.end_date or m.date, far) for m in p.meetings]
    if not firsts:
        return today, today
    return min(firsts), max(min(firsts), *lasts)
