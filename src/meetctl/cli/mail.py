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


#: With --send, how many days back a missed cron run is caught up.
DEFAULT_CATCH_UP = 3


class RemindFormat(StrEnum):
    """What ``meetctl remind`` writes."""

    text = "text"
    markdown = "markdown"
    email = "email"
    mbox = "mbox"


@app.command()
def remind(
    files: Files = None,
    days: Annotated[
        list[int] | None,
        typer.Option("--days", min=0, metavar="N", help="Remind N days ahead; repeatable. Default 7."),
    ] = None,
    fmt: Annotated[
        RemindFormat | None,
        typer.Option("--format", help="text (default), markdown, email (one RFC 5322 message) or mbox (every "
                                      "message due, for `formail -s sendmail -t`)."),
    ] = None,  # fmt: skip
    to: Annotated[
        list[str] | None,
        typer.Option("--to", metavar="ADDR", help="Email recipient; repeatable. Default: group.mailing_list."),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Deliver the email over SMTP, as the programme's mail table says.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="With --send: send even if already sent.")] = False,
    sendmail: Annotated[
        str | None,
        typer.Option("--sendmail", metavar="PATH", envvar="MEETCTL_SENDMAIL", show_envvar=False,
                     help="With --send: hand each message to this local mailer (PATH -t -i) instead of SMTP "
                          "(also $MEETCTL_SENDMAIL)."),
    ] = None,
    catch_up: Annotated[
        int | None,
        typer.Option("--catch-up", min=0, max=31, metavar="N",
                     help="With --send: also send what fell due in the last N days and was not sent, while "
                          "its meeting is still to come. Default 3."),
    ] = None,  # fmt: skip
    smtp_host: Annotated[str | None, typer.Option("--smtp-host", help="Overrides mail.smtp_host.")] = None,
    smtp_port: Annotated[int | None, typer.Option("--smtp-port", help="Overrides mail.smtp_port.")] = None,
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
    over SMTP (or through --sendmail PATH, the machine's own mailer) and records it
    in the sent-log, so a second run the same day sends nothing (unless --force),
    and catches up what a missed day did not send (--catch-up N, default 3 days).
    A delivery that may work later (connection refused, a timeout, a 4xx answer, a
    mailer's non-zero exit) exits 75; one that cannot work as set up (wrong
    --smtp-security, login refused, unknown host, a 5xx answer) exits 2 with the fix.

    Example:  meetctl remind -f examples/programme.toml --today 2017-02-15 --format mbox | formail -s sendmail -t
    """
    from meetctl.mail.outbox import due_today

    if send and fmt not in (None, RemindFormat.email):
        raise MeetctlError(Problem(f"--send sends email; leave out --format {fmt.value}"))
    if to and not send and fmt not in (RemindFormat.email, RemindFormat.mbox):
        raise MeetctlError(Problem("--to is for --format email, --format mbox or --send"))
    if not send and catch_up is not None:
        raise MeetctlError(Problem("--catch-up is for --send (the sent-log says what a missed day did not send)"))
    from meetctl.mail.delivery import state_dir

    # Cron reads the same file every morning: its validated model is kept in the state folder.
    programmes = load(files, series, one_offs, cache=state_dir())
    if send:  # the mail table (or the mailer) and the flags are checked before anything is made
        from meetctl.mail import delivery as mailer

        if sendmail:  # never from the programme file: only the command line or the environment name a program
            command = mailer.sendmail_command(sendmail)
        else:
            settings = mailer.smtp_settings(
                programmes[0].mail, smtp_host, smtp_port, smtp_security, smtp_user,
                allow_cleartext=allow_cleartext_auth,
            )  # fmt: skip
    day = today_for(today, programmes)
    kind = (RemindFormat.email if send else fmt or RemindFormat.text).value
    outbox = due_today(
        programmes, day, days, kind, now_for(today, programmes), to or [], _agendas(programmes, day),
        catch_up=_catch_up(send, force, catch_up),
    )  # fmt: skip
    if not outbox:
        return  # cron's usual day: silent, and no connection to the mail server
    if send:
        log = mailer.sent_log()
        if sendmail:
            outcomes = mailer.deliver_sendmail(outbox.messages, command, log, force=force)
        else:
            outcomes = mailer.deliver(outbox.messages, settings, log, force=force)
        for outcome in outcomes:
            if verbose:
                typer.echo(f"{outcome.status}: {outcome.subject} -> {', '.join(outcome.recipients)}", err=True)
    elif kind == RemindFormat.mbox:  # every message due, for `| formail -s sendmail -t`
        from meetctl.mail.delivery import mbox_bytes

        write_bytes(mbox_bytes(outbox.messages))
    elif outbox.messages:  # --format email: one message, for `| sendmail -t`
        if len(outbox.messages) > 1:
            raise MeetctlError(
                Problem(
                    f"{len(outbox.messages)} reminders and notices are due and --format email writes one message: "
                    "use --format mbox (for `formail -s sendmail -t`) or --send (with --sendmail PATH for the "
                    "machine's own mailer)"
                )
            )
        from meetctl.mail.reminders import email_bytes

        write_bytes(email_bytes(outbox.messages[0]))
    else:
        typer.echo(outbox.text, nl=False)


def _catch_up(send: bool, force: bool, asked: int | None) -> int:
    """How many days back --send looks for what a missed day did not send (none with --force, unless asked:
    a forced resend of today must not resend the last days' mail too)."""
    if not send:
        return 0
    if asked is not None:
        return asked
    return 0 if force else DEFAULT_CATCH_UP


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
