"""Notice periods: deadlines against dates worked out independently, check's warnings, remind's notice."""

from __future__ import annotations

import calendar
import email
import email.policy
from datetime import date, timedelta

import pytest

from meetctl.model.notice import parse_notice
from tests.conftest import HEADER

# --------------------------------------------------------------------------- the deadline, counted by hand


def clear_days_between(sent: date, meeting: date) -> int:
    """Whole days strictly between the day of sending and the day of the meeting, counted one by one."""
    count, day = 0, sent + timedelta(days=1)
    while day < meeting:
        count, day = count + 1, day + timedelta(days=1)
    return count


def latest_sending_day(meeting: date, in_time) -> date:
    """Walk back from the meeting to the last day on which sending is in time."""
    day = meeting
    while not in_time(day):
        day -= timedelta(days=1)
    return day


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the month's last day if it is shorter)."""
    year, month = day.year, day.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Month ends, leap days (2024 is a leap year, 2023 and 2100 are not), a year's turn.
MEETINGS = [date(2024, 3, 1), date(2024, 2, 29), date(2023, 3, 1), date(2024, 3, 21), date(2025, 1, 2),
            date(2024, 12, 31), date(2100, 3, 1), date(2024, 5, 31)]  # fmt: skip


@pytest.mark.parametrize("meeting", MEETINGS)
@pytest.mark.parametrize("n", [1, 14, 21, 28, 42])
def test_clear_days_leave_out_the_day_of_sending_and_the_day_of_the_meeting(meeting, n):
    expected = latest_sending_day(meeting, lambda sent: clear_days_between(sent, meeting) >= n)
    assert parse_notice(f"{n} clear days").deadline(meeting) == expected
    assert clear_days_between(expected, meeting) == n  # exactly n: the last possible day


@pytest.mark.parametrize("meeting", MEETINGS)
@pytest.mark.parametrize(("text", "days"), [("14 days", 14), ("28 calendar days", 28), ("1 day", 1),
                                            ("6 weeks", 42), ("1 week", 7), ("2 Weeks", 14)])  # fmt: skip
def test_days_and_weeks_count_from_the_day_of_sending_to_the_meeting(meeting, text, days):
    expected = latest_sending_day(meeting, lambda sent: (meeting - sent).days >= days)
    assert parse_notice(text).deadline(meeting) == expected


@pytest.mark.parametrize("meeting", MEETINGS)
def test_clear_weeks_are_seven_clear_days_each(meeting):
    expected = latest_sending_day(meeting, lambda sent: clear_days_between(sent, meeting) >= 14)
    assert parse_notice("2 clear weeks").deadline(meeting) == expected


@pytest.mark.parametrize("meeting", MEETINGS)
@pytest.mark.parametrize("months", [1, 2, 12])
def test_months_go_back_to_the_same_day_or_the_months_last(meeting, months):
    assert parse_notice(f"{months} months").deadline(meeting) == months_before(meeting, months)


def test_worked_examples_from_the_readme():
    assert parse_notice("21 clear days").deadline(date(2024, 3, 21)) == date(2024, 2, 28)
    assert parse_notice("14 days").deadline(date(2024, 3, 22)) == date(2024, 3, 8)
    assert parse_notice("1 month").deadline(date(2024, 3, 31)) == date(2024, 2, 29)


@pytest.mark.parametrize(
    "text", ["21 clear dayz", "clear days", "0 days", "21", "two weeks", "3 clear months", "", "400 days", "13 months"]
)
def test_a_notice_period_that_is_not_understood_is_refused(text):
    with pytest.raises(ValueError, match="notice period"):
        parse_notice(text)


# --------------------------------------------------------------------------- check and remind

AGM_DAY = date(2024, 3, 21)
AGM = HEADER + """
[[meetings]]
date = 2024-03-21
title = "Annual General Meeting"
kind = "agm"
notice = "21 clear days"
start = "19:00"
venue = "hall"

[[meetings.agenda]]
title = "Election of officers"
minutes = 30
"""
DEADLINE = latest_sending_day(AGM_DAY, lambda sent: clear_days_between(sent, AGM_DAY) >= 21)
#: The notice goes out two days before its deadline (notice_lead's default), so a missed day is not fatal.
SENT = DEADLINE - timedelta(days=2)


def test_check_warns_within_a_week_of_the_deadline_and_after_it(cli, write_programme):
    path = write_programme(AGM)
    quiet = cli("check", "-f", path, "--today", (DEADLINE - timedelta(days=8)).isoformat())
    assert quiet.exit_code == 0 and quiet.stderr == ""
    soon = cli("check", "-f", path, "--today", (DEADLINE - timedelta(days=7)).isoformat(), "--strict")
    assert soon.exit_code == 1
    assert soon.stderr == (
        f"{path}:{AGM.splitlines().index('[[meetings]]') + 1}:1: warning: {AGM_DAY} 'Annual General Meeting' needs notice of 21 clear days: "
        f"notice must be given by Wednesday 28 February 2024 ({DEADLINE}), in 7 days\n"
    )
    today = cli("check", "-f", path, "--today", DEADLINE.isoformat())
    assert f"notice must be given today, Wednesday 28 February 2024 ({DEADLINE})" in today.stderr
    passed = cli("check", "-f", path, "--today", "2024-03-02")
    assert f"the deadline for notice was Wednesday 28 February 2024 ({DEADLINE}), 3 days ago" in passed.stderr
    held = cli("check", "-f", path, "--today", "2024-03-22")
    assert "notice" not in held.stderr


def test_a_series_notice_applies_to_each_of_its_meetings(cli, write_programme):
    path = write_programme(HEADER + """
[[series]]
id = "committee"
title = "Committee"
rule = "first Monday of the month"
start = "18:00"
from = 2024-01-01
kind = "committee"
notice = "7 days"
""")
    result = cli("check", "-f", path, "--today", "2024-03-25")
    # April 1st (a Monday) needs notice by March 25th; May 6th's deadline (29 April) is weeks away.
    assert result.stderr.count("warning") == 1
    assert "2024-04-01 'Committee' needs notice of 7 days: notice must be given today" in result.stderr


def test_over_a_quarter_of_cron_days_the_notice_goes_out_once_two_days_before_the_deadline(cli, write_programme):
    path = write_programme(AGM)
    notices, reminders = [], []
    day = date(2024, 1, 1)
    while day <= date(2024, 3, 31):
        out = cli("remind", "-f", path, "--today", day.isoformat())
        assert out.exit_code == 0 and out.stderr == ""
        if "Notice is hereby given" in out.stdout:
            notices.append((day, out.stdout))
        elif out.stdout:
            reminders.append(day)
        day += timedelta(days=1)
    assert [d for d, _ in notices] == [SENT]
    assert reminders == [AGM_DAY - timedelta(days=7)]  # the usual reminder still goes a week ahead
    text = " ".join(notices[0][1].split())  # wrapped at 72 columns
    assert "Notice of the Annual General Meeting of Test Group, given on Monday 26 February 2024." in text
    assert "Election of officers (30 min)" in text
    assert "Any other business" in text


def test_the_notice_email_has_its_own_stable_message_id(cli, write_programme):
    path = write_programme(AGM)
    first = cli("remind", "-f", path, "--today", SENT.isoformat(), "--format", "email")
    again = cli("remind", "-f", path, "--today", SENT.isoformat(), "--format", "email")
    assert first.exit_code == 0 and first.stdout_bytes == again.stdout_bytes
    reminder = cli("remind", "-f", path, "--today", (AGM_DAY - timedelta(days=7)).isoformat(), "--format", "email")
    notice = email.message_from_bytes(first.stdout_bytes, policy=email.policy.default)
    usual = email.message_from_bytes(reminder.stdout_bytes, policy=email.policy.default)
    assert notice["Message-ID"].startswith(f"<notice-20240321-{SENT:%Y%m%d}-")
    assert notice["Message-ID"] != usual["Message-ID"]
    assert notice["Subject"] == "Notice of the Annual General Meeting: Thursday 21 March 2024, 7pm"
    assert "Election of officers" in notice.get_body(("plain",)).get_content()
    html = notice.get_body(("html",)).get_content()
    assert "<li class=\"item\"><span class=\"item-title\">Election of officers</span>" in html
    assert [p.get_content_type() for p in notice.iter_attachments()] == ["text/calendar"]
    assert notice.get_all("MIME-Version") == ["1.0"]


def test_markdown_notice_carries_the_agenda_in_markdown(cli, write_programme):
    path = write_programme(AGM)
    out = cli("remind", "-f", path, "--today", SENT.isoformat(), "--format", "markdown")
    assert out.stdout.startswith("**Notice is hereby given of the Annual General Meeting of Test Group")
    assert "\n# Test Group: Annual General Meeting\n" in out.stdout
    assert "\n1. Apologies for absence\n" in out.stdout


# --------------------------------------------------------------------------- sent for real (aiosmtpd on 127.0.0.1)

from tests.test_send import PASSWORD, start_server, tls  # noqa: E402, F401 - fixtures of a real SMTP server


def test_remind_send_delivers_the_notice_once(cli, write_programme, start_server, tmp_path):  # noqa: F811
    controller, inbox = start_server()
    mail = f'\n[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = {controller.port}\nuser = "secretary@example.org"\n'
    path = write_programme(AGM.replace("[[meetings]]", mail + "\n[[meetings]]", 1))
    env = {"MEETCTL_STATE_DIR": str(tmp_path / "state"), "MEETCTL_SMTP_PASSWORD": PASSWORD}
    for day in (DEADLINE - timedelta(days=1), DEADLINE, DEADLINE, DEADLINE + timedelta(days=1)):
        result = cli("remind", "-f", path, "--today", day.isoformat(), "--send", "-v", env=env)
        assert result.exit_code == 0, result.stderr
    (message,) = inbox.messages()  # the second run on the deadline finds it in the sent-log
    assert message["Subject"] == "Notice of the Annual General Meeting: Thursday 21 March 2024, 7pm"
    assert message["To"] == "members@example.org"
    assert "Election of officers (30 min)" in message.get_body(("plain",)).get_content()
