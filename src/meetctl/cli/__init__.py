"""Stage: the command line, on top of the pipeline. It parses options, calls one stage, prints.

Every command reads load -> select -> one call into its stage (calendars, documents,
mail, editing) -> write. The commands live in one module per family, each registering
on the app of :mod:`meetctl.cli.base` (which also holds the one error boundary):

* :mod:`~meetctl.cli.reading`: check, list, next, stats, venue list, help
* :mod:`~meetctl.cli.calendars`: ical, clashes, import, publish
* :mod:`~meetctl.cli.mail`: remind
* :mod:`~meetctl.cli.documents`: flyer, agenda, announce, report, templates
* :mod:`~meetctl.cli.site`: site
* :mod:`~meetctl.cli.editing`: init, add, cancel, restore, move, record, venue add, series add

``from meetctl.cli import app`` is the full app (:mod:`meetctl.cli.app` imports every
family; use this name for it, not the module's). :func:`main`, which the console
script runs, imports only the family of the command about to run: cron's daily
``meetctl remind`` does not load the documents, site or calendar commands.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import typer


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command about to run registered.

    Typer turns every command's signature into click options at start-up (about 2 ms
    a command); cron runs one command a day and should not pay for twenty, nor import
    the modules of the other families. Help, typos and anything unusual get the full
    app, so usage messages stay complete.
    """
    from importlib import import_module

    from meetctl.cli.base import COMMANDS, app, command_name, in_help_order, new_app

    name, rest = None, iter(args)
    for arg in rest:
        if arg in ("-f", "--file", "--today"):  # the app's own options that take a value
            next(rest, None)
        elif not arg.startswith("-"):
            name = arg
            break
    if name not in COMMANDS:  # no command (help, --version) or one meetctl does not have
        return _full_app()
    for family in COMMANDS[name]:
        import_module(f"meetctl.cli.{family}")  # registers the family's commands on `app`
    in_help_order(app)
    lean = new_app()
    lean.registered_callback = app.registered_callback
    lean.registered_commands = [info for info in app.registered_commands if command_name(info) == name]
    lean.registered_groups = [info for info in app.registered_groups if info.name == name]
    return lean


def _full_app() -> typer.Typer:
    from meetctl.cli.app import app as full

    # Loading the module meetctl.cli.app made it this package's attribute `app`; the name is the Typer app's.
    globals()["app"] = full
    return full


def __getattr__(name: str) -> Any:
    """``meetctl.cli.app``, the full app, is made (every family imported) when first asked for."""
    if name == "app":
        return _full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def completion_words() -> list[str] | None:
    """The words typed so far when the shell asks for completions (``_MEETCTL_COMPLETE`` set), else None.

    A TAB runs meetctl with the command line in the environment, not in argv: bash puts it
    in COMP_WORDS, zsh and fish in _TYPER_COMPLETE_ARGS. Reading it lets :func:`app_for`
    build the lean app of the command being completed, so a TAB loads no other family.
    """
    import os

    if not os.environ.get("_MEETCTL_COMPLETE"):
        return None
    import shlex  # only a TAB gets here

    line = os.environ.get("COMP_WORDS") or os.environ.get("_TYPER_COMPLETE_ARGS") or ""
    try:
        words = shlex.split(line)
    except ValueError:  # an open quote: the word being typed
        words = line.split()
    return words[1:]  # without `meetctl` itself


def main() -> None:
    """Run the command line in ``sys.argv`` (the console script calls it via ``meetctl.__main__``)."""
    words = completion_words()
    app_for(sys.argv[1:] if words is None else words)(prog_name="meetctl")


__all__ = ["app", "app_for", "main"]
