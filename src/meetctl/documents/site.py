"""The group's website (``meetctl site``): an index, a page per meeting, calendars, an Atom feed, flyers.

Stage: outputs (documents). Every page comes from a template in ``templates/site/`` (overridable
and escaped like every other document); structured data (schema.org ``Event`` JSON-LD),
links to add a meeting to a calendar, and the feed are made here. Pages are rendered and
handed to the writer one at a time, so memory does not grow with the number of meetings.
Nothing depends on the clock: ``today`` is a parameter, and the feed's dates come from the
programme, so the same input gives the same bytes.
"""

from __future__ import annotations

import functools
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

from meetctl.documents.environment import Templates, words
from meetctl.documents.feed import FEED_AHEAD, FEED_NAMESPACE, atom_feed, feed_entries, occurrence_key
from meetctl.documents.sitehorizon import horizon
from meetctl.documents.sitekeys import Keys, digest
from meetctl.documents.structured import event_description, postal_address
from meetctl.documents.views import group_view, meeting_view, period_words
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.network import programmes_title
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence
from meetctl.model.wording import slugify

#: The index lists past meetings of the last year and those of the coming year; others are on a page per year.
RECENT = timedelta(days=365)
AHEAD = timedelta(days=365)


class Writer(Protocol):
    """Where the site's files go (:class:`meetctl.outputfolders.FolderWriter`)."""

    count: int

    def write_pieces(self, relative: str, pieces: Iterable[bytes], key: str | None = None) -> None: ...

    def reuse(self, relative: str, key: str) -> bool: ...

    def section(self, name: str) -> None: ...


# --------------------------------------------------------------------------- addresses


def check_base_url(url: str | None, option: str = "--base-url") -> str | None:
    """The site's public address, ending in '/', or None; only http(s) addresses are accepted."""
    if url is None:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url.strip()):
        raise MeetctlError(Problem(f"{option}: {url!r} is not an http(s) address (https://example.org/meetings/)"))
    if parts.query or parts.fragment:
        raise MeetctlError(Problem(f"{option}: {url!r}: give the site's folder address, without ? or #"))
    text = url.strip()
    return text if text.endswith("/") else text + "/"


def site_base_url(option: str | None, programmes: Sequence[Programme]) -> str | None:
    """``--base-url``, else the (first) group's ``website``: where the site's pages will be read."""
    if option is not None:
        return check_base_url(option)
    for p in programmes:
        if p.group.website:
            return check_base_url(p.group.website, "group.website")
    return None


def page_names(items: Iterable[Occurrence], several_groups: bool) -> dict[tuple[str, str, str], str]:
    """Each occurrence's page name (no extension): ``2017-01-25-discussion`` (a series' meeting),
    ``2017-06-10-day-school`` (a one-off, from its title), with the group's slug first when
    the site has several groups. The name stays as long as the meeting's date, series (or
    title) stay, so links and QR codes on printed flyers keep working.
    """
    names: dict[tuple[str, str, str], str] = {}
    taken: set[str] = set()
    for o in items:
        name = f"{o.date.isoformat()}-{slugify(o.series.id if o.series else o.title, 40)}"
        if several_groups:
            name = f"{slugify(o.group.name, 30)}-{name}"
        if name in taken:  # two meetings of one kind on a day: the later one gets its UID's mark
            name = f"{name}-{uuid.uuid5(FEED_NAMESPACE, '|'.join(occurrence_key(o))).hex[:8]}"
        taken.add(name)
        names[occurrence_key(o)] = name
    return names


def meeting_page_url(programmes: Sequence[Programme], o: Occurrence, base_url: str | None) -> str | None:
    """The address of ``o``'s page on the site ``meetctl site`` writes at ``base_url`` (None without one)."""
    if base_url is None:
        return None
    from meetctl.model.schedule import occurrences

    several = len({p.group.name for p in programmes}) > 1
    # Names only clash within a day, so that day's meetings name it as the whole site does.
    names = page_names(occurrences(programmes, o.date, o.date), several)
    name = names.get(occurrence_key(o)) or page_names([o], several)[occurrence_key(o)]
    return f"{base_url}meetings/{name}.html"


def google_calendar_link(o: Occurrence, page_url: str | None) -> str:
    """A link that opens Google Calendar's "add event" form filled in with the meeting."""
    join = f"{words(o.group.locale, 'Join online:')} {o.online}" if o.online else None
    details = "\n\n".join(x for x in (o.description, join, page_url) if x)
    query = {
        "action": "TEMPLATE",
        "text": o.title,
        "dates": f"{o.start.astimezone(UTC):%Y%m%dT%H%M%SZ}/{o.end.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "ctz": o.group.timezone,
    }
    if details:
        query["details"] = details
    if o.venue and not o.venue.online_only:
        query["location"] = ", ".join(x for x in (o.venue.name, o.venue.address) if x)
    elif o.online:
        query["location"] = o.online
    return "https://calendar.google.com/calendar/render?" + urlencode(query, quote_via=quote)


def map_link(address: str | None) -> str | None:
    """An OpenStreetMap search for ``address`` (None without one)."""
    if not address:
        return None
    return "https://www.openstreetmap.org/search?" + urlencode({"query": address}, quote_via=quote)


def webcal_link(url: str | None) -> str | None:
    """``https://host/calendar.ics`` as ``webcal://host/calendar.ics`` (calendar apps subscribe to it)."""
    if not url:
        return None
    return "webcal://" + url.split("://", 1)[1]


# --------------------------------------------------------------------------- structured data


def event_jsonld(o: Occurrence, url: str) -> dict[str, Any]:
    """A schema.org ``Event`` for one occurrence (what search engines and aggregators read)."""
    status = "EventScheduled"
    if o.cancelled:
        status = "EventCancelled"
    elif o.moved:
        status = "EventRescheduled"
    event: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": o.title,
        "startDate": o.start.isoformat(),
        "endDate": o.end.isoformat(),
        "eventStatus": f"https://schema.org/{status}",
        "eventAttendanceMode": f"https://schema.org/{attendance_mode(o)}",
        "url": url,
        "identifier": o.uid,
        "organizer": {"@type": "Organization", "name": o.group.name},
    }
    if o.moved and o.recurrence_id is not None:
        event["previousStartDate"] = o.recurrence_id.isoformat()
    description = event_description(o)
    if description:
        event["description"] = description
    if o.series:
        event["superEvent"] = {"@type": "EventSeries", "name": o.series.title}
    if o.group.website:
        event["organizer"]["url"] = o.group.website
    locations: list[dict[str, Any]] = []
    if o.venue and not o.venue.online_only:
        place: dict[str, Any] = {"@type": "Place", "name": o.venue.name}
        if o.venue.address:
            place["address"] = postal_address(o.venue.address)
        locations.append(place)
    if o.online:
        locations.append({"@type": "VirtualLocation", "url": o.online})
    if locations:
        event["location"] = locations[0] if len(locations) == 1 else locations
    return event


def attendance_mode(o: Occurrence) -> str:
    """schema.org's attendance mode: in a room, online only, or both (hybrid)."""
    in_person = o.venue is not None and not o.venue.online_only
    if o.online and in_person:
        return "MixedEventAttendanceMode"
    if o.online:
        return "OnlineEventAttendanceMode"
    return "OfflineEventAttendanceMode"


def script_json(data: Any) -> Any:
    """``data`` as JSON safe inside ``<script>``: no programme text can close the element or open a comment."""
    from markupsafe import Markup

    text = _indented_json(data, "\n")
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _indented_json(data: Any, newline: str) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=1)``, byte for byte, at C speed: with an indent
    the standard library falls back to its Python encoder (a fifth of a big site's time)."""
    if isinstance(data, dict) and data:
        inner = newline + " "
        items = (json.dumps(str(k), ensure_ascii=False) + ": " + _indented_json(v, inner) for k, v in data.items())
        return "{" + inner + ("," + inner).join(items) + newline + "}"
    if isinstance(data, list | tuple) and data:
        inner = newline + " "
        return "[" + inner + ("," + inner).join(_indented_json(v, inner) for v in data) + newline + "]"
    return json.dumps(data, ensure_ascii=False)


def report_html(path: Path) -> Any:
    """A meeting's report (Markdown, from ``reports/``) as HTML: raw HTML in it is shown as text,
    images are not loaded, and only safe links are made (markdown-it's CommonMark, html off).
    """
    from markdown_it import MarkdownIt
    from markdown_it.common.utils import escapeHtml
    from markupsafe import Markup

    def image_as_link(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        # A reader's browser fetches nothing it was not asked to: an image becomes a link to it.
        token = tokens[idx]
        label = renderer.renderInlineAsText(token.children or [], options, env) or token.attrGet("src")
        return f'<a href="{escapeHtml(str(token.attrGet("src") or ""))}">{escapeHtml(str(label))}</a>'

    md = MarkdownIt("commonmark", {"html": False})
    md.add_render_rule("image", image_as_link)
    tokens = md.parse(path.read_text(encoding="utf-8", errors="replace"))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):  # the report sits under the page's h2
            token.tag = f"h{min(6, int(token.tag[1]) + 2)}"
    return Markup(md.renderer.render(tokens, md.options, {}))


# --------------------------------------------------------------------------- the site


@dataclass
class SiteResult:
    """What was written: counts for the summary line."""

    pages: int
    flyers: int
    files: int


@dataclass
class _Item:
    """A meeting on the site: its page name, its key (what its page is made from), its view once made."""

    o: Occurrence
    name: str
    key: str = ""
    view: dict[str, Any] | None = None

    def meeting_view(self) -> dict[str, Any]:
        """The meeting as templates see it, made once (a page and a listing row share it)."""
        if self.view is None:
            self.view = meeting_view(self.o)
        return self.view


class _Site:
    """The pages of one site: names, links and shared context, rendered one at a time."""

    def __init__(
        self,
        templates: Templates,
        programmes: Sequence[Programme],
        today: date,
        base_url: str | None,
    ) -> None:
        self.templates = templates
        self.programmes = programmes
        self.today = today
        self.base_url = base_url
        self.groups = list({p.group.name: group_view(p) for p in programmes}.values())
        self.several = len(self.groups) > 1
        self.lang = self.groups[0]["lang"] if self.groups else "en"
        # The network's name (network.toml), else the groups' (the network is first: see with_network).
        self.title = programmes_title(programmes)
        self.near, self.far = horizon(today)
        self._links = {root: self.site_links(root) for root in ("", "../")}
        self._group_views = {id(p): group_view(p) for p in programmes}
        self.keys = Keys(programmes, templates.group_dirs, (base_url, self._links, self.groups, self.near, self.far))

    def within_horizon(self, o: Occurrence) -> bool:
        """Whether the site shows ``o``: past meetings, and those within the horizon (see :func:`horizon`)."""
        if o.series is not None and o.series.until is None:
            return o.date <= self.near
        return o.date <= self.far

    def meetings(self, first: date, last: date, newest_first: bool = False) -> Iterator[tuple[Occurrence, str]]:
        """The meetings shown from ``first`` to ``last`` with their page names."""
        for _, items in self.years(first, last, newest_first):
            for item in items:
                yield item.o, item.name

    def years(self, first: date, last: date, newest_first: bool = False) -> Iterator[tuple[int, list[_Item]]]:
        """The meetings shown from ``first`` to ``last``, a year at a time (memory stays flat
        however long the programme), each year expanded once."""
        from meetctl.model.schedule import occurrences

        spans = []
        lo = first
        while lo <= last:
            hi = min(date(lo.year, 12, 31), last)
            spans.append((lo, hi))
            lo = hi + timedelta(days=1)
        for lo, hi in reversed(spans) if newest_first else spans:
            chunk = occurrences(self.programmes, lo, hi)
            # Names only clash within a day, and a year holds whole days: the same names as all at once.
            names = page_names(chunk, self.several)
            items = [_Item(o, names[occurrence_key(o)]) for o in chunk if self.within_horizon(o)]
            yield lo.year, items[::-1] if newest_first else items

    def page(self, name: str) -> str:
        return f"meetings/{name}.html"

    def url(self, relative: str) -> str:
        """An address for structured data and the feed: absolute with a base URL, else relative."""
        return (self.base_url or "") + relative

    def group_page(self, name: str) -> str:
        return f"group-{slugify(name, 40)}.html" if self.several else "index.html"

    def site_links(self, root: str) -> dict[str, Any]:
        calendar = self.url("calendar.ics") if self.base_url else None
        return {
            "root": root,
            "index": root + "index.html",
            "calendar": root + "calendar.ics",
            "webcal": webcal_link(calendar),
            "feed": root + "feed.xml",
            "style": root + "style.css",
            "title": self.title,
            "several_groups": self.several,
            "groups": [{"name": g["name"], "href": root + self.group_page(g["name"])} for g in self.groups],
            "lang": self.lang,
        }

    def row(self, item: _Item, root: str) -> dict[str, Any]:
        """A meeting as a row of a listing: its words and its page."""
        o = item.o
        view = dict(item.view or meeting_view(o))  # the page's view if still held; never kept for a row
        view["href"] = root + self.page(item.name)
        view["month"] = period_words(o.date, o.date, o.group.locale)
        view["group_name"] = o.group.name
        view["start_iso"] = o.start.isoformat()
        view["end_iso"] = o.end.isoformat()
        view["past"] = o.date < self.today
        view["report"] = view["past"] and default_report(o) is not None
        return view

    def listing(
        self,
        heading: str,
        group: str | None,
        upcoming: Sequence[_Item] | None,
        past: Sequence[_Item] | None,
        archive: Sequence[tuple[int, str]] = (),
        later: Sequence[tuple[int, str]] = (),
    ) -> Iterator[bytes]:
        """A listing page, streamed: meetings ``upcoming`` (by month, with JSON-LD) and
        ``past`` (newest first) of ``group`` (None: every group)."""
        import itertools

        def months() -> Iterator[dict[str, Any]]:
            assert upcoming is not None
            rows = (self.row(item, "") for item in upcoming)
            for name, group_rows in itertools.groupby(rows, key=lambda r: r["month"]):
                yield {"name": name, "meetings": group_rows}

        def events() -> Iterator[Any]:
            assert upcoming is not None
            for item in upcoming:
                yield script_json(event_jsonld(item.o, self.url(self.page(item.name))))

        shown = next((g for g in self.groups if g["name"] == group), self.groups[0]) if self.groups else {}
        # The combined index of groups with no network speaks for none of them.
        own = group is not None or not self.several or shown.get("network")
        chunks = self.templates.render_stream(
            "site/index.html.j2",
            site=self._links[""],
            group=shown,
            heading=heading,
            intro=(shown.get("description") or shown.get("welcome")) if own else None,
            show_group=self.several and group is None,
            months=months() if upcoming is not None else None,
            past=(self.row(item, "") for item in past) if past else None,
            archive=[{"year": y, "href": href} for y, href in archive],
            later=[{"year": y, "href": href} for y, href in later],
            jsonld=events() if upcoming is not None else None,
        )
        return (chunk.encode("utf-8") for chunk in chunks)

    def put_listing(self, writer: Writer, relative: str, heading: str, group: str | None,
                    upcoming: Sequence[_Item] | None, past: Sequence[_Item] | None,
                    archive: Sequence[tuple[int, str]] = (),
                    later: Sequence[tuple[int, str]] = ()) -> None:  # fmt: skip
        """Write a listing page, or keep the old one when neither it nor any of its meetings changed."""
        key = self.keys.listing(
            relative, heading, group, upcoming is None, past is None, archive, later,
            items=[i.key for i in upcoming or ()] + ["|"] + [i.key for i in past or ()],
        )  # fmt: skip
        if not writer.reuse(relative, key):
            writer.write_pieces(relative, self.listing(heading, group, upcoming, past, archive, later), key)

    def meeting_page(self, item: _Item, flyer: str | None) -> bytes:
        o, name = item.o, item.name
        root = "../"
        url = self.url(self.page(name))
        report = default_report(o)
        address = o.venue.address if o.venue else None
        html = self.templates.render(
            "site/meeting.html.j2",
            site=self._links[root],
            group=self._group_views[id(o.programme)],
            group_href=root + self.group_page(o.group.name),
            meeting=item.meeting_view(),
            start_iso=o.start.isoformat(),
            end_iso=o.end.isoformat(),
            past=o.date < self.today,
            links={
                "ics": f"{name}.ics",
                "google": google_calendar_link(o, url if self.base_url else None),
                "map": map_link(address),
                "flyer": f"{root}{flyer}" if flyer else None,
                "canonical": url if self.base_url else None,
            },
            report=report_html(report) if report is not None else None,
            jsonld=script_json(event_jsonld(o, url)),
        )
        return html.encode("utf-8")


def default_report(o: Occurrence) -> Path | None:
    """The report written up for ``o`` in ``reports/`` beside its programme, if there is one."""
    from meetctl.documents.reports import default_reports_dir

    folder = default_reports_dir(o)
    name = f"{o.date.isoformat()}-{slugify(o.title)}.md"  # as `meetctl report` names it
    return folder / name if name in _reports_in(str(folder)) else None


@functools.lru_cache(maxsize=16)
def _reports_in(folder: str) -> frozenset[str]:
    # Read the folder once, not once per meeting (a site has thousands of meetings, a few reports).
    try:
        return frozenset(e.name for e in os.scandir(folder) if e.is_file())
    except OSError:
        return frozenset()


def build_site(
    writer: Writer,
    templates: Templates,
    programmes: Sequence[Programme],
    window: tuple[date, date],
    today: date,
    base_url: str | None,
    calendar: bytes,
    flyer_count: int = 0,
    make_flyer: Callable[[Occurrence, str | None], bytes] | None = None,
    flyer_source: Callable[[Occurrence, str | None], str] | None = None,
) -> SiteResult:
    """Write the whole site through ``writer``, one file at a time.

    ``window`` (first and last date, :func:`site_window`) holds the meetings the site
    covers; ``calendar`` is the programme's ``meetctl ical``; flyers (``make_flyer(occurrence,
    page_url)``) are made for the next ``flyer_count`` meetings to come that are not
    cancelled, and kept from the last run when ``flyer_source`` (the flyer's HTML) is the
    same. Meetings are read a year at a time, each year once, and pages written as they
    are rendered, so memory does not grow with the number of meetings. A page whose key
    (:mod:`meetctl.documents.sitekeys`) is the last run's is kept, not rendered again.
    """
    _reports_in.cache_clear()  # a report written since an earlier build in this process counts
    site = _Site(templates, programmes, today, base_url)
    first, last = window
    pages = made = 0

    writer.section("site")
    writer.write_pieces("style.css", [templates.render("site/style.css.j2").encode("utf-8")])
    writer.write_pieces("calendar.ics", [calendar])

    # Flyers first: meeting pages link only to flyers that exist.
    flyers: set[tuple[str, str, str]] = set()
    if make_flyer is not None and flyer_count and today <= last:
        for o, name in site.meetings(today, last):
            if len(flyers) == flyer_count:
                break
            if o.cancelled:
                continue
            relative, url = f"flyers/{name}.pdf", site.url(site.page(name)) if base_url else None
            key = digest(site.keys.site, flyer_source(o, url)) if flyer_source is not None else None
            if key is None or not writer.reuse(relative, key):
                writer.write_pieces(relative, [make_flyer(o, url)], key)
            flyers.add(occurrence_key(o))
            made += 1

    # The index has the coming year (by month) and the past year (newest first), so it stays a page
    # a phone can load; earlier and later meetings have a page per year, for the years that have any.
    recent, ahead = max(first, today - RECENT), today + AHEAD
    groups = [g["name"] for g in site.groups]
    listed = groups if site.several else [None]
    in_index: list[_Item] = []  # the index's meetings (at most two years), met on the way
    archive: dict[str | None, list[int]] = {g: [] for g in listed}
    later: dict[str | None, list[int]] = {g: [] for g in listed}
    entries = []
    for year, items in site.years(first, last):
        writer.section(str(year))
        for item in items:
            o = item.o
            flyer = f"flyers/{item.name}.pdf" if occurrence_key(o) in flyers else None
            item.key = site.keys.meeting(o, item.name, flyer, o.date < today, default_report(o))
            page = site.page(item.name)
            if not writer.reuse(page, item.key):
                writer.write_pieces(page, [site.meeting_page(item, flyer)], item.key)
            ics = f"meetings/{item.name}.ics"
            if not writer.reuse(ics, item.key):
                writer.write_pieces(ics, [occurrence_calendar(o)], item.key)
            pages += 1
            if recent <= o.date <= ahead:
                in_index.append(item)
        entries += feed_entries(((i.o, i.name) for i in items), site.url, today, min(last, today + FEED_AHEAD))
        for group in listed:
            mine = _of_group(items, group)
            title = group or (groups[0] if groups else "")
            prefix = "" if group is None else site.group_page(group).removesuffix(".html") + "-"
            before = [i for i in mine if i.o.date < recent]
            after = [i for i in mine if i.o.date > ahead]
            if before:
                site.put_listing(writer, f"{prefix}past-{year}.html", f"{title}: {year}", group, None, before[::-1])
                archive[group].append(year)
                pages += 1
            if after:
                site.put_listing(writer, f"{prefix}later-{year}.html", f"{title}: {year}", group, after, None)
                later[group].append(year)
                pages += 1
        for item in items:
            item.view = None  # the index's rows remake theirs: memory holds one year of views, not two

    writer.section("index")
    to_come = [i for i in in_index if i.o.date >= today]  # empty when the programme has ended
    lately = [i for i in reversed(in_index) if i.o.date < today]
    for group in listed:
        prefix = "" if group is None else site.group_page(group).removesuffix(".html") + "-"
        title = group or (groups[0] if groups else "")
        site.put_listing(writer, site.group_page(group) if group else "index.html", title, group,
                         _of_group(to_come, group),
                         _of_group(lately, group) if recent < today and recent <= last else None,
                         [(y, f"{prefix}past-{y}.html") for y in reversed(archive[group])],
                         [(y, f"{prefix}later-{y}.html") for y in later[group]])  # fmt: skip
        pages += 1
    if site.several:
        site.put_listing(writer, "index.html", site.title, None, to_come, None)
        pages += 1

    writer.write_pieces("feed.xml", [atom_feed(programmes, entries, base_url, today)])
    return SiteResult(pages=pages, flyers=made, files=writer.count)


def _of_group(items: Sequence[_Item], group: str | None) -> list[_Item]:
    return [i for i in items if group is None or i.o.group.name == group]


def occurrence_calendar(o: Occurrence) -> bytes:
    """One meeting as its own small calendar (the page's "add to calendar" file)."""
    from meetctl.calendars.export import single_event_calendar

    return single_event_calendar(o)
