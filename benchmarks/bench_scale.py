"""Growth benchmarks: how each command's time and peak memory grow with the programme.

Run:  python benchmarks/bench_scale.py [--before REV] [--repeat N] [--max-series N] [--max-years N] [--only CMD]

Two families of programmes (benchmarks/common.py's ``generate_programme``):

* 1, 10, 100 and 1,000 series over 10 years (the usual mix of monthly rules and one
  fortnightly), no meeting described;
* one fortnightly series ("every other Friday") over 5, 10, 20 and 40 years with
  every meeting described (a branch that records attendance each time).

For each: ``check``, ``list --json`` (all of it), ``ical``, ``ical --expand``,
``remind`` with nothing due, and ``clashes`` with a 10-series programme (default
window: a year from today). Each row is the median CPU time (user + system) of
``--repeat`` whole-process runs and the largest peak RSS; each column ends with its log-log slope between the two
largest sizes (1 = linear in the programme, 0 = independent of it, 2 = quadratic),
where the process start-up (about 70 ms) pulls small sizes towards 0.

``--before REV`` runs the same table at another revision (its ``src`` taken with
``git archive``, the repository untouched), interleaved with this tree's runs so both
meet the same machine load. Issue 14's targets: ``remind`` on 1,000 series within 3x
one series; under 150 MB for ``list --json``, ``ical --expand`` and ``check`` at 1,000
series x 10 years. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import subprocess
import sys
import tarfile
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PYTHON, ROOT, generate_programme, run_measured  # noqa: E402

# The same launcher for every tree: the console script's own entry point, that tree's src first.
RUN = "import sys; sys.path.insert(0, {src!r}); sys.argv[0] = 'meetctl'; from meetctl.__main__ import main; main()"

COMMANDS = ["check", "list --json", "ical", "ical --expand", "remind", "clashes"]


def src_of(rev: str) -> Path:
    """``rev``'s ``src`` folder, extracted from ``git archive`` (no worktree, no checkout)."""
    data = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, check=True, capture_output=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="meetctl-rev-"))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def argv_for(command: str, path: Path, first: date, last: date, other: Path) -> list[str]:
    """The meetctl arguments of one benchmarked command on the programme at ``path``."""
    middle = first + (last - first) / 2
    # Nothing due: a week before a Sunday that is not the 15th (no rule of the mix,
    # nor the fortnightly Friday, meets on it).
    sunday = middle + timedelta(days=6 - middle.weekday())
    quiet = (sunday if sunday.day != 15 else sunday + timedelta(days=7)) - timedelta(days=7)
    return {
        "check": ["check", "-f", path, "--today", str(middle)],
        "list --json": ["list", "-f", path, "--from", str(first), "--to", str(last), "--json"],
        "ical": ["ical", "-f", path],
        "ical --expand": ["ical", "-f", path, "--expand", "--today", str(last)],
        "remind": ["remind", "-f", path, "--today", str(quiet)],
        "clashes": ["clashes", "-f", path, "--with", other, "--today", str(middle)],
    }[command]


def slope(points: list[tuple[float, float]]) -> str:
    """The log-log slope between the two largest sizes."""
    (x1, y1), (x2, y2) = sorted(points)[-2:]
    return f"{math.log(y2 / y1) / math.log(x2 / x1):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", metavar="REV", help="also run this revision (e.g. main), interleaved")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-series", type=int, default=1000)
    parser.add_argument("--max-years", type=int, default=40)
    parser.add_argument("--only", action="append", choices=COMMANDS, help="only this command (repeatable)")
    args = parser.parse_args()

    trees = {"this tree": ROOT / "src"}
    if args.before:
        trees = {args.before: src_of(args.before), **trees}
    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-"))
    other = generate_programme(folder / "other.toml", n_series=10, years=10, group="Other Group")
    families = {
        "series (10 years each)": [
            (n, generate_programme(folder / f"series-{n}.toml", n_series=n, years=10), date(2020, 1, 1),
             date(2029, 12, 31))
            for n in (1, 10, 100, 1000) if n <= args.max_series
        ],
        "years (one fortnightly series, every meeting described)": [
            (y, generate_programme(folder / f"years-{y}.toml", n_series=1, years=y, start_year=2000, described=True,
                                   rules=["every other Friday"]), date(2000, 1, 1), date(2000 + y - 1, 12, 31))
            for y in (5, 10, 20, 40) if y <= args.max_years
        ],
    }  # fmt: skip
    python = statistics.median(run_measured([PYTHON, "-c", "pass"])[1] for _ in range(5))
    print(f"python -c pass: {python * 1000:.0f} ms of CPU; {args.repeat} runs per cell; medians of CPU time")
    print("(user + system: the shared machine's load inflates wall time, not this); peak RSS the largest")
    for family, sizes in families.items():
        for command in args.only or COMMANDS:
            print(f"\n#### {command}, by {family}\n")
            print("| size | " + " | ".join(f"{t} CPU | {t} peak" for t in trees) + " |")
            print("|---|" + "---|---|" * len(trees))
            points: dict[str, list[tuple[float, float]]] = {t: [] for t in trees}
            peaks: dict[str, list[tuple[float, float]]] = {t: [] for t in trees}
            for size, path, first, last in sizes:
                argv = [str(a) for a in argv_for(command, path, first, last, other)]
                runs = {t: [PYTHON, "-c", RUN.format(src=str(src)), *argv] for t, src in trees.items()}
                times: dict[str, list[float]] = {t: [] for t in trees}
                peak: dict[str, float] = {t: 0.0 for t in trees}
                for _ in range(args.repeat):
                    for t, cmd in runs.items():  # interleaved: both trees meet the same load
                        _, cpu, rss = run_measured(cmd)
                        times[t].append(cpu)
                        peak[t] = max(peak[t], rss)
                cells = []
                for t in trees:
                    median = statistics.median(times[t])
                    points[t].append((size, median))
                    peaks[t].append((size, peak[t]))
                    cells += [f"{median * 1000:,.0f} ms", f"{peak[t]:.0f} MB"]
                print(f"| {size} | " + " | ".join(cells) + " |", flush=True)
            if len(sizes) >= 2:
                slopes = [f"{slope(points[t])} | {slope(peaks[t])}" for t in trees]
                print("| log-log slope | " + " | ".join(slopes) + " |")

if __name__ == "__main__":
    main()
