"""Reminders: which meetings are due, and the reminder as text, Markdown and an email.

:func:`meetctl.mail.duedays.due` finds the scheduled meetings that start exactly N
days after ``today`` (the group's local date). ``render(reminders, "text" |
"markdown")`` says them for people; ``email_message`` builds a complete RFC 5322
message (text and HTML alternatives plus the meeting as ``.ics``). The sentences
are English (``group.locale`` is for documents; a reminder's wording is not yet
translated).

Cold start matters here: cron runs ``meetctl remind`` every day and most days
nothing is due, so this module imports nothing heavy at the top; ``email``,
``html`` and ``icalendar`` are loaded only when a reminder is actually written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.rules import MONTH_NAMES, WEEKDAY_NAMES
from meetctl.model.schedule import Occurrence
from meetctl.model.wording import format_date, format_time

if TYPE_CHECKING:  # pragma: no cover - typing only
    from email.message import EmailMessage

WIDTH = 72
#: The label of a meeting's join link (Markdown makes it a link, not escaped text).
JOIN = "Join online"


class Reminder(NamedTuple):  # a small value: see errors.Location
    """One reminder: a meeting, the day the reminder is for, and its context."""

    occurrence: Occurrence
    today: date
    #: The group's next scheduled meeting after this one (for "After that:"), if any.
    following: Occurrence | None = None
    #: Whether another scheduled meeting of the group comes first (then it is not "our next").
    earlier_meeting: bool = False
    #: The day the reminder was due (its Message-ID's day): ``today``, or a missed day caught up.
    due_on: date | None = None

    @property
    def days(self) -> int:
        """How many days ahead the meeting is."""
        return (self.occurrence.date - self.today).days


# --------------------------------------------------------------------------- wording


def relative_day(today: date, day: date) -> str:
    """How a person says ``day`` as seen from ``today``, with the date.

    The rule (weeks run Monday to Sunday, as in the UK and ISO 8601):

    * 0 days: "today, Wednesday 22 February"; 1 day: "tomorrow, Thursday 23 February";
    * later in the same week: "this Saturday, 25 February";
    * in the following week: "next Wednesday, 1 March";
    * later still: "on Wednesday 8 March".

    The year is added when it is not the current one.
    """
    delta = (day - today).days
    weekday = WEEKDAY_NAMES[day.weekday()]
    day_month = f"{day.day} {MONTH_NAMES[day.month - 1]}" + (f" {day.year}" if day.year != today.year else "")
    if delta == 0:
        return f"today, {weekday} {day_month}"
    if delta == 1:
        return f"tomorrow, {weekday} {day_month}"
    weeks = ((day - timedelta(days=day.weekday())) - (today - timedelta(days=today.weekday()))).days // 7
    if 0 < delta and weeks == 0:
        return f"this {weekday}, {day_month}"
    if 0 < delta and weeks == 1:
        return f"next {weekday}, {day_month}"
    return f"on {weekday} {day_month}"


def _period(o: Occurrence) -> str:
    """'this month' for a monthly series, 'this week' for a weekly one, else 'this time'."""
    rule = o.series.rule if o.series else None
    if rule is not None and rule.freq == "MONTHLY" and rule.interval == 1:
        return "this month"
    if rule is not None and rule.freq == "WEEKLY" and rule.interval == 1:
        return "this week"
    return "this time"


def _zone_note(o: Occurrence) -> str:
    """'GMT (Europe/London)': the abbreviation of the start (and end, if it differs) and the zone."""
    first, last = o.start.tzname() or "", o.end.tzname() or ""
    names = first if first == last else f"{first}/{last}"
    return f"{names} ({o.group.timezone})" if names else o.group.timezone


def when_long(o: Occurrence) -> str:
    """'Wednesday 22 February 2017, 7pm to 9pm GMT (Europe/London)'; an all-day meeting is 'all day'."""
    if o.all_day:
        last = f" to {format_date(o.end_date)}" if o.end_date != o.date else ""
        return f"{format_date(o.date)}{last}, all day"
    if o.end_date != o.date:
        return (
            f"{format_date(o.date)}, {format_time(o.start)} to "
            f"{format_date(o.end_date)}, {format_time(o.end)} {_zone_note(o)}"
        )
    return f"{format_date(o.date)}, {format_time(o.start)} to {format_time(o.end)} {_zone_note(o)}"


def day_and_time(o: Occurrence) -> str:
    """'Friday 2 April 2027, 7pm' (or ', all day'): a meeting named in passing ("After that: ...")."""
    return f"{format_date(o.date)}, {'all day' if o.all_day else format_time(o.start)}"


def _notes(o: Occurrence) -> list[str]:
    """Warning lines for whatever differs from the series' usual slot."""
    notes: list[str] = []
    series = o.series
    if series is None:
        return notes
    period = _period(o)
    if o.moved and o.recurrence_id is not None:
        was = format_date(o.recurrence_id.date(), year=False)
        notes.append(f"NOTE: different date {period}: moved from {was}{o.why}.")
    if o.start.time() != series.start:
        notes.append(
            f"NOTE: different time {period}: starts at {format_time(o.start)}, "
            f"not the usual {format_time(series.start)}{'' if o.moved else o.why}."
        )
    elif o.end - o.start != series.duration:
        usual_end = o.start + series.duration
        notes.append(
            f"NOTE: different finishing time {period}: {format_time(o.end)}, not the usual {format_time(usual_end)}."
        )
    venue_id = o.venue.id if o.venue else None
    if venue_id != series.venue:
        usual = o.programme.venues.get(series.venue) if series.venue else None
        here = o.venue.name if o.venue else "no venue given"
        why = "" if o.moved or o.start.time() != series.start else o.why  # said once, on the first note
        usual_name = f", not the usual {usual.name}" if usual else ""
        notes.append(f"NOTE: different venue {period}: {here}{usual_name}{why}.")
    return notes


def opening(reminder: Reminder) -> str:
    """'Quick reminder: our next meeting is next Wednesday, 22 February, at 7pm — same time and venue.'"""
    o = reminder.occurrence
    when = relative_day(reminder.today, o.date)
    at = f"{when}, all day" if o.all_day else f"{when}, at {format_time(o.start)}"
    if o.end_date != o.date:  # the weekday and date say it plainly; no relative word for the end
        at += f", until {format_date(o.end_date, year=o.end_date.year != reminder.today.year)}"
    lead = "we meet" if reminder.earlier_meeting else "our next meeting is"
    same = o.series is not None and o.usual_slot and not o.moved
    # "same time and venue" only where there is a venue to be the same (an online or unplaced group has none).
    usual = " — same time and venue." if o.venue is not None else " — same time."
    return f"Quick reminder: {lead} {at}" + (usual if same else ".")


class Content(NamedTuple):
    """The parts of a reminder, shared by the text, Markdown and HTML renderings.

    (A NamedTuple, not a dataclass: it is cheaper to define, and cron imports this
    module every day to find that nothing is due.)
    """

    opening: str
    notes: list[str]
    title: str
    description: str | None
    #: (label, lines) pairs: When, Where, Leading off, ...
    details: list[tuple[str, list[str]]]
    timetable: list[str]
    welcome: str | None
    after: str | None
    signature: list[str]


def content(reminder: Reminder) -> Content:
    """Everything a reminder says, in order, as plain strings (not yet escaped for any format)."""
    o = reminder.occurrence
    details: list[tuple[str, list[str]]] = [("When", [when_long(o)])]
    if o.venue:
        where = [x for x in (o.venue.name, o.venue.address, o.venue.directions) if x]
        details.append(("Where", where))
        if o.venue.accessibility:
            details.append(("Access", [o.venue.accessibility]))
    if o.online:
        details.append((JOIN, [o.online]))
    if o.lead:
        details.append(("Leading off", [o.lead]))
    m = o.meeting
    if m and m.chair:
        details.append(("Chair", [m.chair]))
    if m and m.speakers:
        details.append(("Speakers", [", ".join(m.speakers)]))
    timetable = []
    for s in m.sessions if m else ():
        line = f"{WEEKDAY_NAMES[s.date.weekday()][:3]} {s.date.day} {MONTH_NAMES[s.date.month - 1][:3]}"
        line += f" {s.start:%H:%M}-{s.end:%H:%M} {s.title}"
        extra = [x for x in (s.room, f"chair: {s.chair}" if s.chair else None, ", ".join(s.speakers)) if x]
        timetable.append(line + (f" ({'; '.join(extra)})" if extra else ""))
    after = None
    f = reminder.following
    if f is not None:
        after = f"{day_and_time(f)}: {f.title}"
        if f.venue and (o.venue is None or f.venue.id != o.venue.id):
            after += f" ({f.venue.name})"
    group = o.group
    return Content(
        opening=opening(reminder),
        notes=_notes(o),
        title=o.title,
        description=o.description,
        details=details,
        timetable=timetable,
        welcome=group.welcome,
        after=after,
        signature=[x for x in (group.name, group.website) if x],
    )


def fill(text: str, indent: str = "", first: str | None = None) -> str:
    """``text`` wrapped at :data:`WIDTH` columns, never breaking a word or a hyphenated address."""
    import textwrap

    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def render_text(c: Content) -> str:
    """Plain text wrapped at 72 columns: carries everything (lists strip attachments)."""
    blocks = [fill(c.opening)]
    if c.notes:
        blocks.append("\n".join(fill(n, indent="      ", first="") for n in c.notes))
    blocks.append(fill(c.title))
    if c.description:
        blocks.extend(fill(p) for p in _paragraphs(c.description))
    width = max(len(label) for label, _ in c.details) + 2
    lines = []
    for label, values in c.details:
        pad = " " * width
        for i, value in enumerate(values):
            first = f"{label}:".ljust(width) if i == 0 else pad
            text = fill(value, indent=pad, first=first)
            if len(text.split("\n", 1)[0]) > WIDTH and first.strip():  # a long link: below its label
                text = first.rstrip() + "\n" + fill(value)
            lines.append(text)
    blocks.append("\n".join(lines))
    if c.timetable:
        blocks.append("Timetable:\n" + "\n".join(fill(t, indent="    ", first="  ") for t in c.timetable))
    if c.welcome:
        blocks.append(fill(c.welcome))
    if c.after:
        blocks.append(fill(f"After that: {c.after}"))
    text = "\n\n".join(blocks) + "\n"
    if c.signature:
        text += "\n-- \n" + "\n".join(fill(line) for line in c.signature) + "\n"
    return text


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


_MD_SPECIAL = r"([\\`*_\[\]<>#|~])"


def md_escape(text: str) -> str:
    """Programme text made literal in Markdown (no accidental emphasis, links or HTML)."""
    text = re.sub(_MD_SPECIAL, r"\\\1", " ".join(text.split()))
    # A leading "1." or "-" would start a list.
    return re.sub(r"^(\d+)\.", r"\1\\.", re.sub(r"^([-+])", r"\\\1", text))


def md_link(url: str) -> str:
    """A checked http(s) link as a Markdown autolink: taken literally, ``<`` and ``>`` percent-encoded."""
    from urllib.parse import quote

    return "<" + quote(url, safe=":/?#[]@!$&'()*+,;=%-._~") + ">"


def render_markdown(c: Content) -> str:
    """Markdown for a website, forum or chat post."""
    blocks = [md_escape(c.opening)]
    blocks.extend(f"**{md_escape(n)}**" for n in c.notes)
    blocks.append(f"## {md_escape(c.title)}")
    if c.description:
        blocks.extend(md_escape(p) for p in _paragraphs(c.description))
    blocks.append(
        "\n".join(
            f"- **{label}:** " + "  \n  ".join(md_link(v) if label == JOIN else md_escape(v) for v in values)
            for label, values in c.details
        )
    )
    if c.timetable:
        blocks.append("**Timetable:**\n\n" + "\n".join(f"- {md_escape(t)}" for t in c.timetable))
    if c.welcome:
        blocks.append(md_escape(c.welcome))
    if c.after:
        blocks.append(f"*After that:* {md_escape(c.after)}")
    if c.signature:
        blocks.append("— " + " · ".join(md_escape(s) for s in c.signature))
    return "\n\n".join(blocks) + "\n"


def render_html(c: Content) -> str:
    """A small, self-contained HTML document (the email's HTML part); all text escaped."""
    from html import escape

    def e(text: str) -> str:
        return escape(text, quote=True)

    parts = [f"<p>{e(c.opening)}</p>"]
    parts.extend(f"<p><strong>{e(n)}</strong></p>" for n in c.notes)
    parts.append(f"<h2>{e(c.title)}</h2>")
    if c.description:
        parts.extend(f"<p>{e(p)}</p>" for p in _paragraphs(c.description))
    rows = "".join(
        f'<tr><th style="text-align:left;vertical-align:top;padding-right:1em">{e(label)}:</th>'
        f"<td>{'<br>'.join(e(v) for v in values)}</td></tr>"
        for label, values in c.details
    )
    parts.append(f"<table>{rows}</table>")
    if c.timetable:
        items = "".join(f"<li>{e(t)}</li>" for t in c.timetable)
        parts.append(f"<p><strong>Timetable:</strong></p><ul>{items}</ul>")
    if c.welcome:
        parts.append(f"<p>{e(c.welcome)}</p>")
    if c.after:
        parts.append(f"<p><em>After that:</em> {e(c.after)}</p>")
    if c.signature:
        parts.append("<p>— " + "<br>".join(e(s) for s in c.signature) + "</p>")
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{e(c.title)}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


SEPARATOR = {"text": "\n" + "=" * WIDTH + "\n\n", "markdown": "\n---\n\n"}


def render(reminders: Sequence[Reminder], fmt: str) -> str:
    """Several reminders as one text or Markdown document (separated by a rule)."""
    renderer = render_text if fmt == "text" else render_markdown
    return SEPARATOR[fmt].join(renderer(content(r)) for r in reminders)


# --------------------------------------------------------------------------- email

#: Characters that end a line somewhere (str.splitlines' set): none may reach a header.
_LINE_BREAKS = r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+"


def header_text(value: str) -> str:
    """A value safe for one header line: every line break becomes a space (CVE-2024-6923)."""
    return " ".join(re.sub(_LINE_BREAKS, " ", value).split())


def display_name(value: str) -> str:
    """A name for an address header; none when a word is longer than a line (the email package
    folds two such words with an empty line between, ending the headers: To would be body text)."""
    name = header_text(value)
    return "" if any(len(word) > 60 for word in name.split()) else name


def parse_address(value: str, what: str):  # -> email.headerregistry.Address
    """'Name <a@b.org>' or 'a@b.org' as an Address; an input error naming ``what`` otherwise."""
    from email.errors import HeaderParseError
    from email.headerregistry import Address
    from email.utils import getaddresses

    text = header_text(value)
    pairs = getaddresses([text])
    if len(pairs) != 1 or "@" not in pairs[0][1]:
        raise MeetctlError(Problem(f"{what}: not one email address: {value!r}"))
    name, addr = pairs[0]
    local, _, domain = addr.rpartition("@")
    try:
        # An international domain (exämple.org) travels as IDNA (xn--exmple-cua.org): SMTP and
        # every header stay ASCII; a name that cannot be encoded is refused.
        ascii_domain = domain.encode("idna").decode("ascii")
        if not local.strip('"') or not local.isascii() or not ascii_domain:
            raise ValueError("the part before @ must be plain ASCII and not empty")
        return Address(display_name=display_name(name), username=local.strip('"'), domain=ascii_domain)
    except (ValueError, HeaderParseError, IndexError, UnicodeError) as exc:
        raise MeetctlError(Problem(f"{what}: not an email address: {value!r} ({exc})")) from None


def subject(reminder: Reminder) -> str:
    """'Reminder: Wednesday 22 February, 7pm: 100th anniversary of the Russian revolution'."""
    o = reminder.occurrence
    day = format_date(o.date, year=o.date.year != reminder.today.year)
    return header_text(f"Reminder: {day}, {format_time(o.start)}: {o.title}")


def folded_subject(text: str) -> str:
    """A Subject header value folded so every reader gets ``text`` back exactly.

    The email package's own folding drops the space between encoded words of a long
    non-ASCII subject (and adds one before a long word); ``email.header`` encodes and
    folds correctly. Text that could pass for an encoded word (``=?``) is encoded too,
    so it stays literal.
    """
    from email.header import Header

    charset = "us-ascii" if text.isascii() and "=?" not in text else "utf-8"
    return Header(text, charset, header_name="Subject").encode(linesep="\r\n")


def message_id(reminder: Reminder, domain: str) -> str:
    """Stable for the same meeting and reminder day, so a resend is recognisably the same message."""
    import hashlib  # here, not at the top: loading OpenSSL costs cron's nothing-due run

    o = reminder.occurrence
    day = reminder.due_on or reminder.today  # a missed reminder caught up keeps its own day's id
    original = o.recurrence_id.isoformat() if o.recurrence_id else o.date.isoformat()
    key = "\0".join((o.uid, original, o.start.isoformat(), day.isoformat()))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"<reminder-{o.date:%Y%m%d}-{day:%Y%m%d}-{digest}@{domain}>"


def ics_attachment(reminder: Reminder, stamp: datetime) -> bytes:
    """The meeting as a one-event iCalendar (METHOD:PUBLISH), with the same UID as ``meetctl ical``."""
    return occurrence_ics(reminder.occurrence, stamp)


def occurrence_ics(o: Occurrence, stamp: datetime, status: str = "CONFIRMED") -> bytes:
    """One occurrence as a one-event iCalendar (METHOD:PUBLISH); ``status`` CONFIRMED or CANCELLED."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//meetctl//meetctl reminder//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", o.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    if o.recurrence_id is not None:
        event.add("recurrence-id", o.recurrence_id.astimezone(UTC))
    event.add("dtstart", o.start.astimezone(UTC))
    event.add("dtend", o.end.astimezone(UTC))
    event.add("summary", o.title)
    description = "\n\n".join(
        x
        for x in (
            o.description,
            f"Leading off: {o.lead}" if o.lead else None,
            o.venue.accessibility if o.venue else None,
            f"Join online: {o.online}" if o.online else None,
        )
        if x
    )
    if description:
        event.add("description", description)
    if o.venue:
        event.add("location", ", ".join(x for x in (o.venue.name, o.venue.address) if x))
    if o.online:
        # RFC 7986 CONFERENCE for clients that know it; URL and DESCRIPTION for the many that do not.
        event.add("conference", o.online, parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
        event.add("url", o.online)
    elif o.group.website:
        event.add("url", o.group.website)
    event.add("status", status)
    cal.add_component(event)
    return cal.to_ical()


def email_message(reminder: Reminder, to: Sequence[str], now: datetime) -> EmailMessage:
    """A complete RFC 5322 reminder: text and HTML alternatives, and the meeting as ``.ics``.

    ``to`` is the --to addresses, else the group's mailing list; ``now`` is the
    Date (the start of --today when given, so the same input gives the same bytes).
    """
    o = reminder.occurrence
    return compose_email(
        o,
        to,
        now,
        subject=subject(reminder),
        make_message_id=lambda domain: message_id(reminder, domain),
        body=content(reminder),
        calendar=ics_attachment(reminder, now),
    )


def compose_email(
    o: Occurrence,
    to: Sequence[str],
    now: datetime,
    subject: str,
    make_message_id: Callable[[str], str],
    body: Content,
    calendar: bytes,
) -> EmailMessage:
    """The message any mail about meeting ``o`` is: From the group, To ``to`` (else its list), text + HTML + ``.ics``.

    Shared by reminders and change notices (:mod:`meetctl.mail.changes`).
    """
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime

    group = o.group
    if not group.email:
        raise MeetctlError(Problem(f"{o.programme.path}: group.email is not set: it is the From: address of reminders"))
    sender = parse_address(group.email, "group.email")
    if not sender.display_name:
        from email.headerregistry import Address

        sender = Address(display_name=display_name(group.name), addr_spec=sender.addr_spec)
    recipients = list(to) or ([group.mailing_list] if group.mailing_list else [])
    if not recipients:
        raise MeetctlError(Problem("no recipient: give --to ADDRESS or set group.mailing_list in the programme"))
    addresses = [parse_address(r, "--to" if to else "group.mailing_list") for r in recipients]

    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = addresses
    msg.set_raw("Subject", folded_subject(header_text(subject)))
    msg["Date"] = format_datetime(now if now.tzinfo else now.replace(tzinfo=UTC))
    msg["Message-ID"] = make_message_id(sender.domain or "meetctl.invalid")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders stay quiet
    msg.set_content(render_text(body), subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(render_html(body), subtype="html", charset="utf-8", cte="quoted-printable")
    msg.add_attachment(
        calendar,
        maintype="text",
        subtype="calendar",
        filename=f"{o.date:%Y-%m-%d}-{_file_slug(o.title)}.ics",
        params={"method": "PUBLISH", "charset": "utf-8"},
    )
    # email picks random MIME boundaries; derive them from the Message-ID so the same
    # input gives the same bytes (and a boundary can never occur in our own text).
    import hashlib

    seed = hashlib.sha256(str(msg["Message-ID"]).encode()).hexdigest()[:32]
    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_meetctl_{i}_{seed}")
    return msg


def _file_slug(title: str) -> str:
    from meetctl.model.wording import slugify

    return slugify(title, 40)


def email_bytes(msg: EmailMessage) -> bytes:
    """The message as sendmail and SMTP want it: CRLF line ends, 8-bit safe."""
    return msg.as_bytes()
