"""The smaller edits a secretary reaches for (issue 22, item 8), each with what it writes and says.

`move --reason`, holiday moves named in reminders, `series add --online`, `add --kind/--notice`,
`init --series`, `add` over a date already written, a paper that looks like a link,
"6.30pm", and `move`'s suggestions from the series asked about.
"""

from __future__ import annotations

import calendar
import tomllib
from datetime import date, timedelta

import pytest

from tests.conftest import BRANCH_AND_READING, HEADER


def _weekday_of(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th ``weekday`` (Monday 0) of a month, computed here; n = -1 for the last."""
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if date(year, month, d).weekday() == weekday]
    return date(year, month, days[n - 1 if n > 0 else n])


@pytest.fixture
def streams(write_programme):
    return write_programme(HEADER + BRANCH_AND_READING)


def _written(path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ move --reason


def test_move_takes_a_reason_and_the_reminder_says_it(cli, streams):
    branch = _weekday_of(2027, 3, 1, 2)  # second Tuesday
    to = branch + timedelta(days=1)
    result = cli("move", "-f", streams, str(branch), "--series", "branch", "--to", str(to),
                 "--reason", "the hall is closed for repairs")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip().endswith("(the hall is closed for repairs)")
    (meeting,) = _written(streams)["meetings"]
    assert (meeting["date"], meeting["replaces"], meeting["reason"]) == (to, branch, "the hall is closed for repairs")
    text = cli("remind", "-f", streams, "--today", str(to - timedelta(days=7)), "--days", "7", "--series", "branch")
    assert (
        " ".join(text.stdout.split()).count(f"moved from Tuesday {branch.day} March (the hall is closed for repairs).")
        == 1
    )


def test_a_venue_change_gives_its_reason_too(cli, write_programme):
    path = write_programme(
        HEADER
        + BRANCH_AND_READING
        + """
[venues.pub]
name = "The Crown"
"""
    )
    branch = _weekday_of(2027, 4, 1, 2)
    assert cli("move", "-f", path, str(branch), "--series", "branch", "--venue", "pub",
               "--reason", "the hall is booked").exit_code == 0  # fmt: skip
    text = cli("remind", "-f", path, "--today", str(branch - timedelta(days=2)), "--days", "2", "--series", "branch")
    assert "not the usual Community Hall (the hall is booked)." in " ".join(text.stdout.split())


def test_a_reason_is_refused_for_a_one_off_and_without_a_change(cli, streams):
    cli("add", "-f", streams, "--one-off", "--date", "2027-03-06", "--title", "Social", "--start", "12:00")
    result = cli("move", "-f", streams, "2027-03-06", "--to", "2027-03-13", "--reason", "rain")
    assert result.exit_code == 2
    assert "is a one-off, with no usual slot to differ from" in result.stderr
    assert cli("move", "-f", streams, "2027-03-06", "--to", "2027-03-13", "--reason", " ").exit_code == 2


def test_a_reason_on_a_one_off_that_is_not_cancelled_is_refused_by_check(cli, write_programme):
    path = write_programme(
        HEADER + '\n[[meetings]]\ndate = 2027-03-06\ntitle = "Social"\nstart = "12:00"\nreason = "x"\n'
    )
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert "meetings[1]: reason is only for cancelled = true or a series' meeting" in result.stderr


def test_a_holiday_move_names_the_holiday_in_the_reminder(cli, write_programme):
    path = write_programme(HEADER.replace('timezone = "Europe/London"', 'timezone = "Europe/London"\ncountry = "GB-ENG"')
                           + """
[[series]]
id = "branch"
title = "Branch meeting"
rule = "first Monday of the month"
start = "19:30"
venue = "hall"
from = 2027-01-01
on_holiday = "after"
""")  # fmt: skip
    may_day = _weekday_of(2027, 5, 0, 1)  # the early May bank holiday: the first Monday of May
    held = may_day + timedelta(days=1)
    text = cli("remind", "-f", path, "--today", str(held - timedelta(days=7)), "--days", "7").stdout
    assert f"moved from Monday {may_day.day} May (May Day)." in " ".join(text.split())


# ------------------------------------------------------------------ series add --online, add --kind/--notice


def test_series_add_takes_a_join_link(cli, streams):
    url = "https://meet.example.org/reading"
    result = cli("series", "add", "online", "-f", streams, "--rule", "every Monday", "--start", "20:00",
                 "--from", "2027-01-01", "--online", url)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert _written(streams)["series"][-1]["online"] == url
    bad = cli("series", "add", "other", "-f", streams, "--rule", "every Monday", "--start", "20:00",
              "--online", "javascript:alert(1)")  # fmt: skip
    assert bad.exit_code == 2 and "--online:" in bad.stderr and "http://" in bad.stderr


def test_add_takes_a_kind_and_a_notice_period(cli, streams):
    result = cli("add", "-f", streams, "--one-off", "--date", "2027-06-05", "--title", "AGM", "--start", "14:00",
                 "--kind", "agm", "--notice", "14 clear days")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (meeting,) = _written(streams)["meetings"]
    assert (meeting["kind"], meeting["notice"]) == ("agm", "14 clear days")
    check = cli("check", "-f", streams, "--today", "2027-05-01")
    assert check.exit_code == 0, check.stderr
    bad = cli("add", "-f", streams, "--one-off", "--date", "2027-06-12", "--title", "EGM", "--start", "14:00",
              "--notice", "a fortnight or so")  # fmt: skip
    assert bad.exit_code == 2 and bad.stderr.startswith(f"{streams}: error: --notice: ")


# ------------------------------------------------------------------ init --series


def test_init_names_the_series(cli, tmp_path):
    path = tmp_path / "programme.toml"
    result = cli("init", path, "--name", "Branch", "--timezone", "Europe/London", "--rule", "second Tuesday of the month",
                 "--series", "branch", "--from", "2027-01-01", "--no-interactive")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [s["id"] for s in _written(path)["series"]] == ["branch"]
    second_tuesday = _weekday_of(2027, 2, 1, 2)
    added = cli("add", "-f", path, "--series", "branch", "--date", str(second_tuesday), "--title", "Rents")
    assert added.exit_code == 0, added.stderr
    bad = cli("init", tmp_path / "x.toml", "--name", "X", "--timezone", "Europe/London", "--rule", "every Monday",
              "--series", "two words", "--no-interactive")  # fmt: skip
    assert bad.exit_code == 2 and "--series: series id 'two words'" in bad.stderr
    alone = cli("init", tmp_path / "y.toml", "--name", "X", "--timezone", "Europe/London", "--series", "branch",
                "--no-interactive")  # fmt: skip
    assert alone.exit_code == 2 and "--series is for the regular meeting: give --rule too" in alone.stderr


# ------------------------------------------------------------------ add over a date already written


def test_add_over_a_written_date_says_the_title_it_replaces(cli, streams):
    day = _weekday_of(2027, 3, 1, 2)
    cli("add", "-f", streams, "--series", "branch", "--date", str(day), "--title", "Rents and repairs")
    result = cli("add", "-f", streams, "--series", "branch", "--date", str(day), "--title", "Elections")
    assert result.exit_code == 0, result.stderr
    assert "title (title was 'Rents and repairs')" in result.stdout
    # --dry-run says the same and writes nothing: the secretary can look before writing over.
    dry = cli("add", "-f", streams, "--series", "branch", "--date", str(day), "--title", "Other", "--dry-run")
    assert "(title was 'Elections')" in dry.stdout
    assert _written(streams)["meetings"][0]["title"] == "Elections"


# ------------------------------------------------------------------ what check says


@pytest.mark.parametrize("paper", ["http:/example.org/paper.pdf", "https:example.org/p.pdf", "www.example.org/p.pdf"])
def test_a_paper_that_looks_like_a_link_is_checked_as_one(cli, write_programme, paper):
    path = write_programme(
        HEADER
        + f"""
[[meetings]]
date = 2027-03-06
title = "Social"
start = "12:00"
agenda = [{{ title = "Reading", paper = "{paper}" }}]
"""
    )
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:") and f"paper: '{paper}'" in result.stderr


@pytest.mark.parametrize("paper", ["papers/rents.pdf", "C:\\\\papers\\\\rents.pdf", "HTTP notes.pdf"])
def test_a_file_name_stays_a_file_name(cli, write_programme, paper):
    path = write_programme(
        HEADER
        + f"""
[[meetings]]
date = 2027-03-06
title = "Social"
start = "12:00"
agenda = [{{ title = "Reading", paper = "{paper}" }}]
"""
    )
    assert cli("check", "-f", path).exit_code == 0


@pytest.mark.parametrize(
    ("written", "meant"), [("6.30pm", "18:30"), ("18.30", "18:30"), ("18h30", "18:30"), ("7.05am", "07:05")]
)
def test_a_time_with_a_dot_gets_one_error_and_the_time_it_means(cli, write_programme, written, meant):
    path = write_programme(HEADER + f'\n[[meetings]]\ndate = 2027-03-06\ntitle = "Social"\nstart = "{written}"\n')
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}:14:1: error: meetings[1].start: invalid time '{written}' (did you mean '{meant}'? write HH:MM)"
    ]


# ------------------------------------------------------------------ move's suggestions


def test_move_suggests_the_dates_of_the_series_asked_about(cli, streams):
    branch = _weekday_of(2027, 3, 1, 2)  # the second Tuesday; the day before is a Monday
    wrong = branch - timedelta(days=1)
    result = cli("move", "-f", streams, str(wrong), "--series", "branch", "--to", str(branch + timedelta(days=1)))
    assert result.exit_code == 2
    before = _weekday_of(2027, 2, 1, 2)
    assert result.stderr.rstrip().endswith(f"(nearest: Tue {before.day} Feb 2027, Tue {branch.day} Mar 2027)"), (
        result.stderr
    )
    # Without --series, each stream's nearest dates, named, the closest stream first.
    result = cli("move", "-f", streams, str(wrong), "--to", str(branch + timedelta(days=1)))
    assert f"Tue {branch.day} Mar 2027 (branch)" in result.stderr and "(reading)" in result.stderr
    assert result.stderr.index("(branch)") < result.stderr.index("(reading)")
