"""Attendance over time, from the ``attendance = N`` recorded on meetings.

Pure selection (:func:`attendance_rows`) and three renderings: a rich table with a
bar chart for the terminal, plain aligned text for pipes, JSON records for scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from meetctl.model.errors import MeetctlError, Problem, did_you_mean
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence, occurrences
from meetctl.model.wording import format_short_date

#: The widest bar, in characters.
BAR_WIDTH = 40


@dataclass(frozen=True)
class Row:
    """One meeting with a recorded attendance, and the change since the series' previous record."""

    occurrence: Occurrence
    attendance: int
    #: Change against the previous recorded meeting of the same series (None: first, or a one-off).
    change: int | None
    #: How many sent apologies (``apologies = [...]`` recorded on the meeting).
    apologies: int = 0


def attendance_rows(
    programmes: Sequence[Programme],
    series: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[Row]:
    """Every meeting with a recorded attendance, in date order, optionally one series and a window."""
    if series is not None:
        known = {s.id for p in programmes for s in p.series}
        if series not in known:
            raise MeetctlError(Problem(f"--series: unknown series '{series}'{did_you_mean(series, known)}"))
    if first and last and last < first:
        raise MeetctlError(Problem(f"--to {last} is before --from {first}"))
    recorded = [m.date for p in programmes for m in p.meetings if m.attendance is not None]
    if not recorded:
        return []
    items = occurrences(programmes, min(recorded), max(recorded))
    rows: list[Row] = []
    previous: dict[tuple[str, str], int] = {}  # (group, series) -> last attendance seen
    for o in items:
        count = o.meeting.attendance if o.meeting else None
        if count is None or o.cancelled:
            continue
        key = (o.group.name, o.series.id) if o.series else None
        change = count - previous[key] if key in previous else None
        if key is not None:
            previous[key] = count
        # Changes count from the series' whole history, even when the window starts later.
        if series is not None and (o.series is None or o.series.id != series):
            continue
        if (first and o.date < first) or (last and o.date > last):
            continue
        rows.append(Row(o, count, change, len(o.meeting.apologies) if o.meeting else 0))
    return rows


def json_records(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """``--json``: one object per meeting: date, title, series, group, attendance, change."""
    return [
        {
            "date": r.occurrence.date.isoformat(),
            "title": r.occurrence.title,
            "series": r.occurrence.series.id if r.occurrence.series else None,
            "group": r.occurrence.group.name,
            "attendance": r.attendance,
            "change": r.change,
            "apologies": r.apologies,
        }
        for r in rows
    ]


def _change(change: int | None) -> str:
    return "" if change is None else f"{change:+d}" if change else "="


def _cells(rows: Sequence[Row]) -> list[list[str]]:
    return [
        [
            format_short_date(r.occurrence.date), r.occurrence.title, str(r.attendance), _change(r.change),
            _apologies(r.apologies),
        ]
        for r in rows
    ]


def _apologies(n: int) -> str:
    return f"{n} apolog{'y' if n == 1 else 'ies'}" if n else ""


def bar(count: int, most: int, char: str = "#", width: int = BAR_WIDTH) -> str:
    """A bar of ``count`` scaled so ``most`` fills ``width`` characters (any non-zero count shows)."""
    if most <= 0 or count <= 0:
        return ""
    return char * max(1, round(count * width / most))


def summary(rows: Sequence[Row]) -> str:
    """'3 meetings: average 12.3, lowest 9, highest 16'."""
    counts = [r.attendance for r in rows]
    n = len(counts)
    return (
        f"{n} meeting{'s' if n != 1 else ''}: average {sum(counts) / n:.1f}, "
        f"lowest {min(counts)}, highest {max(counts)}"
    )


NOTHING = "No attendance recorded yet: after a meeting, `meetctl record DATE --attendance N` records it.\n"


def plain(rows: Sequence[Row]) -> str:
    """Aligned text, one meeting a line, with a bar of '#' characters: for pipes and mail."""
    if not rows:
        return NOTHING
    cells = _cells(rows)
    most = max(r.attendance for r in rows)
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    lines = []
    for r, c in zip(rows, cells, strict=True):
        text = f"{c[0]:<{widths[0]}}  {c[1]:<{widths[1]}}  {c[2]:>{widths[2]}}  {c[3]:>{widths[3]}}"
        if widths[4]:  # the apologies column only when someone sent apologies
            text += f"  {c[4]:<{widths[4]}}"
        lines.append(f"{text}  {bar(r.attendance, most)}".rstrip())
    return "\n".join(lines) + "\n" + summary(rows) + "\n"


def print_rich(rows: Sequence[Row]) -> None:
    """A rich table with a bar chart column, for a person at a terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if not rows:
        console.print(NOTHING.strip(), markup=False, highlight=False)
        return
    most = max(r.attendance for r in rows)
    with_apologies = any(r.apologies for r in rows)  # the column only when someone sent apologies
    table = Table(header_style="bold", box=None, pad_edge=False)
    table.add_column("Date", no_wrap=True)
    table.add_column("Meeting", ratio=1)
    table.add_column("Came", justify="right")
    table.add_column("Change", justify="right")
    if with_apologies:
        table.add_column("Apologies", justify="right")
    # The bar column gets what the terminal has left; the longest bar never wraps or is cut.
    width = max(10, min(BAR_WIDTH, console.width - 60 - (11 if with_apologies else 0)))
    table.add_column("", no_wrap=True, min_width=width)
    for r, c in zip(rows, _cells(rows), strict=True):
        colour = "green" if (r.change or 0) > 0 else "red" if (r.change or 0) < 0 else ""
        cells = [c[0], Text(c[1]), c[2], Text(c[3], style=colour)]  # Text(): titles are not rich markup
        if with_apologies:
            cells.append(str(r.apologies) if r.apologies else "")
        table.add_row(*cells, Text(bar(r.attendance, most, "█", width), style="cyan"))
    console.print(table)
    console.print(summary(rows), highlight=False)
