"""Notice periods: "21 clear days", "14 days", "6 weeks" -> the last day notice can be given.

Stage: the validated model. Pure: no clock, no printing (today is a parameter).

How each form is counted (the README says the same for secretaries):

* ``N days`` (also ``N calendar days``): the meeting is at least N days after the
  day notice is given. For a meeting on the 22nd, 14 days' notice is given by the 8th.
* ``N clear days``: N whole days lie *between* the day notice is given and the day
  of the meeting; neither of those two days counts. For a meeting on the 22nd,
  21 clear days' notice is given by the 31st of the month before (22 - 21 - 1).
* ``N weeks`` is ``7N days``; ``N clear weeks`` is ``7N clear days``.
* ``N months`` (also ``N calendar months``): the same day of the month N months
  before the meeting (the month's last day when it has no such day).

The *deadline* is the last day on which notice counts as given in time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_NOTICE = re.compile(
    r"^\s*(?P<n>\d{1,3})\s+(?P<clear>clear\s+)?(?:calendar\s+)?(?P<unit>days?|weeks?|months?)\s*$",
    re.IGNORECASE,
)

#: The longest notice period accepted, per unit: a year.
LONGEST = {"day": 366, "week": 52, "month": 12}
#: What a notice rule may look like, for error messages.
NOTICE_FORMS = '"21 clear days", "14 days", "6 weeks", "2 clear weeks" or "1 month"'


@dataclass(frozen=True)
class NoticeRule:
    """A notice period as the group's rules say it."""

    count: int
    unit: str  # "day", "week" or "month"
    clear: bool
    source: str

    def deadline(self, meeting_day: date) -> date:
        """The last day on which notice of a meeting on ``meeting_day`` is given in time."""
        if self.unit == "month":
            from dateutil.relativedelta import relativedelta

            return meeting_day - relativedelta(months=self.count)
        days = self.count * (7 if self.unit == "week" else 1)
        # Clear days leave out the day of sending as well as the meeting's own day.
        return meeting_day - timedelta(days=days + (1 if self.clear else 0))

    def __str__(self) -> str:
        plural = "" if self.count == 1 else "s"
        return f"{self.count} {'clear ' if self.clear else ''}{self.unit}{plural}"


def parse_notice(text: str) -> NoticeRule:
    """``"21 clear days"`` -> NoticeRule; ValueError naming the accepted forms otherwise."""
    m = _NOTICE.match(text)
    if not m:
        raise ValueError(f"unknown notice period {text!r} (expected e.g. {NOTICE_FORMS})")
    count = int(m.group("n"))
    if count < 1:
        raise ValueError(f"notice period {text!r} must be at least 1")
    unit = m.group("unit").lower().rstrip("s")
    if count > LONGEST[unit]:
        # No rule book asks for more than a year; a typo ("210 days") should not pass silently.
        raise ValueError(f"notice period {text!r} is longer than a year (at most {LONGEST[unit]} {unit}s)")
    if unit == "month" and m.group("clear"):
        # "clear months" has no settled meaning; make the group say it in days or weeks.
        raise ValueError(f"notice period {text!r}: say clear notice in days or weeks, not months")
    return NoticeRule(count=count, unit=unit, clear=bool(m.group("clear")), source=text.strip())


#: How long before its deadline a formal notice goes out when no ``notice_lead`` says otherwise:
#: two days, so one missed cron run cannot make a meeting invalid.
DEFAULT_LEAD_DAYS = 2
#: The longest lead accepted: notice sent more than this before its deadline is a typo.
LONGEST_LEAD_DAYS = 90
_LEAD = re.compile(r"^\s*(?P<n>\d{1,3})\s+(?P<unit>days?|weeks?)\s*$", re.IGNORECASE)


def parse_lead(text: str) -> int:
    """``"2 days"``, ``"1 week"``, ``"0 days"`` -> a number of days; ValueError naming the forms otherwise."""
    m = _LEAD.match(text)
    if not m:
        raise ValueError(f"invalid notice lead {text!r} (expected e.g. \"2 days\", \"1 week\" or \"0 days\")")
    days = int(m.group("n")) * (7 if m.group("unit").lower().startswith("week") else 1)
    if days > LONGEST_LEAD_DAYS:
        raise ValueError(f"notice lead {text!r} is longer than {LONGEST_LEAD_DAYS} days")
    return days


def notice_given_in_time(rule: NoticeRule, sent: date, meeting_day: date) -> bool:
    """Whether notice sent on ``sent`` satisfies ``rule`` for a meeting on ``meeting_day``."""
    return sent <= rule.deadline(meeting_day)


#: Words for the kinds of meeting groups commonly name; any other kind is said as written.
KIND_WORDS = {
    "agm": "Annual General Meeting",
    "egm": "Extraordinary General Meeting",
    "sgm": "Special General Meeting",
    "committee": "Committee Meeting",
}


def kind_words(kind: str) -> str:
    """'agm' -> 'Annual General Meeting'; a group's own word ('branch meeting') as written."""
    return KIND_WORDS.get(kind.strip().lower(), kind.strip())


def longest_lead(rule: NoticeRule) -> int:
    """At most how many days before a meeting its deadline can fall (months count as 31 days)."""
    per = {"day": 1, "week": 7, "month": 31}[rule.unit]
    return rule.count * per + 1
