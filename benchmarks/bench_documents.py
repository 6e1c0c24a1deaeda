"""Document benchmarks: a 12-meeting term flyer as PDF, `announce` as text, `post`, a PNG flyer.

Run:  python benchmarks/bench_documents.py [--repeat N]

Targets (issue 5): the term flyer PDF for 12 meetings under 3 s (time and peak
memory reported); `announce` as text within 1.5x a trivial Typer app's start-up.
"""

from __future__ import annotations

import argparse
import calendar
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import EXAMPLE, MEETCTL, baseline_commands, measure, measure_together, print_table  # noqa: E402

TITLE = "How could a libertarian communist society meet people's needs and desires? Part {n}"


def twelve_meetings(path: Path) -> Path:
    """The example's group and venue, a year of monthly meetings, each with a long title and blurb."""
    head = EXAMPLE.read_text().split("[[meetings]]")[0].replace("until = 2017-03-31", "until = 2017-12-31")
    meetings = []
    for month in range(1, 13):
        # A meeting names its date: the last Wednesday of the month, by calendar arithmetic.
        last = date(2017, month, calendar.monthrange(2017, month)[1])
        day = last.replace(day=last.day - (last.weekday() - 2) % 7)
        meetings.append(
            f'[[meetings]]\nseries = "discussion"\ndate = {day}\ntitle = "{TITLE.format(n=month)}"\n'
            'description = "How would we decide what to make, and who does the work nobody wants to do?"\n'
            'lead = "A member of the group"\n'
        )
    path.write_text(head + "\n".join(meetings), encoding="utf-8")
    return path


def day_school(path: Path) -> Path:
    """The example's group with a one-day school of six sessions (the flyer that must fit one page)."""
    head = EXAMPLE.read_text().split("[[series]]")[0]
    sessions = "".join(
        f'[[meetings.sessions]]\ntitle = "Session {i}: a talk with a longish title"\nstart = "{10 + i}:00"\n'
        f'end = "{10 + i}:45"\nroom = "Main hall"\nspeakers = ["Speaker {i}a", "Speaker {i}b"]\n'
        for i in range(6)
    )
    meeting = (
        '[[meetings]]\ndate = 2017-11-11\ntitle = "Day school"\nstart = "10:00"\nduration = "7h"\n'
        'venue = "regent"\ndescription = "Six sessions on the history of the movement."\n'
    )
    path.write_text(head + meeting + sessions, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-"))
    programme = twelve_meetings(folder / "programme.toml")
    school = day_school(folder / "school.toml")
    announce = [*MEETCTL, "announce", "-f", str(EXAMPLE), "--from", "2017-01-01"]
    # Interleaved (A, B, C, A, B, C, ...) so the baselines meet the same machine load as meetctl.
    start_up = measure_together(
        [
            *baseline_commands(),
            # For reference: the same start-up without Jinja2 (announce = this + Jinja2 + the template).
            ("meetctl next (example), for reference", [*MEETCTL, "next", "-f", str(EXAMPLE), "--today", "2017-01-01"]),
            ("meetctl announce (example, text)", announce),
            ("meetctl post (example)", [*MEETCTL, "post", "-f", str(EXAMPLE), "2017-02-22"]),
            ("meetctl announce (12 meetings, markdown)",
             [*MEETCTL, "announce", "-f", str(programme), "--from", "2017-01-01", "--to", "2017-12-31",
              "--format", "markdown"]),
        ],
        args.repeat,
    )  # fmt: skip
    python, typer_app = start_up[0], start_up[1]
    print_table("Announce (ratio against the trivial Typer app)", start_up, typer_app)

    slow = max(3, args.repeat // 3)
    term = [*MEETCTL, "flyer", "-f", str(programme), "--from", "2017-01-01", "--to", "2017-12-31"]
    flyers = [
        measure("term flyer, 12 meetings, HTML", [*term, "-o", str(folder / "term.html")], slow),
        measure("term flyer, 12 meetings, PDF (A4)", [*term, "-o", str(folder / "term.pdf")], slow),
        measure("term flyer, 12 meetings, PDF (A5)", [*term, "--paper", "a5", "-o", str(folder / "a5.pdf")], slow),
        measure(
            "one-meeting flyer, PDF (A4)",
            [*MEETCTL, "flyer", "-f", str(EXAMPLE), "2017-02-22", "-o", str(folder / "one.pdf")],
            slow,
        ),  # fmt: skip
        # Issue 26: the same flyer as an image (laid out for 1080x1350, drawn by PDFium), and in large print.
        measure(
            "one-meeting flyer, PNG (1080x1350)",
            [*MEETCTL, "flyer", "-f", str(EXAMPLE), "2017-02-22", "-o", str(folder / "one.png")],
            slow,
        ),  # fmt: skip
        measure(
            "term flyer, 12 meetings, large print PDF (A4)",
            [*term, "--large-print", "-o", str(folder / "large.pdf")],
            slow,
        ),  # fmt: skip
        # Laid out at several type scales to find the largest that fits one page (issue 15).
        measure(
            "day school, six sessions, PDF (A5)",
            [*MEETCTL, "flyer", "-f", str(school), "2017-11-11", "--paper", "a5", "-o", str(folder / "school.pdf")],
            slow,
        ),
    ]
    print_table("Flyers (ratio against python -c pass; target: PDF under 3 s)", flyers, python)


if __name__ == "__main__":
    main()
