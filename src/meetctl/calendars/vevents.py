"""Reading another calendar's events (VEVENTs) for ``meetctl import``: their times, texts and rules.

What an event says, read as the programme will need it: its start and end as
wall-clock times in the group's zone (TZIDs of every kind, floating times, DURATION
across a clock change), its text properties with RFC 5545's escapes undone, meetctl's
own ``X-MEETCTL-*`` data, and its RRULE said as a rule meetctl reads.
:mod:`meetctl.calendars.importer` builds the programme from these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetctl.calendars.export import CANCELLED_WORD
from meetctl.calendars.reading import event_line, event_name
from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.recurrence import RuleError, parse_rrule
from meetctl.model.rules import describe, parse_rule
from meetctl.model.schedule import local_datetime

DAY = timedelta(days=1)


_AREA_CITY = re.compile(r"(?:^|/)((?:[A-Z][A-Za-z_-]+/)?[A-Z][A-Za-z_-]+/[A-Za-z_+-]+)$")


def _zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone a TZID means: an IANA name, a Windows name (Outlook's "GMT Standard
    Time", by icalendar's table), or a path ending in one ("/Europe/Stockholm", libical's
    "/freeassociation.sourceforge.net/Europe/London")."""
    if not name:
        return None
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    name = str(name).strip().strip('"')
    candidates = [name, WINDOWS_TO_OLSON.get(name, "")]
    found = _AREA_CITY.search(name)
    if found:
        candidates.append(found.group(1))
    for candidate in candidates:
        if not candidate or candidate.startswith("/") or ".." in candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except Exception:  # not a zone name, or an unsafe path
            continue
    return None


def _tzid(prop: Any) -> str | None:
    params = getattr(prop, "params", {}) or {}
    return params.get("TZID")


_ESCAPED = re.compile(r"\\([\\;,nN])")


def _unescape(raw: str) -> str:
    """RFC 5545 TEXT unescaping, for properties icalendar leaves raw (X- properties)."""
    return _ESCAPED.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), raw)


def raw_text(component: Any, name: str) -> str | None:
    """A text property's value as the person wrote it (escapes undone)."""
    from icalendar import vText, vUri

    value = component.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    text = str(value) if isinstance(value, vText | vUri) else _unescape(str(value))
    return text if text.strip() else None  # Outlook writes an empty DESCRIPTION:


def json_prop(ev: Any, name: str) -> list[dict[str, Any]]:
    """The JSON objects in the event's ``name`` properties (meetctl's ``X-MEETCTL-*``); others' values skipped."""
    values = ev.get(name)
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    out = []
    for v in values:
        try:
            data = json.loads(_unescape(str(v)))
        except ValueError:
            continue  # someone else's property of the same name: ignore it
        if isinstance(data, dict):
            out.append(data)
    return out


class EventReader:
    """A calendar's events read for one import: the group's zone, and the warnings so far."""

    def __init__(self, cal: Any, source: str) -> None:
        self.cal = cal
        self.source = source
        self.warnings: list[Problem] = []
        self.zone, self.zone_name = self._group_zone()
        #: Second and later RRULEs of an event (RFC 2445 allowed several): each becomes a series.
        self.extra_rules: list[tuple[Any, list[Any]]] = []

    def warn(self, message: str, ev: Any = None) -> None:
        """A warning on stderr; about ``ev``, it names the event (UID, SUMMARY) and its line."""
        if ev is not None:
            message = f"{event_name(ev)}: {message}"
        self.warnings.append(Problem(message, Location(self.source, event_line(ev) if ev is not None else None),
                                     "warning"))  # fmt: skip

    def fail(self, message: str, ev: Any = None) -> MeetctlError:
        """The error that stops the import; about ``ev``, it names the event and its line."""
        if ev is not None:
            message = f"{event_name(ev)}: {message}"
        return MeetctlError.at(Location(self.source, event_line(ev) if ev is not None else None), message)

    # ------------------------------------------------------------------ zone and times

    def _group_zone(self) -> tuple[ZoneInfo, str]:
        candidates = [str(self.cal.get("x-wr-timezone") or "")]
        for ev in self.cal.walk("VEVENT"):
            candidates.append(_tzid(ev.get("dtstart")) or "")
        for name in candidates:
            zone = _zone(name)
            if zone is not None:
                return zone, zone.key
        return ZoneInfo("UTC"), "UTC"

    def local_value(self, value: datetime | date) -> datetime | date:
        """A date or date-time value as wall-clock time in the group's zone."""
        if not isinstance(value, datetime) or value.tzinfo is None:
            return value
        return value.astimezone(self.zone).replace(tzinfo=None)

    def local(self, prop: Any) -> datetime | date:
        """A DTSTART/DTEND/RECURRENCE-ID value as wall-clock time in the group's zone (dates stay dates)."""
        value = prop.dt
        if not isinstance(value, datetime):
            return value
        if value.tzinfo is None:  # floating: already wall-clock time
            return value
        zone = _zone(_tzid(prop))
        if zone is not None and zone.key == self.zone_name:
            return value.replace(tzinfo=None)  # keep the written time (even one in a spring gap)
        return value.astimezone(self.zone).replace(tzinfo=None)

    def span(self, ev: Any) -> tuple[datetime | date, datetime | date]:
        """The event's start and end as wall-clock times in the group's zone (minutes; at least one)."""
        start, end = self._span(ev)
        if isinstance(start, datetime) != isinstance(end, datetime):
            self.warn("DTSTART and DTEND are not both dates or both date-times; imported as whole days", ev)
            start = start.date() if isinstance(start, datetime) else start
            end = max(start + DAY, end.date() + (DAY if isinstance(end, datetime) and end.time() != time() else 0 * DAY)
                      if isinstance(end, datetime) else end)  # fmt: skip
        if isinstance(start, datetime) and isinstance(end, datetime):
            if start.second or end.second or start.microsecond or end.microsecond:
                self.warn("its times have seconds; a programme keeps minutes, so they are dropped", ev)
                start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
            if self._real(start, end) < timedelta(minutes=1):
                self.warn("it lasts no time (or ends before it starts); imported as lasting one minute", ev)
                end = (self._aware(start) + timedelta(minutes=1)).astimezone(self.zone).replace(tzinfo=None)
        elif end <= start:
            end = start + DAY
        return start, end

    def _span(self, ev: Any) -> tuple[datetime | date, datetime | date]:
        start = self.local(ev["dtstart"])
        if ev.get("dtend") is not None:
            end = self.local(ev["dtend"])
        elif ev.get("duration") is not None and isinstance(start, datetime):
            # DURATION is real elapsed time (RFC 5545), across a clock change too.
            end = (self._aware(start) + ev["duration"].dt).astimezone(self.zone).replace(tzinfo=None)
        elif ev.get("duration") is not None:
            end = start + ev["duration"].dt
        else:
            end = start + DAY if not isinstance(start, datetime) else start
        return start, end

    def instant(self, value: datetime | date | None) -> datetime | None:
        """A value from the calendar as an instant (UTC); floating times and dates are in the group's zone."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            return local_datetime(value, time(), self.zone).astimezone(UTC)
        if value.tzinfo is None:
            return local_datetime(value.date(), value.time(), self.zone).astimezone(UTC)
        return value.astimezone(UTC)

    def _aware(self, wall: datetime) -> datetime:
        # In UTC: Python subtracts two datetimes of one zone in wall-clock time, not real time.
        # ``fold`` says which of a repeated hour's two 01:30s (set when read from UTC).
        return wall.replace(tzinfo=self.zone).astimezone(UTC)

    def _at(self, day: date, at: time) -> datetime:
        return local_datetime(day, at, self.zone).astimezone(UTC)

    def _real(self, start: datetime, end: datetime) -> timedelta:
        return self._aware(end) - self._aware(start)

    # ------------------------------------------------------------------ rules

    def rule(self, ev: Any, start: datetime | date, rrules: Any = None) -> tuple[str, date | None]:
        """The series' rule (phrase or raw RRULE) and its last date from UNTIL or COUNT.

        ``rrules``: one of the event's other RRULEs instead of its first.
        """
        rrules = rrules if rrules is not None else ev.get("rrule")
        if isinstance(rrules, list):
            # The same RRULE written twice adds no dates (RFC 5545 takes the union): read it once.
            distinct: list[Any] = []
            for r in rrules:
                if all(_rule_parts(r) != _rule_parts(seen) for seen in distinct):
                    distinct.append(r)
            if len(distinct) > 1:
                self.extra_rules.append((ev, distinct[1:]))
            rrules = distinct[0]
        parts = {k.upper(): v for k, v in rrules.items()}
        until_value = parts.pop("UNTIL", None)
        count = parts.pop("COUNT", None)
        text = ";".join(f"{k}={','.join(str(x) for x in _plain(v))}" for k, v in parts.items())
        try:
            rule = parse_rrule(text)
        except RuleError as exc:
            raise self.fail(f"cannot import its repeat rule: {exc}", ev) from None
        rule = _without_setpos(rule)
        until: date | None = None
        first = start if not isinstance(start, datetime) else start.date()
        if until_value:
            u = until_value[0]
            if isinstance(u, datetime):
                # The last date whose meeting starts no later than UNTIL (an instant).
                at = start.time() if isinstance(start, datetime) else time()
                limit = u if u.tzinfo else local_datetime(u.date(), u.time(), self.zone)
                dates = [d for d in rule.dates(first, limit.astimezone(self.zone).date())
                         if local_datetime(d, at, self.zone) <= limit]  # fmt: skip
                until = dates[-1] if dates else first
            else:
                until = u
        elif count:
            dates = list(_first_n(rule, first, int(count[0])))
            until = dates[-1] if dates else first
        phrase = describe(rule)
        try:
            same = parse_rule(phrase) == rule
        except RuleError:
            same = False
        return (phrase if same else rule.rrule), until


def _rule_parts(rrule: Any) -> dict[str, list[str]]:
    """An RRULE's parts, in no particular order, to tell one written twice."""
    return {str(k).upper(): sorted(str(x) for x in _plain(v)) for k, v in rrule.items()}


def event_title(ev: Any, ours: bool) -> str | None:
    """SUMMARY; meetctl's own cancelled events say "Cancelled: " before the title: not part of it."""
    title = raw_text(ev, "summary")
    if ours and title and is_cancelled(ev) and title.startswith(CANCELLED_WORD):
        return title[len(CANCELLED_WORD) :]
    return title


def is_cancelled(ev: Any) -> bool:
    """Whether the event says STATUS:CANCELLED."""
    return str(ev.get("status", "")).upper() == "CANCELLED"


def parent_uid(ev: Any) -> str | None:
    """The UID a RELATED-TO (RELTYPE=PARENT, the default) names, if any."""
    related = ev.get("related-to")
    if related is None:
        return None
    first = related[0] if isinstance(related, list) else related
    reltype = str(getattr(first, "params", {}).get("RELTYPE", "PARENT")).upper()
    return str(first) if reltype == "PARENT" else None


def _plain(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _first_n(rule: Any, first: date, n: int) -> Iterable[date]:
    out = []
    for d in rule.dates(first, date(9999, 12, 31)):
        out.append(d)
        if len(out) >= n:
            break
    return out


def _without_setpos(rule: Any) -> Any:
    """``BYDAY=WE;BYSETPOS=-1`` (as some clients write) is ``BYDAY=-1WE``: say it the simple way."""
    from dataclasses import replace

    if (
        rule.freq == "MONTHLY"
        and len(rule.bysetpos) == 1
        and len(rule.byday) == 1
        and rule.byday[0][0] is None
        and not rule.bymonthday
        and not rule.extra
    ):
        return replace(rule, byday=((rule.bysetpos[0], rule.byday[0][1]),), bysetpos=())
    return rule
