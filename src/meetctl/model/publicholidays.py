"""Public holidays of the group's country (and region), from the ``holidays`` package.

The package takes about a tenth of a second to load, so it is only loaded for a
group that sets ``group.country`` and only by what needs it: ``check``, and the
schedule of a series with ``on_holiday``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

from meetctl.model.errors import MeetctlError, not_installed
from meetctl.model.programme import Group, Programme


def split_country(code: str) -> tuple[str, str | None]:
    """'GB-ENG' -> ('GB', 'ENG'); 'FR' -> ('FR', None)."""
    country, _, region = code.partition("-")
    return country.upper(), (region.upper() or None)


@cache
def _holidays(code: str, years: tuple[int, ...]) -> dict[date, str]:
    import holidays

    country, region = split_country(code)
    try:
        found = holidays.country_holidays(country, subdiv=region, years=years)
    except NotImplementedError as exc:
        raise ValueError(str(exc)) from None
    return dict(found.items())


class HolidaysNotInstalled(MeetctlError):
    """``group.country`` is set but the holidays extra is not installed (check warns; on_holiday needs it)."""


def holidays_in(programme: Programme, years: Iterable[int]) -> dict[date, str]:
    """The group's public holidays in ``years``: date -> name. Empty if no country is set."""
    group: Group = programme.group
    if not group.country:
        return {}
    try:
        return _holidays(group.country, tuple(sorted(set(years))))
    except ImportError:  # an optional part of the install (see pyproject's extras)
        raise HolidaysNotInstalled.at(
            programme.locate(("group", "country")),
            "group.country: " + not_installed("public holidays need the holidays package", "holidays"),
        ) from None
    except ValueError as exc:
        raise MeetctlError.at(
            programme.locate(("group", "country")), f"group.country: {exc} (the holidays package does not know it)"
        ) from None


def shift_off_holidays(day: date, holidays: dict[date, str], direction: int) -> date:
    """The nearest day before (-1) or after (+1) ``day`` that is not a holiday (as Remind's OMIT)."""
    while day in holidays:
        day += timedelta(days=direction)
    return day
