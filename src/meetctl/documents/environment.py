"""Documents made from the programme: flyers (HTML and PDF), announcements, report stubs.

Every document comes from a Jinja2 template. The shipped ones live in
``meetctl/templates/``; a group overrides any of them with a file of the same name
in a ``templates/`` folder beside its programme (or ``--templates DIR``), and can
extend a shipped one as ``builtin/NAME``.

Escaping follows the template's format, so a group's own template cannot forget
it: ``*.html.j2`` templates are autoescaped for HTML, ``*.md.j2`` ones escape
Markdown (and inline HTML), ``*.txt.j2`` ones are plain text. Fixed words go
through ``_()``: with a ``group.locale`` (or ``--locale``) whose language has a
catalogue in ``meetctl/locales/`` (Catalan, French), they are translated; dates
and times follow the locale in any language Babel knows.

Selection (which meeting, which window) is pure: today is always a parameter.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from meetctl.model.errors import Location, MeetctlError, Problem, did_you_mean
from meetctl.model.programme import Programme, Venue
from meetctl.model.rules import MONTH_NAMES, join_words
from meetctl.model.rulewords import describe_rule
from meetctl.model.schedule import Occurrence, occurrences, overlaps, sessions_of
from meetctl.model.wording import format_date, format_date_range, format_short_date, format_time, slugify

#: The folder of templates shipped with meetctl.
BUILTIN_DIR = Path(__file__).resolve().parent / "templates"

#: Paper sizes for flyers: CSS ``@page size`` and the page in millimetres (width, height).
PAPERS: dict[str, tuple[str, tuple[float, float]]] = {
    "a4": ("A4", (210.0, 297.0)),
    "a5": ("A5", (148.0, 210.0)),
    "letter": ("letter", (215.9, 279.4)),
}

FORMATS = {"text": "txt", "markdown": "md", "html": "html"}


# --------------------------------------------------------------------------- templates


def builtin_templates() -> list[str]:
    """The names of the templates shipped with meetctl, sorted."""
    return sorted(p.name for p in BUILTIN_DIR.iterdir() if p.is_file() and p.name.endswith(".j2"))


def template_dirs(option: Path | None, programme_paths: Sequence[str | Path]) -> list[Path]:
    """Where a group's own templates are: ``--templates DIR``, else ``templates/`` beside the programme.

    The folder beside the programme is optional; one named with ``--templates`` must exist.
    """
    if option is not None:
        if not option.is_dir():
            raise MeetctlError.at(Location(str(option)), "no such templates folder")
        return [option]
    if programme_paths:
        first = Path(programme_paths[0])
        folder = (first if first.is_dir() else first.parent) / "templates"
        if folder.is_dir():
            return [folder]
    return []


def default_templates_folder(option: Path | None, programme_paths: Sequence[str | Path]) -> Path:
    """The folder ``templates copy`` writes to (created if needed)."""
    if option is not None:
        return option
    first = Path(programme_paths[0]) if programme_paths else Path("programme.toml")
    return (first if first.is_dir() else first.parent) / "templates"


def markdown_escape(text: str) -> str:
    """Programme text made literal in Markdown: no emphasis, links, headings or raw HTML."""
    text = re.sub(r"([\\`*_\[\]<|~])", r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)  # "&amp;" would otherwise show as "&"
    # Block syntax only counts at the start of a line.
    text = re.sub(r"(?m)^(\s*)([#>+=-])", r"\1\\\2", text)
    return re.sub(r"(?m)^(\s*\d+)([.)])(?=\s|$)", r"\1\\\2", text)


def wrap(text: str, width: int = 72) -> str:
    """Text wrapped for mail at ``width`` columns, never breaking a word, an address or a URL."""
    import textwrap

    paragraphs = str(text).split("\n")
    return "\n".join(
        textwrap.fill(p, width, break_long_words=False, break_on_hyphens=False) for p in paragraphs
    )


def _upfirst(text: str) -> str:
    """'last Wednesday of every month' -> 'Last Wednesday of every month' (unlike |capitalize)."""
    return text[:1].upper() + text[1:]


#: Translation catalogues of the templates' fixed words, one ``LANG.po`` per language, read from source.
LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def shipped_languages() -> list[str]:
    """The languages the templates' fixed words are translated into (besides English)."""
    return sorted(p.stem for p in LOCALES_DIR.glob("*.po"))


def translations(locale: str | None) -> Any:
    """A gettext translations object for ``locale`` (English words when none is shipped)."""
    import gettext

    from meetctl.model.wording import uses_babel

    if not locale or not uses_babel(locale):
        return gettext.NullTranslations()
    language = locale.replace("-", "_").split("_")[0].lower()
    path = LOCALES_DIR / f"{language}.po"
    if not path.is_file():
        return gettext.NullTranslations()
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        catalog = read_po(f)
    messages = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}
    return _Catalogue(messages)


def with_locale(programmes: Sequence[Programme], locale: str | None) -> list[Programme]:
    """The programmes as documents should speak them: ``--locale`` over each ``group.locale``.

    An unknown locale is an error at ``--locale`` or at the group's ``locale`` key.
    """
    from dataclasses import replace

    from meetctl.model.wording import check_locale

    if locale:
        try:
            check_locale(locale)
        except ValueError as exc:
            raise MeetctlError(Problem(f"--locale: {exc}")) from None
        return [replace(p, group=replace(p.group, locale=locale)) for p in programmes]
    for p in programmes:
        if p.group.locale:
            try:
                check_locale(p.group.locale)
            except ValueError as exc:
                raise MeetctlError.at(p.locate(("group", "locale")), f"group.locale: {exc}") from None
    return list(programmes)


def words(locale: str | None, message: str) -> str:
    """A fixed phrase made in code (not in a template), translated like the templates' words."""
    return _gettext_for(locale)(message)


@functools.cache
def _gettext_for(locale: str | None) -> Any:
    return translations(locale).gettext


class _Catalogue:
    """Just enough of gettext's interface for Jinja2's i18n extension."""

    def __init__(self, messages: dict[str, str]) -> None:
        self.messages = messages

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class Templates:
    """The Jinja2 environments (one per output format) over the group's and the shipped templates."""

    def __init__(self, group_dirs: Sequence[Path] = (), locale: str | None = None) -> None:
        self.group_dirs = list(group_dirs)
        self.locale = locale
        self._envs: dict[str, Any] = {}

    def _environment(self, kind: str) -> Any:
        if kind in self._envs:
            return self._envs[kind]
        import jinja2
        from markupsafe import Markup

        builtin = jinja2.FileSystemLoader(str(BUILTIN_DIR))
        loader = jinja2.ChoiceLoader(
            [
                *(jinja2.FileSystemLoader(str(d)) for d in self.group_dirs),
                jinja2.PrefixLoader({"builtin": builtin}),
                builtin,
            ]
        )

        def finalize(value: Any) -> Any:
            if value is None:
                return ""
            if kind == "markdown" and isinstance(value, str) and not isinstance(value, Markup):
                return markdown_escape(value)
            return value

        env = jinja2.Environment(
            loader=loader,
            # CSS is included raw inside <style>; everything else in an HTML document is escaped.
            autoescape=(lambda name: not (name or "").endswith(".css.j2")) if kind == "html" else False,
            undefined=jinja2.StrictUndefined,  # a typo in a group's template is an error, not a blank
            finalize=finalize,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
            bytecode_cache=_bytecode_cache(kind),
        )
        # Compiled templates call gettext at render time, so the bytecode cache is shared by all languages.
        env.install_gettext_translations(translations(self.locale), newstyle=True)  # type: ignore[attr-defined]
        env.filters["upfirst"] = _upfirst
        env.filters["wrap"] = wrap
        env.globals["format_date"] = format_date
        env.globals["format_time"] = format_time
        self._envs[kind] = env
        return env

    def render(self, name: str, **context: Any) -> str:
        """Render template ``name``; a broken template is a MeetctlError at its file and line."""
        import jinja2

        kind = "html" if name.endswith(".html.j2") else "markdown" if name.endswith(".md.j2") else "text"
        env = self._environment(kind)
        try:
            return env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            where = Location(exc.filename or exc.name or name, exc.lineno)
            raise MeetctlError.at(where, f"template error: {exc.message}") from None
        except Exception as exc:  # a group's template is user input: any failure is theirs to fix
            raise MeetctlError(_template_problem(exc, name, [*self.group_dirs, BUILTIN_DIR])) from None


def _bytecode_cache(kind: str) -> Any:
    """Compiled templates kept in the user's cache folder: a run skips Jinja's compiler (~20 ms).

    Jinja checks each template's source checksum, so an edited template is recompiled.
    Compiled code depends on the environment too (autoescaping is decided at compile
    time), so each output format and each meetctl version has its own folder: a
    template included from both an HTML and a text template is never run with the
    other's escaping. ``MEETCTL_CACHE_DIR`` moves the folder; an unwritable one only
    costs speed.
    """
    import jinja2

    from meetctl import __version__

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    try:
        from platformdirs import user_cache_dir

        base = Path(os.environ.get("MEETCTL_CACHE_DIR") or user_cache_dir("meetctl"))
        folder = base / "templates" / f"{__version__}-{kind}"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return QuietCache(str(folder))


def _template_problem(exc: BaseException, name: str, dirs: Sequence[Path]) -> Problem:
    import jinja2

    # Jinja rewrites tracebacks so template frames carry the template's file and line;
    # the innermost frame from a templates folder is where the problem is.
    folders = [os.path.abspath(d) + os.sep for d in dirs]
    where = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if any(os.path.abspath(filename).startswith(f) for f in folders):
            where = Location(filename, tb.tb_lineno)
        tb = tb.tb_next
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: {exc.name}"
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"template error: {exc.message}"
    else:
        message = f"template error: {type(exc).__name__}: {exc}"
    return Problem(message, where or Location(name))


# --------------------------------------------------------------------------- what templates see


def venue_view(venue: Venue | None) -> dict[str, Any] | None:
    """A venue for templates: ``name``, ``address``, ``directions``, ``accessibility``, ``id``."""
    if venue is None:
        return None
    return {
        "id": venue.id,
        "name": venue.name,
        "address": venue.address,
        "directions": venue.directions,
        "accessibility": venue.accessibility,
    }


def group_view(programme: Programme) -> dict[str, Any]:
    """The group for templates: ``name``, ``email``, ``website``, ``welcome``, ``mailing_list``."""
    g = programme.group
    return {
        "name": g.name,
        "timezone": g.timezone,
        "email": g.email,
        "mailing_list": g.mailing_list,
        "website": g.website,
        "welcome": g.welcome,
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
        "time_words": (
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
        "group": group_view(o.programme),
        "zone": o.start.tzname(),
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


def term_context(programmes: Sequence[Programme], items: Sequence[Occurrence]) -> dict[str, Any]:
    """What a term flyer or an announcement sees: ``group``, ``groups``, ``names``, ``series``, ``meetings``..."""
    groups = []
    for p in programmes:
        if p.group.name not in [g["name"] for g in groups]:
            groups.append(group_view(p))
    return {
        "group": groups[0],
        "groups": groups,
        # Several programmes at once (-f a folder): say whose each meeting is, and in which zone.
        "names": join_words([g["name"] for g in groups]),
        "several_groups": len(groups) > 1,
        "several_zones": len({g["timezone"] for g in groups}) > 1,
        "series": series_views(items),
        "meetings": [meeting_view(o) for o in items],
        "period": period_words(items[0].date, items[-1].date, programmes[0].group.locale) if items else "",
        "first": items[0].date if items else None,
        "last": items[-1].date if items else None,
    }


# --------------------------------------------------------------------------- choosing meetings


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months (the 31st becomes the month's last day)."""
    from dateutil.relativedelta import relativedelta

    return day + relativedelta(months=months)


def term_window(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """--from/--to for a term: by default from today (or --from), three months ahead."""
    first = first or today
    last = last or add_months(first, 3) - timedelta(days=1)
    if last < first:
        raise MeetctlError(Problem(f"--to {last} is before --from {first}"))
    return first, last


def term_meetings(programmes: Sequence[Programme], first: date, last: date) -> list[Occurrence]:
    """The meetings of a term (cancelled ones included, marked); an empty term is an error."""
    items = occurrences(programmes, first, last)
    if not items:
        raise MeetctlError(Problem(f"no meetings from {first} to {last}"))
    return items


def _label(o: Occurrence) -> str:
    return f"'{o.title}'" + (f" (series {o.series.id})" if o.series else "")


def meeting_on(programmes: Sequence[Programme], day: date, series: str | None = None) -> Occurrence:
    """The meeting on ``day`` (of ``series`` if given); an error says what there is instead."""
    items = occurrences(programmes, day, day)
    if series is not None:
        known = {s.id for p in programmes for s in p.series}
        if series not in known:
            raise MeetctlError(Problem(f"--series: unknown series '{series}'{did_you_mean(series, known)}"))
        items = [o for o in items if o.series is not None and o.series.id == series]
    if len(items) == 1:
        return items[0]
    if not items:
        after = occurrences(programmes, day + timedelta(days=1), day + timedelta(days=366))
        before = occurrences(programmes, day - timedelta(days=366), day - timedelta(days=1))
        near = [f"the one before is on {before[-1].date}"] if before else []
        near += [f"the next is on {after[0].date}"] if after else []
        hint = f" ({'; '.join(near)})" if near else ""
        raise MeetctlError(Problem(f"no meeting on {day}{hint}"))
    names = ", ".join(_label(o) for o in items)
    raise MeetctlError(Problem(f"{len(items)} meetings on {day}: {names}; choose one with --series ID"))


def latest_started(programmes: Sequence[Programme], now: datetime, years: int = 10) -> Occurrence:
    """The most recent meeting (not cancelled) that has started by ``now``."""
    span = 366
    while True:
        first = now.date() - timedelta(days=span)
        found = [o for o in occurrences(programmes, first, now.date()) if not o.cancelled and o.start <= now]
        if found:
            return found[-1]
        if span > years * 366:
            raise MeetctlError(Problem(f"no meeting before {now.date()} to report on; give a DATE"))
        span *= 4


def previous_in_series(o: Occurrence) -> Occurrence | None:
    """The meeting of the same series held before ``o`` (cancelled ones skipped)."""
    if o.series is None:
        return None
    earlier = occurrences(o.programme, o.series.from_date, o.date)
    same = [x for x in earlier if x.series is o.series and not x.cancelled and x.start < o.start]
    return same[-1] if same else None


def _same(a: Occurrence, b: Occurrence) -> bool:
    return a.uid == b.uid and a.date == b.date


def following(programmes: Sequence[Programme], o: Occurrence, years: int = 2) -> Occurrence | None:
    """The next meeting (not cancelled) that starts after ``o``."""
    later = occurrences(programmes, o.date, o.date + timedelta(days=366 * years))
    for x in later:
        if not x.cancelled and x.start > o.start and not _same(x, o):
            return x
    return None


# --------------------------------------------------------------------------- documents


def flyer_html(
    templates: Templates,
    programmes: Sequence[Programme],
    items: Sequence[Occurrence],
    paper: str,
    term: bool,
) -> str:
    """A flyer as HTML with print CSS for ``paper``: one meeting, or a term (``term=True``)."""
    css_size, (width, height) = PAPERS[paper]
    context: dict[str, Any] = {
        "paper": {"name": paper, "css": css_size, "width_mm": width, "height_mm": height},
    }
    if term:
        context.update(term_context(programmes, items))
        return templates.render("term-flyer.html.j2", **context)
    (o,) = items
    context.update(group=group_view(o.programme), meeting=meeting_view(o))
    return templates.render("flyer.html.j2", **context)


def html_to_pdf(html: str, base_url: Path) -> bytes:
    """The PDF WeasyPrint makes of ``html`` (relative links resolve against ``base_url``)."""
    import logging

    import weasyprint

    # WeasyPrint logs every CSS property it skips; that is noise for a flyer's user.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # fontTools stamps embedded font subsets with the current time unless SOURCE_DATE_EPOCH
    # (the reproducible-builds convention) is set; same input, same PDF.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    document = weasyprint.HTML(string=html, base_url=str(base_url.resolve()) + os.sep)
    return document.write_pdf()


def announcement(templates: Templates, programmes: Sequence[Programme], items: Sequence[Occurrence], fmt: str) -> str:
    """The post that announces a term, in ``text``, ``markdown`` or ``html``."""
    return templates.render(f"announce.{FORMATS[fmt]}.j2", **term_context(programmes, items))


class Clash(NamedTuple):  # a small value: see errors.Location
    """Something else on at the same time as a meeting, in words."""

    title: str
    where: str
    when: str

    def words(self) -> str:
        return f"{self.title} ({self.where}), {self.when}"


def _span_words(start: datetime, end: datetime, zone: Any, loc: str | None = None) -> str:
    start, end = start.astimezone(zone), end.astimezone(zone)
    if start.date() == end.date():
        return words(loc, "%(start)s to %(end)s") % {"start": format_time(start, loc), "end": format_time(end, loc)}
    first, last = format_date(start.date(), locale=loc), format_date(end.date(), locale=loc)
    return words(loc, "%(start)s to %(end)s") % {
        "start": f"{first} {format_time(start, loc)}",
        "end": f"{last} {format_time(end, loc)}",
    }


def clashes_within(programmes: Sequence[Programme], o: Occurrence) -> list[Clash]:
    """Other meetings in the loaded programmes that overlap ``o``."""
    around = occurrences(programmes, o.date - timedelta(days=1), o.end_date)
    out = []
    for a, b in overlaps(around):
        other = b if _same(a, o) else a if _same(b, o) else None
        if other is not None:
            when = _span_words(other.start, other.end, o.start.tzinfo, o.group.locale)
            out.append(Clash(other.title, other.group.name, when))
    return out


def clashes_with(o: Occurrence, sources: Sequence[str]) -> list[Clash]:
    """Events in other calendars (``.ics`` files, URLs, programme files) that overlap ``o``."""
    from meetctl.calendars.clashes import find_clashes
    from meetctl.calendars.reading import load_events

    events = [e for source in sources for e in load_events(source, o.date, o.end_date)]
    out = []
    for c in find_clashes([o], events):
        e = c.event
        loc = o.group.locale
        when = words(loc, "all day") if e.all_day else _span_words(e.start, e.end, o.start.tzinfo, loc)
        out.append(Clash(e.title, e.source, when))
    return out


def attendance_words(o: Occurrence, previous: Occurrence | None) -> dict[str, Any]:
    """Attendance and its change against the previous meeting of the series, in words."""
    count = o.meeting.attendance if o.meeting else None
    before = previous.meeting.attendance if previous and previous.meeting else None
    change = None
    if count is not None and previous is not None:
        when = format_date(previous.date, locale=o.group.locale)
        if before is None:
            change = f"no attendance was recorded at the previous meeting ({when})"
        elif count == before:
            change = f"the same as at the previous meeting, {when}"
        else:
            direction = "up" if count > before else "down"
            change = f"{direction} {abs(count - before)} on {before} at the previous meeting, {when}"
    return {"count": count, "previous": before, "change": change}


def report_markdown(
    templates: Templates,
    programmes: Sequence[Programme],
    o: Occurrence,
    clashes: Sequence[Clash] = (),
) -> str:
    """The Markdown stub for writing up meeting ``o`` (a cancelled one has nothing to write up)."""
    from markupsafe import Markup

    if o.cancelled:
        why = f" ({o.reason})" if o.reason else ""
        raise MeetctlError(Problem(f"the meeting on {o.date} was cancelled{why}: nothing to report"))

    previous = previous_in_series(o)
    nxt = following(programmes, o)
    return templates.render(
        "report.md.j2",
        group=group_view(o.programme),
        meeting=meeting_view(o),
        attendance=attendance_words(o, previous),
        previous=meeting_view(previous) if previous else None,
        clashes=[c.words() for c in clashes],
        next=meeting_view(nxt) if nxt else None,
        programme_file=Markup(Path(o.programme.path).name),
    )


def report_path(o: Occurrence, reports_dir: Path) -> Path:
    """``reports/YYYY-MM-DD-<slug>.md``; the slug is letters, digits and dashes, so it stays inside."""
    path = reports_dir / f"{o.date.isoformat()}-{slugify(o.title)}.md"
    if path.resolve().parent != reports_dir.resolve():  # belt and braces
        raise MeetctlError.at(Location(str(path)), "report path would leave the reports folder")
    return path


def default_reports_dir(o: Occurrence) -> Path:
    """The ``reports/`` folder beside the meeting's programme file."""
    return Path(o.programme.path).parent / "reports"
