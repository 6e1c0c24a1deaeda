"""Stage: the command line. The commands that read the programme: check, list, next, stats, venue list, help.

Each loads the programmes, selects meetings through the model, and prints them with
:mod:`meetctl.documents.listing` or :mod:`meetctl.documents.stats` (text on a pipe,
a rich table on a terminal, JSON with --json).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from meetctl.cli.base import App, app, venue_app
from meetctl.cli.options import (
    Files,
    FromDate,
    Json,
    OneOffs,
    Streams,
    ToDate,
    Today,
    load,
    now_for,
    on_terminal,
    optional_date,
    today_for,
    window,
)
from meetctl.model.errors import EXIT_FOUND


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
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=1_000_000, help="At most N meetings.")] = None,
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
    first = optional_date("--from", from_)
    last = optional_date("--to", to) or today_for(today, programmes)
    rows = attendance.attendance_rows(programmes, None, first, last)
    if json:
        from meetctl.documents.listing import write_json

        write_json(attendance.json_records(rows), sys.stdout)
    elif on_terminal():
        attendance.print_rich(rows)
    else:
        sys.stdout.write(attendance.plain(rows))


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


help_app = App(
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


#: Every environment variable meetctl reads, and what it does (`meetctl help env`; a test
#: checks this list against the names the source reads). Options given on the command line win.
ENVIRONMENT: dict[str, str] = {
    "MEETCTL_FILE": "The programme(s) when no -f is given (separate several with ':'); else ./programme.toml.",
    "MEETCTL_TODAY": "Pretend today is this date (YYYY-MM-DD), as --today; for testing reminders and cron.",
    "MEETCTL_SMTP_PASSWORD": "The SMTP password for remind --send (never a flag, never in the programme).",
    "MEETCTL_SMTP_ALLOW_CLEARTEXT": "1: allow the SMTP password over a connection without TLS "
    "(as --allow-cleartext-auth).",
    "MEETCTL_SENDMAIL": "The local mailer remind --send hands each message to (as --sendmail), instead of SMTP.",
    "MEETCTL_CALDAV_PASSWORD": "The CalDAV password for publish (else ~/.netrc).",
    "MEETCTL_STATE_DIR": "Where remind --send keeps its sent-log. Default: the platform's state folder.",
    "MEETCTL_CACHE_DIR": "Where compiled templates are cached. Default: the platform's cache folder.",
    "MEETCTL_DEBUG": "1: show the Python traceback of an internal error (for a bug report).",
}


@help_app.command("env")
def help_env() -> None:
    """The environment variables meetctl reads, and what each does.

    Example:  meetctl help env
    """
    import textwrap

    for name, what in ENVIRONMENT.items():
        typer.echo(name)
        typer.echo(textwrap.fill(what, 72, initial_indent="    ", subsequent_indent="    "))
    other = "Also: NO_COLOR (any value) turns colour off; COLUMNS sets the width of tables and help."
    typer.echo("\n" + textwrap.fill(other, 72))
