"""Stage: the command line. The manual page (``docs/meetctl.1``), made from the commands themselves.

``python -m meetctl.cli.manpage > docs/meetctl.1`` writes it; a test checks the file
in the repository is what this gives, so the man page never drifts from ``--help``.
Same commands, same bytes: no date is written (the version says which meetctl it is).
"""

from __future__ import annotations

import re
from typing import Any

#: The sections after the commands, in the words of the README.
_FILES = """\
.SH ENVIRONMENT
{environment}
.SH FILES
.TP
.I ./programme.toml
The programme read when neither \\fB\\-f\\fR nor \\fBMEETCTL_FILE\\fR names one.
.TP
.I reports/
Report stubs written by \\fBmeetctl report\\fR, beside the programme.
.TP
.I templates/
The group's own copies of the document templates (\\fBmeetctl templates copy\\fR).
.SH EXIT STATUS
0 done; 1 found what was asked to fail on (\\fBcheck \\-\\-strict\\fR, \\fBclashes \\-\\-fail\\fR);
2 a mistake in the programme or on the command line, one
\\fIFILE\\fR:\\fILINE\\fR:\\fICOLUMN\\fR: error: line per problem;
70 a bug in meetctl; 75 \\fBremind \\-\\-send\\fR could not deliver this time; 130 interrupted.
.SH SEE ALSO
The guides in the \\fIdocs/\\fR folder of the source: programme\\-format.md (every key of the
programme file) and commands.md (every command, with examples).
"""


def _roff(text: str) -> str:
    """Text made safe for roff: backslashes, hyphens that must stay hyphens, and lines starting with . or '."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in text.splitlines())


def _paragraphs(help_text: str) -> str:
    """A command's help as roff paragraphs; its ``Example:`` lines as examples."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", help_text.strip()):
        lines = [line.strip() for line in block.splitlines()]
        examples = [line for line in lines if line.startswith("Example:")]
        prose = [line for line in lines if not line.startswith("Example:")]
        if prose:
            out.append(".PP\n" + _roff(" ".join(prose)))
        for example in examples:
            # \fB...\fR, not .B: .B would take the example's own quotes as its argument quotes.
            out.append(".PP\nExample:\n.RS\n\\fB" + _roff(example.removeprefix("Example:").strip()) + "\\fR\n.RE")
    return "\n".join(out)


def _options(command: Any) -> str:
    out: list[str] = []
    for param in command.params:
        if getattr(param, "hidden", False) or param.param_type_name != "option":
            continue
        names = ", ".join(f"\\fB{_roff(opt)}\\fR" for opt in [*param.opts, *param.secondary_opts])
        metavar = "" if param.is_flag else f" \\fI{_roff(param.metavar or param.name.upper())}\\fR"
        out.append(f".TP\n{names}{metavar}\n{_roff(param.help or '')}")
    return "\n".join(out)


def _usage(path: str, command: Any, ctx: Any) -> str:
    pieces = " ".join(command.collect_usage_pieces(ctx))
    return f"\\fB{_roff(path)}\\fR {_roff(pieces)}".rstrip()


def _commands(group: Any, prefix: str, ctx: Any) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or getattr(command, "hidden", False):
            continue
        if hasattr(command, "list_commands"):
            found.extend(_commands(command, f"{prefix} {name}", ctx))
        else:
            found.append((f"{prefix} {name}", command))
    return found


def man_page() -> str:
    """The whole manual page, in roff (man(7)), from the full app's commands and :data:`ENVIRONMENT`."""
    import typer.main

    from meetctl import __version__
    from meetctl.cli.app import app
    from meetctl.cli.reading import ENVIRONMENT

    root = typer.main.get_command(app)
    ctx = root.make_context("meetctl", ["--help"], resilient_parsing=True)
    parts = [
        f'.TH MEETCTL 1 "" "meetctl {__version__}" "User Commands"',
        ".SH NAME",
        "meetctl \\- a local group's meeting programme: dates, reminders, flyers and calendars from one TOML file",
        ".SH SYNOPSIS",
        "\\fBmeetctl\\fR [\\fB\\-f\\fR \\fIPATH\\fR] [\\fB\\-\\-today\\fR \\fIYYYY\\-MM\\-DD\\fR] "
        "\\fICOMMAND\\fR [\\fIOPTIONS\\fR]",
        ".SH DESCRIPTION",
        _paragraphs(root.help or ""),
        ".SH OPTIONS",
        _options(root),
        ".SH COMMANDS",
    ]
    for path, command in _commands(root, "meetctl", ctx):
        sub = command.make_context(path.split()[-1], [], parent=ctx, resilient_parsing=True)
        parts.append(f".SS {_roff(path)}")
        parts.append(_usage(path, command, sub))
        parts.append(_paragraphs(command.help or ""))
        options = _options(command)
        if options:
            parts.append(".PP\nOptions:\n" + options)
    environment = "\n".join(f".TP\n.B {name}\n{_roff(what)}" for name, what in ENVIRONMENT.items())
    parts.append(_FILES.format(environment=environment).rstrip("\n"))
    return "\n".join(part for part in parts if part) + "\n"


if __name__ == "__main__":  # pragma: no cover - the maintainer's command: python -m meetctl.cli.manpage
    import sys

    sys.stdout.write(man_page())
