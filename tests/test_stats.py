"""`meetctl stats`: attendance over time from the `attendance = N` recorded on meetings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLE, ROOT
from tests.document_helpers import last_weekday

PROGRAMME = """
[[series]]
id = "discussion"
title = "Discussion"
rule = "last Wednesday of the month"
start = "19:00"
venue = "hall"
from = 2017-01-01

[[series]]
id = "reading"
title = "Reading group"
rule = "every Monday"
start = "18:00"
venue = "hall"
from = 2017-01-01
until = 2017-01-31

[[meetings]]
series = "discussion"
date = 2017-01-25
title = "[bold]Strikes[/bold]"
attendance = 10

[[meetings]]
series = "reading"
date = 2017-01-30
attendance = 4

[[meetings]]
series = "discussion"
date = 2017-02-22
attendance = 15

[[meetings]]
series = "discussion"
date = 2017-03-29
cancelled = true

[[meetings]]
series = "discussion"
date = 2017-04-26
attendance = 12

[[meetings]]
series = "discussion"
date = 2017-05-31
attendance = 12
"""

JAN, FEB, APR, MAY = (last_weekday(2017, m, 2) for m in (1, 2, 4, 5))


@pytest.fixture
def programme(write_programme):
    return write_programme(PROGRAMME, header=True)


def test_json_has_each_recorded_meeting_and_the_change_within_its_series(cli, programme):
    result = cli("stats", "-f", programme, "--json")
    assert result.exit_code == 0, result.stderr
    rows = [(r["date"], r["series"], r["attendance"], r["change"]) for r in json.loads(result.stdout)]
    assert rows == [
        (JAN.isoformat(), "discussion", 10, None),
        ("2017-01-30", "reading", 4, None),
        (FEB.isoformat(), "discussion", 15, 5),
        (APR.isoformat(), "discussion", 12, -3),  # against February: March was cancelled
        (MAY.isoformat(), "discussion", 12, 0),
    ]


def test_series_and_window_select_but_changes_count_from_the_whole_history(cli, programme):
    result = cli("stats", "-f", programme, "--series", "discussion", "--from", "2017-02-01", "--json")
    assert [(r["date"], r["change"]) for r in json.loads(result.stdout)] == [
        (FEB.isoformat(), 5), (APR.isoformat(), -3), (MAY.isoformat(), 0),
    ]  # fmt: skip


def test_plain_table_has_bars_in_proportion(cli, programme):
    out = cli("stats", "-f", programme, "--series", "discussion").stdout
    lines = out.splitlines()
    assert lines[-1] == "4 meetings: average 12.2, lowest 10, highest 15"
    bars = [line.count("#") for line in lines[:-1]]
    assert bars == [round(n * 40 / 15) for n in (10, 15, 12, 12)]
    assert lines[0].startswith("Wed 25 Jan 2017  [bold]Strikes[/bold]")
    assert [line.split()[-2] for line in lines[1:4]] == ["+5", "-3", "="]


def test_on_a_terminal_a_rich_chart_keeps_titles_literal(cli, programme, monkeypatch):
    monkeypatch.setattr("meetctl.cli.reading.on_terminal", lambda: True)
    out = cli("stats", "-f", programme, env={"COLUMNS": "120", "NO_COLOR": "1"}).stdout
    assert "[bold]Strikes[/bold]" in out  # not taken for rich markup
    assert "█" in out and "Came" in out
    assert "5 meetings: average 10.6, lowest 4, highest 15" in out


def test_nothing_recorded_says_how_to_record(cli):
    result = cli("stats", "-f", EXAMPLE)
    assert result.exit_code == 0
    assert result.stdout == "No attendance recorded yet: after a meeting, `meetctl record DATE --attendance N` records it.\n"
    assert json.loads(cli("stats", "-f", EXAMPLE, "--json").stdout) == []


def test_an_unknown_series_is_an_error_with_a_suggestion(cli, programme):
    result = cli("stats", "-f", programme, "--series", "discusion")
    assert (result.exit_code, result.stderr) == (
        2, "meetctl: error: --series: unknown series 'discusion' (did you mean 'discussion'?)\n",
    )  # fmt: skip


def test_a_real_process_prints_plain_text_when_piped(programme):
    result = subprocess.run(
        [sys.executable, "-m", "meetctl", "stats", "-f", str(programme)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0 and "\x1b[" not in result.stdout
    assert result.stdout.count("\n") == 6


def test_stats_go_up_to_today(cli, write_programme):
    path = write_programme(PROGRAMME, header=True)
    items = json.loads(cli("stats", "-f", path, "--json", "--today", "2017-02-28").stdout)
    assert [i["date"] for i in items] == ["2017-01-25", "2017-01-30", "2017-02-22"]
