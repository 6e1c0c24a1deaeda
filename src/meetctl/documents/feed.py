"""The site's Atom feed (RFC 4287): announcements of meetings to come, and every change as news.

Stage: outputs (documents), a part of ``meetctl site``. The feed's dates and ids come from the
programme, never from the clock, so the same input gives the same bytes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from meetctl.documents.environment import words
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence
from meetctl.model.wording import format_date, format_time

#: Entries in the Atom feed: announcements of meetings up to this far ahead, and every change to come.
FEED_AHEAD = timedelta(days=183)
#: A namespace for the feed's entry ids and page-name suffixes (uuid5 of the meeting's identity: stable across runs).
FEED_NAMESPACE = uuid.UUID("0f8a5a0e-4a3e-5a8e-9a51-6d6565746374")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def occurrence_key(o: Occurrence) -> tuple[str, str, str]:
    """What tells two occurrences apart: group, UID and start."""
    return (o.group.name, o.uid, o.start.isoformat())


def _xml_text(text: str) -> str:
    return _XML_UNSAFE.sub("", text)


def _atom_time(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


@dataclass
class _Entry:
    id: str
    title: str
    updated: datetime
    link: str
    summary: str


def feed_entries(
    items: Iterable[tuple[Occurrence, str]], link_of: Callable[[str], str], today: date, horizon: date
) -> list[_Entry]:
    """Announcements of meetings to come (up to ``horizon``) and an entry for every change to come.

    ``items`` are meetings with their page names; ``link_of`` makes a page's address.

    A cancellation or a move is an entry of its own, with its own id, so a feed reader shows it
    as news. An entry's date is when the meeting came within the feed's reach (its start less
    :data:`FEED_AHEAD`; a cancelled or moved one: a minute later), never after ``today``: it
    comes from the programme and ``today``, never from the clock, and is never in the future.
    """
    from meetctl.documents.structured import event_description

    latest = datetime.combine(today, time(), tzinfo=UTC)

    def dated(moment: datetime) -> datetime:
        return min(moment - FEED_AHEAD, latest)

    entries: list[_Entry] = []
    for o, name in items:
        if o.date < today:
            continue
        loc = o.group.locale
        key = "|".join(occurrence_key(o))
        when = f"{format_date(o.date, locale=loc)}, {format_time(o.start, loc)}"
        place = f" – {o.venue.name}" if o.venue else ""
        link = link_of(f"meetings/{name}.html")
        if o.date <= horizon and not o.cancelled:
            entries.append(
                _Entry(
                    f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, key)}",
                    f"{o.title} ({when})",
                    dated(o.start),
                    link,
                    " ".join(x for x in (f"{when}{place}.", event_description(o) or "") if x),
                )
            )
        if o.cancelled:
            why = f": {o.reason}" if o.reason else ""
            entries.append(
                _Entry(
                    f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, key + '|cancelled|' + (o.reason or ''))}",
                    f"{words(loc, 'Cancelled')}: {o.title} ({when})",
                    dated(o.start + timedelta(minutes=1)),
                    link,
                    f"{words(loc, 'Cancelled')}{why}",
                )
            )
        elif o.moved and o.recurrence_id is not None:
            was = format_date(o.recurrence_id.date(), locale=loc)
            entries.append(
                _Entry(
                    f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, key + '|moved|' + o.recurrence_id.isoformat())}",
                    f"{words(loc, 'Moved')}: {o.title} ({when})",
                    dated(o.start + timedelta(minutes=1)),
                    link,
                    words(loc, "Moved from %(date)s") % {"date": was} + f"; {when}{place}.",
                )
            )
    return entries


def atom_feed(programmes: Sequence[Programme], entries: Sequence[_Entry], base_url: str | None, today: date) -> bytes:
    """An Atom (RFC 4287) feed of ``entries``; its dates come from them (or from ``today``)."""
    import xml.etree.ElementTree as ET

    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)

    def sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
        element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            element.text = _xml_text(text)
        return element

    from meetctl.model.network import programmes_title

    names = programmes_title(programmes)
    feed = ET.Element(f"{{{ns}}}feed")
    sub(feed, "title", names)
    sub(feed, "id", f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, 'feed|' + names)}")
    latest = max((e.updated for e in entries), default=datetime.combine(today, time(), tzinfo=UTC))
    sub(feed, "updated", _atom_time(latest))
    sub(feed, "link", href=(base_url or "") + "index.html", rel="alternate", type="text/html")
    if base_url:
        sub(feed, "link", href=base_url + "feed.xml", rel="self", type="application/atom+xml")
    author = sub(feed, "author")
    sub(author, "name", names)
    sub(feed, "generator", "meetctl")
    for e in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", e.id)
        sub(entry, "title", e.title)
        sub(entry, "updated", _atom_time(e.updated))
        sub(entry, "link", href=e.link, rel="alternate", type="text/html")
        sub(entry, "summary", e.summary)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
