"""What goes out today (mail/outbox.py), asked as a library: changes first, then formal notices, then reminders.

The outbox never renders an agenda itself (mail does not import documents): the caller
passes a renderer, here one that says what it was asked for.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from meetctl.mail.outbox import Outbox, due_today
from meetctl.model.loading import parse_programme
from tests.conftest import HEADER

# The AGM's 21 clear days of notice end on Wednesday 28 February, when the weekly
# meetings of 6 March (cancelled) and 13 March are 7 and 14 days ahead; its notice
# goes out on the deadline day itself (notice_lead = "0 days").
DEADLINE = date(2024, 2, 28)
PROGRAMME = HEADER + """
[[series]]
id = "weekly"
title = "Weekly meeting"
rule = "every Wednesday"
start = "19:00"
venue = "hall"
from = 2024-01-01

[[meetings]]
series = "weekly"
date = 2024-03-06
cancelled = true
reason = "The hall is closed"

[[meetings]]
date = 2024-03-21
title = "Annual General Meeting"
kind = "agm"
notice = "21 clear days"
notice_lead = "0 days"
start = "19:00"
venue = "hall"
"""


@pytest.fixture
def programmes():
    return [parse_programme(PROGRAMME)]


@pytest.fixture
def asked():
    """An agenda renderer that records what it is asked for."""
    calls: list[tuple[str, str]] = []

    def render(o, fmt):
        calls.append((o.title, fmt))
        return f"[the agenda of the {o.title}, as {fmt}]"

    render.calls = calls
    return render


NOW = datetime(2024, 2, 28, tzinfo=ZoneInfo("Europe/London"))


def test_the_text_tells_the_change_then_the_notice_then_the_reminder(programmes, asked):
    outbox = due_today(programmes, DEADLINE, [7, 14], "text", NOW, [], asked)
    text = outbox.text
    cancelled = text.index("the meeting next Wednesday, 6 March, at 7pm (Weekly\nmeeting) is CANCELLED")
    notice = text.index("Notice is hereby given of the Annual General Meeting")
    reminder = text.index("Quick reminder: we meet on Wednesday 13 March")
    assert cancelled < notice < reminder
    assert "[the agenda of the Annual General Meeting, as text]" in text
    assert outbox.messages == () and asked.calls == [("Annual General Meeting", "text")]


def test_as_email_each_is_a_message_in_the_same_order(programmes, asked):
    outbox = due_today(programmes, DEADLINE, [7, 14], "email", NOW, ["branch@example.org"], asked)
    assert [m["Subject"] for m in outbox.messages] == [
        "Cancelled: Wednesday 6 March, 7pm: Weekly meeting",
        "Notice of the Annual General Meeting: Thursday 21 March 2024, 7pm",
        "Reminder: Wednesday 13 March, 7pm: Weekly meeting",
    ]
    assert {m["To"] for m in outbox.messages} == {"branch@example.org"}
    # The email's text part carries the text agenda, its HTML part the HTML one.
    assert asked.calls == [("Annual General Meeting", "text"), ("Annual General Meeting", "html")]


def test_markdown_asks_for_the_agenda_in_markdown(programmes, asked):
    outbox = due_today(programmes, DEADLINE, [7, 14], "markdown", NOW, [], asked)
    assert "[the agenda of the Annual General Meeting, as markdown]" in outbox.text
    assert asked.calls == [("Annual General Meeting", "markdown")]


def test_a_day_with_nothing_due_is_an_empty_outbox_and_renders_nothing(programmes, asked):
    outbox = due_today(programmes, date(2024, 2, 29), None, "text", NOW, [], asked)
    assert outbox == Outbox() and not outbox
    assert asked.calls == []


def test_without_days_a_reminder_goes_a_week_ahead(programmes, asked):
    outbox = due_today(programmes, date(2024, 3, 6), None, "text", NOW, [], asked)
    assert outbox.text.startswith("Quick reminder: our next meeting is next Wednesday, 13 March") and "Notice" not in outbox.text
