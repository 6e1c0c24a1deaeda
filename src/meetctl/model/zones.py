"""The group's time zone, looked at closely: a misspelt name, a zone that is not the place's.

Stage: the validated model (pure: today is a parameter). Loading uses
:func:`zone_suggestion` for its "did you mean" (and :mod:`meetctl.model.zonewords`
to refuse abbreviations and offsets); ``meetctl check`` warns with
:func:`zone_warnings` when ``group.timezone`` is legal but not the zone of the
group's place (``GMT`` for a Leicester group, ``Australia/Brisbane`` for ``AU-VIC``),
saying how far out meetings would be, and when.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from meetctl.model.errors import Problem, closest
from meetctl.model.programme import Programme
from meetctl.model.zonewords import tz_folders

#: Names that are fixed offsets from UTC, whatever the season.
FIXED_ALIASES = frozenset({
    "UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich", "Universal", "Zulu", "EST", "MST", "HST",
})  # fmt: skip
#: Words in a venue's address that say which country it is in (ISO 3166 codes, as in zone.tab).
_COUNTRY_WORDS = {
    "uk": "GB", "united kingdom": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "ireland": "IE", "france": "FR", "spain": "ES", "españa": "ES",
    "germany": "DE", "deutschland": "DE", "italy": "IT", "italia": "IT", "netherlands": "NL",
    "belgium": "BE", "portugal": "PT", "usa": "US", "united states": "US", "canada": "CA",
    "australia": "AU", "new zealand": "NZ", "greece": "GR", "poland": "PL", "sweden": "SE",
}  # fmt: skip
#: A UK postcode at the end of an address line: "LE1 7DA", "SW1A 1AA".
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b")


@cache
def _zone_table() -> dict[str, tuple[str, ...]]:
    """Country code -> its zones, from the time zone database's own zone.tab."""
    for folder in tz_folders():
        try:
            text = (folder / "zone.tab").read_text(encoding="utf-8")
        except OSError:
            continue
        table: dict[str, list[str]] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                fields = line.split("\t")
                if len(fields) >= 3:
                    table.setdefault(fields[0], []).append(fields[2])
        return {k: tuple(v) for k, v in table.items()}
    return {}


@cache
def known_zones() -> frozenset[str]:
    """Every IANA zone name this machine knows."""
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


def zone_suggestion(name: str) -> str:
    """`` (did you mean 'Europe/London'?)`` for a misspelt or wrongly capitalised zone name, or ``''``."""
    zones = known_zones()
    folded = {z.lower(): z for z in zones}
    # Only region names are offered: "AEST" is not a misspelling of the legacy zone "EST".
    regions = [z for z in zones if "/" in z and not z.startswith("Etc/")]
    match = folded.get(name.strip().lower()) or closest(name.strip(), regions)
    return f" (did you mean '{match}'?)" if match else ""


def has_daylight_saving(zone: ZoneInfo, year: int) -> bool:
    """Whether the clocks change in ``zone`` during ``year`` (mid-January and mid-July differ)."""
    return datetime(year, 1, 15, 12, tzinfo=zone).utcoffset() != datetime(year, 7, 15, 12, tzinfo=zone).utcoffset()


def _countries(programme: Programme) -> list[tuple[str, str]]:
    """(country code, why we think so): group.country first, then what the venues' addresses say."""
    out = []
    if programme.group.country:
        table = "network" if programme.group.network else "group"
        out.append((programme.group.country.split("-")[0].upper(), f"{table}.country is {programme.group.country!r}"))
    for venue in programme.venues.values():
        address = venue.address or ""
        lowered = address.lower()
        for word, code in _COUNTRY_WORDS.items():
            if re.search(rf"\b{re.escape(word)}\b", lowered):
                out.append((code, f"venue '{venue.id}' is in {word.title()}"))
        if _UK_POSTCODE.search(address):
            out.append(("GB", f"venue '{venue.id}' has a UK postcode"))
    return out


def _meant_zone(p: Programme, country: str, written: ZoneInfo, today: date) -> tuple[str | None, str]:
    """The zone a group in ``country`` most likely meant, and how far out ``written`` is from it.

    ``(None, "")`` when the written zone is one of the place's or agrees with it all year.
    """
    from meetctl.model.zonewords import difference_wording, region_zones

    zones = region_zones(country)
    if p.group.timezone in zones:
        return None, ""
    # A zone without summer time, where the place has it: offer a zone that changes.
    needs_change = not has_daylight_saving(written, today.year)
    for name in zones:
        try:
            zone = ZoneInfo(name)
        except (OSError, ValueError):
            continue
        if needs_change and not has_daylight_saving(zone, today.year):
            continue
        return name, difference_wording(written, zone, today)
    return None, ""


def zone_warnings(programmes: Iterable[Programme], today: date) -> list[Problem]:
    """Warnings for a zone that is not the place's: no summer time where there is, another region's zone."""
    from meetctl.model.zonewords import subdivision_known

    found = []
    for p in programmes:
        name, zone = p.group.timezone, p.group.zone
        table = "network" if p.group.network else "group"  # network.toml's [network] has a zone too
        place = p.locate((table, "timezone"))
        country = p.group.country
        if subdivision_known(country):
            meant, out = _meant_zone(p, country.upper(), zone, today)  # type: ignore[union-attr]
            if meant and out:
                found.append(Problem(
                    f"{table}.timezone {name!r} is not the zone of {table}.country {country!r}: "
                    f"meetings would be {out}; use {meant!r}",
                    place, "warning",
                ))  # fmt: skip
            continue
        if has_daylight_saving(zone, today.year):
            continue
        for code, why in _countries(p):
            if name in _zone_table().get(code, ()):
                break  # a zone of that very country that keeps one time all year (Iceland, say)
            meant, out = _meant_zone(p, code, zone, today)
            if meant and out:
                found.append(Problem(
                    f"{table}.timezone {name!r} has no daylight saving, but {why}, where the clocks change: "
                    f"meetings would be {out}; use the place's zone, e.g. {meant!r}",
                    place, "warning",
                ))  # fmt: skip
                break
        else:
            if name in FIXED_ALIASES or name.startswith("Etc/"):
                found.append(Problem(
                    f"{table}.timezone {name!r} is a fixed offset from UTC, never on summer time; "
                    "use your place's zone name (e.g. 'Europe/London') so meetings follow the clocks",
                    place, "warning",
                ))  # fmt: skip
    return found
