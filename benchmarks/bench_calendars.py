"""Calendar benchmarks: `ical` of a big programme (RRULE form and --expand), `clashes` against 5,000 events.

Run:  python benchmarks/bench_calendars.py [--repeat N] [--against REV]

``--against REV`` also runs the two `clashes` cases (with and without a year-long
event) with REV's code (``git archive REV src``, run from a temporary folder),
interleaved with this tree's, so both meet the same machine load.

Targets (issue 3): each under 2 s on this machine for the 200-series, 10-year
programme; figures are reported as ratios against `python -c pass` measured in the
same run (timings are noisy on a shared machine; nothing here asserts one).
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tarfile
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402
    MEETCTL,
    PYTHON,
    ROOT,
    baseline_commands,
    baselines,
    generate_programme,
    measure,
    measure_together,
    print_table,
)

RUN = "import sys; sys.path.insert(0, {src!r}); sys.argv[0] = 'meetctl'; from meetctl.__main__ import main; main()"


def src_at(rev: str, folder: Path) -> Path:
    """REV's ``src`` folder, unpacked under ``folder`` (no git worktree is made)."""
    archive = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


#: Times find_clashes alone (after reading both sides), in the process of the tree under test.
TIME_FIND = """
import sys, time
sys.path.insert(0, {src!r})
from datetime import date
from meetctl.calendars.clashes import find_clashes
from meetctl.calendars.reading import load_events
from meetctl.model.loading import load_programmes
from meetctl.model.schedule import occurrences
from pathlib import Path
first, last = date(2020, 1, 1), date(2029, 12, 31)
ours = occurrences(load_programmes([Path({big!r})]), first, last)
events = load_events({other!r}, first, last)
best = min(_time(find_clashes, ours, events) for _ in range(3))
print(f"{{best * 1000:.0f}}")
"""
TIME_HELPER = "def _time(f, *a):\n    import time\n    t = time.perf_counter(); f(*a); return time.perf_counter() - t\n"


def compare_matching(rev: str, folder: Path, big: Path, others: list[tuple[str, Path]]) -> None:
    """find_clashes alone (best of 3, in ms) at REV and in this tree: the index's own effect."""
    old = folder / "old" / "src"
    print(f"\n### find_clashes alone, best of 3 (ms), at {rev} and in this tree\n")
    print(f"| other calendar | {rev} | this tree | ratio |")
    print("|---|---|---|---|")
    for label, other in others:
        times = []
        for src in (old, ROOT / "src"):
            code = TIME_HELPER + TIME_FIND.format(src=str(src), big=str(big), other=str(other))
            out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout
            times.append(int(out.split()[-1]))
        print(f"| {label} | {times[0]} | {times[1]} | {times[0] / max(times[1], 1):.1f}x |")


def compare_revisions(rev: str, folder: Path, big: Path, others: list[tuple[str, Path]], repeat: int) -> None:
    old = src_at(rev, folder / "old")
    window = ["--from", "2020-01-01", "--to", "2029-12-31"]
    runs = [baseline_commands()[0]]
    for label, other in others:
        for name, src in ((rev, old), ("this tree", ROOT / "src")):
            argv = ["clashes", "-f", str(big), *window, "--with", str(other)]
            runs.append((f"clashes --with {label}, at {name}", [PYTHON, "-c", RUN.format(src=str(src)), *argv]))
    results = measure_together(runs, repeat)
    print_table(f"clashes at {rev} and in this tree (ratio against python -c pass)", results, results[0])

PARIS_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:DAYLIGHT
DTSTART:19810329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZNAME:CEST
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:19961027T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZNAME:CET
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE"""


def other_calendar(
    path: Path, events: int = 5000, first_year: int = 2020, years: int = 10, year_long: bool = False
) -> Path:
    """Another group's calendar: ``events`` one-off events (a few all-day) in Paris time, reproducible.

    ``year_long`` adds one timed event lasting a year (a university's term calendar has
    them): before issue 13's index, every meeting was compared with it.
    """
    rng = random.Random(3)
    span = (date(first_year + years, 1, 1) - date(first_year, 1, 1)).days
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//meetctl benchmarks//EN", PARIS_VTIMEZONE]
    for i in range(events):
        day = date(first_year, 1, 1) + timedelta(days=rng.randrange(span))
        lines += ["BEGIN:VEVENT", f"UID:bench-{i}@example.org", "DTSTAMP:20200101T000000Z", f"SUMMARY:Event {i}"]
        if i % 50 == 0:
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"]
        else:
            start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randrange(8 * 60, 22 * 60, 15))
            end = start + timedelta(minutes=rng.choice((60, 90, 120)))
            lines += [
                f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}",
                f"DTEND;TZID=Europe/Paris:{end:%Y%m%dT%H%M%S}",
            ]
        lines.append("END:VEVENT")
    if year_long:
        lines += ["BEGIN:VEVENT", "UID:bench-year@example.org", "DTSTAMP:20200101T000000Z", "SUMMARY:The year",
                  f"DTSTART:{first_year + 2}0101T000000Z", f"DTEND:{first_year + 3}0101T000000Z", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="also time `clashes` with this git revision's code")
    parser.add_argument("--matching-only", action="store_true", help="with --against: only find_clashes alone")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-"))
    big = generate_programme(folder / "big.toml", n_series=200, years=10)
    other = other_calendar(folder / "other.ics")
    other_long = other_calendar(folder / "other-long.ics", year_long=True)
    if args.against and args.matching_only:
        src_at(args.against, folder / "old")
        compare_matching(args.against, folder, big, [("5,000 events", other),
                                                      ("5,000 events + a year-long one", other_long)])  # fmt: skip
        return
    python, _ = baselines(args.repeat)
    window = ["--from", "2020-01-01", "--to", "2029-12-31"]
    runs = [
        python,
        measure("ical, 200 series x 10 years (RRULE form)", [*MEETCTL, "ical", "-f", str(big)], args.repeat),
        measure("ical --expand, 200 series x 10 years", [*MEETCTL, "ical", "-f", str(big), "--expand"], args.repeat),
        measure(
            "clashes of it --with a 5,000-event .ics",
            [*MEETCTL, "clashes", "-f", str(big), *window, "--with", str(other)],
            args.repeat,
        ),
        measure(
            "clashes of it --with the same + one year-long event",
            [*MEETCTL, "clashes", "-f", str(big), *window, "--with", str(other_long)],
            args.repeat,
        ),
        measure(
            "clashes, one year (2024) --with the 5,000-event .ics",
            [*MEETCTL, "clashes", "-f", str(big), "--from", "2024-01-01", "--to", "2024-12-31", "--with", str(other)],
            args.repeat,
        ),
    ]
    print_table("Calendars (ratio against python -c pass)", runs, python)
    if args.against:
        others = [("5,000 events", other), ("5,000 events + a year-long one", other_long)]
        compare_revisions(args.against, folder, big, others, args.repeat)
        compare_matching(args.against, folder, big, others)


if __name__ == "__main__":
    main()
