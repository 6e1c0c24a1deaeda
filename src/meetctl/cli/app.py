"""The ``meetctl`` command line: parse options, call the core, print. No logic lives here.

Every command reads like load -> select -> render. Bad input anywhere raises
:class:`~meetctl.model.errors.MeetctlError`; :class:`_Commands` is the one place that
turns it into ``PATH:LINE:COL: error: ...`` lines on stderr and exit status 2.
Heavy modules (icalendar, jinja2, weasyprint, caldav, rich) are imported inside
the commands that use them, so cron's daily ``meetctl remind`` starts fast.
"""

from __future__ import annotations

import os
import sys
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from meetctl.model.errors import EXIT_FOUND, EXIT_INPUT, Location, MeetctlError, Problem, one_line
from meetctl.model.loading import load_programmes, named_programmes
from meetctl.model.programme import Programme


class _Commands(TyperGroup):
    """The single error boundary: people see one line per problem, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MeetctlError as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `meetctl list | head`: the reader left; that is fine
            _quiet_broken_pipe()
            ctx.exit(0)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if _is_usage_error(exc):
                _usage_error(ctx, exc)
            if os.environ.get("MEETCTL_DEBUG") or _is_click_exception(exc):
                raise
            typer.echo(
                f"meetctl: internal error: {type(exc).__name__}: {one_line(str(exc))} "
                "(please report it; MEETCTL_DEBUG=1 shows the traceback)",
                err=True,
            )
            ctx.exit(70)


    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        for arg in args:
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:  # bytes that are not UTF-8 reach Python as lone surrogates
                shown = os.fsencode(arg).decode("utf-8", "backslashreplace")
                typer.echo(f"meetctl: error: argument '{one_line(shown)}' is not valid UTF-8 text", err=True)
                ctx.exit(EXIT_INPUT)
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            if _is_usage_error(exc):
                _usage_error(ctx, exc)
            raise


class _Command(TyperCommand):
    """A command whose usage line reads `meetctl cancel [OPTIONS] DATE`, as man pages write it."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        # Typer writes required arguments as {DATE}, which reads like a placeholder to fill in braces.
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in super().collect_usage_pieces(ctx)]


class _App(typer.Typer):
    """typer.Typer whose commands are :class:`_Command` and whose sub-command groups are :class:`_Commands`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", _Commands)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, *, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(name, cls=cls or _Command, **kwargs)


def _is_click_exception(exc: Exception) -> bool:
    # click's own exceptions carry exit codes click prints itself.
    return hasattr(exc, "exit_code") and hasattr(exc, "show")


def _is_usage_error(exc: Exception) -> bool:
    """A mistake on the command line (not `meetctl` alone, which shows the help)."""
    from typer._click.exceptions import NoArgsIsHelpError, UsageError

    return isinstance(exc, UsageError) and not isinstance(exc, NoArgsIsHelpError)


def _usage_error(ctx: Any, exc: Any) -> None:
    """One line, like every other bad input: `meetctl list: error: ... (see meetctl list --help)`."""
    where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "meetctl"
    typer.echo(f"{where}: error: {one_line(exc.format_message())} (see {where} --help)", err=True)
    ctx.exit(exc.exit_code)


def _quiet_broken_pipe() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _new_app() -> typer.Typer:
    return _App(
        name="meetctl",
        help="A local group's meeting programme: dates, reminders, flyers and calendars from one TOML file.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


app = _new_app()


def _show_version(value: bool) -> None:
    if value:
        from meetctl import __version__

        typer.echo(f"meetctl {__version__}")
        raise typer.Exit()


def _defaults_for(command: Any, values: dict[str, Any]) -> dict[str, Any]:
    """A click default_map giving ``values`` to every sub-command (and their sub-commands)."""
    return {
        name: _defaults_for(sub, values) if hasattr(sub, "commands") else values
        for name, sub in getattr(command, "commands", {}).items()
    }

# --------------------------------------------------------------------------- shared options

Files = Annotated[
    list[Path] | None,
    typer.Option(
        "--file",
        "-f",
        help="Programme file or folder of *.toml files; repeatable. "
        "Default: $MEETCTL_FILE, else ./programme.toml.",
        show_default=False,
    ),
]
Today = Annotated[
    str | None,
    typer.Option(
        "--today",
        envvar="MEETCTL_TODAY",
        metavar="YYYY-MM-DD",
        help="Pretend today is this date.",
        show_default=False,
    ),
]
FromDate = Annotated[
    str | None, typer.Option("--from", metavar="YYYY-MM-DD", help="First date, inclusive.")
]
ToDate = Annotated[str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="Last date, inclusive.")]
Json = Annotated[bool, typer.Option("--json", help="JSON for scripts instead of text.")]
#: Streams: every reading command takes both, and passes them to ``load(files, series, one_offs)``.
Streams = Annotated[
    list[str] | None,
    typer.Option(
        "--series",
        metavar="ID",
        help="Only this series' meetings; repeatable. Unknown ids are an error.",
        show_default=False,
    ),
]
OneOffs = Annotated[
    bool, typer.Option("--one-offs", help="Only meetings of no series (with --series: those as well).")
]


@app.callback()
def _meetctl(
    ctx: typer.Context,
    files: Files = None,
    today: Today = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """A local group's meeting programme: dates, reminders, flyers and calendars from one TOML file.

    -f and --today may come before the command too: they apply to it.

    Example:  meetctl -f examples/programme.toml list --from 2017-01-01
    """
    from typer._click.core import ParameterSource

    # --today from the environment is left for the command to read, so a bad one is named as such.
    typed_today = ctx.get_parameter_source("today") is ParameterSource.COMMANDLINE
    if typed_today:  # typed before the command, it still beats $MEETCTL_TODAY (which click ranks higher)
        ctx.meta["meetctl.today"] = today
    given = {k: v for k, v in (("files", files), ("today", today if typed_today else None)) if v}
    if given:
        ctx.default_map = _defaults_for(ctx.command, given)


#: What a newcomer who has not made a programme yet is told.
NO_PROGRAMME = "no such file (`meetctl init` writes a new programme; -f or $MEETCTL_FILE names another)"


def load(files: list[Path] | None, series: list[str] | None = None, one_offs: bool = False) -> list[Programme]:
    """The programmes named by -f, else $MEETCTL_FILE (os.pathsep-separated), else ./programme.toml.

    With --series/--one-offs, cut down to those streams (see ``model.selection.select_streams``).
    """
    named = named_programmes(files)
    missing = [Problem(NO_PROGRAMME, Location(str(p))) for p in named if not os.path.lexists(p)]
    if missing:
        raise MeetctlError(missing)
    programmes = load_programmes(named)
    if series or one_offs:
        from meetctl.model.selection import select_streams

        programmes = select_streams(programmes, series, one_offs)
    return programmes


def parse_date_option(option: str, value: str) -> date:
    """A YYYY-MM-DD option value, or a usage error naming the option."""
    from meetctl.model.loading import check_date_range

    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise MeetctlError(Problem(f"{option}: invalid date {value!r} (expected YYYY-MM-DD)")) from None
    try:
        return check_date_range(day)
    except ValueError as exc:
        raise MeetctlError(Problem(f"{option}: {exc}")) from None


def _today_given(value: str | None) -> tuple[str | None, str]:
    """'Today' as the user gave it, and how to name it in messages: --today or $MEETCTL_TODAY."""
    from typer._click.core import ParameterSource
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    if ctx is not None and ctx.get_parameter_source("today") is ParameterSource.ENVIRONMENT:
        typed = ctx.meta.get("meetctl.today")
        return (typed, "--today") if typed else (value, "$MEETCTL_TODAY")
    return value, "--today"


def today_for(value: str | None, programmes: list[Programme]) -> date:
    """--today / $MEETCTL_TODAY, else today's date in the (first) group's time zone."""
    value, name = _today_given(value)
    if value:
        return parse_date_option(name, value)
    zone = programmes[0].group.zone if programmes else None
    return datetime.now(zone).date()


def now_for(value: str | None, programmes: list[Programme]) -> datetime:
    """The moment 'now': the start of --today if given, else the clock."""
    zone = programmes[0].group.zone if programmes else None
    value, name = _today_given(value)
    if value:
        return datetime.combine(parse_date_option(name, value), time(), tzinfo=zone)
    return datetime.now(zone)


def window(
    from_: str | None, to: str | None, today: date, default_days: int = 366
) -> tuple[date, date]:
    """--from/--to as dates (inclusive); by default from today, a year ahead."""
    first = parse_date_option("--from", from_) if from_ else today
    if to:
        last = parse_date_option("--to", to)
    else:
        last = _add_years(first, 1) - timedelta(days=1) if default_days == 366 else first + timedelta(days=default_days)
    if last < first:
        raise MeetctlError(Problem(f"--to {last} is before --from {first}"))
    return first, last


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def on_terminal() -> bool:
    """Whether stdout is a person's terminal (rich output) rather than a pipe or file."""
    return sys.stdout.isatty()


# --------------------------------------------------------------------------- core commands


@app.command()
def check(
    files: Files = None,
    today: Today = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 if there are warnings.")] = False,
) -> None:
    """Validate the programme and print a one-line summary and any warnings.

    Errors (exit 2) are everything invalid; warnings (exit 0, or 1 with --strict)
    are meetings that overlap and series whose `until` has passed.

    Example:  meetctl check -f examples/programme.toml --strict
    """
    from meetctl.model import checks

    programmes = load(files)
    day = today_for(today, programmes)
    for summary in checks.summaries(programmes, day):
        typer.echo(str(summary))
    found = checks.warnings(programmes, day)
    for problem in found:
        typer.echo(str(problem), err=True)
    if found and strict:
        raise typer.Exit(EXIT_FOUND)


@app.command("list")
def list_(
    files: Files = None,
    from_: FromDate = None,
    to: ToDate = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N meetings.")] = None,
    json: Json = False,
    sessions: Annotated[bool, typer.Option("--sessions", help="Show each meeting's timetable under it.")] = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    today: Today = None,
) -> None:
    """List meetings in date order (default: from today, a year ahead).

    Cancelled meetings are listed too, marked CANCELLED ("status": "cancelled" in JSON).
    Several -f give one combined list with a Group column. JSON always carries each
    meeting's "sessions" (its day school or conference timetable).

    Example:  meetctl list -f examples/programme.toml --from 2017-01-01 --to 2017-03-31
    Example:  meetctl list --series reading --one-offs
    """
    from itertools import islice

    from meetctl.documents.listing import occurrence_record, plain_table, print_rich_table, write_json_lines
    from meetctl.model.schedule import stream_occurrences

    programmes = load(files, series, one_offs)
    first, last = window(from_, to, today_for(today, programmes))
    stream = islice(stream_occurrences(programmes, first, last), limit)
    if json:
        # Written as they come: forty years of a thousand series need no more memory than one year.
        write_json_lines((occurrence_record(o) for o in stream), sys.stdout)
        return
    items = list(stream)
    show_group = len(programmes) > 1
    if on_terminal():
        if items:
            print_rich_table(items, show_group, sessions)
        else:
            typer.echo(f"No meetings from {first} to {last}.")
    else:
        sys.stdout.write(plain_table(items, show_group, sessions))


@app.command("next")
def next_(
    files: Files = None, json: Json = False, series: Streams = None, one_offs: OneOffs = False, today: Today = None
) -> None:
    """Show the next meeting (cancelled ones are skipped).

    With --json, one object, or null when nothing is planned.

    Example:  meetctl next -f examples/programme.toml --today 2017-02-01
    Example:  meetctl next --series discussion
    """
    from meetctl.documents.listing import describe_occurrence, occurrence_record, write_json
    from meetctl.model.schedule import next_occurrence

    programmes = load(files, series, one_offs)
    found = next_occurrence(programmes, now_for(today, programmes))
    if json:
        write_json(occurrence_record(found) if found else None, sys.stdout)
    elif found is None:
        typer.echo("No meetings to come.")
    else:
        typer.echo(describe_occurrence(found), nl=False)


# --------------------------------------------------------------------------- calendars
# ical, clashes, import, publish

Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout.")
]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing file that is not a calendar.")]


@app.command()
def ical(
    files: Files = None,
    from_: FromDate = None,
    to: ToDate = None,
    expand: Annotated[
        bool, typer.Option("--expand", help="One plain event per meeting, for clients that mishandle repeats.")
    ] = False,
    cancelled: Annotated[
        str,
        typer.Option("--cancelled", metavar="show|hide",
                     help="show: cancelled meetings stay in, marked cancelled; hide: left out (EXDATE)."),
    ] = "show",  # fmt: skip
    output: Output = None,
    force: Force = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    today: Today = None,
) -> None:
    """Write the programme as an iCalendar (.ics) file: one repeating event per series.

    Default: all of the programme (a series without `until` stays open-ended).
    --from/--to clip series to those dates and keep meetings dated in them.
    --expand writes each meeting as its own event (open-ended series: to a year after today).
    Cancelled meetings stay in, marked cancelled, unless --cancelled hide.

    --series/--one-offs give a calendar of only those streams (same UIDs as the whole one).

    Example:  meetctl ical -f examples/programme.toml -o programme.ics
    Example:  meetctl ical --series reading -o reading-group.ics
    """
    from meetctl.calendars.export import calendar_chunks, expand_window
    from meetctl.output import check_output, write_output_stream

    if cancelled not in ("show", "hide"):
        raise MeetctlError(Problem(f"--cancelled must be show or hide, not {cancelled!r}"))
    programmes = load(files, series, one_offs)
    first = parse_date_option("--from", from_) if from_ else None
    last = parse_date_option("--to", to) if to else None
    if first and last and last < first:
        raise MeetctlError(Problem(f"--to {last} is before --from {first}"))
    if expand:
        lo, hi = expand_window(programmes, today_for(today, programmes))
        first, last = first or lo, last or max(hi, first or hi)
    if output is not None:
        check_output(output, "calendar", force)  # refuse before the work, not after
    # Written as it is made (an --expand of decades would otherwise be held whole).
    chunks = calendar_chunks(programmes, first, last, expand=expand, hide_cancelled=cancelled == "hide")
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.writelines(chunks)
        sys.stdout.buffer.flush()
    else:
        write_output_stream(output, chunks, "calendar", force)


@app.command()
def clashes(
    sources: Annotated[
        list[str],
        typer.Option(
            "--with",
            metavar="SOURCE",
            help="An .ics file, an http(s):// or webcal:// URL, or another programme (.toml); repeatable.",
            show_default=False,
        ),
    ],
    files: Files = None,
    from_: FromDate = None,
    to: ToDate = None,
    same_day: Annotated[
        bool, typer.Option("--same-day", help="Count any event on the same day as a clash.")
    ] = False,
    fail: Annotated[bool, typer.Option("--fail", help="Exit 1 if there are clashes.")] = False,
    json: Json = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    today: Today = None,
) -> None:
    """Our meetings that overlap events in other calendars (default: from today, a year ahead).

    Prints nothing when there are no clashes. All-day events clash with any
    meeting on their days; recurring events are expanded; zones are handled.

    Example:  meetctl clashes --with https://example.org/other-group.ics --fail
    """
    from meetctl.calendars.clashes import clash_line, clash_record, find_clashes
    from meetctl.calendars.reading import load_events
    from meetctl.documents.listing import write_json
    from meetctl.model.schedule import occurrences

    programmes = load(files, series, one_offs)
    first, last = window(from_, to, today_for(today, programmes))
    ours = occurrences(programmes, first, last)
    events = [e for source in sources for e in load_events(source, first, last)]
    found = find_clashes(ours, events, same_day=same_day)
    if json:
        write_json([clash_record(c) for c in found], sys.stdout)
    else:
        for c in found:
            typer.echo(clash_line(c))
    if found and fail:
        raise typer.Exit(EXIT_FOUND)


@app.command("import")
def import_(
    source: Annotated[str, typer.Argument(metavar="FILE.ics", help="A calendar file, or an http(s)/webcal URL.")],
    output: Output = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")] = False,
) -> None:
    """Turn an existing calendar into a programme file (TOML), printed or written with -o.

    Repeating events become series (with an English rule where meetctl can say it),
    their changed and cancelled dates become meetings and skips, other events one-off
    meetings. Things that cannot be carried over are warned about on stderr.

    Example:  meetctl import branch.ics -o programme.toml
    """
    from meetctl.calendars.importer import import_calendar, programme_text
    from meetctl.calendars.reading import fetch, read_ics
    from meetctl.model.loading import parse_programme
    from meetctl.output import check_output

    if output is not None:
        check_output(output, "programme", force)
    is_url = source.lower().startswith(("http://", "https://", "webcal://"))
    imported = import_calendar(fetch(source) if is_url else read_ics(Path(source)), source)
    text = programme_text(imported, source)
    parse_programme(text, str(output or "imported programme"))  # what we write must load
    for problem in imported.warnings:
        typer.echo(str(problem), err=True)
    if output is None:
        sys.stdout.write(text)
    else:
        write_file(output, text.encode("utf-8"), "programme", force, announce=False)


@app.command()
def publish(
    caldav: Annotated[
        str,
        typer.Option("--caldav", metavar="URL", help="The calendar's address (Nextcloud, Radicale, ...).",
                     show_default=False),
    ],  # fmt: skip
    files: Files = None,
    user: Annotated[str | None, typer.Option("--user", help="CalDAV user name (else from ~/.netrc).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would change.")] = False,
    create: Annotated[
        bool, typer.Option("--create", help="Make the calendar (MKCALENDAR) if nothing is at the address yet.")
    ] = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    today: Today = None,  # accepted like every command's; publishing the whole programme needs no today
) -> None:
    """Put the programme on a CalDAV calendar, and keep it in step on every run.

    The password comes from $MEETCTL_CALDAV_PASSWORD or ~/.netrc, never from a flag
    (none is needed for a server without logins). The address must be a calendar;
    --create makes one there first if there is nothing at it.
    A second run changes nothing; changed meetings are updated in place; meetings
    removed from the programme are removed; other events on the calendar are left alone.

    With --series/--one-offs only those streams are put on the calendar; the other
    streams' events already there are left alone.

    Example:  meetctl publish --caldav https://dav.example.org/sec/branch/ --user sec
    Example:  meetctl publish --caldav https://dav.example.org/sec/reading/ --series reading --create
    """
    from meetctl.calendars.publish import publish as publish_programmes
    from meetctl.model.selection import select_streams

    programmes = load(files)
    chosen = select_streams(programmes, series, one_offs)
    # The progress bar is drawn on stderr: show it whenever a person watches stderr.
    _, lines = publish_programmes(
        chosen, caldav, user, dry_run=dry_run, show_progress=sys.stderr.isatty(), whole=programmes, create=create
    )
    for line in lines:
        typer.echo(line)

# --------------------------------------------------------------------------- reminders
# remind


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
    over SMTP and records it in the sent-log, so a second run the same day sends
    nothing (unless --force). A delivery that may work later (connection refused,
    a timeout, a 4xx answer) exits 75; one that cannot work as set up (wrong
    --smtp-security, login refused, unknown host, a 5xx answer) exits 2 with the fix.

    Example:  meetctl remind -f examples/programme.toml --today 2017-02-15 --format email | sendmail -t
    """
    from meetctl.mail import reminders

    if send and fmt not in (None, RemindFormat.email):
        raise MeetctlError(Problem(f"--send sends email; leave out --format {fmt.value}"))
    if to and not send and fmt is not RemindFormat.email:
        raise MeetctlError(Problem("--to is for --format email or --send"))
    programmes = load(files, series, one_offs)
    if send:
        from meetctl.mail import delivery as mailer

        settings = mailer.smtp_settings(
            programmes[0].mail, smtp_host, smtp_port, smtp_security, smtp_user,
            allow_cleartext=allow_cleartext_auth,
        )
    day_value = today_for(today, programmes)
    from meetctl.model.loading import LAST_DATE

    for n in days or []:
        if day_value.toordinal() + n > LAST_DATE.toordinal():
            raise MeetctlError(Problem(f"--days {n}: that is after {LAST_DATE}, the last date meetctl works with"))
    found = reminders.due(programmes, day_value, days or [7])
    changed = _changes_due(programmes, day_value, days or [7])
    due_notices = reminders.notices_due(programmes, day_value)
    if not found and not changed and not due_notices:
        return
    from meetctl.mail import changes

    kind = (RemindFormat.email if send else fmt or RemindFormat.text).value
    notices = _notices(due_notices, day_value, kind, programmes)
    if send or fmt is RemindFormat.email:
        now = now_for(today, programmes)
        messages = [changes.email_message(n, to or [], now) for n in changed]
        messages += [reminders.notice_email(n, to or [], now) for n in notices]
        messages += [reminders.email_message(r, to or [], now) for r in found]
    if send:
        for outcome in mailer.deliver(messages, settings, mailer.sent_log(), force=force):
            if verbose:
                typer.echo(f"{outcome.status}: {outcome.subject} -> {', '.join(outcome.recipients)}", err=True)
    elif fmt is RemindFormat.email:
        if len(messages) > 1:
            raise MeetctlError(
                Problem(
                    f"{len(messages)} reminders and notices are due and --format email writes one message: "
                    "use --send, or one --days per run"
                )
            )
        sys.stdout.flush()
        sys.stdout.buffer.write(reminders.email_bytes(messages[0]))
        sys.stdout.buffer.flush()
    else:
        # Changes first: they are what members must not miss; then formal notices, then reminders.
        parts = changes.render(changed, kind) + [reminders.render_notice(n, kind) for n in notices]
        if found:
            parts.append(reminders.render(found, kind))
        typer.echo(reminders.SEPARATOR[kind].join(parts), nl=False)


def _notices(due: list[Any], today: date, kind: str, programmes: list[Programme]) -> list[Any]:
    """The formal notices due today, each with its agenda rendered (text, Markdown; HTML for email)."""
    if not due:
        return []
    from meetctl.documents.agendas import agenda_document
    from meetctl.documents.environment import with_locale
    from meetctl.mail.reminders import Notice

    with_locale(programmes, None)  # a group.locale Babel does not know is an error at its line, not a crash
    templates = _templates(None, programmes)
    body = "markdown" if kind == "markdown" else "text"
    return [
        Notice(o, today, agenda_document(templates, o, body, today),
               agenda_document(templates, o, "html", today) if kind == "email" else None)
        for o in due
    ]  # fmt: skip


def _changes_due(programmes: list[Programme], day: Any, days: list[int]) -> list[Any]:
    """Change notices due on ``day`` (imported only when the programme has a change to tell)."""
    if not any(m.cancelled or m.replaces for p in programmes for m in p.meetings):
        return []  # cron's usual day: no cancellation or move anywhere, nothing more to load
    from meetctl.mail import changes

    return changes.due(programmes, day, days)

# --------------------------------------------------------------------------- documents
# flyer, announce, report, stats, templates


class Paper(StrEnum):
    a4 = "a4"
    a5 = "a5"
    letter = "letter"


class FlyerFormat(StrEnum):
    html = "html"
    pdf = "pdf"


class AnnounceFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"


TemplatesDir = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        metavar="DIR",
        help="Folder of your own templates. Default: templates/ beside the programme.",
        show_default=False,
    ),
]
Output = Annotated[Path | None, typer.Option("--output", "-o", metavar="PATH", help="Write to this file.")]


LocaleOption = Annotated[
    str | None,
    typer.Option(
        "--locale",
        metavar="LOCALE",
        help="Language for dates, times and fixed words: fr_FR, ca_ES, cy_GB... Default: group.locale.",
        show_default=False,
    ),
]


def _templates(option: Path | None, programmes: list[Programme]) -> Any:
    from meetctl.documents.environment import Templates, template_dirs

    locale = programmes[0].group.locale if programmes else None
    return Templates(template_dirs(option, [p.path for p in programmes]), locale=locale)


def _load_for_documents(
    files: list[Path] | None, locale: str | None, series: list[str] | None = None, one_offs: bool = False
) -> list[Programme]:
    from meetctl.documents.environment import with_locale

    return with_locale(load(files, series, one_offs), locale)


def _make_folder(folder: Path) -> None:
    """Create one folder meetctl owns by default (reports/, templates/) beside an existing programme."""
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise MeetctlError.at(Location(str(folder)), f"cannot create folder: {exc.strerror or exc}") from None


def write_file(path: Path, data: bytes, kind: str, force: bool, announce: bool = True) -> None:
    """Write a command's output file by the rules of :mod:`meetctl.output`; print its path if ``announce``."""
    from meetctl.output import write_output

    write_output(path, data, kind, force)
    if announce:
        typer.echo(str(path))


@app.command()
def flyer(
    day: Annotated[str | None, typer.Argument(metavar="[DATE]", help="The meeting's date (YYYY-MM-DD).")] = None,
    files: Files = None,
    from_: FromDate = None,
    to: ToDate = None,
    fmt: Annotated[
        FlyerFormat | None,
        typer.Option("--format", help="html or pdf. Default: from -o's extension, else html.", show_default=False),
    ] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="Paper size.")] = Paper.a4,
    output: Output = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file that is not a flyer of the same format.")
    ] = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", metavar="URL",
                     help="The group's site (meetctl site): a one-meeting flyer carries a QR code of the "
                     "meeting's page there. Default: group.website."),
    ] = None,
    templates: TemplatesDir = None,
    locale: LocaleOption = None,
    today: Today = None,
) -> None:
    """A printable flyer: for one meeting (DATE, default the next one) or a term (--from/--to).

    The term flyer says the rule in words and lists every date; cancelled meetings
    are struck through. PDF is made from the same HTML (WeasyPrint). With -o the
    file is written and its path printed; piped, the flyer goes to stdout; on a
    terminal it goes to flyer-DATE.html (or .pdf).

    --series/--one-offs: a flyer of only those streams (a term's, or the next meeting of them).

    Example:  meetctl flyer -f examples/programme.toml --from 2017-01-01 --to 2017-03-31 --format pdf -o term.pdf
    Example:  meetctl flyer --series reading --from 2027-01-01 --to 2027-03-31
    """
    from meetctl.documents.flyers import flyer_html, flyer_pdf
    from meetctl.documents.site import meeting_page_url, site_base_url
    from meetctl.model.schedule import next_occurrence
    from meetctl.model.selection import meeting_on, term_meetings, term_window
    from meetctl.output import check_output

    programmes = _load_for_documents(files, locale, series, one_offs)
    own_templates = _templates(templates, programmes)
    day_value = today_for(today, programmes)
    term = bool(from_ or to)
    if term and day:
        raise MeetctlError(Problem("give either a DATE (one meeting) or --from/--to (a term), not both"))
    if term:
        first = parse_date_option("--from", from_) if from_ else None
        last = parse_date_option("--to", to) if to else None
        first, last = term_window(first, last, day_value)
        items = term_meetings(programmes, first, last)
    elif day:
        items = [meeting_on(programmes, parse_date_option("DATE", day))]
    else:
        found = next_occurrence(programmes, now_for(today, programmes))
        if found is None:
            raise MeetctlError(Problem("no meetings to come; give a DATE or --from/--to"))
        items = [found]
    if output is not None and str(output) != "-":
        # The path first (a FIFO, a missing folder, the programme): the rules every -o keeps; then the name.
        guess = fmt.value if fmt else ("pdf" if output.suffix.lower() == ".pdf" else "html")
        check_output(output, guess, force)  # refuse before the work, not after
    chosen = _flyer_format(output, fmt)
    page = None if term else meeting_page_url(programmes, items[0], site_base_url(base_url, programmes))
    if chosen is FlyerFormat.html:
        data = flyer_html(own_templates, programmes, items, paper.value, term, page_url=page).encode("utf-8")
    else:
        base = templates or Path(programmes[0].path).parent
        data = flyer_pdf(own_templates, programmes, items, paper.value, term, base, own_templates.group_dirs, page)
    if output is None and on_terminal():  # markup or PDF bytes are no use on a screen: write a file
        # A term flyer is named for the term asked for (FROM-TO), as the README says.
        name = f"term-flyer-{first}-{last}" if term else f"flyer-{items[0].date}"
        output = Path(f"{name}.{chosen.value}")
    if output is not None and str(output) != "-":
        write_file(output, data, chosen.value, force)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


class AgendaFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    pdf = "pdf"


_AGENDA_SUFFIXES = {".txt": AgendaFormat.text, ".md": AgendaFormat.markdown, ".html": AgendaFormat.html,
                    ".htm": AgendaFormat.html, ".pdf": AgendaFormat.pdf}  # fmt: skip


@app.command()
def agenda(
    day: Annotated[str | None, typer.Argument(metavar="[DATE]", help="The meeting's date (YYYY-MM-DD).")] = None,
    files: Files = None,
    fmt: Annotated[
        AgendaFormat | None,
        typer.Option("--format", help="text, markdown, html or pdf. Default: from -o's extension, else text.",
                     show_default=False),
    ] = None,
    output: Output = None,
    force: Annotated[bool, typer.Option("--force", help="Replace -o's file even if it is not an agenda.")] = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    templates: TemplatesDir = None,
    locale: LocaleOption = None,
    today: Today = None,
) -> None:
    """The agenda of a meeting (DATE, default the next one), with its notice line if it needs notice.

    Standing items come from the agenda table's standing_items (default: apologies,
    minutes of the last meeting, matters arising = the actions recorded then, the
    meeting's own agenda items, any other business, date of the next meeting). HTML and
    PDF come from agenda.html.j2, overridable like the flyer's templates. With -o the
    file is written and its path printed; a PDF on a terminal goes to agenda-DATE-....pdf.

    Example:  meetctl agenda 2024-03-04 --format pdf -o agm-agenda.pdf
    """
    from meetctl.documents import agendas
    from meetctl.model.schedule import next_occurrence
    from meetctl.model.selection import meeting_on
    from meetctl.output import check_output

    programmes = _load_for_documents(files, locale, series, one_offs)
    own_templates = _templates(templates, programmes)
    current = today_for(today, programmes)
    if day:
        meeting = meeting_on(programmes, parse_date_option("DATE", day))
    else:
        now = now_for(today, programmes)
        found = next_occurrence(programmes, now)
        if found is None:
            raise MeetctlError(Problem("no meetings to come; give a DATE"))
        meeting = found
    to_file = output is not None and str(output) != "-"
    chosen = fmt or (_AGENDA_SUFFIXES.get(output.suffix.lower(), AgendaFormat.text) if to_file and output
                     else AgendaFormat.text)  # fmt: skip
    kind = agendas.OUTPUT_KINDS[chosen.value]
    if to_file and output is not None:
        check_output(output, kind, force)  # refuse before the work, not after
    warning = agendas.agenda_deadline_warning(meeting, current)
    if warning is not None:
        typer.echo(str(warning), err=True)
    text = agendas.agenda_document(own_templates, meeting, "html" if chosen is AgendaFormat.pdf else chosen.value,
                                   current)  # fmt: skip
    if chosen is AgendaFormat.pdf:
        from meetctl.documents.flyers import html_to_pdf

        data = html_to_pdf(text, templates or Path(programmes[0].path).parent, own_templates.group_dirs)
    else:
        data = text.encode("utf-8")
    if output is None and chosen is AgendaFormat.pdf and on_terminal():  # PDF bytes are no use on a screen
        output = agendas.default_agenda_path(meeting, chosen.value)
        to_file = True
    if to_file and output is not None:
        write_file(output, data, kind, force)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _flyer_format(output: Path | None, asked: FlyerFormat | None = None) -> FlyerFormat:
    """The format to write: --format, else -o's extension (.html, .htm, .pdf), else html.

    An HTML flyer in flyer.docx, or a PDF in flyer.html, would open as garbage: an
    extension meetctl does not write is refused unless --format says what to write,
    and a --format that contradicts a .pdf/.html name is refused outright.
    """
    named = None
    if output is not None and str(output) != "-":
        suffix = output.suffix.lower()
        named = {".pdf": FlyerFormat.pdf, ".html": FlyerFormat.html, ".htm": FlyerFormat.html}.get(suffix)
        if named is None and asked is None:
            what = suffix or "a file without an extension"
            raise MeetctlError(
                Problem(
                    f"-o {output}: meetctl writes flyers as HTML or PDF, not {what}; "
                    "name the file .html or .pdf, or give --format"
                )
            )
    if asked is not None and named is not None and asked is not named:
        raise MeetctlError(Problem(f"--format {asked.value} does not match -o {output}: name the file .{asked.value}"))
    return asked or named or FlyerFormat.html


@app.command()
def announce(
    files: Files = None,
    from_: FromDate = None,
    to: ToDate = None,
    fmt: Annotated[AnnounceFormat, typer.Option("--format", help="text, markdown or html.")] = AnnounceFormat.text,
    series: Streams = None,
    one_offs: OneOffs = False,
    templates: TemplatesDir = None,
    locale: LocaleOption = None,
    today: Today = None,
) -> None:
    """The post announcing a term's meetings, ready to paste (default: the next three months).

    Cancelled meetings are listed as cancelled, with the reason.

    Example:  meetctl announce -f examples/programme.toml --from 2017-01-01 --format markdown
    Example:  meetctl announce --series discussion --one-offs
    """
    from meetctl.documents.announcements import announcement
    from meetctl.model.selection import term_meetings, term_window

    programmes = _load_for_documents(files, locale, series, one_offs)
    own_templates = _templates(templates, programmes)
    first = parse_date_option("--from", from_) if from_ else None
    last = parse_date_option("--to", to) if to else None
    first, last = term_window(first, last, today_for(today, programmes))
    items = term_meetings(programmes, first, last)
    text = announcement(own_templates, programmes, items, fmt.value)
    typer.echo(text, nl=False)


@app.command()
def report(
    day: Annotated[str | None, typer.Argument(metavar="[DATE]", help="The meeting's date (YYYY-MM-DD).")] = None,
    files: Files = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="PATH",
            help="Where to write ('-' for stdout). Default: reports/YYYY-MM-DD-<slug>.md beside the programme.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    clashes_with: Annotated[
        list[str] | None,
        typer.Option("--clashes-with", metavar="SOURCE",
                     help="Also look for clashes in this calendar (.ics file, URL or programme); repeatable."),
    ] = None,
    templates: TemplatesDir = None,
    locale: LocaleOption = None,
    today: Today = None,
) -> None:
    """A Markdown stub for writing up a meeting (default: the latest one that has started).

    It has the date, venue, who led off, attendance against the previous meeting,
    clashes (with other meetings in the programmes read, and with --clashes-with
    calendars), and headings to fill in.
    Prints the path it wrote; never replaces a file without --force.

    Example:  meetctl report -f examples/programme.toml 2017-02-22 -o -
    """
    from meetctl.documents import reports
    from meetctl.model.selection import latest_started, meeting_on, select_streams

    programmes = _load_for_documents(files, locale)
    own_templates = _templates(templates, programmes)
    # The streams choose the meeting; clashes are looked for in the whole programme.
    chosen = select_streams(programmes, series, one_offs)
    if day:
        meeting = meeting_on(chosen, parse_date_option("DATE", day))
    else:
        meeting = latest_started(chosen, now_for(today, programmes))
    found = reports.clashes_within(programmes, meeting) + reports.clashes_with(meeting, clashes_with or [])
    text = reports.report_markdown(own_templates, programmes, meeting, found)
    if output is not None and str(output) == "-":
        typer.echo(text, nl=False)
        return
    path = output
    if path is None:  # the default reports/ folder beside the programme is ours to make; -o's folder is not
        path = reports.report_path(meeting, reports.default_reports_dir(meeting))
        _make_folder(path.parent)
    write_file(path, text.encode("utf-8"), "report", force)


@app.command()
def stats(
    files: Files = None,
    series: Streams = None,
    one_offs: OneOffs = False,
    from_: FromDate = None,
    to: ToDate = None,
    json: Json = False,
    today: Today = None,
) -> None:
    """Attendance over time, from the `attendance = N` recorded for each meeting.

    A table with the change against the previous meeting of the same series, and a
    bar chart; --json for scripts. By default up to today.

    Example:  meetctl stats -f programme.toml --series discussion
    """
    from meetctl.documents import stats as attendance

    programmes = load(files, series, one_offs)
    first = parse_date_option("--from", from_) if from_ else None
    last = parse_date_option("--to", to) if to else today_for(today, programmes)
    rows = attendance.attendance_rows(programmes, None, first, last)
    if json:
        from meetctl.documents.listing import write_json

        write_json(attendance.json_records(rows), sys.stdout)
    elif on_terminal():
        attendance.print_rich(rows)
    else:
        sys.stdout.write(attendance.plain(rows))


@app.command()
def site(
    files: Files = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="DIR",
                     help="The site's folder (replaced as a whole). Default: site/ beside the programme."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", metavar="URL",
                     help="Where the site will be read (https://example.org/meetings/). Default: group.website."),
    ] = None,
    flyers: Annotated[
        int, typer.Option("--flyers", min=0, metavar="N", help="PDF flyers for the next N meetings to come (0: none).")
    ] = 6,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then show the site on http://127.0.0.1:PORT/ until Ctrl-C.")
    ] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port for --serve (0: any free one).")] = 8000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing when all is well (for cron).")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the folder even if meetctl did not make it.")
    ] = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    templates: TemplatesDir = None,
    locale: LocaleOption = None,
    today: Today = None,
) -> None:
    """A static website of the programme: meetings to come and past ones, a page per meeting, feeds.

    Writes index.html, a page and an .ics per meeting (meetings/), calendar.ics (as
    `meetctl ical`), feed.xml (Atom: announcements, cancellations, moves), style.css
    and flyer PDFs with a QR code of their page. The folder is built beside its place
    and swapped in whole; a folder meetctl did not make is never replaced without --force.
    Same programme and --today, same bytes. Upload the folder anywhere static files go.
    --series/--one-offs: a site of only those streams (calendar.ics too).

    Example:  meetctl site -f programme.toml --base-url https://example.org/meetings/ --serve
    """
    from meetctl.calendars.export import build_calendar
    from meetctl.documents.flyers import flyer_pdf
    from meetctl.documents.site import build_site, check_site_folder, site_base_url, site_window
    from meetctl.output import write_folder

    programmes = _load_for_documents(files, locale, series, one_offs)
    own_templates = _templates(templates, programmes)
    url = site_base_url(base_url, programmes)
    day = today_for(today, programmes)
    folder = output or Path(programmes[0].path).parent / "site"
    check_site_folder(folder, programmes)
    window = site_window(programmes, day)
    base = templates or Path(programmes[0].path).parent

    def make_flyer(o: Any, page_url: str | None) -> bytes:
        # The same PDF as `meetctl flyer DATE` (type fitted to one A4 page), with the page's QR code.
        return flyer_pdf(own_templates, programmes, [o], "a4", False, base, own_templates.group_dirs, page_url)

    with write_folder(folder, force) as writer:
        result = build_site(writer, own_templates, programmes, window, day, url, build_calendar(programmes),
                            flyers, make_flyer)  # fmt: skip
    if not quiet:
        typer.echo(f"{folder}: {result.pages} pages, {result.flyers} flyers, {result.files} files")
    if serve:
        _serve(folder, port)


def _serve(folder: Path, port: int) -> None:
    """Show ``folder`` on 127.0.0.1 (the standard library's server) until Ctrl-C, which exits 130."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass  # a request log on the terminal is noise for a preview

    handler = functools.partial(Quiet, directory=str(folder))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise MeetctlError(Problem(f"--port {port}: cannot serve: {exc.strerror or exc}")) from None
    typer.echo(f"Serving {folder} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    finally:
        server.server_close()


templates_app = _App(
    help="The templates documents are made from, and your group's own copies of them.\n\n"
    "Example:  meetctl templates copy announce.md.j2",
    no_args_is_help=True,
)
app.add_typer(templates_app, name="templates")


@templates_app.command("list")
def templates_list(files: Files = None, templates: TemplatesDir = None) -> None:
    """List the shipped templates, and which ones your group has its own copy of.

    Example:  meetctl templates list -f examples/programme.toml
    """
    from meetctl.documents.environment import builtin_templates, default_templates_folder

    folder = default_templates_folder(templates, named_programmes(files))
    for name in builtin_templates():
        own = folder / name
        typer.echo(f"{name}  (yours: {own})" if own.is_file() else name)


@templates_app.command("copy")
def templates_copy(
    names: Annotated[list[str], typer.Argument(metavar="NAME...", help="Template names, from `templates list`.")],
    files: Files = None,
    templates: TemplatesDir = None,
    force: Annotated[bool, typer.Option("--force", help="Replace your copy if it exists.")] = False,
) -> None:
    """Copy shipped templates into your group's templates/ folder to edit them.

    Your copy then replaces the shipped one for every command. Prints each path written.

    Example:  meetctl templates copy flyer.html.j2 flyer.css.j2
    """
    from meetctl.documents.environment import BUILTIN_DIR, builtin_templates, default_templates_folder
    from meetctl.model.errors import did_you_mean

    folder = default_templates_folder(templates, named_programmes(files))
    known = builtin_templates()
    problems = [
        Problem(f"no template called {n!r}{did_you_mean(n, known)} (see `meetctl templates list`)")
        for n in names
        if n not in known
    ]
    if problems:
        raise MeetctlError(problems)
    if templates is None:  # the default templates/ folder beside the programme is ours to make
        _make_folder(folder)
    for name in names:
        write_file(folder / name, (BUILTIN_DIR / name).read_bytes(), "template", force)

# --------------------------------------------------------------------------- editing
# init, add, cancel, move, record, venue

DryRun = Annotated[bool, typer.Option("--dry-run", help="Say what would change; write nothing.")]
#: An edit changes one file: -f is not repeatable here.
EditFile = Annotated[
    list[Path] | None,
    typer.Option(
        "--file",
        "-f",
        help="The programme file to change. Default: $MEETCTL_FILE, else ./programme.toml.",
        show_default=False,
    ),
]
ShowDiff = Annotated[bool, typer.Option("--diff", help="Also show the change as a unified diff.")]
SeriesId = Annotated[
    str | None, typer.Option("--series", metavar="ID", help="The series, if several meet that day.")
]
OneOffMeeting = Annotated[
    bool, typer.Option("--one-off", help="The meeting of no series, if a series meets that day too.")
]
AllowClash = Annotated[
    bool, typer.Option("--allow-clash", help="Write it even if it overlaps another meeting.")
]


def _edit(files: list[Path] | None, make: Any, dry_run: bool, diff: bool) -> None:
    """Apply one edit to the programme file and say what changed."""
    from meetctl.editing.editor import edit_file, target_file

    change = edit_file(target_file(files), make, dry_run=dry_run)
    if diff and change.changed:
        sys.stdout.write(change.diff())
    typer.echo(change.report(dry_run), nl=False)


@app.command()
def init(
    path: Annotated[
        Path | None,
        typer.Argument(metavar="PATH", help="Where to write (default: -f, $MEETCTL_FILE or ./programme.toml)."),
    ] = None,
    files: Annotated[
        list[Path] | None,
        typer.Option("--file", "-f", help="Where to write (same as PATH).", show_default=False),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The group's name.")] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="IANA time zone (default: the system's).")
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="The secretary's address (the From: of reminders).")
    ] = None,
    mailing_list: Annotated[
        str | None, typer.Option("--mailing-list", metavar="ADDR", help="Where reminders go by default.")
    ] = None,
    venue_name: Annotated[str | None, typer.Option("--venue-name", help="Where you usually meet.")] = None,
    address: Annotated[str | None, typer.Option("--address", help="The venue's address.")] = None,
    venue_id: Annotated[
        str | None, typer.Option("--venue-id", help="Short id for the venue (default: from its name).")
    ] = None,
    rule: Annotated[
        str | None, typer.Option("--rule", help="The usual slot: 'last Wednesday of the month'.")
    ] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="HH:MM", help="Usual start time.")] = None,
    duration: Annotated[str | None, typer.Option("--duration", help="Usual length: 2h, 90m.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="The usual meeting's title.")] = None,
    from_: FromDate = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    interactive: Annotated[
        bool | None,
        typer.Option("--interactive/--no-interactive", help="Ask questions (default: on a terminal)."),
    ] = None,
    today: Today = None,
) -> None:
    """Write a new, commented programme file that passes `meetctl check`.

    On a terminal it asks for what the flags did not give; otherwise it takes flags.
    It never replaces an existing file without --force.

    Example:  meetctl init --name "Leicester AF" --rule "last Wednesday of the month" --start 19:00
    """
    from meetctl.editing import init as setup

    target = setup.target_path(path, files)
    answers = setup.Answers(
        name=name, timezone=timezone, email=email, mailing_list=mailing_list, venue_name=venue_name,
        address=address,
        venue_id=venue_id, rule=rule, start=start, duration=duration, title=title,
        first=parse_date_option("--from", from_) if from_ else today_for(today, []),
    )  # fmt: skip
    if sys.stdin.isatty() if interactive is None else interactive:
        try:
            answers = setup.ask(answers)
        except typer.Abort:  # Ctrl-C (or end of input) at a question: 130, as for any interrupted program
            typer.echo("\ninit: interrupted; nothing was written", err=True)
            raise typer.Exit(130) from None
    summary = setup.write(target, answers, force=force)
    typer.echo(summary)


@app.command()
def add(
    date_: Annotated[str, typer.Option("--date", metavar="YYYY-MM-DD", help="The meeting's date.")],
    series: Annotated[
        str | None, typer.Option("--series", metavar="ID", help="The series whose meeting on that date this is.")
    ] = None,
    one_off: Annotated[
        bool, typer.Option("--one-off", help="A meeting of no series, even on a date a series meets.")
    ] = False,
    title: Annotated[str | None, typer.Option("--title", help="What it is about.")] = None,
    description: Annotated[str | None, typer.Option("--description", help="A question or two.")] = None,
    lead: Annotated[str | None, typer.Option("--lead", help="Who leads off.")] = None,
    venue: Annotated[str | None, typer.Option("--venue", metavar="ID", help="A venue id.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="HH:MM", help="Start time.")] = None,
    duration: Annotated[str | None, typer.Option("--duration", help="Length: 2h, 90m, 1h30m.")] = None,
    end_date: Annotated[
        str | None, typer.Option("--end-date", metavar="YYYY-MM-DD", help="Last day of a multi-day meeting.")
    ] = None,
    allow_clash: AllowClash = False,
    files: EditFile = None,
    dry_run: DryRun = False,
    diff: ShowDiff = False,
) -> None:
    """Add a meeting: a date of a series (with its title, blurb, lead) or a one-off.

    On a date a series meets, say which you mean: --series ID (that meeting; if it is
    already written down, the options given are updated in it) or --one-off (another
    meeting the same day). A date that is not on the series' rule is refused (use
    `move` for that). A one-off meeting needs --title and --start.

    Example:  meetctl add --series discussion --date 2017-02-22 --title "100th anniversary of the Russian revolution"
    Example:  meetctl add --one-off --date 2017-04-01 --title "Day school" --start 10:00 --duration 6h
    """
    from meetctl.editing.edits import NewMeeting
    from meetctl.editing.edits import add as add_meeting

    meeting = NewMeeting(
        date=parse_date_option("--date", date_), series=series, one_off=one_off, title=title,
        description=description, lead=lead, venue=venue, start=start, duration=duration,
        end_date=parse_date_option("--end-date", end_date) if end_date else None,
    )  # fmt: skip
    _edit(files, add_meeting(meeting, allow_clash), dry_run, diff)


@app.command()
def cancel(
    day: Annotated[str, typer.Argument(metavar="DATE", help="The meeting's date, YYYY-MM-DD.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why, for members and calendars.")] = None,
    series: SeriesId = None,
    one_off: OneOffMeeting = False,
    files: EditFile = None,
    dry_run: DryRun = False,
    diff: ShowDiff = False,
) -> None:
    """Cancel the meeting on DATE (it stays listed, marked cancelled, with the reason).

    Example:  meetctl cancel 2017-12-27 --reason "Christmas"
    """
    from meetctl.editing.edits import cancel as cancel_meeting

    _edit(files, cancel_meeting(parse_date_option("DATE", day), reason, series, one_off), dry_run, diff)


@app.command()
def restore(
    day: Annotated[str, typer.Argument(metavar="DATE", help="The cancelled meeting's date, YYYY-MM-DD.")],
    series: SeriesId = None,
    one_off: OneOffMeeting = False,
    files: EditFile = None,
    dry_run: DryRun = False,
    diff: ShowDiff = False,
) -> None:
    """Undo a cancellation: the meeting on DATE is held after all (its reason is removed too).

    A date left out with a series' `skip` list is taken out of the list.

    Example:  meetctl restore 2017-12-27
    """
    from meetctl.editing.edits import restore as restore_meeting

    _edit(files, restore_meeting(parse_date_option("DATE", day), series, one_off), dry_run, diff)


@app.command()
def move(
    day: Annotated[str, typer.Argument(metavar="DATE", help="The meeting's date now, YYYY-MM-DD.")],
    to: Annotated[str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="The new date.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="HH:MM", help="A new start time.")] = None,
    venue: Annotated[str | None, typer.Option("--venue", metavar="ID", help="A new venue id.")] = None,
    series: SeriesId = None,
    one_off: OneOffMeeting = False,
    allow_clash: AllowClash = False,
    files: EditFile = None,
    dry_run: DryRun = False,
    diff: ShowDiff = False,
) -> None:
    """Move the meeting on DATE to another date (and/or time or venue).

    A series' meeting records the date it replaces, so calendars move it instead
    of showing it twice. A move onto another meeting's time is refused.

    Example:  meetctl move 2017-12-27 --to 2018-01-03 --start 18:30
    """
    from meetctl.editing.edits import move as move_meeting

    if to is None and start is None and venue is None:
        raise MeetctlError("move: say where to: --to DATE, --start HH:MM and/or --venue ID")
    new_day = parse_date_option("--to", to) if to else None
    make = move_meeting(parse_date_option("DATE", day), new_day, start, venue, series, allow_clash, one_off)
    _edit(files, make, dry_run, diff)


@app.command()
def record(
    day: Annotated[str, typer.Argument(metavar="DATE", help="The meeting's date, YYYY-MM-DD.")],
    attendance: Annotated[
        str | None, typer.Option("--attendance", metavar="N", help="How many came (a whole number).")
    ] = None,
    apologies: Annotated[
        list[str] | None,
        typer.Option("--apologies", metavar="NAME", help="Someone who sent apologies; repeatable."),
    ] = None,
    action: Annotated[
        list[str] | None,
        typer.Option("--action", metavar="TEXT", help="An action agreed (next agenda's matters arising); repeatable."),
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Anything worth keeping.")] = None,
    series: SeriesId = None,
    one_off: OneOffMeeting = False,
    files: EditFile = None,
    today: Today = None,
    dry_run: DryRun = False,
    diff: ShowDiff = False,
) -> None:
    """Record the meeting on DATE: how many came, apologies, actions agreed, notes.

    Apologies and actions are added to those already recorded; actions become the
    "matters arising" on the next agenda of the series. Apologies can be recorded
    before the meeting; everything else once it has happened. Comments in the file are kept.

    Example:  meetctl record 2017-01-25 --attendance 14 --apologies "Sam" --action "Jo to book the room"
    """
    from meetctl.editing.editor import target_file
    from meetctl.editing.edits import record as record_meeting

    day_ = parse_date_option("DATE", day)
    count = None
    if attendance is not None:
        if not attendance.strip().isdigit():
            raise MeetctlError(
                Problem(f"--attendance: {attendance!r} is not a number of people (e.g. --attendance 14)")
            )
        count = int(attendance.strip())
    current = today_for(today, load([target_file(files)]))
    make = record_meeting(day_, count, notes, current, series, apologies or [], action or [], one_off)
    _edit(files, make, dry_run, diff)


venue_app = _App(
    help="Venues of the programme.\n\nExample:  meetctl venue add crown --name \"The Crown\" --address \"1 Market St\"",
    no_args_is_help=True,
)
app.add_typer(venue_app, name="venue")


@venue_app.command("list")
def venue_list(files: Files = None, json: Json = False) -> None:
    """List the programme's venues: id, name and address (the id is what meetings use).

    Example:  meetctl venue list -f examples/programme.toml --json
    """
    from meetctl.documents.listing import venue_lines, venue_records, write_json

    programmes = load(files)
    if json:
        write_json(venue_records(programmes), sys.stdout)
    else:
        sys.stdout.write(venue_lines(programmes))


@venue_app.command("add")
def venue_add(
    venue_id: Annotated[str, typer.Argument(metavar="ID", help="Short id meetings refer to, e.g. 'hall'.")],
    name: Annotated[str, typer.Option("--name", help="The venue's name.")],
    address: Annotated[str | None, typer.Option("--address", help="Its address.")] = None,
    directions: Annotated[str | None, typer.Option("--directions", help="How to get there.")] = None,
    accessibility: Annotated[
        str | None, typer.Option("--accessibility", help="Step-free access, hearing loop...")
    ] = None,
    online: Annotated[
        str | None, typer.Option("--online", metavar="URL", help="A join link (http/https); no address: online only.")
    ] = None,
    files: EditFile = None,
    dry_run: DryRun = False,
    diff: ShowDiff = False,
) -> None:
    """Add a venue to the programme (a new venues.ID table).

    Example:  meetctl venue add crown --name "The Crown" --address "1 Market St, Leicester"
    """
    from meetctl.editing.edits import add_venue

    _edit(files, add_venue(venue_id, name, address, directions, accessibility, online), dry_run, diff)


series_app = _App(
    help="Series (recurring slots) of the programme.\n\n"
    "Example:  meetctl series add reading --rule \"every Thursday\" --start 18:30 --title \"Reading group\"",
    no_args_is_help=True,
)
app.add_typer(series_app, name="series")


@series_app.command("add")
def series_add(
    series_id: Annotated[str, typer.Argument(metavar="ID", help="Short id meetings refer to, e.g. 'reading'.")],
    rule: Annotated[
        str, typer.Option("--rule", help="When it meets: 'every Thursday', 'last Wednesday of the month'.")
    ],
    start: Annotated[str, typer.Option("--start", metavar="HH:MM", help="Start time, local.")],
    title: Annotated[str | None, typer.Option("--title", help="What it is called (default: from the id).")] = None,
    duration: Annotated[str | None, typer.Option("--duration", help="Length: 2h, 90m (default 2h).")] = None,
    venue: Annotated[str | None, typer.Option("--venue", metavar="ID", help="A venue id.")] = None,
    from_: Annotated[
        str | None, typer.Option("--from", metavar="YYYY-MM-DD", help="First possible date (default: today).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="YYYY-MM-DD", help="Last date, if any.")] = None,
    files: EditFile = None,
    today: Today = None,
    dry_run: DryRun = False,
    diff: ShowDiff = False,
) -> None:
    """Add a series: a recurring slot with its rule, start time and venue, after the last series.

    Rules are phrases such as 'every other Friday' or an RRULE: see `meetctl help rules`.

    Example:  meetctl series add reading --rule "every Thursday" --start 18:30 --duration 90m --venue hall
    """
    from meetctl.editing.editor import target_file
    from meetctl.editing.edits import NewSeries, add_series

    path = target_file(files)
    first = parse_date_option("--from", from_) if from_ else today_for(today, load([path]))
    new = NewSeries(
        id=series_id, rule=rule, start=start, first=first, title=title, duration=duration, venue=venue,
        until=parse_date_option("--until", until) if until else None,
    )  # fmt: skip
    _edit([path], add_series(new), dry_run, diff)


help_app = _App(
    help="Reference for secretaries.\n\nExample:  meetctl help rules",
    no_args_is_help=True,
)
app.add_typer(help_app, name="help")


@help_app.command("rules")
def help_rules() -> None:
    """The recurrence phrases a series' `rule` accepts, each with the RRULE it means.

    Example:  meetctl help rules
    """
    from meetctl.model.rules import EXAMPLE_PHRASES, parse_rule

    width = max(len(p) for p in EXAMPLE_PHRASES)
    typer.echo("A series' rule is a phrase (case-insensitive, plural weekdays fine) or a raw RRULE.")
    typer.echo("The first meeting is the first date of the rule on or after the series' `from`.\n")
    for phrase in EXAMPLE_PHRASES:
        typer.echo(f"  {phrase.ljust(width)}  {parse_rule(phrase).rrule}")
    typer.echo("\nfirst..fifth and 1st..5th, last and second to last work with any weekday;")
    typer.echo("`except MONTH and MONTH` works after any phrase. A raw RRULE may not use COUNT or UNTIL.")


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command about to run registered.

    Typer turns every command's signature into click options at start-up (about 2 ms
    a command); cron runs one command a day and should not pay for twenty. Help,
    typos and anything unusual get the full app, so usage messages stay complete.
    """
    from typer.main import get_command_name

    name, rest = None, iter(args)
    for arg in rest:
        if arg in ("-f", "--file", "--today"):  # the app's own options that take a value
            next(rest, None)
        elif not arg.startswith("-"):
            name = arg
            break
    if name is None:
        return app
    lean = _new_app()
    lean.registered_callback = app.registered_callback
    for info in app.registered_commands:
        if (info.name or get_command_name(info.callback.__name__ if info.callback else "")) == name:
            lean.registered_commands = [info]
            return lean
    for group in app.registered_groups:
        if group.name == name:
            lean.registered_groups = [group]
            return lean
    return app


def main() -> None:
    """Run the command line in ``sys.argv`` (the console script calls it via ``meetctl.__main__``)."""
    app_for(sys.argv[1:])(prog_name="meetctl")


__all__ = ["app", "main", "EXIT_INPUT"]
