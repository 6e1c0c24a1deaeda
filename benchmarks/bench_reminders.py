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

from benchmarks.common import (  # noqa: E402
    EXAMPLE,
    MEETCTL,
    baseline_commands,
    generate_programme,
    measure,
    measure_together,
    print_table,
)

# Cron runs an installed meetctl whose bytecode is cached; let the warm-up run write it
# even where the shell sets PYTHONDONTWRITEBYTECODE (else every run recompiles meetctl).
CACHED = {"PYTHONDONTWRITEBYTECODE": ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    def run(name: str, cmd: list[str]):
        return measure(name, cmd, args.repeat, env=CACHED)

    remind = [*MEETCTL, "remind", "-f", str(EXAMPLE)]
    cron = measure_together(
        [
            *baseline_commands(),
            # 16 February 2017: the next meeting is 6 days away, so nothing is due.
            ("remind, nothing due (example)", [*remind, "--today", "2017-02-16"]),
            ("remind --days 7 --days 1, nothing due", [*remind, "--today", "2017-02-16", "--days", "7", "--days", "1"]),
            # For reference: the core's own start-up (load the programme, find the next meeting).
            ("meetctl next (example), for reference", [*MEETCTL, "next", "-f", str(EXAMPLE), "--today", "2017-02-16"]),
        ],
        args.repeat,
    )
    typer_app = cron[1]
    print_table("Cron's daily run, nothing due (ratio against the trivial Typer app)", cron, typer_app)

    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-"))
    big = [*MEETCTL, "remind", "-f", str(generate_programme(folder / "big.toml", n_series=200, years=10))]
    due = [
        run("remind, one due (text)", [*remind, "--today", "2017-02-15"]),
        run("remind, one due (email + .ics)", [*remind, "--today", "2017-02-15", "--format", "email"]),
        # In the generated programme 1 June 2025 has nothing due a week ahead; 3 June has 20 meetings.
        run("remind, 200 series x 10 years, nothing due", [*big, "--today", "2025-06-01"]),
        run("remind, 200 series x 10 years, 20 due (text)", [*big, "--today", "2025-06-03"]),
    ]
    print_table("When a reminder is due, and a big programme (ratio against the trivial Typer app)", due, typer_app)


if __name__ == "__main__":
    main()
