"""Several groups at once, conferences with timetables, and public holidays."""

from __future__ import annotations

import json
from datetime import date

import pytest

from meetctl.model.errors import MeetctlError
from meetctl.model.loading import load_programmes, parse_programme
from meetctl.model.schedule import occurrences, sessions_of
from tests.conftest import HEADER, ROOT

NETWORK = ROOT / "examples" / "network"
CONFERENCE = ROOT / "examples" / "conference.toml"


def test_a_folder_merges_three_branches_in_time_order(cli):
    result = cli("list", "-f", NETWORK, "--from", "2017-03-01", "--to", "2017-03-31", "--json")
    items = json.loads(result.stdout)
    starts = [i["start"] for i in items]
    # Ordered by absolute time, whatever each group's zone.
    from datetime import datetime

    assert [datetime.fromisoformat(s) for s in starts] == sorted(datetime.fromisoformat(s) for s in starts)
    # The network's own March assembly comes under the network's name (network.toml).
    assert {i["group"] for i in items} == {"Barcelona branch", "Leicester branch", "Nottingham branch", "Solidarity Network"}
    barcelona = next(i for i in items if i["group"] == "Barcelona branch")
    assert barcelona["start"] == "2017-03-02T20:00:00+01:00"  # first Thursday of March 2017, CET


def test_uids_are_distinct_between_groups_with_the_same_series_id():
    leicester, nottingham = load_programmes([NETWORK / "leicester.toml", NETWORK / "nottingham.toml"])
    assert leicester.series[0].id == nottingham.series[0].id == "discussion"
    uids = {o.group.name: o.uid for o in occurrences([leicester, nottingham], date(2017, 1, 1), date(2017, 1, 31))}
    assert uids["Leicester branch"] != uids["Nottingham branch"]


def test_repeated_files_and_a_folder_give_the_same_list(cli):
    by_folder = cli("list", "-f", NETWORK, "--from", "2017-01-01", "--to", "2017-12-31", "--json").stdout
    by_files = cli(
        "list", *[a for name in ("barcelona", "leicester", "network", "nottingham")
                  for a in ("-f", NETWORK / f"{name}.toml")],
        "--from", "2017-01-01", "--to", "2017-12-31", "--json",
    ).stdout  # fmt: skip
    assert by_folder == by_files


def test_check_warns_of_a_clash_between_groups(cli):
    result = cli("check", "-f", NETWORK, "--today", "2017-01-01", "--strict")
    assert result.exit_code == 1
    assert (
        f"{NETWORK / 'nottingham.toml'}:23:1: warning: 2017-03-29 19:30-21:30 "
        "'Joint meeting with Leicester: the Russian revolution' overlaps 'Discussion meeting' of Leicester branch"
    ) in result.stderr
    assert len(result.stdout.splitlines()) == 4  # one summary per programme, the network's first
    assert result.stdout.startswith(f"{NETWORK / 'network.toml'}: ok: Solidarity Network: ")


def test_plain_listing_of_groups_in_several_zones_names_the_zone(cli):
    result = cli("list", "-f", NETWORK, "--from", "2017-03-01", "--to", "2017-03-15")
    first, second = result.stdout.splitlines()
    assert first.split() == "Thu 2 Mar 2017 20:00-22:00 CET Assemblea oberta Ateneu Popular Barcelona branch".split()
    assert second.split()[5] == "GMT"


# --- conferences and day schools ------------------------------------------------


def test_the_conference_timetable_is_listed_in_order(cli):
    result = cli("list", "-f", CONFERENCE, "--from", "2017-11-01", "--to", "2017-11-30", "--sessions")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Sat 11 Nov 2017  10:00-17:00 (to Sun 12 Nov)  Another world is possible")
    assert "Sat 11 Nov 18:30-20:30  Saturday evening rally  [Main Hall]  chair: Sam Jones" in lines[5]
    assert lines[-1].strip().startswith("Sun 12 Nov 14:30-16:00  Closing rally")
    (item,) = json.loads(cli("list", "-f", CONFERENCE, "--from", "2017-11-01", "--json").stdout)
    assert len(item["sessions"]) == 8
    rally = next(s for s in item["sessions"] if s["title"] == "Saturday evening rally")
    assert rally["start"] == "2017-11-11T18:30:00+00:00" and rally["speakers"][0] == "A striking bus driver"


def test_sessions_in_one_room_may_not_overlap():
    text = HEADER + """
[[meetings]]
date = 2017-11-11
title = "Day school"
start = "10:00"

[[meetings.sessions]]
title = "Morning"
start = "10:00"
end = "12:00"
room = "Library"

[[meetings.sessions]]
title = "Late morning"
start = "11:30"
end = "12:30"
room = "Library"
"""
    with pytest.raises(MeetctlError) as exc:
        parse_programme(text, "p.toml")
    assert str(exc.value) == (
        "p.toml:22:1: error: meetings[1].sessions[2]: 'Late morning' overlaps 'Morning' (meetings[1].sessions[1]) in room 'Library'"
    )
    # In different rooms they may.
    assert parse_programme(text.replace('room = "Library"\n"""', 'room = "Hall"\n"""').replace(
        'end = "12:30"\nroom = "Library"', 'end = "12:30"\nroom = "Hall"'), "p.toml")


def test_sessions_must_fall_inside_the_meeting():
    text = HEADER + '\n[[meetings]]\ndate = 2019-01-02\nend_date = 2019-01-06\ntitle = "School"\nstart = "10:00"\n' + (
        '\n[[meetings.sessions]]\ntitle = "Too late"\ndate = 2019-01-07\nstart = "10:00"\nend = "11:00"\n'
    )
    with pytest.raises(MeetctlError, match="2019-01-07 is outside the meeting's dates"):
        parse_programme(text)


def test_a_five_day_school_from_wednesday_to_sunday():
    text = HEADER + """
[[meetings]]
date = 2019-01-02
end_date = 2019-01-06
title = "Winter school"
start = "09:30"
duration = "8h"

[[meetings.sessions]]
title = "Sunday closing plenary"
date = 2019-01-06
start = "14:00"
end = "16:00"
"""
    (o,) = occurrences(parse_programme(text), date(2019, 1, 1), date(2019, 1, 31))
    assert (o.date.weekday(), o.end_date.weekday()) == (2, 6)  # Wednesday to Sunday
    (t,) = sessions_of(o)
    assert t.start.isoformat() == "2019-01-06T14:00:00+00:00"


# --- public holidays ---------------------------------------------------------------

WEDNESDAYS = """
[group]
name = "Holiday Group"
timezone = "Europe/London"
country = "GB-ENG"

[[series]]
id = "weds"
title = "Wednesday meeting"
rule = "every Wednesday"
start = "19:00"
from = 2019-12-01
until = 2020-01-31
"""


@pytest.mark.parametrize(
    ("policy", "christmas", "new_year"),
    [
        # Christmas Day 2019 was a Wednesday, Boxing Day the Thursday; New Year's Day 2020 a Wednesday.
        ("after", date(2019, 12, 27), date(2020, 1, 2)),
        ("before", date(2019, 12, 24), date(2019, 12, 31)),
        ("skip", None, None),
    ],
)
def test_christmas_day_on_a_wednesday(policy, christmas, new_year):
    p = parse_programme(WEDNESDAYS + f'on_holiday = "{policy}"\n')
    found = occurrences(p, date(2019, 12, 15), date(2020, 1, 10))
    dates = [o.date for o in found]
    assert date(2019, 12, 25) not in dates and date(2020, 1, 1) not in dates
    assert date(2019, 12, 18) in dates and date(2020, 1, 8) in dates
    if christmas:
        moved = next(o for o in found if o.date == christmas)
        assert moved.holiday == "Christmas Day"
        assert moved.recurrence_id.date() == date(2019, 12, 25)  # the same event, moved: same UID
        assert moved.uid == found[0].uid
        assert new_year in dates
    if policy == "skip":
        assert dates == [date(2019, 12, 18), date(2020, 1, 8)]


def test_check_warns_of_a_meeting_on_a_public_holiday(write_programme, cli):
    path = write_programme(WEDNESDAYS)
    result = cli("check", "-f", path, "--today", "2019-12-01", "--strict")
    assert result.exit_code == 1
    assert "warning: 2019-12-25 'Wednesday meeting' falls on a public holiday: Christmas Day" in result.stderr
    assert "warning: 2020-01-01 'Wednesday meeting' falls on a public holiday: New Year's Day" in result.stderr


def test_moves_are_visible_in_listings(write_programme, cli):
    path = write_programme(WEDNESDAYS + 'on_holiday = "after"\n')
    result = cli("list", "-f", path, "--from", "2019-12-26", "--to", "2019-12-31")
    assert "Fri 27 Dec 2019  19:00-21:00  Wednesday meeting (moved from Wed 25 Dec: Christmas Day)" in result.stdout
    (item,) = json.loads(cli("list", "-f", path, "--from", "2019-12-26", "--to", "2019-12-31", "--json").stdout)
    assert (item["moved_from"], item["holiday"]) == ("2019-12-25", "Christmas Day")
    assert item["recurrence_id"] == "2019-12-25T19:00:00+00:00"


def test_regions_have_their_own_holidays():
    # Sant Esteve (26 December) is a holiday in Catalonia but not in Madrid.
    text = WEDNESDAYS.replace("Europe/London", "Europe/Madrid").replace('"every Wednesday"', '"every Thursday"')
    catalonia = parse_programme(text.replace("GB-ENG", "ES-CT") + 'on_holiday = "skip"\n')
    madrid = parse_programme(text.replace("GB-ENG", "ES-MD") + 'on_holiday = "skip"\n')
    day = date(2019, 12, 26)
    assert day not in [o.date for o in occurrences(catalonia, day, day)]
    assert day in [o.date for o in occurrences(madrid, day, day)]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (('country = "GB-ENG"', 'country = "England"'), "is not a country code like 'GB'"),
        (('country = "GB-ENG"\n', ""), "on_holiday needs group.country"),
        (('on_holiday = "after"', 'on_holiday = "later"'), "on_holiday must be one of skip, before, after"),
    ],
)
def test_holiday_settings_are_checked(write_programme, cli, change, words):
    path = write_programme((WEDNESDAYS + 'on_holiday = "after"\n').replace(*change))
    result = cli("list", "-f", path, "--from", "2019-12-01")
    assert result.exit_code == 2 and words in result.stderr


def test_an_unknown_country_is_a_located_error(write_programme, cli):
    path = write_programme(WEDNESDAYS.replace("GB-ENG", "XX") + 'on_holiday = "after"\n')
    result = cli("list", "-f", path, "--from", "2019-12-01")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:5:1: error: group.country: Country XX not available")


# --- local languages ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "day", "clock"),
    [
        (None, "Wednesday 25 January 2017", "7pm"),
        ("en_GB", "Wednesday 25 January 2017", "7pm"),
        ("fr_FR", "mercredi 25 janvier 2017", "19:00"),
        ("ca_ES", "dimecres, 25 de gener del 2017", "19:00"),
        ("cy_GB", "Dydd Mercher, 25 Ionawr 2017", "19:00"),
    ],
)
def test_dates_and_times_in_the_groups_language(locale, day, clock):
    from datetime import time

    from meetctl.model.wording import format_date, format_time

    assert format_date(date(2017, 1, 25), locale=locale) == day
    assert format_time(time(19), locale) == clock


def test_an_unknown_locale_is_refused():
    from meetctl.model.wording import check_locale

    with pytest.raises(ValueError, match="unknown locale 'xx_YY'"):
        check_locale("xx_YY")


def test_the_conference_timetable_is_in_every_announcement_format(cli):
    args = ("announce", "-f", CONFERENCE, "--from", "2017-11-01", "--to", "2017-11-30")
    text = cli(*args).stdout
    assert "  Saturday 11 November\n    9:30am–5:30pm  Crèche (all day Saturday) (Brockway Room)\n" in text
    assert "    2:30pm–4pm  Closing rally (Main Hall; chair: Priya Shah; with Ana\n      García)\n" in text
    markdown = cli(*args, "--format", "markdown").stdout
    assert "- **6:30pm–8:30pm** Saturday evening rally _(Main Hall; chair: Sam Jones;" in markdown
    import lxml.html

    page = lxml.html.fromstring(cli(*args, "--format", "html").stdout)
    items = [" ".join(li.text_content().split()) for li in page.cssselect("ul.sessions li")]
    assert items[0] == "Saturday 11 November" and items[6] == "Sunday 12 November"
    assert "6:30pm–8:30pm Saturday evening rally (Main Hall; chair: Sam Jones;" in items[5]
    assert len(items) == 10  # eight sessions under two day headings
