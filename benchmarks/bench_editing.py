"""Editing benchmarks: `meetctl add/cancel/record` on a small and a big programme.

Run:  python benchmarks/bench_editing.py [--repeat N]

An edit reads, validates, splices, reads back, re-validates and writes atomically
under a lock; the figures compare it with `meetctl check` of the same file (one
read and validation) and with a trivial Typer app's start-up, measured in the same run.
The big programme has 200 series over 10 years and 1,000 [[meetings]] tables.
(`check` itself is left out: its clash warnings over that programme are a core matter.)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import EXAMPLE, MEETCTL, baselines, generate_programme, measure, print_table  # noqa: E402


def big_programme(folder: Path) -> Path:
    """generate_programme's 200 series, plus a titled meeting for 1,000 of their dates."""
    path = generate_programme(folder / "big.toml", n_series=200, years=10)
    lines = []
    # Dates from meetctl's own listing of the generated file, so every meeting is valid.
    out = subprocess.run(
        [*MEETCTL, "list", "-f", str(path), "--from", "2020-01-01", "--to", "2029-12-31", "--limit", "1000", "--json"],
        capture_output=True, text=True, check=True,
    ).stdout
    import json

    for item in json.loads(out):
        lines += ["", "# a meeting with a title", "[[meetings]]", f'series = "{item["series"]}"',
                  f"date = {item['date']}", f'title = "Meeting {item["date"]} {item["series"]}"']  # fmt: skip
    with path.open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-"))
    small = folder / "programme.toml"
    shutil.copyfile(EXAMPLE, small)
    big = big_programme(folder)

    python, typer_app = baselines(args.repeat)
    rows = [python, typer_app]
    for label, path in (("example", small), ("big", big)):
        day, series = _a_meeting(path)
        # Reading and validating the file (and one day's schedule): what every command pays.
        check = measure(f"meetctl list, one day ({label})",
                        [*MEETCTL, "list", "-f", str(path), "--from", day, "--to", day], args.repeat)  # fmt: skip
        # --dry-run does everything but the write, so the file stays the same between runs.
        add = measure(f"meetctl add --dry-run ({label})",
                      [*MEETCTL, "add", "-f", str(path), "--date", "2031-01-01", "--title", "New", "--start", "19:00",
                       "--dry-run"], args.repeat)  # fmt: skip
        # A real, written edit: cancelling the same date again after the first run is a no-op,
        # so alternate the reason to force a write every time.
        reasons = iter(range(10**6))
        cancel_cmd = [*MEETCTL, "cancel", "-f", str(path), day, "--series", series, "--reason"]
        cancel = _measure_varying(f"meetctl cancel, written ({label})", cancel_cmd, reasons, args.repeat)
        rows += [check, add, cancel]
    print_table("Editing (ratio against the trivial Typer app)", rows, typer_app)
    print(f"\nthe edited programmes are still valid: {_valid(small) and _valid(big)}")


def _a_meeting(path: Path) -> tuple[str, str]:
    """The date and series of the programme's first meeting."""
    cmd = [*MEETCTL, "list", "-f", str(path), "--from", "2017-01-01", "--to", "2030-12-31", "--limit", "1", "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    import json

    first = json.loads(out)[0]
    return first["date"], first["series"]


def _measure_varying(name, cmd, values, repeat):
    """Like measure(), but each run gets the next of ``values`` as its last argument."""
    from benchmarks.common import Measurement, run_once

    run_once([*cmd, f"r{next(values)}"])
    times, peaks = [], []
    for _ in range(repeat):
        t, peak = run_once([*cmd, f"r{next(values)}"])
        times.append(t)
        peaks.append(peak)
    import statistics

    return Measurement(name, statistics.median(times), max(peaks))


def _valid(path: Path) -> bool:
    return subprocess.run([*MEETCTL, "list", "-f", str(path), "--from", "2017-01-01", "--to", "2017-01-02"],
                          capture_output=True).returncode == 0  # fmt: skip


if __name__ == "__main__":
    main()
