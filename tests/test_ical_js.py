"""Thunderbird's reading of `meetctl ical`: Mozilla's ical.js, run with Node, expands it as `list --json` lists.

ical.js reads only the first date of a comma-separated RDATE list in a VTIMEZONE
(icalendar's ``add_missing_timezones`` writes those, and every winter meeting then
comes out an hour early), mishandles BYSETPOS, and turns a TZID without a
VTIMEZONE into floating time: this is the reader that catches all three.
The npm package is pinned in tests/js/package-lock.json and installed on first use.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.test_ical import LONDON_PROGRAMME, NEW_YORK_PROGRAMME

JS = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def ical_js() -> Path:
    """The expand script, with ical.js installed beside it (npm ci from the lock file)."""
    return install_ical_js()


def install_ical_js() -> Path:
    """Install ical.js beside tests/js/expand.mjs if it is not there yet; return the script."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the ical.js check (Debian package nodejs)"
    if not (JS / "node_modules" / "ical.js" / "package.json").is_file():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install ical.js (Debian package npm)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS, check=True, timeout=300)
    return JS / "expand.mjs"


def expand(script: Path, ics: Path, first: str, last: str) -> list[dict]:
    proc = subprocess.run(["node", str(script), str(ics), first, last], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def from_ical_js(items: list[dict]) -> set[tuple]:
    return {
        (i["uid"], i["local"], datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"]), i["summary"])
        for i in items
        if i["status"] != "CANCELLED"
    }


def from_list_json(items: list[dict]) -> set[tuple]:
    out = set()
    for i in items:
        if i["status"] != "scheduled":
            continue
        start, end = datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"])
        wall = start.replace(tzinfo=None).isoformat()
        out.add((i["uid"], wall, start.astimezone(UTC), end.astimezone(UTC), i["title"]))
    return out


def test_thunderbird_expands_years_in_two_zones_as_list_json(cli, write_programme, tmp_path, ical_js):
    london = write_programme(LONDON_PROGRAMME, "london.toml")
    brooklyn = write_programme(NEW_YORK_PROGRAMME, "brooklyn.toml")
    ics = tmp_path / "feed.ics"
    assert cli("ical", "-f", london, "-f", brooklyn, "-o", ics).exit_code == 0
    listed = cli("list", "-f", london, "-f", brooklyn, "--from", "2019-01-01", "--to", "2023-12-31", "--json")
    want = from_list_json(json.loads(listed.stdout))
    got = expand(ical_js, ics, "2019-01-01", "2023-12-31")
    assert {i["zone"] for i in got} == {"Europe/London", "America/New_York"}  # never floating
    assert from_ical_js(got) == want
    # A winter and a summer meeting, by hand: 19:00 GMT is 19:00Z, 19:00 BST is 18:00Z.
    starts = {(i["local"], i["start"]) for i in got}
    assert ("2021-01-27T19:00:00", "2021-01-27T19:00:00.000Z") in starts
    assert ("2021-07-28T19:00:00", "2021-07-28T18:00:00.000Z") in starts


def test_thunderbird_reads_an_open_ended_series_far_ahead(cli, write_programme, tmp_path, ical_js):
    path = write_programme(
        """
        [[series]]
        id = "discussion"
        title = "Discussion"
        rule = "last Wednesday of the month"
        start = "19:00"
        venue = "hall"
        from = 2024-01-01
        """,
        header=True,
    )
    ics = tmp_path / "open.ics"
    assert cli("ical", "-f", path, "-o", ics).exit_code == 0
    listed = cli("list", "-f", path, "--from", "2030-01-01", "--to", "2031-12-31", "--json")
    # Years past the VTIMEZONE's first rules: its open-ended RRULEs must still say when BST starts.
    assert from_ical_js(expand(ical_js, ics, "2030-01-01", "2031-12-31")) == from_list_json(json.loads(listed.stdout))
