"""Stage: the command line. The one app every command family registers on, and its one error boundary.

Bad input anywhere raises :class:`~meetctl.model.errors.MeetctlError`; :class:`_Commands`
is the one place that turns it into ``PATH:LINE:COL: error: ...`` lines on stderr and
exit status 2 (a mistake on the command line: one line naming the command's --help;
a bug: one line and status 70). :data:`COMMANDS` says which family module holds each
command, so that ``meetctl.cli.main`` imports only the one about to run.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from meetctl.cli.options import Files, Today
from meetctl.model.errors import EXIT_INPUT, MeetctlError, one_line

#: Each command (or group of commands) and the family modules of meetctl.cli that register it,
#: in the order `meetctl --help` lists them. A group may be filled by two families (venue).
COMMANDS: dict[str, tuple[str, ...]] = {
    "check": ("reading",), "list": ("reading",), "next": ("reading",),
    "ical": ("calendars",), "clashes": ("calendars",), "import": ("calendars",), "publish": ("calendars",),
    "remind": ("mail",),
    "flyer": ("documents",), "agenda": ("documents",), "announce": ("documents",), "post": ("documents",),
    "report": ("documents",),
    "stats": ("reading",),
    "site": ("site",),
    "init": ("editing",), "add": ("editing",), "cancel": ("editing",), "restore": ("editing",),
    "move": ("editing",), "record": ("editing",),
    "templates": ("documents",), "venue": ("reading", "editing"), "series": ("editing",), "help": ("reading",),
}  # fmt: skip


class _Commands(TyperGroup):
    """The single error boundary: people see one line per problem, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        from meetctl.model.loading import forget_programmes_read

        forget_programmes_read()  # a command run in-process after another (tests, completion) starts afresh
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


class App(typer.Typer):
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
    """A mistake on the command line (not `meetctl` alone, which shows the help).

    Typer (0.26 on) exports no UsageError: its click's exceptions are all
    :class:`typer.TyperException`, and a usage error is the one that exits 2 and knows
    its command's context. `meetctl` alone raises one too, whose message is the help;
    it is told by its class name, as Typer's own rich_utils tells it.
    """
    return (
        isinstance(exc, typer.TyperException)
        and getattr(exc, "exit_code", None) == 2
        and hasattr(exc, "ctx")
        and type(exc).__name__ != "NoArgsIsHelpError"
    )


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


def new_app() -> App:
    """An empty ``meetctl`` app: the shared one below, or the lean one :func:`meetctl.cli.app_for` fills."""
    return App(
        name="meetctl",
        help="A local group's meeting programme: dates, reminders, flyers and calendars from one TOML file.\n\n"
        "Example:  meetctl -f examples/programme.toml list --from 2017-01-01\n\n"
        "More: meetctl COMMAND --help; meetctl help env; meetctl help rules.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


#: The app every family module registers its commands on (the full app once all are imported).
app = new_app()

#: `venue list` reads (meetctl.cli.reading) and `venue add` edits (meetctl.cli.editing): the group is shared.
venue_app = App(
    help='Venues of the programme.\n\nExample:  meetctl venue add crown --name "The Crown" --address "1 Market St"',
    no_args_is_help=True,
)
app.add_typer(venue_app, name="venue")


#: The order `meetctl venue --help` lists its commands in, whichever of their families was imported first.
VENUE_COMMANDS = ("list", "add")


def in_help_order(target: typer.Typer) -> None:
    """Sort ``target``'s commands and groups as :data:`COMMANDS` lists them, whichever family was imported first."""
    order = {name: i for i, name in enumerate(COMMANDS)}
    target.registered_commands.sort(key=lambda info: order.get(command_name(info), len(order)))
    target.registered_groups.sort(key=lambda info: order.get(info.name or "", len(order)))
    venue_order = {name: i for i, name in enumerate(VENUE_COMMANDS)}
    venue_app.registered_commands.sort(key=lambda info: venue_order.get(command_name(info), len(venue_order)))


def command_name(info: Any) -> str:
    """The name a registered command is typed as: the one it was given, else its function's, as Typer makes it."""
    return info.name or (info.callback.__name__ if info.callback else "").lower().replace("_", "-")


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


@app.callback()
def _meetctl(
    ctx: typer.Context,
    files: Files = None,
    today: Today = None,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """A local group's meeting programme: dates, reminders, flyers and calendars from one TOML file.

    -f and --today may come before the command too: they apply to it.

    Example:  meetctl -f examples/programme.toml list --from 2017-01-01
    """
    # --today from the environment is left for the command to read, so a bad one is named as such.
    # (Typer exports no ParameterSource: the source is compared by name.)
    typed_today = getattr(ctx.get_parameter_source("today"), "name", None) == "COMMANDLINE"
    if typed_today:  # typed before the command, it still beats $MEETCTL_TODAY (which click ranks higher)
        ctx.meta["meetctl.today"] = today
    given = {k: v for k, v in (("files", files), ("today", today if typed_today else None)) if v}
    if given:
        ctx.default_map = _defaults_for(ctx.command, given)
