"""`meetctl report`: the Markdown stub a secretary fills in after a meeting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLE, HEADER, MONTHLY, ROOT
from tests.document_helpers import assert_golden, in_words, last_weekday

JAN, FEB, MAR, APR = (last_weekday(2017, m, 2) for m in (1, 2, 3, 4))


def meeting(day, **fields) -> str:
    lines = ["", "[[meetings]]", 'series = "discussion"', f"date = {day}"]
    for key, value in fields.items():
        text = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else value
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def test_the_example_report_matches_the_reviewed_golden_file(cli):
    result = cli("report", "-f", EXAMPLE, "2017-02-22", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert_golden("report-example.md", result.stdout)


def test_default_is_the_latest_meeting_written_beside_the_programme(cli, write_programme, tmp_path, monkeypatch):
    path = write_programme(MONTHLY + meeting(FEB, title="Housing", lead="Sam"), header=True)
    monkeypatch.chdir(tmp_path.parent)  # the path is beside the programme, not the current folder
    # On the day of March's meeting, before it starts, the latest is February's.
    result = cli("report", "-f", path, "--today", MAR.isoformat())
    expected = tmp_path / "reports" / f"{FEB}-housing.md"
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{expected}\n"
    text = expected.read_text()
    assert text.startswith('# Report back on "Housing"\n')
    assert f"- **Date:** {in_words(FEB)}, 7pm to 9pm\n" in text
    assert "- **Venue:** Community Hall, 1 High Street, Leicester LE1 1AA\n" in text
    assert "- **Led off by:** Sam\n" in text
    assert f"- **Attendance:** _(how many came? Record it with `meetctl record {FEB} --attendance N`)_\n" in text
    assert "## Key points\n" in text and "## Actions\n" in text
    assert text.endswith(f"## Next meeting\n\n{in_words(MAR)}, 7pm, Community Hall: Discussion\n")


def test_never_replaces_a_report_without_force(cli, write_programme, tmp_path):
    path = write_programme(MONTHLY, header=True)
    out = tmp_path / "mine.md"
    out.write_text("my careful write-up\n")
    refused = cli("report", "-f", path, JAN.isoformat(), "-o", out)
    assert refused.exit_code == 2
    assert refused.stderr == f"{out}: error: already exists (use --force to replace it)\n"
    assert out.read_text() == "my careful write-up\n"
    forced = cli("report", "-f", path, JAN.isoformat(), "-o", out, "--force")
    assert forced.exit_code == 0 and out.read_text().startswith("# Report back on")


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (11, 14, f"14 (up 3 on 11 at the previous meeting, {in_words(JAN)})"),
        (14, 9, f"9 (down 5 on 14 at the previous meeting, {in_words(JAN)})"),
        (9, 9, f"9 (the same as at the previous meeting, {in_words(JAN)})"),
        (None, 9, f"9 (no attendance was recorded at the previous meeting ({in_words(JAN)}))"),
    ],
)
def test_attendance_is_compared_with_the_previous_meeting(cli, write_programme, before, after, words):
    first = meeting(JAN, attendance=before) if before is not None else ""
    path = write_programme(MONTHLY + first + meeting(FEB, attendance=after), header=True)
    text = cli("report", "-f", path, FEB.isoformat(), "-o", "-").stdout
    assert f"- **Attendance:** {words}\n" in text


def test_a_cancelled_meeting_is_skipped_when_comparing(cli, write_programme):
    body = meeting(JAN, attendance=10) + meeting(FEB, cancelled=True) + meeting(MAR, attendance=12)
    path = write_programme(MONTHLY + body, header=True)
    text = cli("report", "-f", path, "--today", APR.isoformat(), "-o", "-").stdout
    assert f"12 (up 2 on 10 at the previous meeting, {in_words(JAN)})" in text


def test_a_cancelled_meeting_has_nothing_to_report(cli, write_programme):
    path = write_programme(MONTHLY + meeting(FEB, cancelled=True, reason="snow"), header=True)
    result = cli("report", "-f", path, FEB.isoformat(), "-o", "-")
    assert (result.exit_code, result.stderr) == (
        2, f"meetctl: error: the meeting on {FEB} was cancelled (snow): nothing to report\n",
    )  # fmt: skip


def test_clashes_with_other_groups_and_calendars_are_listed(cli, write_programme, tmp_path):
    ours = write_programme(MONTHLY, header=True)
    theirs = write_programme(
        HEADER.replace("Test Group", "Solidarity Federation")
        + f'\n[[meetings]]\ndate = {JAN}\ntitle = "Film night"\nstart = "19:30"\nduration = "90m"\n',
        name="theirs.toml",
    )
    ics = tmp_path / "council.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a@test\r\n"
        f"DTSTAMP:20170101T000000Z\r\nDTSTART:{JAN:%Y%m%d}T200000Z\r\nDTEND:{JAN:%Y%m%d}T220000Z\r\n"
        "SUMMARY:Council meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = cli("report", "-f", ours, "-f", theirs, JAN.isoformat(), "--series", "discussion",
                 "--clashes-with", ics, "-o", "-")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    section = result.stdout.split("## Clashes\n\n")[1].split("\n\n")[0]
    assert section.splitlines() == [
        "- On at the same time: Film night (Solidarity Federation), 7:30pm to 9pm",
        # The path is programme text too: Markdown-escaped ("_" -> "\\_").
        f"- On at the same time: Council meeting ({str(ics).replace('_', chr(92) + '_')}), 8pm to 10pm",
    ]


def test_no_clash_says_so(cli, write_programme):
    path = write_programme(MONTHLY, header=True)
    assert "## Clashes\n\nNone found.\n" in cli("report", "-f", path, JAN.isoformat(), "-o", "-").stdout


def test_the_slug_cannot_leave_the_reports_folder(cli, write_programme, tmp_path):
    path = write_programme(MONTHLY + meeting(JAN, title="../../etc/passwd"), header=True)
    result = cli("report", "-f", path, JAN.isoformat())
    written = tmp_path / "reports" / f"{JAN}-etc-passwd.md"
    assert result.stdout == f"{written}\n"
    assert [p.name for p in (tmp_path / "reports").iterdir()] == [written.name]


def test_markdown_in_the_programme_is_escaped(cli, write_programme):
    path = write_programme(MONTHLY + meeting(JAN, title="<img src=x onerror=alert(1)> *wow*"), header=True)
    text = cli("report", "-f", path, JAN.isoformat(), "-o", "-").stdout
    assert text.startswith('# Report back on "\\<img src=x onerror=alert(1)> \\*wow\\*"\n')


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2017-01-26",), f"meetctl: error: no meeting on 2017-01-26 (the one before is on {JAN}; the next is on {FEB})"),
        (("--today", "2016-06-01"), "meetctl: error: no meeting before 2016-06-01 to report on; give a DATE"),
        (("--series", "talks", "2017-01-25"), "meetctl: error: --series: unknown series 'talks'"),
        (("--clashes-with", "missing.ics", "2017-01-25"), "missing.ics: error: no such file"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(cli, write_programme, args, message):
    path = write_programme(MONTHLY, header=True)
    result = cli("report", "-f", path, *args, "-o", "-")
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_a_real_process_writes_a_report(tmp_path):
    programme = tmp_path / "programme.toml"
    programme.write_text(EXAMPLE.read_text())
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "meetctl"), "report", "--today", "2017-03-01"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "reports/2017-02-22-100th-anniversary-of-the-russian-revolution.md\n"
    assert (tmp_path / result.stdout.strip()).read_text() == (ROOT / "tests/golden/report-example.md").read_text()
