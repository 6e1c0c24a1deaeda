"""Core benchmarks: cold start of `meetctl next`, and `list --json` over a big programme.

Run:  python benchmarks/bench_core.py [--repeat N]

Targets (issue 2): `meetctl next` within 1.3x a trivial Typer app's start-up (issue 24: a TAB's
completion of meeting dates too);
`list --json` of 200 series over 10 years (~25,000 occurrences) under 1 s and 150 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    example = str(EXAMPLE)
    cold = measure_together(
        [
            *baseline_commands(),
            ("meetctl next (example)", [*MEETCTL, "next", "-f", example, "--today", "2017-01-01"]),
            ("meetctl list (example)", [*MEETCTL, "list", "-f", example, "--from", "2017-01-01"]),
            ("meetctl check (example)", [*MEETCTL, "check", "-f", example, "--today", "2017-01-01"]),
            # A TAB: the shell runs meetctl with the command line in the environment (bash's protocol).
            ("TAB after `meetctl cancel -f example`", ["env", "_MEETCTL_COMPLETE=complete_bash",
             f"COMP_WORDS=meetctl cancel -f {example} ", "COMP_CWORD=4", "MEETCTL_TODAY=2017-01-01", *MEETCTL]),
        ],
        args.repeat,
    )
    python, typer_app = cold[0], cold[1]
    print_table("Cold start (ratio against the trivial Typer app)", cold, typer_app)

    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-"))
    big = generate_programme(folder / "big.toml", n_series=200, years=10)
    listing = [*MEETCTL, "list", "-f", str(big), "--from", "2020-01-01", "--to", "2029-12-31", "--json"]
    count = len(json.loads(subprocess.run(listing, capture_output=True, text=True, check=True).stdout))
    scale = [measure(f"list --json, 200 series x 10 years ({count} occurrences)", listing, max(3, args.repeat // 3))]
    print_table("Scale (ratio against python -c pass)", scale, python)


if __name__ == "__main__":
    main()
