"""`meetctl site` as a build: how far ahead it goes, what a rebuild touches, what a killed build leaves.

Dates are worked out here from --today with datetime and calendar, not with meetctl's rules.
The golden site in tests/golden/site-example/ is main's build (96fc99f, then 7402b83 after
merging main) with only the deliberate changes of issue 23: PostalAddress split into street,
locality and postcode, and Atom dates never after today (checked with diff -r each time).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "programme.toml"
GOLDEN = ROOT / "tests" / "golden" / "site-example"
TODAY = date(2027, 2, 10)


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".meetctl-site"
    }


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and mtime: a file left alone keeps both."""
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".meetctl-site"
    }


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.endswith(".meetctl-tmp"))


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def mondays(first: date, last: date) -> list[date]:
    day = first + timedelta(days=(0 - first.weekday()) % 7)
    found = []
    while day <= last:
        found.append(day)
        day += timedelta(days=7)
    return found


def fifteenths(first: date, last: date) -> list[date]:
    found = []
    year, month = first.year, first.month
    while date(year, month, 15) <= last:
        if date(year, month, 15) >= first:
            found.append(date(year, month, 15))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


# --------------------------------------------------------------------------- the same bytes


def test_the_example_site_is_the_golden_one_and_a_rebuild_touches_nothing(cli, tmp_path: Path):
    programme = tmp_path / "programme.toml"
    shutil.copy(EXAMPLE, programme)
    args = ["site", "-f", programme, "--today", "2017-02-20", "--flyers", "0", "--base-url", "https://example.org/m/"]
    assert cli(*args).exit_code == 0
    site = tmp_path / "site"
    assert files_of(site) == files_of(GOLDEN)
    before = stamps(site)
    assert cli(*args).exit_code == 0
    assert files_of(site) == files_of(GOLDEN)
    assert stamps(site) == before  # every file is the old one: same inode, same mtime


def test_shipped_templates_give_the_same_bytes_with_and_without_the_sandbox(tmp_path: Path):
    from meetctl.documents.environment import Templates
    from meetctl.documents.sitefolder import make_site
    from meetctl.model.loading import load_programme

    programmes = [load_programme(EXAMPLE)]
    plain, sandboxed = Templates(), Templates(sandbox_all=True)
    assert plain.trusted and not sandboxed.trusted
    for templates, folder in ((plain, tmp_path / "plain"), (sandboxed, tmp_path / "sandboxed")):
        make_site(folder, templates, programmes, date(2017, 2, 20), "https://example.org/m/", 0, EXAMPLE.parent)
    assert files_of(tmp_path / "plain") == files_of(tmp_path / "sandboxed")
    # A group that replaces a shipped template gets the sandbox for every one.
    own = tmp_path / "templates" / "site"
    own.mkdir(parents=True)
    (own / "base.html.j2").write_text("{% block main %}{% endblock %}", encoding="utf-8")
    assert not Templates([tmp_path / "templates"]).trusted


# --------------------------------------------------------------------------- rebuilds


REBUILT = """\
[group]
name = "Rebuilders"
timezone = "Europe/London"

[venues.hall]
name = "Hall"
address = "1 High Street, Leicester LE1 7DA"

[[series]]
id = "weekly"
title = "Weekly"
rule = "every Monday"
start = "19:00"
duration = "1h"
venue = "hall"
from = 2026-01-01
until = 2028-12-31

[[meetings]]
series = "weekly"
date = {changed}
title = "{title}"
"""


def test_a_rebuild_after_one_title_change_writes_only_the_files_that_changed(cli, tmp_path: Path):
    changed = mondays(TODAY + timedelta(days=20), TODAY + timedelta(days=30))[0]
    programme = tmp_path / "programme.toml"
    programme.write_text(REBUILT.format(changed=changed, title="Old title"), encoding="utf-8")
    args = ["site", "-f", programme, "--today", TODAY.isoformat(), "--flyers", "0"]
    assert cli(*args).exit_code == 0
    site = tmp_path / "site"
    before, old_bytes = stamps(site), files_of(site)
    programme.write_text(REBUILT.format(changed=changed, title="New title"), encoding="utf-8")
    assert cli(*args).exit_code == 0
    after, new_bytes = stamps(site), files_of(site)
    assert after.keys() == before.keys()
    touched = {name for name in after if after[name] != before[name]}
    differ = {name for name in after if new_bytes[name] != old_bytes[name]}
    assert touched == differ  # a file is rewritten exactly when its bytes change
    page = f"meetings/{changed}-weekly"
    assert {f"{page}.html", f"{page}.ics", "index.html", "calendar.ics", "feed.xml"} <= touched
    assert len(touched) <= 12, sorted(touched)
    # And the rebuild is the site a fresh build makes.
    fresh = tmp_path / "fresh"
    assert cli(*args, "-o", fresh).exit_code == 0
    assert files_of(fresh) == new_bytes


def test_a_page_is_remade_when_what_it_shows_changes_even_if_the_programme_does_not(cli, tmp_path: Path):
    changed = mondays(TODAY - timedelta(days=20), TODAY)[0]
    programme = tmp_path / "programme.toml"
    programme.write_text(REBUILT.format(changed=changed, title="Met"), encoding="utf-8")
    args = ["site", "-f", programme, "--today", TODAY.isoformat(), "--flyers", "0"]
    assert cli(*args).exit_code == 0
    page = tmp_path / "site" / "meetings" / f"{changed}-weekly.html"
    assert 'id="report"' not in page.read_text(encoding="utf-8")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / f"{changed}-met.md").write_text("We met and *talked*.\n", encoding="utf-8")
    assert cli(*args).exit_code == 0
    assert "<em>talked</em>" in page.read_text(encoding="utf-8")
    # And the day after, yesterday's meeting is past: its page loses "Add to your calendar".
    upcoming = mondays(TODAY, TODAY + timedelta(days=7))[0]
    upcoming_page = tmp_path / "site" / "meetings" / f"{upcoming}-weekly.html"
    assert "Add to your calendar" in upcoming_page.read_text(encoding="utf-8")
    later = ["site", "-f", programme, "--today", (upcoming + timedelta(days=1)).isoformat(), "--flyers", "0"]
    assert cli(*later).exit_code == 0
    assert "Add to your calendar" not in upcoming_page.read_text(encoding="utf-8")


def test_a_flyer_is_made_again_only_when_its_html_changes(cli, tmp_path: Path):
    changed = mondays(TODAY, TODAY + timedelta(days=7))[0]
    programme = tmp_path / "programme.toml"
    programme.write_text(REBUILT.format(changed=changed, title="Flyered"), encoding="utf-8")
    args = ["site", "-f", programme, "--today", TODAY.isoformat(), "--flyers", "1"]
    assert cli(*args).exit_code == 0
    flyer = tmp_path / "site" / "flyers" / f"{changed}-weekly.pdf"
    first = (flyer.stat().st_ino, flyer.stat().st_mtime_ns)
    assert cli(*args).exit_code == 0
    assert (flyer.stat().st_ino, flyer.stat().st_mtime_ns) == first
    programme.write_text(REBUILT.format(changed=changed, title="Flyered again"), encoding="utf-8")
    assert cli(*args).exit_code == 0
    assert (flyer.stat().st_ino, flyer.stat().st_mtime_ns) != first


# --------------------------------------------------------------------------- how far ahead


HORIZON = """\
[group]
name = "Far ahead"
timezone = "Europe/London"

[[series]]
id = "open"
title = "Open-ended"
rule = "every Monday"
start = "19:00"
duration = "1h"
from = 2026-01-01

[[series]]
id = "closed"
title = "Closed"
rule = "15th of every month"
start = "19:00"
duration = "1h"
from = 2026-01-01
until = {closed_until}

[[series]]
id = "forever"
title = "Until 8335"
rule = "15th of every month"
start = "12:00"
duration = "1h"
from = 2026-01-01
until = 8335-03-19

[[meetings]]
date = {near_one_off}
title = "Within five years"
start = "10:00"

[[meetings]]
date = {far_one_off}
title = "Too far"
start = "10:00"

[[meetings]]
date = 7987-06-01
title = "Year 7987"
start = "10:00"
"""


def test_the_site_shows_the_past_and_five_years_ahead_an_open_ended_series_one(cli, tmp_path: Path):
    closed_until = years_after(TODAY, 3)
    near_one_off = years_after(TODAY, 4)
    far_one_off = years_after(TODAY, 7)
    programme = tmp_path / "programme.toml"
    programme.write_text(HORIZON.format(closed_until=closed_until, near_one_off=near_one_off,
                                        far_one_off=far_one_off), encoding="utf-8")  # fmt: skip
    assert cli("site", "-f", programme, "--today", TODAY.isoformat(), "--flyers", "0").exit_code == 0
    site = tmp_path / "site"
    pages = {p.stem for p in (site / "meetings").glob("*.html")}
    one_year, five_years = years_after(TODAY, 1), years_after(TODAY, 5)
    start = date(2026, 1, 1)
    expected = {f"{d}-open" for d in mondays(start, one_year)}
    expected |= {f"{d}-closed" for d in fifteenths(start, closed_until)}
    expected |= {f"{d}-forever" for d in fifteenths(start, five_years)}
    expected |= {f"{near_one_off}-within-five-years"}
    assert pages == expected
    # No page without a meeting: every year page lists at least one.
    for year_page in [*site.glob("later-*.html"), *site.glob("past-*.html")]:
        assert 'class="h-event' in year_page.read_text(encoding="utf-8"), year_page.name
    assert {p.name for p in site.glob("later-*.html")} == {
        f"later-{y}.html" for y in range((TODAY + timedelta(days=366)).year, five_years.year + 1)
    }
    # calendar.ics still has the whole programme (the horizon is the website's only).
    assert "Year 7987" in (site / "calendar.ics").read_text(encoding="utf-8")


def test_a_one_off_far_ahead_writes_no_empty_year_pages(cli, write_programme, tmp_path: Path):
    programme = write_programme('[group]\nname = "G"\ntimezone = "UTC"\n\n[[meetings]]\ndate = 7987-06-01\n'
                                'title = "Far"\nstart = "10:00"\n\n[[meetings]]\ndate = 1950-06-01\n'
                                'title = "Long ago"\nstart = "10:00"\n')  # fmt: skip
    out = tmp_path / "out"
    assert cli("site", "-f", programme, "--today", TODAY.isoformat(), "--flyers", "0", "-o", out).exit_code == 0
    assert sorted(p.name for p in out.glob("*.html")) == ["index.html", "past-1950.html"]
    assert [p.stem for p in (out / "meetings").glob("*.html")] == ["1950-06-01-long-ago"]


# --------------------------------------------------------------------------- killed builds


def big_programme(folder: Path) -> Path:
    series = "".join(
        f'[[series]]\nid = "s{i}"\ntitle = "Series {i}"\nrule = "every Monday"\nstart = "{8 + i % 12}:00"\n'
        f'duration = "1h"\nfrom = 2020-01-01\nuntil = 2027-12-31\n\n'
        for i in range(8)
    )
    path = folder / "programme.toml"
    path.write_text(f'[group]\nname = "Big"\ntimezone = "Europe/London"\n\n{series}', encoding="utf-8")
    return path


def start_build(programme: Path, site: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "meetctl", "site", "-f", str(programme), "--today", TODAY.isoformat(),
           "--flyers", "0", "-o", str(site), "-q"]  # fmt: skip
    return subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)


def wait_for_pages(parent: Path, proc: subprocess.Popen) -> None:
    """Until the build's temporary folder holds some pages (or the build ended)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        for temp in parent.glob(".site.*.meetctl-tmp"):
            meetings = temp / "meetings"
            if meetings.is_dir() and len(os.listdir(meetings)) > 50:
                return
        time.sleep(0.02)
    pytest.fail("the build never got going")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_build_leaves_the_old_site_and_nothing_the_next_run_keeps(how, tmp_path: Path):
    programme = big_programme(tmp_path)
    site = tmp_path / "site"
    first = start_build(programme, site)
    assert first.wait() == 0, first.stderr.read()
    old = files_of(site)
    # The next build (a title changed) is killed half-way.
    programme.write_text(programme.read_text(encoding="utf-8").replace("Series 3", "Changed"), encoding="utf-8")
    proc = start_build(programme, site)
    wait_for_pages(tmp_path, proc)
    proc.send_signal(how)
    status = proc.wait()
    assert status in (-how, 128 + how), proc.stderr.read()
    assert files_of(site) == old  # the old site, whole
    if how == signal.SIGTERM:
        assert leftovers(tmp_path) == [], "SIGTERM unwinds and removes its temporary folder"
    else:
        assert leftovers(tmp_path) != []  # SIGKILL cannot be caught...
    done = start_build(programme, site)
    assert done.wait() == 0, done.stderr.read()
    assert leftovers(tmp_path) == []  # ...and the next run removes what it left
    assert "Changed" in (site / "index.html").read_text(encoding="utf-8")


def test_a_leftover_that_another_build_holds_is_left_alone(tmp_path: Path):
    import fcntl

    from meetctl.outputfolders import FOLDER_MARKER, remove_folder_leftovers

    site = tmp_path / "site"
    held, abandoned, foreign = (tmp_path / f".site.{n}.meetctl-tmp" for n in ("held", "gone", "theirs"))
    for folder in (held, abandoned, foreign):
        folder.mkdir()
    for folder in (held, abandoned):
        (folder / FOLDER_MARKER).write_text("x", encoding="utf-8")
    (foreign / "notes.txt").write_text("not meetctl's", encoding="utf-8")
    fd = os.open(held, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        # Another process (a child, as flock locks belong to open files) tries to clean up.
        code = f"from pathlib import Path; from meetctl.outputfolders import remove_folder_leftovers as r; r(Path({str(site)!r}))"
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    finally:
        os.close(fd)
    assert leftovers(tmp_path) == sorted([held.name, foreign.name])
    remove_folder_leftovers(site)
    assert leftovers(tmp_path) == [foreign.name]  # never one it did not make


def test_the_swap_exchanges_the_two_folders_in_one_step(tmp_path: Path):
    from meetctl.outputfolders import exchange

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "new").write_text("new", encoding="utf-8")
    (b / "old").write_text("old", encoding="utf-8")
    if not sys.platform.startswith("linux"):
        assert exchange(a, b) is False
        return
    assert exchange(a, b) is True
    assert [p.name for p in b.iterdir()] == ["new"] and [p.name for p in a.iterdir()] == ["old"]


# --------------------------------------------------------------------------- structured data


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("102 Regent Road, Leicester LE1 7DA",
         {"streetAddress": "102 Regent Road", "addressLocality": "Leicester", "postalCode": "LE1 7DA"}),
        ("Friends Meeting House, 6 Mount Street, Manchester, m2 5nS",
         {"streetAddress": "Friends Meeting House, 6 Mount Street", "addressLocality": "Manchester",
          "postalCode": "M2 5NS"}),
        ("Level 2, 100 Collins Street, Melbourne VIC 3000",
         {"streetAddress": "Level 2, 100 Collins Street", "addressLocality": "Melbourne", "addressRegion": "VIC",
          "postalCode": "3000"}),
        ("12 Water St, Springfield, MA 01103",
         {"streetAddress": "12 Water St", "addressLocality": "Springfield", "addressRegion": "MA",
          "postalCode": "01103"}),
        ("Carrer de Sant Pere Més Baix 7, Barcelona", {"streetAddress": "Carrer de Sant Pere Més Baix 7, Barcelona"}),
        ("The back room of the Red Lion", {"streetAddress": "The back room of the Red Lion"}),
    ],
)  # fmt: skip
def test_postal_address_splits_locality_and_postcode_where_the_address_says(address: str, expected: dict):
    from meetctl.documents.structured import postal_address

    assert postal_address(address) == {"@type": "PostalAddress", **expected}


def test_feed_and_json_ld_describe_a_meeting_without_a_blurb(cli, write_programme, tmp_path: Path):
    import feedparser
    from extruct import extract

    programme = write_programme(
        '[group]\nname = "G"\ntimezone = "UTC"\n\n'
        '[[series]]\nid = "talks"\ntitle = "Talks"\nrule = "every Monday"\nstart = "19:00"\nduration = "1h"\n'
        'from = 2027-01-01\nuntil = 2027-03-31\ndescription = "A talk and questions."\n\n'
        '[[series]]\nid = "walks"\ntitle = "Walks"\nrule = "every Saturday"\nstart = "10:00"\nduration = "2h"\n'
        "from = 2027-01-01\nuntil = 2027-03-31\n"
    )  # fmt: skip
    out = tmp_path / "out"
    assert cli("site", "-f", programme, "--today", TODAY.isoformat(), "--flyers", "0", "-o", out).exit_code == 0
    monday, saturday = mondays(TODAY, TODAY + timedelta(days=6))[0], TODAY + timedelta(days=(5 - TODAY.weekday()) % 7)
    for name, words in ((f"{monday}-talks", "A talk and questions."), (f"{saturday}-walks", "Walks: every Saturday")):
        html = (out / "meetings" / f"{name}.html").read_text(encoding="utf-8")
        (event,) = extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]
        assert event["description"].startswith(words)
    summaries = [e.summary for e in feedparser.parse((out / "feed.xml").read_bytes()).entries]
    assert any("A talk and questions." in s for s in summaries)
    assert any("Walks: every Saturday" in s for s in summaries)


@pytest.mark.parametrize(
    "data",
    [{}, [], [[[]]], {"a": [1, 2.5, {"b": None, "c": True}], "d": {}, "e": [], "f": 'x"<\u2028é\n'}, "text", None],
)
def test_the_fast_json_writer_writes_what_json_dumps_writes(data):
    import json

    from meetctl.documents.site import _indented_json

    assert _indented_json(data, "\n") == json.dumps(data, ensure_ascii=False, indent=1)
