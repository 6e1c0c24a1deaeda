"""``meetctl import``: a programme file from an existing iCalendar calendar.

Each repeating event becomes a ``[[series]]`` (its RRULE said back as an English
phrase where meetctl's phrases say exactly the same, else kept as the raw rule),
its EXDATEs become ``skip`` dates, its overrides (RECURRENCE-ID) ``[[meetings]]``
of the series (moved ones with ``replaces``), and every other event a one-off
meeting. Original UIDs are kept, so a calendar exported by meetctl and imported
again lists exactly as the programme it came from (meetctl's own
``X-MEETCTL-*`` properties carry the series ids, venues, blurbs and leads that
iCalendar has no place for).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetctl.calendars.export import CANCELLED_PROP, CANCELLED_WORD, FIELDS_PROP, SESSION_PROP
from meetctl.calendars.reading import event_line, event_name, first_line, parse_ics
from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.fields import web_link
from meetctl.model.recurrence import RuleError, parse_rrule
from meetctl.model.rules import describe, format_duration, parse_rule
from meetctl.model.schedule import local_datetime
from meetctl.model.wording import slugify

DAY = timedelta(days=1)


@dataclass
class Imported:
    """The programme as plain data ready for tomli-w, and what could not be carried over."""

    data: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)


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


def _raw_text(component: Any, name: str) -> str | None:
    """A text property's value as the person wrote it (escapes undone)."""
    from icalendar import vText, vUri

    value = component.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    text = str(value) if isinstance(value, vText | vUri) else _unescape(str(value))
    return text if text.strip() else None  # Outlook writes an empty DESCRIPTION:


def _json_prop(ev: Any, name: str) -> list[dict[str, Any]]:
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


class _Builder:
    def __init__(self, cal: Any, source: str) -> None:
        self.cal = cal
        self.source = source
        self.warnings: list[Problem] = []
        self.zone, self.zone_name = self._group_zone()
        self.venues: dict[str, dict[str, str]] = {}
        self.venue_by_text: dict[str, str] = {}
        self.series_ids: set[str] = set()
        #: Second and later RRULEs of an event (RFC 2445 allowed several): each becomes a series.
        self.extra_rules: list[tuple[Any, list[Any]]] = []

    def warn(self, message: str, ev: Any = None) -> None:
        """A warning on stderr; about ``ev``, it names the event (UID, SUMMARY) and its line."""
        if ev is not None:
            message = f"{event_name(ev)}: {message}"
        self.warnings.append(Problem(message, Location(self.source, event_line(ev) if ev is not None else None),
                                     "warning"))  # fmt: skip

    def fail(self, message: str, ev: Any = None) -> MeetctlError:
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

    def timing(self, start: datetime | date, end: datetime | date) -> dict[str, Any]:
        """start/duration/end_date keys for an event from ``start`` to ``end`` (local)."""
        if not isinstance(start, datetime):  # all day: midnight to midnight
            last = max(start, (end if isinstance(end, date) else start) - DAY)
            out: dict[str, Any] = {"start": "00:00", "duration": "24h"}
            if last > start:
                out["end_date"] = last
            return out
        assert isinstance(end, datetime)
        real = self._real(start, end)
        out = {"start": start.strftime("%H:%M")}
        if real > DAY:
            # Several days: the last day it starts again at the same time, and the length of that day.
            last_day = start.date() + timedelta(days=(end - start).days)
            while self._at(last_day, start.time()) >= self._aware(end):
                last_day -= DAY
            out["end_date"] = last_day
            real = self._aware(end) - self._at(last_day, start.time())
        if real >= timedelta(minutes=1):
            out["duration"] = format_duration(real)
        return out

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

    # ------------------------------------------------------------------ venues

    def online(self, ev: Any, fields: dict[str, Any], ours: bool) -> str | None:
        """The event's own join link: meetctl's field, else another calendar's RFC 7986 CONFERENCE."""
        if ours:
            link = fields.get("online")
        else:
            conference = _as_list(ev.get("conference"))
            link = str(conference[0]) if conference else None
        return str(link) if link and self._link_ok("online", link) else None

    def _link_ok(self, key: str, value: Any) -> bool:
        """Only http(s) links reach the programme (it would refuse anything else); others are warned about."""
        if key != "online":
            return True
        try:
            web_link(str(value))
        except ValueError as exc:
            self.warn(f"join link not imported: {exc}")
            return False
        return True

    def venue(self, ev: Any) -> str | None:
        fields = (_json_prop(ev, FIELDS_PROP) or [{}])[0]
        known = fields.get("venue")
        if isinstance(known, dict) and known.get("id") and known.get("name"):
            vid = str(known["id"])
            keys = ("name", "address", "accessibility", "online")
            self.venues.setdefault(vid, {k: str(known[k]) for k in keys if known.get(k) and self._link_ok(k, known[k])})
            return vid
        text = _raw_text(ev, "location")
        if not text or not text.strip():
            return None
        text = " ".join(text.split())
        if text in self.venue_by_text:
            return self.venue_by_text[text]
        name, _, address = text.partition(", ")
        vid = base = slugify(name, 30)
        n = 2
        while vid in self.venues:
            vid, n = f"{base}-{n}", n + 1
        self.venues[vid] = {"name": name} | ({"address": address} if address else {})
        self.venue_by_text[text] = vid
        return vid

    # ------------------------------------------------------------------ rules

    def rule(self, ev: Any, start: datetime | date, rrules: Any = None) -> tuple[str, date | None]:
        """The series' rule (phrase or raw RRULE) and its last date from UNTIL or COUNT.

        ``rrules``: one of the event's other RRULEs instead of its first.
        """
        rrules = rrules if rrules is not None else ev.get("rrule")
        if isinstance(rrules, list):
            if len(rrules) > 1:
                self.extra_rules.append((ev, rrules[1:]))
            rrules = rrules[0]
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

    # ------------------------------------------------------------------ building

    def build(self) -> dict[str, Any]:
        masters: dict[str, Any] = {}
        overrides: dict[str, list[Any]] = {}
        singles: list[Any] = []
        all_uids = {str(ev.get("uid") or "") for ev in self.cal.walk("VEVENT")}
        sessions: list[Any] = []
        for ev in self.cal.walk("VEVENT"):
            uid = str(ev.get("uid") or "")
            if _parent(ev) in all_uids and ev.get("rrule") is None and _parent(ev) != uid:
                sessions.append(ev)  # a timetable item of another event: it goes under that meeting
                continue
            if ev.get("recurrence-id") is not None:
                overrides.setdefault(uid, []).append(ev)
            elif ev.get("rrule") is not None:
                key, n = uid, 2
                while key in masters:  # several events with one UID (Google exports them): a series each
                    key, n = f"{uid}-{n}", n + 1
                masters[key] = ev
            else:
                singles.append(ev)
        series_tables, meetings = [], []
        for uid, ev in masters.items():
            try:
                made = self.series(uid, ev, overrides.pop(uid, []))
            except _NOT_READABLE as exc:
                self.warn(f"not imported: {first_line(exc)}", ev)
                continue
            if made is None:  # a rule that gives no date after DTSTART: DTSTART is its only meeting
                singles.append(ev)
                continue
            tables, described = made
            series_tables.extend(tables)
            meetings.extend(described)
        for orphans in overrides.values():  # overrides without a master: one-off meetings
            singles.extend(orphans)
        for ev in singles:
            try:
                meetings.append(self.oneoff(ev))
            except _NOT_READABLE as exc:
                self.warn(f"not imported: {first_line(exc)}", ev)
        series_by_uid = {t["uid"]: t["id"] for t in series_tables if t.get("uid")}
        for ev in sessions:
            self.attach_session(ev, meetings, series_by_uid)
        meetings.sort(key=lambda m: (m["date"], m.get("start", ""), m.get("title", "")))
        group: dict[str, Any] = {"name": _raw_text(self.cal, "x-wr-calname") or _stem(self.source)}
        group["timezone"] = self.zone_name
        # An event's URL is the group's website, unless it is the event's join link (CONFERENCE).
        urls = {
            _raw_text(ev, "url")
            for ev in self.cal.walk("VEVENT")
            if _raw_text(ev, "url") not in {str(c) for c in _as_list(ev.get("conference"))}
        }
        if len(urls) == 1 and None not in urls:
            website = str(urls.pop())
            try:
                group["website"] = web_link(website)
            except ValueError as exc:  # a relative or non-web URL: the programme would refuse it
                self.warn(f"website not imported: {exc}")
        data: dict[str, Any] = {"group": group}
        if self.venues:
            data["venues"] = dict(sorted(self.venues.items()))
        if series_tables:
            data["series"] = series_tables
        if meetings:
            data["meetings"] = meetings
        return data

    def _series_id(self, wanted: str) -> str:
        sid, n = wanted, 2
        while sid in self.series_ids:
            sid, n = f"{wanted}-{n}", n + 1
        self.series_ids.add(sid)
        return sid

    def series(
        self, uid: str, ev: Any, overrides: list[Any]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
        """The series tables (one per RRULE) and meetings of a repeating event; None if its rule gives no date."""
        fields = (_json_prop(ev, FIELDS_PROP) or [{}])[0]
        ours = bool(_json_prop(ev, FIELDS_PROP))
        title = _raw_text(ev, "summary") or "Meeting"
        sid = self._series_id(str(fields.get("series") or slugify(title, 40)))
        start, end = self.span(ev)
        self.extra_rules = []
        rule, until = self.rule(ev, start)
        first = start.date() if isinstance(start, datetime) else start
        if until is not None and until < first:
            return None
        rule_object = parse_rule(rule)
        horizon = max(until or first, first) + timedelta(days=3 * 366) if until is None else until
        rule_dates = set(rule_object.dates(first, horizon))
        table: dict[str, Any] = {"id": sid, "title": title, "rule": rule}
        timing = self.timing(start, end)
        table["start"] = timing["start"]
        if "duration" in timing and timing["duration"] != "2h":
            table["duration"] = timing["duration"]
        venue = self.venue(ev)
        if venue:
            table["venue"] = venue
        table["from"] = first
        if until is not None:
            table["until"] = until
        series_start = datetime.strptime(timing["start"], "%H:%M").time()
        cancelled = [c for c in _json_prop(ev, CANCELLED_PROP) if "date" in c]
        cancelled_originals = {date.fromisoformat(c.get("replaces") or c["date"]) for c in cancelled}
        skips = set()
        for prop in _as_list(ev.get("exdate")):
            for d in prop.dts:
                value = self.local(d)
                skips.add(value.date() if isinstance(value, datetime) else value)
        skips -= cancelled_originals
        skips &= rule_dates | {d for d in skips if d > horizon}  # an EXDATE of no instance excludes nothing
        if skips:
            table["skip"] = sorted(skips)
        description = fields.get("description") if ours else _raw_text(ev, "description")
        if description:
            table["description"] = description
        if fields.get("lead"):
            table["lead"] = fields["lead"]
        online = self.online(ev, fields, ours)
        if online:
            table["online"] = online
        if uid:
            table["uid"] = uid
        base = {"title": title, "description": description, "lead": fields.get("lead"), "venue": venue,
                "online": online}  # fmt: skip
        extra: list[dict[str, Any]] = []
        if first not in rule_dates and first not in skips:
            # RFC 5545 counts DTSTART as the first instance even when the rule does not give it.
            extra.append(self.instance_oneoff(ev, uid, start, end))
        for prop in _as_list(ev.get("rdate")):
            for value in prop.dts:
                when = value.dt
                if isinstance(when, tuple):  # a PERIOD: start and end (or length)
                    begin, stop = when
                    stop = begin + stop if isinstance(stop, timedelta) else stop
                else:
                    begin, stop = when, None
                extra.append(self.rdate_oneoff(ev, uid, begin, stop, start, end))
        tables = [table]
        for n, other in enumerate((r for _ev, rules in self.extra_rules for r in rules), 2):
            # A second RRULE (RFC 2445; Google still writes them): a series of its own, alike but for the rule.
            other_rule, other_until = self.rule(ev, start, other)
            second = dict(table, id=self._series_id(f"{sid}-{n}"), rule=other_rule)
            second.pop("skip", None)
            second.pop("until", None)
            if other_until is not None:
                second["until"] = other_until
            if uid:
                second["uid"] = f"{uid}-rule{n}"
            tables.append(second)
        # A cancelled meeting's override (STATUS:CANCELLED) is described exactly by X-MEETCTL-CANCELLED.
        overrides = [o for o in overrides if not (cancelled and _original(self.local(o["recurrence-id"]))
                                                  in cancelled_originals and _cancelled(o))]
        meetings: list[dict[str, Any] | None] = []
        for o in overrides:
            original = _original(self.local(o["recurrence-id"]))
            if original in rule_dates or original > horizon:
                meetings.append(self.override(sid, series_start, timing, base, o))
            elif original != first:  # names no instance of the rule: a meeting of its own
                o_start, o_end = self.span(o)
                if not _cancelled(o):
                    meetings.append(self.instance_oneoff(o, uid, o_start, o_end))
        meetings = [m for m in meetings if m is not None]
        for c in cancelled:
            meetings.append(self.cancelled(sid, c))
        return tables, meetings + extra  # type: ignore[return-value]

    def instance_oneoff(self, ev: Any, uid: str, start: datetime | date, end: datetime | date) -> dict[str, Any]:
        """An instance the rule does not give (DTSTART, an RDATE, a stray RECURRENCE-ID) as a one-off meeting."""
        meeting = self.oneoff(ev)
        day = start.date() if isinstance(start, datetime) else start
        meeting.update({"date": day, **self.timing(start, end)})
        if meeting.get("duration") == "2h":
            del meeting["duration"]
        meeting["uid"] = f"{day:%Y%m%d}-{uid}" if uid else meeting.pop("uid", None)
        return {k: v for k, v in meeting.items() if v is not None}

    def rdate_oneoff(
        self, ev: Any, uid: str, begin: datetime | date, stop: datetime | date | None,
        start: datetime | date, end: datetime | date,
    ) -> dict[str, Any]:
        """An RDATE of a repeating event: a one-off meeting at that time, as long as the event."""
        wall = self.local_value(begin)
        if stop is not None:
            finish = self.local_value(stop)
        elif isinstance(wall, datetime) and isinstance(start, datetime) and isinstance(end, datetime):
            finish = (self._aware(wall) + self._real(start, end)).astimezone(self.zone).replace(tzinfo=None)
        else:
            finish = wall + ((end - start) if type(end) is type(start) else DAY)  # type: ignore[operator]
        return self.instance_oneoff(ev, uid, wall, finish)

    def override(
        self, sid: str, series_start: time, timing: dict[str, Any], base: dict[str, Any], ev: Any
    ) -> dict[str, Any] | None:
        fields = (_json_prop(ev, FIELDS_PROP) or [{}])[0]
        ours = bool(_json_prop(ev, FIELDS_PROP))
        rid = self.local(ev["recurrence-id"])
        original = rid.date() if isinstance(rid, datetime) else rid
        if str(ev["recurrence-id"].params.get("RANGE", "")).upper() == "THISANDFUTURE":
            self.warn("RANGE=THISANDFUTURE: only this date is changed, not the ones after it", ev)
        start, end = self.span(ev)
        day = start.date() if isinstance(start, datetime) else start
        meeting: dict[str, Any] = {"series": sid, "date": day}
        if day != original:
            meeting["replaces"] = original
        mine = self.timing(start, end)
        plain = isinstance(start, datetime) and self._aware(start) == self._at(original, series_start)
        if mine["start"] != timing["start"] and not plain:
            meeting["start"] = mine["start"]
        if mine.get("duration") != timing.get("duration"):
            meeting["duration"] = mine.get("duration", "2h")
        if "end_date" in mine:
            meeting["end_date"] = mine["end_date"]
        title = _title(ev, ours)
        if title and title != base["title"]:
            meeting["title"] = title
        description = fields.get("description") if ours else _raw_text(ev, "description")
        if description and description != base["description"]:
            meeting["description"] = description
        if fields.get("lead") and fields["lead"] != base["lead"]:
            meeting["lead"] = fields["lead"]
        venue = self.venue(ev)
        if venue and venue != base["venue"]:
            meeting["venue"] = venue
        online = self.online(ev, fields, ours)
        if online and online != base["online"]:
            meeting["online"] = online
        if str(ev.get("status", "")).upper() == "CANCELLED":
            meeting["cancelled"] = True
            if fields.get("reason"):
                meeting["reason"] = fields["reason"]
        if set(meeting) == {"series", "date"}:
            return None  # says nothing the series does not (a client's explicit copy of an instance)
        return meeting

    def attach_session(self, ev: Any, meetings: list[dict[str, Any]], series_by_uid: dict[str, str]) -> None:
        """Put a RELATED-TO child event back under its meeting as a ``[[meetings.sessions]]`` item."""
        fields = (_json_prop(ev, SESSION_PROP) or [{}])[0]
        start, end = self.span(ev)
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            self.warn("an all-day timetable item is not imported", ev)
            return
        parent = _parent(ev)
        day = date.fromisoformat(fields["meeting_date"]) if fields.get("meeting_date") else start.date()
        if parent in series_by_uid:
            sid = series_by_uid[parent]
            meeting = next((m for m in meetings if m.get("series") == sid and m["date"] == day), None)
            if meeting is None:
                meeting = {"series": sid, "date": day}
                meetings.append(meeting)
        else:
            meeting = next((m for m in meetings if m.get("uid") == parent), None)
            if meeting is None:
                return
        session: dict[str, Any] = {"title": _raw_text(ev, "summary") or "Session"}
        if start.date() != meeting["date"]:
            session["date"] = start.date()
        session["start"], session["end"] = start.strftime("%H:%M"), end.strftime("%H:%M")
        for key in ("room", "chair", "description"):
            if fields.get(key):
                session[key] = str(fields[key])
        if fields.get("speakers"):
            session["speakers"] = [str(x) for x in fields["speakers"]]
        meeting.setdefault("sessions", []).append(session)

    def cancelled(self, sid: str, c: dict[str, Any]) -> dict[str, Any]:
        meeting: dict[str, Any] = {"series": sid, "date": date.fromisoformat(c["date"])}
        if c.get("replaces"):
            meeting["replaces"] = date.fromisoformat(c["replaces"])
        for key in ("title", "description", "lead", "start", "duration", "venue"):
            if c.get(key):
                meeting[key] = c[key]
        meeting["cancelled"] = True
        if c.get("reason"):
            meeting["reason"] = c["reason"]
        return meeting

    def oneoff(self, ev: Any) -> dict[str, Any]:
        fields = (_json_prop(ev, FIELDS_PROP) or [{}])[0]
        ours = bool(_json_prop(ev, FIELDS_PROP))
        start, end = self.span(ev)
        day = start.date() if isinstance(start, datetime) else start
        meeting: dict[str, Any] = {"date": day, "title": _title(ev, ours) or "Meeting"}
        meeting.update(self.timing(start, end))
        if meeting.get("duration") == "2h":
            del meeting["duration"]
        venue = self.venue(ev)
        if venue:
            meeting["venue"] = venue
        description = fields.get("description") if ours else _raw_text(ev, "description")
        if description:
            meeting["description"] = description
        if fields.get("lead"):
            meeting["lead"] = fields["lead"]
        online = self.online(ev, fields, ours)
        if online:
            meeting["online"] = online
        if str(ev.get("status", "")).upper() == "CANCELLED":
            meeting["cancelled"] = True
            if fields.get("reason"):
                meeting["reason"] = fields["reason"]
        if ev.get("uid"):
            meeting["uid"] = str(ev["uid"])
        return meeting


def _title(ev: Any, ours: bool) -> str | None:
    """SUMMARY; meetctl's own cancelled events say "Cancelled: " before the title: not part of it."""
    title = _raw_text(ev, "summary")
    if ours and title and _cancelled(ev) and title.startswith(CANCELLED_WORD):
        return title[len(CANCELLED_WORD):]
    return title


def _original(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _cancelled(ev: Any) -> bool:
    return str(ev.get("status", "")).upper() == "CANCELLED"


def _parent(ev: Any) -> str | None:
    """The UID a RELATED-TO (RELTYPE=PARENT, the default) names, if any."""
    related = ev.get("related-to")
    if related is None:
        return None
    first = related[0] if isinstance(related, list) else related
    reltype = str(getattr(first, "params", {}).get("RELTYPE", "PARENT")).upper()
    return str(first) if reltype == "PARENT" else None


def _plain(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
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


def _stem(source: str) -> str:
    from pathlib import PurePosixPath

    name = PurePosixPath(source.rstrip("/")).stem or "Imported calendar"
    return name.replace("-", " ").replace("_", " ").strip() or "Imported calendar"


#: What reading an odd event can raise (icalendar's own errors are ValueErrors): it is warned about and left out.
_NOT_READABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


def import_calendar(data: bytes, source: str) -> Imported:
    """Turn iCalendar ``data`` (read from ``source``) into programme data and warnings.

    After building the programme, its meetings are compared with the source's own
    occurrences (expanded by recurring-ical-events): every event whose occurrences
    differ in start, end or title is named in a warning, so nothing changes silently.
    """
    cal = parse_ics(data, source)
    builder = _Builder(cal, source)
    if not cal.walk("VEVENT"):
        raise MeetctlError.at(Location(source), "the calendar has no events to import")
    imported = Imported(builder.build(), builder.warnings)
    imported.warnings.extend(_differences(cal, imported, source, builder))
    return imported


def _differences(cal: Any, imported: Imported, source: str, builder: _Builder) -> list[Problem]:
    """Warnings for the source events whose occurrences the imported programme does not reproduce."""
    import recurring_ical_events

    from meetctl.model.loading import parse_programme
    from meetctl.model.schedule import occurrences

    starts = []
    for ev in cal.walk("VEVENT"):
        with contextlib.suppress(*_NOT_READABLE):
            value = ev["dtstart"].dt
            starts.append(value.date() if isinstance(value, datetime) else value)
    if not starts:
        return []
    first = min(starts)
    last = first + timedelta(days=3 * 366)
    try:
        programme = parse_programme(programme_text(imported, source), "imported programme")
        found = recurring_ical_events.of(cal).between(first - DAY, last + DAY)
    except Exception as exc:  # noqa: BLE001 - the check itself must never stop an import
        return [Problem(f"could not compare the import with the calendar: {first_line(exc)}",
                        Location(source), "warning")]  # fmt: skip
    want: dict[str, set[tuple]] = {}
    events: dict[str, Any] = {}
    for ev in found:
        if _cancelled(ev):
            continue
        uid = str(ev.get("uid") or "")
        start, end = builder.instant(ev["dtstart"].dt), builder.instant(ev["dtend"].dt if "dtend" in ev else None)
        if start is None or not first <= _day(start, builder.zone) <= last:
            continue
        want.setdefault(uid, set()).add((start, end or start, _title(ev, bool(_json_prop(ev, FIELDS_PROP))) or ""))
    for ev in cal.walk("VEVENT"):
        events.setdefault(str(ev.get("uid") or ""), ev)
    got: dict[str, set[tuple]] = {}
    for o in occurrences([programme], first, last):
        if not o.cancelled:
            # Meetings made from one event keep its UID: "YYYYMMDD-<uid>" (an RDATE...), "<uid>-rule2", "<uid>-2".
            key = o.uid
            if re.match(r"\d{8}-", key) and key[9:] in want:
                key = key[9:]
            key = re.sub(r"-(?:rule)?\d+$", "", key) if key not in want else key
            got.setdefault(key, set()).add((o.start.astimezone(UTC), o.end.astimezone(UTC), o.title))
    # Events without a UID get one of meetctl's making: compare them all together.
    unclaimed = {r for key, records in got.items() if key not in want for r in records}
    out = []
    if unclaimed and "" not in want:
        start, _end, title = sorted(unclaimed)[0]
        out.append(Problem(f"the programme has {len(unclaimed)} meeting(s) the calendar does not (as "
                           f'recurring-ical-events reads it), such as "{title}" at {start:%Y-%m-%d %H:%M} UTC',
                           Location(source), "warning"))  # fmt: skip
    for uid in sorted(want):
        ours = got.get(uid, set()) if uid else unclaimed
        lost, extra = want[uid] - ours, ours - want[uid]
        if not lost and not extra:
            continue
        example = sorted(lost or extra)[0]
        when = f"{example[0]:%Y-%m-%d %H:%M} UTC" if isinstance(example[0], datetime) else str(example[0])
        what = "is not in the programme" if lost else "is in the programme but not in the calendar"
        ev = events.get(uid)
        message = (f"{len(lost | extra)} of its occurrences differ after import (the one at {when} {what}); "
                   "check the programme against the calendar")  # fmt: skip
        out.append(Problem(f"{event_name(ev)}: {message}" if ev is not None else message,
                           Location(source, event_line(ev) if ev is not None else None), "warning"))  # fmt: skip
    return out


def _day(moment: datetime | date, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date() if isinstance(moment, datetime) else moment


def programme_text(imported: Imported, source: str) -> str:
    """The programme as TOML (tomli-w), with a header comment saying where it came from."""
    import tomli_w

    body = tomli_w.dumps(imported.data, multiline_strings=True)
    source = " ".join(source.split())
    return f"# Imported by meetctl from {source}\n# Check it with: meetctl check -f <this file>\n\n{body}"
