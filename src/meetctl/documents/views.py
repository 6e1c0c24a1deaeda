"""What templates see: plain dicts of the group, venues, meetings and series, in the group's words.

Stage: outputs (documents). Imports the model and :mod:`meetctl.documents.environment`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from meetctl.documents.environment import words
from meetctl.model.network import network_of
from meetctl.model.notice import kind_words
from meetctl.model.programme import AgendaItem, Programme, Venue
from meetctl.model.rules import MONTH_NAMES
from meetctl.model.rulewords import describe_rule
from meetctl.model.schedule import Occurrence, sessions_of
from meetctl.model.wording import format_date, format_date_range, format_short_date, format_time

# --------------------------------------------------------------------------- what templates see


def venue_view(venue: Venue | None) -> dict[str, Any] | None:
    """A venue for templates: ``name``, ``address``, ``directions``, ``accessibility``, ``online``, ``id``."""
    if venue is None:
        return None
    return {
        "id": venue.id,
        "name": venue.name,
        "address": venue.address,
        "directions": venue.directions,
        "accessibility": venue.accessibility,
        "online": venue.online,
        "online_only": venue.online_only,
    }


def agenda_item_view(item: AgendaItem) -> dict[str, Any]:
    """One item of a meeting's own agenda: ``title``, ``lead``, ``minutes``, ``paper``, ``paper_is_link``."""
    return {
        "title": item.title,
        "lead": item.lead,
        "minutes": item.minutes,
        "paper": item.paper,
        # Only http(s) links get this far (model/loading.py); anything else is a file name.
        "paper_is_link": bool(item.paper and item.paper.lower().startswith(("http://", "https://"))),
    }


def _venue_online(o: Occurrence) -> str | None:
    """The join link of the series' usual venue."""
    venue = o.programme.venues.get(o.series.venue) if o.series and o.series.venue else None
    return venue.online if venue else None


def group_view(programme: Programme) -> dict[str, Any]:
    """The group for templates: ``name``, ``email``, ``website``, ``welcome``, ``mailing_list``,
    and for a network (``network`` true) its ``description``."""
    g = programme.group
    return {
        "name": g.name,
        "timezone": g.timezone,
        "email": g.email,
        "mailing_list": g.mailing_list,
        "website": g.website,
        "welcome": g.welcome,
        "description": g.description,
        "network": g.network,
        "locale": g.locale,
        # The HTML lang attribute: "fr_FR" -> "fr-FR"; English when no locale is set.
        "lang": (g.locale or "en").replace("_", "-"),
    }


def meeting_view(o: Occurrence) -> dict[str, Any]:
    """One occurrence for templates (documented in README, "Writing your own templates")."""
    m = o.meeting
    multi_day = o.end_date != o.date
    loc = o.group.locale  # dates and times in the group's language
    start, end = format_time(o.start, loc), format_time(o.end, loc)
    return {
        "date": o.date,
        "end_date": o.end_date,
        "date_words": format_date_range(o.date, o.end_date, loc),
        "day_words": format_date(o.date, year=False, locale=loc),
        "short_date": format_short_date(o.date).replace("  ", " "),
        "start_time": start,
        "end_time": end,
        "time_words": words(loc, "all day")
        if o.all_day
        else (
            words(loc, "%(start)s on the first day to %(end)s on the last")
            if multi_day
            else words(loc, "%(start)s to %(end)s")
        )
        % {"start": start, "end": end},
        "title": o.title,
        "description": o.description,
        "lead": o.lead,
        "chair": m.chair if m else None,
        "speakers": list(m.speakers) if m else [],
        "notes": m.notes if m else None,
        "attendance": m.attendance if m else None,
        "venue": venue_view(o.venue),
        "cancelled": o.cancelled,
        "reason": o.reason,
        "moved_from": format_date(o.recurrence_id.date(), locale=loc) if o.moved and o.recurrence_id else None,
        "usual_slot": o.usual_slot,
        "series": o.series.id if o.series else None,
        "series_title": o.series.title if o.series else None,
        # The series' name where the meeting's own title does not already say it.
        "series_note": o.series.title if o.series and o.series.title != o.title else None,
        # The series' usual slot in words, "every Thursday, 6:30pm" (None for a one-off).
        "series_when": f"{describe_rule(o.series.rule, loc)}, {format_time(o.series.start, loc)}" if o.series else None,
        "group": group_view(o.programme),
        "zone": o.start.tzname(),
        # Hybrid and online meetings: the join link (the meeting's, series' or venue's).
        "online": o.online,
        # The series' usual join link: lists say a meeting's own link only where it differs.
        "series_online": (o.series.online or _venue_online(o)) if o.series else None,
        "online_only": o.online is not None and (o.venue is None or o.venue.address is None),
        # The paper trail: kind ("agm"), its words, the notice deadline, the agenda, what was recorded.
        "kind": o.kind,
        "kind_words": kind_words(o.kind) if o.kind else None,
        "notice": str(o.notice) if o.notice else None,
        "notice_deadline": o.notice_deadline,
        "agenda": [agenda_item_view(i) for i in m.agenda] if m else [],
        "apologies": list(m.apologies) if m else [],
        "actions": list(m.actions) if m else [],
        "sessions": [
            {
                "title": t.session.title,
                "date_words": format_date(t.start.date(), year=False, locale=loc),
                "start_time": format_time(t.start, loc),
                "end_time": format_time(t.end, loc),
                "room": t.session.room,
                "chair": t.session.chair,
                "speakers": list(t.session.speakers),
                "description": t.session.description,
            }
            # The timetable in time order, moved with its meeting (a holiday move carries it along).
            for t in sessions_of(o)
        ],
    }


def series_views(items: Sequence[Occurrence]) -> list[dict[str, Any]]:
    """The series met in ``items``, said in words: "last Wednesday of every month, 7pm"."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for o in items:
        s = o.series
        if s is None or (o.group.name, s.id) in seen:
            continue
        venue = o.programme.venues.get(s.venue) if s.venue else None
        loc = o.group.locale
        end = (datetime.combine(date(2000, 1, 1), s.start) + s.duration).time()
        seen[o.group.name, s.id] = {
            "id": s.id,
            "title": s.title,
            "rule": describe_rule(s.rule, loc),
            "start_time": format_time(s.start, loc),
            "end_time": format_time(end, loc),
            "when": f"{describe_rule(s.rule, loc)}, {format_time(s.start, loc)}",
            "venue": venue_view(venue),
            "group": o.group.name,
            "zone": o.start.tzname(),
            "online": s.online or (venue.online if venue else None),
        }
    return list(seen.values())


def period_words(first: date, last: date, locale: str | None = None) -> str:
    """'January to March 2017', 'March 2017', 'December 2017 to February 2018' ('gener – març del 2017')."""
    from meetctl.model.wording import uses_babel

    if uses_babel(locale):
        from babel.dates import format_interval

        return format_interval(first, last, "yMMMM", locale=str(locale).replace("-", "_"))
    if (first.year, first.month) == (last.year, last.month):
        return f"{MONTH_NAMES[first.month - 1]} {first.year}"
    if first.year == last.year:
        return f"{MONTH_NAMES[first.month - 1]} to {MONTH_NAMES[last.month - 1]} {last.year}"
    return f"{MONTH_NAMES[first.month - 1]} {first.year} to {MONTH_NAMES[last.month - 1]} {last.year}"


def _join(items: list[str], and_word: str) -> str:
    """'A', 'A and B', 'A, B and C' with the language's "and"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {and_word} {items[-1]}"


def term_context(programmes: Sequence[Programme], items: Sequence[Occurrence]) -> dict[str, Any]:
    """What a term flyer or an announcement sees: ``group``, ``groups``, ``names``, ``series``, ``meetings``..."""
    groups: list[dict[str, Any]] = []
    for p in programmes:
        if p.group.name not in [g["name"] for g in groups]:
            groups.append(group_view(p))
    names = [g["name"] for g in groups]
    network = network_of(programmes)
    locale = programmes[0].group.locale if programmes else None
    return {
        "group": groups[0],
        "groups": groups,
        # Several programmes at once (-f a folder): say whose each meeting is, and in which zone.
        # A network's groups go by the network's name (network.toml).
        "names": network.group.name if network else _join(names, words(locale, "and")),
        "several_groups": len(groups) > 1,
        "several_zones": len({g["timezone"] for g in groups}) > 1,
        # Meetings of several series (or a series and one-offs): every row says its time and its series.
        # (Several groups' rows already say whose and when: it is several streams of one group that need it.)
        "several_streams": len({(o.group.name, o.series.id if o.series else None) for o in items})
        > len({o.group.name for o in items}),
        "series": series_views(items),
        "meetings": [meeting_view(o) for o in items],
        "period": period_words(items[0].date, items[-1].date, programmes[0].group.locale) if items else "",
        "first": items[0].date if items else None,
        "last": items[-1].date if items else None,
    }


