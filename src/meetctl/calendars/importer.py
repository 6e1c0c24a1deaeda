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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from meetctl.calendars.crosscheck import differences
from meetctl.calendars.export import CANCELLED_PROP, FIELDS_PROP, SESSION_PROP
from meetctl.calendars.reading import first_line, import_lines, parse_ics
from meetctl.calendars.vevents import DAY, EventReader, event_title, is_cancelled, json_prop, parent_uid, raw_text
from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.fields import web_link
from meetctl.model.rules import format_duration, parse_rule
from meetctl.model.wording import slugify


@dataclass
class Imported:
    """The programme as plain data ready for tomli-w, and what could not be carried over."""

    data: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)


class _Builder(EventReader):
    """The programme's tables, built from the events an :class:`EventReader` reads."""

    def __init__(self, cal: Any, source: str) -> None:
        super().__init__(cal, source)
        self.venues: dict[str, dict[str, str]] = {}
        self.venue_by_text: dict[str, str] = {}
        self.series_ids: set[str] = set()

    # ------------------------------------------------------------------ times as the programme says them

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
        fields = (json_prop(ev, FIELDS_PROP) or [{}])[0]
        known = fields.get("venue")
        if isinstance(known, dict) and known.get("id") and known.get("name"):
            vid = str(known["id"])
            keys = ("name", "address", "accessibility", "online")
            self.venues.setdefault(vid, {k: str(known[k]) for k in keys if known.get(k) and self._link_ok(k, known[k])})
            return vid
        text = raw_text(ev, "location")
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

    # ------------------------------------------------------------------ building

    def build(self) -> dict[str, Any]:
        masters: dict[str, Any] = {}
        overrides: dict[str, list[Any]] = {}
        singles: list[Any] = []
        all_uids = {str(ev.get("uid") or "") for ev in self.cal.walk("VEVENT")}
        sessions: list[Any] = []
        for ev in self.cal.walk("VEVENT"):
            uid = str(ev.get("uid") or "")
            if parent_uid(ev) in all_uids and ev.get("rrule") is None and parent_uid(ev) != uid:
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
        _distinct_uids(series_tables, meetings)
        group: dict[str, Any] = {"name": raw_text(self.cal, "x-wr-calname") or _stem(self.source)}
        group["timezone"] = self.zone_name
        # An event's URL is the group's website, unless it is the event's join link (CONFERENCE).
        urls = {
            raw_text(ev, "url")
            for ev in self.cal.walk("VEVENT")
            if raw_text(ev, "url") not in {str(c) for c in _as_list(ev.get("conference"))}
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
        fields = (json_prop(ev, FIELDS_PROP) or [{}])[0]
        ours = bool(json_prop(ev, FIELDS_PROP))
        title = raw_text(ev, "summary") or "Meeting"
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
        cancelled = [c for c in json_prop(ev, CANCELLED_PROP) if "date" in c]
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
        description = fields.get("description") if ours else raw_text(ev, "description")
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
        overrides = [
            o
            for o in overrides
            if not (cancelled and _original(self.local(o["recurrence-id"])) in cancelled_originals and is_cancelled(o))
        ]
        meetings: list[dict[str, Any] | None] = []
        for o in overrides:
            original = _original(self.local(o["recurrence-id"]))
            if original in rule_dates or original > horizon:
                meetings.append(self.override(sid, series_start, timing, base, o))
            elif original != first:  # names no instance of the rule: a meeting of its own
                o_start, o_end = self.span(o)
                if not is_cancelled(o):
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
        self,
        ev: Any,
        uid: str,
        begin: datetime | date,
        stop: datetime | date | None,
        start: datetime | date,
        end: datetime | date,
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
        fields = (json_prop(ev, FIELDS_PROP) or [{}])[0]
        ours = bool(json_prop(ev, FIELDS_PROP))
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
        title = event_title(ev, ours)
        if title and title != base["title"]:
            meeting["title"] = title
        description = fields.get("description") if ours else raw_text(ev, "description")
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
        fields = (json_prop(ev, SESSION_PROP) or [{}])[0]
        start, end = self.span(ev)
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            self.warn("an all-day timetable item is not imported", ev)
            return
        parent = parent_uid(ev)
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
        session: dict[str, Any] = {"title": raw_text(ev, "summary") or "Session"}
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
        fields = (json_prop(ev, FIELDS_PROP) or [{}])[0]
        ours = bool(json_prop(ev, FIELDS_PROP))
        start, end = self.span(ev)
        day = start.date() if isinstance(start, datetime) else start
        meeting: dict[str, Any] = {"date": day, "title": event_title(ev, ours) or "Meeting"}
        meeting.update(self.timing(start, end))
        if meeting.get("duration") == "2h":
            del meeting["duration"]
        venue = self.venue(ev)
        if venue:
            meeting["venue"] = venue
        description = fields.get("description") if ours else raw_text(ev, "description")
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


def _distinct_uids(series: list[dict[str, Any]], meetings: list[dict[str, Any]]) -> None:
    """Give every meeting a UID no other series or meeting has (the programme requires it).

    Instances of a series that was not exported (Google; khal's tests) share their
    series' UID: each becomes ``YYYYMMDD-<uid>``, as an RDATE's meeting does.
    """
    used = {str(t["uid"]) for t in series if t.get("uid")}
    for m in meetings:
        uid = m.get("uid")
        if uid is None:
            continue
        if uid in used:
            base = f"{m['date']:%Y%m%d}-{uid}"
            uid, n = base, 2
            while uid in used:
                uid, n = f"{base}-{n}", n + 1
            m["uid"] = uid
        used.add(uid)


def _original(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _stem(source: str) -> str:
    from pathlib import PurePosixPath

    name = PurePosixPath(source.rstrip("/")).stem or "Imported calendar"
    return name.replace("-", " ").replace("_", " ").strip() or "Imported calendar"


#: What reading an odd event can raise (icalendar's own errors are ValueErrors): it is warned about and left out.
_NOT_READABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


#: The phases of an import, as a progress bar names them (``step``).
IMPORT_STEPS = ("reading the calendar", "making the programme", "checking it against the calendar")


def import_calendar(data: bytes, source: str, step: Callable[[str], None] | None = None) -> Imported:
    """Turn iCalendar ``data`` (read from ``source``) into programme data and warnings.

    After building the programme, its meetings are compared with the source's own
    occurrences (expanded by recurring-ical-events): every event whose occurrences
    differ in start, end or title is named in a warning, so nothing changes silently.
    ``step(phase)`` is called as each of :data:`IMPORT_STEPS` begins (a progress bar).
    """
    say = step or (lambda _: None)
    say(IMPORT_STEPS[0])
    cal = parse_ics(import_lines(data), source)
    del data  # the parsed calendar is all that is needed from here
    builder = _Builder(cal, source)
    if not cal.walk("VEVENT"):
        raise MeetctlError.at(Location(source), "the calendar has no events to import")
    say(IMPORT_STEPS[1])
    imported = Imported(builder.build(), builder.warnings)
    say(IMPORT_STEPS[2])
    imported.warnings.extend(differences(cal, programme_text(imported, source), source, builder))
    return imported


def programme_text(imported: Imported, source: str) -> str:
    """The programme as TOML (tomli-w), with a header comment saying where it came from."""
    import tomli_w

    body = tomli_w.dumps(imported.data, multiline_strings=True)
    source = " ".join(source.split())
    return f"# Imported by meetctl from {source}\n# Check it with: meetctl check -f <this file>\n\n{body}"
