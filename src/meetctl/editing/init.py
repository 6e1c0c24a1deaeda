"""``meetctl init``: write a new, commented programme file from a few answers.

On a terminal the secretary is asked for the group's name, time zone, venue and
usual slot; in scripts the same come from flags. The file is checked with the code
of ``meetctl check`` before it is written, and never replaces an existing file
without ``--force``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from meetctl.editing.tomltext import render_value
from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.fields import parse_time
from meetctl.model.loading import DEFAULT_FILE, named_programmes, parse_programme
from meetctl.model.recurrence import RuleError
from meetctl.model.rules import parse_duration, parse_rule
from meetctl.model.wording import slugify

DEFAULT_START = "19:00"
DEFAULT_DURATION = "2h"
SERIES_ID = "regular"


@dataclass(frozen=True)
class Answers:
    """What the new programme says; ``None`` means not given (asked for, or left out)."""

    first: date
    name: str | None = None
    timezone: str | None = None
    email: str | None = None
    mailing_list: str | None = None
    venue_name: str | None = None
    address: str | None = None
    venue_id: str | None = None
    rule: str | None = None
    start: str | None = None
    duration: str | None = None
    title: str | None = None
    #: The regular meeting's series id (default "regular"): what `add --series` and `move` are told.
    series_id: str | None = None


def target_path(path: Path | None, files: Sequence[Path] | None) -> Path:
    """PATH, else the one -f, else $MEETCTL_FILE, else ./programme.toml."""
    if path is not None and files:
        raise MeetctlError("init: give the file either as PATH or with -f, not both")
    if path is None and files:
        if len(files) != 1:
            raise MeetctlError("init: writes one file; give one -f")
        path = files[0]
    if path is None:
        path = Path(named_programmes(None)[0])
    if path.is_dir():
        path = path / DEFAULT_FILE
    return path


def system_timezone() -> str:
    """The system's IANA time zone: $TZ, the /etc/localtime link, /etc/timezone, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.readlink("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for name in candidates:
        if name and _valid_zone(name):
            return name
    return "UTC"


def _valid_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return False
    return "/" in name or name == "UTC"


# --------------------------------------------------------------------------- checking answers


def check_zone(value: str) -> str:
    """An IANA time zone name, or ValueError."""
    from meetctl.model.zonewords import written_zone_problem

    value = value.strip()
    written = written_zone_problem(value, None)
    if written:
        raise ValueError(written)
    if not _valid_zone(value):
        from meetctl.model.zones import zone_suggestion

        hint = zone_suggestion(value) or " (expected an IANA name like 'Europe/London')"
        raise ValueError(f"unknown time zone {value!r}{hint}")
    return value


def check_series_id(value: str) -> str:
    """A series id: letters, digits, '-' and '_' (as ``series add`` takes), or ValueError."""
    value = value.strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        raise ValueError(f"series id {value!r}: use letters, digits, '-' and '_' only (e.g. 'branch')")
    return value


def check_rule(value: str) -> str:
    """A recurrence phrase or RRULE meetctl understands, or ValueError listing the forms."""
    value = value.strip()
    try:
        parse_rule(value)
    except RuleError as exc:
        raise ValueError(f"{exc}") from None
    return value


def check_time(value: str) -> str:
    """'19:00' or '7pm' -> '19:00', or ValueError."""
    return f"{parse_time(value):%H:%M}"


def check_duration(value: str) -> str:
    """'2h', '90m' -> the same, checked."""
    parse_duration(value)
    return value.strip()


def check_text(value: str) -> str:
    """Any non-empty text."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def check_address(value: str) -> str:
    """An email address ('name@example.org' or 'Name <name@example.org>'), or ValueError."""
    from email.utils import parseaddr

    value = value.strip()
    _, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not (at and local and "." in domain) or any(c in value for c in "\r\n"):
        raise ValueError(f"{value!r} is not an email address (expected e.g. secretary@example.org)")
    return value


def check_venue_id(value: str) -> str:
    """A short id: letters, digits, '-' and '_'."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9_-]+", value.strip()):
        raise ValueError(f"venue id {value!r}: use letters, digits, '-' and '_' only")
    return value.strip()


def venue_id_for(name: str) -> str:
    """'The Regent Sports & Social Club' -> 'regent': the first word that says something."""
    slug = slugify(name, 200)
    words = [w for w in slug.split("-") if w not in ("the", "a", "an")]
    if not words or (slug == "meeting" and "meeting" not in name.lower()):  # slugify's fallback
        return "venue"
    return words[0]


# --------------------------------------------------------------------------- asking


def ask(answers: Answers, prompt: Callable[..., str] | None = None) -> Answers:
    """Ask on the terminal for whatever the flags did not give."""
    import typer

    prompt = prompt or typer.prompt

    def question(text: str, check: Callable[[str], str], default: str | None = None,
                 optional: bool = False) -> str | None:  # fmt: skip
        def proc(value: str) -> str:
            if optional and not value.strip():
                return ""
            try:
                return check(value)
            except ValueError as exc:
                raise typer.BadParameter(str(exc)) from None

        value = prompt(text, default=default if default is not None else ("" if optional else None),
                       value_proc=proc, show_default=bool(default))  # fmt: skip
        return value or None

    a = answers
    name = a.name or question("Group name", check_text)
    zone = a.timezone or question("Time zone", check_zone, default=system_timezone())
    # Reminders by email need both: ask now rather than fail at the first `remind --format email`.
    email = a.email or question("Secretary's email, the From: of reminders (empty: add later)", check_address,
                                optional=True)  # fmt: skip
    mailing_list = a.mailing_list or question(
        "Mailing list, where reminders go (empty: add later)", check_address, optional=True
    )
    venue_name, address = a.venue_name, a.address
    if venue_name is None:
        venue_name = question("Where do you usually meet? Venue name (empty: none yet)", check_text,
                              optional=True)  # fmt: skip
    if venue_name and address is None:
        address = question("Venue address (empty: leave out)", check_text, optional=True)
    rule, start, title = a.rule, a.start, a.title
    if rule is None:
        rule = question(
            "Usual slot, e.g. 'last Wednesday of the month' (empty: no regular meeting)",
            check_rule, optional=True,
        )  # fmt: skip
    if rule and start is None:
        start = question("Start time", check_time, default=DEFAULT_START)
    if rule and title is None:
        title = question("Title of the regular meeting", check_text, default=f"{name} meeting")
    return replace(a, name=name, timezone=zone, email=email, mailing_list=mailing_list,
                   venue_name=venue_name, address=address,
                   rule=rule, start=start, title=title)  # fmt: skip


# --------------------------------------------------------------------------- writing


def _validated(answers: Answers) -> Answers:
    """Check every answer, all problems at once; fill in defaults."""
    problems: list[str] = []
    values: dict[str, str | None] = {}

    def take(field: str, option: str, check: Callable[[str], str]) -> None:
        value = getattr(answers, field)
        if value is None:
            return
        try:
            values[field] = check(value)
        except ValueError as exc:
            problems.append(f"{option}: {exc}")

    if answers.name is None:
        problems.append("--name is required (the group's name), or run on a terminal to be asked")
    take("name", "--name", check_text)
    take("timezone", "--timezone", check_zone)
    take("email", "--email", check_address)
    take("mailing_list", "--mailing-list", check_address)
    take("venue_name", "--venue-name", check_text)
    take("address", "--address", check_text)
    take("venue_id", "--venue-id", check_venue_id)
    take("rule", "--rule", check_rule)
    take("start", "--start", check_time)
    take("duration", "--duration", check_duration)
    take("title", "--title", check_text)
    take("series_id", "--series", check_series_id)
    if answers.rule is None:
        for field, option in (("start", "--start"), ("duration", "--duration"), ("title", "--title"),
                              ("series_id", "--series")):  # fmt: skip
            if getattr(answers, field) is not None:
                problems.append(f"{option} is for the regular meeting: give --rule too")
    if (answers.address or answers.venue_id) and not answers.venue_name:
        problems.append("--address and --venue-id need --venue-name")
    if problems:
        raise MeetctlError(_problems(problems))
    out = replace(answers, **values)
    if out.timezone is None:
        out = replace(out, timezone=system_timezone())
    if out.venue_name and out.venue_id is None:
        out = replace(out, venue_id=venue_id_for(out.venue_name))
    if out.rule:
        out = replace(out, start=out.start or DEFAULT_START, duration=out.duration or DEFAULT_DURATION,
                      title=out.title or f"{out.name} meeting")  # fmt: skip
    return out


def _problems(messages: list[str]) -> list[Problem]:
    return [Problem(f"init: {m}") for m in messages]


def render(answers: Answers) -> str:
    """The new programme's text: the answers, with comments saying what else can go where."""
    a = _validated(answers)
    v = render_value
    lines = [
        f"# Meeting programme of {_one_line(a.name)}, kept with meetctl.",
        "#",
        "# `meetctl check` says whether this file is right; `meetctl list` shows the dates.",
        "# Dates are written 2017-01-25; times are \"19:00\" in the group's own time zone.",
        "# Comments are for the next secretary: meetctl's own edits (add, cancel, move,",
        "# record, venue add) keep every comment and blank line as written.",
        "",
        "[group]",
        f"name = {v(a.name)}",
        f"timezone = {v(a.timezone)}  # an IANA zone name: Europe/London, Europe/Paris, ...",
        f"email = {v(a.email)}  # the From: of reminders" if a.email else
        '# email = "secretary@example.org"           # the From: of reminders',
        f"mailing_list = {v(a.mailing_list)}  # where reminders go unless told otherwise" if a.mailing_list else
        '# mailing_list = "members@example.org"      # where reminders go unless told otherwise',
        '# website = "https://example.org"',
        '# welcome = "Everyone is welcome: members, sympathisers and the curious."',
        "",
        "# Each venue gets an id that series and meetings refer to (venue = \"...\").",
        "# Add more with: meetctl venue add ID --name \"...\" --address \"...\"",
    ]  # fmt: skip
    if a.venue_name:
        lines += [f"[venues.{a.venue_id}]", f"name = {v(a.venue_name)}"]
        lines.append(f"address = {v(a.address)}" if a.address else '# address = "1 High Street, Town AB1 2CD"')
    else:
        lines += ["# [venues.hall]", '# name = "Community Hall"', '# address = "1 High Street, Town AB1 2CD"']
    lines += [
        '# directions = "A short walk from the station."',
        '# accessibility = "Step-free access to the meeting room."',
        "",
        "# A series is the usual slot. The rule is plain English (\"last Wednesday of the",
        "# month\", \"every other Friday\", \"first and third Tuesday of the month\") or a raw",
        "# RFC 5545 rule (\"FREQ=MONTHLY;BYDAY=-1WE\"). The first meeting is the first date",
        "# of the rule on or after `from`.",
    ]  # fmt: skip
    comment = "" if a.rule else "# "
    rule = a.rule or "last Wednesday of the month"
    dates = list(parse_rule(rule).dates(a.first, a.first + timedelta(days=400)))[:2] or [a.first]
    lines += [
        f"{comment}[[series]]",
        f'{comment}id = "{a.series_id or SERIES_ID}"',
        f"{comment}title = {v(a.title or 'Monthly meeting')}",
        f"{comment}rule = {v(rule)}",
        f"{comment}start = {v(a.start or DEFAULT_START)}",
        f"{comment}duration = {v(a.duration or DEFAULT_DURATION)}",
    ]
    if a.venue_name:
        lines.append(f"{comment}venue = {v(a.venue_id)}")
    lines += [
        f"{comment}from = {a.first.isoformat()}",
        f"# until = {a.first.year + 1}-12-31      # the last possible date",
        f"# skip = [{dates[-1].isoformat()}]    # dates of the rule with no meeting at all",
        "",
        "# A meeting says what happens on one date of the series: its title, a question",
        "# or two as the blurb, and who leads off. `meetctl add` writes them; `cancel`,",
        "# `move` and `record` change them. A one-off meeting (no series) needs a title",
        "# and a start. For example:",
        "#",
        "# [[meetings]]",
        f'# series = "{a.series_id or SERIES_ID}"',
        f"# date = {dates[0].isoformat()}",
        '# title = "Is the working class movement dead?"',
        '# description = "What would it take to revive it?"',
        '# lead = "A friend of the group"',
        "",
    ]  # fmt: skip
    return "\n".join(lines)


def _one_line(text: str | None) -> str:
    """Text fit for a TOML comment: one line, no control characters."""
    import unicodedata

    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text or "").split())


def write(path: Path, answers: Answers, force: bool = False) -> str:
    """Write the new programme to ``path``; return what to tell the user."""
    from meetctl.model import checks
    from meetctl.output import check_output, write_output

    name = str(path)
    if os.path.lexists(path) and not force:
        raise MeetctlError.at(Location(name), "already exists; meetctl init replaces it only with --force")
    check_output(path, "programme", force)
    text = render(answers)
    programme = parse_programme(text, name)  # the code of `meetctl check`: never write a broken file
    write_output(path, text.encode("utf-8"), "programme", force)
    summary = checks.summaries([programme], answers.first)[0]
    if programme.series:  # on a series' date, `add` needs to be told it is that series' meeting
        series_id = programme.series[0].id
        hint = f"give a meeting its topic with `meetctl add --series {series_id} --date YYYY-MM-DD --title ...`"
    else:
        hint = "add meetings with `meetctl add --date YYYY-MM-DD --title ... --start HH:MM`"
    return f"wrote {name}\n{summary}\nnext: edit it by hand, or {hint}"


__all__ = ["Answers", "ask", "render", "system_timezone", "target_path", "write"]
