"""Networks, timetables and holiday moves in `meetctl ical`, read back by parsers other than ours."""

from __future__ import annotations

import json

import vobject

from tests.test_ical_js import expand, from_ical_js, from_list_json, ical_js  # noqa: F401  (fixture)
from tests.test_network import CONFERENCE, NETWORK, WEDNESDAYS


def test_a_conference_exports_its_sessions_linked_to_the_meeting(cli, tmp_path):
    ics = tmp_path / "conference.ics"
    assert cli("ical", "-f", CONFERENCE, "-o", ics).exit_code == 0
    calendar = vobject.readOne(ics.read_text(encoding="utf-8"))
    events = calendar.contents["vevent"]
    (meeting,) = [e for e in events if "related-to" not in e.contents]
    sessions = [e for e in events if "related-to" in e.contents]
    assert len(sessions) == 8
    assert {s.contents["related-to"][0].value for s in sessions} == {meeting.uid.value}
    assert len({s.uid.value for s in sessions}) == 8
    rally = next(s for s in sessions if s.summary.value == "Saturday evening rally")
    assert rally.dtstart.value.isoformat() == "2017-11-11T18:30:00+00:00"
    assert rally.dtend.value.isoformat() == "2017-11-11T20:30:00+00:00"
    assert rally.location.value.startswith("Main Hall, Conway Hall")
    assert "Chair: Sam Jones" in rally.description.value


def test_thunderbird_sees_the_conference_and_its_timetable(cli, tmp_path, ical_js):  # noqa: F811
    ics = tmp_path / "conference.ics"
    assert cli("ical", "-f", CONFERENCE, "-o", ics).exit_code == 0
    got = expand(ical_js, ics, "2017-11-01", "2017-11-30")
    summaries = sorted(i["summary"] for i in got)
    assert "Closing rally" in summaries and "Another world is possible: weekend conference" in summaries
    closing = next(i for i in got if i["summary"] == "Closing rally")
    assert (closing["local"], closing["zone"]) == ("2017-11-12T14:30:00", "Europe/London")


def test_a_conference_round_trips_through_import(cli, tmp_path):
    ics, back = tmp_path / "conference.ics", tmp_path / "back.toml"
    assert cli("ical", "-f", CONFERENCE, "-o", ics).exit_code == 0
    assert cli("import", ics, "-o", back).exit_code == 0
    window = ("--from", "2017-01-01", "--to", "2017-12-31", "--json")
    original = json.loads(cli("list", "-f", CONFERENCE, *window).stdout)
    imported = json.loads(cli("list", "-f", back, *window).stdout)
    assert imported == original  # sessions included


def test_a_holiday_move_keeps_its_uid_in_every_reader(cli, write_programme, tmp_path, ical_js):  # noqa: F811
    path = write_programme(WEDNESDAYS + 'on_holiday = "after"\n')
    ics = tmp_path / "weds.ics"
    assert cli("ical", "-f", path, "-o", ics).exit_code == 0
    listed = json.loads(cli("list", "-f", path, "--from", "2019-12-01", "--to", "2020-01-31", "--json").stdout)
    assert from_ical_js(expand(ical_js, ics, "2019-12-01", "2020-01-31")) == from_list_json(listed)
    text = ics.read_text()
    # One series, one UID; Christmas Day's meeting is an override of the 25th, on the 27th.
    assert text.count("RRULE:FREQ=WEEKLY") == 1
    assert "RECURRENCE-ID;TZID=Europe/London:20191225T190000" in text
    assert "DTSTART;TZID=Europe/London:20191227T190000" in text


def test_a_skipped_holiday_is_an_exdate(cli, write_programme, tmp_path):
    path = write_programme(WEDNESDAYS + 'on_holiday = "skip"\n')
    ics = cli("ical", "-f", path).stdout
    assert "EXDATE;TZID=Europe/London:20191225T190000" in ics
    assert "EXDATE;TZID=Europe/London:20200101T190000" in ics


def test_a_network_in_one_calendar_with_distinct_uids_and_zones(cli, tmp_path, ical_js):  # noqa: F811
    ics = tmp_path / "network.ics"
    assert cli("ical", "-f", NETWORK, "-o", ics).exit_code == 0
    text = ics.read_text()
    assert "TZID:Europe/Madrid" in text and "TZID:Europe/London" in text
    listed = json.loads(cli("list", "-f", NETWORK, "--from", "2017-01-01", "--to", "2017-12-31", "--json").stdout)
    got = expand(ical_js, ics, "2017-01-01", "2017-12-31")
    assert from_ical_js(got) == from_list_json(listed)
    # The branches' three series (two with the same id) and Nottingham's one-off; the network's
    # series and one-off; Leicester's copy of the network's June assembly is not another meeting.
    assert len({i["uid"] for i in listed}) == 3 + 1 + 1 + 1
