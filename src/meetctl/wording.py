"""How dates, times and names are said to people: "Wednesday 25 January 2017", "7pm".

English for now; every document and listing goes through these functions so a
locale can later change them in one place.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

from .rules import MONTH_NAMES, WEEKDAY_NAMES


def format_time(t: time | datetime) -> str:
    """19:00 -> '7pm', 19:30 -> '7:30pm', 12:00 -> '12 noon', 00:00 -> 'midnight'."""
    if (t.hour, t.minute) == (12, 0):
        return "12 noon"
    if (t.hour, t.minute) == (0, 0):
        return "midnight"
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def format_date(d: date, year: bool = True) -> str:
    """'Wednesday 25 January 2017' (or without the year)."""
    text = f"{WEEKDAY_NAMES[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]}"
    return f"{text} {d.year}" if year else text


def format_short_date(d: date) -> str:
    """'Wed 25 Jan 2017', for tables."""
    return f"{WEEKDAY_NAMES[d.weekday()][:3]} {d.day:2d} {MONTH_NAMES[d.month - 1][:3]} {d.year}"


def format_date_range(first: date, last: date) -> str:
    """'Wednesday 2 to Sunday 6 January 2019', or one date when they are the same."""
    if first == last:
        return format_date(first)
    if first.year != last.year:
        return f"{format_date(first)} to {format_date(last)}"
    if first.month != last.month:
        return f"{format_date(first, year=False)} to {format_date(last)}"
    return f"{WEEKDAY_NAMES[first.weekday()]} {first.day} to {format_date(last)}"


def slugify(text: str, max_length: int = 60) -> str:
    """A file-name-safe slug: 'Is the working class movement dead?' -> 'is-the-working-class-movement-dead'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "meeting"
