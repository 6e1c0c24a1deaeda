"""Stage: the command line. The options every command family shares, and the steps they share.

The options (``-f``, ``--today``, ``--from``/``--to``, ``--series``/``--one-offs``,
``--json``, ``--templates``, ``--locale``) are ``Annotated`` types, so every command
spells them the same way. The steps are the ends of each command: ``load`` (read the
programmes, cut to the streams asked for), ``today_for``/``now_for``/``window`` (dates
from options), ``write_file`` (through :mod:`meetctl.output`, the one writer) and
``write_bytes`` (to stdout). Nothing heavy is imported here: cron's ``remind`` uses it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeGuard

import typer

from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.loading import load_programmes, named_programmes
from meetctl.model.programme import Programme

if TYPE_CHECKING:  # pragma: no cover - typing only
    from meetctl.documents.environment import Templates

#: Where $MEETCTL_TODAY is named in messages, when the date came from it (see :func:`_today_source`).
TODAY_ENV = "$MEETCTL_TODAY"


class _FromEnvironment(str):
    """A --today value that came from $MEETCTL_TODAY, so that a bad one is named as such."""

    __slots__ = ()


def _today_source(ctx: typer.Context, value: str | None) -> str | None:
    """The --today option's callback: mark a value that came from the environment.

    A --today typed before the command (``meetctl --today D next``) reaches the command
    as a default, which click ranks below $MEETCTL_TODAY; what was typed still wins.
    The parameter source is compared by name: Typer exports no ParameterSource.
    """
    source = ctx.get_parameter_source("today")
    if value is None or getattr(source, "name", None) != "ENVIRONMENT":
        return value
    typed = ctx.meta.get("meetctl.today")
    return typed if typed else _FromEnvironment(value)


def _series_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """--series completes to the programme's series ids (loaded only at a TAB: cron's remind never imports it)."""
    from meetctl.cli.completion import series_ids

    return series_ids(ctx, incomplete)


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
        callback=_today_source,
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
        autocompletion=_series_ids,
    ),
]
OneOffs = Annotated[
    bool, typer.Option("--one-offs", help="Only meetings of no series (with --series: those as well).")
]
TemplatesDir = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        metavar="DIR",
        help="Folder of your own templates. Default: templates/ beside the programme.",
        show_default=False,
    ),
]
LocaleOption = Annotated[
    str | None,
    typer.Option(
        "--locale",
        metavar="LOCALE",
        help="Language for dates, times and fixed words: fr_FR, ca_ES, cy_GB... Default: group.locale.",
        show_default=False,
    ),
]

# --------------------------------------------------------------------------- load and select

#: What a newcomer who has not made a programme yet is told.
NO_PROGRAMME = "no such file (`meetctl init` writes a new programme; -f or $MEETCTL_FILE names another)"


#: How standard input is named in messages (``-f -``, ``import -``).
STDIN = "<stdin>"
#: The most meetctl reads from standard input (a programme or a calendar): a pipe that never ends is refused.
STDIN_LIMIT = 64 * 2**20


def read_stdin(limit: int = STDIN_LIMIT) -> bytes:
    """All of standard input (``-f -``, ``import -``), refusing more than ``limit`` bytes."""
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise MeetctlError.at(Location(STDIN), f"larger than {limit // 2**20} MB; not read")
    return data


def load(
    files: list[Path] | None, series: list[str] | None = None, one_offs: bool = False, cache: Path | None = None
) -> list[Programme]:
    """The programmes named by -f, else $MEETCTL_FILE (os.pathsep-separated), else ./programme.toml.

    ``-f -`` reads the programme from standard input (once, whichever place it has).
    With --series/--one-offs, cut down to those streams (see ``model.selection.select_streams``).
    ``cache``: a state folder that keeps each validated programme (see ``model.cache``; cron's remind).
    """
    named = named_programmes(files)
    missing = [Problem(NO_PROGRAMME, Location(str(p))) for p in named if str(p) != "-" and not os.path.lexists(p)]
    if missing:
        raise MeetctlError(missing)
    piped = read_stdin() if any(str(p) == "-" for p in named) else None
    if piped is not None:  # standard input: read once, never cached
        from meetctl.model.loading import load_programme, programme_from_bytes

        def read(path: Path) -> Programme:
            return programme_from_bytes(piped, STDIN) if str(path) == "-" else load_programme(path)

        programmes = load_programmes(named, read)
    elif cache is not None:
        from meetctl.model.cache import load_programmes_cached

        programmes = load_programmes_cached(named, cache)
    else:
        programmes = load_programmes(named)
    if series or one_offs:
        from meetctl.model.selection import select_streams

        programmes = select_streams(programmes, series, one_offs)
    return programmes


def load_for_documents(
    files: list[Path] | None, locale: str | None, series: list[str] | None = None, one_offs: bool = False
) -> list[Programme]:
    """:func:`load`, in the language of --locale (else group.locale), checked before any document is made."""
    from meetctl.documents.environment import with_locale

    return with_locale(load(files, series, one_offs), locale)


def templates_for(option: Path | None, programmes: list[Programme]) -> Templates:
    """The templates documents are made from: --templates, else templates/ beside the programme, else shipped."""
    from meetctl.documents.environment import Templates, template_dirs

    locale = programmes[0].group.locale if programmes else None
    return Templates(template_dirs(option, [p.path for p in programmes]), locale=locale)


def base_folder(templates: Path | None, programmes: list[Programme]) -> Path:
    """Where a PDF's relative links (images, fonts) are looked for: --templates, else the programme's folder."""
    return templates or Path(programmes[0].path).parent


# --------------------------------------------------------------------------- dates


def parse_date_option(option: str, value: str) -> date:
    """A YYYY-MM-DD option value, or a usage error naming the option."""
    from meetctl.model.fields import check_date_range

    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise MeetctlError(Problem(f"{option}: invalid date {value!r} (expected YYYY-MM-DD)")) from None
    try:
        return check_date_range(day)
    except ValueError as exc:
        raise MeetctlError(Problem(f"{option}: {exc}")) from None


def optional_date(option: str, value: str | None) -> date | None:
    """:func:`parse_date_option` for an option that may be left out."""
    return parse_date_option(option, value) if value else None


def _today_name(value: str) -> str:
    return TODAY_ENV if isinstance(value, _FromEnvironment) else "--today"


def today_for(value: str | None, programmes: list[Programme]) -> date:
    """--today / $MEETCTL_TODAY, else today's date in the (first) group's time zone."""
    if value:
        return parse_date_option(_today_name(value), value)
    zone = programmes[0].group.zone if programmes else None
    return datetime.now(zone).date()


def now_for(value: str | None, programmes: list[Programme]) -> datetime:
    """The moment 'now': the start of --today if given, else the clock."""
    zone = programmes[0].group.zone if programmes else None
    if value:
        return datetime.combine(parse_date_option(_today_name(value), value), time(), tzinfo=zone)
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


# --------------------------------------------------------------------------- write


def on_terminal() -> bool:
    """Whether stdout is a person's terminal (rich output) rather than a pipe or file."""
    return sys.stdout.isatty()


def to_a_file(output: Path | None) -> TypeGuard[Path]:
    """Whether -o names a file (``-o -`` is stdout, as is no -o)."""
    return output is not None and str(output) != "-"


def write_file(path: Path, data: bytes, kind: str, force: bool, announce: bool = True) -> None:
    """Write a command's output file by the rules of :mod:`meetctl.output`; print its path if ``announce``."""
    from meetctl.output import write_output

    write_output(path, data, kind, force)
    if announce:
        typer.echo(str(path))


def make_folder(folder: Path) -> None:
    """Create one folder meetctl owns by default (reports/, templates/) beside an existing programme."""
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise MeetctlError.at(Location(str(folder)), f"cannot create folder: {exc.strerror or exc}") from None


def write_result(output: Path | None, data: bytes, kind: str, force: bool) -> None:
    """A document to -o's file (its path printed), or to stdout without -o or with ``-o -``."""
    if to_a_file(output):
        write_file(output, data, kind, force)
    else:
        write_bytes(data)


def write_bytes(data: bytes | Iterable[bytes]) -> None:
    """Bytes to stdout (a PDF, an email, a calendar), after any text already written there."""
    sys.stdout.flush()
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.buffer.writelines(data)
    sys.stdout.buffer.flush()

