"""Shared helpers for meetctl's benchmarks: whole-process timings, peak memory, big programmes.

Machines here are shared and noisy, so every figure is reported next to a baseline
measured in the same run (``python -c pass`` and a trivial Typer app), and timings
are medians of repeated whole-process runs. Nothing here asserts a timing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "programme.toml"
PYTHON = sys.executable
# The console script, as cron and people run it.
MEETCTL = [str(Path(PYTHON).with_name("meetctl"))]

TRIVIAL_TYPER_APP = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    print(f"hello {name}")


@app.command()
def other() -> None:
    pass


app()
'''


@dataclass
class Measurement:
    name: str
    median_s: float
    peak_mb: float

    def row(self, baseline: float | None = None) -> str:
        ratio = f"{self.median_s / baseline:.2f}x" if baseline else ""
        return f"| {self.name} | {self.median_s * 1000:.0f} ms | {ratio} | {self.peak_mb:.0f} MB |"


def run_once(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, float]:
    """Run ``cmd`` once; return (wall seconds, peak RSS in MB of that process)."""
    wall, _, peak = run_measured(cmd, env, cwd)
    return wall, peak


def run_measured(cmd: list[str], env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> tuple[float, float, float]:  # fmt: skip
    """Run ``cmd`` once; return (wall seconds, CPU seconds (user + system), peak RSS in MB).

    CPU time is what the process itself used: on a shared machine it drifts far less
    than wall time, which also counts the time spent waiting for a core.
    """
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    # Measure what a user's machine does: cache bytecode (some sandboxes turn that off,
    # which would make every run recompile meetctl's sources but not the baselines').
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=full_env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}): {err[-500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def measure(name: str, cmd: list[str], repeat: int = 15, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Measurement:  # fmt: skip
    """The median wall time and the largest peak RSS over ``repeat`` runs (after one warm-up)."""
    run_once(cmd, env, cwd)
    times, peaks = [], []
    for _ in range(repeat):
        t, peak = run_once(cmd, env, cwd)
        times.append(t)
        peaks.append(peak)
    return Measurement(name, statistics.median(times), max(peaks))


def measure_together(runs: list[tuple[str, list[str]]], repeat: int = 15) -> list[Measurement]:
    """Like :func:`measure` for several commands, run in turn (A, B, C, A, B, C, ...).

    On a shared machine the load drifts over seconds; interleaving makes every
    command meet the same drift, so the ratios between them hold even when the
    absolute times do not.
    """
    for _, cmd in runs:
        run_once(cmd)  # warm-up: caches, bytecode
    times: list[list[float]] = [[] for _ in runs]
    peaks: list[float] = [0.0 for _ in runs]
    for _ in range(repeat):
        for i, (_, cmd) in enumerate(runs):
            t, peak = run_once(cmd)
            times[i].append(t)
            peaks[i] = max(peaks[i], peak)
    return [Measurement(name, statistics.median(times[i]), peaks[i]) for i, (name, _) in enumerate(runs)]


def baseline_commands() -> list[tuple[str, list[str]]]:
    """``python -c pass`` and a trivial two-command Typer app, as (name, command) pairs."""
    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-"))
    trivial = folder / "trivial_typer.py"
    trivial.write_text(TRIVIAL_TYPER_APP)
    return [("python -c pass", [PYTHON, "-c", "pass"]), ("trivial Typer app", [PYTHON, str(trivial), "hello"])]


def baselines(repeat: int = 15) -> tuple[Measurement, Measurement]:
    """``python -c pass`` and a trivial two-command Typer app, measured now."""
    (python_name, python_cmd), (typer_name, typer_cmd) = baseline_commands()
    return measure(python_name, python_cmd, repeat), measure(typer_name, typer_cmd, repeat)


_RULES = [
    "last Wednesday of the month", "first Monday of the month", "second Tuesday of the month",
    "third Thursday of the month", "fourth Friday of the month", "15th of every month",
    "first and third Tuesday of the month", "second to last Friday of the month",
    "last Saturday of March, June, September and December", "every other Friday",
]  # fmt: skip


def generate_programme(path: Path, n_series: int = 200, years: int = 10, start_year: int = 2020,
                       group: str = "Benchmark Group", timezone: str = "Europe/London",
                       described: bool = False, open_ended: bool = False,
                       rules: list[str] | None = None) -> Path:  # fmt: skip
    """A big programme: ``n_series`` series over ``years`` years, a meeting a month for some.

    ``described`` adds a ``[[meetings]]`` table for every date of every series (a
    branch that records attendance each time builds exactly this); ``open_ended``
    leaves out ``until``; ``rules`` (phrases of ``_RULES``) replaces the usual mix.
    """
    rules = rules or _RULES
    lines = [
        "[group]", f'name = "{group}"', f'timezone = "{timezone}"',
        'email = "secretary@example.org"', 'mailing_list = "list@example.org"', "",
        "[venues.hall]", 'name = "Hall"', 'address = "1 High Street"', "",
    ]  # fmt: skip
    for i in range(n_series):
        lines += [
            "[[series]]", f'id = "s{i:03d}"', f'title = "Series {i}"',
            f'rule = "{rules[i % len(rules)]}"', f'start = "{9 + i % 12:02d}:{(i * 5) % 60:02d}"',
            'duration = "1h30m"', 'venue = "hall"', f"from = {start_year}-01-01",
            *([] if open_ended else [f"until = {start_year + years - 1}-12-31"]), "",
        ]  # fmt: skip
    if described:
        for i in range(n_series):
            last = date(start_year + years - 1, 12, 31)
            for day in _rule_dates(rules[i % len(rules)], date(start_year, 1, 1), last):
                lines += [
                    "[[meetings]]", f'series = "s{i:03d}"', f"date = {day}", f'title = "Meeting of {day}"',
                    "attendance = 12", "",
                ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rule_dates(phrase: str, first: date, last: date) -> list[date]:
    """The dates of one of ``_RULES``, computed here with dateutil (not with meetctl's own rules)."""
    from dateutil import rrule as du

    fr, mo, tu, we, th, sa = du.FR, du.MO, du.TU, du.WE, du.TH, du.SA
    kinds = {
        "last Wednesday of the month": dict(freq=du.MONTHLY, byweekday=we(-1)),
        "first Monday of the month": dict(freq=du.MONTHLY, byweekday=mo(1)),
        "second Tuesday of the month": dict(freq=du.MONTHLY, byweekday=tu(2)),
        "third Thursday of the month": dict(freq=du.MONTHLY, byweekday=th(3)),
        "fourth Friday of the month": dict(freq=du.MONTHLY, byweekday=fr(4)),
        "15th of every month": dict(freq=du.MONTHLY, bymonthday=15),
        "first and third Tuesday of the month": dict(freq=du.MONTHLY, byweekday=(tu(1), tu(3))),
        "second to last Friday of the month": dict(freq=du.MONTHLY, byweekday=fr(-2)),
        "last Saturday of March, June, September and December": dict(
            freq=du.MONTHLY, bymonth=(3, 6, 9, 12), byweekday=sa(-1)
        ),
        # The first Friday on or after `from`, then every second week.
        "every other Friday": dict(freq=du.WEEKLY, interval=2, byweekday=fr),
    }
    start = datetime.combine(first, datetime.min.time())
    if phrase == "every other Friday":
        start += timedelta(days=(4 - first.weekday()) % 7)
    end = datetime.combine(last, datetime.min.time())
    return [d.date() for d in du.rrule(dtstart=start, until=end, **kinds[phrase])]


def print_table(title: str, measurements: list[Measurement], baseline: Measurement | None = None) -> None:
    print(f"\n### {title}\n")
    print("| run | median | ratio | peak RSS |")
    print("|---|---|---|---|")
    for m in measurements:
        print(m.row(baseline.median_s if baseline else None))
