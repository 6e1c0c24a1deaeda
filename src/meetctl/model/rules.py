"""Recurrence rules: English phrases <-> RFC 5545 RRULEs.

A series says when it meets in words ("last Wednesday of the month") or as a raw
RRULE ("FREQ=MONTHLY;BYDAY=-1WE"). Both become a :class:`Rule`; python-dateutil
does the date arithmetic, and :func:`describe` says any rule back in plain English
for flyers and announcements.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

ACCEPTED_FORMS = (
    "last Wednesday of the month",
    "first Monday of the month (first..fifth, 1st..5th) / every second Tuesday",
    "second to last Friday of the month",
    "first and third Tuesday of the month",
    "every Wednesday / weekly on Wednesday / Thursdays",
    "every other Friday / fortnightly on Friday / every 3 weeks on Friday",
    "15th of every month / monthly on the 15th / last day of the month",
    "last Saturday of March, June, September and December",
    "... except August / except July and August",
    "every day",
    "a raw RFC 5545 rule: FREQ=MONTHLY;BYDAY=-1WE",
)

#: Example phrases for `meetctl help rules`, each shown with the RRULE it reads as.
EXAMPLE_PHRASES = (
    "last Wednesday of the month",
    "monthly on the last Wednesday",
    "first Monday of the month",
    "every second Tuesday",
    "second to last Friday of the month",
    "first and third Tuesday of the month",
    "2nd and 4th Thursdays",
    "every Wednesday",
    "Thursdays",
    "weekly on Wednesday",
    "every Monday and Thursday",
    "every other Friday",
    "fortnightly on Friday",
    "every 3 weeks on Friday",
    "15th of every month",
    "monthly on the 15th",
    "last day of the month",
    "last Saturday of March, June, September and December",
    "last Wednesday of the month except August",
    "every Wednesday except July and August",
    "every day",
    "FREQ=MONTHLY;BYDAY=-1WE",
)

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


# --------------------------------------------------------------------------- parsing


@functools.lru_cache(maxsize=1024)
def parse_rule(text: str) -> Rule:
    """Read an English phrase or a raw RRULE into a :class:`Rule`.

    Raises :class:`RuleError` with the accepted forms when it cannot.
    """
    stripped = text.strip()
    if not stripped:
        raise RuleError("empty rule")
    upper = stripped.upper()
    if upper.startswith("RRULE:"):
        upper, stripped = upper[6:], stripped[6:]
    if upper.startswith("FREQ="):
        rule = replace(parse_rrule(stripped), source=text)
        check_has_dates(rule)
        return rule
    if re.search(r"(?:^|[\s,])[-+]\d", stripped):
        raise RuleError(
            f"{text!r}: a day number cannot be negative or signed; for days counted from the end "
            "write 'last day of the month' or 'last Friday of the month'"
        )
    rule = _parse_phrase(stripped)
    if rule is None:
        # One line to locate the problem; the forms follow, indented, one a line.
        raise RuleError(
            f"unknown recurrence phrase {text!r}{_spelling_hint(stripped)}; "
            "the accepted forms are (also `meetctl help rules`):\n"
            + "\n".join(f"    {form}" for form in ACCEPTED_FORMS)
        )
    rule = replace(rule, source=text)
    check_has_dates(rule)
    return rule


def _spelling_hint(text: str) -> str:
    """`` (did you mean '...'?)`` when respelling unknown words gives a phrase that parses."""
    from meetctl.model.errors import closest

    vocabulary = {
        *_ORDINALS, *_WEEKDAY_WORDS, *_MONTH_WORDS, *_NUMBER_WORDS,
        *(word for form in ACCEPTED_FORMS for word in _tokens(form) if word.isalpha()),
    }  # fmt: skip
    tokens = _tokens(text)
    respelled = []
    for token in tokens:
        if token.isalpha() and token not in vocabulary:
            token = closest(token, vocabulary) or token
        respelled.append(token)
    if respelled == tokens:
        return ""
    phrase = " ".join(respelled).replace(" , ", ", ")
    try:
        return f" (did you mean {phrase!r}?)" if _parse_phrase(phrase) else ""
    except RuleError:
        return ""


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


_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "last": -1, "penultimate": -2,
}  # fmt: skip
_WEEKDAY_WORDS = {
    **{name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)},
    **{name.lower() + "s": i for i, name in enumerate(WEEKDAY_NAMES)},
    **{name[:3].lower(): i for i, name in enumerate(WEEKDAY_NAMES)},
    "tues": 1, "weds": 2, "thur": 3, "thurs": 3,
}  # fmt: skip
_MONTH_WORDS = {
    **{name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)},
    **{name[:3].lower(): i + 1 for i, name in enumerate(MONTH_NAMES)},
    "sept": 9,
}  # fmt: skip
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("-", " ").replace("&", " and ")
    text = re.sub(r"[,;.]", " , ", text)
    return text.split()


def _parse_phrase(text: str) -> Rule | None:
    tokens = _tokens(text)
    months_out: tuple[int, ...] = ()
    if "except" in tokens:
        i = tokens.index("except")
        tail = [t for t in tokens[i + 1 :] if t not in ("in", "during")]
        months_out = _month_list(tail) or ()
        if not months_out:
            return None
        tokens = tokens[:i]
    while tokens and tokens[-1] == ",":
        tokens.pop()
    rule = _parse_body(tokens)
    if rule is None:
        return None
    if months_out:
        keep = rule.bymonth or tuple(range(1, 13))
        remaining = tuple(m for m in keep if m not in months_out)
        if not remaining:
            raise RuleError(f"{text!r} leaves no month at all")
        rule = replace(rule, bymonth=remaining)
    return rule


def _month_list(tokens: list[str]) -> tuple[int, ...] | None:
    months = []
    for t in tokens:
        if t in (",", "and"):
            continue
        if t not in _MONTH_WORDS:
            return None
        months.append(_MONTH_WORDS[t])
    return tuple(sorted(set(months))) or None


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(token)


def _parse_body(tokens: list[str]) -> Rule | None:
    tokens = [t for t in tokens if t != "the"]
    # Prefixes that fix FREQ and INTERVAL: "every other week on", "monthly on", ...
    freq: str | None = None
    interval = 1
    prefixes: list[tuple[list[str], str, int]] = [
        (["weekly", "on"], "WEEKLY", 1),
        (["every", "week", "on"], "WEEKLY", 1),
        (["every", "other", "week", "on"], "WEEKLY", 2),
        (["fortnightly", "on"], "WEEKLY", 2),
        (["biweekly", "on"], "WEEKLY", 2),
        (["every", "fortnight", "on"], "WEEKLY", 2),
        (["monthly", "on"], "MONTHLY", 1),
        (["every", "month", "on"], "MONTHLY", 1),
        (["every", "other", "month", "on"], "MONTHLY", 2),
    ]
    for words, f, n in prefixes:
        if tokens[: len(words)] == words:
            freq, interval, tokens = f, n, tokens[len(words) :]
            break
    else:
        if len(tokens) > 3 and tokens[0] == "every" and tokens[3] == "on":
            n = _number(tokens[1])
            if n and tokens[2] in ("weeks", "months"):
                freq = "WEEKLY" if tokens[2] == "weeks" else "MONTHLY"
                interval, tokens = n, tokens[4:]
    if not tokens:
        return None

    if freq is None and tokens in (["daily"], ["every", "day"]):
        return Rule("DAILY")
    if freq is None and len(tokens) == 3 and tokens[0] == "every" and tokens[2] == "days":
        n = _number(tokens[1])
        return Rule("DAILY", interval=n) if n else None

    # "Thursdays", "Mondays and Thursdays": every such day (plurals only: "Thursday" alone is a date).
    if freq is None and all(t in (",", "and") or _is_plural_weekday(t) for t in tokens):
        days = _weekday_list(tokens)
        return Rule("WEEKLY", byday=tuple((None, d) for d in days)) if days else None
    # "every second Tuesday" is UK usage for the second Tuesday of the month (not fortnightly,
    # which is "every other"); "every first and third Monday" likewise.
    if freq is None and tokens[0] in ("every", "each") and len(tokens) > 1 and tokens[1] in _ORDINALS:
        body, months = _split_month_suffix(tokens[1:])
        byday = _ordinal_weekdays(body) if body else ()
        return Rule("MONTHLY", byday=byday, bymonth=months or ()) if byday else None
    # "every Wednesday", "every other Friday".
    if freq is None and tokens[0] in ("every", "each"):
        rest = tokens[1:]
        interval = 1
        if rest[:1] == ["other"]:
            interval, rest = 2, rest[1:]
        days = _weekday_list(rest)
        if days is None:
            return None
        return Rule("WEEKLY", interval=interval, byday=tuple((None, d) for d in days))
    if freq == "WEEKLY":
        days = _weekday_list(tokens)
        if days is None:
            return None
        return Rule("WEEKLY", interval=interval, byday=tuple((None, d) for d in days))

    # Monthly forms. Split off a trailing "of the month" / "of every month" / "of March, June".
    body, months = _split_month_suffix(tokens)
    if body is None:
        return None
    if freq is None and months is None and not _has_month_suffix(tokens):
        # Bare "last Wednesday" is fine; bare "15th" too. Nothing else to check.
        pass
    byday = _ordinal_weekdays(body)
    if byday:
        return Rule("MONTHLY", interval=interval, byday=byday, bymonth=months or ())
    monthdays = _monthday_list(body)
    if monthdays:
        return Rule("MONTHLY", interval=interval, bymonthday=monthdays, bymonth=months or ())
    return None


_MONTH_SUFFIXES = (
    ["of", "month"], ["of", "every", "month"], ["of", "each", "month"], ["in", "month"],
    ["in", "every", "month"], ["in", "each", "month"], ["every", "month"], ["each", "month"],
    ["monthly"], ["of", "month", "every", "month"],
)  # fmt: skip


def _has_month_suffix(tokens: list[str]) -> bool:
    return any(tokens[-len(s) :] == s for s in _MONTH_SUFFIXES)


def _split_month_suffix(tokens: list[str]) -> tuple[list[str] | None, tuple[int, ...] | None]:
    for suffix in sorted(_MONTH_SUFFIXES, key=len, reverse=True):
        if len(tokens) > len(suffix) and tokens[-len(suffix) :] == suffix:
            return tokens[: -len(suffix)], None
    for word in ("of", "in"):
        if word in tokens:
            i = len(tokens) - 1 - tokens[::-1].index(word)
            months = _month_list(tokens[i + 1 :])
            if months:
                return tokens[:i], months
    return tokens, None


def _is_plural_weekday(token: str) -> bool:
    return token.endswith("s") and token[:-1] in _WEEKDAY_WORDS and len(token) > 5


def _weekday_list(tokens: list[str]) -> list[int] | None:
    days: list[int] = []
    for t in tokens:
        if t in (",", "and"):
            continue
        if t not in _WEEKDAY_WORDS:
            return None
        days.append(_WEEKDAY_WORDS[t])
    return sorted(set(days)) or None


def _ordinal_weekdays(tokens: list[str]) -> tuple[tuple[int | None, int], ...]:
    """"first and third Tuesday", "1st Monday and 3rd Thursday", "second to last Friday"."""
    pending: list[int] = []
    last_ordinals: list[int] = []
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t in (",", "and"):
            i += 1
            continue
        # "second to last", "2nd last", "third from last"
        if t in _ORDINALS and _ORDINALS[t] > 0:
            nxt = tokens[i + 1 : i + 3]
            if nxt[:2] in (["to", "last"], ["from", "last"]):
                pending.append(-_ORDINALS[t])
                i += 3
                continue
            if nxt[:1] == ["last"]:
                pending.append(-_ORDINALS[t])
                i += 2
                continue
        if t in _ORDINALS:
            pending.append(_ORDINALS[t])
        elif t in _WEEKDAY_WORDS:
            ordinals = pending or last_ordinals
            if not ordinals:
                return ()
            out.extend((n, _WEEKDAY_WORDS[t]) for n in ordinals)
            last_ordinals, pending = ordinals, []
        else:
            return ()
        i += 1
    if pending or not out:
        return ()
    return tuple(sorted(set(out), key=lambda p: (p[1], p[0] if p[0] > 0 else 10 - p[0])))


def _monthday_list(tokens: list[str]) -> tuple[int, ...]:
    days: list[int] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t in (",", "and", "day"):
            i += 1
            continue
        if t == "last" and tokens[i + 1 : i + 2] == ["day"]:
            days.append(-1)
            i += 2
            continue
        m = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", t)
        if not m or not 1 <= int(m.group(1)) <= 31:
            return ()
        days.append(int(m.group(1)))
        i += 1
    return tuple(sorted(set(days), key=lambda d: d if d > 0 else 100 - d))


# --------------------------------------------------------------------------- describing


def ordinal(n: int) -> str:
    """1 -> '1st', 22 -> '22nd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}


def _ordinal_word(n: int) -> str:
    if n in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[n]
    if n < 0:
        return f"{_ordinal_word(-n)} to last" if -n in _ORDINAL_WORDS else f"{ordinal(-n)} to last"
    return ordinal(n)


def join_words(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _months_phrase(months: tuple[int, ...]) -> tuple[str, str]:
    """(' of March and June', '') or ('', ' except August') for a BYMONTH list."""
    if not months or len(months) == 12:
        return "", ""
    left_out = [m for m in range(1, 13) if m not in months]
    if len(left_out) < len(months):
        return "", " except " + join_words([MONTH_NAMES[m - 1] for m in left_out])
    return " of " + join_words([MONTH_NAMES[m - 1] for m in months]), ""


def describe(rule: Rule) -> str:
    """The rule in plain English: 'last Wednesday of every month'."""
    months_of, months_except = _months_phrase(rule.bymonth)
    if rule.extra or rule.bysetpos:
        return _describe_generic(rule)
    if rule.freq == "DAILY" and not (rule.byday or rule.bymonthday):
        every = "every day" if rule.interval == 1 else f"every {rule.interval} days"
        return every + (f" in {months_of[4:]}" if months_of else "") + months_except
    if rule.freq == "WEEKLY" and rule.byday and all(n is None for n, _ in rule.byday):
        days = join_words([WEEKDAY_NAMES[d] for _, d in rule.byday])
        if rule.interval == 1:
            head = f"every {days}"
        elif rule.interval == 2:
            head = f"every other {days}"
        else:
            head = f"every {rule.interval} weeks on {days}"
        return head + (f" in {months_of[4:]}" if months_of else "") + months_except
    if rule.freq in ("MONTHLY", "YEARLY") and not rule.bymonthday and rule.byday:
        if all(n is not None for n, _ in rule.byday):
            what = _describe_ordinal_weekdays(rule.byday)
            return _monthly(what, rule, months_of, months_except)
    if rule.freq in ("MONTHLY", "YEARLY") and rule.bymonthday and not rule.byday:
        days = join_words(["last day" if d == -1 else _monthday(d) for d in rule.bymonthday])
        return _monthly(days, rule, months_of, months_except)
    return _describe_generic(rule)


def _monthday(d: int) -> str:
    return ordinal(d) if d > 0 else f"{_ordinal_word(-d)} to last day"


def _monthly(what: str, rule: Rule, months_of: str, months_except: str) -> str:
    if months_of:
        return what + months_of
    if rule.freq == "YEARLY":
        return _describe_generic(rule)
    if rule.interval == 1:
        return f"{what} of every month{months_except}"
    if rule.interval == 2:
        return f"every other month on the {what}{months_except}"
    return f"every {rule.interval} months on the {what}{months_except}"


def _describe_ordinal_weekdays(byday: tuple[tuple[int | None, int], ...]) -> str:
    by_weekday: dict[int, list[int]] = {}
    for n, wd in byday:
        by_weekday.setdefault(wd, []).append(n or 0)
    groups = {tuple(v) for v in by_weekday.values()}
    if len(groups) == 1:
        ords = next(iter(groups))
        return (
            join_words([_ordinal_word(n) for n in ords])
            + " "
            + join_words([WEEKDAY_NAMES[wd] for wd in by_weekday])
        )
    return join_words([f"{_ordinal_word(n or 0)} {WEEKDAY_NAMES[wd]}" for n, wd in byday])


def _describe_generic(rule: Rule) -> str:
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[rule.freq]
    head = f"every {unit}" if rule.interval == 1 else f"every {rule.interval} {unit}s"
    bits = []
    if rule.bymonth:
        bits.append("in " + join_words([MONTH_NAMES[m - 1] for m in rule.bymonth]))
    if rule.bymonthday:
        bits.append("on the " + join_words([_monthday(d) for d in rule.bymonthday]))
    if rule.byday:
        days = [
            (f"{_ordinal_word(n)} " if n else "") + WEEKDAY_NAMES[wd] for n, wd in rule.byday
        ]
        bits.append("on " + join_words(days) if not rule.bysetpos else "")
        if rule.bysetpos:
            positions = join_words([_ordinal_word(p) for p in rule.bysetpos])
            names = " or ".join(WEEKDAY_NAMES[wd] for _, wd in rule.byday)
            if [wd for _, wd in rule.byday] == [0, 1, 2, 3, 4]:
                names = "weekday"
            bits[-1] = f"on the {positions} {names}"
    for key, value in rule.extra:
        if key == "BYYEARDAY":
            bits.append(f"on day {value} of the year")
        elif key == "BYWEEKNO":
            bits.append(f"in week {value} of the year")
    return " ".join([head, *[b for b in bits if b]])


# --------------------------------------------------------------------------- durations


#: The longest meeting: a residential school runs over days with ``end_date``, not a duration.
MAX_DURATION_MINUTES = 7 * 24 * 60


def parse_duration(text: str) -> timedelta:
    """'90m', '1h30m', '2h', '1h 30m', '2 hours' -> timedelta; ValueError otherwise."""
    m = re.fullmatch(
        r"\s*(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:ute)?s?)?)?\s*", text, re.I
    )
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(f"invalid duration {text!r} (expected e.g. '90m', '1h30m', '2h')")
    minutes = int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
    if minutes <= 0:
        raise ValueError(f"duration {text!r} must be longer than zero")
    if minutes > MAX_DURATION_MINUTES:
        raise ValueError(f"duration {text!r} is longer than a week; for a meeting over several days give end_date")
    return timedelta(minutes=minutes)


def format_duration(delta: timedelta) -> str:
    """timedelta -> '1h30m' (the programme file's own form)."""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")
