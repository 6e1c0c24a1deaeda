"""`meetctl site` benchmark: the 200-series, 10-year programme as a website; memory growth; flyers.

Run:  python benchmarks/bench_site.py [--repeat N]

Reports (issue 17), each beside a baseline measured in the same run:
- the time and peak memory of `site` for the 200-series, 10-year programme (about 27,600
  meeting pages), against `list --json` of the same meetings (the same schedule, no pages);
- a rebuild (the old site replaced as a whole), as the daily cron job does it;
- peak memory for 50 and for 200 series: pages are streamed, so it should stay about flat;
- the cost of a flyer PDF (WeasyPrint), from the example programme with and without flyers.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import EXAMPLE, MEETCTL, Measurement, generate_programme, print_table, run_once  # noqa: E402

TODAY = "2025-06-01"  # half-way through the generated programmes (2020-2029)


def timed(name: str, cmd: list[str], repeat: int, fresh: Path | None = None) -> Measurement:
    """Median time and largest peak RSS over ``repeat`` runs; ``fresh``: a site folder removed before each."""
    times, peaks = [], []
    for _ in range(repeat):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        t, peak = run_once(cmd)
        times.append(t)
        peaks.append(peak)
    return Measurement(name, statistics.median(times), max(peaks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each big command (each takes minutes)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-site-"))
    for name in ("big", "small", "example"):
        (folder / name).mkdir()
    big = generate_programme(folder / "big" / "programme.toml")
    small = generate_programme(folder / "small" / "programme.toml", n_series=50)
    big_site, small_site = big.parent / "site", small.parent / "site"

    def site(path: Path, out: Path, flyers: int = 0, today: str = TODAY) -> list[str]:
        return [*MEETCTL, "site", "-f", str(path), "--today", today, "--flyers", str(flyers), "-o", str(out)]

    listing = [*MEETCTL, "list", "-f", str(big), "--json", "--from", "2020-01-01", "--to", "2029-12-31"]
    baseline = timed("baseline: list --json, the same 27,600 meetings", listing, max(3, args.repeat))
    first = timed("site, 200 series x 10 years (new folder)", site(big, big_site), args.repeat, fresh=big_site)
    rebuild = timed("site again, replacing the old site whole", site(big, big_site), args.repeat)
    small_run = timed("site, 50 series x 10 years (new folder)", site(small, small_site), args.repeat, fresh=small_site)
    print_table("meetctl site: a 10-year programme as a website (ratio: against list --json)",
                [baseline, first, rebuild, small_run], baseline)  # fmt: skip
    pages_big = len(list((big_site / "meetings").glob("*.html")))
    pages_small = len(list((small_site / "meetings").glob("*.html")))
    print(f"\nmeeting pages: {pages_big} (200 series), {pages_small} (50 series); "
          f"peak memory {first.peak_mb:.0f} MB vs {small_run.peak_mb:.0f} MB: "
          f"{first.peak_mb / small_run.peak_mb:.2f}x for {pages_big / pages_small:.1f}x the pages")  # fmt: skip

    example = folder / "example" / "programme.toml"
    shutil.copy(EXAMPLE, example)
    out = example.parent / "site"
    no_flyers = timed("site, example programme, no flyers", site(example, out, 0, "2017-01-01"), max(3, args.repeat))
    flyers = timed("site, example programme, 3 flyer PDFs", site(example, out, 3, "2017-01-01"), max(3, args.repeat))
    print_table("Flyers (WeasyPrint) in a site (ratio: against no flyers)", [no_flyers, flyers], no_flyers)
    print(f"\none flyer PDF: {(flyers.median_s - no_flyers.median_s) / 3 * 1000:.0f} ms")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
