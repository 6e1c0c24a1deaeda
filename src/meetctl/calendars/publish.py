"""``meetctl publish``: keep a CalDAV calendar (Nextcloud, Radicale, ...) in step with the programme.

Each event (a series with its overrides, or a one-off meeting) is one resource,
``<uid>.ics``, holding one VCALENDAR without METHOD (RFC 4791). Every VEVENT we
store carries ``X-MEETCTL-GROUP`` (whose it is) and ``X-MEETCTL-HASH`` (of what we
sent), so a second run compares hashes and changes nothing, a changed meeting is
replaced in place (its SEQUENCE is ours, never bumped by the library), a meeting
gone from the programme is deleted, and events that meetctl did not put there,
or that another group published, are never touched.

With ``--series``/``--one-offs`` only the chosen streams change: every event says
its stream in ``X-MEETCTL-FIELDS`` (its series id, or none for a one-off), so an
event of another stream is left alone even when it is no longer in the programme.
"Unchanged" is judged on what the server holds, not only on the hash we stored
there: an event someone edited on the server (keeping our hash) is put back.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from meetctl.calendars.contentlines import text_value
from meetctl.calendars.export import PRODID, VEvent, calendar_events, zone_years
from meetctl.calendars.reading import refuse_credentials_in
from meetctl.calendars.timezones import vtimezone
from meetctl.model.errors import Location, MeetctlError, Problem, not_installed
from meetctl.model.programme import Programme

GROUP_PROP = "X-MEETCTL-GROUP"
HASH_PROP = "X-MEETCTL-HASH"
PASSWORD_ENV = "MEETCTL_CALDAV_PASSWORD"


@dataclass(frozen=True)
class Resource:
    """One calendar object we want on the server."""

    uid: str
    title: str
    data: bytes
    digest: str

    def content(self) -> tuple:
        """What its events say, as :func:`event_content` reads it (to compare with the server's)."""
        import icalendar

        return event_content(icalendar.Calendar.from_ical(self.data).walk("VEVENT"))


#: A remote event whose stream cannot be told (no X-MEETCTL-FIELDS): kept by a partial publish.
UNKNOWN_STREAM = "\x00unknown"


@dataclass(frozen=True)
class Remote:
    """One calendar object found on the server."""

    uid: str
    title: str
    group: str | None
    digest: str | None
    handle: Any  # the caldav object, to update or delete
    #: The series id it belongs to, None for a one-off meeting, or UNKNOWN_STREAM.
    stream: str | None = UNKNOWN_STREAM
    #: What its events say (event_content); None when not read.
    content: tuple | None = None
    #: RELATED-TO parent (a session's meeting), whose stream a session shares.
    parent: str | None = None


@dataclass
class Plan:
    """What a publish does: each list holds (uid, title)."""

    create: list[Resource] = field(default_factory=list)
    update: list[tuple[Resource, Remote]] = field(default_factory=list)
    delete: list[Remote] = field(default_factory=list)
    #: UIDs among ``update`` whose hash matched: edited on the server, put back.
    restore: set[str] = field(default_factory=set)
    unchanged: int = 0
    foreign: int = 0  # objects on the calendar that are not ours to touch

    @property
    def changes(self) -> int:
        return len(self.create) + len(self.update) + len(self.delete)


# --------------------------------------------------------------------------- what we want


def resources(programmes: Sequence[Programme]) -> list[Resource]:
    """The programmes as CalDAV resources, one per UID, in a stable order."""
    from icalendar import Calendar

    first_year, last_year = zone_years(programmes, None, None)
    heads: dict[str, str] = {}
    for p in programmes:
        if p.group.timezone not in heads:
            cal = Calendar()
            cal.add("prodid", PRODID)
            cal.add("version", "2.0")
            cal.add("calscale", "GREGORIAN")  # no METHOD: stored objects must not have one (RFC 4791)
            cal.add_component(vtimezone(p.group.zone, first_year, last_year))
            heads[p.group.timezone] = cal.to_ical().decode("utf-8").removesuffix("END:VCALENDAR\r\n")
    by_uid: dict[str, tuple[Programme, list[VEvent]]] = {}
    for p in programmes:
        for ev in calendar_events([p], None, None):
            by_uid.setdefault(ev.uid, (p, []))[1].append(ev)
    out = []
    for uid, (p, events) in by_uid.items():
        for ev in events:
            ev.add(f"{GROUP_PROP}:{text_value(p.group.name)}")
        body = heads[p.group.timezone] + "".join(ev.text() for ev in events) + "END:VCALENDAR\r\n"
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
        events[0].add(f"{HASH_PROP}:{digest}")
        body = heads[p.group.timezone] + "".join(ev.text() for ev in events) + "END:VCALENDAR\r\n"
        out.append(Resource(uid, events[0].title, body.encode("utf-8"), digest))
    return out


# --------------------------------------------------------------------------- credentials


def credentials(url: str, user: str | None) -> tuple[str | None, str | None]:
    """The user name and password: the password from $MEETCTL_CALDAV_PASSWORD, else ~/.netrc."""
    password = os.environ.get(PASSWORD_ENV) or None
    if password is not None:
        return user, password
    import netrc

    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return user, None
    host = urlsplit(url).hostname or ""
    try:
        found = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as exc:
        # The parser's message quotes the token it choked on, which may be a password: say only where.
        raise MeetctlError.at(Location(str(path), exc.lineno), "cannot read: not a valid .netrc file") from None
    except OSError as exc:
        raise MeetctlError.at(Location(str(path)), f"cannot read: {exc.strerror or 'unreadable'}") from None
    if found is None:
        return user, None
    login, _, secret = found
    if user is not None and login and login != user:
        return user, None
    return user or login, secret


# --------------------------------------------------------------------------- talking to the server


class _Server:
    """The CalDAV calendar at ``url``; every failure becomes one clear line naming it."""

    def __init__(self, url: str, user: str | None, password: str | None) -> None:
        self.url = url
        self.user = user
        # No password is fine until the server asks for one: some servers have no logins.
        self.password = password
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise MeetctlError.at(Location(url), "not a CalDAV address (expected https://host/path/to/calendar/)")
        try:
            import caldav
        except ImportError:  # an optional part of the install (see pyproject's extras)
            raise MeetctlError(Problem(not_installed("publish needs the CalDAV client", "caldav"))) from None

        with self.errors():
            self.client = caldav.DAVClient(
                url=url,
                username=user,
                password=password,
                timeout=30,
                enable_rfc6764=False,  # the address is the calendar itself: no DNS discovery
                require_tls=scheme == "https",
            )
            self.calendar = self.client.calendar(url=url)

    def errors(self) -> Any:
        return _ServerErrors(self)

    def kind(self) -> str | None:
        """What is at the address: "calendar", "collection" (a folder that is not a calendar),
        "other" (a plain resource), or None (nothing: not found)."""
        import xml.etree.ElementTree as ET

        body = ('<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><resourcetype/></prop>'
                "</propfind>")  # fmt: skip
        with self.errors():
            response = self.client.propfind(self.url, body, depth=0)
        if response.status == 404:
            return None
        if response.status not in (200, 207):
            reason = getattr(response, "reason", "") or ""
            raise MeetctlError.at(
                Location(self.url), f"the server answered with an error: {response.status} {reason}".rstrip()
            )
        try:
            root = ET.fromstring(response.raw if isinstance(response.raw, str | bytes) else b"")
        except ET.ParseError:
            return "other"
        # A 207 may still say "not found": Xandikos answers a missing address with a
        # multistatus whose only response carries its own 404 status (RFC 4918 13.2).
        responses = list(root.iter("{DAV:}response"))
        if responses and all(_status_code(r.find("{DAV:}status")) == 404 for r in responses):
            return None
        types = {child.tag for rt in root.iter("{DAV:}resourcetype") for child in rt}
        if "{urn:ietf:params:xml:ns:caldav}calendar" in types:
            return "calendar"
        return "collection" if "{DAV:}collection" in types else "other"

    def make_calendar(self) -> None:
        """MKCALENDAR at the address (RFC 4791), named after the last part of the address."""
        with self.errors():
            response = self.client.mkcalendar(self.url)
        if response.status not in (200, 201):
            raise MeetctlError.at(
                Location(self.url), f"could not create a calendar here: the server said {response.status} "
                f"{getattr(response, 'reason', '')}".rstrip()
            )  # fmt: skip

    def objects(self) -> list[Remote]:
        import icalendar

        out = []
        with self.errors():
            found = self.calendar.events()
        for obj in found:
            with self.errors():
                data = obj.data
            try:
                cal = icalendar.Calendar.from_ical(data)
            except Exception:
                continue  # not ours to judge, nor to touch
            events = cal.walk("VEVENT")
            if not events:
                continue
            first = events[0]
            group = next((str(ev[GROUP_PROP]) for ev in events if ev.get(GROUP_PROP) is not None), None)
            digest = next((str(ev[HASH_PROP]) for ev in events if ev.get(HASH_PROP) is not None), None)
            uid = str(first.get("uid", ""))
            parent = first.get("related-to")
            remote = Remote(uid, str(first.get("summary", "")), group, digest, obj, stream_of(events),
                            event_content(events) if group is not None else None,
                            str(parent) if parent is not None else None)  # fmt: skip
            out.append(remote)
        return out

    def create(self, resource: Resource) -> None:
        import caldav

        with self.errors():
            # raw_data: the bytes go as they are (our SEQUENCE, no METHOD), to <uid>.ics.
            caldav.Event(client=self.client, parent=self.calendar).save(raw_data=resource.data)

    def update(self, resource: Resource, remote: Remote) -> None:
        with self.errors():
            remote.handle.save(raw_data=resource.data)

    def delete(self, remote: Remote) -> None:
        with self.errors():
            remote.handle.delete()


class _ServerErrors:
    """Turns whatever the CalDAV library or the network raises into one line for the user."""

    def __init__(self, server: _Server) -> None:
        self.server = server

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or isinstance(exc, MeetctlError | KeyboardInterrupt):
            return False
        from caldav.lib import error

        url = self.server.url
        if isinstance(exc, error.AuthorizationError):
            who = f" as {self.server.user}" if self.server.user else " (no user name given: use --user)"
            if self.server.user and self.server.password is None:
                who += f" with no password: set {PASSWORD_ENV} or add the host to ~/.netrc"
            raise MeetctlError.at(Location(url), f"the server refused the login{who}") from None
        if isinstance(exc, error.NotFoundError):
            raise MeetctlError.at(Location(url), "no calendar at this address (the server said: not found)") from None
        if isinstance(exc, error.DAVError):
            raise MeetctlError.at(Location(url), f"the server answered with an error: {_short(exc)}") from None
        raise MeetctlError.at(Location(url), f"cannot talk to the server: {_short(exc)}") from None


def _status_code(element: Any) -> int | None:
    """The code in a DAV:status element ("HTTP/1.1 404 Not Found" -> 404), None if absent."""
    if element is None or not element.text:
        return None
    parts = element.text.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def _short(exc: BaseException) -> str:
    # Network libraries wrap the real reason (connection refused, timed out) several layers deep.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
        seen = seen.__cause__ or seen.__context__
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


# --------------------------------------------------------------------------- publishing


def event_content(events: Sequence[Any]) -> tuple:
    """What a calendar object's VEVENTs say, as icalendar reads them: the same for our bytes
    and for the server's copy of them (servers refold lines and reorder parameters)."""
    out = []
    for ev in events:
        props = []
        for name, value in ev.property_items(recursive=False):
            if name in ("BEGIN", "END"):
                continue
            params = tuple(sorted((k.upper(), str(v)) for k, v in getattr(value, "params", {}).items()))
            data = value.to_ical() if hasattr(value, "to_ical") else str(value).encode()
            props.append((name.upper(), params, data))
        out.append(tuple(sorted(props)))
    return tuple(sorted(out))


def stream_of(events: Sequence[Any]) -> str | None:
    """The stream of an object we published: its series id, None for a one-off, else UNKNOWN_STREAM."""
    from meetctl.calendars.export import FIELDS_PROP
    from meetctl.calendars.vevents import json_prop

    for ev in events:
        for data in json_prop(ev, FIELDS_PROP):
            series = data.get("series")
            return series if isinstance(series, str) else None
    return UNKNOWN_STREAM


def plan(
    wanted: Sequence[Resource],
    found: Sequence[Remote],
    groups: set[str],
    keep: set[str] | None = None,
    streams: set[str | None] | None = None,
) -> Plan:
    """Compare what we want with what is there; only our groups' objects may change.

    ``keep``: UIDs of our own events that are not wanted this time but must stay.
    ``streams``: the streams chosen by --series/--one-offs (series ids; None for the
    one-offs); our events of any other stream stay, even ones gone from the programme.
    No ``streams``: the whole programme, and whatever of ours it lacks goes.
    """
    keep = keep or set()
    result = Plan()
    there = {r.uid: r for r in found}
    for res in wanted:
        remote = there.get(res.uid)
        if remote is None:
            result.create.append(res)
        elif remote.group is None or remote.group not in groups:
            result.foreign += 1  # same UID, but someone else's object: leave it
        elif remote.digest == res.digest and (remote.content is None or remote.content == res.content()):
            result.unchanged += 1
        else:
            if remote.digest == res.digest:
                result.restore.add(res.uid)  # our hash, someone else's edit
            result.update.append((res, remote))
    wanted_uids = {r.uid for r in wanted}
    for remote in found:
        if remote.uid in wanted_uids:
            continue
        if remote.group in groups and remote.uid not in keep and _chosen(remote, there, streams):
            result.delete.append(remote)
        else:
            result.foreign += 1
    return result


def _chosen(remote: Remote, there: dict[str, Remote], streams: set[str | None] | None) -> bool:
    """Whether ``remote`` belongs to a stream this publish is about."""
    if streams is None:
        return True
    stream = remote.stream
    if stream == UNKNOWN_STREAM and remote.parent in there:
        stream = there[remote.parent].stream  # a session goes with its meeting
    return stream != UNKNOWN_STREAM and stream in streams


def publish(
    programmes: Sequence[Programme],
    url: str,
    user: str | None,
    dry_run: bool = False,
    show_progress: bool = False,
    whole: Sequence[Programme] | None = None,
    create: bool = False,
    streams: set[str | None] | None = None,
) -> tuple[Plan, list[str]]:
    """Bring the calendar at ``url`` in step with ``programmes``; return the plan and report lines.

    ``whole``: the programmes before --series/--one-offs cut them down; events of theirs
    that were not chosen are left on the calendar as they are. ``create``: make the
    calendar (MKCALENDAR) if nothing is at ``url`` yet. Anything at ``url`` that is not
    a calendar is refused: events put in a plain folder reach no calendar client.
    ``streams``: what --series/--one-offs chose (series ids, None for the one-offs);
    our events of other streams stay even when the programme no longer has them.
    A user name or password written in ``url`` is refused, never used or shown.
    """
    refuse_credentials_in(url)
    wanted = resources(programmes)
    chosen = {r.uid for r in wanted}
    keep = {r.uid for r in resources(whole)} - chosen if whole is not None else set()
    name, password = credentials(url, user)
    server = _Server(url, name, password)
    lines = []
    kind = server.kind()
    if kind is None and not create:
        raise MeetctlError.at(
            Location(url), "no calendar at this address (the server said: not found); --create makes one"
        )
    if kind in ("collection", "other"):
        what = "a folder (collection)" if kind == "collection" else "a file"
        raise MeetctlError.at(
            Location(url), f"this address is {what}, not a calendar: give a calendar's address "
            "(or a new one, with --create)"
        )  # fmt: skip
    if kind is None:
        if not dry_run:
            server.make_calendar()
        lines.append(f"{'would create' if dry_run else 'created'} the calendar {url}")
    found = server.objects() if kind is not None else []
    groups = {p.group.name for p in programmes}
    todo = plan(wanted, found, groups, keep, streams)
    for res in todo.create:
        lines.append(f"{'would create' if dry_run else 'created'}: {res.title} ({res.uid})")
    for res, _ in todo.update:
        if res.uid in todo.restore:
            lines.append(f"{'would restore' if dry_run else 'restored'}: {res.title} ({res.uid}): "
                         "it was changed on the server")  # fmt: skip
        else:
            lines.append(f"{'would update' if dry_run else 'updated'}: {res.title} ({res.uid})")
    for remote in todo.delete:
        lines.append(f"{'would delete' if dry_run else 'deleted'}: {remote.title} ({remote.uid})")
    if not dry_run:
        _carry_out(server, todo, show_progress)
    verb = "would be" if dry_run else ""
    summary = (
        f"{url}: {len(todo.create)} {verb} created, {len(todo.update)} {verb} updated, "
        f"{len(todo.delete)} {verb} deleted, {todo.unchanged} unchanged"
    )
    summary = " ".join(summary.split())
    if todo.foreign:
        summary += f"; {todo.foreign} other event{'s' if todo.foreign != 1 else ''} left alone"
    lines.append(summary)
    return todo, lines


def _carry_out(server: _Server, todo: Plan, show_progress: bool) -> None:
    steps: list[tuple[str, Any]] = []
    steps += [(f"create {r.title}", lambda r=r: server.create(r)) for r in todo.create]
    steps += [(f"update {r.title}", lambda r=r, x=x: server.update(r, x)) for r, x in todo.update]
    steps += [(f"delete {x.title}", lambda x=x: server.delete(x)) for x in todo.delete]
    if not show_progress or not steps:
        for _, step in steps:
            step()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("publishing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=len(steps))
        for description, step in steps:
            progress.update(task, description=description[:40])
            step()
            progress.advance(task)
