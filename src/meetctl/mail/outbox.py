"""What goes out today: the one answer to "what does cron's ``meetctl remind`` send?".

Stage: outputs (mail). :func:`due_today` gathers everything due on one day, in the
order members should read it: change notices first (a cancellation or a move is what
they must not miss, :mod:`meetctl.mail.changes`), then formal notices (an AGM's, with
its agenda, :mod:`meetctl.mail.notices`), then reminders (:mod:`meetctl.mail.reminders`).
It returns them made: one text (or Markdown) to print, or one email message each to
pipe or send. The caller only prints, pipes or delivers (:mod:`meetctl.mail.delivery`).

Mail does not import documents: the agenda a formal notice carries is rendered by the
``render_agenda`` the caller passes in (the command line passes
:func:`meetctl.documents.agendas.agenda_document`'s). Cron runs this every day and
most days nothing is due: then nothing beyond the model and the reminders' own modules
is imported (change notices are looked for only when the programme has a change).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from meetctl.mail import duedays, notices, reminders
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence

if TYPE_CHECKING:  # pragma: no cover - typing only
    from email.message import EmailMessage

    from meetctl.mail.changes import Notice as ChangeNotice

#: What ``remind`` writes: text or Markdown for people, or email messages.
KINDS = ("text", "markdown", "email", "mbox")
#: The days ahead a reminder goes out when none are asked for.
DEFAULT_DAYS = (7,)

AgendaRenderer = Callable[[Occurrence, str], str]
"""A meeting's agenda as ``"text"``, ``"markdown"`` or ``"html"``, for its formal notice."""


@dataclass(frozen=True)
class Outbox:
    """Today's mail, made: ``text`` for the text and Markdown kinds, ``messages`` for email. Empty: nothing due."""

    text: str = ""
    messages: tuple[EmailMessage, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.text or self.messages)


def due_today(
    programmes: Sequence[Programme],
    today: date,
    days: Sequence[int] | None,
    kind: str,
    now: datetime,
    to: Sequence[str],
    render_agenda: AgendaRenderer,
    catch_up: int = 0,
) -> Outbox:
    """Everything due ``today``, made as ``kind`` (see :data:`KINDS`): changes, then formal notices, then reminders.

    ``days``: remind this many days ahead (default :data:`DEFAULT_DAYS`); changes are
    told on the same days. ``now`` is an email's Date; ``to`` its recipients (empty:
    the group's mailing list). ``render_agenda`` is called only when a formal notice is due.
    ``catch_up``: also what fell due in that many days before ``today`` and is still of
    use (``remind --send``, whose sent-log then skips what did go out on its day).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    _check_days(today, days or ())
    days = days or DEFAULT_DAYS
    late = now if catch_up else None
    found = duedays.due(programmes, today, days, catch_up, late)
    changed = _changes_due(programmes, today, days, catch_up, late)
    told = _notices(notices.notices_due(programmes, today, catch_up), today, kind, render_agenda)
    if not found and not changed and not told:
        return Outbox()  # cron's usual day: nothing more is imported
    from meetctl.mail import changes

    if kind in ("email", "mbox"):
        messages = [changes.email_message(n, to, now) for n in changed]
        messages += [notices.notice_email(n, to, now) for n in told]
        messages += [reminders.email_message(r, to, now) for r in found]
        return Outbox(messages=tuple(messages))
    parts = changes.render(changed, kind) + [notices.render_notice(n, kind) for n in told]
    if found:
        parts.append(reminders.render(found, kind))
    return Outbox(text=reminders.SEPARATOR[kind].join(parts))


def _check_days(today: date, days: Sequence[int]) -> None:
    """Each --days N asked for must land on a date meetctl works with."""
    from meetctl.model.fields import LAST_DATE

    for n in days:
        if today.toordinal() + n > LAST_DATE.toordinal():
            raise MeetctlError(Problem(f"--days {n}: that is after {LAST_DATE}, the last date meetctl works with"))


def _changes_due(
    programmes: Sequence[Programme], today: date, days: Sequence[int], catch_up: int, now: datetime | None
) -> list[ChangeNotice]:
    """Change notices due ``today`` (their module is imported only when the programme has a change to tell)."""
    if not any(m.cancelled or m.replaces for p in programmes for m in p.meetings):
        return []  # cron's usual day: no cancellation or move anywhere, nothing more to load
    from meetctl.mail import changes

    return changes.due(programmes, today, days, catch_up, now)


def _notices(
    due: Sequence[tuple[Occurrence, date]], today: date, kind: str, render_agenda: AgendaRenderer
) -> list[notices.Notice]:
    """The formal notices due today, each with its agenda (text or Markdown; and HTML for an email)."""
    body = "markdown" if kind == "markdown" else "text"
    mail = kind in ("email", "mbox")
    return [
        notices.Notice(o, today, render_agenda(o, body), render_agenda(o, "html") if mail else None,
                       due_on=day if day != today else None)
        for o, day in due
    ]  # fmt: skip
