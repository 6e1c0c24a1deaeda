"""Stage: the command line. Shell completion of what the programme names: series ids, venue ids, meeting dates.

The shell runs ``meetctl`` with ``_MEETCTL_COMPLETE`` set at every TAB (see
:func:`meetctl.cli.completion_words`), so these functions load the programme named by
``-f`` (typed before or after the command), else ``$MEETCTL_FILE``, else
./programme.toml, and nothing heavy: only the model. They never fail: a programme that
does not load simply offers nothing (the command itself will say what is wrong).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import typer

from meetctl.model.programme import Programme

#: At most this many dates are offered: a weekly reading group has 52 a year.
MAX_DATES = 40


def _programmes(ctx: Any) -> list[Programme]:
    """The programmes the command line names so far; none if they do not load."""
    from meetctl.model.loading import load_programmes, named_programmes

    files = None
    while ctx is not None and not files:  # the command's own -f, else the one before the command
        files = (ctx.params or {}).get("files")
        ctx = ctx.parent
    named = named_programmes(files)
    if any(str(p) == "-" for p in named):  # standard input is the shell's, not ours to read at a TAB
        return []
    try:
        return load_programmes(named)
    except Exception:  # noqa: BLE001 - a completion never fails; the command itself will say what is wrong
        return []


def series_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """--series: the ids of the programme's series, each with its title."""
    seen: dict[str, str] = {}
    for programme in _programmes(ctx):
        for series in programme.series:
            seen.setdefault(series.id, series.title)
    return [(sid, title) for sid, title in seen.items() if sid.startswith(incomplete)]


def venue_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """--venue: the ids of the programme's venues, each with its name."""
    seen: dict[str, str] = {}
    for programme in _programmes(ctx):
        for vid, venue in programme.venues.items():
            seen.setdefault(vid, venue.name)
    return [(vid, name) for vid, name in seen.items() if vid.startswith(incomplete)]


def _today(ctx: Any, programmes: Sequence[Programme]) -> date:
    """--today (typed here or before the command), else $MEETCTL_TODAY, else the group's today."""
    while ctx is not None:
        value = (ctx.params or {}).get("today")
        if value:
            break
        ctx = ctx.parent
    else:
        value = os.environ.get("MEETCTL_TODAY")
    try:
        return date.fromisoformat(str(value).strip()) if value else datetime.now(programmes[0].group.zone).date()
    except ValueError:
        return datetime.now(programmes[0].group.zone).date()


def meeting_dates(which: str) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
    """A completion of DATE: ``coming`` meetings (cancel, move, flyer, agenda), ``past`` ones (record, report),
    ``cancelled`` ones (restore). Each date comes with the meeting's title (zsh and fish show it)."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from meetctl.model.schedule import occurrences

        programmes = _programmes(ctx)
        if not programmes:
            return []
        today = _today(ctx, programmes)
        if which == "past":
            found = [o for o in occurrences(programmes, today - timedelta(days=366), today) if not o.cancelled]
            found.reverse()  # the latest first: it is the one most often written up
        elif which == "cancelled":
            found = [o for o in occurrences(programmes, today - timedelta(days=366), today + timedelta(days=731))
                     if o.cancelled]  # fmt: skip
        else:
            found = [o for o in occurrences(programmes, today, today + timedelta(days=366)) if not o.cancelled]
        offered: dict[str, str] = {}
        for o in found:
            day = o.date.isoformat()
            if day.startswith(incomplete) and len(offered) < MAX_DATES:
                offered.setdefault(day, o.title)
        return list(offered.items())

    return complete
