"""Import of a big calendar: `meetctl import` against recurring-ical-events reading the same file.

Run:  python benchmarks/bench_import.py [--events 8300] [--repeat 5] [--against REV]

The file is a real export's shape (Google, Thunderbird): mostly one-off events with
descriptions, places, attendees and alarms, some weekly and monthly series with
EXDATEs and moved instances, in Europe/London. The baseline is a process that reads
the file with icalendar and expands it with recurring-ical-events over the window
`import` cross-checks (three years from the first event): the library `import` used
to run in full as its cross-check. Figures are CPU time (user + system), medians of
interleaved runs, as ratios against that baseline measured in the same run, and
each process's peak RSS. ``--against REV`` adds REV's `import` (``git archive``) to
the same interleaving. Nothing here asserts a timing.

Goals (issue 25.3): import <= 0.75x the baseline's CPU, <= 150 MiB at 8,300 events.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_calendars import RUN, src_at  # noqa: E402
from benchmarks.common import PYTHON, ROOT, run_measured  # noqa: E402

LONDON = """BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

#: The baseline: icalendar reads the file, recurring-ical-events expands it over import's window.
BASELINE = """
import sys
from datetime import date, datetime, timedelta
import icalendar, recurring_ical_events
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
starts = []
for ev in cal.walk("VEVENT"):
    value = ev["dtstart"].dt
    starts.append(value.date() if isinstance(value, datetime) else value)
first = min(starts)
found = recurring_ical_events.of(cal).between(first - timedelta(days=1), first + timedelta(days=3 * 366 + 1))
print(len(found))
"""


def big_calendar(path: Path, events: int = 8300, first_year: int = 2024) -> Path:
    """``events`` VEVENTs as an export writes them: 1 in 25 a series (with overrides), reproducible."""
    rng = random.Random(25)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Branch", "X-WR-TIMEZONE:Europe/London",
             LONDON]  # fmt: skip
    span = 3 * 365
    written = 0
    i = 0
    while written < events:
        i += 1
        day = date(first_year, 1, 1) + timedelta(days=rng.randrange(span))
        start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randrange(8 * 60, 21 * 60, 15))
        end = start + timedelta(minutes=rng.choice((60, 90, 120)))
        uid = f"{i:06d}-{rng.getrandbits(64):016x}@google.com"
        common = [
            "DTSTAMP:20240101T000000Z", "CREATED:20231201T120000Z", "LAST-MODIFIED:20231215T093000Z",
            f"UID:{uid}", "SEQUENCE:0", "STATUS:CONFIRMED", "TRANSP:OPAQUE",
            f"SUMMARY:Meeting {i} of the branch",
            f"DESCRIPTION:Agenda for meeting {i}: minutes\\, correspondence\\, treasurer's report\\, "
            "any other business. Bring the leaflets for the stall; tea and coffee provided.",
            f"LOCATION:Room {i % 7}\\, Community Centre\\, 1 High Street\\, Leicester LE1 1AA",
            "ORGANIZER;CN=Secretary:mailto:secretary@example.org",
            "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Member One:mailto:one@example.org",
            "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Member Two:"
            "mailto:two@example.org",
        ]  # fmt: skip
        alarm = ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:This is an event reminder", "TRIGGER:-P0DT0H30M0S",
                 "END:VALARM"]  # fmt: skip
        when = [f"DTSTART;TZID=Europe/London:{start:%Y%m%dT%H%M%S}", f"DTEND;TZID=Europe/London:{end:%Y%m%dT%H%M%S}"]
        if i % 25:
            lines += ["BEGIN:VEVENT", *when, *common, *alarm, "END:VEVENT"]
            written += 1
            continue
        # A series: weekly or monthly by weekday, 20-60 meetings, two dates left out, one moved.
        weekly = i % 2 == 0
        count = rng.randrange(20, 60)
        step = timedelta(weeks=1) if weekly else timedelta(weeks=4)
        rule = f"RRULE:FREQ=WEEKLY;COUNT={count}" if weekly else f"RRULE:FREQ=WEEKLY;INTERVAL=4;COUNT={count}"
        skipped = [start + step * n for n in (3, 7)]
        lines += ["BEGIN:VEVENT", *when, rule, *(f"EXDATE;TZID=Europe/London:{s:%Y%m%dT%H%M%S}" for s in skipped),
                  *common, *alarm, "END:VEVENT"]  # fmt: skip
        moved = start + step * 5
        lines += ["BEGIN:VEVENT", f"RECURRENCE-ID;TZID=Europe/London:{moved:%Y%m%dT%H%M%S}",
                  f"DTSTART;TZID=Europe/London:{moved + timedelta(days=1):%Y%m%dT%H%M%S}",
                  f"DTEND;TZID=Europe/London:{moved + timedelta(days=1) + (end - start):%Y%m%dT%H%M%S}",
                  *common, "END:VEVENT"]  # fmt: skip
        written += 2
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=8300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="also run this git revision's import, interleaved")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-"))
    ics = big_calendar(folder / "big.ics", args.events)
    out = folder / "out.toml"
    runs = {
        "recurring-ical-events (baseline)": [PYTHON, "-c", BASELINE, str(ics)],
        "meetctl import (this tree)": [
            PYTHON,
            "-c",
            RUN.format(src=str(ROOT / "src")),
            "import",
            str(ics),
            "-o",
            str(out),
            "--force",
        ],  # fmt: skip
    }
    if args.against:
        old = src_at(args.against, folder / "old")
        runs[f"meetctl import ({args.against})"] = [PYTHON, "-c", RUN.format(src=str(old)), "import", str(ics),
                                                    "-o", str(folder / "old.toml"), "--force"]  # fmt: skip
    for cmd in runs.values():
        run_measured(cmd)  # warm-up: bytecode, file cache
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    peak: dict[str, float] = dict.fromkeys(runs, 0.0)
    for _ in range(args.repeat):
        for name, cmd in runs.items():
            _wall, used, rss = run_measured(cmd)
            cpu[name].append(used)
            peak[name] = max(peak[name], rss)
    base = statistics.median(cpu["recurring-ical-events (baseline)"])
    size = ics.stat().st_size / 2**20
    print(f"\n### Import of {args.events:,} events ({size:.1f} MiB), CPU against recurring-ical-events\n")
    print("| run | median CPU | ratio | peak RSS |")
    print("|---|---|---|---|")
    for name in runs:
        median = statistics.median(cpu[name])
        print(f"| {name} | {median * 1000:.0f} ms | {median / base:.2f}x | {peak[name]:.0f} MiB |")


if __name__ == "__main__":
    main()
