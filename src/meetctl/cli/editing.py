"""Stage: the command line. The commands that change the programme file: init, add, cancel, restore, move,
record, venue add, series add.

Each builds one edit with :mod:`meetctl.editing.edits` (or writes a new file with
:mod:`meetctl.editing.init`) and applies it with :func:`meetctl.editing.editor.edit_file`,
which keeps the file's comments and layout, checks the result loads, and writes it
atomically (or, with --dry-run, only says what would change).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from meetctl.cli.base import App, app, venue_app
from meetctl.cli.completion import meeting_dates, series_ids, venue_ids
from meetctl.cli.options import FromDate, Today, load, optional_date, parse_date_option, today_for
from meetctl.model.errors import MeetctlError

#: DATE completes to the meetings an edit can be about.
COMING, PAST, CANCELLED = meeting_dates("coming"), meeting_dates("past"), meeting_dates("cancelled")
#: --venue completes to the programme's venue ids.
VenueId = Annotated[str | None, typer.Option("--venue", metavar="ID", help="A venue id.", autocompletion=venue_ids)]
NewVenueId = Annotated[
    str | None, typer.Option("--venue", metavar="ID", help="A new venue id.", autocompletion=venue_ids)
]
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
    str | None,
    typer.Option("--series", metavar="ID", help="The series, if several meet that day.", autocompletion=series_ids),
]
OneOffMeeting = Annotated[
    bool, typer.Option("--one-off", help="The meeting of no series, if a series meets that day too.")
]
AllowClash = Annotated[bool, typer.Option("--allow-clash", help="Write it even if it overlaps another meeting.")]


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
    timezone: Annotated[str | None, typer.Option("--timezone", help="IANA time zone (default: the system's).")] = None,
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
    rule: Annotated[str | None, typer.Option("--rule", help="The usual slot: 'last Wednesday of the month'.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="HH:MM", help="Usual start time.")] = None,
    duration: Annotated[str | None, typer.Option("--duration", help="Usual length: 2h, 90m.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="The usual meeting's title.")] = None,
    series_id: Annotated[
        str | None, typer.Option("--series", metavar="ID", help="The usual meeting's series id (default: regular).")
    ] = None,
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
        venue_id=venue_id, rule=rule, start=start, duration=duration, title=title, series_id=series_id,
        first=optional_date("--from", from_) or today_for(today, []),
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
        str | None,
        typer.Option("--series", metavar="ID", help="The series whose meeting on that date this is.",
                     autocompletion=series_ids),
    ] = None,
    one_off: Annotated[
        bool, typer.Option("--one-off", help="A meeting of no series, even on a date a series meets.")
    ] = False,
    title: Annotated[str | None, typer.Option("--title", help="What it is about.")] = None,
    description: Annotated[str | None, typer.Option("--description", help="A question or two.")] = None,
    lead: Annotated[str | None, typer.Option("--lead", help="Who leads off.")] = None,
    venue: VenueId = None,
    start: Annotated[str | None, typer.Option("--start", metavar="HH:MM", help="Start time.")] = None,
    duration: Annotated[str | None, typer.Option("--duration", help="Length: 2h, 90m, 1h30m.")] = None,
    end_date: Annotated[
        str | None, typer.Option("--end-date", metavar="YYYY-MM-DD", help="Last day of a multi-day meeting.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="agm, egm, committee or your own word.")] = None,
    notice: Annotated[
        str | None, typer.Option("--notice", help="The notice it needs: '14 clear days', '21 days'.")
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
        end_date=optional_date("--end-date", end_date), kind=kind, notice=notice,
    )  # fmt: skip
    _edit(files, add_meeting(meeting, allow_clash), dry_run, diff)


@app.command()
def cancel(
    day: Annotated[
        str, typer.Argument(metavar="DATE", help="The meeting's date, YYYY-MM-DD.", autocompletion=COMING)
    ],
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
    day: Annotated[
        str,
        typer.Argument(metavar="DATE", help="The cancelled meeting's date, YYYY-MM-DD.", autocompletion=CANCELLED),
    ],
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
    day: Annotated[
        str, typer.Argument(metavar="DATE", help="The meeting's date now, YYYY-MM-DD.", autocompletion=COMING)
    ],
    to: Annotated[str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="The new date.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="HH:MM", help="A new start time.")] = None,
    venue: NewVenueId = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, for members (shown in reminders).")] = None,
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

    Example:  meetctl move 2017-12-27 --to 2018-01-03 --start 18:30 --reason "the hall is closed"
    """
    from meetctl.editing.edits import move as move_meeting

    if to is None and start is None and venue is None:
        raise MeetctlError("move: say where to: --to DATE, --start HH:MM and/or --venue ID")
    new_day = parse_date_option("--to", to) if to else None
    make = move_meeting(parse_date_option("DATE", day), new_day, start, venue, series, allow_clash, one_off, reason)
    _edit(files, make, dry_run, diff)


@app.command()
def record(
    day: Annotated[
        str, typer.Argument(metavar="DATE", help="The meeting's date, YYYY-MM-DD.", autocompletion=PAST)
    ],
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
    from meetctl.editing.records import attendance_count
    from meetctl.editing.records import record as record_meeting

    day_ = parse_date_option("DATE", day)
    count = attendance_count(attendance)
    current = today_for(today, load([target_file(files)]))
    make = record_meeting(day_, count, notes, current, series, apologies or [], action or [], one_off)
    _edit(files, make, dry_run, diff)


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


series_app = App(
    help="Series (recurring slots) of the programme.\n\n"
    'Example:  meetctl series add reading --rule "every Thursday" --start 18:30 --title "Reading group"',
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
    venue: VenueId = None,
    from_: Annotated[
        str | None, typer.Option("--from", metavar="YYYY-MM-DD", help="First possible date (default: today).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="YYYY-MM-DD", help="Last date, if any.")] = None,
    online: Annotated[str | None, typer.Option("--online", metavar="URL", help="A join link (http/https).")] = None,
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
    first = optional_date("--from", from_) or today_for(today, load([path]))
    new = NewSeries(
        id=series_id, rule=rule, start=start, first=first, title=title, duration=duration, venue=venue,
        until=optional_date("--until", until), online=online,
    )  # fmt: skip
    _edit([path], add_series(new), dry_run, diff)
