"""A recurrence rule as RFC 5545 parts: a raw RRULE read and checked, and the dates a rule gives.

Stage: the validated model. A series' rule, written as an English phrase
(:mod:`meetctl.model.rules` reads those) or as a raw RRULE ("FREQ=MONTHLY;BYDAY=-1WE"),
becomes a :class:`Rule`. Here is what a rule may be (RFC 5545's ranges and
combinations, and at least one date) and the dates it gives in a window, with
python-dateutil doing the date arithmetic.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


class RuleError(ValueError):
    """A phrase or RRULE that meetctl cannot read; the message says why."""


@dataclass(frozen=True)
class Rule:
    """A recurrence rule, kept in the parts meetctl can reason about.

    ``byday`` holds ``(ordinal, weekday)`` pairs: ordinal ``None`` means every such
    weekday, ``-1`` the last one of the month; weekday 0 is Monday.
    """

    freq: str
    interval: int = 1
    byday: tuple[tuple[int | None, int], ...] = ()
    bymonthday: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    #: Other RFC 5545 parts of a raw rule (BYYEARDAY, BYWEEKNO, WKST), kept verbatim.
    extra: tuple[tuple[str, str], ...] = ()
    #: What the user wrote, for messages.
    source: str = field(default="", compare=False)

    @property
    def rrule(self) -> str:
        """The rule as an RFC 5545 RRULE value, without DTSTART or UNTIL."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.bymonth:
            parts.append("BYMONTH=" + ",".join(map(str, self.bymonth)))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.bymonthday)))
        if self.byday:
            parts.append("BYDAY=" + ",".join(_byday_code(n, wd) for n, wd in self.byday))
        if self.bysetpos:
            parts.append("BYSETPOS=" + ",".join(map(str, self.bysetpos)))
        parts.extend(f"{k}={v}" for k, v in self.extra)
        return ";".join(parts)

    def dates(self, first: date, last: date) -> Iterator[date]:
        """Every date of the rule from ``first`` to ``last`` inclusive.

        The rule is anchored on its first occurrence on or after ``first``, so
        "every other Friday" counts fortnights from the first Friday, not from
        whatever weekday ``first`` is.
        """
        if last < first:
            return iter(())
        anchor = self.first_on_or_after(first)
        if anchor is None or anchor > last:
            return iter(())
        return (d.date() for d in self._rrule(anchor, until=last))

    def dates_within(self, origin: date, first: date, last: date) -> Iterator[date]:
        """The dates of the rule counted from ``origin`` that fall in ``first..last``.

        The same dates as ``dates(origin, last)`` from ``first`` on, without stepping
        through every period since ``origin``: the count jumps ahead by whole
        intervals (weeks, months, years) to the last period start at or before
        ``first``, so cron's "what is due today?" costs the same after forty years of
        meetings as after one.
        """
        first = max(first, origin)
        if last < first or self._misses(first, last):
            return iter(())
        anchor = _first_on_or_after(self, origin)
        if anchor is None or anchor > last:
            return iter(())
        start = self._jump(anchor, first)
        return (d.date() for d in self._rrule(start, until=last) if d.date() >= first)

    def _misses(self, first: date, last: date) -> bool:
        """Whether a window of less than a week has no day of the rule's weekdays or months.

        Every BYDAY and BYMONTH part only ever narrows the dates (RFC 5545), so this
        cheap test answers most of cron's one-day questions without dateutil.
        """
        if (last - first).days >= 7:
            return False
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        weekdays = {wd for _, wd in self.byday}
        if weekdays and not any(d.weekday() in weekdays for d in days):
            return True
        if self.bymonthday and not any(_is_monthday(d, self.bymonthday) for d in days):
            return True
        return bool(self.bymonth) and not any(d.month in self.bymonth for d in days)

    def _jump(self, anchor: date, first: date) -> date:
        """The latest date ``anchor + k * INTERVAL periods`` at or before ``first`` (k >= 0).

        dateutil counts periods from its DTSTART and leaves out dates before it; a
        DTSTART moved by whole intervals keeps the count, and keeps the day, weekday
        and month that dateutil reads from DTSTART when the rule does not name them.
        """
        if first <= anchor:
            return anchor
        n = self.interval
        if self.freq in ("DAILY", "WEEKLY"):
            period = 1 if self.freq == "DAILY" else 7
            steps = (first - anchor).days // (period * n) * n
            return anchor + timedelta(days=steps * period)
        per_year = 12 if self.freq == "MONTHLY" else 1
        index = (first.year * 12 + first.month - 1) // (12 // per_year)
        base = (anchor.year * 12 + anchor.month - 1) // (12 // per_year)
        steps = (index - base) // n * n
        while steps > 0:
            months = steps * (12 // per_year)
            year, month = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
            try:
                moved = anchor.replace(year=year, month=month + 1)
            except ValueError:  # the 31st in a short month, 29 February: one interval earlier
                steps -= n
                continue
            if moved <= first:
                return moved
            steps -= n
        return anchor

    def holds_on(self, origin: date, day: date) -> bool | None:
        """Whether ``day`` is a date of the rule counted from ``origin``, worked out without dateutil.

        For the shapes secretaries write (monthly by weekday or day of the month, weekly
        or every N weeks on some weekdays, each maybe limited to some months): checking
        7,000 described meetings then builds no rrule at all. None for any other shape
        (daily, yearly, BYSETPOS, raw parts): the caller asks dateutil.
        """
        if day < origin:
            return False
        if self.bysetpos or self.extra:
            return None
        if self.freq == "MONTHLY" and self.interval == 1 and (self.byday or self.bymonthday):
            # Every month is a period: a day on the filters is a date of the rule.
            return self._on_filters(day)
        if self.freq == "WEEKLY" and self.byday and not self.bymonthday and all(n is None for n, _ in self.byday):
            if not self._on_filters(day):
                return False
            if self.interval == 1:
                return True
            # dateutil counts periods of INTERVAL weeks (Monday to Sunday) from the first date on or after origin.
            anchor = next((d for d in (origin + timedelta(days=i) for i in range(372)) if self._on_filters(d)), None)
            if anchor is None:
                return None
            weeks = ((day - timedelta(days=day.weekday())) - (anchor - timedelta(days=anchor.weekday()))).days // 7
            return weeks % self.interval == 0
        return None

    def _on_filters(self, day: date) -> bool:
        """Whether ``day`` passes BYMONTH, BYMONTHDAY and BYDAY (ordinals counted in its month)."""
        if self.bymonth and day.month not in self.bymonth:
            return False
        if self.bymonthday and not _is_monthday(day, self.bymonthday):
            return False
        if not self.byday:
            return True
        import calendar

        length = calendar.monthrange(day.year, day.month)[1]
        nth, nth_last = (day.day - 1) // 7 + 1, -((length - day.day) // 7 + 1)
        return any(wd == day.weekday() and n in (None, nth, nth_last) for n, wd in self.byday)

    def first_on_or_after(self, day: date) -> date | None:
        """The first date of the rule (ignoring INTERVAL) on or after ``day``."""
        single = replace(self, interval=1)
        found = single._rrule(day, until=None).after(_midnight(day), inc=True)
        return found.date() if found else None

    def _rrule(self, dtstart: date, until: date | None):  # -> dateutil.rrule.rrule
        # Built from the parts, not from text: rrulestr would load dateutil's parser
        # (several ms of cron's start-up) just to read UNTIL back.
        from dateutil import rrule as du

        extra = dict(self.extra)
        weekdays = [du.weekday(wd, n) if n else du.weekday(wd) for n, wd in self.byday]
        return du.rrule(
            getattr(du, self.freq),
            dtstart=_midnight(dtstart),
            interval=self.interval,
            until=datetime.combine(until, time(23, 59, 59)) if until else None,
            bymonth=self.bymonth or None,
            bymonthday=self.bymonthday or None,
            byweekday=weekdays or None,
            bysetpos=self.bysetpos or None,
            byyearday=[int(v) for v in extra["BYYEARDAY"].split(",")] if "BYYEARDAY" in extra else None,
            byweekno=[int(v) for v in extra["BYWEEKNO"].split(",")] if "BYWEEKNO" in extra else None,
            wkst=WEEKDAY_CODES.index(extra["WKST"]) if "WKST" in extra else None,
            cache=False,
        )


@functools.lru_cache(maxsize=4096)
def _first_on_or_after(rule: Rule, day: date) -> date | None:
    # A stream asks each series about a year at a time, always from its `from`: once is enough.
    return rule.first_on_or_after(day)


def _is_monthday(day: date, monthdays: tuple[int, ...]) -> bool:
    """Whether ``day`` is one of BYMONTHDAY's days (-1 is the month's last day)."""
    import calendar

    length = calendar.monthrange(day.year, day.month)[1]
    return day.day in monthdays or day.day - length - 1 in monthdays


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _byday_code(n: int | None, weekday: int) -> str:
    return f"{n}{WEEKDAY_CODES[weekday]}" if n else WEEKDAY_CODES[weekday]


def parse_rrule(value: str) -> Rule:
    """Read a raw RFC 5545 RRULE value (``FREQ=...;...``)."""
    parts: dict[str, str] = {}
    for chunk in value.strip().strip(";").split(";"):
        key, sep, val = chunk.partition("=")
        key = key.strip().upper()
        if not sep or not key or not val.strip():
            raise RuleError(f"malformed RRULE part {chunk!r} in {value!r}")
        if key in parts:
            raise RuleError(f"RRULE part {key} given twice in {value!r}")
        parts[key] = val.strip().upper()
    freq = parts.pop("FREQ", "")
    if freq not in _FREQS:
        if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
            raise RuleError(f"FREQ={freq} is too frequent for a meeting series")
        raise RuleError(f"FREQ must be one of {', '.join(_FREQS)} in {value!r}")
    for banned in ("UNTIL", "COUNT", "DTSTART"):
        if banned in parts:
            raise RuleError(
                f"{banned} in the rule is not supported: give the series' `from` and `until`"
            )
    try:
        interval = int(parts.pop("INTERVAL", "1"))
        bymonth = _ints(parts.pop("BYMONTH", ""), 1, 12, "BYMONTH")
        bymonthday = _ints(parts.pop("BYMONTHDAY", ""), -31, 31, "BYMONTHDAY")
        bysetpos = _ints(parts.pop("BYSETPOS", ""), -366, 366, "BYSETPOS")
        byday = tuple(_parse_byday(code) for code in _split(parts.pop("BYDAY", "")))
    except ValueError as exc:
        raise RuleError(f"{exc} in {value!r}") from None
    if interval < 1:
        raise RuleError(f"INTERVAL must be 1 or more in {value!r}")
    known_extra = ("BYYEARDAY", "BYWEEKNO", "WKST")
    unknown = [k for k in parts if k not in known_extra]
    if unknown:
        raise RuleError(f"unsupported RRULE part {unknown[0]} in {value!r}")
    _check_rfc5545(freq, parts, byday, bymonthday, bysetpos, bymonth, value)
    rule = Rule(
        freq=freq,
        interval=interval,
        byday=byday,
        bymonthday=bymonthday,
        bymonth=bymonth,
        bysetpos=bysetpos,
        extra=tuple((k, parts[k]) for k in known_extra if k in parts),
    )
    try:  # let dateutil have the last word on anything we passed through
        rule._rrule(date(2000, 1, 1), until=date(2000, 1, 2))
    except (ValueError, TypeError, IndexError) as exc:
        raise RuleError(f"invalid RRULE {value!r}: {exc}") from None
    return rule


def _check_rfc5545(
    freq: str,
    extra: dict[str, str],
    byday: tuple[tuple[int | None, int], ...],
    bymonthday: tuple[int, ...],
    bysetpos: tuple[int, ...],
    bymonth: tuple[int, ...],
    value: str,
) -> None:
    """The value ranges and combinations RFC 5545 (3.3.10) allows; a RuleError for the first one broken."""
    try:
        yeardays = _ints(extra.get("BYYEARDAY", ""), -366, 366, "BYYEARDAY")
        weeknos = _ints(extra.get("BYWEEKNO", ""), -53, 53, "BYWEEKNO")
    except ValueError as exc:
        raise RuleError(f"{exc} in {value!r}") from None
    if "WKST" in extra and extra["WKST"] not in WEEKDAY_CODES:
        raise RuleError(f"WKST must be a weekday code (MO..SU) in {value!r}")
    if yeardays and freq in ("DAILY", "WEEKLY", "MONTHLY"):
        raise RuleError(f"BYYEARDAY is only for FREQ=YEARLY in {value!r}")
    if weeknos and freq != "YEARLY":
        raise RuleError(f"BYWEEKNO is only for FREQ=YEARLY in {value!r}")
    if bymonthday and freq == "WEEKLY":
        raise RuleError(f"BYMONTHDAY cannot be used with FREQ=WEEKLY in {value!r}")
    numbered = [n for n, _ in byday if n is not None]
    if numbered and freq not in ("MONTHLY", "YEARLY"):
        raise RuleError(f"a numbered BYDAY (like 2MO) is only for FREQ=MONTHLY or YEARLY in {value!r}")
    if numbered and freq == "YEARLY" and weeknos:
        raise RuleError(f"a numbered BYDAY cannot be used with BYWEEKNO in {value!r}")
    monthly_numbers = freq == "MONTHLY" or (freq == "YEARLY" and bymonth)
    if monthly_numbers and any(abs(n) > 5 for n in numbered):
        raise RuleError(f"a month has at most five of each weekday: BYDAY {numbered[0]} in {value!r}")
    if bysetpos and not (byday or bymonthday or bymonth or yeardays or weeknos):
        raise RuleError(f"BYSETPOS needs another BY... part to choose from in {value!r}")


#: How many years a rule must have a date in: 28 years hold every weekday-and-date pattern
#: of the calendar (a 29 February on a Monday comes once in 28 years).
RULE_HORIZON_YEARS = 28


def check_has_dates(rule: Rule) -> None:
    """RuleError unless ``rule`` has a date at all, found by a search of bounded length.

    dateutil looks for a rule's next date until the year 9999, however far that is (a
    rule that never matches, like 30 February, took every command minutes). The search
    here runs over the last :data:`RULE_HORIZON_YEARS` years before 9999 instead: they
    contain no skipped leap year (as 2100 is), so they repeat every pattern of weekdays
    and dates the calendar has, and dateutil stops at 9999 by itself.
    """
    single = replace(rule, interval=1)  # INTERVAL only thins out dates from the first one
    try:
        found = next(iter(single._rrule(date(9999 - RULE_HORIZON_YEARS + 1, 1, 1), until=None)), None)
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise RuleError(f"invalid rule {rule.source or rule.rrule!r}: {exc}") from None
    if found is None:
        raise RuleError(f"the rule {rule.source or rule.rrule!r} never gives a date")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _ints(value: str, low: int, high: int, name: str) -> tuple[int, ...]:
    out = []
    for v in _split(value):
        n = int(v)
        if not low <= n <= high or n == 0:
            raise ValueError(f"{name} value {v} out of range")
        out.append(n)
    return tuple(out)


def _parse_byday(code: str) -> tuple[int | None, int]:
    m = re.fullmatch(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)", code)
    if not m:
        raise ValueError(f"bad BYDAY value {code!r}")
    n = int(m.group(1)) if m.group(1) else None
    if n is not None and (n == 0 or abs(n) > 53):
        raise ValueError(f"bad BYDAY value {code!r}")
    return n, WEEKDAY_CODES.index(m.group(2))
