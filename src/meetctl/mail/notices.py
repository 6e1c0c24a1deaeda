"""Formal notices: a meeting with a notice period (an AGM: ``notice = "21 clear days"``) told before its deadline.

It goes out ``notice_lead`` (default two days) before the deadline, so that a missed
cron run, caught up the next day, still gives notice in time.

Stage: outputs (mail). Cron's ``remind`` sends the notice, with the meeting's agenda,
as it sends reminders (see :mod:`meetctl.mail.outbox`): it reads like a reminder
(the same From, To, Date and ``.ics``, from :mod:`meetctl.mail.reminders`) with its
own opening, subject and Message-ID. The agenda is rendered by the documents stage
and passed in: mail does not reach into documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from meetctl.mail.reminders import Reminder, email_message, fill, header_text, md_escape, parse_address, when_long
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence
from meetctl.model.wording import format_date, format_time

if TYPE_CHECKING:  # pragma: no cover - typing only
    from email.message import EmailMessage


class Notice(NamedTuple):
    """The formal notice of a meeting, due today (its notice deadline), with its agenda."""

    occurrence: Occurrence
    today: date
    #: The agenda as the notice's body says it: text (or Markdown), and HTML for an email.
    agenda: str = ""
    agenda_html: str | None = None
    #: The day the notice was due, when a missed day is caught up (its Message-ID's day).
    due_on: date | None = None


def notices_due(programmes: Sequence[Programme], today: date, catch_up: int = 0) -> list[tuple[Occurrence, date]]:
    """Meetings whose formal notice goes out ``today`` (``notice_lead`` before the deadline), with that day.

    With ``catch_up`` (``remind --send``), those whose day fell in the ``catch_up`` days
    before ``today`` come too, while their deadline has not passed: the notice is
    still in time.
    """
    from datetime import timedelta

    from meetctl.model.schedule import pending_notices

    lead = _longest_lead(programmes)
    first = today - timedelta(days=catch_up)
    return [
        (o, o.notice_day)
        for o in pending_notices(programmes, today, today + timedelta(days=lead))
        if o.notice_day is not None and first <= o.notice_day <= today
        and (o.notice_day == today or o.notice_deadline >= today)
    ]  # fmt: skip


def _longest_lead(programmes: Sequence[Programme]) -> int:
    """The most days before a deadline any notice of ``programmes`` goes out."""
    from meetctl.model.notice import DEFAULT_LEAD_DAYS

    leads = [DEFAULT_LEAD_DAYS]
    for p in programmes:
        leads.append(p.group.notice_lead or 0)
        leads.extend(s.notice_lead or 0 for s in p.series)
        leads.extend(m.notice_lead or 0 for m in p.meetings)
    return max(leads)


def _notice_what(o: Occurrence) -> str:
    from meetctl.model.notice import kind_words

    return kind_words(o.kind) if o.kind else "meeting"


def notice_opening(notice: Notice) -> str:
    """'Notice is given of the Annual General Meeting of X: Monday 4 March 2024, 7pm to 9pm EST (...).'"""
    o = notice.occurrence
    where = ""
    if o.venue is not None:
        where = ", at " + ", ".join(x for x in (o.venue.name, o.venue.address) if x)
    if o.online:
        where += (" and online" if o.venue is not None and o.venue.address else ", online")
    period = f" (notice: {o.notice})" if o.notice else ""
    return (
        f"Notice is hereby given of the {_notice_what(o)} of {o.group.name}{period}: "
        f"{when_long(o)}{where}. The agenda follows."
    )


def notice_subject(notice: Notice) -> str:
    """'Notice of the Annual General Meeting: Monday 4 March 2024, 7pm'."""
    o = notice.occurrence
    what = _notice_what(o)
    title = "" if o.title.strip().lower() == what.lower() else f": {o.title}"
    return header_text(f"Notice of the {what}: {format_date(o.date)}, {format_time(o.start)}{title}")


def render_notice(notice: Notice, fmt: str) -> str:
    """The notice as ``text`` or ``markdown``: the opening, then the agenda."""
    opening = notice_opening(notice)
    if fmt == "markdown":
        return f"**{md_escape(opening)}**\n\n---\n\n{notice.agenda}"
    return f"{fill(opening)}\n\n{notice.agenda}"


def notice_message_id(notice: Notice, domain: str) -> str:
    """Stable for the same meeting and day, and never a reminder's: ``<notice-...>``."""
    import hashlib

    o = notice.occurrence
    day = notice.due_on or notice.today  # a missed notice caught up keeps its own day's id
    original = o.recurrence_id.isoformat() if o.recurrence_id else o.date.isoformat()
    key = "\0".join(("notice", o.uid, original, o.start.isoformat(), day.isoformat()))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"<notice-{o.date:%Y%m%d}-{day:%Y%m%d}-{digest}@{domain}>"


def notice_email(notice: Notice, to: Sequence[str], now: datetime) -> EmailMessage:
    """The formal notice as an RFC 5322 message: text and HTML (the agenda) and the meeting as ``.ics``."""
    from html import escape

    o = notice.occurrence
    as_reminder = Reminder(occurrence=o, today=notice.today)
    # Same From/To/Date/parts as a reminder, then the notice's own subject, body and Message-ID.
    msg = email_message(as_reminder, to, now)
    del msg["Subject"], msg["Message-ID"]
    msg["Subject"] = notice_subject(notice)
    sender = parse_address(str(msg["From"]), "From")
    msg["Message-ID"] = notice_message_id(notice, sender.domain or "meetctl.invalid")
    text_part, html_part = (p for p in msg.walk() if p.get_content_type() in ("text/plain", "text/html")
                            and not p.get_filename())  # fmt: skip
    text_part.set_content(render_notice(notice, "text"), subtype="plain", charset="utf-8", cte="quoted-printable")
    opening = f"<p><strong>{escape(notice_opening(notice))}</strong></p>"
    html = notice.agenda_html or f"<pre>{escape(notice.agenda)}</pre>"
    html = html.replace("<body>", "<body>\n" + opening, 1) if "<body>" in html else opening + html
    html_part.set_content(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in (text_part, html_part):
        del part["MIME-Version"]  # set_content adds it; only the top of a message carries it
    import hashlib

    seed = hashlib.sha256(str(msg["Message-ID"]).encode()).hexdigest()[:32]
    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_meetctl_{i}_{seed}")
    return msg
