"""Cron over a quarter for the three-stream branch: every message delivered exactly once.

The branch of tests/test_e2e_three_streams.py (Europe/London, a cancelled reading
group, a moved branch meeting, the March clock change), with an AGM that needs 14
clear days' notice. Cron runs `remind --days 7 --days 1 --send --sendmail MAILER`
every morning, except one morning the machine was off (the AGM notice's own day),
and one morning the mailer fails (exit 75). Which message is due when, and on which
morning it must arrive, is worked out here from the calendar, not from meetctl.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date, timedelta

from tests.test_e2e_three_streams import BRANCH, CANCELLED, DAY_SCHOOL, FIRST, LAST, MOVED_FROM, MOVED_TO, READING
from tests.test_e2e_three_streams import PROGRAMME as THREE_STREAMS
from tests.test_mail_pipes import fake_mailer

AGM_DAY = date(2027, 4, 17)  # a Saturday afternoon
# 14 clear days: 14 whole days between the day notice is given and the meeting's day.
AGM_DEADLINE = AGM_DAY - timedelta(days=14 + 1)
NOTICE_DAY = AGM_DEADLINE - timedelta(days=2)  # notice_lead's default
PROGRAMME = (
    THREE_STREAMS
    + f"""
[[meetings]]
date = {AGM_DAY}
title = "Annual General Meeting"
kind = "agm"
notice = "14 clear days"
start = "14:00"
venue = "hall"
"""
)
MISSED = NOTICE_DAY  # the laptop was off that morning
MAILER_FAILS = CANCELLED - timedelta(days=7)  # the day the cancellation is first told
CATCH_UP = 3


def said(day: date) -> str:
    return f"{day.day} {day:%B}"


def expected_messages() -> dict[tuple[str, date, date], date]:
    """(kind, the meeting's date, the day it is due) -> the morning it must arrive."""
    scheduled = [d for d in BRANCH if d != MOVED_FROM] + [MOVED_TO, DAY_SCHOOL, AGM_DAY]
    scheduled += [d for d in READING if d != CANCELLED]
    due = [("reminder", d, d - timedelta(days=n)) for d in scheduled for n in (7, 1)]
    due += [("cancelled", CANCELLED, CANCELLED - timedelta(days=n)) for n in (7, 1)]
    due += [("moved", MOVED_FROM, MOVED_FROM - timedelta(days=n)) for n in (7, 1)]
    due += [("notice", AGM_DAY, NOTICE_DAY)]
    worked = {day for day in days(FIRST, LAST) if day not in (MISSED, MAILER_FAILS)}
    out = {}
    for kind, meeting, day in due:
        if not FIRST - timedelta(days=CATCH_UP) <= day <= LAST:
            continue
        arrives = min((d for d in worked if d >= day), default=None)
        last_useful = AGM_DEADLINE if kind == "notice" else meeting  # every meeting starts after midnight
        assert arrives is not None and (arrives - day).days <= CATCH_UP and arrives <= last_useful
        out[kind, meeting, day] = arrives
    return out


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_cron_over_a_quarter_delivers_every_message_exactly_once(cli, write_programme, tmp_path):
    path, mailer = write_programme(PROGRAMME), fake_mailer(tmp_path)
    env = {"MEETCTL_STATE_DIR": str(tmp_path / "state")}
    inbox = tmp_path / "inbox"
    arrived: list[tuple[date, email.message.EmailMessage]] = []
    for day in days(FIRST, LAST):
        if day == MISSED:
            continue
        if day == MAILER_FAILS:
            (tmp_path / "fail-next").touch()
        before = len(list(inbox.glob("*.eml")))
        result = cli("remind", "-f", path, "--today", day.isoformat(), "--days", "7", "--days", "1",
                     "--send", "--sendmail", mailer, env=env)  # fmt: skip
        assert result.exit_code == (75 if day == MAILER_FAILS else 0), (day, result.stderr)
        new = sorted(inbox.glob("*.eml"), key=lambda p: int(p.stem))[before:]
        arrived += [(day, email.message_from_bytes(p.read_bytes(), policy=email.policy.default)) for p in new]

    got: dict[tuple[str, date, date], date] = {}
    for day, msg in arrived:
        m = re.match(r"<(reminder|cancelled|moved|notice)-(\d{8})-(\d{8})-", msg["Message-ID"])
        key = (m[1], date.fromisoformat(m[2]), date.fromisoformat(m[3]))
        assert key not in got, f"{key} delivered twice"
        got[key] = day
        subject = msg["Subject"]
        if key[0] == "moved":
            assert subject.startswith(f"Moved to Tuesday {said(MOVED_TO)}, 7:30pm:") and said(MOVED_FROM) in subject
        else:
            assert said(key[1]) in subject
        assert msg["Date"].datetime.date() == day  # sent that morning
    expected = expected_messages()
    assert got == expected
    # The two bad mornings were caught up the next day, and the AGM's notice was in time.
    assert {k: d for k, d in got.items() if k[2] in (MISSED, MAILER_FAILS)} == {
        k: k[2] + timedelta(days=1) for k in expected if k[2] in (MISSED, MAILER_FAILS)
    }
    assert [k for k in expected if k[2] == MISSED] and [k for k in expected if k[2] == MAILER_FAILS]
    assert got["notice", AGM_DAY, NOTICE_DAY] <= AGM_DEADLINE
    # Across the clock change: the reading group's time is said in the zone's time of that day.
    for (kind, meeting, _), day in got.items():
        if kind == "reminder" and meeting in READING:
            msg = next(m for d, m in arrived if d == day and said(meeting) in m["Subject"])
            zone = "BST" if meeting > date(2027, 3, 28) else "GMT"
            assert f"6:30pm to 8pm {zone} (Europe/London)" in " ".join(msg.get_body(("plain",)).get_content().split())
