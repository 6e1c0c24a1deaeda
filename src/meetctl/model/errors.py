"""The one error type meetctl raises for bad input, and its exit codes.

Every problem a user can cause (a typo in the programme, a missing file, an
unknown phrase) becomes a :class:`Problem` with the place it was found, and
the command line prints one ``PATH:LINE:COL: error: message`` line for each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

EXIT_OK = 0
#: The command found what the user asked it to fail on (``check --strict``, ``clashes --fail``).
EXIT_FOUND = 1
#: Bad input or usage.
EXIT_INPUT = 2


# Small values are NamedTuples: as immutable as frozen dataclasses, but Python builds
# them without generating and compiling methods at import (about 0.6 ms a class on
# Python 3.11), which cron's daily `meetctl remind` would pay every time.
class Location(NamedTuple):
    """Where something was written: a file and, when known, a 1-based line and column."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return one_line(self.path)
        return f"{one_line(self.path)}:{self.line}:{self.column or 1}"


class Problem(NamedTuple):
    """One thing wrong (or worth a warning) in what the user gave us."""

    message: str
    location: Location | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        """``PATH:LINE:COL: error: message``, always one line with no terminal control characters."""
        prefix = f"{self.location}: " if self.location else "meetctl: "
        return f"{prefix}{self.severity}: {one_line(self.message)}"


# Line breaks, control characters (ESC, BEL, ...) and bidirectional overrides would let a
# value split one problem over several lines (forging `other.toml:1:1: error:` lines) or
# drive the terminal; in a message they are shown escaped, as Python writes them.
_UNPRINTABLE = None


def one_line(text: str) -> str:
    """``text`` with every control, line-breaking or bidi character written as an escape (``\\x1b``)."""
    global _UNPRINTABLE
    if _UNPRINTABLE is None:
        import re

        # A newline meetctl writes itself before an indented continuation (the accepted
        # forms of a rule) stays: an indented line cannot pass for a `PATH:...: error:` line.
        _UNPRINTABLE = re.compile(
            "\n(?!    )|[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
        )
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


class MeetctlError(Exception):
    """Bad input: carries every problem found, so the user can fix them all at once."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: Problem | str | Sequence[Problem]) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, location: Location | None, message: str) -> MeetctlError:
        """A single error at one place."""
        return cls([Problem(message, location)])


def raise_if_any(problems: Iterable[Problem]) -> None:
    """Raise a :class:`MeetctlError` carrying every error among ``problems``."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise MeetctlError(errors)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The one of ``choices`` that ``word`` is most likely a misspelling of, if any."""
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A `` (did you mean 'x'?)`` suffix for the closest of ``choices``, or ``''``."""
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match else ""


def not_installed(what: str, extra: str) -> str:
    """The one-line hint for an optional part of the install that is missing.

    ``not_installed("publish needs the CalDAV client", "caldav")`` -> "publish needs the
    CalDAV client, which is not installed: pip install 'meetctl[caldav]'".
    """
    return f"{what}, which is not installed: pip install 'meetctl[{extra}]'"
