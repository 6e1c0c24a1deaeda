"""The paper trail: record -> report -> the next agenda; the agenda as text, Markdown, HTML and PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date

import pytest

from tests.conftest import HEADER
from tests.document_helpers import assert_golden, in_words, parse_html, pdf_reader, pdf_text

# A branch on the first Monday of the month, in New York (not London), hybrid at the hall.
BRANCH = """\
# Riverside branch: the secretary's notes are comments, and must survive every edit.
[group]
name = "Riverside Tenants"
timezone = "America/New_York"
email = "secretary@riverside.example.org"
mailing_list = "members@riverside.example.org"

[venues.hall]
name = "St Mark's Hall"
address = "12 River Street, Springfield"
accessibility = "Step-free entrance on Elm Street; hearing loop."
online = "https://meet.example.org/riverside"

[[series]]
id = "branch"
title = "Branch meeting"
rule = "first Monday of the month"
start = "19:00"
duration = "2h"
venue = "hall"
from = 2024-01-01

[[meetings]]  # the AGM falls on a branch date
series = "branch"
date = 2024-03-04
title = "Annual General Meeting & <elections>"
kind = "agm"
notice = "21 clear days"
chair = "Pat Kim"

[[meetings.agenda]]
title = "Annual report"
lead = "Secretary"
minutes = 15
paper = "https://riverside.example.org/papers/annual-report.pdf"

[[meetings.agenda]]
title = "Motion: *rent strike* <b>now</b>"
lead = "Jo"
paper = "motion-1.pdf"
"""
FEB, MAR, APR = date(2024, 2, 5), date(2024, 3, 4), date(2024, 4, 1)  # first Mondays, worked out by hand


@pytest.fixture
def branch(write_programme):
    return write_programme(BRANCH)


def test_record_then_report_then_the_next_agenda_carries_the_actions(cli, branch):
    result = cli("record", "-f", branch, FEB.isoformat(), "--today", "2024-02-06", "--attendance", "11",
                 "--apologies", "Ann Lee", "--apologies", "Bo Diaz",
                 "--action", "Ann to book the hall", "--action", 'Bo to draft the "rent survey"')  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = branch.read_text()
    assert "# Riverside branch: the secretary's notes are comments" in text
    assert "[[meetings]]  # the AGM falls on a branch date" in text
    # Recording again adds only what is new.
    again = cli("record", "-f", branch, FEB.isoformat(), "--today", "2024-02-06",
                "--action", "Ann to book the hall", "--action", "Pat to phone the landlord")  # fmt: skip
    assert again.exit_code == 0
    assert again.stdout.count("recorded action") == 1

    report = cli("report", "-f", branch, FEB.isoformat(), "--today", "2024-02-06", "-o", "-")
    assert "- **Apologies:** Ann Lee, Bo Diaz\n" in report.stdout
    actions = report.stdout.split("## Actions\n\n")[1].split("\n\n")[0]
    assert actions == '- Ann to book the hall\n- Bo to draft the "rent survey"\n- Pat to phone the landlord'

    agenda = cli("agenda", "-f", branch, "--today", "2024-02-06")  # default: the next meeting, the AGM
    assert agenda.exit_code == 0, agenda.stderr
    out = agenda.stdout
    assert f"2.  Minutes of the last meeting ({in_words(FEB)})" in out
    assert (
        "3.  Matters arising\n"
        "    - Ann to book the hall\n"
        '    - Bo to draft the "rent survey"\n'
        "    - Pat to phone the landlord\n"
    ) in out
    assert f"7.  Date of the next meeting\n    - {in_words(APR)}, 7pm\n" in out

    stats = cli("stats", "-f", branch, "--today", "2024-02-06", "--json")
    assert json.loads(stats.stdout)[0] | {} == {
        "date": "2024-02-05", "title": "Branch meeting", "series": "branch", "group": "Riverside Tenants",
        "attendance": 11, "change": None, "apologies": 2,
    }  # fmt: skip
    plain = cli("stats", "-f", branch, "--today", "2024-02-06")
    assert plain.stdout.startswith("Mon  5 Feb 2024  Branch meeting  11    2 apologies  ###")


def test_apologies_may_come_before_the_meeting_but_actions_only_after(cli, branch):
    early = cli("record", "-f", branch, MAR.isoformat(), "--today", "2024-03-01", "--apologies", "Sam")
    assert early.exit_code == 0
    refused = cli("record", "-f", branch, MAR.isoformat(), "--today", "2024-03-01", "--action", "x")
    assert refused.exit_code == 2
    assert "record: --action only after the meeting (--apologies may come before)" in refused.stderr
    nothing = cli("record", "-f", branch, FEB.isoformat(), "--today", "2024-03-01")
    assert nothing.exit_code == 2 and "say what to record" in nothing.stderr
    agenda = cli("agenda", "-f", branch, MAR.isoformat(), "--today", "2024-03-01")
    assert "1.  Apologies for absence\n    - Sam\n" in agenda.stdout


def test_an_action_list_with_comments_inside_is_left_to_the_secretary(cli, write_programme):
    path = write_programme(BRANCH.replace('chair = "Pat Kim"\n', 'chair = "Pat Kim"\nactions = [\n  "a", # keep me\n]\n'))
    before = path.read_bytes()
    result = cli("record", "-f", path, MAR.isoformat(), "--today", "2024-03-05", "--action", "b")
    assert result.exit_code == 2 and "has comments inside its list" in result.stderr
    assert path.read_bytes() == before


def test_agenda_text_and_markdown_match_the_golden_files(cli, branch):
    cli("record", "-f", branch, FEB.isoformat(), "--today", "2024-02-06", "--action", "Ann to book the hall")
    text = cli("agenda", "-f", branch, MAR.isoformat(), "--today", "2024-02-10")
    assert text.exit_code == 0 and text.stderr == ""
    assert_golden("agenda-agm.txt", text.stdout)
    markdown = cli("agenda", "-f", branch, MAR.isoformat(), "--today", "2024-02-10", "--format", "markdown")
    assert_golden("agenda-agm.md", markdown.stdout)
    # Programme text cannot become Markdown: emphasis and tags are escaped, the link is an autolink.
    assert r"Motion: \*rent strike\* \<b>now\</b>" in markdown.stdout
    assert "<https://meet.example.org/riverside>" in markdown.stdout


def test_agenda_html_parsed_back(cli, branch, tmp_path):
    out = tmp_path / "agm.html"
    result = cli("agenda", "-f", branch, MAR.isoformat(), "--today", "2024-02-10", "-o", out)
    assert result.exit_code == 0 and result.stdout == f"{out}\n"
    tree = parse_html(out.read_text())
    titles = [li.cssselect(".item-title")[0].text_content() for li in tree.cssselect("ol.items > li")]
    assert titles == [
        "Apologies for absence",
        f"Minutes of the last meeting ({in_words(FEB)})",
        "Matters arising",
        "Annual report",
        "Motion: *rent strike* <b>now</b>",  # text, not markup
        "Any other business",
        "Date of the next meeting",
    ]
    assert not tree.cssselect("ol.items b")
    notice = tree.cssselect(".notice")[0].text_content()
    assert "Notice of the Annual General Meeting of Riverside Tenants, given on Saturday 10 February 2024." in notice
    assert tree.cssselect("h2.title")[0].text_content() == "Annual General Meeting & <elections>"
    assert [a.get("href") for a in tree.cssselect(".online a")] == ["https://meet.example.org/riverside"]
    assert tree.cssselect(".accessibility")[0].text_content() == "Step-free entrance on Elm Street; hearing loop."
    assert tree.cssselect(".when")[0].text_content() == f"{in_words(MAR)}, 7pm to 9pm EST"
    papers = tree.cssselect(".paper a")
    assert [a.get("href") for a in papers] == ["https://riverside.example.org/papers/annual-report.pdf"]
    # Run again: meetctl replaces its own agenda, but never the programme it reads (not even with --force).
    assert cli("agenda", "-f", branch, MAR.isoformat(), "-o", out).exit_code == 0
    refused = cli("agenda", "-f", branch, MAR.isoformat(), "-o", branch)
    assert refused.exit_code == 2
    assert refused.stderr == f"{branch}: error: is a programme this command reads; never replaced, not even with --force\n"


def test_short_notice_is_said_in_the_agenda_and_warned_about(cli, branch):
    result = cli("agenda", "-f", branch, MAR.isoformat(), "--today", "2024-02-20")
    assert "Short notice: the rules ask for 21 clear days' notice, given by Sunday 11 February 2024." in " ".join(
        result.stdout.split()
    )
    assert result.stderr == (
        "meetctl: warning: 2024-03-04 'Annual General Meeting & <elections>' needs notice of 21 clear days: "
        "the deadline was 2024-02-11; notice given today is short\n"
    )


def test_standing_items_are_the_groups_own(cli, write_programme):
    path = write_programme(BRANCH.replace(
        "[venues.hall]", '[agenda]\nstanding_items = ["apologies", "Treasurer\'s report", "items", "aob"]\n\n[venues.hall]'
    ))  # fmt: skip
    out = cli("agenda", "-f", path, MAR.isoformat(), "--today", "2024-02-10").stdout
    numbered = [line for line in out.splitlines() if line[:1].isdigit()]
    assert numbered == [
        "1.  Apologies for absence",
        "2.  Treasurer's report",
        "3.  Annual report (led by Secretary, 15 min)",
        "4.  Motion: *rent strike* <b>now</b> (led by Jo)",
        "5.  Any other business",
    ]


def test_agenda_pdf_read_back(cli, branch, tmp_path):
    out = tmp_path / "agm.pdf"
    result = cli("agenda", "-f", branch, MAR.isoformat(), "--today", "2024-02-10", "-o", out)
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    reader = pdf_reader(data)
    assert reader.metadata["/Creator"] == "meetctl agenda"
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(595.3, abs=1)  # A4
    text = pdf_text(data)
    for expected in ("Annual General Meeting", "Notice of the Annual General Meeting of Riverside Tenants",
                     "Matters arising", "Motion: *rent strike* <b>now</b>", "https://meet.example.org/riverside",
                     "Step-free entrance on Elm Street"):  # fmt: skip
        assert expected in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (Debian poppler-utils) is not installed")
def test_the_agenda_pdf_renders_to_an_a4_page_with_ink_and_margins(cli, branch, tmp_path):
    from PIL import Image

    pdf = tmp_path / "agm.pdf"
    cli("agenda", "-f", branch, MAR.isoformat(), "--today", "2024-02-10", "-o", pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    assert image.size == (pytest.approx(210 / 25.4 * 50, abs=1), pytest.approx(297 / 25.4 * 50, abs=1))
    assert image.crop((0, 0, image.width, image.height // 3)).getextrema()[0] < 100  # heading, notice
    assert image.crop((0, 0, image.width, 15)).getextrema()[0] > 240  # the top margin is white


def test_a_real_process_writes_the_agenda(branch, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "meetctl", "-f", str(branch), "agenda", MAR.isoformat(), "--today", "2024-02-10",
         "--format", "markdown"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<!-- meetctl agenda -->\n# Riverside Tenants: Annual General Meeting\n")


def test_agenda_mistakes_are_one_line_each(cli, branch, write_programme):
    none = cli("agenda", "-f", branch, "2024-02-06")
    assert none.exit_code == 2 and none.stderr.startswith("meetctl: error: no meeting on 2024-02-06")
    unknown = cli("agenda", "-f", branch, "--series", "brnch", "--today", "2024-02-01")
    assert unknown.exit_code == 2 and "unknown series 'brnch'" in unknown.stderr and "branch" in unknown.stderr
    cancelled = write_programme(HEADER + """
[[meetings]]
date = 2024-05-01
title = "EGM"
start = "19:00"
cancelled = true
reason = "Hall flooded"
""", name="c.toml")  # fmt: skip
    result = cli("agenda", "-f", cancelled, "2024-05-01")
    assert result.stderr == "meetctl: error: the meeting on 2024-05-01 is cancelled (Hall flooded): no agenda\n"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('online = "javascript:alert(1)"', "'javascript:alert(1)' is not a link meetctl writes: it must start with"),
        ('online = "https://meet.example.org/a b"', "a link must not contain spaces"),
        ('online = "https://"', "'https://' has no host name"),
        ('online = "ftp://files.example.org/x"', "it must start with http:// or https://"),
        ('online = "https://user:pw@meet.example.org/"', "a link must not carry a user name or password"),
        ('kind = "agm\\u0007"', "contains the control character U+0007"),
        ('notice = "21 clear dayz"', "unknown notice period '21 clear dayz'"),
        ("apologies = [\"Ann\", \"  \"]", "must not be empty"),
        ("kind = 3", "kind must be a string"),
    ],
)
def test_bad_paper_trail_values_are_located_errors(cli, write_programme, line, message):
    path = write_programme(HEADER + f"""
[[meetings]]
date = 2024-05-01
title = "EGM"
start = "19:00"
{line}
""")  # fmt: skip
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    where = path.read_text().splitlines().index(line) + 1
    assert result.stderr.startswith(f"{path}:{where}:1: error: meetings[1].")
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_bad_agenda_items_and_standing_items_are_located(cli, write_programme):
    path = write_programme(HEADER + """
[agenda]
standing_items = ["apologies", "aob", "aob"]

[[meetings]]
date = 2024-05-01
title = "EGM"
start = "19:00"

[[meetings.agenda]]
title = "Budget"
minutes = 0
paper = "file:///etc/passwd"

[[meetings.agenda]]
lead = "Jo"
""")  # fmt: skip
    lines = cli("check", "-f", path).stderr.splitlines()
    assert [line.split(": error: ")[1] for line in lines] == [
        'agenda.standing_items: "aob" is listed twice',
        'agenda.standing_items must include "items" (where each meeting\'s own agenda goes); meetctl fills in '
        '"apologies", "minutes", "matters_arising", "items", "aob", "next_meeting"; any other text is an item of your own',
        "meetings[1].agenda[1].minutes: must be a number of minutes above 0",
        "meetings[1].agenda[1].paper: 'file:///etc/passwd' is not a link meetctl writes: it must start with http:// "
        "or https://",
        "meetings[1].agenda[2]: missing required key 'title'",
    ]
    assert all(line.startswith(f"{path}:") and line.split(":")[1].isdigit() for line in lines)


def test_the_terminal_stats_table_has_an_apologies_column(cli, branch, capsys, monkeypatch):
    from meetctl.documents.stats import attendance_rows, print_rich
    from meetctl.model.loading import load_programmes

    cli("record", "-f", branch, FEB.isoformat(), "--today", "2024-03-05", "--attendance", "11", "--apologies", "Ann")
    cli("record", "-f", branch, MAR.isoformat(), "--today", "2024-03-05", "--attendance", "20")
    monkeypatch.setenv("COLUMNS", "100")
    print_rich(attendance_rows(load_programmes([branch])))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Date", "Meeting", "Came", "Change", "Apologies"]
    assert lines[1].split()[:8] == ["Mon", "5", "Feb", "2024", "Branch", "meeting", "11", "1"]
    annual = next(line for line in lines if line.startswith("Mon  4 Mar 2024"))
    assert annual.split()[-3:-1] == ["20", "+9"]  # came, change; no apologies; the bar last
    assert lines[-1] == "2 meetings: average 15.5, lowest 11, highest 20"
