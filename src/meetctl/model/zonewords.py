"""Time zones as people write them: abbreviations, UTC offsets, and a country's regions.

Stage: the validated model (pure: no clock). ``AEST``, ``BST`` or ``UTC+10`` say what
the clocks read at one moment, not when they change, so loading refuses them with the
IANA zones they may mean. The tables come from the time zone database itself:

- abbreviation -> zones: the ``tzname`` of every zone in ``zone.tab`` in January and
  July of the years around the database's own version (its "now", without a clock);
- offset -> zones: the zones whose UTC offset is that one at those moments;
- subdivision -> zones: ``zone.tab``'s comment column ("Victoria", "Queensland (most
  areas)", "Eastern - MI") matched against the names and codes of the country's
  subdivisions as the ``holidays`` package (the optional extra that reads
  ``group.country``) knows them. Without that package only codes written in the
  comments (``MI``, ``NS``) are matched.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

#: Abbreviations that are also the proper name of universal time: accepted as zones.
UNIVERSAL = frozenset({"UTC", "GMT"})
#: How many zones an error names before "and N more".
SHOWN = 5
#: ``UTC+10``, ``GMT-5``, ``+10:00``, ``UTC +5:30``, ``+0530``, ``UTC−3`` (a typographic minus).
_OFFSET = re.compile(r"(?:UTC|GMT|Z)?\s*([+\-\u2212])\s*(\d{1,2})(?:[:.h]?(\d{2}))?", re.IGNORECASE)


def tz_folders() -> list[Path]:
    """The folders that may hold the time zone database (the system's, then the tzdata package's)."""
    import zoneinfo

    folders = [Path(p) for p in zoneinfo.TZPATH]
    try:
        import tzdata  # the PyPI copy of the database, where there is no system one

        folders.append(Path(tzdata.__file__).parent / "zoneinfo")
    except ImportError:
        pass
    return folders


@cache
def zone_tab() -> tuple[tuple[str, str, str], ...]:
    """(country code, zone, comment) for every line of the database's ``zone.tab``."""
    for folder in tz_folders():
        try:
            text = (folder / "zone.tab").read_text(encoding="utf-8")
        except OSError:
            continue
        rows = []
        for line in text.splitlines():
            if line and not line.startswith("#"):
                fields = line.split("\t")
                if len(fields) >= 3:
                    rows.append((fields[0], fields[2], fields[3] if len(fields) > 3 else ""))
        return tuple(rows)
    return ()


@cache
def database_year() -> int:
    """The year of the time zone database's version (``2025b`` -> 2025): its "now"."""
    for folder in tz_folders():
        try:
            with (folder / "tzdata.zi").open(encoding="utf-8") as f:
                found = re.match(r"# version (\d{4})", f.readline())
        except OSError:
            continue
        if found:
            return int(found.group(1))
    try:
        import tzdata

        return int(tzdata.IANA_VERSION[:4])
    except (ImportError, ValueError):
        return 2025


def _moments() -> list[datetime]:
    year = database_year()
    return [datetime(y, m, 15, 12, tzinfo=UTC) for y in (year - 1, year, year + 1) for m in (1, 7)]


@cache
def _zone_facts() -> dict[str, tuple[frozenset[str], frozenset[timedelta]]]:
    """zone -> (abbreviations it uses, offsets it uses) around the database's year."""
    facts = {}
    for _, name, _ in zone_tab():
        try:
            zone = ZoneInfo(name)
        except (OSError, ValueError):
            continue
        local = [m.astimezone(zone) for m in _moments()]
        names = frozenset(t.upper() for t in (x.tzname() or "" for x in local) if t.isalpha())
        facts[name] = (names, frozenset(x.utcoffset() for x in local if x.utcoffset() is not None))
    return facts


def is_abbreviation(name: str) -> bool:
    """Whether ``name`` is an abbreviation some zone uses (``AEST``, ``BST``, ``EST``), not UTC/GMT."""
    word = name.strip().upper()
    return word.isalpha() and word not in UNIVERSAL and any(word in n for n, _ in _zone_facts().values())


def parse_offset(name: str) -> timedelta | None:
    """The offset written as ``UTC+10``, ``GMT-5`` or ``+10:00``; None for anything else."""
    found = _OFFSET.fullmatch(name.strip())
    if not found:
        return None
    sign = -1 if found.group(1) in "-\u2212" else 1
    hours, minutes = int(found.group(2)), int(found.group(3) or 0)
    if hours > 14 or minutes >= 60:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


def region_zones(country: str | None) -> tuple[str, ...]:
    """The zones of ``group.country`` (``AU``) or of its subdivision (``AU-VIC``), main areas first.

    Empty when the country is unknown; a country's own zones when its subdivision
    cannot be matched to ``zone.tab``'s comments.
    """
    if not country:
        return ()
    code, _, sub = country.upper().partition("-")
    rows = [(zone, comment) for c, zone, comment in zone_tab() if c == code]
    # "most areas" or no comment: the zone most of the country (or region) keeps.
    rows.sort(key=lambda r: 0 if (not r[1] or "most" in r[1].lower()) else 1)
    if sub:
        words = _subdivision_words(code, sub)
        matched = [z for z, comment in rows if any(_mentions(comment, w) for w in words)]
        if matched:
            return tuple(matched)
    return tuple(z for z, _ in rows)


def subdivision_known(country: str | None) -> bool:
    """Whether ``country`` names a subdivision that ``zone.tab`` says the zones of."""
    if not country or "-" not in country:
        return False
    code, _, sub = country.upper().partition("-")
    rows = [comment for c, _, comment in zone_tab() if c == code]
    return any(_mentions(comment, w) for comment in rows for w in _subdivision_words(code, sub))


@cache
def _subdivision_words(country: str, sub: str) -> tuple[str, ...]:
    """The subdivision's code and the names the holidays package gives it."""
    words = [sub]
    try:
        import holidays

        aliases = holidays.country_holidays(country).subdivisions_aliases
    except (ImportError, NotImplementedError, AttributeError, KeyError):
        aliases = {}
    words.extend(name for name, code in aliases.items() if code.upper() == sub and len(name) > 3)
    return tuple(words)


def _mentions(comment: str, word: str) -> bool:
    if word.isupper():  # a code: exactly as written, a word of its own ("Eastern - MI (most areas)")
        return re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", comment) is not None
    return re.search(rf"\b{re.escape(word)}\b", comment, re.IGNORECASE) is not None


def zones_meaning(name: str, country: str | None) -> tuple[str, ...]:
    """The zones an abbreviation or offset may mean: the country's (region's) first."""
    offset = parse_offset(name)
    word = name.strip().upper()
    facts = _zone_facts()
    if offset is not None:
        found = [z for z, (_, offsets) in facts.items() if offset in offsets]
    else:
        found = [z for z, (names, _) in facts.items() if word in names]
    near = region_zones(country)
    country_zones = region_zones(country.split("-")[0]) if country else ()
    order = {z: i for i, z in enumerate(near)}
    order.update({z: len(near) + i for i, z in enumerate(country_zones) if z not in order})
    return tuple(sorted(found, key=lambda z: order.get(z, len(order))))


def written_zone_problem(name: str, country: str | None) -> str | None:
    """Why ``name`` is not a zone to write, when it is an abbreviation or a UTC offset; else None."""
    if parse_offset(name) is not None:
        what = "a UTC offset"
    elif is_abbreviation(name):
        what = "an abbreviation"
    else:
        return None
    zones = zones_meaning(name, country)
    if not zones:
        return f"{name!r} is {what}, not a time zone: write your place's IANA zone, like 'Europe/London'"
    named = ", ".join(repr(z) for z in zones[:SHOWN])
    more = f" (and {len(zones) - SHOWN} more)" if len(zones) > SHOWN else ""
    return (
        f"{name!r} is {what}, not a time zone, and says nothing of when the clocks change: "
        f"write the IANA zone of your place: {named}{more}"
    )


def difference_wording(written: ZoneInfo, meant: ZoneInfo, first: date, days: int = 366) -> str:
    """How far out meetings in ``written`` would be from ``meant`` over ``days`` from ``first``.

    "an hour out from 2027-10-03 to 2028-04-01", "30 minutes out from ...", "10 hours out all year";
    empty when the two agree every day.
    """
    spans: list[tuple[timedelta, date, date]] = []
    for n in range(days):
        day = first + timedelta(days=n)
        moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        gap = abs(moment.astimezone(written).utcoffset() - moment.astimezone(meant).utcoffset())  # type: ignore[operator]
        if gap and spans and spans[-1][0] == gap and spans[-1][2] == day - timedelta(days=1):
            spans[-1] = (gap, spans[-1][1], day)
        elif gap:
            spans.append((gap, day, day))
    last = first + timedelta(days=days - 1)
    parts: dict[timedelta, list[str]] = {}  # one amount, its spans: "an hour out until X and from Y"
    for gap, start, end in spans:
        if start == first and end == last:
            when = "all year"
        elif start == first:
            when = f"until {end}"
        elif end == last:
            when = f"from {start}"
        else:
            when = f"from {start} to {end}"
        parts.setdefault(gap, []).append(when)
    return ", ".join(f"{_amount(gap)} out {' and '.join(whens)}" for gap, whens in parts.items())


def _amount(gap: timedelta) -> str:
    minutes = int(gap.total_seconds()) // 60
    hours, rest = divmod(minutes, 60)
    words = []
    if hours:
        words.append("an hour" if hours == 1 else f"{hours} hours")
    if rest:
        words.append(f"{rest} minutes")
    return " and ".join(words)
