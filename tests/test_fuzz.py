"""Mutation fuzzing: damaged programmes through every reading command, never a crash or a hang.

A seeded mutator changes the example programmes and a few small ones (byte flips,
swapped types, extreme numbers and dates, control characters, weird rules, deleted
and doubled lines, encoded words) and runs every reading command on each in-process.
Each run must end with exit 0, 1 or 2; exit 2 only with one located
``PATH:LINE:COL: error:`` line (or ``meetctl CMD: error:`` for usage) per problem;
never a traceback; within a time bound. Each programme that loads is also made into
a website (every page parses as HTML, the feed is well-formed XML, no control
character in either) and into the email of its next meeting's reminder (every header
line is ASCII, under 998 characters, and one of those meetctl writes: no text from
the programme makes a header of its own). The default suite runs a few cases;
``MEETCTL_FUZZ_LONG=N`` runs N of them (``MEETCTL_FUZZ_SEED`` picks the first seed)
and prints the counts.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from meetctl.cli import app
from tests.conftest import EXAMPLE, HEADER, MONTHLY

ROOT = Path(__file__).resolve().parent.parent
SMALL_ICS = Path(__file__).parent / "fixtures" / "ics" / "weekly_in_paris_with_exdate.ics"

SEEDS = {
    "example": EXAMPLE.read_text(encoding="utf-8"),
    "conference": (ROOT / "examples" / "conference.toml").read_text(encoding="utf-8"),
    "monthly": HEADER + MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-02-22\ntitle = "Russia"\n'
    'attendance = 12\n\n[[meetings]]\nseries = "discussion"\ndate = 2017-03-29\ncancelled = true\nreason = "Strike"\n',
    "weekly in Sydney": """
[group]
name = "Sydney readers"
timezone = "Australia/Sydney"
email = "readers@example.org"

[venues.lib]
name = "Library"
address = "1 George St"

[[series]]
id = "reading"
title = "Reading group"
rule = "every other Thursday except December"
start = "18:30"
duration = "90m"
venue = "lib"
from = 2017-01-05
until = 2018-06-30
skip = [2017-04-13]

[[meetings]]
series = "reading"
date = 2017-10-05
title = "Kropotkin"
start = "02:30"

[[meetings]]
date = 2017-10-01
title = "Day school"
start = "09:00"
end_date = 2017-10-02
venue = "lib"

[[meetings.sessions]]
title = "Opening"
start = "09:00"
end = "10:00"
""",
}

#: Values a mutation writes in place of a value: extremes, wrong types, control characters, weird rules.
VALUES = [
    "0001-01-01", "9999-12-31", "1899-12-31", "9900-01-01", "2016-02-29", "2017-02-29", "-1", "0",
    "99999999999999999999", "9223372036854775807", "-9223372036854775808", "1e999", "nan", "inf", "true",
    "[]", "[1, [2, [3]]]", "{ a = 1 }", '""', '"   "', '"\\u0000"', '"\\u0007bell"', '"\\u001b[31mred"',
    '"a\\rb"', '"a\\nb"', '"\\u202eevil"', '"\\u2028"', '"x\\r\\nBEGIN:VEVENT"', '"<script>alert(1)</script>"',
    '"javascript:alert(1)"', '"https://u:p@example.org"', '"sec@exämple.org"', '"\\"\\"@example.org"',
    '"FREQ=DAILY;BYSETPOS=2"', '"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"', '"FREQ=YEARLY;BYYEARDAY=0"',
    '"FREQ=YEARLY;BYWEEKNO=54"', '"FREQ=MONTHLY;BYDAY=53MO"', '"FREQ=WEEKLY;BYDAY=2MO"', '"-1st of every month"',
    '"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"', '"FREQ=SECONDLY"', '"FREQ=MONTHLY;INTERVAL=0"',
    '"every 99999 weeks on Friday"', '"last day of the month"', '"31st of every month"', '"fifth Monday of the month"',
    '"99999999999h"', '"0m"', '"25:00"', '"23:59"', '"00:00"', '"7pm"', '"Mars/Olympus"', '"UTC"',
    '"Pacific/Kiritimati"', '"Pacific/Pago_Pago"', '"America/Santiago"', '"Australia/Lord_Howe"', "00:30:00",
    "1979-05-27T07:32:00Z", '"x" # comment', '"' + "A" * 5000 + '"', "[2017-01-25, 9999-12-31]",
    # Header attacks: encoded words that decode to line breaks, lists of addresses in a name.
    '"Branch =?utf-8?b?DQpCY2M6IGF0dGFja2VyQGV2aWwuZXhhbXBsZQ0KWC1JbmplY3RlZDogeWVz?="',
    '"=?utf-8?q?a=0D=0ABcc=3A_x=40evil.example?="', '"Members =?utf-8?b?DQpCY2M6IHhAZXZpbC5leGFtcGxl?= <m@example.org>"',
    '"a@example.org, b@evil.example"', '"Name <x@example.org>"', '"\u6771\u4eac\u652f\u90e8"',
]  # fmt: skip

#: Every reading command, as arguments after ``-f PATH``.
COMMANDS = [
    ("check",), ("check", "--strict"), ("list",), ("list", "--json"), ("next",), ("next", "--json"),
    ("remind",), ("remind", "--days", "0"), ("remind", "--format", "markdown"), ("remind", "--format", "email"),
    ("announce",), ("announce", "--format", "markdown"), ("announce", "--format", "html"),
    ("flyer", "--format", "html"), ("report", "-o", "-"), ("ical",), ("ical", "--expand"), ("stats",),
    ("stats", "--json"), ("clashes", "--with", str(SMALL_ICS)),
]  # fmt: skip
TODAYS = ["2017-01-01", "2017-03-01", "2017-10-01", "1900-01-01", "9899-12-31", "9999-12-31", "0001-01-01"]
SECONDS_PER_RUN = 10.0  # a hang guard, generous for a loaded machine

_KEY_LINE = re.compile(r"^(\s*[A-Za-z0-9_\"'.-]+\s*=\s*)(.*)$")


def mutate(text: str, rng: random.Random) -> str:
    """One to three random damages to a programme's text."""
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        kind = rng.choice(["value", "value", "value", "flip", "delete", "double", "insert", "truncate"])
        i = rng.randrange(len(lines))
        if kind == "value":
            keyed = [n for n, line in enumerate(lines) if _KEY_LINE.match(line)]
            if keyed:
                n = rng.choice(keyed)
                lines[n] = _KEY_LINE.sub(lambda m: m.group(1) + rng.choice(VALUES), lines[n])
        elif kind == "flip":
            data = bytearray("\n".join(lines).encode("utf-8"))
            pos = rng.randrange(len(data))
            data[pos] = rng.choice([data[pos] ^ (1 << rng.randrange(8)), 0, 0x1B, 0x0D, 0xFF, ord('"'), ord("[")])
            return data.decode("utf-8", "surrogateescape") if rng.random() < 0.5 else _bytes_text(bytes(data))
        elif kind == "delete":
            del lines[i]
        elif kind == "double":
            lines.insert(i, lines[i])
        elif kind == "insert":
            key = rng.choice(["until", "skip", "end_date", "replaces", "cancelled", "attendance", "website",
                              "duration", "start", "rule", "venue", "series", "speakers", "uid", "online"])  # fmt: skip
            lines.insert(i, f"{key} = {rng.choice(VALUES)}")
        else:
            lines = lines[: i + 1]
        text = "\n".join(lines)
    return text


def _bytes_text(data: bytes) -> str:
    # Marker so the case writer knows to write raw bytes (an invalid UTF-8 file).
    return "\x00RAW\x00" + data.hex()


def write_case(path: Path, text: str) -> None:
    if text.startswith("\x00RAW\x00"):
        path.write_bytes(bytes.fromhex(text[5:]))
    else:
        path.write_bytes(text.encode("utf-8", "surrogateescape"))


_LINE = re.compile(r"^(?P<where>.+?): (?P<severity>error|warning): (?P<message>.+)$")


def check_result(result, args: tuple[str, ...], folder: Path) -> str:
    """The kind of outcome, after asserting it is one meetctl promises."""
    stderr = result.stderr
    assert result.exit_code in (0, 1, 2), f"exit {result.exit_code}: {stderr[-2000:]}"
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[-2000:]
    for line in stderr.splitlines():
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", line), repr(line)
        m = _LINE.match(line)
        if m is None and line.startswith("    ") and result.exit_code == 2:
            continue  # the indented continuation of a problem (a rule's accepted forms), never a line of its own
        if m is None:  # rich / plain progress and summary lines are not problems; only errors are checked
            assert result.exit_code != 2 or not line.strip(), f"not a problem line: {line!r}"
            continue
        where = m.group("where")
        located = where.startswith((str(folder), str(SMALL_ICS))) or where.startswith("meetctl")
        assert located, f"problem without a place: {line!r}"
    if result.exit_code == 2:
        assert any(_LINE.match(line) for line in stderr.splitlines()), f"exit 2 without an error line: {stderr!r}"
    return f"exit {result.exit_code}"


def run_case(case: int, folder: Path, counts: Counter) -> None:
    rng = random.Random(case)
    seed_name = rng.choice(sorted(SEEDS))
    text = mutate(SEEDS[seed_name], rng)
    path = folder / f"case-{case}.toml"
    write_case(path, text)
    runner = CliRunner()
    for command in COMMANDS:
        today = rng.choice(TODAYS) if rng.random() < 0.3 else "2017-01-01"
        args = (*command, "-f", str(path), "--today", today)
        started = time.monotonic()
        result = runner.invoke(app, list(args), env={"MEETCTL_FILE": "", "MEETCTL_TODAY": ""})
        elapsed = time.monotonic() - started
        try:
            assert elapsed < SECONDS_PER_RUN, f"took {elapsed:.1f}s"
            counts[check_result(result, args, folder)] += 1
        except AssertionError as exc:
            raise AssertionError(
                f"case {case} ({seed_name}), meetctl {' '.join(args)}: {exc}\n--- programme ---\n{text[:3000]}"
            ) from None
    try:
        run_site_and_mail(case, path, folder, counts, rng)
    except AssertionError as exc:
        raise AssertionError(
            f"case {case} ({seed_name}), site or mail: {exc}\n--- programme ---\n{text[:3000]}"
        ) from None
    counts["programmes"] += 1


#: Every header meetctl writes on a message or one of its parts.
HEADERS = {"from", "to", "subject", "date", "message-id", "auto-submitted", "mime-version", "content-type",
           "content-transfer-encoding", "content-disposition"}  # fmt: skip
#: --to values: plain, named, and with encoded words that decode to line breaks.
RECIPIENTS = ["members@example.org", "Members <members@example.org>", "Zoë Ünal <zoe@example.org>",
              "=?utf-8?b?DQpCY2M6IHhAZXZpbC5leGFtcGxl?= <m@example.org>",
              '"a\r\nBcc: x@evil.example" <m@example.org>']  # fmt: skip
MAX_SITE_MEETINGS = 1500  # a bigger site is the site's own benchmark's business, not the fuzzer's


def loaded(path: Path, today: str) -> tuple[list, object] | None:
    """The programme at ``path`` and its model's ``today``, or None if it does not load."""
    from datetime import date

    from meetctl.model.errors import MeetctlError
    from meetctl.model.loading import load_programmes

    try:
        return load_programmes([path]), date.fromisoformat(today)
    except (MeetctlError, ValueError):
        return None


def check_site(folder: Path) -> None:
    """Every page of a site parses as HTML with no control character; the feed is well-formed XML."""
    from lxml import etree, html

    for page in folder.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text), f"control character in {page.name}"
        html.fromstring(text.encode("utf-8"))
    etree.fromstring((folder / "feed.xml").read_bytes())  # raises on anything not well-formed


def check_headers(raw: bytes) -> None:
    """Every header of a message and its parts: ASCII, lines of at most 998 characters, one meetctl writes."""
    import email
    import email.policy

    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):  # the top-level block, as a mail server reads it
        assert line.isascii() and len(line) <= 998 and b"\n" not in line and b"\r" not in line, line[:200]
        if line[:1] not in (b" ", b"\t"):
            assert line.split(b":", 1)[0].decode().lower() in HEADERS, (
                f"a header meetctl does not write: {line[:200]!r}"
            )
    raw_parts = email.message_from_bytes(raw, policy=email.policy.compat32)  # compat32 decodes nothing
    for part in raw_parts.walk():
        for name, value in part.raw_items():
            assert name.lower() in HEADERS and str(value).isascii(), (name, str(value)[:200])
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None and not parsed.defects, parsed.defects


_TEXT_KEY = re.compile(r"(?m)^((?:name|title|mailing_list|email|address|reason|lead) = ).*$")


def text_variant(seed: str, rng: random.Random) -> str:
    """``seed`` with one name, title or address changed to a random value: damaged text that still loads, mostly."""
    lines = list(_TEXT_KEY.finditer(seed))
    m = rng.choice(lines)
    text = rng.choice([v for v in VALUES if v.startswith('"')])  # a string, so the programme mostly loads
    return seed[: m.start()] + m.group(1) + text + seed[m.end() :]


def run_site_and_mail(case: int, path: Path, folder: Path, counts: Counter, rng: random.Random) -> None:
    """The programme as a website and as its next reminder's email, checked as the module doc says.

    A damaged programme that does not load is replaced by its seed with one text value changed.
    """
    from datetime import timedelta

    from meetctl.calendars.export import expand_window
    from meetctl.model.schedule import occurrences

    today = "2017-01-01" if rng.random() < 0.7 else rng.choice(TODAYS[:3])
    found = loaded(path, today)
    if found is None:
        path = path.with_name(f"{path.stem}-text.toml")
        path.write_text(text_variant(SEEDS[rng.choice(sorted(SEEDS))], rng), encoding="utf-8")
        found = loaded(path, today)
    if found is None:
        counts["site/mail: does not load"] += 1
        return
    programmes, day = found
    runner = CliRunner()
    env = {"MEETCTL_FILE": "", "MEETCTL_TODAY": ""}
    first, last = expand_window(programmes, day)
    if (last - first).days < 40 * 366 and len(occurrences(programmes, first, last)) <= MAX_SITE_MEETINGS:
        site = folder / f"site-{case}"
        base = rng.choice(
            [[], ["--base-url", "https://example.org/branch/"], ["--base-url", "https://example.org/\x01/"]]
        )
        args = ["site", "-f", str(path), "-o", str(site), "--today", today, "--flyers", "0", "-q", *base]
        result = runner.invoke(app, args, env=env)
        counts["site " + check_result(result, tuple(args), folder)] += 1
        if result.exit_code == 0:
            check_site(site)
    else:
        counts["site: too big to fuzz"] += 1
    upcoming = [o for o in occurrences(programmes, day, day + timedelta(days=400)) if not o.cancelled]
    if upcoming:
        days = str((upcoming[0].date - day).days)
        to = [] if rng.random() < 0.5 and programmes[0].group.mailing_list else ["--to", rng.choice(RECIPIENTS)]
        args = ["remind", "-f", str(path), "--today", today, "--days", days, "--format", "email", *to]
        result = runner.invoke(app, args, env=env)
        counts["email " + check_result(result, tuple(args), folder)] += 1
        if result.exit_code == 0 and result.stdout_bytes:
            check_headers(result.stdout_bytes)


def test_a_few_damaged_programmes_through_every_reading_command(tmp_path):
    counts: Counter = Counter()
    for case in range(4):
        run_case(case, tmp_path, counts)
    assert counts["programmes"] == 4


@pytest.mark.skipif(not os.environ.get("MEETCTL_FUZZ_LONG"), reason="set MEETCTL_FUZZ_LONG=N for the long run")
def test_many_damaged_programmes_through_every_reading_command(tmp_path):
    cases = int(os.environ["MEETCTL_FUZZ_LONG"])
    first = int(os.environ.get("MEETCTL_FUZZ_SEED", "1000"))
    counts: Counter = Counter()
    started = time.monotonic()
    for case in range(first, first + cases):
        run_case(case, tmp_path, counts)
    runs = sum(v for k, v in counts.items() if k.startswith(("exit", "site exit", "email exit")))
    print(f"\nfuzz: {cases} programmes, {runs} runs, "
          f"{dict(sorted(counts.items()))}, {time.monotonic() - started:.0f}s")  # fmt: skip
