"""Cron at programme size: ``meetctl remind`` with nothing due, on 1,000 series against one.

Run:  python benchmarks/bench_cron.py [--before REV] [--repeat N]

Issue 25's goal: ``remind`` with nothing due on 1,000 series within 3x the same on
one series. The programmes (benchmarks/common.py's ``generate_programme``) have the
usual mix of rules over 10 years, and each series has seven meetings described
(attendance recorded), spread over those years: 7,000 described dates, each checked
against its series' rule when the file is read. The day is a week before a Sunday
no rule meets on, so nothing is due and nothing is missed.

Each figure is the median CPU time (user + system) of ``--repeat`` whole-process
runs, this tree's runs interleaved with ``--before REV``'s (its ``src`` from ``git
archive``) so both meet the same load; ratios are against one series in the same
tree and run. "warm" runs find the validated programme in the state folder's cache
(every morning after the first); "cold" runs start from an empty state folder (the
first morning, or the first after an edit). Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_scale import RUN, src_of  # noqa: E402
from benchmarks.common import _RULES, PYTHON, ROOT, _rule_dates, generate_programme, run_measured  # noqa: E402

#: A week before Sunday 22 June 2025: no rule of the mix meets that day.
QUIET = date(2025, 6, 15)


def programme(path: Path, n_series: int, described: int = 7) -> Path:
    """``n_series`` series over 2020-2029, each with ``described`` meetings spread over those years."""
    generate_programme(path, n_series=n_series, years=10, start_year=2020)
    lines = []
    for i in range(n_series):
        days = _rule_dates(_RULES[i % len(_RULES)], date(2020, 1, 1), date(2029, 12, 31))
        for day in days[:: max(1, len(days) // described)][:described]:
            lines += ["[[meetings]]", f'series = "s{i:03d}"', f"date = {day}", 'title = "Recorded"',
                      "attendance = 12", ""]  # fmt: skip
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" + "\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", metavar="REV", help="also run this revision (e.g. main), interleaved")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    trees = {"this tree": ROOT / "src"}
    if args.before:
        trees = {args.before: src_of(args.before), **trees}
    folder = Path(tempfile.mkdtemp(prefix="meetctl-cron-"))
    sizes = {n: programme(folder / f"series-{n}.toml", n) for n in (1, 1000)}
    cells: dict[tuple[str, str, int], list[float]] = {}
    for _ in range(args.repeat):
        for n, path in sizes.items():
            for name, src in trees.items():  # interleaved: every tree meets the same load
                argv = [PYTHON, "-c", RUN.format(src=str(src)), "remind", "-f", str(path), "--today", str(QUIET)]
                warm = folder / f"state-{abs(hash(name))}"
                cold = Path(tempfile.mkdtemp(dir=folder, prefix="cold-"))
                for kind, state in (("cold", cold), ("warm", warm)):
                    _, cpu, _ = run_measured(argv, env={"MEETCTL_STATE_DIR": str(state)})
                    cells.setdefault((name, kind, n), []).append(cpu)
    before = f" --before {args.before}" if args.before else ""
    print(f"`python benchmarks/bench_cron.py --repeat {args.repeat}{before}`")
    print("\nremind, nothing due: median CPU (user + system) of whole-process runs; ratio = 1,000 series / 1 series\n")
    print("| tree | state folder | 1 series | 1,000 series | ratio |")
    print("|---|---|---|---|---|")
    for name in trees:
        for kind in ("cold", "warm"):
            one = statistics.median(cells[name, kind, 1])
            big = statistics.median(cells[name, kind, 1000])
            print(f"| {name} | {kind} | {one * 1000:.0f} ms | {big * 1000:.0f} ms | {big / one:.2f}x |")


if __name__ == "__main__":
    main()
