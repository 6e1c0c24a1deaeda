"""How dates, times and names are said to people: "Wednesday 25 January 2017", "7pm".

Without a locale (or with an English one) meetctl speaks its own plain British
English, as group secretaries write it ("7pm", "Wednesday 25 January 2017").
With another locale (``group.locale`` or ``--locale``: "fr_FR", "ca_ES", "cy_GB")
Babel says dates and times the way that language does, with a 24-hour clock
where that is usual ("mercredi 25 janvier 2017", "19:00"). Babel is loaded only
then: it costs about a tenth of a second.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

from meetctl.model.rules import MONTH_NAMES, WEEKDAY_NAMES


def uses_babel(locale: str | None) -> bool:
    """Whether ``locale`` is said by Babel (anything but none or English)."""
    return bool(locale) and not str(locale).lower().replace("-", "_").startswith("en")


def check_locale(locale: str) -> str:
    """``locale`` if Babel knows it; ValueError naming it otherwise."""
    if not uses_babel(locale):
        return locale
    try:
        from babel import Locale, UnknownLocaleError
    except ImportError:  # an optional part of the install (see pyproject's extras)
        from meetctl.model.errors import not_installed

        raise ValueError(not_installed(f"{locale!r} needs Babel's locale data", "locales")) from None

    try:
        Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"unknown locale {locale!r} (expected e.g. 'fr_FR', 'ca_ES', 'cy_GB')") from None
    return locale


def format_time(t: time | datetime, locale: str | None = None) -> str:
    """19:00 -> '7pm', 19:30 -> '7:30pm', 12:00 -> '12 noon', 00:00 -> 'midnight'; '19:00' in fr_FR."""
    if uses_babel(locale):
        from babel.dates import format_time as babel_time

        plain = t.replace(tzinfo=None) if isinstance(t, datetime) else t
        return babel_time(plain, "short", locale=str(locale).replace("-", "_"))
    if (t.hour, t.minute) == (12, 0):
        return "12 noon"
    if (t.hour, t.minute) == (0, 0):
        return "midnight"
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def format_date(d: date, year: bool = True, locale: str | None = None) -> str:
    """'Wednesday 25 January 2017' (or without the year); 'mercredi 25 janvier 2017' in fr_FR."""
    if uses_babel(locale):
        from babel.dates import format_date as babel_date

        return babel_date(d, "full" if year else "EEEE d MMMM", locale=str(locale).replace("-", "_"))
    text = f"{WEEKDAY_NAMES[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]}"
    return f"{text} {d.year}" if year else text


def format_short_date(d: date) -> str:
    """'Wed 25 Jan 2017', for tables."""
    return f"{WEEKDAY_NAMES[d.weekday()][:3]} {d.day:2d} {MONTH_NAMES[d.month - 1][:3]} {d.year}"


def format_date_range(first: date, last: date, locale: str | None = None) -> str:
    """'Wednesday 2 to Sunday 6 January 2019', or one date when they are the same."""
    if first == last:
        return format_date(first, locale=locale)
    if uses_babel(locale):
        from babel.dates import format_interval

        return format_interval(first, last, "yMMMMEEEEd", locale=str(locale).replace("-", "_"))
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
