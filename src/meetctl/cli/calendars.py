"""Stage: the command line. The calendar commands: ical, clashes, import, publish.

Each is one call into :mod:`meetctl.calendars` (export, clashes, importer, publish);
an .ics is written as it is made, to stdout or atomically to -o.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from meetctl.cli.base import app
from meetctl.cli.options import (
    STDIN,
    Files,
    FromDate,
    Json,
    OneOffs,
    Streams,
    ToDate,
    Today,
    load,
    optional_date,
    read_stdin,
    to_a_file,
    today_for,
    window,
    write_bytes,
    write_file,
)
from meetctl.model.errors import EXIT_FOUND, MeetctlError, Problem

# -o is written atomically, as every -o is; its help reads as the document commands' -o does.
Output = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="PATH", help="Write to this file ('-': standard output).")
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
        typer.Option(
            "--cancelled",
            metavar="show|hide",
            help="show: cancelled meetings stay in, marked cancelled; hide: left out (EXDATE).",
        ),
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
    first, last = optional_date("--from", from_), optional_date("--to", to)
    if first and last and last < first:
        raise MeetctlError(Problem(f"--to {last} is before --from {first}"))
    if expand:
        lo, hi = expand_window(programmes, today_for(today, programmes))
        first, last = first or lo, last or max(hi, first or hi)
    if to_a_file(output):
        check_output(output, "calendar", force)  # refuse before the work, not after
    # Written as it is made (an --expand of decades would otherwise be held whole).
    chunks = calendar_chunks(programmes, first, last, expand=expand, hide_cancelled=cancelled == "hide")
    if to_a_file(output):
        from meetctl.cli.progress import progress, watched

        # An expansion of years of weekly meetings takes a while: a count of what is written, on a terminal.
        with progress(str(output), show=expand and watched()) as shown:
            write_output_stream(output, _counted(chunks, shown.tick), "calendar", force)
    else:
        write_bytes(chunks)


def _counted(chunks: Iterable[bytes], tick: Callable[[int], None]) -> Iterator[bytes]:
    """``chunks`` unchanged, ticking once for each event in them (a progress bar's count)."""
    for chunk in chunks:
        tick(chunk.count(b"BEGIN:VEVENT"))
        yield chunk


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
    same_day: Annotated[bool, typer.Option("--same-day", help="Count any event on the same day as a clash.")] = False,
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

    FILE.ics may be '-' for standard input; -o - (or no -o) prints the programme.

    Example:  meetctl import branch.ics -o programme.toml
    Example:  curl -s https://example.org/branch.ics | meetctl import - > programme.toml
    """
    from meetctl.calendars.importer import IMPORT_STEPS, import_calendar, programme_text
    from meetctl.calendars.reading import MAX_ICS_BYTES, fetch, read_ics
    from meetctl.cli.progress import progress, watched
    from meetctl.model.loading import parse_programme
    from meetctl.output import check_output

    if to_a_file(output):
        check_output(output, "programme", force)
    is_url = source.lower().startswith(("http://", "https://", "webcal://"))
    if source == "-":  # standard input, as every Unix tool reads it
        calendar = read_stdin(MAX_ICS_BYTES)
    else:
        calendar = fetch(source) if is_url else read_ics(Path(source))
    named = STDIN if source == "-" else source
    # A big calendar takes a while: a bar of its phases, on a terminal, when the programme goes to a file.
    with progress("import", len(IMPORT_STEPS), show=watched() and to_a_file(output)) as shown:
        imported = import_calendar(calendar, named, lambda phase: (shown.step(phase), shown.tick(1)))
    text = programme_text(imported, "standard input" if source == "-" else source)
    parse_programme(text, str(output) if to_a_file(output) else "imported programme")  # what we write must load
    for problem in imported.warnings:
        typer.echo(str(problem), err=True)
    if to_a_file(output):
        write_file(output, text.encode("utf-8"), "programme", force, announce=False)
    else:
        sys.stdout.write(text)


@app.command()
def publish(
    caldav: Annotated[
        str,
        typer.Option(
            "--caldav", metavar="URL", help="The calendar's address (Nextcloud, Radicale, ...).", show_default=False
        ),
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
    from meetctl.model.selection import chosen_streams, select_streams

    programmes = load(files)
    chosen = select_streams(programmes, series, one_offs)
    from meetctl.cli.progress import watched

    # The progress bar is drawn on stderr, as for site and import: only while a person watches the terminal.
    _, lines = publish_programmes(
        chosen,
        caldav,
        user,
        dry_run=dry_run,
        show_progress=watched(),
        whole=programmes,
        create=create,
        streams=chosen_streams(series, one_offs),
    )
    for line in lines:
        typer.echo(line)
