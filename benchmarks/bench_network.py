"""Network benchmark: `list --json` over 50 programmes in a folder against one programme of the same size.

Run:  python benchmarks/bench_network.py [--repeat N]

Target (issue 7): the folder of 50 within 2x the time of the single programme.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import MEETCTL, generate_programme, measure, print_table  # noqa: E402

ZONES = ["Europe/London", "Europe/Madrid", "Europe/Dublin", "America/New_York", "Australia/Sydney"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="meetctl-network-"))
    single = generate_programme(folder / "single.toml", n_series=200, years=10)
    network = folder / "network"
    network.mkdir()
    for i in range(50):
        generate_programme(network / f"branch{i:02d}.toml", n_series=4, years=10,
                           group=f"Branch {i}", timezone=ZONES[i % len(ZONES)])  # fmt: skip
    window = ["--from", "2020-01-01", "--to", "2029-12-31", "--json"]
    one = measure("one programme, 200 series x 10 years", [*MEETCTL, "list", "-f", str(single), *window], args.repeat)
    fifty = measure("50 programmes in a folder, 4 series each", [*MEETCTL, "list", "-f", str(network), *window],
                    args.repeat)  # fmt: skip
    print_table("National network (ratio against the single programme)", [one, fifty], one)


if __name__ == "__main__":
    main()
