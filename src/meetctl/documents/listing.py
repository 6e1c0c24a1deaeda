"""Occurrences for people and for scripts: JSON records, plain text, rich tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TextIO

from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence, sessions_of
from meetctl.model.wording import format_date, format_short_date, format_time


def occurrence_record(o: Occurrence) -> dict[str, Any]:
    """The ``--json`` object for one occurrence (PRODUCT.md's keys, and a few more)."""
    return {
        "date": o.date.isoformat(),
        "start": o.start.isoformat(),
        "end": o.end.isoformat(),
        "title": o.title,
        "series": o.series.id if o.series else None,
        "venue": o.venue.name if o.venue else None,
        "address": o.venue.address if o.venue else None,
        "status": o.status,
        "description": o.description,
        "lead": o.lead,
        "uid": o.uid,
        "recurrence_id": o.recurrence_id.isoformat() if o.recurrence_id else None,
        "group": o.group.name,
        "venue_id": o.venue.id if o.venue else None,
        "end_date": o.end_date.isoformat(),
        "timezone": o.group.timezone,
        "reason": o.reason,
        "moved_from": o.recurrence_id.date().isoformat() if o.moved and o.recurrence_id else None,
        "holiday": o.holiday,
        "online": o.online,
        "accessibility": o.venue.accessibility if o.venue else None,
        "kind": o.kind,
        "notice_deadline": o.notice_deadline.isoformat() if o.notice_deadline else None,
        "sessions": [
            {
                "title": t.session.title,
                "start": t.start.isoformat(),
                "end": t.end.isoformat(),
                "room": t.session.room,
                "chair": t.session.chair,
                "speakers": list(t.session.speakers),
                "description": t.session.description,
            }
            for t in sessions_of(o)
        ],
    }


def write_json(data: Any, out: TextIO) -> None:
    """Stable JSON with non-ASCII kept as is and a final newline.

    A list is written one compact object a line (valid JSON, easy to grep, and the C
    encoder is about 5x faster than pretty-printing 25,000 meetings); anything else
    is pretty-printed.
    """
    import json

    if isinstance(data, list):
        write_json_lines(data, out)
        return
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_json_lines(items: Iterable[Any], out: TextIO) -> None:
    """A JSON array written as ``items`` come, one compact object a line: nothing held but one item.

    ``list --json`` over forty years of a thousand series streams through here.
    An empty array is ``[]``, as :func:`write_json` writes it.
    """
    import json

    encode = json.JSONEncoder(ensure_ascii=False).encode
    opened = False
    for item in items:
        out.write(",\n" if opened else "[\n")
        out.write(encode(item))
        opened = True
    out.write("\n]\n" if opened else "[]\n")


def short_day(d: date) -> str:
    """'Tue 9 Mar': a date inside a sentence, unpadded (tables pad with a space: see format_short_date)."""
    return f"{d:%a} {d.day} {d:%b}"


def _time_range(o: Occurrence, zone: bool = False) -> str:
    if o.all_day:
        text = "all day"
    else:
        text = f"{o.start:%H:%M}-{o.end:%H:%M}" + (f" {o.start:%Z}" if zone else "")
    if o.end_date != o.date:
        text += f" (to {short_day(o.end_date)})"
    return text


def _title(o: Occurrence) -> str:
    if o.moved and o.recurrence_id and not o.cancelled:
        why = f": {o.holiday}" if o.holiday else ""
        return f"{o.title} (moved from {short_day(o.recurrence_id.date())}{why})"
    if not o.cancelled:
        return o.title
    return f"CANCELLED: {o.title}" + (f" ({o.reason})" if o.reason else "")


def rows(items: Sequence[Occurrence], show_group: bool) -> tuple[list[str], list[list[str]]]:
    """Column headings and cells shared by the plain and the rich listing."""
    headings = ["Date", "Time", "Title", "Venue"] + (["Group"] if show_group else [])
    # Groups in several zones: each time is local to its group, so say which zone.
    zones = len({o.group.timezone for o in items}) > 1
    body = [
        [format_short_date(o.date), _time_range(o, zones), _title(o), o.venue.name if o.venue else ""]
        + ([o.group.name] if show_group else [])
        for o in items
    ]
    return headings, body


def plain_table(items: Sequence[Occurrence], show_group: bool = False, sessions: bool = False) -> str:
    """Aligned plain text, one occurrence a line (and its sessions below it): for pipes, grep and cron mail."""
    _, body = rows(items, show_group)
    if not body:
        return ""
    widths = [max(len(r[i]) for r in body) for i in range(len(body[0]))]
    lines = []
    for o, r in zip(items, body, strict=True):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if sessions:
            lines.extend(session_lines(o, indent=" " * (widths[0] + 2)))
    return "\n".join(lines) + "\n"


def session_lines(o: Occurrence, indent: str = "  ") -> list[str]:
    """'Sat 11 Nov 18:30-20:30  Saturday rally  [Main hall]  chair: ...; speakers: ...'."""
    out = []
    for t in sessions_of(o):
        s = t.session
        line = f"{indent}{t.start:%a} {t.start.day:2d} {t.start:%b %H:%M}-{t.end:%H:%M}  {s.title}"
        if s.room:
            line += f"  [{s.room}]"
        people = ([f"chair: {s.chair}"] if s.chair else []) + (
            [f"speakers: {', '.join(s.speakers)}"] if s.speakers else []
        )
        if people:
            line += "  " + "; ".join(people)
        out.append(line)
    return out


def print_rich_table(items: Sequence[Occurrence], show_group: bool = False, sessions: bool = False) -> None:
    """A rich table on the terminal (colour unless NO_COLOR is set)."""
    from rich.console import Console
    from rich.table import Table

    headings, body = rows(items, show_group)
    table = Table(header_style="bold", box=None, pad_edge=False)
    for heading in headings:
        # Dates and times never wrap; titles, venues and groups take what is left.
        table.add_column(heading, no_wrap=heading in ("Date", "Time"), ratio=2 if heading == "Title" else None)
    for o, cells in zip(items, body, strict=True):
        table.add_row(*cells, style="dim strike" if o.cancelled else None)
        if sessions:
            for t in sessions_of(o):
                s = t.session
                extra = [f"[{s.room}]"] if s.room else []
                extra += [f"chair: {s.chair}"] if s.chair else []
                cells = ["", f"  {t.start:%a %H:%M}-{t.end:%H:%M}", f"  {s.title}", " ".join(extra)]
                table.add_row(*cells, *([""] if show_group else []), style="dim")
    Console().print(table)


def describe_occurrence(o: Occurrence) -> str:
    """A few lines saying everything about one meeting, for ``meetctl next``."""
    when = format_date(o.date)
    if o.end_date != o.date:
        when += f" to {format_date(o.end_date)}"
    hours = "all day" if o.all_day else f"{format_time(o.start)} to {format_time(o.end)}"
    lines = [f"{when}, {hours} ({o.group.timezone})"]
    lines.append(_title(o))
    if o.venue:
        lines.append(", ".join(x for x in (o.venue.name, o.venue.address) if x))
        if o.venue.directions:
            lines.append(o.venue.directions)
        if o.venue.accessibility:
            lines.append(f"Access: {o.venue.accessibility}")
    if o.online:
        lines.append(f"Join online: {o.online}")
    if o.description:
        lines.append(o.description)
    if o.lead:
        lines.append(f"Leading off: {o.lead}")
    return "\n".join(lines) + "\n"


def venue_records(programmes: Sequence[Programme]) -> list[dict[str, Any]]:
    """``venue list --json``: one object per venue (with its group when several programmes are read)."""
    out = []
    for p in programmes:
        for v in p.venues.values():
            record: dict[str, Any] = {
                "id": v.id, "name": v.name, "address": v.address,
                "directions": v.directions, "accessibility": v.accessibility,
            }  # fmt: skip
            if len(programmes) > 1:
                record["group"] = p.group.name
            out.append(record)
    return out


def venue_lines(programmes: Sequence[Programme]) -> str:
    """``venue list``: one venue a line, ``id  name  address``, ids aligned; a note if there are none."""
    records = venue_records(programmes)
    if not records:
        return "No venues yet (add one with `meetctl venue add ID --name NAME`).\n"
    width = max(len(r["id"]) for r in records)
    lines = []
    for r in records:
        # One venue a line: a multi-line address is joined up.
        parts = [r["id"].ljust(width), " ".join(r["name"].split())]
        parts += [" ".join(r["address"].split())] if r["address"] else []
        if "group" in r:
            parts.insert(0, r["group"])
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"
