"""Peak memory of `meetctl site --flyers N` (issue 21.4): it should stay flat in N.

Run:  python benchmarks/bench_flyer_memory.py [--counts 10 100 300] [--repeat N] [--src PATH ...]

A weekly programme (2020-2030) as a site with N flyers, beside the same site with no
flyer measured in the same run (interleaved: the baseline, then each N, ``--repeat``
times; medians of peak RSS and of time). ``--src`` measures other source trees too
(a worktree of main: ``git worktree add /tmp/old main``, then ``--src /tmp/old/src``),
each run in turn, so a before/after comparison shares the machine's load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, run_measured  # noqa: E402

WEEKLY = """\
[group]
name = "Weekly Group"
timezone = "Europe/London"

[venues.hall]
name = "Community Hall"
address = "1 High Street, Leicester LE1 1AA"

[[series]]
id = "weekly"
title = "Weekly meeting"
rule = "every Wednesday"
start = "19:00"
venue = "hall"
from = 2020-01-01
until = 2030-12-31
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--src", nargs="+", default=[str(ROOT / "src")], help="source trees to measure")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="meetctl-bench-flyers-"))
    programme = work / "programme.toml"
    programme.write_text(WEEKLY, encoding="utf-8")
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    try:
        for _ in range(args.repeat):
            for src in args.src:
                env = {**os.environ, "PYTHONPATH": src, "MEETCTL_CACHE_DIR": str(work / "cache")}
                for count in [0, *args.counts]:
                    site = work / "site"
                    shutil.rmtree(site, ignore_errors=True)
                    cmd = [sys.executable, "-m", "meetctl", "site", "-f", str(programme), "-o", str(site),
                           "--today", "2021-01-01", "--flyers", str(count), "-q"]  # fmt: skip
                    _, cpu, peak = run_measured(cmd, env)  # CPU time: the machine is shared, wall time drifts
                    results.setdefault((src, count), []).append((cpu, peak))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("| source | flyers | median CPU time | peak RSS | RSS over no flyers | per flyer |")
    print("|---|---|---|---|---|---|")
    for src in args.src:
        base = statistics.median(p for _, p in results[(src, 0)])
        for count in [0, *args.counts]:
            runs = results[(src, count)]
            wall = statistics.median(w for w, _ in runs)
            peak = statistics.median(p for _, p in runs)
            per = f"{(peak - base) / count:.2f} MB" if count else ""
            print(f"| {src} | {count} | {wall:.1f} s | {peak:.0f} MB | {peak / base:.2f}x | {per} |")


if __name__ == "__main__":
    main()
