"""Reminder benchmarks: cron's daily `meetctl remind` when nothing is due, and when one is.

Run:  python benchmarks/bench_reminders.py [--repeat N]

Target (issue 4): `meetctl remind` with nothing due within 1.3x a trivial Typer
app's start-up (no icalendar, jinja2 or email import unless a reminder is due).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import EXAMPLE, MEETCTL, baselines, generate_programme, measure, print_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    python, typer_app = baselines(args.repeat)
    remind = [*MEETCTL, "remind", "-f", str(EXAMPLE)]
    cron = [
        python,
        typer_app,
        # 16 February 2017: the next meeting is 6 days away, so nothing is due.
        measure("remind, nothing due (example)", [*remind, "--today", "2017-02-16"], args.repeat),
        measure(
            "remind --days 7 --days 1, nothing due",
            [*remind, "--today", "2017-02-16", "--days", "7", "--days", "1"],
            args.repeat,
        ),
    ]
    # For reference: the core's own start-up (load the programme, find the next meeting).
    cron.append(measure("meetctl next (example), for reference", [*MEETCTL, "next", "-f", str(EXAMPLE),
                                                                    "--today", "2017-02-16"], args.repeat))  # fmt: skip
    print_table("Cron's daily run, nothing due (ratio against the trivial Typer app)", cron, typer_app)

    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-"))
    big = generate_programme(folder / "big.toml", n_series=200, years=10)
    big_remind = [*MEETCTL, "remind", "-f", str(big)]
    due = [
        measure("remind, one due (text)", [*remind, "--today", "2017-02-15"], args.repeat),
        measure("remind, one due (email + .ics)", [*remind, "--today", "2017-02-15", "--format", "email"], args.repeat),
        # In the generated programme 1 June 2025 has nothing due a week ahead; 3 June has 20 meetings.
        measure("remind, 200 series x 10 years, nothing due", [*big_remind, "--today", "2025-06-01"], args.repeat),
        measure("remind, 200 series x 10 years, 20 due (text)", [*big_remind, "--today", "2025-06-03"], args.repeat),
    ]
    print_table("When a reminder is due, and a big programme (ratio against the trivial Typer app)", due, typer_app)


if __name__ == "__main__":
    main()
