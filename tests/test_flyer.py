"""`meetctl flyer`: one meeting or a term, as HTML (parsed back) and PDF (read back with pypdf)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date

import pytest

from tests.conftest import EXAMPLE, ROOT
from tests.document_helpers import in_words, last_weekday, mm_to_pt, parse_html, pdf_reader, pdf_text

PROGRAMME = """\
[group]
name = "Test Group"
timezone = "Europe/London"
email = "secretary@example.org"
website = "https://example.org/group"
welcome = "Everyone is welcome."

[venues.hall]
name = "Community Hall"
address = "1 High Street, Leicester LE1 1AA"
directions = "Opposite the bus station."
accessibility = "Step-free access to the main room."

[venues.pub]
name = "The Crown"

[[series]]
id = "discussion"
title = "Discussion meeting"
rule = "last Wednesday of the month"
start = "19:00"
duration = "2h"
venue = "hall"
from = 2017-01-01

[[meetings]]
series = "discussion"
date = 2017-01-25
title = "Rent & rates: <script>alert(1)</script>"
description = "Who pays, & who <b>decides</b>?"
lead = "A tenants' union organiser"

[[meetings]]
series = "discussion"
date = 2017-02-22
cancelled = true
reason = "the hall is flooded"

[[meetings]]
series = "discussion"
date = 2017-03-29
title = "Moved to the pub"
venue = "pub"
start = "19:30"
"""

TITLE = "Rent & rates: <script>alert(1)</script>"
# The dates the rule should give, worked out with the calendar module.
JAN, FEB, MAR = (last_weekday(2017, m, 2) for m in (1, 2, 3))


@pytest.fixture
def programme(write_programme):
    return write_programme(PROGRAMME)


def squash(text: str) -> str:
    return "".join(text.split())


def text_of(tree, selector: str) -> str:
    """The text of the one element matching a CSS selector, whitespace collapsed."""
    (element,) = tree.cssselect(selector)
    return " ".join(element.text_content().split())


# --------------------------------------------------------------------------- HTML, one meeting


def test_one_meeting_flyer_says_everything_a_passer_by_needs(cli, programme):
    result = cli("flyer", "-f", programme, JAN.isoformat())
    assert result.exit_code == 0, result.stderr
    tree = parse_html(result.stdout)
    assert text_of(tree, "h1") == TITLE
    assert text_of(tree, ".group") == "Test Group"
    assert text_of(tree, ".when") == in_words(JAN)
    assert text_of(tree, ".time") == "7pm to 9pm"
    assert text_of(tree, ".venue .name") == "Community Hall"
    assert text_of(tree, ".venue .address") == "1 High Street, Leicester LE1 1AA"
    assert text_of(tree, ".venue .directions") == "Opposite the bus station."
    assert text_of(tree, ".venue .accessibility") == "Step-free access to the main room."
    assert text_of(tree, ".blurb") == "Who pays, & who <b>decides</b>?"
    assert text_of(tree, ".lead") == "Leading off: A tenants' union organiser"
    assert text_of(tree, ".welcome") == "Everyone is welcome."
    assert [a.get("href") for a in tree.cssselect(".contact a")] == [
        "mailto:secretary@example.org", "https://example.org/group",
    ]  # fmt: skip


def test_markup_in_the_programme_is_shown_as_text_never_run(cli, programme):
    result = cli("flyer", "-f", programme, JAN.isoformat())
    tree = parse_html(result.stdout)
    assert tree.cssselect("script") == []  # the title's <script> is text, not an element
    assert tree.cssselect(".blurb b") == []
    assert tree.findtext(".//title").startswith(TITLE)
    assert "&amp;" in result.stdout and "&lt;script&gt;" in result.stdout


def test_print_css_sets_the_paper_size(cli, programme):
    for paper, css in (("a4", "A4"), ("a5", "A5"), ("letter", "letter")):
        result = cli("flyer", "-f", programme, JAN.isoformat(), "--paper", paper)
        style = parse_html(result.stdout).findtext(".//style")
        assert f"size: {css};" in " ".join(style.split())


def test_without_a_date_the_flyer_is_for_the_next_meeting(cli, programme):
    result = cli("flyer", "-f", programme, "--today", FEB.isoformat())
    # 22 February is cancelled, so the next meeting is March's (moved to the pub, 7:30pm).
    tree = parse_html(result.stdout)
    assert text_of(tree, "h1") == "Moved to the pub"
    assert text_of(tree, ".time") == "7:30pm to 9:30pm"
    assert text_of(tree, ".venue .name") == "The Crown"


def test_a_cancelled_meeting_flyer_says_so(cli, programme):
    tree = parse_html(cli("flyer", "-f", programme, FEB.isoformat()).stdout)
    assert text_of(tree, ".notice") == "Cancelled: the hall is flooded"
    assert "cancelled" in tree.cssselect("main")[0].classes


def test_a_day_school_flyer_has_its_timetable(cli, write_programme):
    path = write_programme(
        """
        [[meetings]]
        date = 2019-01-02
        end_date = 2019-01-06
        title = "Winter school"
        start = "10:00"
        duration = "7h"
        venue = "hall"

        [[meetings.sessions]]
        title = "Close"
        date = 2019-01-06
        start = "15:00"
        end = "17:00"
        speakers = ["Ann", "Bo"]

        [[meetings.sessions]]
        title = "Opening"
        start = "10:00"
        end = "11:00"
        room = "Main hall"
        chair = "Sam"
        """,
        header=True,
    )
    result = cli("flyer", "-f", path, "2019-01-02")
    assert result.exit_code == 0, result.stderr
    tree = parse_html(result.stdout)
    assert text_of(tree, ".when") == "Wednesday 2 to Sunday 6 January 2019"
    rows = [" ".join(" ".join(r.itertext()).split()) for r in tree.cssselect(".sessions tbody tr")]
    assert rows == [  # a heading row for each day, then the day's sessions in time order
        "Wednesday 2 January",
        "10am–11am Opening Main hall; chair: Sam",
        "Sunday 6 January",
        "3pm–5pm Close with Ann, Bo",
    ]


# --------------------------------------------------------------------------- HTML, a term


def test_term_flyer_says_the_rule_in_words_and_lists_every_date(cli, programme):
    result = cli("flyer", "-f", programme, "--from", "2017-01-01", "--to", "2017-03-31")
    assert result.exit_code == 0, result.stderr
    tree = parse_html(result.stdout)
    assert text_of(tree, "h1") == "Meetings, January to March 2017"
    assert text_of(tree, ".slot") == (
        "Discussion meeting: Last Wednesday of every month, 7pm to 9pm, Community Hall, "
        "1 High Street, Leicester LE1 1AA. Opposite the bus station. Step-free access to the main room."
    )
    rows = tree.cssselect("table.meetings tbody tr")
    assert [text_of(r, "td.date") for r in rows] == [in_words(d, year=False) for d in (JAN, FEB, MAR)]
    assert [text_of(r, ".title") for r in rows] == [TITLE, "Discussion meeting", "Moved to the pub"]


def test_term_flyer_strikes_through_cancelled_meetings_and_notes_changes(cli, programme):
    tree = parse_html(cli("flyer", "-f", programme, "--from", "2017-01-01", "--to", "2017-03-31").stdout)
    jan, feb, mar = tree.cssselect("table.meetings tbody tr")
    assert "cancelled" in feb.classes and feb.cssselect("del.title")
    assert "Cancelled: the hall is flooded" in " ".join(feb.text_content().split())
    assert not jan.cssselect("del") and "cancelled" not in jan.classes
    # March is not in the usual slot: its time and venue are given.
    assert "7:30pm to 9:30pm, The Crown" in " ".join(mar.text_content().split())
    assert "Leading off: A tenants' union organiser" in " ".join(jan.text_content().split())


def test_term_window_is_three_months_by_default(cli, programme):
    april = last_weekday(2017, 4, 2)  # the 26th
    # From 26 January, three months end on 25 April: April's meeting is just outside.
    tree = parse_html(cli("flyer", "-f", programme, "--from", "2017-01-26").stdout)
    dates = [text_of(r, "td.date") for r in tree.cssselect("table.meetings tbody tr")]
    assert dates == [in_words(d, year=False) for d in (FEB, MAR)]
    # From 27 January they end on 26 April, inclusive; --today is where it starts without --from.
    tree = parse_html(cli("flyer", "-f", programme, "--to", "2017-04-26", "--today", "2017-01-27").stdout)
    dates = [text_of(r, "td.date") for r in tree.cssselect("table.meetings tbody tr")]
    assert dates == [in_words(d, year=False) for d in (FEB, MAR, april)]


# --------------------------------------------------------------------------- PDF


PAPERS = {"a4": (210, 297), "a5": (148, 210), "letter": (8.5 * 25.4, 11 * 25.4)}


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_pdf_has_the_paper_size_and_the_text(cli, programme, paper):
    result = cli("flyer", "-f", programme, JAN.isoformat(), "--format", "pdf", "--paper", paper)
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    reader = pdf_reader(data)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    width, height = PAPERS[paper]
    assert float(box.width) == pytest.approx(mm_to_pt(width), abs=0.5)
    assert float(box.height) == pytest.approx(mm_to_pt(height), abs=0.5)
    text = squash(pdf_text(data))  # lines break anywhere the layout chose: compare without spaces
    for expected in (TITLE, in_words(JAN), "7pm to 9pm", "Community Hall", "Opposite the bus station.",
                     "Leading off: A tenants' union organiser", "secretary@example.org"):  # fmt: skip
        assert squash(expected) in text, expected


LONG = "What would a society without bosses, landlords or borders look like, and how would we get from here to there?"


def test_a_term_of_twelve_meetings_with_long_titles_fits_an_a4_page_and_runs_on_over_a5(cli, write_programme):
    meetings = "".join(
        f'\n[[meetings]]\nseries = "discussion"\ndate = {last_weekday(2017, m, 2)}\ntitle = "{m}. {LONG}"\n'
        for m in range(1, 13)
    )
    path = write_programme(PROGRAMME.split("[[meetings]]")[0] + meetings)
    for paper, pages in (("a4", 1), ("a5", 2)):
        result = cli("flyer", "-f", path, "--from", "2017-01-01", "--to", "2017-12-31",
                     "--format", "pdf", "--paper", paper)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        # On A5 one page would need type under 8pt: a second page instead (PRODUCT "Documents people can read").
        assert len(pdf_reader(result.stdout_bytes).pages) == pages, paper
        text = squash(pdf_text(result.stdout_bytes))
        assert squash(f"12. {LONG}") in text
        assert squash(in_words(last_weekday(2017, 12, 2), year=False)) in text


def test_a_long_title_wraps_inside_the_page(cli, write_programme):
    path = write_programme(PROGRAMME.replace(TITLE, LONG + " " + "Supercalifragilistic" * 4))
    result = cli("flyer", "-f", path, JAN.isoformat(), "--format", "pdf", "--paper", "a5")
    page = pdf_reader(result.stdout_bytes).pages[0]
    width = float(page.mediabox.width)
    lines: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            lines.append((tm[4] * cm[0] + cm[4], text))

    page.extract_text(visitor_text=visit)
    assert lines and all(0 <= x < width for x, _ in lines)
    title_lines = page.extract_text().split("\n")
    assert sum(1 for line in title_lines if line.strip() and line.strip() in LONG + " Supercal") >= 2


def test_the_same_programme_gives_the_same_pdf(cli, programme):
    args = ("flyer", "-f", programme, "--from", "2017-01-01", "--to", "2017-03-31", "--format", "pdf")
    assert cli(*args).stdout_bytes == cli(*args).stdout_bytes


def test_output_file_format_follows_its_extension(cli, programme, tmp_path):
    out = tmp_path / "flyer.pdf"
    result = cli("flyer", "-f", programme, JAN.isoformat(), "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{out}\n"
    assert out.read_bytes().startswith(b"%PDF-")
    html = tmp_path / "flyer.html"
    cli("flyer", "-f", programme, JAN.isoformat(), "-o", html)
    assert parse_html(html.read_text()).cssselect("h1")


def test_on_a_terminal_the_flyer_goes_to_a_file_named_for_it(cli, programme, tmp_path, monkeypatch):
    monkeypatch.setattr("meetctl.cli.documents.on_terminal", lambda: True)
    monkeypatch.chdir(tmp_path)
    one = cli("flyer", "-f", programme, JAN.isoformat())
    assert one.stdout == f"flyer-{JAN}.html\n"
    assert parse_html((tmp_path / f"flyer-{JAN}.html").read_text()).cssselect("h1")
    term = cli("flyer", "-f", programme, "--from", "2017-01-01", "--to", "2017-03-31", "--format", "pdf")
    assert term.stdout == "term-flyer-2017-01-01-2017-03-31.pdf\n"  # FROM-TO, as the README says
    assert (tmp_path / "term-flyer-2017-01-01-2017-03-31.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (Debian poppler-utils) is not installed")
@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_the_pdf_renders_to_an_image_of_the_page(cli, programme, tmp_path, paper):
    from PIL import Image

    pdf = tmp_path / "flyer.pdf"
    cli("flyer", "-f", programme, "--from", "2017-01-01", "--to", "2017-03-31", "-o", pdf, "--paper", paper)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    width, height = PAPERS[paper]
    assert image.size[0] == pytest.approx(width / 25.4 * 50, abs=1)
    assert image.size[1] == pytest.approx(height / 25.4 * 50, abs=1)
    # Ink on the top half (the heading and table), and a white margin all round.
    top = image.crop((0, 0, image.width, image.height // 2))
    assert top.getextrema()[0] < 100
    margin = image.crop((0, 0, image.width, 10))
    assert margin.getextrema()[0] > 240


# --------------------------------------------------------------------------- mistakes


def test_a_date_without_a_meeting_says_which_dates_are_near(cli, programme):
    result = cli("flyer", "-f", programme, "2017-02-23")
    assert result.exit_code == 2
    assert result.stderr == (
        f"meetctl: error: no meeting on 2017-02-23 (the one before is on {FEB}; the next is on {MAR})\n"
    )


def test_date_and_term_options_together_are_refused(cli, programme):
    result = cli("flyer", "-f", programme, JAN.isoformat(), "--from", "2017-01-01")
    assert result.exit_code == 2 and "not both" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2017-13-01",), "DATE: invalid date '2017-13-01'"),
        (("--from", "2017-04-01", "--to", "2017-03-01"), "--to 2017-03-01 is before --from 2017-04-01"),
        (("--from", "2030-01-01"), "no meetings from 2030-01-01 to 2030-03-31"),
        (("--paper", "a3"), "'a3' is not one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, write_programme, args, message):
    path = write_programme(PROGRAMME.replace("from = 2017-01-01", "from = 2017-01-01\nuntil = 2017-12-31"))
    result = cli("flyer", "-f", path, *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_two_meetings_on_one_day_need_series(cli, write_programme):
    path = write_programme(PROGRAMME + '\n[[meetings]]\ndate = 2017-01-25\ntitle = "Film"\nstart = "14:00"\n')
    result = cli("flyer", "-f", path, JAN.isoformat())
    assert result.exit_code == 2 and "choose one with --series ID" in result.stderr
    chosen = cli("flyer", "-f", path, JAN.isoformat(), "--series", "discussion")
    assert text_of(parse_html(chosen.stdout), "h1") == TITLE


# --------------------------------------------------------------------------- a real process


def test_the_installed_command_makes_a_pdf_of_the_example(tmp_path):
    script = os.path.join(os.path.dirname(sys.executable), "meetctl")
    out = tmp_path / "term.pdf"
    result = subprocess.run(
        [script, "flyer", "-f", str(EXAMPLE), "--from", "2017-01-01", "--to", "2017-03-31", "-o", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{out}\n" and result.stderr == ""
    text = pdf_text(out.read_bytes())
    assert "Last Wednesday of every month, 7pm to 9pm" in text
    assert in_words(date(2017, 3, 29), year=False) in text


def test_a_day_school_of_eight_sessions_fits_a_page_with_the_contact_at_its_foot(cli, write_programme):
    sessions = "".join(
        f'\n[[meetings.sessions]]\ntitle = "Session {i}: {LONG[:60]}"\ndate = 2019-01-0{2 + i // 4}\n'
        f'start = "{10 + i % 4 * 2}:00"\nend = "{11 + i % 4 * 2}:30"\nroom = "Room {i}"\nchair = "Chair {i}"\n'
        for i in range(8)
    )
    path = write_programme(
        PROGRAMME.split("[[series]]")[0]
        + '[[meetings]]\ndate = 2019-01-02\nend_date = 2019-01-03\ntitle = "Winter school"\nstart = "10:00"\n'
        'duration = "8h"\nvenue = "hall"\ndescription = "Two days of talks."\n' + sessions
    )
    result = cli("flyer", "-f", path, "2019-01-02", "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    (page,) = pdf_reader(result.stdout_bytes).pages
    found: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        for key in ("secretary@example.org", "Session 7", "Winter school"):
            if key in text:
                found[key] = tm[5] * cm[3] + cm[5]  # the baseline's height above the page's foot

    page.extract_text(visitor_text=visit)
    assert set(found) == {"secretary@example.org", "Session 7", "Winter school"}
    # The contact line is the lowest text, in the bottom 30 mm; the title is at the top.
    assert found["secretary@example.org"] < mm_to_pt(30)
    assert found["secretary@example.org"] < found["Session 7"] < found["Winter school"]


# --------------------------------------------------------------------------- fit and fill

#: A day school of six sessions with everything a secretary might write about it (issue 15's case).
DAY_SCHOOL = (
    PROGRAMME.split("[[series]]")[0].replace(
        'welcome = "Everyone is welcome."',
        'welcome = "Members, supporters and anyone curious are very welcome. Entry is free; donations to the hall '
        'are gratefully received."',
    )
    + """
[[meetings]]
date = 2027-03-20
title = "Spring day school: the commons, old and new"
description = "A day of talks and discussion: how land, water and knowledge were enclosed, how people resisted, and what commoning could mean for our town today. Bring a packed lunch or buy one at the cafe."
lead = "The branch education committee"
start = "10:00"
duration = "7h"
venue = "hall"
"""
    + "".join(
        f'\n[[meetings.sessions]]\ntitle = "{title}"\nstart = "{start}"\nend = "{end}"\nroom = "Main hall"\n'
        f'chair = "Chair {i}"\nspeakers = ["Speaker {i}a", "Speaker {i}b"]\n'
        for i, (title, start, end) in enumerate(
            [
                ("Registration and coffee", "10:00", "10:30"),
                ("Enclosure and resistance in the East Midlands", "10:30", "11:45"),
                ("Commons today: land, water and code", "12:00", "13:00"),
                ("Lunch", "13:00", "14:00"),
                ("Workshops: organising a tenants' union", "14:00", "15:30"),
                ("Plenary: what next for the branch?", "15:45", "17:00"),
            ]
        )
    )
)


def _heights(pdf: bytes, keys: tuple[str, ...]) -> tuple[int, float, dict[str, float]]:
    """(pages, page height, the baseline height of the first text containing each key), in points."""
    reader = pdf_reader(pdf)
    page = reader.pages[0]
    found: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        for key in keys:
            if key in text and key not in found:
                found[key] = tm[5] * cm[3] + cm[5]

    page.extract_text(visitor_text=visit)
    return len(reader.pages), float(page.mediabox.height), found


@pytest.mark.parametrize("paper", ["a4", "a5", "letter"])
def test_a_six_session_day_school_fits_one_page_on_every_paper(cli, write_programme, paper):
    path = write_programme(DAY_SCHOOL)
    result = cli("flyer", "-f", path, "2027-03-20", "--format", "pdf", "--paper", paper)
    assert result.exit_code == 0, result.stderr
    pages, height, found = _heights(result.stdout_bytes, ("Plenary", "gratefully", "secretary@example.org"))
    assert pages == 1
    # Everything is on it: the last session, the welcome, and the contact at the foot.
    assert found["secretary@example.org"] < found["gratefully"] < found["Plenary"]


@pytest.mark.parametrize("paper", ["a4", "a5", "letter"])
def test_a_short_flyer_fills_its_page(cli, write_programme, paper):
    path = write_programme(PROGRAMME.replace('lead = "A tenants\' union organiser"\n', ""))
    result = cli("flyer", "-f", path, MAR.isoformat(), "--format", "pdf", "--paper", paper)
    pages, height, found = _heights(result.stdout_bytes, ("Everyone is welcome",))
    assert pages == 1
    # The last line of the flyer body sits in the bottom third of the page, not half way up.
    assert found["Everyone is welcome"] < height / 3


def test_a_weekly_series_flyer_says_every_weekday(cli, write_programme):
    path = write_programme(PROGRAMME.replace("last Wednesday of the month", "every Wednesday"))
    tree = parse_html(cli("flyer", "-f", path, "2017-01-04", "--format", "html").stdout)
    assert text_of(tree, ".regular") == "Discussion meeting meets every Wednesday, 7pm."


def test_an_extension_that_is_not_html_pdf_or_png_is_refused(cli, programme, tmp_path):
    out = tmp_path / "flyer.docx"
    result = cli("flyer", "-f", programme, JAN.isoformat(), "-o", out)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"meetctl: error: -o {out}: meetctl writes flyers as HTML, PDF or PNG, not .docx")
    assert not out.exists()
    # Said outright, the format wins: the secretary knows what they asked for.
    assert cli("flyer", "-f", programme, JAN.isoformat(), "-o", out, "--format", "html").exit_code == 0


def test_a_year_of_weekly_meetings_runs_on_at_full_size(cli, write_programme):
    path = write_programme(PROGRAMME.replace("last Wednesday of the month", "every Wednesday"))
    result = cli("flyer", "-f", path, "--from", "2017-01-01", "--to", "2017-12-31", "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    reader = pdf_reader(result.stdout_bytes)
    assert len(reader.pages) > 1  # 52 rows do not fit one page at 70%: readable type over several pages
    sizes: set[float] = set()
    reader.pages[0].extract_text(visitor_text=lambda text, cm, tm, font, size: sizes.add(round(size * tm[0], 1)))
    # The heading is printed at its full 30pt (the 70% scale would make it 21pt).
    assert max(sizes) >= 29.5


def test_a_format_that_contradicts_the_file_name_is_refused(cli, programme, tmp_path):
    out = tmp_path / "flyer.html"
    result = cli("flyer", "-f", programme, JAN.isoformat(), "-o", out, "--format", "pdf")
    assert result.exit_code == 2
    assert result.stderr == f"meetctl: error: --format pdf does not match -o {out}: name the file .pdf\n"
    assert not out.exists()
