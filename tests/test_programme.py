"""Loading programmes: what a valid one becomes, and how each kind of mistake is reported."""

from __future__ import annotations

import textwrap
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from meetctl.cli.options import NO_PROGRAMME
from meetctl.model.errors import MeetctlError
from meetctl.model.loading import load_programme, load_programmes, parse_programme
from tests.conftest import EXAMPLE, HEADER, MONTHLY


def test_the_example_programme_loads():
    p = load_programme(EXAMPLE)
    assert p.group.name == "Leicester Anarchist Federation"
    assert p.group.timezone == "Europe/London"
    assert p.venues["regent"].address == "102 Regent Road, Leicester LE1 7DA"
    (series,) = p.series
    assert (series.id, series.start, series.duration) == ("discussion", time(19), timedelta(hours=2))
    assert series.rule.rrule == "FREQ=MONTHLY;BYDAY=-1WE"
    assert [m.date for m in p.meetings] == [date(2017, 1, 25), date(2017, 2, 22), date(2017, 3, 29)]


def test_times_may_be_toml_times_or_words():
    text = HEADER + MONTHLY.replace('start = "19:00"', "start = 19:00:00")
    assert parse_programme(text).series[0].start == time(19)
    text = HEADER + MONTHLY.replace('start = "19:00"', 'start = "7:30pm"')
    assert parse_programme(text).series[0].start == time(19, 30)


# Each case: (what it exercises, programme text, expected "LINE:COL" or None, words in the message).
# Line numbers count from the first line of the dedented text.
BAD = [
    ("syntax error", '[group]\nname = "x\n', "2:", "invalid TOML"),
    ("duplicate key", '[group]\nname = "a"\nname = "b"\n', "3:", "invalid TOML"),
    ("empty file", "", "1:1", "missing required table [group]"),
    ("missing group name", '[group]\ntimezone = "Europe/London"\n', "1:1", "missing required key 'name'"),
    ("missing timezone", '[group]\nname = "x"\n', "1:1", "missing required key 'timezone'"),
    ("unknown time zone", '[group]\nname = "x"\ntimezone = "Europe/Leicester"\n', "3:1", "unknown time zone"),
    ("time zone not a string", '[group]\nname = "x"\ntimezone = 1\n', "3:1", "must be a string (got a number)"),
    ("unknown group key", HEADER.replace("email", "emial"), "4:1", "unknown key 'emial' (did you mean 'email'?)"),
    ("unknown top table", HEADER + "\n[meeting]\ndate = 2017-01-01\n", "11:1", "unknown table 'meeting' (did you mean 'meetings'?)"),
    ("venue without name", HEADER + '\n[venues.pub]\naddress = "x"\n', "11:1", "venues.pub: missing required key 'name'"),
    ("unknown venue key", HEADER.replace("address =", "adress ="), "9:1", "unknown key 'adress' (did you mean 'address'?)"),
    ("series missing rule", HEADER + MONTHLY.replace('rule = "last Wednesday of the month"\n', ""), "11:1", "series[1]: missing required key 'rule'"),
    ("unknown phrase", HEADER + MONTHLY.replace("last Wednesday of the month", "last Wendesday of the month"), "14:1", "unknown recurrence phrase"),
    ("bad raw rrule", HEADER + MONTHLY.replace("last Wednesday of the month", "FREQ=MONTHLY;BYDAY=-1XX"), "14:1", "bad BYDAY value"),
    ("bad start time", HEADER + MONTHLY.replace('"19:00"', '"25:00"'), "15:1", "invalid time '25:00'"),
    ("bad duration", HEADER + MONTHLY.replace('"2h"', '"two hours"'), "16:1", "invalid duration"),
    ("unknown series venue", HEADER + MONTHLY.replace('venue = "hall"', 'venue = "hal"'), "17:1", "unknown venue 'hal' (did you mean 'hall'?)"),
    ("impossible date", HEADER + MONTHLY.replace("from = 2017-01-01", "from = 2017-02-30"), "18:", "invalid TOML"),
    ("impossible date in a string", HEADER + MONTHLY.replace("from = 2017-01-01", 'from = "2017-02-30"'), "18:1", "invalid date '2017-02-30'"),
    ("date with a time", HEADER + MONTHLY.replace("from = 2017-01-01", "from = 2017-01-01T19:00:00"), "18:1", "without a time"),
    ("until before from", HEADER + MONTHLY + "until = 2016-01-01\n", "19:1", "until 2016-01-01 is before from 2017-01-01"),
    ("duplicate series id", HEADER + MONTHLY + MONTHLY, "21:1", "duplicate series id 'discussion'"),
    ("skip off the rule", HEADER + MONTHLY + "skip = [2017-01-24]\n", "19:1", "2017-01-24 is not a date of the series"),
    ("meeting off its rule", HEADER + MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-24\n', "22:1", "2017-01-24 is not a date of series 'discussion'"),
    ("meeting of unknown series", HEADER + MONTHLY + '\n[[meetings]]\nseries = "discusion"\ndate = 2017-01-25\n', "21:1", "unknown series 'discusion' (did you mean 'discussion'?)"),
    ("meeting venue unknown", HEADER + MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\nvenue = "regnet"\n', "23:1", "meetings[1].venue: unknown venue 'regnet'"),
    ("replaces no occurrence", HEADER + MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-26\nreplaces = 2017-01-24\n', "23:1", "meetings[1].replaces: 2017-01-24 is not a date of series"),
    ("one-off without title", HEADER + '\n[[meetings]]\ndate = 2017-01-26\nstart = "19:00"\n', "11:1", "needs a title"),
    ("one-off without start", HEADER + '\n[[meetings]]\ndate = 2017-01-26\ntitle = "AGM"\n', "11:1", "needs a start time"),
    ("meeting without date", HEADER + '\n[[meetings]]\ntitle = "AGM"\nstart = "19:00"\n', "11:1", "missing required key 'date'"),
    ("attendance not a number", HEADER + MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\nattendance = "fourteen"\n', "23:1", "must be a whole number (got a string)"),
    ("cancelled not a boolean", HEADER + MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\ncancelled = "yes"\n', "23:1", "must be true or false"),
    ("end before start", HEADER + '\n[[meetings]]\ndate = 2017-01-26\ntitle = "School"\nstart = "10:00"\nend_date = 2017-01-20\n', "15:1", "end_date 2017-01-20 is before date 2017-01-26"),
    ("two meetings on one date", HEADER + MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\n\n[[meetings]]\nseries = "discussion"\ndate = 2017-01-25\n', "26:1", "already described by meetings[1]"),
    ("series not an array", 'series = "weekly"\n' + HEADER, "1:1", "must be written as [[series]] tables"),
    ("session ends before it starts", HEADER + '\n[[meetings]]\ndate = 2017-11-11\ntitle = "Conference"\nstart = "10:00"\n\n[[meetings.sessions]]\ntitle = "Rally"\nstart = "18:30"\nend = "17:00"\n', "19:1", "end 17:00 is not after start"),
    ("mail security", HEADER + '\n[mail]\nsecurity = "ssl"\n', "12:1", "mail.security must be one of starttls, tls, none"),
]


@pytest.mark.parametrize(("case", "text", "place", "words"), BAD, ids=[b[0] for b in BAD])
def test_each_mistake_is_one_located_line(write_programme, cli, case, text, place, words):
    path = write_programme(text)
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) >= 1
    assert "Traceback" not in result.stderr
    first = lines[0]
    assert first.startswith(f"{path}:{place}"), first
    assert ": error: " in first
    assert words in result.stderr


def test_all_problems_are_reported_at_once(write_programme, cli):
    path = write_programme(
        HEADER.replace("email", "emial")
        + MONTHLY.replace('venue = "hall"', 'venue = "hal"').replace('"2h"', '"2 fortnights"')
    )
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 3


def test_non_utf8_bytes_are_located(tmp_path, cli):
    path = tmp_path / "programme.toml"
    path.write_bytes(b'[group]\nname = "Caf\xe9 group"\ntimezone = "Europe/London"\n')
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr == f"{path}:2:12: error: not UTF-8 text (byte 0xe9)\n"


def test_a_missing_file(tmp_path, cli):
    result = cli("list", "-f", tmp_path / "nope.toml")
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.toml'}: error: {NO_PROGRAMME}\n"


def test_list_with_no_programme_at_all_suggests_init(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("list")
    assert result.exit_code == 2
    assert result.stderr == (
        "programme.toml: error: no such file (`meetctl init` writes a new programme; "
        "-f or $MEETCTL_FILE names another)\n"
    )


def test_a_folder_without_programmes(tmp_path, cli):
    result = cli("list", "-f", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path}: error: folder has no *.toml programme files\n"


def test_an_unreadable_file(tmp_path, cli, monkeypatch):
    path = tmp_path / "programme.toml"
    path.write_text(HEADER)

    def refuse(self):  # root reads anything, so pretend the permission is missing
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = cli("list", "-f", path)
    assert result.exit_code == 2
    assert result.stderr == f"{path}: error: cannot read: Permission denied\n"


def test_a_folder_of_programmes_loads_each(tmp_path):
    (tmp_path / "a.toml").write_text(HEADER)
    (tmp_path / "b.toml").write_text(HEADER.replace("Test Group", "Other Group"))
    (tmp_path / "notes.txt").write_text("not a programme")
    names = [p.group.name for p in load_programmes([tmp_path])]
    assert names == ["Test Group", "Other Group"]


def test_errors_from_several_files_are_all_reported(tmp_path):
    (tmp_path / "a.toml").write_text("[group]\n")
    (tmp_path / "b.toml").write_text("oops = \n")
    with pytest.raises(MeetctlError) as exc:
        load_programmes([tmp_path / "a.toml", tmp_path / "b.toml"])
    assert [p.location.path for p in exc.value.problems] == [
        str(tmp_path / "a.toml"), str(tmp_path / "a.toml"), str(tmp_path / "b.toml"),
    ]  # fmt: skip


def test_locations_inside_nested_arrays():
    text = textwrap.dedent(
        """\
        [group]
        name = "x"
        timezone = "Europe/London"

        [[meetings]]
        date = 2017-11-11
        title = "Conference"
        start = "10:00"

        [[meetings.sessions]]
        title = "Opening"
        start = "10:00"
        end = "11:00"

        [[meetings.sessions]]
        title = "Rally"
        start = "18:30"
        end = "20:30"
        room = 5
        """
    )
    with pytest.raises(MeetctlError) as exc:
        parse_programme(text, "p.toml")
    assert str(exc.value) == "p.toml:19:1: error: meetings[1].sessions[2].room must be a string (got a number)"


def test_a_byte_order_mark_is_fine(tmp_path: Path):
    path = tmp_path / "programme.toml"
    path.write_bytes("\ufeff".encode() + HEADER.encode())
    assert load_programme(path).group.name == "Test Group"


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("start = 19:30", '(put times in quotes: start = "19:30")'),
        ("start = 7pm", '(put times in quotes: start = "7pm")'),
        ("date = 09/02/2027", "(write dates as YYYY-MM-DD, without quotes: date = 2027-01-25)"),
        ("duration = 1h30m", '(put durations in quotes: duration = "1h30m")'),
        ("title = Hello world", '(put text in quotes: title = "Hello world")'),
    ],
)
def test_a_bare_time_date_or_text_says_how_to_write_it(tmp_path, cli, line, hint):
    path = tmp_path / "programme.toml"
    path.write_text(HEADER + f'\n[[meetings]]\n{line}\n', encoding="utf-8")
    number = (HEADER + "\n[[meetings]]\n").count("\n") + 1
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    (message,) = result.stderr.splitlines()
    assert message.startswith(f"{path}:{number}:") and message.endswith(hint)


def test_an_unknown_rule_is_one_located_line_then_the_forms(tmp_path, cli):
    path = tmp_path / "programme.toml"
    path.write_text(HEADER + MONTHLY.replace("last Wednesday of the month", "every blue moon"), encoding="utf-8")
    result = cli("check", "-f", path)
    first, *forms = result.stderr.splitlines()
    line = (HEADER + MONTHLY).splitlines().index('rule = "last Wednesday of the month"') + 1
    assert first == (f"{path}:{line}:1: error: series[1].rule: unknown recurrence phrase 'every blue moon'; "
                     "the accepted forms are (also `meetctl help rules`):")  # fmt: skip
    assert forms and all(f.startswith("    ") for f in forms)
