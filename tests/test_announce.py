"""`meetctl announce`: the post announcing a term, as text, Markdown and HTML."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from tests.conftest import EXAMPLE, HEADER, ROOT
from tests.document_helpers import assert_golden, in_words, last_weekday, parse_html

PROGRAMME = """
[[series]]
id = "discussion"
title = "Discussion"
rule = "last Wednesday of the month"
start = "19:00"
duration = "2h"
venue = "hall"
from = 2017-01-01

[[meetings]]
series = "discussion"
date = 2017-01-25
title = "*Strikes* & [pickets](http://evil.example) <script>alert(1)</script>"
description = "# Not a heading\\n1. not a list"
lead = "Jo_Bloggs"

[[meetings]]
series = "discussion"
date = 2017-02-22
cancelled = true
reason = "the hall is flooded"

[[meetings]]
series = "discussion"
date = 2017-03-30
replaces = 2017-03-29
title = "A day late"
"""

TITLE = "*Strikes* & [pickets](http://evil.example) <script>alert(1)</script>"
JAN, FEB, MAR = (last_weekday(2017, m, 2) for m in (1, 2, 3))


@pytest.fixture
def programme(write_programme):
    return write_programme(PROGRAMME, header=True)


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("markdown", "md"), ("html", "html")])
def test_the_example_announcement_matches_the_reviewed_golden_file(cli, fmt, ext):
    result = cli("announce", "-f", EXAMPLE, "--from", "2017-01-01", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert_golden(f"announce-example.{ext}", result.stdout)


def test_text_says_who_where_when_and_each_meeting(cli, programme):
    out = cli("announce", "-f", programme, "--from", "2017-01-01", "--to", "2017-03-31").stdout
    assert out.startswith("Test Group: meetings, January to March 2017\n===")
    assert "Organised by Test Group." in out
    words = " ".join(out.split())  # long lines are wrapped at 72 columns
    assert "Discussion: last Wednesday of every month, 7pm to 9pm, at Community Hall, 1 High Street" in words
    assert f"{in_words(JAN)}, 7pm\n  {TITLE}\n" in out
    assert "  Leading off: Jo_Bloggs" in out
    assert f"{in_words(FEB)}: CANCELLED (the hall is flooded)" in out
    # The moved meeting says when and where it really is.
    assert f"{in_words(MAR.replace(day=30))}, 7pm\n  A day late\n  7pm to 9pm, Community Hall" in out
    assert f"(moved from {in_words(MAR)})" in words
    assert "Contact: secretary@example.org" in out
    assert all(len(line) <= 72 for line in out.splitlines())


def test_the_default_window_is_the_next_three_months(cli, write_programme):
    path = write_programme(PROGRAMME.split("[[meetings]]")[0], header=True)
    out = cli("announce", "-f", path, "--today", "2017-01-27").stdout
    # 27 January to 26 April inclusive: February, March and April.
    dates = [last_weekday(2017, m, 2) for m in (2, 3, 4)]
    assert [line for line in out.splitlines() if line.startswith("Wednesday")] == [
        f"{in_words(d)}, 7pm" for d in dates
    ]


def test_markdown_keeps_programme_text_literal(cli, programme):
    from markdown_it import MarkdownIt

    out = cli("announce", "-f", programme, "--from", "2017-01-01", "--format", "markdown").stdout
    tree = parse_html(f"<div>{MarkdownIt('commonmark').render(out)}</div>")
    assert tree.cssselect("script") == [] and tree.cssselect("h3 a") == [] and tree.cssselect("h3 em") == []
    # A post's own headings sit below the page's title: no H1; CommonMark has no strike-through, so words say it.
    assert tree.cssselect("h1") == [] and out.startswith("## Test Group: meetings")
    headings = [" ".join(h.text_content().split()) for h in tree.cssselect("h3")]
    assert headings[0] == f"{in_words(JAN)}: {TITLE}"
    assert f"{in_words(FEB)}: Discussion (CANCELLED)" in headings and "~~" not in out
    # The description's "#" and "1." are text, not a heading and a list.
    paragraphs = [p.text_content() for p in tree.cssselect("p")]
    assert "# Not a heading\n1. not a list" in paragraphs
    assert "Leading off: Jo_Bloggs" in [" ".join(p.text_content().split()) for p in tree.cssselect("p")]


def test_html_escapes_programme_text(cli, programme):
    out = cli("announce", "-f", programme, "--from", "2017-01-01", "--format", "html").stdout
    tree = parse_html(out)
    assert tree.tag == "article" and tree.cssselect("script") == []
    first, cancelled, moved = tree.cssselect("section.meeting")
    assert " ".join(first.cssselect("h3")[0].text_content().split()) == f"{in_words(JAN)}: {TITLE}"
    assert first.cssselect("time")[0].get("datetime") == JAN.isoformat()
    assert "cancelled" in cancelled.classes and cancelled.cssselect("h3 del")
    assert "moved from" in moved.cssselect(".when")[0].text_content()


def test_an_empty_term_is_an_error(cli, programme):
    result = cli("announce", "-f", programme, "--from", "2016-01-01", "--to", "2016-12-31")
    assert (result.exit_code, result.stderr) == (2, "meetctl: error: no meetings from 2016-01-01 to 2016-12-31\n")


def test_an_unknown_format_is_a_usage_error(cli, programme):
    result = cli("announce", "-f", programme, "--format", "pdf")
    assert result.exit_code == 2 and "'pdf' is not one of" in result.stderr


def test_a_real_process_announces_the_example():
    result = subprocess.run(
        [sys.executable, "-m", "meetctl", "announce", "-f", str(EXAMPLE), "--today", "2017-01-01"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == (ROOT / "tests" / "golden" / "announce-example.txt").read_text()


def test_dates_and_times_follow_the_group_locale(cli, tmp_path):
    french = tmp_path / "programme.toml"
    french.write_text(EXAMPLE.read_text().replace('timezone = "Europe/London"', 'timezone = "Europe/London"\nlocale = "fr_FR"'))
    out = cli("announce", "-f", french, "--from", "2017-01-01").stdout
    assert "mercredi 25 janvier 2017, 19:00\n" in out
    # The fixed words and the rule are French too (the shipped fr catalogue).
    assert "le dernier mercredi de chaque mois, de 19:00 à 21:00, à Regent Sports" in " ".join(out.split())
    html = cli("flyer", "-f", french, "2017-02-22").stdout
    tree = parse_html(html)
    assert tree.get("lang") == "fr-FR"
    assert tree.cssselect(".when")[0].text_content() == "mercredi 22 février 2017"


def test_several_groups_say_whose_meeting_and_which_zone(cli, write_programme):
    series = PROGRAMME.split("[[meetings]]")[0]
    leicester = write_programme(series, name="leicester.toml", header=True)
    paris = write_programme(
        HEADER.replace("Test Group", "Paris Group").replace("Europe/London", "Europe/Paris")
        .replace("secretary@example.org", "paris@example.org")
        + series.replace("last Wednesday", "first Thursday"),
        name="paris.toml",
    )  # fmt: skip
    out = cli("announce", "-f", leicester, "-f", paris, "--from", "2017-01-01", "--to", "2017-01-31").stdout
    assert out.startswith("Test Group and Paris Group: meetings, January 2017\n")
    thursday = date(2017, 1, 1) + timedelta(days=(3 - date(2017, 1, 1).weekday()) % 7)
    assert f"{in_words(thursday)}, 7pm CET (Paris Group)\n  Discussion\n" in out
    assert f"{in_words(JAN)}, 7pm GMT (Test Group)\n  Discussion\n" in out
    assert "Paris Group\nContact: paris@example.org\n" in out and "Test Group\nContact: secretary@example.org\n" in out
    html = cli("flyer", "-f", leicester, "-f", paris, "--from", "2017-01-01", "--to", "2017-01-31").stdout
    notes = [" ".join(n.text_content().split()) for n in parse_html(html).cssselect("td .note")]
    assert notes == ["Paris Group, 7pm CET", "Test Group, 7pm GMT"]


def test_announce_loads_no_pdf_or_calendar_machinery():
    code = (
        "import sys\n"
        f"sys.argv = ['meetctl', 'announce', '-f', {str(EXAMPLE)!r}, '--from', '2017-01-01']\n"
        "from meetctl.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ['weasyprint', 'rich', 'icalendar', 'caldav', 'tomlkit']\n"
        "print(','.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.startswith("Leicester Anarchist Federation: meetings")
    assert result.stderr == "\n"


def test_text_never_breaks_a_url_or_a_hyphenated_address(cli, write_programme):
    url = "https://example.org/a-very-long-path/with-many-hyphenated-parts/and-more-of-them/reading-list.pdf"
    path = write_programme(
        PROGRAMME.split("[[meetings]]")[0]
        + f'[[meetings]]\nseries = "discussion"\ndate = {JAN}\ndescription = "Read this first: {url} thanks"\n',
        header=True,
    )
    out = cli("announce", "-f", path, "--from", "2017-01-01", "--to", "2017-01-31").stdout
    assert f"\n  {url}\n" in out  # on a line of its own, whole, even though longer than 72
    assert "  Read this first:\n" in out
