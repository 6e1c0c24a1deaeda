"""`meetctl site`: the group's website, read back as search engines, feed readers and phones read it.

JSON-LD and h-event microformats are read with extruct (an independent extractor), the
feed with feedparser, QR codes with zbarimg from the rendered flyer; calendar.ics is
compared with `meetctl ical`; expected dates are computed here with the calendar module.
The pages in a real browser are in tests/test_site_browser.py.
"""

from __future__ import annotations

import calendar
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

#: A group in New York (clocks change on 14 March 2027, three weeks before London's), meeting on
#: the last Wednesday at 7pm, a hybrid reading group every other Thursday, an online committee.
PROGRAMME = """\
[group]
name = "Riverside Readers & Friends"
timezone = "America/New_York"
email = "sec@riverside.example"
website = "https://riverside.example/events"
welcome = "Newcomers welcome."

[venues.library]
name = "Riverside Library, Room 2"
address = "12 Water St, Springfield, MA 01103"
accessibility = "Step-free entrance on Water St."

[venues.zoom]
name = "Online"
online = "https://zoom.example/j/123?pwd=a&b=c"

[[series]]
id = "discussion"
title = "Discussion"
rule = "last Wednesday of the month"
start = "19:00"
duration = "2h"
venue = "library"
from = 2027-01-01
until = 2027-06-30

[[series]]
id = "reading"
title = "Reading group"
rule = "every other Thursday"
start = "18:30"
duration = "90m"
venue = "library"
online = "https://meet.example/reading"
from = 2027-01-07
until = 2027-04-30

[[series]]
id = "committee"
title = "Committee"
rule = "first Monday of the month"
start = "20:00"
duration = "1h"
venue = "zoom"
from = 2027-01-01
until = 2027-04-30

[[meetings]]
series = "discussion"
date = 2027-01-27
title = "Is the working class movement dead?"

[[meetings]]
series = "discussion"
date = 2027-03-31
title = "</script><script>alert(1)</script> & <b>bold</b>"
description = "Ends a comment? --> <!-- and a quote \\" and more"
cancelled = true
reason = "Hall closed <for repairs>"

[[meetings]]
series = "reading"
date = 2027-03-19
replaces = 2027-03-18
title = "Moved to Friday"

[[meetings]]
date = 2027-03-14
title = "Annual general meeting"
kind = "agm"
start = "14:00"
duration = "2h"
venue = "library"

[[meetings.agenda]]
title = "Treasurer's report"
lead = "Sam"
paper = "https://riverside.example/papers/accounts.pdf"
"""

TODAY = "2027-02-10"
STATUS = {
    "https://schema.org/EventScheduled": "scheduled",
    "https://schema.org/EventRescheduled": "scheduled",
    "https://schema.org/EventCancelled": "cancelled",
}


def last_wednesday(year: int, month: int) -> date:
    """Computed here, independently of meetctl's rules."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - calendar.WEDNESDAY) % 7)


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    path = tmp_path / "programme.toml"
    path.write_text(PROGRAMME, encoding="utf-8")
    return path


@pytest.fixture
def site(cli, programme: Path) -> Path:
    """The site of PROGRAMME, written beside it (site/), with one flyer."""
    result = cli("site", "-f", programme, "--today", TODAY, "--flyers", "1")
    assert result.exit_code == 0, result.stderr
    return programme.parent / "site"


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def jsonld(path: Path, base: str = "https://riverside.example/events/") -> list[dict]:
    import extruct

    data = extruct.extract(path.read_text(encoding="utf-8"), base_url=base, syntaxes=["json-ld"], uniform=False)
    found = []
    for block in data["json-ld"]:
        found.extend(block if isinstance(block, list) else [block])
    return found


def listed(cli, programme: Path, *args: str) -> list[dict]:
    result = cli("list", "-f", programme, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --------------------------------------------------------------------------- what is written


def test_a_page_and_an_ics_for_every_meeting_on_its_date(site: Path):
    pages = sorted(p.name for p in (site / "meetings").glob("*.html"))
    for month in range(1, 7):
        day = last_wednesday(2027, month)
        assert f"{day}-discussion.html" in pages
        assert (site / "meetings" / f"{day}-discussion.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert "2027-03-14-annual-general-meeting.html" in pages
    assert "2027-03-19-reading.html" in pages and "2027-03-18-reading.html" not in pages
    for name in ("index.html", "calendar.ics", "feed.xml", "style.css", ".meetctl-site"):
        assert (site / name).is_file()
    assert len(list((site / "flyers").glob("*.pdf"))) == 1


def test_calendar_ics_is_meetctl_ical(cli, programme: Path, site: Path):
    result = cli("ical", "-f", programme)
    assert (site / "calendar.ics").read_bytes() == result.stdout_bytes


def test_same_input_same_bytes(cli, programme: Path, site: Path, tmp_path: Path):
    first = files_of(site)
    again = tmp_path / "again"
    result = cli("site", "-f", programme, "--today", TODAY, "--flyers", "1", "-o", again)
    assert result.exit_code == 0, result.stderr
    assert files_of(again) == first


def test_index_groups_meetings_to_come_by_month_and_lists_the_past(site: Path):
    from lxml import html

    doc = html.fromstring((site / "index.html").read_bytes())
    assert doc.get("lang") == "en"
    months = [h.text_content() for h in doc.cssselect("#to-come ~ h3")]
    assert months == ["February 2027", "March 2027", "April 2027", "May 2027", "June 2027"]
    past = [a.text_content() for a in doc.cssselect("ul.past .p-name")]
    assert past[-1] == "Committee" and "Is the working class movement dead?" in past  # newest first
    cancelled = doc.cssselect("li.cancelled")
    assert len(cancelled) == 1 and "Cancelled" in cancelled[0].text_content()
    join = [a.get("href") for a in doc.cssselect("p.online a")]
    assert "https://meet.example/reading" in join and "https://zoom.example/j/123?pwd=a&b=c" in join


# --------------------------------------------------------------------------- structured data


def test_json_ld_of_every_meeting_page_equals_list_json(cli, programme: Path, site: Path):
    records = listed(cli, programme, "--from", "2027-01-01", "--to", "2027-06-30")
    assert len(records) == len(list((site / "meetings").glob("*.html")))
    by_start = {(r["start"], r["title"]): r for r in records}
    for page in (site / "meetings").glob("*.html"):
        (event,) = jsonld(page)
        record = by_start.pop((event["startDate"], event["name"]))
        assert event["@type"] == "Event"
        assert event["endDate"] == record["end"]
        assert STATUS[event["eventStatus"]] == record["status"]
        assert event["organizer"]["name"] == "Riverside Readers & Friends"
        assert event["url"] == f"https://riverside.example/events/meetings/{page.name}"
        if record["moved_from"]:
            assert event["eventStatus"] == "https://schema.org/EventRescheduled"
            assert event["previousStartDate"] == record["recurrence_id"]
    assert by_start == {}


def test_json_ld_of_the_index_lists_the_meetings_to_come(cli, programme: Path, site: Path):
    records = listed(cli, programme, "--from", TODAY, "--to", "2027-06-30")
    events = jsonld(site / "index.html")
    assert [(e["name"], e["startDate"], e["endDate"], STATUS[e["eventStatus"]]) for e in events] == [
        (r["title"], r["start"], r["end"], r["status"]) for r in records
    ]


def test_dates_in_structured_data_follow_the_clock_changes(site: Path):
    # New York goes to summer time on 14 March 2027: the AGM that day is at -04:00, February's at -05:00.
    (agm,) = jsonld(site / "meetings" / "2027-03-14-annual-general-meeting.html")
    assert agm["startDate"] == "2027-03-14T14:00:00-04:00"
    (feb,) = jsonld(site / "meetings" / f"{last_wednesday(2027, 2)}-discussion.html")
    assert feb["startDate"] == f"{last_wednesday(2027, 2)}T19:00:00-05:00"


def test_locations_and_attendance_modes(site: Path):
    (room,) = jsonld(site / "meetings" / f"{last_wednesday(2027, 2)}-discussion.html")
    assert room["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert room["location"]["@type"] == "Place"
    assert room["location"]["address"] == {
        "@type": "PostalAddress", "streetAddress": "12 Water St", "addressLocality": "Springfield",
        "addressRegion": "MA", "postalCode": "01103",
    }  # fmt: skip
    (hybrid,) = jsonld(site / "meetings" / "2027-02-04-reading.html")
    assert hybrid["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [loc["@type"] for loc in hybrid["location"]] == ["Place", "VirtualLocation"]
    assert hybrid["location"][1]["url"] == "https://meet.example/reading"
    (online,) = jsonld(site / "meetings" / "2027-03-01-committee.html")
    assert online["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert online["location"] == {"@type": "VirtualLocation", "url": "https://zoom.example/j/123?pwd=a&b=c"}


def test_programme_text_cannot_close_the_script_block(site: Path):
    page = site / "meetings" / "2027-03-31-discussion.html"
    raw = page.read_text(encoding="utf-8")
    assert raw.count("</script>") == 1  # only the JSON-LD block's own end
    assert "<script>alert" not in raw and "<b>bold" not in raw and "<!--" not in raw
    (event,) = jsonld(page)
    assert event["name"] == "</script><script>alert(1)</script> & <b>bold</b>"
    assert event["description"].startswith("Ends a comment? --> <!-- and a quote \"")
    assert event["eventStatus"] == "https://schema.org/EventCancelled"


def test_h_event_microformats(site: Path):
    import extruct

    page = site / "meetings" / "2027-02-04-reading.html"
    data = extruct.extract(page.read_text(encoding="utf-8"), base_url="https://riverside.example/events/",
                           syntaxes=["microformat"], uniform=False)["microformat"]  # fmt: skip
    (event,) = [item for item in data if "h-event" in item["type"]]
    assert event["properties"]["name"] == ["Reading group"]
    assert datetime.fromisoformat(event["properties"]["start"][0]) == datetime.fromisoformat("2027-02-04T18:30:00-05:00")
    assert event["properties"]["location"][0]["properties"]["street-address"] == ["12 Water St, Springfield, MA 01103"]


# --------------------------------------------------------------------------- a meeting's page


def test_meeting_page_has_what_the_flyer_says_and_ways_to_add_it(site: Path):
    from urllib.parse import parse_qs, urlsplit

    from lxml import html

    doc = html.fromstring((site / "meetings" / "2027-03-14-annual-general-meeting.html").read_bytes())
    text = doc.text_content()
    for words in ("Annual general meeting", "Sunday 14 March 2027", "2pm to 4pm", "12 Water St",
                  "Step-free entrance on Water St.", "Treasurer's report", "Newcomers welcome."):  # fmt: skip
        assert words in text
    links = {a.text_content(): a.get("href") for a in doc.cssselect("a")}
    assert links["Calendar file (.ics)"] == "2027-03-14-annual-general-meeting.ics"
    osm = urlsplit(links["Map (OpenStreetMap)"])
    assert osm.netloc == "www.openstreetmap.org" and parse_qs(osm.query)["query"] == ["12 Water St, Springfield, MA 01103"]
    google = parse_qs(urlsplit(links["Google Calendar"]).query)
    assert google["text"] == ["Annual general meeting"]
    assert google["dates"] == ["20270314T180000Z/20270314T200000Z"]  # 2pm EDT is 18:00 UTC
    ics = (site / "meetings" / "2027-03-14-annual-general-meeting.ics").read_text()
    assert "DTSTART;TZID=America/New_York:20270314T140000" in ics and ics.count("BEGIN:VEVENT") == 1


def test_the_meetings_own_ics_is_read_by_an_independent_reader(site: Path):
    import recurring_ical_events
    from icalendar import Calendar

    cal = Calendar.from_ical((site / "meetings" / "2027-03-19-reading.ics").read_bytes())
    (event,) = recurring_ical_events.of(cal).between(date(2027, 3, 1), date(2027, 4, 1))
    assert event.decoded("dtstart").isoformat() == "2027-03-19T18:30:00-04:00"


def test_past_meeting_shows_its_report_safely(cli, programme: Path):
    reports = programme.parent / "reports"
    reports.mkdir()
    (reports / "2027-01-27-is-the-working-class-movement-dead.md").write_text(
        "# Report back\n\nTwelve came. <script>alert('x')</script> **Good** talk.\n\n"
        "- [notes](https://example.org/notes)\n- [bad](javascript:alert(1))\n- ![pixel](https://tracker.example/p.gif)\n",
        encoding="utf-8",
    )
    assert cli("site", "-f", programme, "--today", TODAY, "--flyers", "0").exit_code == 0
    from lxml import html

    doc = html.fromstring((programme.parent / "site" / "meetings" / "2027-01-27-discussion.html").read_bytes())
    (report,) = doc.cssselect("section.report")
    assert report.cssselect("h3")[0].text_content() == "Report back"  # under the page's own h2
    assert "<script>alert('x')</script>" in report.text_content() and not report.cssselect("script")
    assert [a.get("href") for a in report.cssselect("a")] == ["https://example.org/notes", "https://tracker.example/p.gif"]
    assert not doc.cssselect("img")
    index = html.fromstring((programme.parent / "site" / "index.html").read_bytes())
    assert [a.get("href") for a in index.cssselect(".report-link a")] == ["meetings/2027-01-27-discussion.html#report"]


# --------------------------------------------------------------------------- the feed


def test_feed_has_announcements_and_changes_with_stable_ids(cli, programme: Path, site: Path, tmp_path: Path):
    import feedparser

    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    titles = [e.title for e in feed.entries]
    assert any(t.startswith("Cancelled: </script><script>alert(1)</script> & <b>bold</b>") for t in titles)
    moved = [e for e in feed.entries if e.title.startswith("Moved: Moved to Friday")]
    assert len(moved) == 1 and "Thursday 18 March 2027" in moved[0].summary
    assert moved[0].link == "https://riverside.example/events/meetings/2027-03-19-reading.html"
    # Dates come from the programme and --today, not from the clock: when the meeting came within
    # the feed's six months (183 days), and never after today (a feed validator's "implausible date").
    agm = next(e for e in feed.entries if e.title.startswith("Annual general meeting"))
    came_within = datetime(2027, 3, 14, 18, 0) - timedelta(days=183)
    assert agm.updated == f"{came_within:%Y-%m-%dT%H:%M:%SZ}"
    assert all(e.updated <= f"{TODAY}T00:00:00Z" for e in feed.entries)
    assert feed.feed.updated <= f"{TODAY}T00:00:00Z"
    # Another "today" a week later: the same meetings keep the same entry ids.
    later = tmp_path / "later"
    assert cli("site", "-f", programme, "--today", "2027-02-17", "--flyers", "0", "-o", later).exit_code == 0
    ids = {e.title: e.id for e in feedparser.parse((later / "feed.xml").read_bytes()).entries}
    assert all(ids[e.title] == e.id for e in feed.entries if e.title in ids)
    assert len(set(ids.values())) == len(ids)


# --------------------------------------------------------------------------- flyers and QR codes


def decode_qr(pdf: Path, tmp_path: Path) -> list[str]:
    assert shutil.which("pdftoppm") and shutil.which("zbarimg"), "needs Debian's poppler-utils and zbar-tools"
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "qr")], check=True)
    (png,) = tmp_path.glob("qr*.png")
    found = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
    return found.stdout.split()


def test_site_flyer_carries_a_qr_code_of_its_page(site: Path, tmp_path: Path):
    # The next meeting to come on TODAY: the reading group, every other Thursday from 7 January.
    day = date(2027, 1, 7)
    while day < date.fromisoformat(TODAY):
        day += timedelta(weeks=2)
    assert day < last_wednesday(2027, 2)  # before the discussion that month
    (pdf,) = (site / "flyers").glob("*.pdf")
    assert pdf.name == f"{day}-reading.pdf"
    assert decode_qr(pdf, tmp_path) == [f"https://riverside.example/events/meetings/{day}-reading.html"]
    page = (site / "meetings" / f"{day}-reading.html").read_text(encoding="utf-8")
    assert f'href="../flyers/{day}-reading.pdf"' in page


def test_flyer_command_qr_code_follows_base_url(cli, programme: Path, tmp_path: Path):
    out = tmp_path / "flyer.pdf"
    result = cli("flyer", "-f", programme, "2027-03-14", "--base-url", "https://branch.example/site", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert decode_qr(out, tmp_path) == ["https://branch.example/site/meetings/2027-03-14-annual-general-meeting.html"]


def test_no_qr_code_without_an_address(cli, write_programme):
    path = write_programme(PROGRAMME.replace('website = "https://riverside.example/events"\n', ""))
    result = cli("flyer", "-f", path, "2027-03-14", "--format", "html")
    assert result.exit_code == 0 and "data:image/svg+xml" not in result.stdout and 'class="qr"' not in result.stdout
    with_url = cli("flyer", "-f", path, "2027-03-14", "--format", "html", "--base-url", "https://b.example/")
    assert 'class="qr"' in with_url.stdout


# --------------------------------------------------------------------------- the folder as a whole


def test_refuses_a_folder_it_did_not_make(cli, programme: Path):
    mine = programme.parent / "site"
    mine.mkdir()
    (mine / "precious.html").write_text("mine")
    result = cli("site", "-f", programme, "--today", TODAY, "--flyers", "0")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{mine}: error: exists and was not made by meetctl; not replaced (use --force to replace it)"]
    assert sorted(p.name for p in mine.iterdir()) == ["precious.html"]
    assert cli("site", "-f", programme, "--today", TODAY, "--flyers", "0", "--force").exit_code == 0
    assert not (mine / "precious.html").exists() and (mine / "index.html").is_file()


def test_replaces_its_own_site_whole_and_leaves_nothing_behind(cli, programme: Path, site: Path):
    (site / "meetings" / "stale.html").write_text("from an older run")
    assert cli("site", "-f", programme, "--today", TODAY, "--flyers", "0").exit_code == 0
    assert not (site / "meetings" / "stale.html").exists() and not (site / "flyers").exists()
    assert sorted(p.name for p in programme.parent.iterdir()) == ["programme.toml", "site"]


def test_a_failed_build_leaves_the_old_site_untouched(cli, programme: Path, site: Path):
    before = files_of(site)
    broken = programme.parent / "templates" / "site"
    broken.mkdir(parents=True)
    (broken / "meeting.html.j2").write_text("{{ meeting.no_such_thing }}\n")
    result = cli("site", "-f", programme, "--today", TODAY, "--flyers", "0")
    assert result.exit_code == 2
    assert "meeting.html.j2:1" in result.stderr and "Traceback" not in result.stderr
    assert files_of(site) == before
    assert sorted(p.name for p in programme.parent.iterdir()) == ["programme.toml", "site", "templates"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base-url", "ftp://example.org/"], "--base-url: 'ftp://example.org/' is not an http(s) address"),
        (["--base-url", "javascript:alert(1)"], "--base-url: 'javascript:alert(1)' is not an http(s) address"),
        (["-o", "{tmp}/no/such/folder/site"], "{tmp}/no/such/folder/site: error: folder {tmp}/no/such/folder does not exist"),
        (["-o", "{tmp}/programme.toml"], "{tmp}/programme.toml: error: exists and is not a folder; not replaced"),
        (["--series", "nope"], "--series"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(cli, programme: Path, args: list[str], message: str):
    tmp = str(programme.parent)
    result = cli("site", "-f", programme, "--today", TODAY, *[a.format(tmp=tmp) for a in args])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message.format(tmp=tmp) in lines[0]
    assert programme.read_text(encoding="utf-8") == PROGRAMME


def test_a_symlinked_site_folder_is_written_where_it_points(cli, programme: Path, tmp_path: Path):
    real = tmp_path / "www"
    real.mkdir()
    (programme.parent / "site").symlink_to(real)
    assert cli("site", "-f", programme, "--today", TODAY, "--flyers", "0").exit_code == 0
    assert (programme.parent / "site").is_symlink() and (real / "index.html").is_file()


# --------------------------------------------------------------------------- streams, groups, languages


def test_series_option_gives_a_site_of_that_stream(cli, programme: Path, tmp_path: Path):
    out = tmp_path / "reading-site"
    assert cli("site", "-f", programme, "--today", TODAY, "--flyers", "0", "--series", "reading", "-o", out).exit_code == 0
    assert {p.name.split("-", 3)[3] for p in (out / "meetings").glob("*.html")} == {"reading.html"}
    assert (out / "calendar.ics").read_bytes() == cli("ical", "-f", programme, "--series", "reading").stdout_bytes


def test_several_programmes_make_one_site_with_a_page_per_group(cli, programme: Path, tmp_path: Path):
    network = tmp_path / "network"
    network.mkdir()
    shutil.copy(programme, network / "riverside.toml")
    (network / "lyon.toml").write_text(
        '[group]\nname = "Groupe de Lyon"\ntimezone = "Europe/Paris"\nlocale = "fr_FR"\n\n'
        '[[series]]\nid = "discussion"\ntitle = "Discussion"\nrule = "last Wednesday of the month"\n'
        'start = "19:00"\nfrom = 2027-01-01\nuntil = 2027-06-30\n',
        encoding="utf-8",
    )
    out = tmp_path / "network-site"
    assert cli("site", "-f", network, "--today", TODAY, "--flyers", "0", "-o", out).exit_code == 0
    assert (out / "group-riverside-readers-friends.html").is_file() and (out / "group-groupe-de-lyon.html").is_file()
    assert (out / "calendar.ics").read_bytes() == cli("ical", "-f", network).stdout_bytes
    day = last_wednesday(2027, 3)
    assert (out / "meetings" / f"groupe-de-lyon-{day}-discussion.html").is_file()
    assert (out / "meetings" / f"riverside-readers-friends-{day}-discussion.html").is_file()
    (paris,) = jsonld(out / "meetings" / f"groupe-de-lyon-{day}-discussion.html")
    assert paris["startDate"] == f"{day}T19:00:00+02:00"  # Paris is on summer time by 31 March


def test_pages_speak_the_groups_language(cli, programme: Path):
    programme.write_text(PROGRAMME.replace('timezone = "America/New_York"', 'timezone = "America/New_York"\nlocale = "fr_FR"'))
    assert cli("site", "-f", programme, "--today", TODAY, "--flyers", "0").exit_code == 0
    from lxml import html

    doc = html.fromstring((programme.parent / "site" / "index.html").read_bytes())
    assert doc.get("lang") == "fr-FR"
    assert doc.cssselect("#to-come")[0].text_content() == "Prochaines réunions"
    assert "mars 2027" in [h.text_content() for h in doc.cssselect("h3")]


# --------------------------------------------------------------------------- the preview server


def test_serve_shows_the_site_and_ctrl_c_exits_130_quietly(programme: Path):
    env = {**os.environ, "MEETCTL_TODAY": TODAY, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "meetctl", "site", "-f", str(programme), "--flyers", "0", "--serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # the summary line
        line = proc.stdout.readline()
        assert line.startswith("Serving ") and "http://127.0.0.1:" in line
        url = line.split(" at ", 1)[1].split()[0]
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"Riverside Readers &amp; Friends" in response.read()
        with urllib.request.urlopen(url + "calendar.ics", timeout=10) as response:
            assert response.read().startswith(b"BEGIN:VCALENDAR")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 130
        assert proc.stderr is not None and proc.stderr.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()


def test_quiet_for_cron_and_a_summary_otherwise(cli, programme: Path):
    loud = cli("site", "-f", programme, "--today", TODAY, "--flyers", "0")
    folder = programme.parent / "site"
    pages = len(list(folder.rglob("*.html")))
    files = len([p for p in folder.rglob("*") if p.is_file() and p.name != ".meetctl-site"])
    assert loud.stdout == f"{folder}: {pages} pages, 0 flyers, {files} files\n"
    quiet = cli("site", "-f", programme, "--today", TODAY, "--flyers", "0", "-q")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_a_programme_that_has_ended_or_is_empty_still_makes_a_site(cli, write_programme, tmp_path: Path):
    from lxml import html

    ended = write_programme(PROGRAMME, name="ended.toml")
    out = tmp_path / "ended-site"
    assert cli("site", "-f", ended, "--today", "2030-01-01", "--flyers", "3", "-o", out).exit_code == 0
    doc = html.fromstring((out / "index.html").read_bytes())
    assert "No meetings are planned yet." in doc.text_content()
    assert (out / "past-2027.html").is_file() and not (out / "flyers").exists()
    empty = write_programme('[group]\nname = "New group"\ntimezone = "Europe/London"\n', name="empty.toml")
    out = tmp_path / "empty-site"
    assert cli("site", "-f", empty, "--today", "2030-01-01", "-o", out).exit_code == 0
    assert "No meetings are planned yet." in html.fromstring((out / "index.html").read_bytes()).text_content()


def test_index_holds_a_year_each_way_and_other_years_have_their_pages(cli, write_programme, tmp_path: Path):
    from lxml import html

    long = write_programme(PROGRAMME.replace("until = 2027-06-30", "until = 2030-12-31"), name="long.toml")
    out = tmp_path / "long-site"
    assert cli("site", "-f", long, "--today", "2028-07-01", "--flyers", "0", "-o", out).exit_code == 0
    index = html.fromstring((out / "index.html").read_bytes())
    dates = [date.fromisoformat(t.get("datetime")[:10]) for t in index.cssselect("time.dt-start")]
    assert min(dates) >= date(2027, 7, 2) and max(dates) <= date(2029, 6, 30)
    assert [a.get("href") for a in index.cssselect("ul.archive a")] == [
        "later-2029.html", "later-2030.html", "past-2027.html",
    ]
    later = html.fromstring((out / "later-2030.html").read_bytes())
    days = {t.get("datetime")[:10] for t in later.cssselect("time.dt-start")}
    assert days == {f"2030-{m:02d}-{last_wednesday(2030, m).day:02d}" for m in range(1, 13)}
    # Every meeting has its page, whichever listing it is on.
    assert (out / "meetings" / f"{last_wednesday(2030, 12)}-discussion.html").is_file()


def test_never_replaces_the_folder_that_holds_the_programme_even_with_force(cli, tmp_path: Path):
    programme = tmp_path / "branch" / "programme.toml"
    programme.parent.mkdir()
    programme.write_text(PROGRAMME, encoding="utf-8")
    for target in (programme.parent, tmp_path):
        result = cli("site", "-f", programme, "--today", TODAY, "--flyers", "0", "-o", target, "--force")
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [
            f"{target}: error: holds the programme file {programme}; give the site a folder of its own"
        ]
        assert programme.read_text(encoding="utf-8") == PROGRAMME
