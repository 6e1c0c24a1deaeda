"""Stage: the command line. The document commands: flyer, agenda, announce, report, templates.

Each loads the programmes in the language asked for, selects a meeting or a term
through the model, and makes one document with :mod:`meetctl.documents` (which also
chooses the format from --format and -o); the bytes go to -o, to stdout when piped,
or to a file named for the document when PDF or markup would land on a terminal.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from meetctl.cli.base import App, app
from meetctl.cli.completion import meeting_dates
from meetctl.cli.options import (
    Files,
    FromDate,
    LocaleOption,
    OneOffs,
    Streams,
    TemplatesDir,
    ToDate,
    Today,
    base_folder,
    load_for_documents,
    make_folder,
    now_for,
    on_terminal,
    optional_date,
    parse_date_option,
    templates_for,
    to_a_file,
    today_for,
    write_file,
    write_result,
)
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence

Output = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="PATH", help="Write to this file ('-': standard output).")
]
LargePrint = Annotated[
    bool,
    typer.Option(
        "--large-print",
        help="Large print: no type under 16pt, one plain face, black on white "
        "(the RNIB's clear-print guidance); a long term runs to more pages.",
    ),
]
MeetingDate = Annotated[
    str | None,
    typer.Argument(metavar="[DATE]", help="The meeting's date (YYYY-MM-DD).", autocompletion=meeting_dates("coming")),
]
#: report is written after the meeting: DATE completes to past meetings, the latest first.
PastMeetingDate = Annotated[
    str | None,
    typer.Argument(metavar="[DATE]", help="The meeting's date (YYYY-MM-DD).", autocompletion=meeting_dates("past")),
]


class Paper(StrEnum):
    a4 = "a4"
    a5 = "a5"
    letter = "letter"


class FlyerFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    png = "png"


class AgendaFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    pdf = "pdf"


class AnnounceFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"


def _meeting(programmes: list[Programme], day: str | None, today: str | None, none_to_come: str) -> Occurrence:
    """The meeting on DATE, else the next one to come (none: the problem ``none_to_come``)."""
    from meetctl.model.schedule import next_occurrence
    from meetctl.model.selection import meeting_on

    if day:
        return meeting_on(programmes, parse_date_option("DATE", day))
    found = next_occurrence(programmes, now_for(today, programmes))
    if found is None:
        raise MeetctlError(Problem(none_to_come))
    return found


@app.command()
def flyer(
    day: MeetingDate = None,
    files: Files = None,
    from_: FromDate = None,
    to: ToDate = None,
    fmt: Annotated[
        FlyerFormat | None,
        typer.Option(
            "--format",
            help="html, pdf or png (an image for messaging apps, 1080x1350). Default: from -o's extension, else html.",
            show_default=False,
        ),
    ] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="Paper size.")] = Paper.a4,
    square: Annotated[bool, typer.Option("--square", help="With --format png: a square image, 1080x1080.")] = False,
    large_print: LargePrint = False,
    output: Output = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file that is not a flyer of the same format.")
    ] = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="The group's site (meetctl site): a one-meeting flyer carries a QR code of the "
            "meeting's page there. Default: group.website.",
        ),
    ] = None,
    templates: TemplatesDir = None,
    locale: LocaleOption = None,
    today: Today = None,
) -> None:
    """A printable flyer: for one meeting (DATE, default the next one) or a term (--from/--to).

    The term flyer says the rule in words and lists every date; cancelled meetings
    are struck through. PDF is made from the same HTML (WeasyPrint). With -o the
    file is written and its path printed; piped, the flyer goes to stdout; on a
    terminal it goes to flyer-DATE.html (or .pdf, .png).

    --format png: an image (1080x1350, --square 1080x1080) to share in messaging apps,
    with the QR code of the meeting's page. Every PDF is tagged for screen readers.

    --series/--one-offs: a flyer of only those streams (a term's, or the next meeting of them).

    Example:  meetctl flyer -f examples/programme.toml --from 2017-01-01 --to 2017-03-31 --format pdf -o term.pdf
    Example:  meetctl flyer --series reading --from 2027-01-01 --to 2027-03-31
    Example:  meetctl flyer 2017-01-25 --format png --square -o flyer.png
    """
    from meetctl.documents import flyers
    from meetctl.documents.site import meeting_page_url, site_base_url
    from meetctl.model.selection import term_meetings, term_window
    from meetctl.output import check_output

    programmes = load_for_documents(files, locale, series, one_offs)
    own_templates = templates_for(templates, programmes)
    current = today_for(today, programmes)
    if (from_ or to) and day:
        raise MeetctlError(Problem("give either a DATE (one meeting) or --from/--to (a term), not both"))
    term = term_window(optional_date("--from", from_), optional_date("--to", to), current) if from_ or to else None
    if term:
        items = term_meetings(programmes, *term)
    else:
        items = [_meeting(programmes, day, today, "no meetings to come; give a DATE or --from/--to")]
    asked = fmt.value if fmt else None
    if to_a_file(output):
        # The path first (a FIFO, a missing folder, the programme): the rules every -o keeps; then the name.
        check_output(output, flyers.output_kind(output, asked), force)  # refuse before the work, not after
    chosen = flyers.flyer_format(output, asked)
    if square and chosen != "png":
        raise MeetctlError(Problem("--square is the shape of an image: give it with --format png"))
    page = None if term else meeting_page_url(programmes, items[0], site_base_url(base_url, programmes))
    data = flyers.flyer_bytes(own_templates, programmes, items, paper.value, bool(term), chosen,
                              base_folder(templates, programmes), page, large_print, square)  # fmt: skip
    if output is None and on_terminal():  # markup or PDF bytes are no use on a screen: write a file
        output = flyers.default_flyer_path(items, chosen, term)
    write_result(output, data, chosen, force)


@app.command()
def agenda(
    day: MeetingDate = None,
    files: Files = None,
    fmt: Annotated[
        AgendaFormat | None,
        typer.Option(
            "--format", help="text, markdown, html or pdf. Default: from -o's extension, else text.", show_default=False
        ),
    ] = None,
    output: Output = None,
    force: Annotated[bool, typer.Option("--force", help="Replace -o's file even if it is not an agenda.")] = False,
    large_print: LargePrint = False,
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

    --large-print: HTML and PDF with no type under 16pt (the RNIB's clear print).

    Example:  meetctl agenda 2024-03-04 --format pdf -o agm-agenda.pdf
    """
    from meetctl.documents import agendas
    from meetctl.output import check_output

    programmes = load_for_documents(files, locale, series, one_offs)
    own_templates = templates_for(templates, programmes)
    current = today_for(today, programmes)
    meeting = _meeting(programmes, day, today, "no meetings to come; give a DATE")
    chosen = agendas.agenda_format(output, fmt.value if fmt else None)
    kind = agendas.OUTPUT_KINDS[chosen]
    if to_a_file(output):
        check_output(output, kind, force)  # refuse before the work, not after
    warning = agendas.agenda_deadline_warning(meeting, current)
    if warning is not None:
        typer.echo(str(warning), err=True)
    data = agendas.agenda_bytes(
        own_templates, meeting, chosen, current, base_folder(templates, programmes), large_print
    )
    if output is None and chosen == "pdf" and on_terminal():  # PDF bytes are no use on a screen
        output = agendas.default_agenda_path(meeting, chosen)
    write_result(output, data, kind, force)


@app.command()
def announce(
    files: Files = None,
    from_: FromDate = None,
    to: ToDate = None,
    fmt: Annotated[AnnounceFormat, typer.Option("--format", help="text, markdown or html.")] = AnnounceFormat.text,
    output: Output = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    templates: TemplatesDir = None,
    locale: LocaleOption = None,
    today: Today = None,
) -> None:
    """The post announcing a term's meetings, ready to paste (default: the next three months).

    Cancelled meetings are listed as cancelled, with the reason. Printed, or written with -o.

    Example:  meetctl announce -f examples/programme.toml --from 2017-01-01 --format markdown
    Example:  meetctl announce --series discussion --one-offs
    """
    from meetctl.documents.announcements import announcement
    from meetctl.model.selection import term_meetings, term_window
    from meetctl.output import check_output

    # An HTML announcement replaces an HTML page; text a person may have edited needs --force.
    kind = "html" if fmt is AnnounceFormat.html else "announcement"
    if to_a_file(output):
        check_output(output, kind, force)  # refuse before the work, not after
    programmes = load_for_documents(files, locale, series, one_offs)
    own_templates = templates_for(templates, programmes)
    first, last = optional_date("--from", from_), optional_date("--to", to)
    first, last = term_window(first, last, today_for(today, programmes))
    items = term_meetings(programmes, first, last)
    text = announcement(own_templates, programmes, items, fmt.value)
    if to_a_file(output):
        write_file(output, text.encode("utf-8"), kind, force)
    else:
        typer.echo(text, nl=False)


@app.command()
def report(
    day: PastMeetingDate = None,
    files: Files = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Where to write ('-' for stdout). Default: reports/YYYY-MM-DD-<slug>.md beside the programme.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    series: Streams = None,
    one_offs: OneOffs = False,
    clashes_with: Annotated[
        list[str] | None,
        typer.Option(
            "--clashes-with",
            metavar="SOURCE",
            help="Also look for clashes in this calendar (.ics file, URL or programme); repeatable.",
        ),
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

    programmes = load_for_documents(files, locale)
    own_templates = templates_for(templates, programmes)
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
        make_folder(path.parent)
    write_file(path, text.encode("utf-8"), "report", force)


templates_app = App(
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
    from meetctl.documents.environment import default_templates_folder
    from meetctl.documents.owntemplates import template_lines
    from meetctl.model.loading import named_programmes

    for line in template_lines(default_templates_folder(templates, named_programmes(files))):
        typer.echo(line)


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
    from meetctl.documents.environment import default_templates_folder
    from meetctl.documents.owntemplates import copies
    from meetctl.model.loading import named_programmes

    folder = default_templates_folder(templates, named_programmes(files))
    chosen = copies(names, folder)
    if templates is None:  # the default templates/ folder beside the programme is ours to make
        make_folder(folder)
    for path, data in chosen:
        write_file(path, data, "template", force)


class PostFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def post(
    day: MeetingDate = None,
    files: Files = None,
    limit: Annotated[
        int,
        typer.Option(
            "--max",
            min=60,
            max=100_000,
            metavar="N",
            help="At most N characters (Mastodon 500, Bluesky 300); a link counts 23 or its length.",
        ),
    ] = 500,
    fmt: Annotated[PostFormat, typer.Option("--format", help="text (ready to paste) or json.")] = PostFormat.text,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="The group's site (meetctl site): the post links to the meeting's page there. Default: group.website.",
        ),
    ] = None,
    series: Streams = None,
    one_offs: OneOffs = False,
    locale: LocaleOption = None,
    today: Today = None,
) -> None:
    """One meeting (DATE, default the next one) as a short post for Mastodon, Bluesky or a group chat.

    Title, date, time, place or join link, access when there is room, and the meeting's
    page; a cancelled or moved meeting says so first. When it must, the title is
    shortened with an ellipsis to keep within --max.

    Example:  meetctl post -f examples/programme.toml 2017-01-25 --max 300
    """
    import json

    from meetctl.documents.posts import meeting_post
    from meetctl.documents.site import meeting_page_url, site_base_url

    programmes = load_for_documents(files, locale, series, one_offs)
    meeting = _meeting(programmes, day, today, "no meetings to come; give a DATE")
    page = meeting_page_url(programmes, meeting, site_base_url(base_url, programmes))
    made = meeting_post(meeting, limit, page)
    if fmt is PostFormat.json:
        typer.echo(json.dumps(made.as_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(made.text)
