"""Documents of a programme with several streams: every row says its time and its series."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest

from tests.conftest import BRANCH_AND_READING
from tests.document_helpers import in_words, parse_html

#: A branch meeting on the second Tuesday, a reading group every Thursday (its own title), one-off social.
STREAMS = BRANCH_AND_READING + """
[[meetings]]
series = "reading"
date = 2027-02-04
title = "Capital, chapter 1"

[[meetings]]
series = "reading"
date = 2027-02-11
cancelled = true
reason = "Hall closed"

[[meetings]]
date = 2027-02-20
title = "Quiz night"
start = "20:00"
venue = "hall"
"""

FEBRUARY = [date(2027, 2, d) for d in range(1, 29)]
THURSDAYS = [d for d in FEBRUARY if d.weekday() == calendar.THURSDAY]
SECOND_TUESDAY = [d for d in FEBRUARY if d.weekday() == calendar.TUESDAY][1]


@pytest.fixture
def programme(write_programme):
    return write_programme(STREAMS, header=True)


def announce(cli, programme, fmt: str) -> str:
    result = cli("announce", "-f", programme, "--from", "2027-02-01", "--to", "2027-02-28", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_text_rows_say_time_and_series(cli, programme):
    out = announce(cli, programme, "text")
    assert f"{in_words(THURSDAYS[0])}, 6:30pm, Reading group\n  Capital, chapter 1\n" in out
    assert f"{in_words(SECOND_TUESDAY)}, 7:30pm\n  Branch meeting\n" in out  # the title is the series
    assert f"{in_words(THURSDAYS[1])}: CANCELLED (Hall closed)\n\n  Reading group\n" in out
    assert f"{in_words(date(2027, 2, 20))}, 8pm\n  Quiz night\n" in out


def test_markdown_and_html_rows_say_time_and_series(cli, programme):
    from markdown_it import MarkdownIt

    md = announce(cli, programme, "markdown")
    tree = parse_html(f"<div>{MarkdownIt('commonmark').render(md)}</div>")
    headings = [h.text_content() for h in tree.cssselect("h3")]
    # Every meeting of February: four Thursdays, the branch meeting, the quiz.
    assert len(headings) == len(THURSDAYS) + 2
    assert "*6:30pm to 8pm · Reading group*" in md
    assert "*7:30pm to 9:30pm*" in md and "*8pm to 10pm, Community Hall, 1 High Street, Leicester LE1 1AA*" in md
    html = parse_html(announce(cli, programme, "html"))
    whens = [" ".join(p.text_content().split()) for p in html.cssselect("section p.when")]
    assert whens.count("6:30pm to 8pm") == len(THURSDAYS) - 2  # the reading group under its own title
    assert "6:30pm to 8pm · Reading group" in whens and "7:30pm to 9:30pm" in whens


def test_term_flyer_rows_say_time_and_series(cli, programme):
    result = cli("flyer", "-f", programme, "--from", "2027-02-01", "--to", "2027-02-28", "--format", "html")
    rows = parse_html(result.stdout).cssselect("table.meetings tbody tr")
    assert len(rows) == len(THURSDAYS) + 2
    for row in rows:
        text = " ".join(row.text_content().split())
        assert any(t in text for t in ("6:30pm to 8pm", "7:30pm to 9:30pm", "8pm to 10pm")) or "Cancelled" in text, text
    note = " ".join(rows[0].cssselect(".note")[0].text_content().split())
    assert note == "6:30pm to 8pm · Reading group"


def test_one_stream_keeps_its_rows_short(cli, write_programme):
    path = write_programme(STREAMS.split("[[series]]\nid = \"reading\"")[0], header=True)
    out = cli("announce", "-f", path, "--from", "2027-02-01", "--to", "2027-02-28", "--format", "markdown").stdout
    assert "*7:30pm" not in out  # the slot paragraph says it once


def test_report_next_meeting_is_the_next_of_the_same_series(cli, programme):
    out = cli("report", SECOND_TUESDAY.isoformat(), "-f", programme, "-o", "-").stdout
    next_branch = [d for d in (SECOND_TUESDAY + timedelta(days=n) for n in range(1, 40))
                   if d.month == 3 and d.weekday() == calendar.TUESDAY][1]  # fmt: skip
    section = out.split("## Next meeting")[1]
    assert f"{in_words(next_branch)}, 7:30pm, Community Hall: Branch meeting" in section
    reading = cli("report", THURSDAYS[0].isoformat(), "-f", programme, "-o", "-").stdout
    # The next reading group is a fortnight on: the one in between is cancelled.
    assert f"{in_words(THURSDAYS[2])}, 6:30pm" in reading.split("## Next meeting")[1]
