"""A network of its own (network.toml): its name, zone and meetings, each shown once over the folder."""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from meetctl.model.errors import MeetctlError
from meetctl.model.loading import parse_programme
from meetctl.model.network import programmes_title

NETWORK = """\
[network]
name = "Renters' Network"
timezone = "Australia/Melbourne"
website = "https://renters.example.org/"
description = "Three renters' groups, meeting together four times a year."
email = "network@renters.example.org"
mailing_list = "all@renters.example.org"

[venues.hall]
name = "Trades Hall"
address = "54 Victoria St, Carlton VIC 3053"

[[series]]
id = "assembly"
title = "Network assembly"
rule = "last Saturday of March, June, September and December"
start = "14:00"
duration = "2h"
venue = "hall"
from = 2027-01-01

[[meetings]]
date = 2027-08-14
title = "Tenancy law day school"
start = "10:00"
duration = "6h"
venue = "hall"
uid = "day-school-2027@renters.example.org"
"""

# The June assembly written again by two groups: Northside as the network writes it, Perth in
# its own zone (noon in Perth is 2pm in Melbourne) and its own spelling; Perth also copies the
# day school under another title, with the network's uid.
NORTH = """\
[group]
name = "Northside Renters"
timezone = "Australia/Melbourne"
email = "north@renters.example.org"
mailing_list = "north-members@renters.example.org"

[venues.hall]
name = "Trades Hall"

[[series]]
id = "branch"
title = "Branch meeting"
rule = "first Monday of the month"
start = "19:00"
from = 2027-01-01

[[meetings]]
date = 2027-06-26
title = "Network assembly"
start = "14:00"
venue = "hall"
"""

PERTH = """\
[group]
name = "Perth Renters"
timezone = "Australia/Perth"
email = "perth@renters.example.org"

[[series]]
id = "branch"
title = "Branch meeting"
rule = "every other Thursday"
start = "18:30"
from = 2027-01-07

[[meetings]]
date = 2027-06-26
title = "network  Assembly"
start = "12:00"

[[meetings]]
date = 2027-08-14
title = "Day school"
start = "08:00"
uid = "day-school-2027@renters.example.org"
"""


def last_saturday(year: int, month: int) -> date:
    day = date(year, month, calendar.monthrange(year, month)[1])
    return day - timedelta(days=(day.weekday() - calendar.SATURDAY) % 7)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth line of ``text`` that is ``needle``."""
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if line == needle]
    return lines[nth - 1]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in (("network.toml", NETWORK), ("north.toml", NORTH), ("perth.toml", PERTH)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def is_assembly(title: str) -> bool:
    return " ".join(title.split()).casefold() == "network assembly"


# --- the file --------------------------------------------------------------------------


def test_network_file_gives_the_networks_name_zone_and_words():
    network = parse_programme(NETWORK, "network.toml")
    assert network.group.network and not parse_programme(NORTH, "north.toml").group.network
    assert (network.group.name, network.group.timezone) == ("Renters' Network", "Australia/Melbourne")
    assert network.group.description.startswith("Three renters' groups")
    assert [s.id for s in network.series] == ["assembly"]


def test_mistakes_in_network_toml_are_located(cli, tmp_path: Path):
    text = NETWORK.replace('name = "Renters', 'nmae = "Renters').replace("Australia/Melbourne", "AEST")
    (tmp_path / "network.toml").write_text(text, encoding="utf-8")
    result = cli("check", "-f", tmp_path)
    assert result.exit_code == 2
    path = tmp_path / "network.toml"
    lines = result.stderr.splitlines()
    assert f"{path}:{line_of(text, '[network]')}:1: error: network: missing required key 'name'" in lines
    typo = line_of(text, 'nmae = "Renters\' Network"')
    assert f"{path}:{typo}:1: error: network.nmae: unknown key 'nmae' (did you mean 'name'?)" in lines


def test_an_unknown_zone_in_network_toml_is_located(cli, tmp_path: Path):
    text = NETWORK.replace('"Australia/Melbourne"', '"Australia/Melborne"')
    (tmp_path / "network.toml").write_text(text, encoding="utf-8")
    result = cli("list", "-f", tmp_path)
    zone_line = text.splitlines().index('timezone = "Australia/Melborne"') + 1
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"{tmp_path / 'network.toml'}:{zone_line}:1: error: network.timezone: unknown time zone 'Australia/Melborne'"
    )
    assert "Traceback" not in result.stderr


def test_a_file_is_a_group_or_a_network_not_both(tmp_path: Path):
    with pytest.raises(MeetctlError) as exc:
        parse_programme(NORTH + "\n" + NETWORK.split("\n\n", 1)[0] + "\n", "mixed.toml")
    assert str(exc.value) == (
        "mixed.toml:1:1: error: a file is one group's programme ([group]) or a network's ([network]), not both"
    )


def test_network_toml_without_its_table_says_which_table(tmp_path: Path):
    with pytest.raises(MeetctlError, match=r"^network\.toml:1:1: error: missing required table \[network\]"):
        parse_programme(NETWORK.split("\n\n", 1)[1], "network.toml")


def test_one_network_at_a_time(cli, tmp_path: Path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "network.toml").write_text(NETWORK, encoding="utf-8")
    result = cli("list", "-f", tmp_path / "a", "-f", tmp_path / "b")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path / 'b' / 'network.toml'}: error: a second network file")


# --- each meeting once ------------------------------------------------------------------


def test_each_network_meeting_is_listed_once_under_the_networks_name(cli, folder: Path):
    items = json.loads(cli("list", "-f", folder, "--from", "2027-01-01", "--to", "2027-12-31", "--json").stdout)
    assemblies = [i for i in items if is_assembly(i["title"])]
    expected = [last_saturday(2027, m) for m in (3, 6, 9, 12)]
    assert [date.fromisoformat(i["date"]) for i in assemblies] == expected
    assert {i["group"] for i in assemblies} == {"Renters' Network"}
    june = next(i for i in assemblies if i["date"] == expected[1].isoformat())
    assert june["start"] == f"{expected[1]}T14:00:00+10:00"  # AEST: Melbourne has no summer time in June
    (school,) = [i for i in items if i["date"] == "2027-08-14"]
    assert (school["title"], school["group"]) == ("Tenancy law day school", "Renters' Network")


def test_the_same_list_from_files_as_from_the_folder(cli, folder: Path):
    by_folder = cli("list", "-f", folder, "--from", "2027-06-01", "--to", "2027-08-31", "--json").stdout
    # Named in another order: the network still comes first, and the copies are still copies.
    by_files = cli("list", *[a for n in ("perth", "north", "network") for a in ("-f", folder / f"{n}.toml")],
                   "--from", "2027-06-01", "--to", "2027-08-31", "--json").stdout  # fmt: skip
    assert by_folder == by_files


def test_check_warns_of_each_copy_naming_both_places_and_no_overlap(cli, folder: Path):
    result = cli("check", "-f", folder, "--today", "2027-06-01")
    assert result.exit_code == 0
    june = last_saturday(2027, 6)
    series_at = f"{folder / 'network.toml'}:{line_of(NETWORK, '[[series]]')}:1"
    school_at = f"{folder / 'network.toml'}:{line_of(NETWORK, '[[meetings]]')}:1"
    held = "(Renters' Network): it is shown once, as Renters' Network's; delete this copy"
    assert result.stderr.splitlines() == [
        f"{folder / 'north.toml'}:{line_of(NORTH, '[[meetings]]')}:1: warning: {june} 'Network assembly' "
        f"is also written in {series_at} {held}",
        f"{folder / 'perth.toml'}:{line_of(PERTH, '[[meetings]]')}:1: warning: {june} 'network  Assembly' "
        f"is also written in {series_at} {held}",
        f"{folder / 'perth.toml'}:{line_of(PERTH, '[[meetings]]', 2)}:1: warning: 2027-08-14 'Day school' "
        f"is also written in {school_at} {held}",
    ]
    assert result.stdout.splitlines()[0].startswith(f"{folder / 'network.toml'}: ok: Renters' Network: ")


def test_without_a_network_a_meeting_in_two_groups_files_is_kept_once(cli, folder: Path):
    args = ("-f", folder / "north.toml", "-f", folder / "perth.toml")
    june = last_saturday(2027, 6)
    items = json.loads(cli("list", *args, "--from", str(june), "--to", str(june), "--json").stdout)
    assert [(i["title"], i["group"]) for i in items] == [("Network assembly", "Northside Renters")]
    result = cli("check", *args, "--today", "2027-06-01")
    assert result.stderr.splitlines() == [
        f"{folder / 'perth.toml'}:{line_of(PERTH, '[[meetings]]')}:1: warning: {june} 'network  Assembly' is also "
        f"written in {folder / 'north.toml'}:{line_of(NORTH, '[[meetings]]')}:1 (Northside Renters): it is shown "
        "once, as Northside Renters's; a meeting of several groups belongs in network.toml"
    ]


def test_the_calendar_exports_it_once_and_is_named_by_the_network(cli, folder: Path):
    text = cli("ical", "-f", folder).stdout
    summaries = [line for line in text.splitlines() if line.startswith("SUMMARY:")]
    assert len([s for s in summaries if is_assembly(s.removeprefix("SUMMARY:"))]) == 1  # the series, once
    assert len([s for s in summaries if "school" in s.casefold()]) == 1
    assert "X-WR-CALNAME:Renters' Network" in text.splitlines()
    assert "X-WR-TIMEZONE:Australia/Melbourne" in text.splitlines()


def test_one_reminder_from_the_network_to_its_list(cli, folder: Path):
    june = last_saturday(2027, 6)
    result = cli("remind", "-f", folder, "--today", str(june - timedelta(days=7)), "--format", "email")
    assert result.exit_code == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.startswith(("From:", "To:", "Subject:"))]
    assert headers == [
        "From: Renters' Network <network@renters.example.org>",
        "To: all@renters.example.org",
        f"Subject: Reminder: Saturday {june.day} June, 2pm: Network assembly",
    ]


def test_next_names_the_network_meeting_once(cli, folder: Path):
    june = last_saturday(2027, 6)
    text = cli("next", "-f", folder, "--today", str(june - timedelta(days=1))).stdout
    assert text.count("Network assembly") + text.count("network  Assembly") == 1


def test_the_combined_title_is_the_networks_name():
    network, north, perth = (
        parse_programme(t, n) for t, n in ((NETWORK, "n.toml"), (NORTH, "a.toml"), (PERTH, "b.toml"))
    )
    assert programmes_title([north, network, perth]) == "Renters' Network"
    assert programmes_title([north, perth]) == "Northside Renters + Perth Renters"


# --- the site ------------------------------------------------------------------------------


@pytest.fixture
def site(cli, folder: Path) -> Path:
    result = cli("site", "-f", folder, "-o", folder / "site", "--today", "2027-06-01")
    assert result.exit_code == 0, result.stderr
    return folder / "site"


def test_the_site_is_titled_by_the_network_with_a_page_per_group(site: Path):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>Renters&#39; Network</title>" in index
    assert "<h1>Renters&#39; Network</h1>" in index
    assert " + " not in index
    assert "Three renters&#39; groups, meeting together four times a year." in index
    pages = sorted(p.name for p in site.glob("group-*.html") if re.fullmatch(r"group-[a-z-]+\.html", p.name))
    assert pages == ["group-northside-renters.html", "group-perth-renters.html", "group-renters-network.html"]
    june = last_saturday(2027, 6)
    assert [p.name for p in (site / "meetings").glob(f"*{june}*.html")] == [f"renters-network-{june}-assembly.html"]


def test_every_page_has_the_subscribe_links_before_its_content(site: Path):
    june = last_saturday(2027, 6)
    for page in ("index.html", "group-perth-renters.html", f"meetings/renters-network-{june}-assembly.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert html.index('<ul class="subscribe">') < html.index("<main>"), page
        assert "calendar.ics" in html[html.index('<ul class="subscribe">') : html.index("<main>")]


def test_rows_do_not_repeat_the_group_or_the_title(site: Path):
    group_page = (site / "group-perth-renters.html").read_text(encoding="utf-8")
    rows = re.findall(r'<p class="where">(.*?)</p>', group_page, re.S)
    assert rows and all("Perth Renters" not in r and "Branch meeting" not in r for r in rows)
    index = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<p class="what">.*?<a [^>]*>(.*?)</a>.*?<p class="where">(.*?)</p>', index, re.S)
    assert rows and all(title not in where for title, where in rows)
    assert any('<span class="group">Perth Renters</span>' in where for _, where in rows)  # whose, on the index


def test_the_docs_show_the_warning_check_gives_for_the_examples_copy(cli, monkeypatch):
    from tests.conftest import ROOT

    docs = (ROOT / "docs" / "networks.md").read_text(encoding="utf-8")
    (shown,) = [line for line in docs.splitlines() if ": warning: " in line and "network.toml" in line]
    monkeypatch.chdir(ROOT)
    result = cli("check", "-f", "examples/network", "--today", "2017-01-01")
    assert result.exit_code == 0
    assert shown in result.stderr.splitlines()
