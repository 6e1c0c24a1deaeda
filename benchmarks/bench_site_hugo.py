"""`meetctl site` against Hugo (Debian's `hugo`) on the same meetings: a first build and a rebuild.

Run:  python benchmarks/bench_site_hugo.py [--series 5 25] [--repeat 5] [--before /path/to/main/src]

For each size, the generated programme (benchmarks/common.py, 10 years, today 2025-06-01)
is written as a site by meetctl (`--flyers 0`) and, from the same meetings (`meetctl list
--json`), as a Hugo site: a page and an .ics per meeting, a home page listing them, and
Hugo's feed. Measured in turn (A, B, C, D, A, B, ...), medians of CPU time (user + system
of the process and its threads) and wall time:

- a first build into an empty folder, by each;
- a rebuild after one meeting's title changed (meetctl: the programme; Hugo: the page's
  front matter), and how many files meetctl's rebuild wrote (inode or mtime changed).

Goals (issue 25): site <= 1.5x Hugo's CPU; a rebuild <= 0.5x a first build, <= 12 files
touched, and faster than Hugo's rebuild. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import MEETCTL, generate_programme, run_measured  # noqa: E402

TODAY = "2025-06-01"
CHANGED = "2025-09-15"  # the retitled meeting is the first of s000 from here: within the index's year and the feed

HUGO_CONFIG = """\
baseURL = "https://example.org/"
languageCode = "en"
title = "Benchmark Group"
disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404"]
[outputs]
home = ["HTML", "RSS"]
page = ["HTML", "Calendar"]
section = ["HTML"]
"""

BASEOF = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title><link rel="stylesheet" href="/style.css"></head>
<body><header><a href="/">{{ .Site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main>
<footer><a href="/index.xml">News feed</a></footer></body></html>
"""

SINGLE = """{{ define "title" }}{{ .Title }} – {{ .Date.Format "Monday 2 January 2006" }}{{ end }}
{{ define "main" }}<article class="h-event"><p class="group">{{ .Site.Title }} · {{ .Params.series }}</p>
<h1 class="p-name">{{ .Title }}</h1>
<p class="when"><time class="dt-start" datetime="{{ .Params.start }}">
{{- .Date.Format "Monday 2 January 2006" }}</time></p>
<p class="time">{{ .Date.Format "15:04" }} to {{ (time .Params.end).Format "15:04" }}</p>
<div class="venue"><p>{{ .Params.venue }}</p><p>{{ .Params.address }}</p></div>
<ul><li><a href="index.ics">Calendar file (.ics)</a></li></ul>
<script type="application/ld+json">{{ dict "@context" "https://schema.org" "@type" "Event" "name" .Title
 "startDate" .Params.start "endDate" .Params.end "location" (dict "@type" "Place" "name" .Params.venue
 "address" .Params.address) | jsonify }}</script></article>{{ end }}
"""

SINGLE_ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//hugo//bench//EN
BEGIN:VEVENT
UID:{{ .Params.uid }}
DTSTART:{{ (time .Params.start).UTC.Format "20060102T150405Z" }}
DTEND:{{ (time .Params.end).UTC.Format "20060102T150405Z" }}
SUMMARY:{{ .Title }}
LOCATION:{{ .Params.venue }}
END:VEVENT
END:VCALENDAR
"""

# The home page lists a year each way of 2025-06-01, as meetctl's index does.
LIST = """{{ define "main" }}<h1>{{ .Site.Title }}</h1><ul class="meetings">
{{ $pages := where (where .Site.RegularPages "Date" "ge" (time "2024-06-01")) "Date" "le" (time "2026-06-01") }}
{{ range $pages.ByDate }}<li class="h-event"><a href="{{ .RelPermalink }}">{{ .Title }}</a>
 {{ .Date.Format "Monday 2 January 2006, 15:04" }} · {{ .Params.venue }}</li>
{{ end }}</ul>{{ end }}
"""


def hugo_site(folder: Path, meetings: list[dict]) -> Path:
    """A Hugo project with a content page per meeting (front matter only, as meetctl's pages have no body)."""
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "content" / "meetings").mkdir(parents=True)
    (folder / "static").mkdir()
    (folder / "static" / "style.css").write_text("body { font-family: sans-serif; }\n")
    (folder / "config.toml").write_text(HUGO_CONFIG)
    layouts = folder / "layouts" / "_default"
    (layouts / "baseof.html").write_text(BASEOF)
    (layouts / "single.html").write_text(SINGLE)
    (layouts / "single.ics").write_text(SINGLE_ICS)
    (layouts / "list.html").write_text(LIST)
    (folder / "layouts" / "index.html").write_text(LIST)
    for m in meetings:
        write_hugo_page(folder, m, m["title"])
    return folder


def hugo_page(folder: Path, m: dict) -> Path:
    return folder / "content" / "meetings" / f"{m['date']}-{m['series'] or 'one-off'}-{m['uid'][:12]}.md"


def write_hugo_page(folder: Path, m: dict, title: str) -> None:
    front = {"title": title, "date": m["start"], "start": m["start"], "end": m["end"], "venue": m["venue"],
             "address": m["address"], "series": m["series"], "uid": m["uid"]}  # fmt: skip
    hugo_page(folder, m).write_text("---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n", encoding="utf-8")


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def bench(n_series: int, repeat: int, before: Path | None = None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="meetctl-bench-hugo-"))
    programme = generate_programme(folder / "programme.toml", n_series=n_series)
    base = programme.read_text()
    # The first meeting of s000 ("last Wednesday of the month") on or after CHANGED is the one retitled.
    listing = subprocess.run([*MEETCTL, "list", "-f", str(programme), "--json", "--from", "2020-01-01",
                              "--to", "2029-12-31"], capture_output=True, check=True, text=True)  # fmt: skip
    meetings = json.loads(listing.stdout)
    target = min((m for m in meetings if m["series"] == "s000" and m["date"] >= CHANGED), key=lambda m: m["date"])
    changed_date = target["date"]

    def retitle_programme(title: str) -> None:
        programme.write_text(base + f'\n[[meetings]]\nseries = "s000"\ndate = {changed_date}\ntitle = "{title}"\n')

    retitle_programme("Title A")
    hugo = hugo_site(folder / "hugo", meetings)
    write_hugo_page(hugo, target, "Title A")
    site, public = folder / "site", hugo / "public"
    meetctl_cmd = [*MEETCTL, "site", "-f", str(programme), "--today", TODAY, "--flyers", "0", "-o", str(site), "-q"]
    hugo_cmd = ["hugo", "--quiet", "-s", str(hugo), "-d", str(public)]

    names = ["meetctl build", "hugo build", "meetctl rebuild", "hugo rebuild"]
    if before is not None:
        names += ["before: build", "before: rebuild"]
    cpu: dict[str, list[float]] = {k: [] for k in names}
    peak: dict[str, float] = {k: 0.0 for k in names}
    wall: dict[str, list[float]] = {k: [] for k in cpu}
    touched: list[int] = []
    for i in range(repeat + 1):  # the first round warms caches and is not counted
        title = f"Title {'B' if i % 2 == 0 else 'A'}"
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(public, ignore_errors=True)
        shutil.rmtree(hugo / "resources", ignore_errors=True)
        runs = []
        w, c, p = run_measured(meetctl_cmd)
        runs.append(("meetctl build", w, c))
        peak["meetctl build"] = max(peak["meetctl build"], p)
        w, c, _ = run_measured(hugo_cmd)
        runs.append(("hugo build", w, c))
        retitle_programme(title)
        stamps_before = stamps(site)
        w, c, _ = run_measured(meetctl_cmd)
        runs.append(("meetctl rebuild", w, c))
        after = stamps(site)
        write_hugo_page(hugo, target, title)
        w, c, _ = run_measured(hugo_cmd)
        runs.append(("hugo rebuild", w, c))
        if before is not None:  # the same builds by another meetctl's sources (--before), in the same round
            env = {"PYTHONPATH": str(before)}
            shutil.rmtree(site, ignore_errors=True)
            w, c, p = run_measured(meetctl_cmd, env)
            runs.append(("before: build", w, c))
            peak["before: build"] = max(peak["before: build"], p)
            retitle_programme(title.replace("Title", "Before"))
            w, c, _ = run_measured(meetctl_cmd, env)
            runs.append(("before: rebuild", w, c))
        if i:
            for name, w, c in runs:
                cpu[name].append(c)
                wall[name].append(w)
            touched.append(sum(1 for k, v in after.items() if stamps_before.get(k) != v))
    pages = len(list((site / "meetings").glob("*.html")))
    med = {k: statistics.median(v) for k, v in cpu.items()}
    medw = {k: statistics.median(v) for k, v in wall.items()}
    print(f"\n### {n_series} series, {pages} meeting pages (medians of {repeat} interleaved rounds)\n")
    print("| run | CPU | wall | ratio (CPU) |")
    print("|---|---|---|---|")
    ratios = {
        "meetctl build": ("against Hugo's build", med["hugo build"]),
        "hugo build": ("", None),
        "meetctl rebuild": ("against meetctl's build", med["meetctl build"]),
        "hugo rebuild": ("against Hugo's build", med["hugo build"]),
    }
    if before is not None:
        ratios["before: build"] = ("against Hugo's build", med["hugo build"])
        ratios["before: rebuild"] = ("against its build", med["before: build"])
    for name, (against, baseline) in ratios.items():
        ratio = f"{med[name] / baseline:.2f}x {against}" if baseline else ""
        print(f"| {name} | {med[name] * 1000:.0f} ms | {medw[name] * 1000:.0f} ms | {ratio} |")
    print(f"\nmeetctl's rebuild against Hugo's rebuild: {med['meetctl rebuild'] / med['hugo rebuild']:.2f}x CPU; "
          f"files written by a rebuild: {statistics.median(touched):.0f} (of {len(stamps(site))}); "
          f"peak memory of a build: {peak['meetctl build']:.0f} MB"
          + (f" (before: {peak['before: build']:.0f} MB)" if before is not None else ""))  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, nargs="+", default=[5, 25], help="programme sizes (series)")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved rounds per size")
    parser.add_argument("--before", type=Path, help="another meetctl's src/ (main's) to measure too")
    args = parser.parse_args()
    if not shutil.which("hugo"):
        sys.exit("needs Debian's hugo (apt-get install hugo)")
    for n in args.series:
        bench(n, args.repeat, args.before)


if __name__ == "__main__":
    main()
