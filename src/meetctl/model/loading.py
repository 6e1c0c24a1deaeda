"""Load and validate a programme file into the model (:mod:`meetctl.model.programme`).

Stage: programme file -> validated model. ``load_programme(path)`` reads the TOML, checks
every key and type (each value by its check in :mod:`meetctl.model.fields`, then how the
tables fit together: venues named, dates on the series' rule, sessions within their
meeting), and either returns a :class:`Programme` or raises
:class:`~meetctl.model.errors.MeetctlError` with every problem found, each at its ``PATH:LINE:COL``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from meetctl.model.errors import Location, MeetctlError, Problem, did_you_mean, raise_if_any
from meetctl.model.fields import (
    AGENDA_ITEM_KEYS,
    AGENDA_KEYS,
    GROUP_KEYS,
    MAIL_KEYS,
    MEETING_KEYS,
    NETWORK_KEYS,
    ON_HOLIDAY,
    SERIES_KEYS,
    SESSION_KEYS,
    TOP_KEYS,
    VENUE_KEYS,
    Check,
    key_id,
)
from meetctl.model.locations import KeyLocator, KeyPath
from meetctl.model.programme import (
    DEFAULT_DURATION,
    MAIL_SECURITY,
    STANDING_WORDS,
    AgendaItem,
    Group,
    MailSettings,
    Meeting,
    Programme,
    Series,
    Session,
    Venue,
)
from meetctl.model.recurrence import RuleError
from meetctl.model.rules import parse_rule

# --------------------------------------------------------------------------- loading


#: Where the programme is when no -f names it: $MEETCTL_FILE (os.pathsep-separated), else this.
FILE_ENV = "MEETCTL_FILE"
DEFAULT_FILE = "programme.toml"


def named_programmes(files: Sequence[str | Path] | None) -> list[str | Path]:
    """The programmes a command is about: -f's, else $MEETCTL_FILE's, else ./programme.toml."""
    if files:
        return list(files)
    import os

    env = os.environ.get(FILE_ENV, "").strip()
    return [n for n in env.split(os.pathsep) if n] if env else [DEFAULT_FILE]


def programme_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Expand folders to the ``*.toml`` files in them (sorted); keep files as given."""
    out: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.toml") if p.is_file())
            if not found:
                problems.append(Problem("folder has no *.toml programme files", Location(str(raw))))
            out.extend(found)
        else:
            out.append(path)
    raise_if_any(problems)
    return out


def load_programmes(paths: Sequence[str | Path], read: Callable[[Path], Programme] | None = None) -> list[Programme]:
    """Load every programme named (files, or folders of ``*.toml``), reporting all problems.

    ``read`` reads one file (default :func:`load_programme`; cron's cache passes its own).
    """
    programmes: list[Programme] = []
    problems: list[Problem] = []
    for path in programme_paths(paths):
        try:
            programmes.append((read or load_programme)(path))
        except MeetctlError as exc:
            problems.extend(exc.problems)
    raise_if_any(problems)
    from meetctl.model.network import with_network

    return with_network(programmes)


def load_programme(path: str | Path) -> Programme:
    """Read and validate one programme file."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise MeetctlError.at(Location(name), "is a folder with no programme file") from None
    except FileNotFoundError:
        raise MeetctlError.at(Location(name), "no such file") from None
    except OSError as exc:
        raise MeetctlError.at(Location(name), f"cannot read: {exc.strerror or exc}") from None
    return programme_from_bytes(data, name)


def programme_from_bytes(data: bytes, name: str) -> Programme:
    """Validate the bytes of the programme file ``name`` (which must be UTF-8)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise MeetctlError.at(Location(name, line, col), f"not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
    return parse_programme(text, name)


# A pattern, compiled on first use: only a file with a TOML error needs it.
_TOML_ERROR_PLACE = r"\s*\(at line (\d+), column (\d+)\)$"


def parse_programme(text: str, path: str = "programme.toml") -> Programme:
    """Validate programme ``text`` (the contents of ``path``)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        raw = tomllib.loads(text)
    except RecursionError:
        raise MeetctlError.at(Location(path), "invalid TOML: arrays or tables nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(_TOML_ERROR_PLACE, message)
        location = Location(path, int(m.group(1)), int(m.group(2))) if m else Location(path)
        message = re.sub(_TOML_ERROR_PLACE, "", message)
        if "end of document" in message and m is None:
            location = Location(path, text.count("\n") + 1, 1)
        hint = _toml_hint(text, location.line)
        raise MeetctlError.at(location, f"invalid TOML: {message[:1].lower()}{message[1:]}{hint}") from None
    return _Validator(path, text, raw).programme()


def _toml_hint(text: str, line: int | None) -> str:
    """What a newcomer most likely meant on the line TOML refused: a time or date written bare."""
    if line is None or not 0 < line <= text.count("\n") + 1:
        return ""
    written = text.splitlines()[line - 1] if text else ""
    m = re.match(r"\s*([A-Za-z0-9_-]+)\s*=\s*([^\s#\"'\[{][^#]*?)\s*(#.*)?$", written)
    if m is None:
        return ""
    key, value = m.group(1), m.group(2)
    is_date_key = key in ("date", "end_date", "from", "until", "replaces")
    if re.fullmatch(r"\d{1,2}([:.]\d{2})?\s*([ap]\.?m\.?)?", value, re.I) and not is_date_key:
        return f' (put times in quotes: {key} = "{value}")'
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}/\d{1,2}/\d{1,2}", value):
        return f" (write dates as YYYY-MM-DD, without quotes: {key} = 2027-01-25)"
    if re.fullmatch(r"\d+\s*[hm]\w*(\s*\d+\s*m\w*)?", value, re.I):
        return f' (put durations in quotes: {key} = "{value}")'
    if re.fullmatch(r"[^\d\s][^=]*", value) and value not in ("true", "false"):
        return f' (put text in quotes: {key} = "{value}")'
    return ""


# --------------------------------------------------------------------------- validation


class _Validator:
    """Turns the raw TOML dict into a Programme, collecting every problem on the way."""

    def __init__(self, path: str, text: str, raw: dict[str, Any]) -> None:
        self.path = path
        self.raw = raw
        self.locator = KeyLocator(path, text)
        self.problems: list[Problem] = []

    def error(self, key_path: KeyPath, message: str) -> None:
        self.problems.append(Problem(message, self.locator.locate(key_path)))

    @staticmethod
    def name(key_path: KeyPath) -> str:
        """('meetings', 2, 'venue') -> 'meetings[3].venue' (1-based, as a person counts)."""
        out = ""
        for part in key_path:
            out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def table(self, value: Any, key_path: KeyPath, keys: dict[str, Check],
              required: Iterable[str] = ()) -> dict[str, Any] | None:  # fmt: skip
        """Check one table's keys and value types; return the converted values."""
        if not isinstance(value, dict):
            self.error(key_path, f"{self.name(key_path)} must be a table")
            return None
        out: dict[str, Any] = {}
        for key, item in value.items():
            where = (*key_path, key)
            if key not in keys:
                self.error(
                    where,
                    f"{self.name(where)}: unknown key '{key}'{did_you_mean(key, keys)}",
                )
                continue
            try:
                out[key] = keys[key](item)
            except TypeError as exc:
                got = type(item).__name__
                self.error(where, f"{self.name(where)} must be {exc} (got {_toml_type(got)})")
            except ValueError as exc:
                self.error(where, f"{self.name(where)}: {exc}")
        for key in required:
            if key not in value:
                self.error(key_path, f"{self.name(key_path)}: missing required key '{key}'")
        return out

    def programme(self) -> Programme:
        for key in self.raw:
            if key not in TOP_KEYS:
                self.error((key,), f"unknown table '{key}'{did_you_mean(key, TOP_KEYS)}")
        group = self.group()
        venues = self.venues()
        mail = self.mail()
        standing = self.standing_items()
        series = self.all_series(venues)
        meetings = self.meetings(series, venues)
        raise_if_any(self.problems)
        assert group is not None
        return Programme(
            path=self.path,
            group=group,
            venues=venues,
            series=tuple(series.values()),
            meetings=tuple(meetings),
            mail=mail,
            standing_items=standing,
            locator=self.locator,
        )

    def group(self) -> Group | None:
        """``[group]``, or a network's ``[network]`` (network.toml): name, zone and the rest."""
        table, keys = ("network", NETWORK_KEYS) if "network" in self.raw else ("group", GROUP_KEYS)
        if table == "network" and "group" in self.raw:
            self.error(("group",), "a file is one group's programme ([group]) or a network's ([network]), not both")
        if table not in self.raw:
            table = "network" if Path(self.path).name == "network.toml" else table
            self.error((), f"missing required table [{table}] (with name and timezone)")
            return None
        values = self.table(self.raw[table], (table,), keys, ("name", "timezone"))
        if values is None or "name" not in values or "timezone" not in values:
            return None
        if "country" in values and not re.fullmatch(r"[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?", values["country"]):
            self.error(
                (table, "country"),
                f"{table}.country: {values['country']!r} is not a country code like 'GB', 'GB-ENG' or 'ES-CT'",
            )
        if "locale" in values and not re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*", values["locale"]):
            self.error((table, "locale"), f"{table}.locale: {values['locale']!r} is not a locale like 'en_GB' or 'cy'")
        from meetctl.model.zonewords import written_zone_problem

        # "AEST" or "UTC+10" before the database: some abbreviations (EST, CET) are legacy zones there.
        written = written_zone_problem(values["timezone"], values.get("country"))
        if written:
            self.error((table, "timezone"), f"{table}.timezone: {written}")
            return None
        zone = _zone(values["timezone"])
        if zone is None:
            from meetctl.model.zones import zone_suggestion

            self.error(
                (table, "timezone"),
                f"{table}.timezone: unknown time zone {values['timezone']!r}"
                + (zone_suggestion(values["timezone"]) or " (expected an IANA name like 'Europe/London')"),
            )
            return None
        return Group(zone=zone, network=table == "network", **values)

    def venues(self) -> dict[str, Venue]:
        raw = self.raw.get("venues", {})
        if not isinstance(raw, dict):
            self.error(("venues",), "venues must be a table of [venues.ID] tables")
            return {}
        out = {}
        for venue_id, value in raw.items():
            try:
                key_id(venue_id)
            except ValueError as exc:
                self.error(("venues", venue_id), f"venue id {venue_id!r}: {exc}")
                continue
            values = self.table(value, ("venues", venue_id), VENUE_KEYS, ("name",))
            if values is not None and "name" in values:
                out[venue_id] = Venue(id=venue_id, **values)
        return out

    def mail(self) -> MailSettings | None:
        if "mail" not in self.raw:
            return None
        values = self.table(self.raw["mail"], ("mail",), MAIL_KEYS)
        if values is None:
            return None
        security = values.get("security", "starttls").lower()
        if security not in MAIL_SECURITY:
            self.error(("mail", "security"), f"mail.security must be one of {', '.join(MAIL_SECURITY)}")
        port = values.get("smtp_port")
        if port is not None and not 0 < port < 65536:
            self.error(("mail", "smtp_port"), f"mail.smtp_port {port} is not a port number")
        return MailSettings(**{**values, "security": security})

    def standing_items(self) -> tuple[str, ...]:
        """``[agenda] standing_items``: meetctl's words (STANDING_WORDS) and the group's own items."""
        from meetctl.model.programme import DEFAULT_STANDING_ITEMS

        if "agenda" not in self.raw:
            return DEFAULT_STANDING_ITEMS
        values = self.table(self.raw["agenda"], ("agenda",), AGENDA_KEYS)
        if not values or "standing_items" not in values:
            return DEFAULT_STANDING_ITEMS
        items = tuple(values["standing_items"])
        where: KeyPath = ("agenda", "standing_items")
        words = ", ".join(f'"{w}"' for w in STANDING_WORDS)
        for word in STANDING_WORDS:
            if items.count(word) > 1:
                self.error(where, f'agenda.standing_items: "{word}" is listed twice')
        if "items" not in items:
            self.error(
                where,
                'agenda.standing_items must include "items" (where each meeting\'s own agenda goes); '
                f"meetctl fills in {words}; any other text is an item of your own",
            )
        return items

    def venue_ref(self, key_path: KeyPath, venue: str | None, venues: dict[str, Venue]) -> None:
        if venue is not None and venue not in venues and "venues" in self.raw:
            self.error(
                key_path,
                f"{self.name(key_path)}: unknown venue '{venue}'{did_you_mean(venue, venues)}",
            )
        elif venue is not None and venue not in venues:
            self.error(key_path, f"{self.name(key_path)}: unknown venue '{venue}' (no [venues] defined)")

    def array(self, key: str) -> list[Any]:
        value = self.raw.get(key, [])
        if not isinstance(value, list):
            self.error((key,), f"'{key}' must be written as [[{key}]] tables")
            return []
        return value

    def all_series(self, venues: dict[str, Venue]) -> dict[str, Series]:
        out: dict[str, Series] = {}
        for i, value in enumerate(self.array("series")):
            where: KeyPath = ("series", i)
            values = self.table(value, where, SERIES_KEYS, ("id", "title", "rule", "start", "from"))
            if values is None:
                continue
            self.venue_ref((*where, "venue"), values.get("venue"), venues)
            rule = None
            if "rule" in values:
                try:
                    rule = parse_rule(values["rule"])
                except RuleError as exc:
                    self.error((*where, "rule"), f"{self.name((*where, 'rule'))}: {exc}")
            on_holiday = values.get("on_holiday")
            group = self.raw.get("network", self.raw.get("group"))
            if on_holiday is not None and on_holiday not in ON_HOLIDAY:
                choices = ", ".join(ON_HOLIDAY)
                self.error((*where, "on_holiday"), f"{self.name(where)}.on_holiday must be one of {choices}")
            elif on_holiday is not None and not (isinstance(group, dict) and group.get("country")):
                self.error((*where, "on_holiday"), f"{self.name(where)}.on_holiday needs group.country (e.g. 'GB-ENG')")
            first, until = values.get("from"), values.get("until")
            if first and until and until < first:
                self.error((*where, "until"), f"{self.name(where)}: until {until} is before from {first}")
            series_id = values.get("id")
            if series_id in out:
                self.error((*where, "id"), f"{self.name(where)}: duplicate series id '{series_id}'")
                continue
            if rule is None or not all(k in values for k in ("id", "title", "start", "from")):
                continue
            series = Series(
                id=values["id"],
                title=values["title"],
                rule=rule,
                start=values["start"],
                duration=values.get("duration", DEFAULT_DURATION),
                from_date=values["from"],
                venue=values.get("venue"),
                until=values.get("until"),
                skip=tuple(sorted(set(values.get("skip", ())))),
                description=values.get("description"),
                lead=values.get("lead"),
                uid=values.get("uid"),
                on_holiday=values.get("on_holiday"),
                online=values.get("online"),
                kind=values.get("kind"),
                notice=values.get("notice"),
                notice_lead=values.get("notice_lead"),
                key_path=where,
                locator=self.locator,
            )
            on_rule = RuleDates(series, series.skip)
            for day in series.skip:
                if day not in on_rule:
                    self.error((*where, "skip"), f"{self.name(where)}.skip: {day} is not a date of the series")
            out[series.id] = series
        return out

    def meetings(self, series: dict[str, Series], venues: dict[str, Venue]) -> list[Meeting]:
        out: list[Meeting] = []
        claimed: dict[tuple[str, date], str] = {}  # (series, original date) -> meeting name
        uids: dict[str, str] = {s.uid: f"series '{s.id}'" for s in series.values() if s.uid}
        on_rule = self.rule_dates(series)
        for i, value in enumerate(self.array("meetings")):
            where: KeyPath = ("meetings", i)
            values = self.table(value, where, MEETING_KEYS, ("date",))
            if values is None or "date" not in values:
                continue
            name = self.name(where)
            self.venue_ref((*where, "venue"), values.get("venue"), venues)
            series_id = values.get("series")
            day, replaces = values["date"], values.get("replaces")
            if series_id is None:
                if "title" not in values:
                    self.error(where, f"{name}: a one-off meeting (no series) needs a title")
                if "start" not in value:  # a start written wrong has had its own error
                    self.error(where, f"{name}: a one-off meeting (no series) needs a start time")
                if replaces:
                    self.error((*where, "replaces"), f"{name}: replaces needs a series")
            elif series_id not in series:
                if not any(isinstance(v, dict) and v.get("id") == series_id for v in self.array("series")):
                    self.error(
                        (*where, "series"),
                        f"{name}: unknown series '{series_id}'{did_you_mean(series_id, series)}",
                    )
            else:
                s = series[series_id]
                original = replaces or day
                key = "replaces" if replaces else "date"
                if original not in on_rule[s.id]:
                    hint = "" if replaces else " (use replaces = <date> for a moved meeting)"
                    self.error(
                        (*where, key),
                        f"{name}.{key}: {original} is not a date of series '{s.id}' ({s.rule.source}){hint}",
                    )
                elif original in s.skip:
                    self.error((*where, key), f"{name}.{key}: {original} is in series '{s.id}' skip list")
                elif (s.id, original) in claimed:
                    self.error(
                        (*where, key),
                        f"{name}: {original} of series '{s.id}' is already described by {claimed[s.id, original]}",
                    )
                else:
                    claimed[s.id, original] = name
            end_date = values.get("end_date")
            if end_date and end_date < day:
                self.error((*where, "end_date"), f"{name}: end_date {end_date} is before date {day}")
            if values.get("attendance", 0) < 0:
                self.error((*where, "attendance"), f"{name}.attendance must not be negative")
            if values.get("reason") and not values.get("cancelled") and series_id is None:
                # A series' meeting may say why it is not in its usual slot (`meetctl move --reason`).
                self.error((*where, "reason"), f"{name}: reason is only for cancelled = true or a series' meeting")
            uid = values.get("uid")
            if uid:
                if uid in uids:
                    self.error((*where, "uid"), f"{name}: uid {uid!r} is already used by {uids[uid]}")
                uids[uid] = name
            sessions = self.sessions(values.pop("sessions", None), where, day, end_date or day)
            agenda = self.agenda(values.pop("agenda", None), where)
            out.append(Meeting(**values, sessions=sessions, agenda=agenda, key_path=where, locator=self.locator))
        return out

    def agenda(self, raw: Any, where: KeyPath) -> tuple[AgendaItem, ...]:
        """A meeting's own agenda items (``[[meetings.agenda]]``), in the order written."""
        if raw is None:
            return ()
        where = (*where, "agenda")
        if not isinstance(raw, list):
            self.error(where, f"{self.name(where)} must be written as [[meetings.agenda]] tables")
            return ()
        out = []
        for j, value in enumerate(raw):
            values = self.table(value, (*where, j), AGENDA_ITEM_KEYS, ("title",))
            if values is not None and "title" in values:
                out.append(AgendaItem(**values))
        return tuple(out)

    def rule_dates(self, series: dict[str, Series]) -> dict[str, RuleDates]:
        """Each series' dates over the span its meetings name: one expansion per series, not per meeting."""
        wanted: dict[str, list[date]] = {s: [] for s in series}
        for value in self.array("meetings"):
            # Raw values, not yet checked: only a string id and a plain date are looked at.
            if isinstance(value, dict) and isinstance(value.get("series"), str) and value["series"] in wanted:
                day = value.get("replaces") or value.get("date")
                if isinstance(day, date) and not isinstance(day, datetime):
                    wanted[value["series"]].append(day)
        return {s: RuleDates(series[s], days) for s, days in wanted.items()}

    def sessions(self, raw: Any, where: KeyPath, first: date, last: date) -> tuple[Session, ...]:
        if raw is None:
            return ()
        where = (*where, "sessions")
        if not isinstance(raw, list):
            self.error(where, f"{self.name(where)} must be written as [[meetings.sessions]] tables")
            return ()
        out = []
        for j, value in enumerate(raw):
            at = (*where, j)
            values = self.table(value, at, SESSION_KEYS, ("title", "start", "end"))
            if values is None or not all(k in values for k in ("title", "start", "end")):
                continue
            values.setdefault("date", first)
            if not first <= values["date"] <= last:
                self.error((*at, "date"), f"{self.name(at)}: {values['date']} is outside the meeting's dates")
            if values["end"] <= values["start"]:
                self.error((*at, "end"), f"{self.name(at)}: end {values['end']:%H:%M} is not after start")
            session = Session(**values, key_path=at, locator=self.locator)
            for j2, other in enumerate(out):
                if (
                    session.room is not None
                    and session.room == other.room
                    and session.date == other.date
                    and session.start < other.end
                    and other.start < session.end
                ):
                    self.error(
                        at,
                        f"{self.name(at)}: '{session.title}' overlaps '{other.title}' "
                        f"({self.name((*where, j2))}) in room '{session.room}'",
                    )
            out.append(session)
        return tuple(out)


class RuleDates:
    """Which dates fall on a series' rule, for checking many meetings against it.

    The series is expanded once over the span of the dates given (linear in the
    meetings, where asking the rule about each date in turn counted every period
    since ``from`` again). Dates outside that span, or a span so sparse that the
    expansion would cost more than asking, fall back to :meth:`Series.has_date`.
    """

    #: Expand only when the span has at most this many days per date asked about.
    DAYS_PER_DATE = 64

    def __init__(self, series: Series, days: Iterable[date]) -> None:
        self.series = series
        days = list(days)
        self.known: set[date] | None = None
        if days:
            self.first, self.last = min(days), max(days)
            if (self.last - self.first).days <= self.DAYS_PER_DATE * len(days):
                self.known = set(series.rule_dates(self.first, self.last))

    def __contains__(self, day: date) -> bool:
        if self.known is not None and self.first <= day <= self.last:
            return day in self.known
        return self.series.has_date(day)


def _toml_type(python_name: str) -> str:
    return {
        "str": "a string", "int": "a number", "float": "a number", "bool": "a boolean",
        "list": "an array", "dict": "a table", "date": "a date", "time": "a time",
        "datetime": "a date-time",
    }.get(python_name, python_name)  # fmt: skip


def _zone(name: str) -> ZoneInfo | None:
    from zoneinfo import ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
