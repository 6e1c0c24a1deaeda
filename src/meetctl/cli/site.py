"""Stage: the command line. ``site``: the group's static website, written whole, and previewed with --serve.

The folder, its pages, calendar and flyers are made by
:func:`meetctl.documents.sitefolder.make_site`; the preview server is
:func:`meetctl.documents.sitefolder.serve`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from meetctl.cli.base import app
from meetctl.cli.options import (
    Files,
    LocaleOption,
    OneOffs,
    Streams,
    TemplatesDir,
    Today,
    base_folder,
    load_for_documents,
    templates_for,
    today_for,
)


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
        int,
        typer.Option("--flyers", min=0, max=1000, metavar="N",
                     help="PDF flyers for the next N meetings to come (0: none; at most 1000)."),  # fmt: skip
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
    from meetctl.cli.progress import progress
    from meetctl.documents.site import site_base_url
    from meetctl.documents.sitefolder import make_site
    from meetctl.documents.sitefolder import serve as serve_folder

    programmes = load_for_documents(files, locale, series, one_offs)
    own_templates = templates_for(templates, programmes)
    url = site_base_url(base_url, programmes)
    day = today_for(today, programmes)
    folder = output or Path(programmes[0].path).parent / "site"
    with progress(f"{folder}") as shown:  # a bar of the files written, on a terminal only
        result = make_site(folder, own_templates, programmes, day, url, flyers, base_folder(templates, programmes),
                           force, shown.tick)  # fmt: skip
    if not quiet:
        typer.echo(f"{folder}: {result.pages} pages, {result.flyers} flyers, {result.files} files")
    if serve:
        serve_folder(folder, port, lambda address: typer.echo(f"Serving {folder} at {address} (Ctrl-C to stop)"))
        raise typer.Exit(130)  # the server stops only at Ctrl-C: 130, as for any interrupted program
