"""`meetctl remind` tells of changes: cancellation and "moved" notices on the days reminders go out.

Cron is simulated day by day over a quarter; which days it speaks, and of what, is
worked out here from plain calendar arithmetic, not from meetctl.
"""

from __future__ import annotations

import calendar
import email
import email.policy
import json
import socket
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import BRANCH_AND_READING, HEADER

FIRST, LAST = date(2027, 1, 1), date(2027, 3, 31)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (0 = Monday) of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def weekdays_between(first: date, last: date, weekday: int) -> list[date]:
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    out = []
    while day <= last:
        out.append(day)
        day += timedelta(days=7)
    return out


BRANCH = [nth_weekday(2027, m, calendar.TUESDAY, 2) for m in (1, 2, 3)]  # 12 Jan, 9 Feb, 9 Mar
READING = weekdays_between(FIRST, LAST + timedelta(days=14), calendar.THURSDAY)
CANCELLED = READING[5]  # the sixth Thursday: 11 February
MOVED_FROM = BRANCH[2]  # 9 March ...
MOVED_TO = MOVED_FROM + timedelta(days=7)  # ... to 16 March

PROGRAMME = HEADER + BRANCH_AND_READING + f"""
[[meetings]]
series = "reading"
date = {CANCELLED}
cancelled = true
reason = "The hall is closed for repairs"

[[meetings]]
series = "branch"
date = {MOVED_TO}
replaces = {MOVED_FROM}
title = "Housing campaign report-back"
"""


def said(day: date) -> str:
    """'11 February': how every reminder and notice names a date (weekday and year aside)."""
    return f"{day.day} {calendar.month_name[day.month]}"


def expected_on(today: date) -> list[tuple[str, date]]:
    """What cron should say on ``today`` with --days 7 --days 1, from the facts above."""
    scheduled = [d for d in BRANCH if d != MOVED_FROM] + [MOVED_TO] + [d for d in READING if d != CANCELLED]
    out = []
    for n in (7, 1):
        day = today + timedelta(days=n)
        out += [("reminder", day) for d in scheduled if d == day]
        out += [("cancelled", day)] if day == CANCELLED else []
        out += [("moved", day)] if day == MOVED_FROM else []
    return out


@pytest.fixture
def programme(write_programme) -> Path:
    return write_programme(PROGRAMME)


def test_cron_over_a_quarter_speaks_on_the_right_days_only(cli, programme):
    spoken_days = 0
    day = FIRST - timedelta(days=7)
    while day <= LAST:
        result = cli("remind", "-f", programme, "--today", day.isoformat(), "--days", "7", "--days", "1")
        assert result.exit_code == 0 and result.stderr == "", (day, result.stderr)
        wanted = expected_on(day)
        out = " ".join(result.stdout.split())  # wrapped at 72 columns: compare words
        if not wanted:
            assert result.stdout == "", f"cron spoke on {day}: {out}"
            day += timedelta(days=1)
            continue
        spoken_days += 1
        kinds = sorted(k for k, _ in wanted)
        found = sorted(
            ["reminder"] * out.count("Quick reminder")
            + ["cancelled"] * out.count("is CANCELLED.")
            + ["moved"] * out.count("has MOVED to")
        )
        assert found == kinds, (day, out)
        for kind, when in wanted:
            assert said(when) in out, (day, kind, when)
        if ("cancelled", CANCELLED) in wanted:
            assert "Reading group) is CANCELLED." in out and "The hall is closed for repairs" in out
            # ... and the next reading group, a week later, is named.
            assert f"After that: {calendar.day_name[CANCELLED.weekday()]} {said(CANCELLED + timedelta(days=7))}" in out
        if ("moved", MOVED_FROM) in wanted:
            assert "that was to be" in out and "(Branch meeting) has MOVED to" in out
            assert said(MOVED_TO) in out and "7:30pm" in out
        if ("reminder", MOVED_TO) in wanted:
            assert f"moved from {calendar.day_name[MOVED_FROM.weekday()]} {said(MOVED_FROM)}" in out
        day += timedelta(days=1)
    # Reminders and notices of three months of weekly and monthly meetings.
    assert spoken_days > 20


def test_the_day_a_cancellation_notice_goes_out_it_replaces_the_reminder(cli, programme):
    today = CANCELLED - timedelta(days=7)
    text = cli("remind", "-f", programme, "--today", today.isoformat()).stdout
    assert text.startswith(f"Please note: the meeting next {calendar.day_name[CANCELLED.weekday()]}, {said(CANCELLED)}")
    assert "Quick reminder" not in text
    md = cli("remind", "-f", programme, "--today", today.isoformat(), "--format", "markdown").stdout
    assert "## CANCELLED: Reading group" in md


def test_a_move_announced_before_the_old_date_and_reminded_before_the_new(cli, programme):
    before_old = cli("remind", "-f", programme, "--today", (MOVED_FROM - timedelta(days=7)).isoformat()).stdout
    assert "has MOVED to" in before_old and "Quick reminder" not in before_old
    before_new = cli("remind", "-f", programme, "--today", (MOVED_TO - timedelta(days=7)).isoformat()).stdout
    assert "Quick reminder" in before_new and "Housing campaign report-back" in before_new


def test_a_meeting_moved_earlier_and_already_held_brings_no_notice(cli, write_programme):
    earlier = MOVED_FROM - timedelta(days=6)  # brought forward to the Wednesday before
    path = write_programme(PROGRAMME.replace(f"date = {MOVED_TO}", f"date = {earlier}"))
    on_the_day = cli("remind", "-f", path, "--today", earlier.isoformat(), "--days", "6").stdout
    assert "has MOVED to today" in on_the_day  # still to come that evening: worth saying
    after = cli("remind", "-f", path, "--today", (MOVED_FROM - timedelta(days=1)).isoformat(), "--days", "1")
    assert after.stdout == ""


def test_each_notice_has_its_own_stable_message_id(cli, programme):
    def message(today: date) -> email.message.EmailMessage:
        result = cli("remind", "-f", programme, "--today", today.isoformat(), "--format", "email")
        assert result.exit_code == 0, result.stderr
        return email.message_from_bytes(result.stdout_bytes, policy=email.policy.default)

    week, day_before = CANCELLED - timedelta(days=7), CANCELLED - timedelta(days=1)
    first, again, later = message(week), message(week), message(day_before)
    moved = message(MOVED_FROM - timedelta(days=7))
    assert first["Message-ID"] == again["Message-ID"]  # the same run twice: the same message
    ids = {first["Message-ID"], later["Message-ID"], moved["Message-ID"]}
    assert len(ids) == 3
    assert first["Subject"] == f"Cancelled: {calendar.day_name[CANCELLED.weekday()]} {said(CANCELLED)}, 6:30pm: Reading group"
    assert moved["Subject"].startswith(f"Moved to {calendar.day_name[MOVED_TO.weekday()]} {said(MOVED_TO)}, 7:30pm:")
    ics = next(first.iter_attachments()).get_content()
    assert "STATUS:CANCELLED" in ics
    moved_ics = next(moved.iter_attachments()).get_content()
    assert "RECURRENCE-ID:20270309T193000Z" in moved_ics and "DTSTART:20270316T193000Z" in moved_ics


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_send_logs_a_notice_and_never_sends_it_twice(cli, write_programme, tmp_path):
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.envelopes: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            self.envelopes.append(envelope)
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        mail = f'\n[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = {controller.port}\nsecurity = "none"\n'
        path = write_programme(PROGRAMME.replace("\n[[series]]", mail + "\n[[series]]", 1))
        state = tmp_path / "state"
        env = {"MEETCTL_STATE_DIR": str(state)}
        today = (CANCELLED - timedelta(days=7)).isoformat()
        for _ in range(2):  # (no catch-up: the branch meeting's reminder two days ago is not this test's)
            result = cli("remind", "-f", path, "--today", today, "--send", "--catch-up", "0", env=env)
            assert result.exit_code == 0, result.stderr
    finally:
        controller.stop()
    (envelope,) = inbox.envelopes
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert msg["Subject"].startswith("Cancelled:")
    (entry,) = [json.loads(line) for line in (state / "sent.jsonl").read_text().splitlines()]
    assert entry["message_id"] == msg["Message-ID"]


def test_a_moved_meeting_later_cancelled_is_told_before_both_dates(cli, write_programme):
    path = write_programme(PROGRAMME.replace("title = \"Housing campaign report-back\"", "cancelled = true"))
    before_old = " ".join(cli("remind", "-f", path, "--today", str(MOVED_FROM - timedelta(days=7))).stdout.split())
    assert before_old.startswith(
        f"Please note: the meeting that was to be next Tuesday, {said(MOVED_FROM)} (Branch meeting), "
        f"later moved to Tuesday {said(MOVED_TO)}, is CANCELLED."
    )
    assert "has MOVED" not in before_old
    before_new = " ".join(cli("remind", "-f", path, "--today", str(MOVED_TO - timedelta(days=7))).stdout.split())
    assert before_new.startswith(f"Please note: the meeting next Tuesday, {said(MOVED_TO)}, at 7:30pm (Branch meeting)")
