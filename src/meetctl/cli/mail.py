"""Stage: the command line. ``remind``, the command cron runs every day.

What goes out is decided by :func:`meetctl.mail.outbox.due_today`; this module checks
the options, loads, hands it the agenda renderer of the documents stage (mail may not
import documents), and prints, pipes or delivers what it returns. It imports nothing
heavy, and neither does the outbox on a day with nothing due.
"""

from __future__ import annotations

import functools
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from meetctl.cli.base import app
from meetctl.cli.options import Files, OneOffs, Streams, Today, load, now_for, templates_for, today_for, write_bytes
from meetctl.model.errors import MeetctlError, Problem

if TYPE_CHECKING:  # pragma: no cover - typing only
    from meetctl.documents.environment import Templates
    from meetctl.mail.outbox import AgendaRenderer
    from meetctl.model.programme import Programme
    from meetctl.model.schedule import Occurrence


class RemindFormat(StrEnum):
    """What ``meetctl remind`` writes."""

    text = "text"
    markdown = "markdown"
    email = "email"


@app.command()
def remind(
    files: Files = None,
    days: Annotated[
        list[int] | None,
        typer.Option("--days", min=0, metavar="N", help="Remind N days ahead; repeatable. Default 7."),
    ] = None,
    fmt: Annotated[
        RemindFormat | None, typer.Option("--format", help="text (default), markdown, or email (RFC 5322).")
    ] = None,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", metavar="ADDR", help="Email recipient; repeatable. Default: group.mailing_list."),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Deliver the email over SMTP, as the programme's mail table says.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="With --send: send even if already sent.")] = False,
    smtp_host: Annotated[str | None, typer.Option("--smtp-host", help="Overrides mail.smtp_host.")] = None,
    smtp_port: Annotated[
        int | None, typer.Option("--smtp-port", min=1, max=65535, help="Overrides mail.smtp_port.")
    ] = None,
    smtp_security: Annotated[
        str | None, typer.Option("--smtp-security", metavar="starttls|tls|none", help="Overrides mail.security.")
    ] = None,
    smtp_user: Annotated[
        str | None, typer.Option("--smtp-user", help="Overrides mail.user (password: $MEETCTL_SMTP_PASSWORD).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="With --send: say what was sent.")] = False,
    allow_cleartext_auth: Annotated[
        bool,
        typer.Option("--allow-cleartext-auth",
                     help="With --send and security \"none\": let the password go unencrypted (also "
                          "$MEETCTL_SMTP_ALLOW_CLEARTEXT=1)."),
    ] = False,  # fmt: skip
    series: Streams = None,
    one_offs: OneOffs = False,
    today: Today = None,
) -> None:
    """Write the reminder for each meeting exactly N days ahead; print nothing if none is due.

    Changes are told on the same days: a cancelled meeting gets a cancellation
    notice instead of its reminder, and a moved one (replaces = OLD) a "moved"
    notice on the days before its OLD date.

    Made for cron: silent (exit 0) on days with nothing to remind. --send delivers
    over SMTP and records it in the sent-log, so a second run the same day sends
    nothing (unless --force). A delivery that may work later (connection refused,
    a timeout, a 4xx answer) exits 75; one that cannot work as set up (wrong
    --smtp-security, login refused, unknown host, a 5xx answer) exits 2 with the fix.

    Example:  meetctl remind -f examples/programme.toml --today 2017-02-15 --format email | sendmail -t
    """
    from meetctl.mail.outbox import due_today

    if send and fmt not in (None, RemindFormat.email):
        raise MeetctlError(Problem(f"--send sends email; leave out --format {fmt.value}"))
    if to and not send and fmt is not RemindFormat.email:
        raise MeetctlError(Problem("--to is for --format email or --send"))
    programmes = load(files, series, one_offs)
    if send:  # the mail table and the flags are checked before anything is made
        from meetctl.mail import delivery as mailer

        settings = mailer.smtp_settings(
            programmes[0].mail, smtp_host, smtp_port, smtp_security, smtp_user,
            allow_cleartext=allow_cleartext_auth,
        )  # fmt: skip
    day = today_for(today, programmes)
    kind = (RemindFormat.email if send else fmt or RemindFormat.text).value
    outbox = due_today(programmes, day, days, kind, now_for(today, programmes), to or [], _agendas(programmes, day))
    if not outbox:
        return  # cron's usual day: silent, and no connection to the mail server
    if send:
        for outcome in mailer.deliver(outbox.messages, settings, mailer.sent_log(), force=force):
            if verbose:
                typer.echo(f"{outcome.status}: {outcome.subject} -> {', '.join(outcome.recipients)}", err=True)
    elif outbox.messages:  # --format email: one message, for `| sendmail -t`
        if len(outbox.messages) > 1:
            raise MeetctlError(
                Problem(
                    f"{len(outbox.messages)} reminders and notices are due and --format email writes one message: "
                    "use --send, or one --days per run"
                )
            )
        from meetctl.mail.reminders import email_bytes

        write_bytes(email_bytes(outbox.messages[0]))
    else:
        typer.echo(outbox.text, nl=False)


def _agendas(programmes: list[Programme], today: date) -> AgendaRenderer:
    """The documents stage's agenda of a meeting, for its formal notice; the templates are read on the first call."""

    @functools.cache
    def templates() -> Templates:
        from meetctl.documents.environment import with_locale

        with_locale(programmes, None)  # a group.locale Babel does not know is an error at its line, not a crash
        return templates_for(None, programmes)

    def render(o: Occurrence, fmt: str) -> str:
        from meetctl.documents.agendas import agenda_document

        return agenda_document(templates(), o, fmt, today)

    return render
