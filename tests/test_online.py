"""Hybrid and online meetings: the join link in every output, read back by independent readers."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.document_helpers import parse_html

# Weekly reading group online only (Berlin time); a monthly hybrid meeting whose May link is its own.
HYBRID = """\
[group]
name = "Kreuzberg Readers"
timezone = "Europe/Berlin"
email = "sec@readers.example.org"
mailing_list = "all@readers.example.org"

[venues.hall]
name = "Nachbarschaftshaus"
address = "Urbanstraße 21, 10961 Berlin"
accessibility = "Lift to the first floor; quiet room."

[venues.jitsi]
name = "Online"
online = "https://meet.example.org/readers?room=a_b&x=1"

[[series]]
id = "reading"
title = "Reading group"
rule = "every Tuesday"
start = "20:00"
duration = "90m"
venue = "jitsi"
from = 2024-03-01
until = 2024-04-30

[[series]]
id = "branch"
title = "Branch meeting"
rule = "last Thursday of the month"
start = "19:00"
venue = "hall"
online = "https://meet.example.org/branch"
from = 2024-03-01
until = 2024-05-31

[[meetings]]
series = "branch"
date = 2024-05-30
title = "Hybrid, with its own link"
online = "https://video.example.net/may"
"""
# Last Thursdays and Tuesdays, worked out by hand (the clocks change on 31 March 2024).
BRANCH_DATES = [date(2024, 3, 28), date(2024, 4, 25), date(2024, 5, 30)]


@pytest.fixture
def hybrid(write_programme):
    return write_programme(HYBRID)


def test_list_json_carries_the_link_and_accessibility(cli, hybrid):
    result = cli("list", "-f", hybrid, "--from", "2024-03-01", "--to", "2024-05-31", "--json")
    records = json.loads(result.stdout)
    branch = [r for r in records if r["series"] == "branch"]
    assert [r["date"] for r in branch] == [d.isoformat() for d in BRANCH_DATES]
    assert [r["online"] for r in branch] == ["https://meet.example.org/branch"] * 2 + ["https://video.example.net/may"]
    assert {r["accessibility"] for r in branch} == {"Lift to the first floor; quiet room."}
    reading = [r for r in records if r["series"] == "reading"]
    assert {r["online"] for r in reading} == {"https://meet.example.org/readers?room=a_b&x=1"}
    assert {r["address"] for r in reading} == {None}  # online only


def test_ical_through_independent_parsers(cli, hybrid):
    import icalendar
    import vobject

    data = cli("ical", "-f", hybrid).stdout_bytes
    calendar = icalendar.Calendar.from_ical(data)
    events = {(str(e["UID"]), e.get("RECURRENCE-ID").dt.date() if e.get("RECURRENCE-ID") else None): e
              for e in calendar.walk("VEVENT")}  # fmt: skip
    branch_uid = next(uid for uid, _ in events if uid.startswith("branch-"))
    master = events[branch_uid, None]
    conference = master["CONFERENCE"]
    assert str(conference) == "https://meet.example.org/branch"
    assert conference.params["VALUE"] == "URI" and conference.params["FEATURE"] == "VIDEO"
    assert str(master["URL"]) == "https://meet.example.org/branch"
    assert "Join online: https://meet.example.org/branch" in str(master["DESCRIPTION"])
    assert "Lift to the first floor; quiet room." in str(master["DESCRIPTION"])
    may = events[branch_uid, BRANCH_DATES[2]]  # its own link: an override says so
    assert str(may["CONFERENCE"]) == str(may["URL"]) == "https://video.example.net/may"
    assert "Join online: https://video.example.net/may" in str(may["DESCRIPTION"])

    parsed = list(vobject.readComponents(data.decode("utf-8")))[0]
    reading = [e for e in parsed.vevent_list if e.uid.value.startswith("reading-")]
    assert reading[0].url.value == "https://meet.example.org/readers?room=a_b&x=1"
    assert reading[0].contents["conference"][0].value == "https://meet.example.org/readers?room=a_b&x=1"
    assert reading[0].contents["conference"][0].params == {"VALUE": ["URI"], "FEATURE": ["VIDEO"]}


def test_the_reminder_says_join_online(cli, hybrid):
    out = cli("remind", "-f", hybrid, "--today", "2024-05-23").stdout
    assert "Join online: https://video.example.net/may" in out
    assert "Access:      Lift to the first floor; quiet room." in out
    mail = cli("remind", "-f", hybrid, "--today", "2024-05-23", "--format", "email").stdout_bytes
    import email
    import email.policy

    message = email.message_from_bytes(mail, policy=email.policy.default)
    ics = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar").get_content()
    assert "CONFERENCE;FEATURE=VIDEO;VALUE=URI:https://video.example.net/may" in ics.replace("\r\n ", "")


def test_flyer_and_announcements_show_the_link(cli, hybrid):
    flyer = parse_html(cli("flyer", "-f", hybrid, "2024-05-30").stdout)
    assert [a.get("href") for a in flyer.cssselect(".online a")] == ["https://video.example.net/may"]
    assert flyer.cssselect(".accessibility")[0].text_content() == "Lift to the first floor; quiet room."

    args = ("announce", "-f", hybrid, "--from", "2024-04-20", "--to", "2024-05-31")
    text = cli(*args).stdout
    assert "Join online: https://meet.example.org/branch" in " ".join(text.split())  # the series' usual link
    assert "  Join online: https://video.example.net/may\n" in text  # May's own
    markdown = cli(*args, "--format", "markdown").stdout
    # A link with _ and & stays one link: an autolink, not escaped Markdown.
    assert "<https://meet.example.org/readers?room=a_b&x=1>" in markdown
    html = parse_html(cli(*args, "--format", "html").stdout)
    hrefs = [a.get("href") for a in html.cssselect("a")]
    assert "https://video.example.net/may" in hrefs and "https://meet.example.org/readers?room=a_b&x=1" in hrefs
    term = parse_html(cli("flyer", "-f", hybrid, "--from", "2024-05-01", "--to", "2024-05-31").stdout)
    assert "https://video.example.net/may" in [a.get("href") for a in term.cssselect(".online a")]


def test_the_agenda_of_an_online_only_meeting_has_no_address(cli, hybrid):
    out = cli("agenda", "-f", hybrid, "2024-04-02").stdout
    assert "Where:       Online\n" in out
    assert "Join online: https://meet.example.org/readers?room=a_b&x=1\n" in out


def test_links_and_accessibility_round_trip_through_import(cli, hybrid, tmp_path):
    ics, back = tmp_path / "h.ics", tmp_path / "back.toml"
    assert cli("ical", "-f", hybrid, "-o", ics).exit_code == 0
    assert cli("import", ics, "-o", back).exit_code == 0
    window = ("--from", "2024-03-01", "--to", "2024-05-31", "--json")
    original = json.loads(cli("list", "-f", hybrid, *window).stdout)
    imported = json.loads(cli("list", "-f", back, *window).stdout)
    keys = ("date", "start", "end", "title", "venue", "address", "online", "accessibility")
    assert [{k: r[k] for k in keys} for r in imported] == [{k: r[k] for k in keys} for r in original]


def test_another_calendars_conference_link_is_imported_only_if_it_is_http(cli, tmp_path):
    ics = tmp_path / "other.ics"
    event = (
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240110T180000Z\r\n"
        "DTEND:20240110T190000Z\r\nSUMMARY:{title}\r\nCONFERENCE;VALUE=URI;FEATURE=VIDEO:{link}\r\nEND:VEVENT\r\n"
    )
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        + event.format(uid="a@x", title="Good", link="https://meet.example.org/good")
        + event.format(uid="b@x", title="Bad", link="javascript:alert(1)")
        + "END:VCALENDAR\r\n"
    )
    result = cli("import", ics)
    assert result.exit_code == 0
    assert 'online = "https://meet.example.org/good"' in result.stdout
    assert "javascript" not in result.stdout
    assert "join link not imported: 'javascript:alert(1)' is not a link meetctl writes" in result.stderr


def test_venue_add_takes_a_join_link_and_refuses_anything_but_http(cli, write_programme):
    path = write_programme(HYBRID)
    added = cli("venue", "add", "zoom", "--name", "Zoom", "--online", "https://zoom.example.org/j/1", "-f", path)
    assert added.exit_code == 0, added.stderr
    assert '[venues.zoom]\nname = "Zoom"\nonline = "https://zoom.example.org/j/1"\n' in path.read_text()
    before = path.read_bytes()
    refused = cli("venue", "add", "bad", "--name", "Bad", "--online", "data:text/html,hi", "-f", path)
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"{path}: error: --online: 'data:text/html,hi' is not a link meetctl writes: it must start with http:// or "
        "https://\n"
    )
    assert path.read_bytes() == before


def test_the_markdown_reminder_gives_the_link_as_a_link(cli, hybrid):
    out = cli("remind", "-f", hybrid, "--today", "2024-04-16", "--format", "markdown").stdout
    assert "- **Join online:** <https://meet.example.org/readers?room=a_b&x=1>" in out


def test_next_says_access_and_the_link(cli, hybrid):
    out = cli("next", "-f", hybrid, "--today", "2024-05-29").stdout
    assert out == (
        "Thursday 30 May 2024, 7pm to 9pm (Europe/Berlin)\n"
        "Hybrid, with its own link\n"
        "Nachbarschaftshaus, Urbanstraße 21, 10961 Berlin\n"
        "Access: Lift to the first floor; quiet room.\n"
        "Join online: https://video.example.net/may\n"
    )


def test_a_join_link_is_not_imported_as_the_groups_website(cli, write_programme, tmp_path):
    path = write_programme(HYBRID.split("[[series]]")[0] + """
[[series]]
id = "reading"
title = "Reading group"
rule = "every Tuesday"
start = "20:00"
venue = "jitsi"
from = 2024-03-01
until = 2024-03-31
""")  # fmt: skip
    ics = tmp_path / "r.ics"
    assert cli("ical", "-f", path, "-o", ics).exit_code == 0
    imported = cli("import", ics)
    assert imported.exit_code == 0, imported.stderr
    assert "website" not in imported.stdout
    assert 'online = "https://meet.example.org/readers?room=a_b&x=1"' in imported.stdout
