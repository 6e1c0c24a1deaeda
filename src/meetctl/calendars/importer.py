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

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetctl.calendars.export import CANCELLED_PROP, FIELDS_PROP, SESSION_PROP
from meetctl.calendars.reading import parse_ics
from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.rules import RuleError, describe, format_duration, parse_rrule, parse_rule
from meetctl.model.schedule import local_datetime
from meetctl.model.wording import slugify

DAY = timedelta(days=1)


@dataclass
class Imported:
    """The programme as plain data ready for tomli-w, and what could not be carried over."""

    data: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(str(name))
    except Exception:  # not an IANA name (Outlook's "GMT Standard Time"), or unsafe path
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
    if isinstance(value, vText | vUri):
        return str(value)
    return _unescape(str(value))


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

    def warn(self, message: str) -> None:
        self.warnings.append(Problem(message, Location(self.source), "warning"))

    def fail(self, message: str) -> MeetctlError:
        return MeetctlError.at(Location(self.source), message)

    # ------------------------------------------------------------------ zone and times

    def _group_zone(self) -> tuple[ZoneInfo, str]:
        candidates = [str(self.cal.get("x-wr-timezone") or "")]
        for ev in self.cal.walk("VEVENT"):
            candidates.append(_tzid(ev.get("dtstart")) or "")
        for name in candidates:
            zone = _zone(name)
            if zone is not None:
                return zone, name
        return ZoneInfo("UTC"), "UTC"

    def local(self, prop: Any) -> datetime | date:
        """A DTSTART/DTEND/RECURRENCE-ID value as wall-clock time in the group's zone (dates stay dates)."""
        value = prop.dt
        if not isinstance(value, datetime):
            return value
        if value.tzinfo is None:  # floating: already wall-clock time
            return value
        if _tzid(prop) == self.zone_name:
            return value.replace(tzinfo=None)  # keep the written time (even one in a spring gap)
        return value.astimezone(self.zone).replace(tzinfo=None)

    def span(self, ev: Any) -> tuple[datetime | date, datetime | date]:
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
        from meetctl.model.loading import web_link

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

    def rule(self, ev: Any, start: datetime | date) -> tuple[str, date | None]:
        """The series' rule (phrase or raw RRULE) and its last date from UNTIL or COUNT."""
        rrules = ev.get("rrule")
        if isinstance(rrules, list):
            if len(rrules) > 1:
                self.warn(f"event {str(ev.get('uid'))!r}: only its first RRULE is kept")
            rrules = rrules[0]
        parts = {k.upper(): v for k, v in rrules.items()}
        until_value = parts.pop("UNTIL", None)
        count = parts.pop("COUNT", None)
        text = ";".join(f"{k}={','.join(str(x) for x in _plain(v))}" for k, v in parts.items())
        try:
            rule = parse_rrule(text)
        except RuleError as exc:
            raise self.fail(f"event {str(ev.get('uid'))!r}: cannot import its repeat rule: {exc}") from None
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
                if uid in masters:
                    self.warn(f"event {uid!r} is defined twice; the first is kept")
                    continue
                masters[uid] = ev
            else:
                singles.append(ev)
            if ev.get("rdate") is not None:
                self.warn(f"event {uid!r}: extra dates (RDATE) are not imported")
        series_tables, meetings = [], []
        for uid, ev in masters.items():
            table, described = self.series(uid, ev, overrides.pop(uid, []))
            series_tables.append(table)
            meetings.extend(described)
        for orphans in overrides.values():  # overrides without a master: one-off meetings
            singles.extend(orphans)
        for ev in singles:
            meetings.append(self.oneoff(ev))
        series_by_uid = {t["uid"]: t["id"] for t in series_tables}
        for ev in sessions:
            self.attach_session(ev, meetings, series_by_uid)
        meetings.sort(key=lambda m: (m["date"], m.get("start", ""), m.get("title", "")))
        group: dict[str, Any] = {"name": _raw_text(self.cal, "x-wr-calname") or _stem(self.source)}
        group["timezone"] = self.zone_name
        urls = {_raw_text(ev, "url") for ev in self.cal.walk("VEVENT")}
        if len(urls) == 1 and None not in urls:
            group["website"] = urls.pop()
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

    def series(self, uid: str, ev: Any, overrides: list[Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        fields = (_json_prop(ev, FIELDS_PROP) or [{}])[0]
        ours = bool(_json_prop(ev, FIELDS_PROP))
        title = _raw_text(ev, "summary") or "Meeting"
        sid = self._series_id(str(fields.get("series") or slugify(title, 40)))
        start, end = self.span(ev)
        rule, until = self.rule(ev, start)
        first = start.date() if isinstance(start, datetime) else start
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
        table["uid"] = uid
        base = {"title": title, "description": description, "lead": fields.get("lead"), "venue": venue,
                "online": online}  # fmt: skip
        meetings = [self.override(sid, series_start, timing, base, o) for o in overrides]
        meetings = [m for m in meetings if m is not None]
        for c in cancelled:
            meetings.append(self.cancelled(sid, c))
        return table, meetings

    def override(
        self, sid: str, series_start: time, timing: dict[str, Any], base: dict[str, Any], ev: Any
    ) -> dict[str, Any] | None:
        fields = (_json_prop(ev, FIELDS_PROP) or [{}])[0]
        ours = bool(_json_prop(ev, FIELDS_PROP))
        rid = self.local(ev["recurrence-id"])
        original = rid.date() if isinstance(rid, datetime) else rid
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
        title = _raw_text(ev, "summary")
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
            self.warn(f"event {str(ev.get('uid'))!r}: an all-day timetable item is not imported")
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
        meeting: dict[str, Any] = {"date": day, "title": _raw_text(ev, "summary") or "Meeting"}
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


def import_calendar(data: bytes, source: str) -> Imported:
    """Turn iCalendar ``data`` (read from ``source``) into programme data and warnings."""
    cal = parse_ics(data, source)
    builder = _Builder(cal, source)
    if not cal.walk("VEVENT"):
        raise MeetctlError.at(Location(source), "the calendar has no events to import")
    return Imported(builder.build(), builder.warnings)


def programme_text(imported: Imported, source: str) -> str:
    """The programme as TOML (tomli-w), with a header comment saying where it came from."""
    import tomli_w

    body = tomli_w.dumps(imported.data, multiline_strings=True)
    source = " ".join(source.split())
    return f"# Imported by meetctl from {source}\n# Check it with: meetctl check -f <this file>\n\n{body}"
